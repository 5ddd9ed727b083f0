"""PyTorch build of EdgeFace (George et al., IEEE T-BIOM 2024), the oracle for src/PocketNet.Models/EdgeFace.

Written for these tests from the wiring of the official code (otroshi/edgeface: backbones/__init__.py and
backbones/timmfr.py wrap timm's EdgeNeXt, reset its classifier to a 512-d embedding and, for the gamma
variants, replace every nn.Linear whose attribute name lacks "head" by a low-rank pair). timm is not
needed: the EdgeNeXt pieces are rebuilt here under the attribute names timm gives them, assigned in the
same order, so state_dict keys, their order and their shapes are what the published checkpoints carry
(model.stem.0.weight, model.stages.2.blocks.8.xca.qkv.linear1.weight, model.head.fc.linear2.bias, ...).

Command line (all output on stdout, JSON):
    counts NAME...            prints {name: {"trainable": n, "total": n}}
    shapes NAME               prints [[key, [shape...], dtype], ...] in state_dict order
    forward NAME DIR          loads DIR/weights.* (strict), runs DIR/input.* in eval mode, writes DIR/output.*
    save NAME SEED DIR        seeds, randomises a network, saves DIR/edgeface.pt (torch.save of the state_dict,
                              official key names), DIR/input.* and DIR/output.* (its eval embedding)
NAME: edgeface-xxs, edgeface-xs (gamma 0.6) or edgeface-s (gamma 0.5).
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

import tensor_exchange

# Per variant: channels per stage, blocks per stage, attention heads, low-rank ratio gamma (None: plain Linear).
# EdgeNeXt fixes the rest for every size: depthwise kernels 3, 5, 7, 9; the last block of stages 1-3 is an SDTA
# block whose input is split into 2, 2, 3, 4 parts; only stage 1's SDTA block adds a positional encoding.
VARIANTS = {
    "edgeface-xxs": dict(dims=(24, 48, 88, 168), depths=(2, 2, 6, 2), heads=4, gamma=None),
    "edgeface-xs": dict(dims=(32, 64, 100, 192), depths=(3, 3, 9, 3), heads=4, gamma=0.6),
    "edgeface-s": dict(dims=(48, 96, 160, 304), depths=(3, 3, 9, 3), heads=8, gamma=0.5),
}
KERNELS = (3, 5, 7, 9)
SPLITS = (2, 2, 3, 4)
POSITIONAL = (False, True, False, False)
EMBEDDING = 512
EPS = 1e-6


class LowRankLinear(nn.Module):
    """The official LoRaLin: in -> rank (no bias) -> out (bias as the layer it replaces)."""

    def __init__(self, features_in, features_out, rank, bias=True):
        super().__init__()
        self.linear1 = nn.Linear(features_in, rank, bias=False)
        self.linear2 = nn.Linear(rank, features_out, bias=bias)

    def forward(self, x):
        return self.linear2(self.linear1(x))


def linear(features_in, features_out, gamma, bias=True):
    if gamma is None:
        return nn.Linear(features_in, features_out, bias=bias)
    rank = max(2, int(min(features_in, features_out) * gamma))
    return LowRankLinear(features_in, features_out, rank, bias)


class ChannelsFirstLayerNorm(nn.LayerNorm):
    """LayerNorm over the channels of an NCHW map (timm's LayerNorm2d)."""

    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class Mlp(nn.Module):
    def __init__(self, dim, hidden, gamma):
        super().__init__()
        self.fc1 = linear(dim, hidden, gamma)
        self.act = nn.GELU()
        self.fc2 = linear(hidden, dim, gamma)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class ConvBlock(nn.Module):
    """Conv encoder: depthwise kxk -> LayerNorm -> Linear(4C) -> GELU -> Linear(C) -> layer scale, residual."""

    def __init__(self, dim, kernel, gamma):
        super().__init__()
        self.conv_dw = nn.Conv2d(dim, dim, kernel, padding=kernel // 2, groups=dim, bias=True)
        self.norm = nn.LayerNorm(dim, eps=EPS)
        self.mlp = Mlp(dim, 4 * dim, gamma)
        self.gamma = nn.Parameter(1e-6 * torch.ones(dim))

    def forward(self, x):
        y = self.conv_dw(x).permute(0, 2, 3, 1)
        y = self.gamma * self.mlp(self.norm(y))
        return x + y.permute(0, 3, 1, 2)


class FourierPositions(nn.Module):
    """Sine/cosine features of normalised row and column positions, projected by a 1x1 convolution."""

    def __init__(self, dim, hidden=32, temperature=10000.0):
        super().__init__()
        self.token_projection = nn.Conv2d(2 * hidden, dim, 1)
        self.hidden = hidden
        self.temperature = temperature

    def forward(self, batch, height, width):
        rows = torch.arange(1, height + 1, dtype=torch.float32).view(1, height, 1).expand(batch, height, width)
        cols = torch.arange(1, width + 1, dtype=torch.float32).view(1, 1, width).expand(batch, height, width)
        rows = rows / (height + 1e-6) * 2 * math.pi
        cols = cols / (width + 1e-6) * 2 * math.pi
        exponent = 2 * (torch.arange(self.hidden, dtype=torch.float32) // 2) / self.hidden
        frequencies = self.temperature ** exponent

        def encode(grid):
            phase = grid[..., None] / frequencies
            return torch.stack((phase[..., 0::2].sin(), phase[..., 1::2].cos()), dim=4).flatten(3)

        features = torch.cat((encode(rows), encode(cols)), dim=3).permute(0, 3, 1, 2)
        return self.token_projection(features)


class CrossCovarianceAttention(nn.Module):
    """Attention across channels: per head a d x d map of L2-normalised q and k (over positions) times a temperature."""

    def __init__(self, dim, heads, gamma):
        super().__init__()
        self.heads = heads
        self.temperature = nn.Parameter(torch.ones(heads, 1, 1))
        self.qkv = linear(dim, 3 * dim, gamma)
        self.proj = linear(dim, dim, gamma)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 4, 1)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attention = (F.normalize(q, dim=-1) @ F.normalize(k, dim=-1).transpose(-2, -1)) * self.temperature
        x = attention.softmax(dim=-1) @ v
        return self.proj(x.permute(0, 3, 1, 2).reshape(b, n, c))


class SplitTransposeBlock(nn.Module):
    """SDTA encoder: split depthwise 3x3 convolutions, (positions), XCA with layer scale, then the MLP of a conv block."""

    def __init__(self, dim, splits, heads, positional, gamma):
        super().__init__()
        width = math.ceil(dim / splits)
        self.convs = nn.ModuleList(nn.Conv2d(width, width, 3, padding=1, groups=width) for _ in range(max(1, splits - 1)))
        self.pos_embd = FourierPositions(dim) if positional else None
        self.norm_xca = nn.LayerNorm(dim, eps=EPS)
        self.gamma_xca = nn.Parameter(1e-6 * torch.ones(dim))
        self.xca = CrossCovarianceAttention(dim, heads, gamma)
        self.norm = nn.LayerNorm(dim, eps=EPS)
        self.mlp = Mlp(dim, 4 * dim, gamma)
        self.gamma = nn.Parameter(1e-6 * torch.ones(dim))

    def forward(self, x):
        parts = x.chunk(len(self.convs) + 1, dim=1)
        outputs, y = [], None
        for i, conv in enumerate(self.convs):
            y = parts[i] if i == 0 else y + parts[i]
            y = conv(y)
            outputs.append(y)
        outputs.append(parts[-1])
        y = torch.cat(outputs, 1)

        b, c, h, w = y.shape
        y = y.reshape(b, c, h * w).permute(0, 2, 1)
        if self.pos_embd is not None:
            y = y + self.pos_embd(b, h, w).reshape(b, c, h * w).permute(0, 2, 1)
        y = y + self.gamma_xca * self.xca(self.norm_xca(y))
        y = y.reshape(b, h, w, c)
        y = self.gamma * self.mlp(self.norm(y))
        return x + y.permute(0, 3, 1, 2)


class Stage(nn.Module):
    def __init__(self, index, dim_in, dim, depth, heads, gamma):
        super().__init__()
        if index == 0:
            self.downsample = nn.Identity()
        else:
            self.downsample = nn.Sequential(ChannelsFirstLayerNorm(dim_in, eps=EPS), nn.Conv2d(dim_in, dim, 2, stride=2))
        blocks = [ConvBlock(dim, KERNELS[index], gamma) for _ in range(depth - (1 if index > 0 else 0))]
        if index > 0:
            blocks.append(SplitTransposeBlock(dim, SPLITS[index], heads, POSITIONAL[index], gamma))
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x):
        return self.blocks(self.downsample(x))


class Head(nn.Module):
    """Global average pool -> LayerNorm -> Linear to the embedding (timm's NormMlpClassifierHead)."""

    def __init__(self, dim, embedding, gamma):
        super().__init__()
        self.norm = ChannelsFirstLayerNorm(dim, eps=EPS)
        self.fc = linear(dim, embedding, gamma)

    def forward(self, x):
        x = self.norm(x.mean((2, 3), keepdim=True))
        return self.fc(x.flatten(1))


class EdgeNeXt(nn.Module):
    def __init__(self, dims, depths, heads, gamma, embedding):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, dims[0], 4, stride=4), ChannelsFirstLayerNorm(dims[0], eps=EPS))
        self.stages = nn.Sequential(*(
            Stage(i, dims[max(i - 1, 0)], dims[i], depths[i], heads, gamma) for i in range(4)))
        self.head = Head(dims[-1], embedding, gamma)

    def forward(self, x):
        return self.head(self.stages(self.stem(x)))


