#!/usr/bin/python3
"""Golden optimizer trajectories from PyTorch (1.13 on the machine that wrote them).

Writes tests/golden/optim.txt, read by tests/optim/test_golden.cpp: records
(tests/golden/golden_writer.py) keyed <case>/<field>:
    optimizer                        text: SGD, SparseAdam, Adagrad, Adam, AdamW or RMSprop
    lr, momentum, beta1, ...         float64 0-d: the options given (others default)
    param                            the parameter before the first step, in the case's dtype
    step<i>/lr                       (optional) group 0's lr, set before step i
    step<i>/grad                     a dense gradient, or none (the parameter is skipped)
    step<i>/grad_indices, _values    or an uncoalesced sparse one, duplicates kept
    step<i>/expect                   the parameter after step i
Run: /usr/bin/python3 tests/golden/gen_optim.py
"""
import torch

from golden_writer import GoldenWriter

torch.manual_seed(1234)
ROWS, COLS = 6, 3
records = GoldenWriter()


def sparse_grad(indices, dtype):
    values = torch.randn(len(indices), COLS, dtype=torch.float64).to(dtype)
    return torch.sparse_coo_tensor(torch.tensor([indices]), values, (ROWS, COLS))


def dense_grad(dtype):
    return torch.randn(ROWS, COLS, dtype=torch.float64).to(dtype)


def run(name, opt_name, options, steps, dtype=torch.float64):
    """steps: list of ('sparse', indices) | ('dense',) | ('none',) | ('setlr', value)."""
    param = torch.randn(ROWS, COLS, dtype=torch.float64).to(dtype).requires_grad_()
    ctor = {"SGD": torch.optim.SGD, "SparseAdam": torch.optim.SparseAdam,
            "Adagrad": torch.optim.Adagrad, "Adam": torch.optim.Adam,
            "AdamW": torch.optim.AdamW, "RMSprop": torch.optim.RMSprop}[opt_name]
    kwargs = dict(options)
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    opt = ctor([param], **kwargs)
    records.text(f"{name}/optimizer", opt_name)
    for k, v in options.items():
        values = {"beta1": v[0], "beta2": v[1]} if k == "betas" else {k: v}
        for key, value in values.items():
            records.tensor(f"{name}/{key}", torch.tensor(float(value), dtype=torch.float64))
    records.tensor(f"{name}/param", param)
    i = 0
    for step in steps:
        if step[0] == "setlr":
            opt.param_groups[0]["lr"] = step[1]
            records.tensor(f"{name}/step{i}/lr", torch.tensor(step[1], dtype=torch.float64))
            continue
        if step[0] == "sparse":
            g = sparse_grad(step[1], dtype)
            records.tensor(f"{name}/step{i}/grad_indices", g._indices())
            records.tensor(f"{name}/step{i}/grad_values", g._values())
            param.grad = g
        elif step[0] == "dense":
            g = dense_grad(dtype)
            records.tensor(f"{name}/step{i}/grad", g)
            param.grad = g
        else:
            records.none(f"{name}/step{i}/grad")
            param.grad = None
        opt.step()
        records.tensor(f"{name}/step{i}/expect", param)
        i += 1


S = lambda *idx: ("sparse", list(idx))
D = ("dense",)
N = ("none",)
sparse_steps = [S(1, 3, 1, 4), S(4, 1, 0), S(2, 2, 2, 5), S(5, 0, 5, 3, 3)]
dense_steps = [D, D, D, D]

