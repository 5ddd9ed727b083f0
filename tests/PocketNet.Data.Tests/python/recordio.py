"""MXNet RecordIO written and read by hand, following dmlc-core's recordio.cc and mxnet/recordio.py
(independently of the C# code under test)."""
import struct

MAGIC = 0xCED7230A
IR_FORMAT = "<IfQQ"  # IRHeader: flag, label, id, id2 (24 bytes)


def pack(flag_labels, label, record_id, payload):
    """mx.recordio.pack: a label list makes flag = len(list) and the header label 0."""
    if flag_labels:
        header = struct.pack(IR_FORMAT, len(flag_labels), 0.0, record_id, 0)
        return header + struct.pack("<%df" % len(flag_labels), *flag_labels) + payload
    return struct.pack(IR_FORMAT, 0, float(label), record_id, 0) + payload


def frame(record):
    """dmlc RecordIOWriter::WriteRecord: split wherever the magic sits at a 4-aligned position."""
    magic = struct.pack("<I", MAGIC)
    out = bytearray()
    dptr = 0
    for i in range(0, len(record) // 4 * 4, 4):
        if record[i:i + 4] == magic:
            out += magic + struct.pack("<I", ((1 if dptr == 0 else 2) << 29) | (i - dptr)) + record[dptr:i]
            dptr = i + 4
    rest = len(record) - dptr
    out += magic + struct.pack("<I", ((3 if dptr else 0) << 29) | rest) + record[dptr:]
    out += b"\0" * ((4 - len(record) % 4) % 4)
    return bytes(out)


class Writer:
    def __init__(self, rec_path, idx_path):
        self.rec = open(rec_path, "wb")
        self.idx = open(idx_path, "w")

    def write(self, key, record):
        self.idx.write("%s\t%d\n" % (key, self.rec.tell()))  # as MXIndexedRecordIO.write_idx
        self.rec.write(frame(record))

    def close(self):
        self.rec.close()
        self.idx.close()


def read_at(data, pos):
    """dmlc RecordIOReader::NextRecord from byte `pos`; returns (record, next position)."""
    out = bytearray()
    while True:
        magic, lrec = struct.unpack_from("<II", data, pos)
        assert magic == MAGIC, "bad magic at %d" % pos
        cflag, length = lrec >> 29, lrec & ((1 << 29) - 1)
        out += data[pos + 8:pos + 8 + length]
        pos += 8 + (length + 3) // 4 * 4
        if cflag in (0, 3):
            return bytes(out), pos
        out += struct.pack("<I", MAGIC)


def unpack(record):
    """mx.recordio.unpack: (flag, label or list, id, id2), payload."""
    flag, label, rid, rid2 = struct.unpack_from(IR_FORMAT, record)
    body = record[24:]
    if flag > 0:
        label = list(struct.unpack_from("<%df" % flag, body))
        body = body[4 * flag:]
    return (flag, label, rid, rid2), body
