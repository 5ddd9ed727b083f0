"""Writes pickles for the C# pickle reader tests (plain Python, no torch).

usage: write_pickles.py OUTDIR
  data_p{2,3,4,5}.pkl   the same mixed value at each protocol (see VALUE)
  insightface_p2.pkl    an InsightFace-style (list of bytes, list of bools) pair, protocol 2
  evil_p{2,4}.pkl       a pickle whose loading would call os.system (it must be refused)
"""
import collections
import os
import pickle
import sys

VALUE = {
    "ints": [0, 1, -1, 255, 256, 65535, 65536, -(2 ** 31), 2 ** 31 - 1, 2 ** 40, -(2 ** 63), 2 ** 70, -(2 ** 70)],
    "floats": [0.0, 1.5, -2.25e-300, float("inf")],
    "text": "h\u00e9llo \u4e16\u754c",
    "bytes": b"\x00\x01\xffabc",
    "empty_bytes": b"",
    "flags": (True, False, None),
    "tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
    "nested": {"a": {"b": [1, [2, [3]]]}, 7: "int key", (1, "x"): "tuple key"},
    "ordered": collections.OrderedDict([("z", 1), ("a", 2)]),
    "shared": None,
}


class Evil:
    def __reduce__(self):
        return os.system, ("echo this must never run",)


def main():
    out = sys.argv[1]
    shared = [1, 2]
    value = dict(VALUE)
    value["shared"] = (shared, shared)  # memoised: the second reference is a memo GET
    for protocol in (2, 3, 4, 5):
        with open(os.path.join(out, f"data_p{protocol}.pkl"), "wb") as f:
            pickle.dump(value, f, protocol=protocol)
    images = [bytes([i]) * (10 + i) for i in range(5)]
    issame = [True, False, True, False]
    with open(os.path.join(out, "insightface_p2.pkl"), "wb") as f:
        pickle.dump((images, issame), f, protocol=2)
    for protocol in (2, 4):
        with open(os.path.join(out, f"evil_p{protocol}.pkl"), "wb") as f:
            pickle.dump({"payload": Evil()}, f, protocol=protocol)


if __name__ == "__main__":
    main()
