"""Reads a .rec/.idx pair by hand, as dmlc-core and InsightFace's MXFaceDataset would, and prints JSON:
the records met sequentially (offset, length, sha256), the index, record 0's header range, and the
images (key, label, payload sha256). Usage: read_recordio.py REC IDX"""
import hashlib
import json
import sys

import recordio

rec_path, idx_path = sys.argv[1], sys.argv[2]
data = open(rec_path, "rb").read()

sequential, pos = [], 0
while pos < len(data):
    record, nxt = recordio.read_at(data, pos)
    sequential.append({"offset": pos, "length": len(record), "sha256": hashlib.sha256(record).hexdigest()})
    pos = nxt

index, keys = {}, []
for line in open(idx_path):
    key, offset = line.strip().split("\t")
    index[int(key)] = int(offset)
    keys.append(int(key))

header0, image_keys = None, keys
(flag, label, _, _), _ = recordio.unpack(recordio.read_at(data, index[0])[0])
if flag > 0:
    header0 = [int(label[0]), int(label[1])]
    image_keys = list(range(1, int(label[0])))

images = []
for key in image_keys:
    (flag, label, rid, _), payload = recordio.unpack(recordio.read_at(data, index[key])[0])
    images.append({"key": key, "id": rid, "label": int(label[0] if flag > 0 else label),
                   "sha256": hashlib.sha256(payload).hexdigest()})

identities = []
if header0:
    for key in range(header0[0], header0[1]):
        (flag, label, _, _), _ = recordio.unpack(recordio.read_at(data, index[key])[0])
        identities.append([int(label[0]), int(label[1])])

print(json.dumps({"sequential": sequential, "index": {str(k): v for k, v in index.items()}, "keys": keys,
                  "header0": header0, "images": images, "identities": identities}))
