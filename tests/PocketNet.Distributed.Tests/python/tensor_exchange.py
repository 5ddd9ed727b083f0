"""Raw tensor exchange with the C# tests (Support/RawTensors.cs): STEM.json indexes STEM.bin.

STEM.json: {"tensors": [{"name": ..., "dtype": "float32"|"int64", "shape": [...], "offset": bytes, "length": bytes}]}
STEM.bin:  the tensors' elements back to back, row-major, little-endian.
"""
import json
import os

import numpy as np
import torch

_NUMPY = {"float32": np.dtype("<f4"), "float64": np.dtype("<f8"), "int64": np.dtype("<i8"), "int32": np.dtype("<i4")}


def read(folder, stem):
    with open(os.path.join(folder, stem + ".json")) as f:
        index = json.load(f)
    with open(os.path.join(folder, stem + ".bin"), "rb") as f:
        blob = f.read()
    tensors = {}
    for entry in index["tensors"]:
        dtype = _NUMPY[entry["dtype"]]
        data = np.frombuffer(blob, dtype=dtype, count=entry["length"] // dtype.itemsize, offset=entry["offset"])
        tensors[entry["name"]] = torch.from_numpy(data.reshape(entry["shape"]).copy())
    return tensors


def write(folder, stem, tensors):
    entries, offset = [], 0
    with open(os.path.join(folder, stem + ".bin"), "wb") as f:
        for name, tensor in tensors.items():
            array = tensor.detach().cpu().contiguous().numpy()
            dtype = str(array.dtype)
            raw = array.astype(_NUMPY[dtype], copy=False).tobytes()
            f.write(raw)
            entries.append({"name": name, "dtype": dtype, "shape": list(array.shape), "offset": offset, "length": len(raw)})
            offset += len(raw)
    with open(os.path.join(folder, stem + ".json"), "w") as f:
        json.dump({"tensors": entries}, f)
