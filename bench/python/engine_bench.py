"""PyTorch reference for `pocketnet-bench engine` (bench/PocketNet.Bench/EngineBenchmark.cs).

Two ways to run it:
  * standalone: `engine_bench.py --case net --threads 2 [--iterations 10 ...]` times one case and prints
    one JSON object on stdout;
  * `--serve`: the bench drives it over stdin/stdout, one JSON object per line each way, so that it can
    alternate python and C# iterations and both sides see the same machine load:
        {"op": "setup", "case": "net", "threads": 2, "batch": 32, ...}  -> facts (parameters, threads, versions)
        {"op": "run", "count": 1}                                     -> {"times_ms": [...]} or {"add_us": [...], "dim_us": [...]}
        {"op": "quit"}
Progress goes to stderr. The modules below must stay the twins of bench/PocketNet.Bench/BenchModels.cs:
same module tree, same shapes, same default initialisation.
"""
import argparse
import json
import resource
import statistics
import sys
import time

import torch
from torch import nn


class DepthwiseSeparable(nn.Module):
    """PReLU(C_in) -> depthwise 3x3 (stride s, padding 1) -> 1x1 conv C_in->C_out -> BatchNorm(C_out)."""

    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.net = nn.Sequential(
            nn.PReLU(c_in),
            nn.Conv2d(c_in, c_in, 3, stride, 1, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out),
        )

    def forward(self, x):
        return self.net(x)


# (output channels, stride) of each block after the stem: FaceNetLite.Blocks in BenchModels.cs.
BLOCKS = [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (256, 2), (256, 1)]
STEM_CHANNELS = 64


class FaceNetLite(nn.Module):
    def __init__(self, embedding=128):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, STEM_CHANNELS, 3, 2, 1, bias=False),
            nn.BatchNorm2d(STEM_CHANNELS),
            nn.PReLU(STEM_CHANNELS),
        )
        blocks = []
        channels = STEM_CHANNELS
        for c_out, stride in BLOCKS:
            blocks.append(DepthwiseSeparable(channels, c_out, stride))
            channels = c_out
        self.blocks = nn.Sequential(*blocks)
        self.tail = nn.Sequential(
            nn.PReLU(channels),
            nn.Conv2d(channels, 512, 1, bias=False),
            nn.BatchNorm2d(512),
            nn.PReLU(512),
            nn.Conv2d(512, 512, 7, groups=512, bias=False),
            nn.BatchNorm2d(512),
            nn.Conv2d(512, embedding, 1, bias=False),
            nn.BatchNorm2d(embedding),
            nn.Flatten(),
        )

    def forward(self, x):
        return self.tail(self.blocks(self.stem(x)))


def log(message):
    print(f"[python] {message}", file=sys.stderr, flush=True)


class TrainingCase:
    """zero_grad + forward + mean(y^2) + backward, timed per iteration (ms)."""

    def __init__(self, model, x):
        self.model = model.train()
        self.x = x
        self.params = list(model.parameters())

    def facts(self):
        return {"parameters": sum(p.numel() for p in self.params), "input": list(self.x.shape)}

    def step(self):
        for p in self.params:
            p.grad = None
        if self.x.requires_grad:
            self.x.grad = None
        y = self.model(self.x)
        loss = y.square().mean()
        loss.backward()
        # Release the step's tensors inside the timed region, as the C# side closes its scope there.
        del y, loss

    def warmup(self, count):
        for _ in range(count):
            self.step()

    def run(self, count):
        """Wall time, process CPU time (all threads) and minor page faults of each iteration,
        read with the same clocks and counters as bench/PocketNet.Bench/CpuClock.cs."""
        times, cpu, faults = [], [], []
        for _ in range(count):
            f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            c0 = time.process_time()
            t0 = time.perf_counter()
            self.step()
            times.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
            faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)
        return {"times_ms": times, "cpu_ms": cpu, "faults": faults}


class CallCase:
    """Per-call microseconds of `x + 1` on a 1-element tensor and of `x.dim()`, one sample per round."""

    def __init__(self, calls):
        self.calls = calls
        self.x = torch.ones(1)

    def facts(self):
        return {"calls": self.calls}

    def warmup(self, count):
        x = self.x
        for _ in range(max(1, count * self.calls // 10)):
            y = x + 1
            x.dim()

    def run(self, count):
        x, n = self.x, self.calls
        add, dim = [], []
        for _ in range(count):
            t0 = time.perf_counter()
            for _ in range(n):
                y = x + 1
            add.append((time.perf_counter() - t0) * 1e6 / n)
            del y
            t0 = time.perf_counter()
            for _ in range(n):
                x.dim()
            dim.append((time.perf_counter() - t0) * 1e6 / n)
        return {"add_us": add, "dim_us": dim}


def setup(s):
    torch.set_num_threads(s["threads"])
    torch.manual_seed(s.get("seed", 0))
    case = s["case"]
    if case == "block":
        c, size = s["block_channels"], s["block_size"]
        # Inside a network the block's input needs a gradient too (the C# side sets it alike).
        bench = TrainingCase(DepthwiseSeparable(c, c), torch.randn(s["batch"], c, size, size, requires_grad=True))
    elif case == "net":
        bench = TrainingCase(FaceNetLite(s["embedding"]), torch.randn(s["batch"], 3, s["size"], s["size"]))
    elif case == "call":
        bench = CallCase(s["calls"])
    else:
        raise ValueError(f"unknown case {case!r}")
    facts = {
        "case": case,
        "torch_version": torch.__version__,
        "python_version": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "mkldnn_enabled": torch.backends.mkldnn.enabled,
        **bench.facts(),
    }
    log(f"{case}: set up {facts}; {s.get('warmup', 0)} warm-up iteration(s)")
    bench.warmup(s.get("warmup", 0))
    return bench, facts


def serve():
    bench = None
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
                bench, reply = setup(command)
            elif op == "run":
                if bench is None:
                    raise RuntimeError("run before setup")
                reply = bench.run(command.get("count", 1))
            else:
                raise ValueError(f"unknown op {op!r}")
        except Exception as e:  # reported to the C# side, which stops with the message
            reply = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(reply), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve", action="store_true", help="line protocol on stdin/stdout (used by the bench)")
    ap.add_argument("--case", choices=["block", "net", "call"])
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--size", type=int, default=112)
    ap.add_argument("--block-channels", type=int, default=64)
    ap.add_argument("--block-size", type=int, default=56)
    ap.add_argument("--embedding", type=int, default=128)
    ap.add_argument("--iterations", type=int, default=10, help="timed iterations (rounds for the call case)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--calls", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.serve:
        serve()
        return
    if a.case is None:
        ap.error("--case is required unless --serve")
    bench, facts = setup({**vars(a), "case": a.case})
    result = {**facts, **bench.run(a.iterations)}
    for key, values in result.items():
        if key.endswith(("_ms", "_us")):
            log(f"{a.case}: {key} median {statistics.median(values):.3f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
