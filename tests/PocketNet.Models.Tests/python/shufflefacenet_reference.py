"""A PyTorch build of ShuffleFaceNet 0.5x/1.0x/1.5x/2.0x, the oracle for src/PocketNet.Models/ShuffleFaceNets.

Written for these tests from the paper (Martinez-Diaz et al., "ShuffleFaceNet: A Lightweight Face Architecture for
Efficient and Highly-Accurate Face Recognition", ICCVW 2019, Table 1): ShuffleNetV2's units (Ma et al. 2018) with
PReLU for ReLU, no max pooling after the stride-2 stem, conv5 to 1024 channels for every width, a 7x7 global
depthwise conv with BN, a linear 1x1 conv to the 128-d embedding with BN. The authors published no code; the module
names follow torchvision's ShuffleNetV2 (conv1, stage2..4 with branch1/branch2, conv5) and MobileFaceNet's head.

Command line (JSON on stdout):
    counts NAME...          {name: {"trainable", "total", "macs"}} for one 112x112 image (MACs of convolutions)
    shapes NAME             [[key, [shape...], dtype], ...] in state_dict order
    forward NAME DIR        loads DIR/weights.* (strict), runs DIR/input.* in eval mode, writes DIR/output.*
"""
import json
import sys

import torch
from torch import nn

import tensor_exchange

STAGE_WIDTHS = {"0.5": [48, 96, 192], "1.0": [116, 232, 464], "1.5": [176, 352, 704], "2.0": [244, 488, 976]}


def pointwise(cin, cout):
    return [nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.PReLU(cout)]


def depthwise(channels, stride):
    return [nn.Conv2d(channels, channels, 3, stride, 1, groups=channels, bias=False), nn.BatchNorm2d(channels)]


class Unit(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        half = cout // 2
        self.stride = stride
        if stride == 2:
            self.branch1 = nn.Sequential(*depthwise(cin, 2), *pointwise(cin, half))
        self.branch2 = nn.Sequential(*pointwise(cin if stride == 2 else half, half), *depthwise(half, stride),
                                     *pointwise(half, half))

    def forward(self, x):
        if self.stride == 1:
            kept, changed = x.chunk(2, dim=1)
            y = torch.cat([kept, self.branch2(changed)], dim=1)
        else:
            y = torch.cat([self.branch1(x), self.branch2(x)], dim=1)
        n, c, h, w = y.shape
        return y.view(n, 2, c // 2, h, w).transpose(1, 2).contiguous().view(n, c, h, w)


class ShuffleFaceNet(nn.Module):
    def __init__(self, width, embedding_size=128):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 24, 3, 2, 1, bias=False), nn.BatchNorm2d(24), nn.PReLU(24))
        cin = 24
        for index, (cout, units) in enumerate(zip(STAGE_WIDTHS[width], [4, 8, 4])):
            stage = []
            for u in range(units):
                stage.append(Unit(cin, cout, 2 if u == 0 else 1))
                cin = cout
            setattr(self, f"stage{index + 2}", nn.Sequential(*stage))
        self.conv5 = nn.Sequential(*pointwise(cin, 1024))
        self.gdconv = nn.Sequential(nn.Conv2d(1024, 1024, 7, groups=1024, bias=False), nn.BatchNorm2d(1024))
        self.linear = nn.Conv2d(1024, embedding_size, 1, bias=False)
        self.bn = nn.BatchNorm2d(embedding_size)

    def forward(self, x):
        x = self.stage4(self.stage3(self.stage2(self.conv1(x))))
        x = self.bn(self.linear(self.gdconv(self.conv5(x))))
        return x.flatten(1)


def build(name):
    prefix = "shufflefacenet-"
    width = name[len(prefix):-1] if name.startswith(prefix) and name.endswith("x") else ""
    if width not in STAGE_WIDTHS:
        raise ValueError(f"unknown network '{name}'")
    return ShuffleFaceNet(width)


def conv_macs(net):
    macs = [0]

    def hook(module, inputs, output):
        macs[0] += module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups * output.numel()

    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, nn.Conv2d)]
    net.eval()
    with torch.no_grad():
        net(torch.zeros(1, 3, 112, 112))
    for h in handles:
        h.remove()
    return macs[0]


def main(argv):
    command = argv[0] if argv else ""
    if command == "counts":
        result = {}
        for name in argv[1:]:
            net = build(name)
            result[name] = {"trainable": sum(p.numel() for p in net.parameters() if p.requires_grad),
                            "total": sum(p.numel() for p in net.parameters()), "macs": conv_macs(net)}
        print(json.dumps(result))
    elif command == "shapes":
        net = build(argv[1])
        print(json.dumps([[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in net.state_dict().items()]))
    elif command == "forward":
        net = build(argv[1])
        net.load_state_dict(tensor_exchange.read(argv[2], "weights"), strict=True)
        net.eval()
        with torch.no_grad():
            out = net(tensor_exchange.read(argv[2], "input")["input"])
        tensor_exchange.write(argv[2], "output", {"output": out})
    else:
        sys.exit(f"usage: {sys.argv[0]} counts NAME... | shapes NAME | forward NAME DIR")


if __name__ == "__main__":
    main(sys.argv[1:])