class EdgeFace(nn.Module):
    """The official TimmFRWrapperV2: the backbone sits under `model`."""

    def __init__(self, name):
        super().__init__()
        self.model = EdgeNeXt(embedding=EMBEDDING, **VARIANTS[name])

    def forward(self, x):
        return self.model(x)


def randomise(net, generator):
    """Weights away from the init (layer scales of 1e-6 would hide every block): fan-in scaled matrices, random norms."""
    with torch.no_grad():
        for name, p in net.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            if leaf in ("gamma", "gamma_xca"):
                p.copy_(torch.rand(p.shape, generator=generator) * 0.4 + 0.1)
            elif leaf == "temperature":
                p.copy_(torch.rand(p.shape, generator=generator) * 1.5 + 0.5)
            elif ".norm" in name or "norm_xca" in name or name.startswith("model.stem.1") or "downsample.0" in name:
                if leaf == "weight":
                    p.copy_(torch.rand(p.shape, generator=generator) * 0.8 + 0.6)
                else:
                    p.copy_(torch.rand(p.shape, generator=generator) * 0.4 - 0.2)
            elif leaf == "weight":
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=generator) / math.sqrt(fan_in))
            else:
                p.copy_(torch.rand(p.shape, generator=generator) * 0.2 - 0.1)


