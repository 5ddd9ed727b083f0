"""PyTorch's side of the all-reduce benchmark (bench/PocketNet.Bench.Distributed): two Gloo ranks on loopback,
parameters of the given shapes (PocketNet-S-128's, written by our side) under DistributedDataParallel with its
defaults (25 MB buckets), a loss whose backward is nearly free; per step, backward with DDP's all-reduce against
backward under no_sync(). Prints one JSON line (rank 0).

    ddp_bench.py SHAPES.json STEPS PORT
"""
import json
import statistics
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn


class Parameters(nn.Module):
    def __init__(self, shapes):
        super().__init__()
        self.tensors = nn.ParameterList([nn.Parameter(torch.randn(s)) for s in shapes])

    def forward(self, scale):
        return sum((p * scale).sum() for p in self.tensors)


def rank_main(rank, shapes, steps, port):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    model = nn.parallel.DistributedDataParallel(Parameters(shapes))
    scale = torch.tensor(1e-3)
    timings = {True: [], False: []}
    for step in range(-3, steps):
        for synced in (True, False):
            dist.barrier()
            start = time.perf_counter()
            if synced:
                model(scale).backward()
            else:
                with model.no_sync():
                    model(scale).backward()
            elapsed = (time.perf_counter() - start) * 1000
            if step >= 0:
                timings[synced].append(elapsed)
            model.zero_grad(set_to_none=True)
    if rank == 0:
        with_sync, alone = statistics.median(timings[True]), statistics.median(timings[False])
        print(json.dumps({"side": "pytorch", "parameters": sum(p.numel() for p in model.parameters()),
                          "step_ms_with_allreduce": with_sync, "step_ms_without": alone, "allreduce_ms": with_sync - alone}))
    dist.destroy_process_group()


if __name__ == "__main__":
    shapes = json.load(open(sys.argv[1]))
    mp.spawn(rank_main, args=(shapes, int(sys.argv[2]), int(sys.argv[3])), nprocs=2, join=True)
