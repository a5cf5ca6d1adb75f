#!/usr/bin/python3
"""Medians of bench/compare_builds.sh's rounds, base against new, as a Markdown table.

  compare_builds.py RESULTS_DIR

Each benchmark's CPU time per iteration, median over the rounds, for the base and the new
build, and new / base: below 1 the new build is faster. Rows above 1.10 are marked, as
are benchmarks only one side has.
"""
import glob
import json
import os
import statistics
import sys


def medians(folder, side):
    times = {}
    for path in glob.glob(os.path.join(folder, f"{side}-*.json")):
        with open(path, encoding="utf-8") as f:
            for b in json.load(f)["benchmarks"]:
                if b.get("run_type", "iteration") != "iteration":
                    continue
                scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[b.get("time_unit", "ns")]
                times.setdefault(b["name"], []).append(b["cpu_time"] * scale)
    return {name: statistics.median(v) for name, v in times.items()}


def main():
    folder = sys.argv[1]
    base, new = medians(folder, "base"), medians(folder, "new")
    print("| benchmark | base us | new us | new / base |")
    print("| --- | ---: | ---: | ---: |")
    slower = []
    for name in sorted(set(base) | set(new)):
        if name not in base or name not in new:
            print(f"| {name} | {base.get(name, '-')} | {new.get(name, '-')} | only one side |")
            continue
        ratio = new[name] / base[name]
        mark = " **slower**" if ratio > 1.10 else ""
        if ratio > 1.10:
            slower.append(name)
        print(f"| {name} | {base[name]:.3f} | {new[name]:.3f} | {ratio:.2f}{mark} |")
    common = [n for n in base if n in new]
    if common:
        geo = statistics.geometric_mean([new[n] / base[n] for n in common])
        print(f"\n{len(common)} benchmarks on both sides; geometric mean of new / base {geo:.3f}; "
              f"{len(slower)} more than 10% slower")


if __name__ == "__main__":
    main()
