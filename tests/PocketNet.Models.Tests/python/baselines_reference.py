"""PyTorch builds of the baseline face networks (MobileFaceNet, iResNet-18/34/50/100) used as the
oracle for the C# ports in src/PocketNet.Models/Baselines.

Written for these tests from the wiring of the PocketNet reference repository (backbones/mobilefacenet.py,
backbones/iresnet.py): every module sits under the attribute name the reference uses and is assigned in
the same order, so state_dict keys, their order and their shapes are what the published checkpoints
carry. Other test scripts may import the builders:

    from baselines_reference import build
    net = build("iresnet18", embedding_size=512)

Command line (all output on stdout, JSON):
    counts SPEC...                  SPEC is name[:embedding]; prints {spec: {"trainable": n, "total": n}}
    shapes NAME EMBEDDING           prints [[key, [shape...], dtype], ...] in state_dict order
    forward NAME EMBEDDING DIR      loads DIR/weights.* (strict), runs DIR/input.* in eval mode,
                                    writes DIR/output.*; the exchange format is tensor_exchange.py's
    save NAME EMBEDDING DIR         seeded random weights torch.save'd to DIR/model.pth; runs
                                    DIR/input.* in eval mode and writes DIR/output.*
"""
import json
import os
import sys

import torch
from torch import nn

import tensor_exchange


# ---- MobileFaceNet -------------------------------------------------------------------------------

def _conv_bn_relu6(cin, cout, kernel=3, stride=1, groups=1):
    # A plain Sequential, so the keys are <name>.0 (conv), <name>.1 (bn); ReLU6 holds no state.
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU6(inplace=True),
    )


class SeparableConvBnRelu(nn.Module):
    """The dw_conv block: depthwise 3x3 -> BN -> ReLU -> pointwise -> BN -> ReLU (one ReLU module, used twice)."""

    def __init__(self, channels_in, channels_out):
        super().__init__()
        self.depthwise = nn.Conv2d(channels_in, channels_in, 3, padding=1, groups=channels_in, bias=False)
        self.pointwise = nn.Conv2d(channels_in, channels_out, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels_in)
        self.bn2 = nn.BatchNorm2d(channels_out)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.relu(self.bn1(self.depthwise(x)))
        return self.relu(self.bn2(self.pointwise(x)))


class GlobalDepthwiseConv(nn.Module):
    """gdconv: a 7x7 depthwise conv without padding (one value per channel) and a BN."""

    def __init__(self, channels, kernel=7):
        super().__init__()
        self.depthwise = nn.Conv2d(channels, channels, kernel, groups=channels, bias=False)
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x):
        return self.bn(self.depthwise(x))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expansion):
        super().__init__()
        hidden = int(round(cin * expansion))
        self.residual = stride == 1 and cin == cout
        parts = []
        if expansion != 1:
            parts.append(_conv_bn_relu6(cin, hidden, kernel=1))
        parts += [
            _conv_bn_relu6(hidden, hidden, stride=stride, groups=hidden),
            nn.Conv2d(hidden, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        ]
        self.conv = nn.Sequential(*parts)

    def forward(self, x):
        y = self.conv(x)
        return x + y if self.residual else y


# (expansion t, channels c, repeats n, first stride s), as in the reference.
MOBILEFACENET_SETTING = [(2, 64, 5, 2), (4, 128, 1, 2), (2, 128, 6, 1), (4, 128, 1, 2), (2, 128, 2, 1)]


class MobileFaceNet(nn.Module):
    def __init__(self, embedding_size=128):
        super().__init__()
        blocks, width = [], 64
        for t, c, n, s in MOBILEFACENET_SETTING:
            for i in range(n):
                blocks.append(InvertedResidual(width, c, s if i == 0 else 1, t))
                width = c
        # Assignment order fixes the state_dict order; the reference assigns `features` last.
        self.conv1 = _conv_bn_relu6(3, 64, stride=2)
        self.dw_conv = SeparableConvBnRelu(64, 64)
        self.conv2 = _conv_bn_relu6(width, 512, kernel=1)
        self.gdconv = GlobalDepthwiseConv(512)
        self.conv3 = nn.Conv2d(512, embedding_size, 1)
        self.bn = nn.BatchNorm2d(embedding_size)
        self.features = nn.Sequential(*blocks)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.features(self.dw_conv(self.conv1(x)))
        x = self.bn(self.conv3(self.gdconv(self.conv2(x))))
        return x.view(x.size(0), -1)


# ---- iResNet ---------------------------------------------------------------------------------------

class IBasicBlock(nn.Module):
    def __init__(self, cin, planes, stride=1, downsample=None):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes, eps=1e-5)
        self.prelu = nn.PReLU(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes, eps=1e-5)
        self.downsample = downsample

    def forward(self, x):
        out = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        shortcut = x if self.downsample is None else self.downsample(x)
        return out + shortcut


IRESNET_LAYERS = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 14, 3], 100: [3, 13, 30, 3]}


