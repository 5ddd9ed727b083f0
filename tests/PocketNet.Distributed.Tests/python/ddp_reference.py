"""PyTorch's reference for one data-parallel step of the tests' small network (Worker.SmallNetwork).

    ddp_reference.py FOLDER ddp PORT   two ranks of torch.distributed (Gloo, loopback) under
                                       DistributedDataParallel with local batch norm: grads-rank{0,1}
    ddp_reference.py FOLDER sync       one process, the global batch of 8 with batch norm over all of it and
                                       the loss averaged over the two halves, which is what two ranks with
                                       synchronised batch norm compute: grads

FOLDER holds initial.* (the weights) and data.* (x, labels) written by the C# worker; results go beside them
with a "torch-" prefix.
"""
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F

import tensor_exchange


def network(folder):
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.PReLU(4), nn.Flatten(),
                        nn.Linear(4 * 6 * 6, 5))
    net.load_state_dict(tensor_exchange.read(folder, "initial"))
    return net


def ddp_rank(rank, folder, port):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    data = tensor_exchange.read(folder, "data")
    model = nn.parallel.DistributedDataParallel(network(folder))
    share = slice(rank * 4, rank * 4 + 4)
    F.cross_entropy(model(data["x"][share]), data["labels"][share]).backward()
    grads = {name: p.grad for name, p in model.module.named_parameters()}
    tensor_exchange.write(folder, f"torch-grads-rank{rank}", grads)
    dist.destroy_process_group()


def sync(folder):
    torch.set_num_threads(1)
    data = tensor_exchange.read(folder, "data")
    net = network(folder)
    logits = net(data["x"])
    loss = (F.cross_entropy(logits[:4], data["labels"][:4]) + F.cross_entropy(logits[4:], data["labels"][4:])) / 2
    loss.backward()
    tensor_exchange.write(folder, "torch-grads", {name: p.grad for name, p in net.named_parameters()})
    tensor_exchange.write(folder, "torch-state", net.state_dict())


if __name__ == "__main__":
    folder, mode = sys.argv[1], sys.argv[2]
    if mode == "ddp":
        mp.spawn(ddp_rank, args=(folder, int(sys.argv[3])), nprocs=2, join=True)
    else:
        sync(folder)
    print("ok")
