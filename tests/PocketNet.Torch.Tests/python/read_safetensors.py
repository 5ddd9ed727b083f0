"""Reads a safetensors file by hand (struct + json only) and prints its content as JSON, so the C#
writer is checked against the published layout rather than against our own reader.

usage: read_safetensors.py FILE
prints {"metadata": {..}, "order": [names by data offset], "tensors": {name: {"dtype": code, "shape": [..], "values": [..]}}}
"""
import json
import struct
import sys

FORMATS = {"F64": "d", "F32": "f", "F16": "e", "I64": "q", "I32": "i", "I16": "h", "I8": "b", "U8": "B", "BOOL": "?"}
SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def main():
    with open(sys.argv[1], "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    assert (8 + n) % 8 == 0, "data buffer is not 8-byte aligned"
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    covered = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, end = info["data_offsets"]
        assert begin == covered, f"{name}: hole or overlap at {begin}"
        covered = end
        code, shape = info["dtype"], info["shape"]
        count = 1
        for d in shape:
            count *= d
        assert end - begin == count * SIZES[code], f"{name}: size mismatch"
        raw = data[begin:end]
        if code == "BF16":
            values = [struct.unpack("<f", b"\0\0" + raw[i:i + 2])[0] for i in range(0, len(raw), 2)]
        else:
            values = list(struct.unpack("<%d%s" % (count, FORMATS[code]), raw))
        tensors[name] = {"dtype": code, "shape": shape, "values": values}
    assert covered == len(data), "trailing bytes"
    print(json.dumps({"metadata": metadata, "order": list(tensors), "tensors": tensors}))


if __name__ == "__main__":
    main()
