#!/usr/bin/python3
"""PyTorch 1.13 peer of tapegrad's bench_optim: one optimizer step with a sparse
gradient on a (V, 128) float32 table, V = 1e4, 1e5, 1e6, one thread.

The gradient has 4096 entries, a quarter of them repeats of other entries' rows, in
random order, uncoalesced (as nn.Embedding(sparse=True) emits it) -- the batch of
bench/bench_optim.cpp. Each repetition times a run of steps and reports the mean
step; the script prints the median (and min/max) over the repetitions, in ms of
process CPU time (as Google Benchmark's CPU column: on a shared machine, time spent
descheduled is not the step's), or with --json the medians as JSON.

  /usr/bin/python3 bench/peers/pytorch_optim.py [--repetitions 5] [--min-time 0.3] [--json FILE]
"""
import argparse
import json
import statistics
import time

import torch

DIM = 128
ENTRIES = 4096


def make_grad(num_rows, gen):
    unique = torch.randperm(num_rows, generator=gen)[: ENTRIES * 3 // 4]
    repeats = unique[torch.randint(0, unique.numel(), (ENTRIES - unique.numel(),), generator=gen)]
    rows = torch.cat([unique, repeats])
    rows = rows[torch.randperm(ENTRIES, generator=gen)]
    values = torch.randn(ENTRIES, DIM, generator=gen)
    return torch.sparse_coo_tensor(rows.unsqueeze(0), values, (num_rows, DIM))


def time_optimizer(make_optimizer, num_rows, repetitions, min_time):
    gen = torch.Generator().manual_seed(42)
    grad = make_grad(num_rows, gen)
    table = torch.nn.Parameter(torch.zeros(num_rows, DIM))
    optimizer = make_optimizer([table])
    # One untimed step creates the lazy state, as in bench_optim.
    table.grad = grad
    optimizer.step()
    # Calibrate the number of steps per repetition to about min_time seconds.
    steps, elapsed = 1, 0.0
    while True:
        start = time.process_time()
        for _ in range(steps):
            table.grad = grad
            optimizer.step()
        elapsed = time.process_time() - start
        if elapsed >= min_time / 4 or steps >= 1 << 16:
            break
        steps *= 2
    steps = max(1, int(steps * min_time / max(elapsed, 1e-9)))
    per_step = []
    for _ in range(repetitions):
        start = time.process_time()
        for _ in range(steps):
            table.grad = grad
            optimizer.step()
        per_step.append((time.process_time() - start) / steps * 1e3)
    return per_step


OPTIMIZERS = {
    "SparseAdam": lambda params: torch.optim.SparseAdam(params, lr=1e-3),
    "Adagrad_sparse": lambda params: torch.optim.Adagrad(params, lr=1e-2),
    "SGD_sparse": lambda params: torch.optim.SGD(params, lr=1e-2),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.3, help="seconds per repetition")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--json", help="also write {name/V: median ms} to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"# torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"{args.repetitions} repetitions; ms per step")
    print(f"{'benchmark':<28}{'V':>9}{'median':>10}{'min':>10}{'max':>10}")
    medians = {}
    for name, make in OPTIMIZERS.items():
        for v in (int(s) for s in args.sizes.split(",")):
            t = time_optimizer(make, v, args.repetitions, args.min_time)
            medians[f"{name}/{v}"] = statistics.median(t)
            print(f"{name + '_pytorch':<28}{v:>9}{statistics.median(t):>10.4f}{min(t):>10.4f}{max(t):>10.4f}",
                  flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(medians, f, indent=1)


if __name__ == "__main__":
    main()
