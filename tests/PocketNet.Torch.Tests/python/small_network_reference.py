"""PyTorch side of Parity/SmallNetworkParityTests.cs: a small network that exercises strided and grouped
convolutions, batch norm (eval and train, running statistics), PReLU (per channel and shared), max pooling,
average pooling that ignores padding, and a linear layer, trained for two SGD steps.

usage: small_network_reference.py DIR
  DIR/initial.pth   torch.save(state_dict) of the seeded, randomised network (the C# side loads it)
  DIR/batch.pth     {"images": [4, 3, 20, 20], "labels": int64 [4]}
  DIR/expected.pth  eval_logits (initial weights, eval mode); train_logits, loss, grad.<param> (first
                    train-mode forward and backward); step1.<key> (state_dict after the first SGD step);
                    loss2, step2.<key> (after a second forward, backward and step: momentum in play);
                    eval_logits_after (eval mode with the trained weights and running statistics)
SGD: lr 0.1, momentum 0.9, weight decay 5e-4; loss: mean cross-entropy.
"""
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        # attribute order fixes the state_dict order; the C# module registers in the same order
        self.conv1 = nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=True)
        self.bn1 = nn.BatchNorm2d(8)
        self.act1 = nn.PReLU(8)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=1, padding=1, groups=4, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.act2 = nn.PReLU()
        self.pool1 = nn.MaxPool2d(3, 2, 1)
        self.conv3 = nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16, bias=True)
        self.pool2 = nn.AvgPool2d(3, 2, 1, count_include_pad=False)
        self.fc = nn.Linear(16 * 2 * 2, 5)

    def forward(self, x):
        x = self.act1(self.bn1(self.conv1(x)))        # 20 -> 10
        x = self.pool1(self.act2(self.bn2(self.conv2(x))))  # 10 -> 5
        x = self.pool2(self.conv3(x))                 # 5 -> 3 -> 2 (border windows partly padding)
        return self.fc(torch.flatten(x, 1))


def main(folder):
    torch.manual_seed(20220426)
    net = SmallNet()
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name.startswith("act"):
                p.uniform_(0.05, 0.5)
            elif name.startswith("bn") and name.endswith("weight"):
                p.uniform_(0.5, 1.5)
            else:
                p.normal_(0, 0.5)
        for bn in (net.bn1, net.bn2):
            bn.running_mean.uniform_(-0.3, 0.3)
            bn.running_var.uniform_(0.5, 2.0)
            bn.num_batches_tracked.fill_(5)
    torch.save(net.state_dict(), os.path.join(folder, "initial.pth"))

    images = torch.randn(4, 3, 20, 20)
    labels = torch.tensor([2, 0, 4, 1], dtype=torch.int64)
    torch.save({"images": images, "labels": labels}, os.path.join(folder, "batch.pth"))

    expected = {}
    net.eval()
    with torch.no_grad():
        expected["eval_logits"] = net(images)

    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    logits = net(images)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    expected["train_logits"] = logits.detach()
    expected["loss"] = loss.detach()
    for name, p in net.named_parameters():
        expected[f"grad.{name}"] = p.grad.clone()
    opt.step()
    for key, value in net.state_dict().items():
        expected[f"step1.{key}"] = value.clone()

    opt.zero_grad()
    loss2 = F.cross_entropy(net(images), labels)
    loss2.backward()
    opt.step()
    expected["loss2"] = loss2.detach()
    for key, value in net.state_dict().items():
        expected[f"step2.{key}"] = value.clone()

    net.eval()
    with torch.no_grad():
        expected["eval_logits_after"] = net(images)
    torch.save(expected, os.path.join(folder, "expected.pth"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
