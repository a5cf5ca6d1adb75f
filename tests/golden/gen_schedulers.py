#!/usr/bin/python3
"""Golden learning-rate sequences from PyTorch's schedulers (1.13 on the machine that wrote them).

Writes tests/golden/schedulers.txt, read by tests/optim/test_lr_scheduler.cpp: records
(tests/golden/golden_writer.py) keyed <case>/<field>:
    lrs        float64 (steps + 1, 2): both groups' lr after construction, then after each step
    metrics    float64 (steps,): ReduceLROnPlateau cases only, the metric given to step i
Every case runs SGD with two param groups, lr 0.5 and 0.2; the C++ test builds the
scheduler each case name stands for with the options written here.
The onecycle_momentum/* cases cycle momentum (OneCycleLR's default) on the optimizer
their name ends in, with the same two groups, and write instead:
    cycle_lrs  float64 (steps + 1, 2): both groups' lr, as lrs above
    momenta    float64 (steps + 1, 2): both groups' momentum, or betas[0] for Adam and AdamW
Run: /usr/bin/python3 tests/golden/gen_schedulers.py
"""
import torch
from torch.optim import lr_scheduler as S

from golden_writer import GoldenWriter

records = GoldenWriter()


def optimizer():
    a, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    return torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.2}], lr=0.5)


def lrs_of(opt):
    return [g["lr"] for g in opt.param_groups]


def run(name, make, steps, metrics=None):
    opt = optimizer()
    sched = make(opt)
    lrs = [lrs_of(opt)]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        lrs.append(lrs_of(opt))
    records.tensor(f"{name}/lrs", torch.tensor(lrs, dtype=torch.float64))
    if metrics is not None:
        records.tensor(f"{name}/metrics", torch.tensor(metrics, dtype=torch.float64))


run("exponential", lambda o: S.ExponentialLR(o, gamma=0.9), 12)
run("multistep", lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.5), 12)
run("cosine", lambda o: S.CosineAnnealingLR(o, T_max=10), 25)
run("cosine_eta_min", lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.01), 20)
run("cosine_tmax1", lambda o: S.CosineAnnealingLR(o, T_max=1, eta_min=0.05), 5)
run("onecycle", lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=20, cycle_momentum=False), 20)
run("onecycle_linear", lambda o: S.OneCycleLR(o, max_lr=0.3, total_steps=17, pct_start=0.25, anneal_strategy="linear",
                                                 div_factor=10, final_div_factor=100, cycle_momentum=False), 17)
run("onecycle_three_phase", lambda o: S.OneCycleLR(o, max_lr=2.0, total_steps=30, three_phase=True,
                                                      cycle_momentum=False), 30)

noisy = [1.0, 0.9, 0.95, 0.95, 0.91, 0.92, 0.89999, 0.93, 0.94, 0.95, 0.96, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6,
         0.6, 0.6, 0.6, 0.6, 0.6, 0.6, float("nan"), 0.6, 0.6, 0.6, 0.6, 0.6]
run("plateau_min_rel", lambda o: S.ReduceLROnPlateau(o, patience=2), len(noisy), noisy)
run("plateau_min_abs_cooldown", lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=1, threshold=0.02,
                                                                threshold_mode="abs", cooldown=2, min_lr=0.03),
    len(noisy), noisy)
rising = [0.1, 0.2, 0.2, 0.2001, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]
run("plateau_max_rel", lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.3, patience=0, threshold=0.01,
                                                       min_lr=1e-3), len(rising), rising)
run("plateau_max_abs_eps", lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.9, patience=0, threshold_mode="abs",
                                                           min_lr=0.19999999, eps=1e-7), len(rising), rising)


def momentum_of(group):
    return group["betas"][0] if "betas" in group else group["momentum"]


def run_momentum(name, make_optimizer, make, steps):
    a, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = make_optimizer([{"params": [a]}, {"params": [b], "lr": 0.2}])
    sched = make(opt)
    lrs, momenta = [lrs_of(opt)], [[momentum_of(g) for g in opt.param_groups]]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(lrs_of(opt))
        momenta.append([momentum_of(g) for g in opt.param_groups])
    records.tensor(f"onecycle_momentum/{name}/cycle_lrs", torch.tensor(lrs, dtype=torch.float64))
    records.tensor(f"onecycle_momentum/{name}/momenta", torch.tensor(momenta, dtype=torch.float64))


run_momentum("sgd", lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9), lambda o: S.OneCycleLR(o, 1.0, 20), 20)
run_momentum("sgd_no_momentum", lambda p: torch.optim.SGD(p, lr=0.5),
             lambda o: S.OneCycleLR(o, 0.4, 11, pct_start=0.4, anneal_strategy="linear"), 11)
run_momentum("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.5, momentum=0.5),
             lambda o: S.OneCycleLR(o, 1.0, 15, base_momentum=0.7, max_momentum=0.8, three_phase=True), 15)
run_momentum("adam", lambda p: torch.optim.Adam(p, lr=0.5, betas=(0.9, 0.99)),
             lambda o: S.OneCycleLR(o, 0.01, 25, base_momentum=0.8, max_momentum=0.92), 25)
run_momentum("adamw", lambda p: torch.optim.AdamW(p, lr=0.5),
             lambda o: S.OneCycleLR(o, 2.0, 12, three_phase=True, anneal_strategy="linear"), 12)
records.save("schedulers.txt")
