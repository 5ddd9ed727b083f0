"""PyTorch side of `pocketnet-bench-models` (bench/PocketNet.Bench.Models): training and inference throughput
of the PocketNet variants in the reference wiring.

The networks and the ArcFace head are NOT defined here: they come from the PyTorch oracle of the model tests,
tests/PocketNet.Models.Tests/python/pocketnet_reference.py (imported by path, --reference-dir overrides where
it is looked for), so the bench times exactly the wiring the parity tests check our port against.

Two ways to run it:
  * standalone: `models_bench.py --model pocketnet-s-128 --case train --threads 2 [--iterations 3 ...]`
    times one case and prints one JSON object on stdout;
  * `--serve`: the C# bench drives it over stdin/stdout, one JSON object per line each way, so that it can
    alternate python and C# iterations and both sides see the same machine load:
        {"op": "setup", "model": "pocketnet-s-128", "batch": 32, "size": 112, "classes": 1000,
         "threads": 2, "device": "cpu", "seed": 0[, "malloc": "stock"|"keep"]}
                                                                         -> facts (parameters, threads, versions)
        {"op": "run", "model": ..., "case": "train"|"infer"|"infer_flip"} -> {"ms", "cpu_ms", "sys_ms", "minor_faults", "phases_ms"}
        {"op": "release", "model": ...}
        {"op": "quit"}
Progress goes to stderr.

One training iteration is RecognitionTrainer's step: forward (train mode), F.normalize, ArcFace, cross-entropy,
backward, clip_grad_norm_(backbone, 5), SGD step (momentum 0.9, weight decay 5e-4) of backbone and head,
zero_grad(set_to_none=True) of both (what our ZeroGrad does), loss.item(). Its tensors are released inside the
timed region (the step is a function; its locals die when it returns), as our DisposeScope is closed inside it.
"""
import argparse
import ctypes
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

DEFAULT_REFERENCE_DIR = os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "PocketNet.Models.Tests", "python"))

CLIP = 5.0
MOMENTUM = 0.9
WEIGHT_DECAY = 5e-4
LEARNING_RATE = 0.1

reference = None


def load_reference(folder):
    global reference
    if reference is None:
        if not os.path.isfile(os.path.join(folder, "pocketnet_reference.py")):
            raise FileNotFoundError(f"pocketnet_reference.py not found in {folder}")
        sys.path.insert(0, folder)
        import pocketnet_reference
        reference = pocketnet_reference
    return reference


def keep_freed_memory():
    """What Engine.KeepFreedMemory() does in the C# process (src/PocketNet.Torch/Native/GlibcMalloc.cs): glibc keeps
    freed memory instead of handing it back to the kernel (mmap threshold raised, trimming off; one alone is worse
    than neither), so a forward stops faulting its activations in again. Process-wide; returns what glibc accepted."""
    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_mmap_threshold = -1, -3
    mmap = next((v for v in (1 << 30, 512 << 20, 32 << 20) if libc.mallopt(m_mmap_threshold, v) == 1), 0)
    trim = libc.mallopt(m_trim_threshold, 2 ** 31 - 1) == 1
    return (f"M_MMAP_THRESHOLD={f'{mmap >> 20} MiB' if mmap else 'rejected'}, "
            f"M_TRIM_THRESHOLD={'off' if trim else 'rejected'}")


def log(message):
    print(f"[python] {message}", file=sys.stderr, flush=True)


def checksum(t):
    """sum(|x| * (1 + i mod 7)) over the flat tensor in float64: the C# side computes the same, so equal values
    mean both sides drew the same weights and inputs."""
    flat = t.detach().double().flatten()
    return float((flat.abs() * (torch.arange(flat.numel(), dtype=torch.float64, device=flat.device) % 7 + 1)).sum())


