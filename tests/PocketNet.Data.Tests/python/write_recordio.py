"""Writes a small face training set as MXNet RecordIO by hand (struct), with PNG images (hand-encoded),
for the C# reader to read back. Usage: write_recordio.py OUT_DIR LAYOUT
  LAYOUT insightface: key 0 header record (flag 2: image end, identity end), images 1..n whose labels are
                      arrays [label, 1.0] as InsightFace's face2rec2 writes them, then identity records.
  LAYOUT plain:       no header record; every record an image with a scalar label (flag 0), keys 0..n-1
                      listed in the index in a shuffled order.
Writes OUT_DIR/train.rec, train.idx, pixels.bin (the RGB pixels of every image, in reading order) and
expected.json (keys, labels, sizes). One image carries a private PNG chunk that puts the RecordIO magic
at an aligned position, so its record is split in parts as dmlc-core splits it; one image is grayscale.
"""
import json
import os
import random
import struct
import sys

import pngwrite
import recordio

out_dir, layout = sys.argv[1], sys.argv[2]
os.makedirs(out_dir, exist_ok=True)
size = 112
labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 4]
rng = random.Random(7)


def pixels_for(index, channels):
    data = bytearray()
    for y in range(size):
        for x in range(size):
            for c in range(channels):
                data.append((x * 3 + y * 5 + c * 70 + index * 29 + rng.randrange(8)) & 0xFF)
    return bytes(data)


images, rgb = [], bytearray()
for i, label in enumerate(labels):
    gray = i == 4
    channels = 1 if gray else 3
    pixels = pixels_for(i, channels)
    extra = ()
    if i == 2:
        # Record = 24-byte header + label array + PNG; the chunk data starts 8 + 25 + 8 bytes into the PNG.
        head = 24 + (8 if layout == "insightface" else 0) + 8 + 25 + 8
        pad = (4 - head % 4) % 4
        extra = ((b"pnTz", b"\0" * pad + struct.pack("<I", recordio.MAGIC) + b"tail"),)
    images.append(pngwrite.encode(size, size, channels, pixels, extra))
    rgb += pixels if not gray else bytes(v for v in pixels for _ in range(3))

n = len(labels)
if layout == "insightface":
    w = recordio.Writer(os.path.join(out_dir, "train.rec"), os.path.join(out_dir, "train.idx"))
    runs = []
    for key, label in enumerate(labels, start=1):
        if runs and runs[-1][0] == label:
            runs[-1][2] = key + 1
        else:
            runs.append([label, key, key + 1])
    w.write(0, recordio.pack([float(n + 1), float(n + 1 + len(runs))], 0, 0, b""))
    for key, (label, png) in enumerate(zip(labels, images), start=1):
        w.write(key, recordio.pack([float(label), 1.0], 0, key, png))
    for j, (_, first, end) in enumerate(runs):
        w.write(n + 1 + j, recordio.pack([float(first), float(end)], 0, n + 1 + j, b""))
    w.close()
    keys = list(range(1, n + 1))
    order = list(range(n))
else:
    # Records in file order 0..n-1, but the index lists them shuffled: reading order follows the index.
    order = list(range(n))
    rng.shuffle(order)
    offsets = {}
    with open(os.path.join(out_dir, "train.rec"), "wb") as rec:
        for key in range(n):
            offsets[key] = rec.tell()
            rec.write(recordio.frame(recordio.pack(None, labels[key], key, images[key])))
    with open(os.path.join(out_dir, "train.idx"), "w") as idx:
        for key in order:
            idx.write("%d\t%d\n" % (key, offsets[key]))
    keys = order

stride = size * size * 3
with open(os.path.join(out_dir, "pixels.bin"), "wb") as f:
    for i in order:
        f.write(rgb[i * stride:(i + 1) * stride])
with open(os.path.join(out_dir, "expected.json"), "w") as f:
    json.dump({"keys": keys, "labels": [labels[i] for i in order], "size": size, "classes": max(labels) + 1}, f)
print("wrote %d images" % n)
