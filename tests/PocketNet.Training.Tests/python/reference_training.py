"""The official PocketNet training loops (fdbtrs/PocketNet train/train_arc.py, train_kd.py and
train_multi_step_kd.py), rewritten line for line without the parts that need CUDA, mxnet or several
processes (DataLoaderX, DistributedSampler, DDP wrappers, callbacks), for Recipe/TrajectoryParityTests.cs.

The C# test hands over everything the reference would draw itself, so both sides start and walk alike:
    DIR/job.json         {"mode": "arcface"|"cosface"|"kd"|"multistep-kd", "genotype", "channels", "cells",
                          "embedding", "classes", "epochs", "batch_size", "world_size", "lr", "momentum",
                          "weight_decay", "milestones", "gamma", "warmup_epoch", "clip", "s", "m", "w"}
    DIR/initial.*        the student backbone's state_dict and "header.kernel" (tensor_exchange format)
    DIR/batches.*        "e{epoch}.b{step}.images" / ".labels": each epoch's batches in order, flips applied
    DIR/teacher.*        kd: the teacher's state_dict
    DIR/teacher-e{N}.*   multistep-kd: the teacher after N epochs (the reference's (epoch + 1) * steps checkpoint)
job.json's "dtype" ("float64" in the tests) is the element type of weights, images and activations.
Writes DIR/reference.* with "loss" [steps], "ce" [steps], "kd" [steps], "grad_norm" [steps] (the backbone's
norm before clipping, as clip_grad_norm_ returns it), the final "backbone.<key>" and "header.kernel", and
"loss_unclipped" [steps]: the same loop without clip_grad_norm_, the path a default without clipping would take.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F
from torch.nn import CrossEntropyLoss, MSELoss
from torch.nn.utils import clip_grad_norm_

import pocketnet_reference as ref
import tensor_exchange


class CosFace(torch.nn.Module):
    """CosFace on the same cosines as the reference's ArcFace (kernel [embedding, classes], normalised,
    clamped to [-1 + 1e-5, 1 + 1e-5]): the target cosine minus m, everything times s. The PocketNet scripts
    ship no CosFace; this is the head a user of them would add."""

    def __init__(self, in_features, out_features, s=64.0, m=0.35):
        super().__init__()
        self.s, self.m = s, m
        self.kernel = torch.nn.Parameter(torch.empty(in_features, out_features))

    def forward(self, embeddings, label):
        e = embeddings / torch.norm(embeddings, 2, 1, True)
        k = self.kernel / torch.norm(self.kernel, 2, 0, True)
        cos_theta = torch.mm(e, k).clamp(-1 + 1e-5, 1 + 1e-5)
        index = label.view(-1, 1)
        return cos_theta.scatter(1, index, cos_theta.gather(1, index) - self.m) * self.s


def network(cfg):
    return ref.PocketNet(ref.parse_genotype(cfg["genotype"]), cfg["channels"], cfg["cells"], cfg["embedding"])


def load(net, folder, stem, prefix=""):
    tensors = {k: v.to(torch.get_default_dtype()) if v.is_floating_point() else v
               for k, v in tensor_exchange.read(folder, stem).items()}
    net.load_state_dict({k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix) and k != "header.kernel"}, strict=True)
    return tensors


def main(folder):
    with open(os.path.join(folder, "job.json")) as f:
        cfg = json.load(f)
    torch.set_num_threads(1)
    torch.set_default_dtype(getattr(torch, cfg["dtype"]))
    batches = {k: v.to(torch.get_default_dtype()) if v.is_floating_point() else v
               for k, v in tensor_exchange.read(folder, "batches").items()}
    out = train(cfg, folder, batches, clip=cfg["clip"])
    out["loss_unclipped"] = train(cfg, folder, batches, clip=None)["loss"]
    tensor_exchange.write(folder, "reference", out)


def train(cfg, folder, batches, clip):
    steps_per_epoch = len([k for k in batches if k.startswith("e0.") and k.endswith(".images")])

    # load model
    backbone_student = network(cfg)
    initial = load(backbone_student, folder, "initial")
    backbone_student.train()

    # get header
    if cfg["mode"] == "cosface":
        header = CosFace(in_features=cfg["embedding"], out_features=cfg["classes"], s=cfg["s"], m=cfg["m"])
    else:
        header = ref.ArcFace(cfg["embedding"], cfg["classes"], s=cfg["s"], m=cfg["m"])
    with torch.no_grad():
        header.kernel.copy_(initial["header.kernel"])
    header.train()

    backbone_teacher = None
    if cfg["mode"] == "kd":
        backbone_teacher = network(cfg)
        load(backbone_teacher, folder, "teacher")
        backbone_teacher.eval()

    opt_backbone_student = torch.optim.SGD(
        params=[{'params': backbone_student.parameters()}],
        lr=cfg["lr"] / 512 * cfg["batch_size"] * cfg["world_size"],
        momentum=cfg["momentum"], weight_decay=cfg["weight_decay"])
    opt_header = torch.optim.SGD(
        params=[{'params': header.parameters()}],
        lr=cfg["lr"] / 512 * cfg["batch_size"] * cfg["world_size"],
        momentum=cfg["momentum"], weight_decay=cfg["weight_decay"])

    def lr_step_func(epoch):
        return ((epoch + 1) / (cfg["warmup_epoch"] + 1)) ** 2 if epoch < cfg["warmup_epoch"] else cfg["gamma"] ** len(
            [m for m in cfg["milestones"] if m - 1 <= epoch])

    scheduler_backbone_student = torch.optim.lr_scheduler.LambdaLR(optimizer=opt_backbone_student, lr_lambda=lr_step_func)
    scheduler_header = torch.optim.lr_scheduler.LambdaLR(optimizer=opt_header, lr_lambda=lr_step_func)

    criterion = CrossEntropyLoss()
    criterion2 = MSELoss()
    record = {"loss": [], "ce": [], "kd": [], "grad_norm": []}
    global_step = 0
    for epoch in range(0, cfg["epochs"]):
        if cfg["mode"] == "multistep-kd":
            # load teacher weights for specific epoch
            backbone_teacher = network(cfg)
            load(backbone_teacher, folder, f"teacher-e{epoch + 1}")
            backbone_teacher.eval()
        for step in range(steps_per_epoch):
            img, label = batches[f"e{epoch}.b{step}.images"], batches[f"e{epoch}.b{step}.labels"]
            global_step += 1

            features_student = F.normalize(backbone_student(img))
            if backbone_teacher is not None:
                with torch.no_grad():
                    features_teacher = F.normalize(backbone_teacher(img))

            thetas = header(features_student, label)
            loss_v1 = criterion(thetas, label)
            loss_v2 = cfg["w"] * criterion2(features_student, features_teacher) if backbone_teacher is not None else torch.zeros(())
            loss_v = loss_v1 + loss_v2
            loss_v.backward()

            norm = clip_grad_norm_(backbone_student.parameters(), max_norm=clip, norm_type=2) \
                if clip is not None else torch.zeros(())

            opt_backbone_student.step()
            opt_header.step()

            opt_backbone_student.zero_grad()
            opt_header.zero_grad()

            record["loss"].append(loss_v.item())
            record["ce"].append(loss_v1.item())
            record["kd"].append(loss_v2.item())
            record["grad_norm"].append(float(norm))

        scheduler_backbone_student.step()
        scheduler_header.step()

    out = {k: torch.tensor(v, dtype=torch.float64) for k, v in record.items()}
    out.update({f"backbone.{k}": v for k, v in backbone_student.state_dict().items()})
    out["header.kernel"] = header.kernel.detach()
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
