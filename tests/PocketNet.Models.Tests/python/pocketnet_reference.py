"""PyTorch oracle for the C# PocketNet (src/PocketNet.Models: SearchSpace, Cells, Heads).

Written for these tests from the wiring of the PocketNet reference repository (backbones/ops.py,
augment_cells.py, augment_cnn.py, genotypes.py and utils/losses.py), deliberately without looking at
the C# port, so that a wiring mistake there shows up as a mismatch here. Every module sits under the
attribute name the reference gives it and is assigned in the same order, so the state_dict keys
(stem.0.weight, cells.3.preproc0.net.1.weight, cells.6.preproc0.conv11.weight,
cells.3.dag.1.0.net.1.weight, tail.4.weight, ...), their order and their shapes are what the
published checkpoints carry.

Command line:
    counts                 prints {variant: trainable parameter count} for the four PocketNet variants
    run DIR                runs the parity job DIR/job.json (see run_job) and writes DIR/results.json
                           plus raw tensors (tensor_exchange.py format) into DIR
"""
import ast
import json
import math
import os
import sys
import traceback

import torch
import torch.nn.functional as F
from torch import nn

import tensor_exchange

# The "softmax_casia" genotype of the reference (backbones/genotypes.py), i.e. PocketNet's cells.
POCKETNET_GENOTYPE = (
    "Genotype(normal=[[('dw_conv_3x3', 0), ('dw_conv_1x1', 1)], [('dw_conv_3x3', 2), ('dw_conv_5x5', 0)], "
    "[('dw_conv_3x3', 3), ('dw_conv_3x3', 0)], [('dw_conv_3x3', 4), ('skip_connect', 0)]], "
    "normal_concat=range(2, 6), "
    "reduce=[[('dw_conv_3x3', 1), ('dw_conv_7x7', 0)], [('skip_connect', 2), ('dw_conv_5x5', 1)], "
    "[('max_pool_3x3', 0), ('skip_connect', 2)], [('max_pool_3x3', 0), ('max_pool_3x3', 1)]], "
    "reduce_concat=range(2, 6))"
)

# name -> (C, cells, embedding, trainable parameters measured with the reference implementation)
VARIANTS = {
    "pocketnet-s-128": (16, 18, 128, 925_632),
    "pocketnet-s-256": (16, 18, 256, 991_424),
    "pocketnet-m-128": (32, 9, 128, 1_686_656),
    "pocketnet-m-256": (32, 9, 256, 1_752_448),
}

PRIMITIVES = ["max_pool_3x3", "avg_pool_3x3", "skip_connect", "dw_conv_3x3", "dw_conv_5x5", "dw_conv_7x7",
              "dw_conv_1x1", "none"]


# ---- genotype text ---------------------------------------------------------------------------------

def parse_genotype(text):
    """Reads the reference's repr of a Genotype namedtuple without eval: a call Genotype(...) whose
    normal/reduce are literal lists of (primitive, input) pairs and whose *_concat are range(a, b) or a
    literal list. Returns a dict with those four keys (cells as lists of [name, input] lists)."""
    tree = ast.parse(text.strip(), mode="eval").body
    if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id == "Genotype"):
        raise ValueError("not a Genotype(...) expression")
    fields = {}
    for keyword in tree.keywords:
        value = keyword.value
        if keyword.arg.endswith("_concat"):
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "range":
                fields[keyword.arg] = list(range(*[ast.literal_eval(a) for a in value.args]))
            else:
                fields[keyword.arg] = [int(v) for v in ast.literal_eval(value)]
        else:
            cell = ast.literal_eval(value)
            for node in cell:
                for name, source in node:
                    if name not in PRIMITIVES:
                        raise ValueError(f"unknown primitive {name!r}")
                    if not isinstance(source, int):
                        raise ValueError(f"input {source!r} is not an integer")
            fields[keyword.arg] = [[[name, source] for name, source in node] for node in cell]
    missing = {"normal", "normal_concat", "reduce", "reduce_concat"} - fields.keys()
    if missing:
        raise ValueError(f"missing fields {sorted(missing)}")
    return fields


# ---- operations ------------------------------------------------------------------------------------

