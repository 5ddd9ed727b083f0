"""Writes torch.save checkpoints for the C# importer tests, plus JSON references of their values.

usage: write_pth.py OUT.pth
  OUT.pth         torch.save(state_dict) of a small seeded nn.Sequential(Conv2d, BatchNorm2d, PReLU,
                  Flatten, Linear), plus tensors that exercise the importer: a transposed
                  (non-contiguous) tensor, views with a storage offset sharing their base's storage,
                  int64 / bool / float16 / bfloat16 / float64 tensors, a 0-d and an empty tensor,
                  and an nn.Parameter.
  OUT.pth.json    {name: {"dtype": str, "shape": [..], "values": [flat row-major values]}}
  OUT.ckpt.pth    {"epoch": 7, "lr": 0.1, "state_dict": <the same dict>} (a training checkpoint)
  OUT.legacy.pth  the same dict in the legacy (pre-1.6, non-zip) format, which must be refused
"""
import json
import sys

import torch
from torch import nn


def build_state():
    torch.manual_seed(1234)
    model = nn.Sequential(
        nn.Conv2d(3, 4, kernel_size=3, padding=1),
        nn.BatchNorm2d(4),
        nn.PReLU(4),
        nn.Flatten(),
        nn.Linear(4 * 5 * 5, 6),
    )
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn_like(p))
        bn = model[1]
        bn.running_mean.copy_(torch.randn(4))
        bn.running_var.copy_(torch.rand(4) + 0.5)
        bn.num_batches_tracked.fill_(42)
    state = model.state_dict()

    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 7
    state["extra.transposed"] = torch.randn(3, 5).t()               # non-contiguous, strides (1, 5)
    state["extra.base"] = base
    state["extra.row_view"] = base[2]                               # shares base's storage, offset 12
    state["extra.strided_view"] = base[1:, 1::2]                    # offset 7, strides (6, 2)
    state["extra.int64"] = torch.tensor([[-(2 ** 40), -1, 0], [1, 2 ** 40, 2 ** 62]], dtype=torch.int64)
    state["extra.bool"] = torch.tensor([True, False, False, True, True])
    state["extra.half"] = torch.randn(2, 3).half()
    state["extra.bfloat16"] = torch.randn(4).bfloat16()
    state["extra.float64"] = torch.randn(3, 2, dtype=torch.float64)
    state["extra.uint8"] = torch.tensor([0, 7, 255], dtype=torch.uint8)
    state["extra.int32"] = torch.tensor([-5, 2 ** 31 - 1], dtype=torch.int32)
    state["extra.scalar"] = torch.tensor(3.25)
    state["extra.empty"] = torch.zeros(0, 3)
    state["extra.param"] = nn.Parameter(torch.randn(2, 2))
    return state


def reference(state):
    out = {}
    for name, t in state.items():
        t = t.detach().contiguous()
        if t.dtype in (torch.float16, torch.bfloat16):
            values = t.float().reshape(-1).tolist()
        else:
            values = t.reshape(-1).tolist()
        out[name] = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "values": values}
    return out


def main():
    out = sys.argv[1]
    state = build_state()
    torch.save(state, out)
    with open(out + ".json", "w") as f:
        json.dump(reference(state), f)
    stem = out[:-4] if out.endswith(".pth") else out
    torch.save({"epoch": 7, "lr": 0.1, "state_dict": state}, stem + ".ckpt.pth")
    torch.save(state, stem + ".legacy.pth", _use_new_zipfile_serialization=False)
    print(torch.__version__)


if __name__ == "__main__":
    main()
