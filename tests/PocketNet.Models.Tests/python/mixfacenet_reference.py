"""PyTorch builds of MixFaceNet and ShuffleMixFaceNet (XS, S, M), the oracle for src/PocketNet.Models/MixFaceNets.

Written for these tests from the wiring of the official code (github.com/fdbtrs/mixfacenets, backbones/mixnetm.py,
utils.py, common.py, activation.py, config.py): every module sits under the attribute name the official code gives
it and is added in the same order, so state_dict keys, order and shapes are what the published checkpoints carry.
The official FLOP counter's rules are restated in count_flops.

Command line (JSON on stdout):
    counts NAME...              {name: {"trainable", "total", "flops", "macs"}} for one 112x112 image
    shapes NAME                 [[key, [shape...], dtype], ...] in state_dict order
    forward NAME DIR            loads DIR/weights.* (strict), runs DIR/input.* in eval mode, writes DIR/output.*
    checkpoint NAME SEED DIR    builds NAME with seed SEED, gives every batch norm random statistics, saves the
                                state_dict with torch.save to DIR/official.pth and the eval output of DIR/input.*
                                to DIR/output.* (tensor_exchange.py's format)
"""
import json
import sys

import torch
from torch import nn

import tensor_exchange


class Swish(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(x)


def activation(kind, channels):
    return nn.PReLU(channels) if kind == "prelu" else Swish()


class ConvBlock(nn.Module):
    def __init__(self, cin, cout, kernel, stride=1, padding=0, groups=1, bn=True, act=None):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout) if bn else None
        self.activ = activation(act, cout) if act else None

    def forward(self, x):
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        return self.activ(x) if self.activ is not None else x