class SepConv(nn.Module):
    """Both StdConv (k = 1, cell pre-processing) and DWConv of the reference: a Sequential `net` of
    PReLU(C_in), depthwise k x k conv, pointwise conv to C_out, BatchNorm."""

    def __init__(self, c_in, c_out, kernel, stride):
        super().__init__()
        self.net = nn.Sequential(
            nn.PReLU(c_in),
            nn.Conv2d(c_in, c_in, kernel, stride=stride, padding=kernel // 2, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out),
        )

    def forward(self, x):
        return self.net(x)


class PoolBN(nn.Module):
    def __init__(self, kind, channels, stride):
        super().__init__()
        if kind == "max":
            self.pool = nn.MaxPool2d(3, stride, 1)
        else:
            self.pool = nn.AvgPool2d(3, stride, 1, count_include_pad=False)
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x):
        return self.bn(self.pool(x))


class FactorizedReduce(nn.Module):
    """Halves the resolution: PReLU, then two strided 1x1 depthwise + 1x1 pointwise paths (the second on
    the input shifted by one pixel), concatenated on channels, then BN."""

    def __init__(self, c_in, c_out):
        super().__init__()
        # registration order = state_dict order: relu, conv11, conv12, conv21, conv22, bn
        self.relu = nn.PReLU(c_in)
        self.conv11 = nn.Conv2d(c_in, c_in, 1, stride=2, groups=c_in, bias=False)
        self.conv12 = nn.Conv2d(c_in, c_out // 2, 1, bias=False)
        self.conv21 = nn.Conv2d(c_in, c_in, 1, stride=2, groups=c_in, bias=False)
        self.conv22 = nn.Conv2d(c_in, c_out // 2, 1, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        x = self.relu(x)
        a = self.conv12(self.conv11(x))
        b = self.conv22(self.conv21(x[:, :, 1:, 1:]))
        return self.bn(torch.cat((a, b), dim=1))


class Identity(nn.Module):
    def forward(self, x):
        return x


class Zero(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        return x[:, :, ::self.stride, ::self.stride] * 0.0


def make_op(name, channels, stride):
    if name == "none":
        return Zero(stride)
    if name == "skip_connect":
        return Identity() if stride == 1 else FactorizedReduce(channels, channels)
    if name in ("max_pool_3x3", "avg_pool_3x3"):
        return PoolBN(name[:3], channels, stride)
    if name.startswith("dw_conv_"):
        kernel = int(name[len("dw_conv_"):].split("x")[0])
        return SepConv(channels, channels, kernel, stride)
    raise ValueError(f"unknown primitive {name!r}")


# ---- cell and network ------------------------------------------------------------------------------

class Cell(nn.Module):
    def __init__(self, genotype, c_pp, c_p, c, reduction_prev, reduction):
        super().__init__()
        self.preproc0 = FactorizedReduce(c_pp, c) if reduction_prev else SepConv(c_pp, c, 1, 1)
        self.preproc1 = SepConv(c_p, c, 1, 1)
        nodes = genotype["reduce" if reduction else "normal"]
        self.concat = list(genotype["reduce_concat" if reduction else "normal_concat"])
        self.sources = [[source for _, source in node] for node in nodes]
        # reduction cells stride the edges that read the two cell inputs
        self.dag = nn.ModuleList(
            nn.ModuleList(make_op(name, c, 2 if reduction and source < 2 else 1) for name, source in node)
            for node in nodes)

    def forward(self, s0, s1):
        states = [self.preproc0(s0), self.preproc1(s1)]
        for edges, sources in zip(self.dag, self.sources):
            total = None
            for op, source in zip(edges, sources):
                y = op(states[source])
                total = y if total is None else total + y
            states.append(total)
        return torch.cat([states[i] for i in self.concat], dim=1)


class PocketNet(nn.Module):
    """The reference's AugmentCNN with stem multiplier 4."""

    def __init__(self, genotype, channels, n_cells, embedding, in_channels=3, stem_multiplier=4):
        super().__init__()
        stem_width = stem_multiplier * channels
        self.stem = nn.Sequential(nn.Conv2d(in_channels, stem_width, 3, 2, 1, bias=False), nn.BatchNorm2d(stem_width))
        reductions = {n_cells // 3, 2 * n_cells // 3, n_cells - 1}
        self.cells = nn.ModuleList()
        c_pp = c_p = stem_width
        c = channels
        reduction_prev = False
        for i in range(n_cells):
            reduction = i in reductions
            if reduction:
                c *= 2
            self.cells.append(Cell(genotype, c_pp, c_p, c, reduction_prev, reduction))
            c_pp, c_p = c_p, c * len(self.cells[-1].concat)
            reduction_prev = reduction
        width = 1024 if embedding == 512 else 512
        self.tail = nn.Sequential(
            nn.PReLU(c_p),
            nn.Conv2d(c_p, width, 1, bias=False),
            nn.BatchNorm2d(width),
            nn.PReLU(width),
            nn.Conv2d(width, width, 7, groups=width, bias=False),
            nn.BatchNorm2d(width),
            nn.Conv2d(width, embedding, 1, bias=False),
            nn.BatchNorm2d(embedding),
        )
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_uniform_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return torch.flatten(self.tail(s1), 1)


def build(name, genotype=None):
    channels, n_cells, embedding, _ = VARIANTS[name]
    return PocketNet(genotype or parse_genotype(POCKETNET_GENOTYPE), channels, n_cells, embedding)


# ---- ArcFace head ----------------------------------------------------------------------------------

class ArcFace(nn.Module):
    """utils/losses.py's ArcFace: kernel [embedding, classes]; cosines of the L2-normalised embedding and
    kernel columns, clamped to [-1 + 1e-5, 1 + 1e-5]; the target cosine t becomes cos(theta + m) while
    t > cos(pi - m), else t - m sin(pi - m); everything scaled by s."""

    def __init__(self, embedding, classes, s=64.0, m=0.5):
        super().__init__()
        self.s, self.m = s, m
        self.kernel = nn.Parameter(torch.empty(embedding, classes))
        nn.init.normal_(self.kernel, std=0.01)

    def forward(self, embeddings, labels):
        e = embeddings / torch.norm(embeddings, 2, 1, True)
        k = self.kernel / torch.norm(self.kernel, 2, 0, True)
        cosine = torch.mm(e, k).clamp(-1 + 1e-5, 1 + 1e-5)
        index = labels.view(-1, 1)
        target = cosine.gather(1, index)
        sine = torch.sqrt(1.0 - target * target)
        with_margin = target * math.cos(self.m) - sine * math.sin(self.m)
        threshold = math.cos(math.pi - self.m)
        fallback = target - math.sin(math.pi - self.m) * self.m
        target = torch.where(target > threshold, with_margin, fallback)
        return cosine.scatter(1, index, target) * self.s


# ---- the parity job --------------------------------------------------------------------------------

def layout(net):
    return [[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in net.state_dict().items()]


def eval_forward(net, folder, name):
    weights = tensor_exchange.read(folder, f"{name}.weights")
    net.load_state_dict(weights, strict=True)
    net.eval()
    images = tensor_exchange.read(folder, "images_eval")["images"]
    with torch.no_grad():
        out = net(images)
    tensor_exchange.write(folder, f"{name}.eval", {"embedding": out})


def train_step(net, folder, name, job):
    """One step as train/train_kd.py does it without the teacher: F.normalize(backbone(img)) -> ArcFace
    -> CE; backward; separate SGD optimisers for backbone and head, same settings."""
    weights = tensor_exchange.read(folder, f"{name}.weights")
    net.load_state_dict(weights, strict=True)
    kernel = tensor_exchange.read(folder, f"{name}.head")["kernel"]
    head = ArcFace(kernel.shape[0], kernel.shape[1], s=job["s"], m=job["m"])
    with torch.no_grad():
        head.kernel.copy_(kernel)
    batch = tensor_exchange.read(folder, "images_train")
    images, labels = batch["images"], batch["labels"]

    net.train()
    head.train()
    options = dict(lr=job["lr"], momentum=job["momentum"], weight_decay=job["weight_decay"])
    opt_backbone = torch.optim.SGD(net.parameters(), **options)
    opt_head = torch.optim.SGD(head.parameters(), **options)
    embedding = net(images)
    logits = head(F.normalize(embedding), labels)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    grads = {f"grad.{k}": p.grad for k, p in net.named_parameters()}
    grads["grad.head.kernel"] = head.kernel.grad
    opt_backbone.step()
    opt_head.step()

    out = {"loss": loss.detach().reshape(1), "embedding": embedding, "logits": logits}
    out.update(net.state_dict())
    out["head.kernel"] = head.kernel
    out.update(grads)
    tensor_exchange.write(folder, f"{name}.train", out)


def head_case(folder):
    """ArcFace alone on crafted embeddings whose target cosines cover both the margin branch and the
    th/mm fallback (target cosine below cos(pi - m)); logits, CE loss and gradients."""
    g = torch.Generator().manual_seed(7)
    embedding, classes = 8, 5
    kernel = torch.randn(embedding, classes, generator=g) * 0.01
    labels = torch.tensor([0, 1, 2, 3, 4, 0, 2], dtype=torch.int64)
    targets = [-0.97, -0.92, -0.8, -0.3, 0.1, 0.6, 0.95]
    unit = kernel / kernel.norm(dim=0, keepdim=True)
    rows = []
    for label, t in zip(labels.tolist(), targets):
        direction = unit[:, label]
        noise = torch.randn(embedding, generator=g)
        noise = noise - (noise @ direction) * direction
        noise = noise / noise.norm()
        rows.append(2.5 * (t * direction + math.sqrt(1 - t * t) * noise))
    embeddings = torch.stack(rows).requires_grad_(True)
    head = ArcFace(embedding, classes)
    with torch.no_grad():
        head.kernel.copy_(kernel)
    logits = head(embeddings, labels)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    tensor_exchange.write(folder, "head_case", {
        "embeddings": embeddings.detach(), "kernel": kernel, "labels": labels, "logits": logits,
        "loss": loss.detach().reshape(1), "grad_embeddings": embeddings.grad, "grad_kernel": head.kernel.grad})


def run_job(folder):
    """DIR/job.json: {"genotype": C#'s text of the PocketNet genotype, "variants": [names],
    "s", "m", "lr", "momentum", "weight_decay"}; DIR/images_eval.*, DIR/images_train.* (images, labels),
    DIR/NAME.weights.* and DIR/NAME.head.* (kernel) from C#.
    Writes DIR/results.json {"torch", "genotype": {...}, "variants": {name: {"layout", "parameters",
    "reference_parameters", "errors": {stage: traceback}}}} and DIR/NAME.eval.*, DIR/NAME.train.*, DIR/head_case.*."""
    torch.manual_seed(0)
    with open(os.path.join(folder, "job.json")) as f:
        job = json.load(f)
    ours = parse_genotype(POCKETNET_GENOTYPE)
    results = {"torch": torch.__version__, "variants": {}}
    try:
        theirs = parse_genotype(job["genotype"])
        results["genotype"] = {"parsed": theirs, "equals_reference": theirs == ours}
    except Exception:
        results["genotype"] = {"error": traceback.format_exc(), "equals_reference": False}

    for name in job["variants"]:
        net = build(name, ours)
        # the reference's measured count: the oracle must reproduce it before its verdicts mean anything
        entry = {"layout": layout(net), "parameters": sum(p.numel() for p in net.parameters()),
                 "reference_parameters": VARIANTS[name][3], "errors": {}}
        results["variants"][name] = entry
        for stage, action in (("eval", lambda: eval_forward(net, folder, name)),
                              ("train", lambda: train_step(net, folder, name, job))):
            try:
                action()
            except Exception:
                entry["errors"][stage] = traceback.format_exc()
    try:
        head_case(folder)
    except Exception:
        results["head_case_error"] = traceback.format_exc()

    with open(os.path.join(folder, "results.json"), "w") as f:
        json.dump(results, f)


def main(argv):
    if len(argv) >= 1 and argv[0] == "counts":
        print(json.dumps({name: sum(p.numel() for p in build(name).parameters()) for name in VARIANTS}))
    elif len(argv) == 2 and argv[0] == "run":
        run_job(argv[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