def images(batch, size, generator):
    return torch.rand((batch, 3, size, size), generator=generator) * 2 - 1


def main(argv):
    command = argv[0] if argv else ""
    if command == "counts":
        result = {}
        for name in argv[1:]:
            net = EdgeFace(name)
            total = sum(p.numel() for p in net.parameters())
            trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
            result[name] = {"trainable": trainable, "total": total}
        print(json.dumps(result))
    elif command == "shapes":
        net = EdgeFace(argv[1])
        print(json.dumps([[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in net.state_dict().items()]))
    elif command == "forward":
        net = EdgeFace(argv[1])
        folder = argv[2]
        net.load_state_dict(tensor_exchange.read(folder, "weights"), strict=True)
        net.eval()
        with torch.no_grad():
            out = net(tensor_exchange.read(folder, "input")["input"])
        tensor_exchange.write(folder, "output", {"output": out})
    elif command == "save":
        name, seed, folder = argv[1], int(argv[2]), argv[3]
        generator = torch.Generator().manual_seed(seed)
        net = EdgeFace(name)
        randomise(net, generator)
        net.eval()
        x = images(2, 112, generator)
        with torch.no_grad():
            out = net(x)
        torch.save(net.state_dict(), os.path.join(folder, "edgeface.pt"))
        tensor_exchange.write(folder, "input", {"input": x})
        tensor_exchange.write(folder, "output", {"output": out})
    else:
        sys.exit(f"usage: {sys.argv[0]} counts NAME... | shapes NAME | forward NAME DIR | save NAME SEED DIR")


if __name__ == "__main__":
    main(sys.argv[1:])
