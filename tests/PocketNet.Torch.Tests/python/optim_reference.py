"""Reference trajectories of torch.optim.SGD / Adam / AdamW for the C# optimiser tests.

Usage: optim_reference.py INPUT.json  -> prints JSON {"cases": {name: result}} on stdout.

INPUT: {"cases": [case, ...]}, each case:
  name, optimizer ("sgd" | "adam" | "adamw"), options (constructor keywords apart from params),
  params: [{"shape": [...], "data": [...]}], groups: [{"params": [indices], ...overrides}] (optional),
  steps: int, lrs: optional per-step learning rate set on every group before the step,
  and either
    problem "least_squares": x [n, k], y [n, m]; params 0 = W [m, k], 1 = b [m]; loss = mean((x W^T + b - y)^2);
                             further params are left out of the loss (they never get a gradient);
    problem "grads": grads[step][param] = flat list or null (that parameter has no gradient that step).
Result: {"params": [flat final values, in input order], "state": {index: {buffer: flat values, "step": n}}}
with state indices as state_dict() numbers parameters (across groups, in group order).
Everything runs in float64 with the single-tensor (for-loop) implementations.
"""
import json
import sys

import torch


def run_case(case):
    params = [torch.tensor(p["data"], dtype=torch.float64).reshape(p["shape"]).requires_grad_(True)
              for p in case["params"]]
    if "groups" in case:
        groups = []
        for g in case["groups"]:
            group = {k: v for k, v in g.items() if k != "params"}
            group["params"] = [params[i] for i in g["params"]]
            groups.append(group)
    else:
        groups = [{"params": params}]
    options = dict(case["options"])
    if case["optimizer"] == "sgd":
        opt = torch.optim.SGD(groups, foreach=False, **options)
    elif case["optimizer"] in ("adam", "adamw"):
        if "betas" in options:
            options["betas"] = tuple(options["betas"])
        kind = torch.optim.Adam if case["optimizer"] == "adam" else torch.optim.AdamW
        opt = kind(groups, foreach=False, **options)
    else:
        raise ValueError(case["optimizer"])

    problem = case["problem"]
    if problem == "least_squares":
        x = torch.tensor(case["x"], dtype=torch.float64)
        y = torch.tensor(case["y"], dtype=torch.float64)
    for step in range(case["steps"]):
        if "lrs" in case:
            for g in opt.param_groups:
                g["lr"] = case["lrs"][step]
        opt.zero_grad(set_to_none=True)
        if problem == "least_squares":
            w, b = params[0], params[1]
            loss = ((x @ w.t() + b - y) ** 2).mean()
            loss.backward()
        else:
            for p, g in zip(params, case["grads"][step]):
                p.grad = None if g is None else torch.tensor(g, dtype=torch.float64).reshape(p.shape)
        opt.step()

    # Keyed as state_dict() keys it: parameters numbered across groups in group order.
    state = {}
    for index, entry in opt.state_dict()["state"].items():
        out = {}
        for key, value in entry.items():
            if key == "step":
                out["step"] = int(value.item()) if torch.is_tensor(value) else int(value)
            elif value is not None:
                out[key] = value.detach().reshape(-1).tolist()
        state[str(index)] = out
    return {"params": [p.detach().reshape(-1).tolist() for p in params], "state": state}


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    torch.set_default_dtype(torch.float64)
    results = {case["name"]: run_case(case) for case in spec["cases"]}
    json.dump({"torch": torch.__version__, "cases": results}, sys.stdout)


if __name__ == "__main__":
    main()
