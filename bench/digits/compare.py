#!/usr/bin/python3
"""Runs examples/digits (tapegrad) and bench/digits/digits_torch.py (PyTorch 1.13) side by
side on data/digits.csv.gz, interleaved (tapegrad, PyTorch, tapegrad, ...) so that both
see the same machine load, and prints each one's median ms per epoch over the runs, in
process CPU time (time spent descheduled on a shared machine is not the program's) and
wall time, with the test accuracies and the ratio.

  scripts/fetch_digits.sh && cmake --build build --target digits
  /usr/bin/python3 bench/digits/compare.py [--runs 3] [--epochs 30] [--digits build/examples/digits]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(command):
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    timing = re.search(r"ms_per_epoch ([\d.]+) cpu ([\d.]+)", out)
    accuracy = re.search(r"test accuracy ([\d.]+)", out)
    if not timing or not accuracy:
        sys.exit(f"compare.py: unexpected output from {command[0]}:\n{out}")
    return float(timing.group(1)), float(timing.group(2)), float(accuracy.group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--digits", default=os.path.join(ROOT, "build", "examples", "digits"))
    parser.add_argument("--data", default="data/digits.csv.gz")
    args = parser.parse_args()
    if not os.path.exists(os.path.join(ROOT, args.data)):
        sys.exit(f"compare.py: {args.data} is missing; run scripts/fetch_digits.sh")
    commands = {
        "tapegrad": [args.digits, "--data", args.data, "--epochs", str(args.epochs), "--quiet",
                     "--save", os.path.join(ROOT, "out", "digits_bench.tg")],
        "pytorch": ["/usr/bin/python3", os.path.join(ROOT, "bench", "digits", "digits_torch.py"),
                    "--data", args.data, "--epochs", str(args.epochs)],
    }
    results = {name: [] for name in commands}
    for i in range(args.runs):
        for name, command in commands.items():
            results[name].append(run(command + ["--seed", str(i)]))
    medians = {}
    for name, rows in results.items():
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        accuracies = ", ".join(f"{r[2]:.4f}" for r in rows)
        medians[name] = (wall, cpu)
        print(f"{name:<9} median ms/epoch: cpu {cpu:7.2f}  wall {wall:7.2f}   test accuracy per run: {accuracies}")
    ratio = medians["tapegrad"][1] / medians["pytorch"][1]
    print(f"tapegrad / pytorch (cpu): {ratio:.3f}   (target <= 0.333)")


if __name__ == "__main__":
    main()