def split(channels, parts):
    shares = [channels // parts] * parts
    shares[0] += channels - sum(shares)
    return shares


class MixConv(nn.Module):
    def __init__(self, cin, cout, kernels, stride, depthwise):
        super().__init__()
        self.ins = split(cin, len(kernels))
        outs = split(cout, len(kernels))
        for i, k in enumerate(kernels):
            self.add_module(str(i), nn.Conv2d(self.ins[i], outs[i], k, stride, k // 2,
                                              groups=outs[i] if depthwise else 1, bias=False))

    def forward(self, x):
        parts = torch.split(x, self.ins, dim=1)
        return torch.cat([conv(p) for p, conv in zip(parts, self._modules.values())], dim=1)


class MixConvBlock(nn.Module):
    def __init__(self, cin, cout, kernels, stride, depthwise, act):
        super().__init__()
        self.conv = MixConv(cin, cout, kernels, stride, depthwise)
        self.bn = nn.BatchNorm2d(cout)
        self.activ = activation(act, cout) if act else None

    def forward(self, x):
        x = self.bn(self.conv(x))
        return self.activ(x) if self.activ is not None else x


def pointwise(cin, cout, kernel_count, act):
    if kernel_count == 1:
        return ConvBlock(cin, cout, 1, act=act)
    return MixConvBlock(cin, cout, [1] * kernel_count, 1, False, act)


class SEBlock(nn.Module):
    def __init__(self, channels, reduction, act):
        super().__init__()
        mid = channels // reduction
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.conv1 = nn.Conv2d(channels, mid, 1, bias=True)
        self.activ = activation(act, mid)
        self.conv2 = nn.Conv2d(mid, channels, 1, bias=True)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return x * self.sigmoid(self.conv2(self.activ(self.conv1(self.pool(x)))))


def shuffle_pairs(x):
    # The official channel_shuffle2(x, 2): channels viewed as [C/2, 2], the two axes swapped.
    n, c, h, w = x.shape
    return x.view(n, c // 2, 2, h, w).transpose(1, 2).contiguous().view(n, c, h, w)


class MixUnit(nn.Module):
    def __init__(self, cin, cout, stride, exp_kernels, dw_kernels, proj_kernels, expansion, se_factor, act, shuffle):
        super().__init__()
        self.residual = cin == cout and stride == 1
        self.shuffle = shuffle
        mid = cin * expansion
        self.exp_conv = pointwise(cin, mid, exp_kernels, act) if expansion > 1 else None
        if dw_kernels == 1:
            self.conv1 = ConvBlock(mid, mid, 3, stride, 1, groups=mid, act=act)
        else:
            self.conv1 = MixConvBlock(mid, mid, [3 + 2 * i for i in range(dw_kernels)], stride, True, act)
        self.se = SEBlock(mid, expansion * se_factor, act) if se_factor > 0 else None
        self.conv2 = pointwise(mid, cout, proj_kernels, None)

    def forward(self, x):
        y = self.exp_conv(x) if self.exp_conv is not None else x
        y = self.conv1(y)
        if self.se is not None:
            y = self.se(y)
        y = self.conv2(y)
        if self.residual:
            y = y + x
        return shuffle_pairs(y) if self.shuffle else y


class MixInitBlock(nn.Module):
    def __init__(self, cout):
        super().__init__()
        self.conv1 = ConvBlock(3, cout, 3, 2, 1, act="prelu")
        # The official MixNet leaves this unit's shuffle flag at its default, True, in both families.
        self.conv2 = MixUnit(cout, cout, 1, 1, 1, 1, 1, 0, "prelu", True)

    def forward(self, x):
        return self.conv2(self.conv1(x))


MIXNET_S = dict(
    stem=16,
    channels=[[24, 24], [40, 40, 40, 40], [80, 80, 80], [120, 120, 120, 200, 200, 200]],
    exp_kernels=[[2, 2], [1, 2, 2, 2], [1, 1, 1], [2, 2, 2, 1, 1, 1]],
    dw_kernels=[[1, 1], [3, 2, 2, 2], [3, 2, 2], [3, 4, 4, 5, 4, 4]],
    proj_kernels=[[2, 2], [1, 2, 2, 2], [2, 2, 2], [2, 2, 2, 1, 2, 2]],
    expansions=[[6, 3], [6, 6, 6, 6], [6, 6, 6], [6, 3, 3, 6, 6, 6]],
    se=[[0, 0], [2, 2, 2, 2], [4, 4, 4], [2, 2, 2, 2, 2, 2]])
MIXNET_M = dict(
    stem=24,
    channels=[[32, 32], [40, 40, 40, 40], [80, 80, 80, 80], [120, 120, 120, 120, 200, 200, 200, 200]],
    exp_kernels=[[2, 2], [1, 2, 2, 2], [1, 2, 2, 2], [1, 2, 2, 2, 1, 1, 1, 1]],
    dw_kernels=[[3, 1], [4, 2, 2, 2], [3, 4, 4, 4], [1, 4, 4, 4, 4, 4, 4, 4]],
    proj_kernels=[[2, 2], [1, 2, 2, 2], [1, 2, 2, 2], [1, 2, 2, 2, 1, 2, 2, 2]],
    expansions=[[6, 3], [6, 6, 6, 6], [6, 6, 6, 6], [6, 3, 3, 3, 6, 6, 6, 6]],
    se=[[0, 0], [2, 2, 2, 2], [4, 4, 4, 4], [2, 2, 2, 2, 2, 2, 2, 2]])
# size: (table, width scale, head width), as the paper's sizes are configured in the official config.py
SIZES = {"xs": (MIXNET_S, 0.5, 512), "s": (MIXNET_S, 1.0, 1024), "m": (MIXNET_M, 1.0, 1024)}


def round_channels(c, divisor=8):
    rounded = max(int(c + divisor / 2.0) // divisor * divisor, divisor)
    return rounded + divisor if rounded < 0.9 * c else rounded


class MixFaceNet(nn.Module):
    def __init__(self, size, shuffle, embedding_size=512):
        super().__init__()
        table, scale, head = SIZES[size]
        width = (lambda c: c) if scale == 1.0 else (lambda c: round_channels(c * scale))
        cin = width(table["stem"])
        self.features = nn.Sequential()
        self.features.add_module("init_block", MixInitBlock(cin))
        for i, stage_channels in enumerate(table["channels"]):
            stage = nn.Sequential()
            for j, c in enumerate(stage_channels):
                stride = 2 if (j == 0 and i not in (0, 3)) or (i == 3 and j == len(stage_channels) // 2) else 1
                cout = width(c)
                stage.add_module(f"unit{j + 1}", MixUnit(
                    cin, cout, stride, table["exp_kernels"][i][j], table["dw_kernels"][i][j], table["proj_kernels"][i][j],
                    table["expansions"][i][j], table["se"][i][j], "prelu" if i == 0 else "swish", shuffle))
                cin = cout
            self.features.add_module(f"stage{i + 1}", stage)
        self.tail = ConvBlock(cin, head, 1, act="prelu")
        self.feautre_layer = nn.Sequential()
        self.feautre_layer.add_module("dw_conv", ConvBlock(head, head, 7, groups=head))
        self.feautre_layer.add_module("pw_conv", ConvBlock(head, embedding_size, 1, bn=False))
        self.features_norm = nn.BatchNorm1d(embedding_size, eps=1e-5)
        nn.init.constant_(self.features_norm.weight, 1.0)
        self.features_norm.weight.requires_grad = False
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.feautre_layer(self.tail(self.features(x)))
        return self.features_norm(x.view(x.size(0), -1))


def build(name):
    family, _, size = name.partition("-")
    if family not in ("mixfacenet", "shufflemixfacenet") or size not in SIZES:
        raise ValueError(f"unknown network '{name}'")
    return MixFaceNet(size, family == "shufflemixfacenet")


def count_flops(net):
    """FLOPs as the official count_model_flops counts them (multiply_adds=True), and the conv/linear MACs."""
    flops, macs = [0], [0]

    def hook(module, inputs, output):
        x = inputs[0]
        if isinstance(module, nn.Conv2d):
            per_output = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
            flops[0] += (2 * per_output + (module.bias is not None)) * output.numel()
            macs[0] += per_output * output.numel()
        elif isinstance(module, nn.BatchNorm2d) or isinstance(module, nn.BatchNorm1d):
            flops[0] += 2 * x.numel()
        elif isinstance(module, (nn.PReLU, nn.Sigmoid, Swish, nn.AdaptiveAvgPool2d)):
            flops[0] += x.numel()

    handles = [m.register_forward_hook(hook) for m in net.modules() if not list(m.children())]
    net.eval()
    with torch.no_grad():
        net(torch.zeros(1, 3, 112, 112))
    for h in handles:
        h.remove()
    return flops[0], macs[0]


def randomise_statistics(net):
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)
                if m.weight.requires_grad:
                    m.weight.uniform_(0.6, 1.4)
                m.bias.uniform_(-0.2, 0.2)
            elif isinstance(m, nn.PReLU):
                m.weight.uniform_(0, 0.4)


def main(argv):
    command = argv[0] if argv else ""
    if command == "counts":
        result = {}
        for name in argv[1:]:
            net = build(name)
            flops, macs = count_flops(net)
            result[name] = {"trainable": sum(p.numel() for p in net.parameters() if p.requires_grad),
                            "total": sum(p.numel() for p in net.parameters()), "flops": flops, "macs": macs}
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
    elif command == "checkpoint":
        torch.manual_seed(int(argv[2]))
        net = build(argv[1])
        randomise_statistics(net)
        folder = argv[3]
        torch.save(net.state_dict(), folder + "/official.pth")
        net.eval()
        with torch.no_grad():
            out = net(tensor_exchange.read(folder, "input")["input"])
        tensor_exchange.write(folder, "output", {"output": out})
    else:
        sys.exit(f"usage: {sys.argv[0]} counts NAME... | shapes NAME | forward NAME DIR | checkpoint NAME SEED DIR")


if __name__ == "__main__":
    main(sys.argv[1:])
