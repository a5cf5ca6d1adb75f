#!/usr/bin/python3
"""Side-by-side table of tapegrad's benchmarks, their peers and the issues' targets.

Reads the Google Benchmark JSON files written by bench/run_all.sh (medians of the
repetitions, CPU time) and the JSON of bench/peers/pytorch_optim.py; any of them may be
missing. Usage: compare.py DIR   (DIR holds core.json, embedding.json, optim.json,
libtorch.json, pytorch_optim.json)
"""
import json
import os
import sys

UNIT = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}  # to microseconds


def load_gbench(path):
    """{run_name: median CPU time in µs} (and GFLOP/s counters under name + ':GFLOP/s')."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path) as f:
        data = json.load(f)
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        out[b["run_name"]] = b["cpu_time"] * UNIT[b["time_unit"]]
        if "GFLOP/s" in b:
            out[b["run_name"] + ":GFLOP/s"] = b["GFLOP/s"]
    return out


def fmt(x, unit="us"):
    if x is None:
        return "-"
    if unit == "ms":
        return f"{x / 1e3:.3f} ms"
    return f"{x:.3f} us" if x < 1e3 else f"{x / 1e3:.3f} ms"


def main():
    d = sys.argv[1]
    core = load_gbench(os.path.join(d, "core.json"))
    emb = load_gbench(os.path.join(d, "embedding.json"))
    opt = load_gbench(os.path.join(d, "optim.json"))
    lt = load_gbench(os.path.join(d, "libtorch.json"))
    pt = {}
    p = os.path.join(d, "pytorch_optim.json")
    if os.path.exists(p):
        with open(p) as f:
            pt = {k: v * 1e3 for k, v in json.load(f).items()}  # ms -> µs
    rows = []

    def row(issue, name, tg, peer, target, ok, unit="us"):
        verdict = "-" if ok is None else ("PASS" if ok else "FAIL")
        rows.append((issue, name, fmt(tg, unit), fmt(peer, unit), target, verdict))

    def le(a, b):
        return None if a is None or b is None else a <= b

    # issue 2
    for name, limit in (("BM_AddRecorded", 0.5), ("BM_TanhGraphForwardBackward", 5.0)):
        t = core.get(name)
        row(2, name, t, lt.get(name), f"<= {limit} us (libtorch quoted {1.32 if 'Add' in name else 18} us)",
            le(t, limit))
    for n in (512, 1024):
        a, b = core.get(f"BM_Matmul/{n}:GFLOP/s"), core.get(f"BM_DirectSgemm/{n}:GFLOP/s")
        ok = None if a is None or b is None else a >= 0.95 * b
        rows.append((2, f"BM_Matmul/{n} GFLOP/s", f"{a:.1f}" if a else "-", f"sgemm {b:.1f}" if b else "-",
                     ">= 95% of direct sgemm", "-" if ok is None else ("PASS" if ok else "FAIL")))
    # issue 3
    for v in (10000, 1000000):
        for dim in (64, 300):
            for n in (4096, 65536):
                key = f"{v}/{dim}/{n}"
                t, base = emb.get(f"BM_EmbeddingForward/{key}"), emb.get(f"BM_RowCopyLoop/{key}")
                fresh = emb.get(f"BM_RowCopyLoopFreshOutput/{key}")
                target = f"<= 1.2x row copy {fmt(base)}" + (f" (fresh out {fmt(fresh)})" if fresh else "")
                row(3, f"EmbeddingForward/{key}", t, lt.get(f"BM_EmbeddingForward/{key}"), target,
                    le(t, None if base is None else 1.2 * base))
    for v in (10000, 1000000):
        key = f"{v}/64/1"
        t = emb.get(f"BM_EmbeddingForward/{key}")
        row(3, f"EmbeddingForward/{key}", t, lt.get(f"BM_EmbeddingForward/{key}"), "< 1 us (libtorch quoted 2.1)",
            le(t, 1.0))
    for v in (10000, 1000000):
        key = f"{v}/64/1"
        t = emb.get(f"BM_SparseBackward/{key}")
        row(3, f"SparseBackward/{key}", t, lt.get(f"BM_SparseBackward/{key}"), "< 5 us (libtorch quoted 9.4)",
            le(t, 5.0))
        t = emb.get(f"BM_SparseForwardBackward/{key}")
        row(3, f"SparseForwardBackward/{key}", t, lt.get(f"BM_SparseForwardBackward/{key}"), "(engine, no target)",
            None)
    for dim in (64, 300):
        for n in (4096, 65536):
            small, big = emb.get(f"BM_SparseBackward/10000/{dim}/{n}"), emb.get(f"BM_SparseBackward/1000000/{dim}/{n}")
            lsmall, lbig = lt.get(f"BM_SparseBackward/10000/{dim}/{n}"), lt.get(f"BM_SparseBackward/1000000/{dim}/{n}")
            r = None if not small or big is None else big / small
            lr = None if not lsmall or lbig is None else lbig / lsmall
            rows.append((3, f"SparseBackward 1e6/1e4 /{dim}/{n}", "-" if r is None else f"{r:.2f}x",
                         "-" if lr is None else f"{lr:.2f}x", "<= 1.5x", "-" if r is None else
                         ("PASS" if r <= 1.5 else "FAIL")))
    # issue 4
    for opt_name, pt_name in (("SparseAdam", "SparseAdam"), ("Adagrad_sparse", "Adagrad_sparse"),
                              ("SGD_sparse", "SGD_sparse")):
        for v in (10000, 100000, 1000000):
            t = opt.get(f"BM_{opt_name}_tapegrad/{v}")
            plain = opt.get(f"BM_{opt_name}_plain/{v}")
            tuned = opt.get(f"BM_{opt_name}_plain_tuned/{v}")
            row(4, f"{opt_name}/{v}", t, pt.get(f"{pt_name}/{v}"),
                f"<= 1.5x plain {fmt(plain, 'ms')} (tuned {fmt(tuned, 'ms')})",
                le(t, None if plain is None else 1.5 * plain), "ms")
        small, big = opt.get(f"BM_{opt_name}_tapegrad/10000"), opt.get(f"BM_{opt_name}_tapegrad/1000000")
        psmall, pbig = pt.get(f"{pt_name}/10000"), pt.get(f"{pt_name}/1000000")
        r = None if not small or big is None else big / small
        pr = None if not psmall or pbig is None else pbig / psmall
        rows.append((4, f"{opt_name} 1e6/1e4", "-" if r is None else f"{r:.2f}x", "-" if pr is None else f"{pr:.2f}x",
                     "<= 1.5x", "-" if r is None else ("PASS" if r <= 1.5 else "FAIL")))

    widths = [max(len(str(r[i])) for r in rows + [("issue", "benchmark", "tapegrad", "peer", "target", "")])
              for i in range(6)]
    header = ("issue", "benchmark", "tapegrad", "peer", "target", "")
    for r in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())


if __name__ == "__main__":
    main()
