"""PyTorch build of ShuffleFaceNet, the oracle for src/PocketNet.Models/ShuffleFaceNets.

Written for these tests from the paper (Martinez-Diaz et al., "ShuffleFaceNet", ICCV Workshops 2019), whose authors
released no code: ShuffleNetV2 on 112x112 faces without the max pooling, PReLU for every ReLU, a 1x1 conv to 1024
channels, a 7x7 global depthwise conv with BN, a linear 1x1 conv to the 128-d embedding with BN. Module names follow
torchvision's ShuffleNetV2 (conv1, stage2..stage4, conv5, branch1, branch2); the head is gdc and linear.

    from shufflefacenet_reference import build
    net = build("shufflefacenet-1.5x")
"""
import torch
from torch import nn

WIDTHS = {0.5: [24, 48, 96, 192, 1024], 1.0: [24, 116, 232, 464, 1024], 1.5: [24, 176, 352, 704, 1024],
          2.0: [24, 244, 488, 976, 1024]}


def channel_shuffle(x, groups=2):
    b, c, h, w = x.shape
    return x.view(b, groups, c // groups, h, w).transpose(1, 2).reshape(b, c, h, w)


def depthwise(channels, stride):
    return nn.Conv2d(channels, channels, 3, stride, 1, groups=channels, bias=False)


class ShuffleUnit(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.stride = stride
        half = cout // 2
        if stride == 2:
            self.branch1 = nn.Sequential(depthwise(cin, stride), nn.BatchNorm2d(cin),
                                         nn.Conv2d(cin, half, 1, bias=False), nn.BatchNorm2d(half), nn.PReLU(half))
        branch_in = cin if stride == 2 else half
        self.branch2 = nn.Sequential(nn.Conv2d(branch_in, half, 1, bias=False), nn.BatchNorm2d(half), nn.PReLU(half),
                                     depthwise(half, stride), nn.BatchNorm2d(half),
                                     nn.Conv2d(half, half, 1, bias=False), nn.BatchNorm2d(half), nn.PReLU(half))

    def forward(self, x):
        if self.stride == 1:
            kept, changed = x.chunk(2, dim=1)
            out = torch.cat([kept, self.branch2(changed)], 1)
        else:
            out = torch.cat([self.branch1(x), self.branch2(x)], 1)
        return channel_shuffle(out)


def conv_bn_prelu(cin, cout, kernel, stride, padding):
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, padding, bias=False), nn.BatchNorm2d(cout), nn.PReLU(cout))


class ShuffleFaceNet(nn.Module):
    def __init__(self, complexity=1.0, embedding_size=128):
        super().__init__()
        widths = WIDTHS[complexity]
        self.conv1 = conv_bn_prelu(3, widths[0], 3, 2, 1)
        channels = widths[0]
        for index, (units, width) in enumerate(zip([4, 8, 4], widths[1:4])):
            blocks = []
            for u in range(units):
                blocks.append(ShuffleUnit(channels, width, 2 if u == 0 else 1))
                channels = width
            setattr(self, f"stage{index + 2}", nn.Sequential(*blocks))
        self.conv5 = conv_bn_prelu(channels, widths[4], 1, 1, 0)
        self.gdc = nn.Sequential(nn.Conv2d(widths[4], widths[4], 7, groups=widths[4], bias=False), nn.BatchNorm2d(widths[4]))
        self.linear = nn.Sequential(nn.Conv2d(widths[4], embedding_size, 1, bias=False), nn.BatchNorm2d(embedding_size))

    def forward(self, x):
        x = self.conv5(self.stage4(self.stage3(self.stage2(self.conv1(x)))))
        return self.linear(self.gdc(x)).flatten(1)


def build(name, embedding_size=None):
    """shufflefacenet-0.5x, -1.0x, -1.5x or -2.0x (embedding 128 by default)."""
    complexity = float(name[len("shufflefacenet-"):].rstrip("x"))
    return ShuffleFaceNet(complexity, 128 if embedding_size is None else embedding_size)
