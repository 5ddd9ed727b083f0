"""The official PocketNet training loop (fdbtrs/PocketNet train/train_arc.py and train_multi_step_kd.py) on a
RecordIO training set, on the CPU, for bench/recipe/compare-synthfaces.sh: the loss per epoch to set beside ours.

usage: reference_recipe.py arcface|multistep-kd REC_DIR EPOCHS BATCH C CELLS [TEACHER_RUN TEACHER_C TEACHER_CELLS]
  REC_DIR       a folder with train.rec / train.idx (InsightFace's layout, as `pocketnet synth` writes it)
  C, CELLS      the student: PocketNet's genotype at width C with CELLS cells, embedding 128
  TEACHER_RUN   multistep-kd: our teacher run (same genotype, TEACHER_C x TEACHER_CELLS); student epoch e learns
                from its checkpoints/epoch-e, the reference's (epoch + 1) * steps checkpoint
Prints one JSON line per epoch: {"epoch", "ce", "kd", "total", "lr"}.

As the reference: DistributedSampler-style shuffle every epoch and drop_last, RandomHorizontalFlip, inputs
(x / 255 - 0.5) / 0.5, F.normalize before the ArcFace head (s 64, m 0.5, kernel N(0, 0.01)), SGD momentum 0.9 and
weight decay 5e-4 on backbone and head at lr 0.1 / 512 * batch, lr_step_func with the ms1mv2 milestones scaled as
the portal scales them, clip_grad_norm_(backbone, 5) after every backward, KD weight 100 on the MSE of the
normalised embeddings. The networks come from tests/PocketNet.Models.Tests/python/pocketnet_reference.py.
"""
import io
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F
from PIL import Image
from torch.nn import CrossEntropyLoss, MSELoss
from torch.nn.utils import clip_grad_norm_

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "PocketNet.Models.Tests", "python"))
import pocketnet_reference as ref  # noqa: E402

MAGIC = 0xCED7230A


def read_recordio(folder):
    """(images [N, 3, 112, 112] uint8, labels [N]) from train.idx / train.rec; record 0 is the header record."""
    with open(os.path.join(folder, "train.idx")) as f:
        offsets = [int(line.split("\t")[1]) for line in f if line.strip()]
    images, labels = [], []
    with open(os.path.join(folder, "train.rec"), "rb") as f:
        blob = f.read()
    for offset in offsets:
        magic, lrec = struct.unpack_from("<II", blob, offset)
        assert magic == MAGIC, f"train.rec: no record at {offset}"
        length = lrec & ((1 << 29) - 1)
        record = blob[offset + 8: offset + 8 + length]
        flag, label, _, _ = struct.unpack_from("<IfQQ", record, 0)
        payload = record[24 + 4 * flag:]
        if flag > 0:
            label = struct.unpack_from("<f", record, 24)[0]
        if len(payload) == 0:
            continue  # the header record
        image = Image.open(io.BytesIO(payload)).convert("RGB")
        images.append(torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8).view(112, 112, 3).permute(2, 0, 1))
        labels.append(int(label))
    return torch.stack(images), torch.tensor(labels, dtype=torch.int64)


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    data = blob[8 + n:]
    types = {"F32": torch.float32, "I64": torch.int64}
    return {name: torch.frombuffer(bytearray(data[i["data_offsets"][0]:i["data_offsets"][1]]), dtype=types[i["dtype"]]).view(i["shape"])
            for name, i in header.items()}


def scaled_milestones(epochs, milestones=(8, 14, 20, 25), recipe_epochs=26):
    if epochs >= recipe_epochs:
        return list(milestones)
    out = []
    for m in milestones:
        x = m * epochs / recipe_epochs
        if x >= 1.5:
            r = int(x + 0.5)
            if r not in out:
                out.append(r)
    return out


def pocketnet(channels, cells):
    return ref.PocketNet(ref.parse_genotype(ref.POCKETNET_GENOTYPE), channels, cells, 128)


def main(mode, folder, epochs, batch_size, channels, cells, teacher_run=None, teacher_channels=None, teacher_cells=None):
    torch.manual_seed(0)
    images, labels = read_recordio(folder)
    classes = int(labels.max()) + 1
    backbone = pocketnet(channels, cells)
    backbone.train()
    header = ref.ArcFace(128, classes, s=64.0, m=0.5)
    header.train()
    lr = 0.1 / 512 * batch_size
    opt_backbone = torch.optim.SGD(params=[{'params': backbone.parameters()}], lr=lr, momentum=0.9, weight_decay=5e-4)
    opt_header = torch.optim.SGD(params=[{'params': header.parameters()}], lr=lr, momentum=0.9, weight_decay=5e-4)
    milestones = scaled_milestones(epochs)

    def lr_step_func(epoch):
        return 0.1 ** len([m for m in milestones if m - 1 <= epoch])

    sched_backbone = torch.optim.lr_scheduler.LambdaLR(opt_backbone, lr_lambda=lr_step_func)
    sched_header = torch.optim.lr_scheduler.LambdaLR(opt_header, lr_lambda=lr_step_func)
    criterion, criterion2 = CrossEntropyLoss(), MSELoss()
    generator = torch.Generator().manual_seed(0)
    for epoch in range(epochs):
        teacher = None
        if mode == "multistep-kd":
            teacher = pocketnet(teacher_channels, teacher_cells)
            teacher.load_state_dict(read_safetensors(os.path.join(teacher_run, "checkpoints", f"epoch-{epoch + 1:04d}", "backbone.safetensors")))
            teacher.eval()
        order = torch.randperm(len(labels), generator=generator)
        sums, steps = {"ce": 0.0, "kd": 0.0, "total": 0.0}, len(labels) // batch_size
        for step in range(steps):
            index = order[step * batch_size:(step + 1) * batch_size]
            img = images[index].float()
            flip = torch.rand(len(index), generator=generator) < 0.5
            img[flip] = img[flip].flip(-1)
            img = (img / 255 - 0.5) / 0.5
            label = labels[index]

            features_student = F.normalize(backbone(img))
            thetas = header(features_student, label)
            loss_v1 = criterion(thetas, label)
            loss_v2 = torch.zeros(())
            if teacher is not None:
                with torch.no_grad():
                    features_teacher = F.normalize(teacher(img))
                loss_v2 = 100 * criterion2(features_student, features_teacher)
            loss_v = loss_v1 + loss_v2
            loss_v.backward()
            clip_grad_norm_(backbone.parameters(), max_norm=5, norm_type=2)
            opt_backbone.step()
            opt_header.step()
            opt_backbone.zero_grad()
            opt_header.zero_grad()
            sums["ce"] += loss_v1.item()
            sums["kd"] += loss_v2.item()
            sums["total"] += loss_v.item()
        print(json.dumps({"epoch": epoch + 1, "lr": opt_backbone.param_groups[0]["lr"], **{k: v / steps for k, v in sums.items()}}), flush=True)
        sched_backbone.step()
        sched_header.step()


if __name__ == "__main__":
    if len(sys.argv) not in (7, 10):
        sys.exit(__doc__)
    numbers = [int(x) for x in sys.argv[3:7]]
    teacher = (sys.argv[7], int(sys.argv[8]), int(sys.argv[9])) if len(sys.argv) == 10 else (None, None, None)
    main(sys.argv[1], sys.argv[2], *numbers, *teacher)
