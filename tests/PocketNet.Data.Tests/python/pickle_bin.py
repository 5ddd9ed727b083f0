"""InsightFace .bin pair sets through Python's own pickle module (the reference loaders use it).
  pickle_bin.py load BIN OUT_JSON
      loads BIN as InsightFace's load_bin does and writes {"images": [sha256 hex], "sizes": [...], "issame": [...]}
  pickle_bin.py dump IN_DIR PROTOCOL BIN
      pickles (list of the bytes of IN_DIR/img_* in name order, labels.json's bools) with pickle.dump;
      equal images become one object, so Python memoizes it and refers back to it
"""
import hashlib
import json
import os
import pickle
import sys

command = sys.argv[1]
if command == "load":
    path, out = sys.argv[2], sys.argv[3]
    try:
        with open(path, "rb") as f:
            bins, issame = pickle.load(f)
    except UnicodeDecodeError:
        with open(path, "rb") as f:
            bins, issame = pickle.load(f, encoding="bytes")
    assert isinstance(bins, list) and isinstance(issame, list), (type(bins), type(issame))
    assert all(isinstance(b, bytes) for b in bins)
    assert all(isinstance(s, bool) for s in issame)
    with open(out, "w") as f:
        json.dump({"images": [hashlib.sha256(b).hexdigest() for b in bins],
                   "sizes": [len(b) for b in bins],
                   "issame": issame}, f)
    print(len(bins), len(issame))
elif command == "dump":
    folder, protocol, path = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    names = sorted(n for n in os.listdir(folder) if n.startswith("img_"))
    cache = {}
    bins = [cache.setdefault(b, b) for b in (open(os.path.join(folder, n), "rb").read() for n in names)]
    issame = json.load(open(os.path.join(folder, "labels.json")))
    with open(path, "wb") as f:
        pickle.dump((bins, issame), f, protocol=protocol)
    print(len(bins), len(issame))
else:
    raise SystemExit("unknown command " + command)
