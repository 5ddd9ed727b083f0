"""PyTorch build of GhostFaceNetV1, the oracle for src/PocketNet.Models/GhostFaceNets.

Written for these tests from the official Keras code (HamadYA/GhostFaceNets: backbones/ghost_model.py for the
backbone, GhostFaceNets.py for the GDC head, the training notebook for the options: ReLU replaced by per-channel
PReLU, batch-norm epsilon 1e-5, the head's 1x1 conv with a bias in the stride-1 models). Keras pads "same", so the
stride-2 convolutions pad asymmetrically (the extra row and column at the end): SamePaddedConv2d does it with
F.pad. Keras's hard sigmoid of TensorFlow 2.8 is clip(0.2 x + 0.5, 0, 1). Module names follow the PyTorch port the
official README lists (Hazqeel09/ellzaf_ml), so state_dict keys read conv_stem, blocks.S.B.ghost1..., classifier.

    from ghostfacenet_reference import build
    net = build("ghostfacenet-v1-1.3-2", embedding_size=512)
"""
import torch
import torch.nn.functional as F
from torch import nn


def make_divisible(value, divisor=4):
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def same_pads(size, kernel, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class SamePaddedConv2d(nn.Conv2d):
    def forward(self, x):
        top, bottom = same_pads(x.shape[2], self.kernel_size[0], self.stride[0])
        left, right = same_pads(x.shape[3], self.kernel_size[1], self.stride[1])
        return F.conv2d(F.pad(x, (left, right, top, bottom)), self.weight, self.bias, self.stride, 0, 1, self.groups)


def same_conv(cin, cout, kernel, stride=1, groups=1):
    return SamePaddedConv2d(cin, cout, kernel, stride, 0, groups=groups, bias=False)


class GhostModule(nn.Module):
    def __init__(self, cin, cout, activation):
        super().__init__()
        half = cout // 2
        act = [nn.PReLU(half)] if activation else []
        self.primary_conv = nn.Sequential(same_conv(cin, half, 1), nn.BatchNorm2d(half), *act)
        act = [nn.PReLU(half)] if activation else []
        self.cheap_operation = nn.Sequential(same_conv(half, half, 3, groups=half), nn.BatchNorm2d(half), *act)

    def forward(self, x):
        intrinsic = self.primary_conv(x)
        return torch.cat([intrinsic, self.cheap_operation(intrinsic)], 1)


class SqueezeExcite(nn.Module):
    def __init__(self, channels):
        super().__init__()
        reduced = make_divisible(channels * 0.25)
        self.conv_reduce = nn.Conv2d(channels, reduced, 1)
        self.act1 = nn.PReLU(reduced)
        self.conv_expand = nn.Conv2d(reduced, channels, 1)

    def forward(self, x):
        gate = self.conv_expand(self.act1(self.conv_reduce(x.mean((2, 3), keepdim=True))))
        return x * torch.clamp(0.2 * gate + 0.5, 0, 1)


class GhostBottleneck(nn.Module):
    def __init__(self, cin, hidden, cout, kernel, stride, se):
        super().__init__()
        self.ghost1 = GhostModule(cin, hidden, True)
        self.conv_dw = same_conv(hidden, hidden, kernel, stride, groups=hidden) if stride > 1 else None
        self.bn_dw = nn.BatchNorm2d(hidden) if stride > 1 else None
        self.se = SqueezeExcite(hidden) if se else None
        self.ghost2 = GhostModule(hidden, cout, False)
        self.shortcut = None
        if stride > 1 or cin != cout:
            self.shortcut = nn.Sequential(same_conv(cin, cin, kernel, stride, groups=cin), nn.BatchNorm2d(cin),
                                          nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.ghost1(x)
        if self.conv_dw is not None:
            y = self.bn_dw(self.conv_dw(y))
        if self.se is not None:
            y = self.se(y)
        y = self.ghost2(y)
        return y + (x if self.shortcut is None else self.shortcut(x))


class ConvBnAct(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.act1 = nn.PReLU(cout)

    def forward(self, x):
        return self.act1(self.bn1(self.conv(x)))


class ModifiedGDC(nn.Module):
    def __init__(self, channels, side, embedding_size, bias):
        super().__init__()
        self.conv_dw = nn.Conv2d(channels, channels, side, groups=channels, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv = nn.Conv2d(channels, embedding_size, 1, bias=bias)
        self.bn2 = nn.BatchNorm1d(embedding_size)

    def forward(self, x):
        return self.bn2(self.conv(self.bn1(self.conv_dw(x))).flatten(1))


# GhostNet's table 1 grouped as the PyTorch port's stages: (kernel, expansion, output, SE, stride); the official
# Keras code's last expansion is 512.
STAGES = [
    [(3, 16, 16, 0, 1)], [(3, 48, 24, 0, 2)], [(3, 72, 24, 0, 1)], [(5, 72, 40, 1, 2)], [(5, 120, 40, 1, 1)],
    [(3, 240, 80, 0, 2)],
    [(3, 200, 80, 0, 1), (3, 184, 80, 0, 1), (3, 184, 80, 0, 1), (3, 480, 112, 1, 1), (3, 672, 112, 1, 1)],
    [(5, 672, 160, 1, 2)],
    [(5, 960, 160, 0, 1), (5, 960, 160, 1, 1), (5, 960, 160, 0, 1), (5, 512, 160, 1, 1)],
]


class GhostFaceNetV1(nn.Module):
    def __init__(self, width=1.3, stem_stride=2, embedding_size=512, input_size=112):
        super().__init__()
        channels = make_divisible(16 * width)
        self.conv_stem = same_conv(3, channels, 3, stem_stride)
        self.bn1 = nn.BatchNorm2d(channels)
        self.act1 = nn.PReLU(channels)
        side = -(-input_size // stem_stride)
        stages = []
        for stage in STAGES:
            blocks = []
            for kernel, expansion, output, se, stride in stage:
                output = make_divisible(output * width)
                blocks.append(GhostBottleneck(channels, make_divisible(expansion * width), output, kernel, stride, se))
                channels = output
                side = -(-side // stride)
            stages.append(nn.Sequential(*blocks))
        last = make_divisible(512 * width)
        stages.append(nn.Sequential(ConvBnAct(channels, last)))
        self.blocks = nn.Sequential(*stages)
        self.classifier = ModifiedGDC(last, side, embedding_size, bias=stem_stride == 1)

    def forward(self, x):
        return self.classifier(self.blocks(self.act1(self.bn1(self.conv_stem(x)))))


def build(name, embedding_size=None):
    """ghostfacenet-v1-WIDTH-STRIDE, e.g. ghostfacenet-v1-1.3-2 (embedding 512 by default)."""
    width, _, stride = name[len("ghostfacenet-v1-"):].rpartition("-")
    return GhostFaceNetV1(float(width), int(stride), 512 if embedding_size is None else embedding_size)
