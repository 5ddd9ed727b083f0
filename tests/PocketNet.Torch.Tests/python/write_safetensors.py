"""Writes a safetensors file by hand (struct + json only, no safetensors or torch package), so the C#
reader is checked against the published layout rather than against our own writer.

usage: write_safetensors.py OUT.safetensors
  OUT.safetensors       8-byte little-endian header length, space-padded JSON header, raw data; the
                        header lists the tensors in a different order from their data
  OUT.safetensors.json  {"metadata": {..}, "tensors": {name: {"dtype": code, "shape": [..], "values": [..]}}}
"""
import json
import struct
import sys


def bf16_bytes(values):
    # bfloat16 is the top half of a float32; the values below are exact in bfloat16.
    return b"".join(struct.pack("<I", struct.unpack("<I", struct.pack("<f", v))[0])[2:] for v in values)


TENSORS = [
    # name, dtype code, shape, values, packer
    ("weights", "F32", [2, 3], [0.5, -1.25, 3.0e-3, 1.0e20, -0.0, 7.0], lambda v: struct.pack("<6f", *v)),
    ("doubles", "F64", [4], [3.141592653589793, -2.5e-300, 1.0e300, 0.1], lambda v: struct.pack("<4d", *v)),
    ("ids", "I64", [3], [-(2 ** 63), 2 ** 63 - 1, 12345678901], lambda v: struct.pack("<3q", *v)),
    ("mask", "BOOL", [4], [True, False, True, True], lambda v: bytes(int(x) for x in v)),
    ("pixels", "U8", [2, 2], [0, 128, 255, 9], bytes),
    ("ints", "I32", [3], [-(2 ** 31), 2 ** 31 - 1, 0], lambda v: struct.pack("<3i", *v)),
    ("shorts", "I16", [2], [-32768, 32767], lambda v: struct.pack("<2h", *v)),
    ("signed_bytes", "I8", [3], [-128, 127, -1], lambda v: struct.pack("<3b", *v)),
    ("halves", "F16", [3], [1.5, -2.0, 65504.0], lambda v: struct.pack("<3e", *v)),
    ("brain", "BF16", [2], [1.5, -3.0], bf16_bytes),
    ("scalar", "F32", [], [42.5], lambda v: struct.pack("<f", *v)),
    ("empty", "F32", [0, 4], [], lambda v: b""),
]
METADATA = {"format": "pt", "written_by": "write_safetensors.py", "note": "unicode: \u00e9\u4e2d"}


def main():
    out = sys.argv[1]
    data = b""
    header = {"__metadata__": METADATA}
    offsets = {}
    for name, code, shape, values, pack in TENSORS:
        raw = pack(values)
        offsets[name] = {"dtype": code, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    for name, _, _, _, _ in reversed(TENSORS):  # header order differs from data order
        header[name] = offsets[name]
    text = json.dumps(header, ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(data)
    reference = {"metadata": METADATA,
                 "tensors": {name: {"dtype": code, "shape": shape, "values": values}
                             for name, code, shape, values, _ in TENSORS}}
    with open(out + ".json", "w") as f:
        json.dump(reference, f)


if __name__ == "__main__":
    main()