class IResNet(nn.Module):
    def __init__(self, layers, embedding_size=512, dropout=0.0):
        super().__init__()
        self._width = 64
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64, eps=1e-5)
        self.prelu = nn.PReLU(64)
        self.layer1 = self._stage(64, layers[0])
        self.layer2 = self._stage(128, layers[1])
        self.layer3 = self._stage(256, layers[2])
        self.layer4 = self._stage(512, layers[3])
        self.bn2 = nn.BatchNorm2d(512, eps=1e-5)
        self.dropout = nn.Dropout(p=dropout, inplace=True)
        self.fc = nn.Linear(512 * 7 * 7, embedding_size)
        self.features = nn.BatchNorm1d(embedding_size, eps=1e-5)
        # The embedding BN's scale is pinned to 1 and frozen (it stays in the state_dict).
        nn.init.constant_(self.features.weight, 1.0)
        self.features.weight.requires_grad = False

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, 0, 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _stage(self, planes, count):
        # Every stage starts with a stride-2 block, so its first block always has a projection shortcut.
        shortcut = nn.Sequential(nn.Conv2d(self._width, planes, 1, 2, bias=False), nn.BatchNorm2d(planes, eps=1e-5))
        blocks = [IBasicBlock(self._width, planes, 2, shortcut)]
        self._width = planes
        blocks += [IBasicBlock(planes, planes) for _ in range(1, count)]
        return nn.Sequential(*blocks)

    def forward(self, x):
        x = self.prelu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.dropout(torch.flatten(self.bn2(x), 1))
        return self.features(self.fc(x))


# ---- builders ----------------------------------------------------------------------------------------

def build(name, embedding_size=None, **kwargs):
    """mobilefacenet (default embedding 128), iresnet18/34/50/100 (default 512), ghostfacenet-v1-W-S (512) or shufflefacenet-Cx (128)."""
    if name == "mobilefacenet":
        return MobileFaceNet(128 if embedding_size is None else embedding_size)
    if name.startswith("iresnet") and name[7:].isdigit() and int(name[7:]) in IRESNET_LAYERS:
        return IResNet(IRESNET_LAYERS[int(name[7:])], 512 if embedding_size is None else embedding_size, **kwargs)
    if name.startswith("ghostfacenet-v1-"):
        import ghostfacenet_reference
        return ghostfacenet_reference.build(name, embedding_size)
    if name.startswith("shufflefacenet-"):
        import shufflefacenet_reference
        return shufflefacenet_reference.build(name, embedding_size)
    raise ValueError(f"unknown baseline '{name}'")


def parameter_counts(net):
    trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
    return {"trainable": trainable, "total": sum(p.numel() for p in net.parameters())}


def _parse_spec(spec):
    name, _, embedding = spec.partition(":")
    return name, int(embedding) if embedding else None


def main(argv):
    command = argv[0] if argv else ""
    if command == "counts":
        result = {}
        for spec in argv[1:]:
            name, embedding = _parse_spec(spec)
            with torch.no_grad():
                result[spec] = parameter_counts(build(name, embedding))
        print(json.dumps(result))
    elif command == "shapes":
        net = build(argv[1], int(argv[2]))
        entries = [[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in net.state_dict().items()]
        print(json.dumps(entries))
    elif command == "forward":
        net = build(argv[1], int(argv[2]))
        folder = argv[3]
        net.load_state_dict(tensor_exchange.read(folder, "weights"), strict=True)
        net.eval()
        inputs = tensor_exchange.read(folder, "input")
        with torch.no_grad():
            out = net(inputs["input"])
        tensor_exchange.write(folder, "output", {"output": out})
    elif command == "save":
        # A checkpoint as a PyTorch user would have one: seeded weights, running statistics away from 0 and 1.
        torch.manual_seed(7)
        net = build(argv[1], int(argv[2]))
        folder = argv[3]
        with torch.no_grad():
            for module in net.modules():
                if isinstance(module, nn.Conv2d):
                    fan_in = module.weight[0].numel()
                    module.weight.normal_(0, fan_in ** -0.5)
                elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
                    module.weight.uniform_(0.6, 1.4)
                    module.bias.uniform_(-0.2, 0.2)
                    module.running_mean.uniform_(-0.1, 0.1)
                    module.running_var.uniform_(0.5, 1.5)
                elif isinstance(module, nn.PReLU):
                    module.weight.uniform_(0, 0.4)
        torch.save(net.state_dict(), os.path.join(folder, "model.pth"))
        net.eval()
        with torch.no_grad():
            out = net(tensor_exchange.read(folder, "input")["input"])
        tensor_exchange.write(folder, "output", {"output": out})
    else:
        sys.exit(f"usage: {sys.argv[0]} counts SPEC... | shapes NAME EMB | forward NAME EMB DIR | save NAME EMB DIR")


if __name__ == "__main__":
    main(sys.argv[1:])
