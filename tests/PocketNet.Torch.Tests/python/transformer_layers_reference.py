"""PyTorch side of NN/TransformerLayersTests.cs: layer norm and GELU on seeded float64 inputs.

usage: transformer_layers_reference.py DIR
  DIR/layers.pth  torch.save of a dict: inputs (x3 [2, 5, 6], x4 [2, 3, 4, 6], weight [6], bias [6]) and the
                  outputs PyTorch gives for them: layer_norm (last dim, affine, eps 1e-6), layer_norm_2d (last two
                  dims, no affine, default eps), layer_norm_channels (over the 3 channels of x4 read as NCHW, as
                  timm's LayerNorm2d), gelu (exact), gelu_tanh, and the gradient of a weighted sum of
                  the affine layer norm with respect to its input, weight and bias.
"""
import os
import sys

import torch
import torch.nn.functional as F


def main(folder):
    g = torch.Generator().manual_seed(20231006)
    x3 = torch.randn((2, 5, 6), generator=g, dtype=torch.float64) * 2 + 0.5
    x4 = torch.randn((2, 3, 4, 6), generator=g, dtype=torch.float64) * 3
    weight = torch.rand(6, generator=g, dtype=torch.float64) + 0.5
    bias = torch.rand(6, generator=g, dtype=torch.float64) - 0.5
    projection = torch.randn((2, 5, 6), generator=g, dtype=torch.float64)
    weight3 = torch.rand(3, generator=g, dtype=torch.float64) + 0.5
    bias3 = torch.rand(3, generator=g, dtype=torch.float64) - 0.5

    xs = x3.clone().requires_grad_()
    ws = weight.clone().requires_grad_()
    bs = bias.clone().requires_grad_()
    normed = F.layer_norm(xs, (6,), ws, bs, 1e-6)
    (normed * projection).sum().backward()

    out = {
        "x3": x3, "x4": x4, "weight": weight, "bias": bias, "projection": projection,
        "layer_norm": normed.detach(),
        "layer_norm_2d": F.layer_norm(x4, (4, 6)),
        "weight3": weight3, "bias3": bias3,
        "layer_norm_channels": F.layer_norm(x4.permute(0, 2, 3, 1), (3,), weight3, bias3, 1e-6).permute(0, 3, 1, 2),
        "gelu": F.gelu(x4),
        "gelu_tanh": F.gelu(x4, approximate="tanh"),
        "grad_x": xs.grad, "grad_weight": ws.grad, "grad_bias": bs.grad,
    }
    torch.save(out, os.path.join(folder, "layers.pth"))


if __name__ == "__main__":
    main(sys.argv[1])
