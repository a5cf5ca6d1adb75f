#!/usr/bin/python3
"""Medians of run_all.sh's runs, as a Markdown table.

  summarize.py RESULTS EVAL

RESULTS: one line per run, "TOOL threads=T wall_s=W ... name=N run=R load1=L cpu_s=C
rss_kb=K tokens=X epochs=E"; EVAL: "NAME auc=A spearman=S analogy=Y covered=...".
Columns: cpu words/sec/thread = X * E / C, the corpus tokens trained per CPU second
(all threads' CPU time summed, so it is a per-thread figure, and it does not count the
time another process held the core); wall words/sec/thread = X * E / W / T; the tool's
own figure; peak RSS; the scores (runs with one seed and one thread score alike; the
median is shown). Each cell is the median over the runs, with the loads they saw.
"""
import statistics
import sys


def fields(line):
    parts = line.split()
    return parts[0], dict(p.split("=", 1) for p in parts[1:] if "=" in p)


def main():
    results, evals = sys.argv[1], sys.argv[2]
    scores = {}
    for line in open(evals, encoding="utf-8"):
        name, f = fields(line)
        scores[name] = f
    groups = {}
    for line in open(results, encoding="utf-8"):
        if not line.strip():
            continue
        tool, f = fields(line)
        # One row per configuration: the run's name without its "-rN" (tool, step, flags, threads).
        config = f["name"].rsplit("-r", 1)[0] if "name" in f else tool
        groups.setdefault((config, int(f["threads"])), []).append(f)
    print("| tool | threads | runs | load1 | cpu words/sec/thread | wall words/sec/thread | own figure "
          "| cpu s | peak RSS MiB | auc | spearman | analogy |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    med = statistics.median
    for (tool, threads), runs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        work = [int(f["tokens"]) * int(f["epochs"]) for f in runs]
        cpu = [float(f["cpu_s"]) for f in runs]
        wall = [(w, float(f["wall_s"])) for w, f in zip(work, runs) if f.get("wall_s", "NA") != "NA"]
        own = [float(f["words_sec_thread"]) for f in runs if f.get("words_sec_thread")]
        rss = [int(f["rss_kb"]) / 1024 for f in runs]
        s = [scores.get(f["name"], {}) for f in runs]
        def score(key):
            vals = [float(x[key]) for x in s if key in x]
            return f"{med(vals):.4f}" if vals else "-"
        loads = ",".join(f["load1"] for f in runs)
        print(f"| {tool} | {threads} | {len(runs)} | {loads} | {med(w / c for w, c in zip(work, cpu)):,.0f} "
              f"| {med([w / t / threads for w, t in wall]) if wall else float('nan'):,.0f} | {med(own):,.0f} | {med(cpu):.1f} "
              f"| {med(rss):.0f} | {score('auc')} | {score('spearman')} | {score('analogy')} |")


if __name__ == "__main__":
    main()