# SGD
run("sgd_plain_sparse", "SGD", {"lr": 0.1}, sparse_steps)
run("sgd_plain_dense", "SGD", {"lr": 0.1}, dense_steps)
run("sgd_momentum_dampening_sparse", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}, sparse_steps)
run("sgd_nesterov_sparse", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, sparse_steps)
run("sgd_nesterov_dense", "SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}, dense_steps)
run("sgd_maximize_momentum_sparse", "SGD", {"lr": 0.1, "momentum": 0.7, "maximize": True},
    [S(0, 0, 1), N, S(3, 5, 3), S(1)])
run("sgd_weight_decay_momentum_dense", "SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1}, dense_steps)
run("sgd_everything_dense", "SGD",
    {"lr": 0.03, "momentum": 0.5, "dampening": 0.25, "weight_decay": 0.2, "maximize": True}, dense_steps)
run("sgd_lr_change_sparse_momentum", "SGD", {"lr": 0.1, "momentum": 0.9},
    [S(1, 2, 1), ("setlr", 0.01), S(2, 4), S(0)])
run("sgd_momentum_sparse_float32", "SGD", {"lr": 0.1, "momentum": 0.9}, sparse_steps, torch.float32)

# SparseAdam
run("sparse_adam_default", "SparseAdam", {"lr": 0.01}, sparse_steps)
run("sparse_adam_betas_eps", "SparseAdam", {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-3}, sparse_steps)
run("sparse_adam_maximize_skip", "SparseAdam", {"lr": 0.02, "maximize": True}, [S(0, 0), N, S(5, 0, 5), S(3)])
run("sparse_adam_late_row", "SparseAdam", {"lr": 0.1},
    [S(0), S(0), S(0), S(0), S(0), S(4, 0)])
run("sparse_adam_float32", "SparseAdam", {"lr": 0.01, "betas": (0.5, 0.9)}, sparse_steps, torch.float32)

# Adagrad
run("adagrad_plain_sparse", "Adagrad", {"lr": 0.1}, sparse_steps)
run("adagrad_decay_init_eps_sparse", "Adagrad",
    {"lr": 0.1, "lr_decay": 0.3, "eps": 1e-4, "initial_accumulator_value": 0.5}, sparse_steps)
run("adagrad_maximize_sparse", "Adagrad", {"lr": 0.05, "maximize": True}, [S(1, 1), N, S(2, 1, 2), S(4)])
run("adagrad_plain_dense", "Adagrad", {"lr": 0.1}, dense_steps)
run("adagrad_everything_dense", "Adagrad",
    {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.2, "initial_accumulator_value": 0.3, "eps": 1e-6,
     "maximize": True}, dense_steps)
run("adagrad_sparse_float32", "Adagrad", {"lr": 0.1, "lr_decay": 0.01}, sparse_steps, torch.float32)

# Adam: every combination of amsgrad x weight_decay x maximize
for amsgrad in (False, True):
    for wd in (0.0, 0.1):
        for maximize in (False, True):
            run(f"adam_amsgrad{int(amsgrad)}_wd{wd}_max{int(maximize)}", "Adam",
                {"lr": 0.01, "betas": (0.8, 0.95), "eps": 1e-6, "weight_decay": wd, "amsgrad": amsgrad,
                 "maximize": maximize}, [D, D, N, D, D])
run("adam_default_float32", "Adam", {"lr": 0.01}, dense_steps, torch.float32)

# AdamW: every combination of amsgrad x weight_decay x maximize
for amsgrad in (False, True):
    for wd in (0.0, 0.1):
        for maximize in (False, True):
            run(f"adamw_amsgrad{int(amsgrad)}_wd{wd}_max{int(maximize)}", "AdamW",
                {"lr": 0.01, "betas": (0.8, 0.95), "eps": 1e-6, "weight_decay": wd, "amsgrad": amsgrad,
                 "maximize": maximize}, [D, D, N, D, D])
run("adamw_default_float32", "AdamW", {"lr": 0.01}, dense_steps, torch.float32)

# RMSprop: each option alone, then together
run("rmsprop_plain", "RMSprop", {"lr": 0.01}, [D, D, N, D, D])
run("rmsprop_alpha_eps", "RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-3}, dense_steps)
run("rmsprop_weight_decay", "RMSprop", {"lr": 0.01, "weight_decay": 0.1}, dense_steps)
run("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}, [D, D, N, D, D])
run("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}, dense_steps)
run("rmsprop_maximize", "RMSprop", {"lr": 0.01, "maximize": True}, dense_steps)
run("rmsprop_everything", "RMSprop",
    {"lr": 0.02, "alpha": 0.8, "eps": 1e-4, "weight_decay": 0.2, "momentum": 0.5, "centered": True,
     "maximize": True}, [D, D, N, D, D])
run("rmsprop_lr_change", "RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True}, [D, ("setlr", 0.001), D, D])
run("rmsprop_float32", "RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}, dense_steps, torch.float32)

records.save("optim.txt")