class ModelCase:
    """One variant with its head, optimisers and a fixed random batch."""

    def __init__(self, model, batch, size, classes, device, seed):
        self.device = torch.device(device)
        torch.manual_seed(seed)
        self.backbone = reference.build(model).to(self.device)
        embedding = reference.VARIANTS[model][2]
        self.head = reference.ArcFace(embedding, classes).to(self.device)
        options = dict(lr=LEARNING_RATE, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)
        self.opt_backbone = torch.optim.SGD(self.backbone.parameters(), **options)
        self.opt_head = torch.optim.SGD(self.head.parameters(), **options)
        torch.manual_seed(seed + 1)
        self.images = torch.randn(batch, 3, size, size).to(self.device)
        self.labels = torch.randint(0, classes, (batch,)).to(self.device)
        self.parameters = sum(p.numel() for p in self.backbone.parameters())
        state = list(self.backbone.state_dict().values()) + list(self.head.state_dict().values())
        self.weights_checksum = sum(checksum(t) for t in state)
        self.input_checksum = checksum(self.images) + checksum(self.labels)

    def sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def train_step(self, phases):
        """Returns the loss; `phases` receives the end time of each phase (perf_counter)."""
        embedding = self.backbone(self.images)
        self.sync()
        phases.append(("forward", time.perf_counter()))
        logits = self.head(F.normalize(embedding), self.labels)
        loss = F.cross_entropy(logits, self.labels)
        self.sync()
        phases.append(("head_loss", time.perf_counter()))
        loss.backward()
        self.sync()
        phases.append(("backward", time.perf_counter()))
        torch.nn.utils.clip_grad_norm_(self.backbone.parameters(), CLIP)
        self.sync()
        phases.append(("clip", time.perf_counter()))
        self.opt_backbone.step()
        self.opt_head.step()
        self.sync()
        phases.append(("sgd_step", time.perf_counter()))
        self.opt_backbone.zero_grad(set_to_none=True)
        self.opt_head.zero_grad(set_to_none=True)
        phases.append(("zero_grad", time.perf_counter()))
        value = loss.item()
        phases.append(("item", time.perf_counter()))
        return value

    def infer_step(self, phases, flip):
        with torch.no_grad():
            embedding = self.backbone(self.images)
            if flip:
                embedding = embedding + self.backbone(self.images.flip(3))
        self.sync()
        phases.append(("forward", time.perf_counter()))
        return embedding.shape[0]

    def run(self, case):
        # mode changes stay outside the timed region, on both sides (the trainer sets them once per epoch)
        training = case == "train"
        self.backbone.train(training)
        self.head.train(training)
        phases = []
        usage_start = resource.getrusage(resource.RUSAGE_SELF)
        cpu_start = time.process_time()
        start = time.perf_counter()
        if case == "train":
            self.train_step(phases)
        elif case == "infer":
            self.infer_step(phases, flip=False)
        elif case == "infer_flip":
            self.infer_step(phases, flip=True)
        else:
            raise ValueError(f"unknown case {case!r}")
        # the step's tensors are gone once it returned: releasing them is part of the iteration
        end = time.perf_counter()
        cpu_ms = (time.process_time() - cpu_start) * 1e3
        usage = resource.getrusage(resource.RUSAGE_SELF)
        faults = usage.ru_minflt - usage_start.ru_minflt
        sys_ms = (usage.ru_stime - usage_start.ru_stime) * 1e3
        phases_ms = {}
        previous = start
        for name, t in phases:
            phases_ms[name] = (t - previous) * 1e3
            previous = t
        phases_ms["release"] = (end - previous) * 1e3
        return {"ms": (end - start) * 1e3, "cpu_ms": cpu_ms, "sys_ms": sys_ms, "minor_faults": faults,
                "phases_ms": phases_ms}


def facts(case, threads, malloc):
    return {
        "malloc": malloc,
        "parameters": case.parameters,
        "weights_checksum": case.weights_checksum,
        "input_checksum": case.input_checksum,
        "threads": torch.get_num_threads(),
        "threads_requested": threads,
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "mkldnn": torch.backends.mkldnn.is_available(),
        "reference": os.path.abspath(reference.__file__),
    }


def serve(reference_dir):
    load_reference(reference_dir)
    cases = {}
    malloc = "stock glibc malloc"
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            command = json.loads(line)
            op = command["op"]
            if op == "quit":
                break
            if op == "setup":
                torch.set_num_threads(command["threads"])
                if command.get("malloc", "stock") == "keep":
                    malloc = "keep_freed_memory(): " + keep_freed_memory()
                case = ModelCase(command["model"], command["batch"], command["size"], command["classes"],
                                 command["device"], command["seed"])
                cases[command["model"]] = case
                reply = facts(case, command["threads"], malloc)
            elif op == "run":
                reply = cases[command["model"]].run(command["case"])
            elif op == "release":
                cases.pop(command["model"], None)
                reply = {}
            else:
                raise ValueError(f"unknown op {op!r}")
        except Exception as e:  # reported to the C# side, which stops the bench
            reply = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(reply), flush=True)


def standalone(args):
    load_reference(args.reference_dir)
    torch.set_num_threads(args.threads)
    case = ModelCase(args.model, args.batch, args.size, args.classes, args.device, args.seed)
    for i in range(args.warmup):
        log(f"warm-up {i + 1}/{args.warmup}: {case.run(args.case)['ms']:.1f} ms")
    samples = []
    for i in range(args.iterations):
        sample = case.run(args.case)
        log(f"iteration {i + 1}/{args.iterations}: {sample['ms']:.1f} ms")
        samples.append(sample)
    times = [s["ms"] for s in samples]
    median = statistics.median(times)
    result = facts(case, args.threads, "stock glibc malloc")
    result.update({"model": args.model, "case": args.case, "batch": args.batch, "median_ms": median,
                   "min_ms": min(times), "images_per_s": args.batch / (median / 1e3), "samples": samples})
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--reference-dir", default=DEFAULT_REFERENCE_DIR)
    parser.add_argument("--model", default="pocketnet-s-128")
    parser.add_argument("--case", default="train", choices=["train", "infer", "infer_flip"])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--size", type=int, default=112)
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    if args.serve:
        serve(args.reference_dir)
    else:
        standalone(args)


if __name__ == "__main__":
    main()
