"""PyTorch's values and gradients for the Swish-family activations and channel shuffle (Zoo/SwishFamilyTests.cs).

Input: x[i] = -6 + 12 * i / (n - 1) for i < n (float64), shaped as asked. Output on stdout, one JSON object:
{"silu": {"y": [...], "grad": [...]}, "hardswish": ..., "sigmoid": ...} where grad is d(sum(y * w))/dx with
w[i] = cos(i) (a fixed projection), and "shuffle": the channel-shuffled arange of the shape with the given groups.
"""
import json
import math
import sys

import torch


def activation(fn, n):
    x = torch.linspace(-6, 6, n, dtype=torch.float64).requires_grad_(True)
    y = fn(x)
    w = torch.tensor([math.cos(i) for i in range(n)], dtype=torch.float64)
    (y * w).sum().backward()
    return {"y": y.detach().tolist(), "grad": x.grad.tolist()}


def main():
    n = int(sys.argv[1])
    shape = [int(d) for d in sys.argv[2].split(",")]
    groups = int(sys.argv[3])
    x = torch.arange(math.prod(shape), dtype=torch.float64).reshape(shape)
    # torch.nn.ChannelShuffle is PyTorch's own definition of the permutation (native_channel_shuffle).
    shuffled = torch.nn.ChannelShuffle(groups)(x)
    print(json.dumps({
        "silu": activation(torch.nn.functional.silu, n),
        "hardswish": activation(torch.nn.functional.hardswish, n),
        "sigmoid": activation(torch.sigmoid, n),
        "shuffle": shuffled.flatten().tolist(),
    }))


if __name__ == "__main__":
    main()
