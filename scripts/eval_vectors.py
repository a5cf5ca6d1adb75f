#!/usr/bin/python3
"""Score word vectors (word2vec text format) on tapegrad's WordNet eval sets.

  eval_vectors.py VECTORS.vec [--eval-dir data/eval] [--synonyms F] [--similarity F]
                  [--analogies F] [--oneline]

This script is the reference for tapegrad-word2vec's `eval` command: both must
print the same numbers (to the 4 printed decimals) on the same files.

Definitions (docs/eval-sets.md repeats them):
  Vectors: the .vec file's first line is "count dim"; each later line is a word
    and dim numbers. Later duplicates of a word are ignored. A pair or question
    is covered when all its words are in the file.
  synonyms (word1 word2 label): cosine of the two vectors; ROC-AUC of cosine
    against the 0/1 labels over the covered pairs = the Mann-Whitney
    probability that a random label-1 pair outranks a random label-0 pair,
    ties counting one half. A zero vector has cosine 0 with everything.
  similarity (word1 word2 score): Spearman correlation between cosine and
    score over the covered pairs: Pearson correlation of the ranks, tied
    values getting the mean of their ranks.
  analogies (": section" lines, then "a b c d"): 3CosAdd. Vectors are scaled
    to unit length; the answer is the word w of the whole file, other than a,
    b and c, maximising dot(w, b - a + c); ties go to the word earlier in the
    file. accuracy = correct / covered, per section and in total.

Output (one "key: value" line each; the C++ command prints the same keys):
  vectors: PATH words=N dim=D
  synonyms: auc=0.9123 covered=3990/4000 positives=1995 negatives=1995
  similarity: spearman=0.6412 covered=998/1000
  analogy SECTION: accuracy=0.4120 correct=412 covered=1000/1000
  analogy total: accuracy=0.3901 correct=3120 covered=7998/8506
With --oneline: "auc=0.9123 spearman=0.6412 analogy=0.3901 covered=3990/4000,998/1000,7998/8506".
Uses numpy when it is installed (Debian's python3-numpy), plain Python otherwise.
"""
import argparse
import math
import os
import sys

try:
    import numpy as np
except ImportError:  # pragma: no cover - the pure-Python path is exercised with --no-numpy
    np = None


def load_vectors(path):
    words, rows, index = [], [], {}
    with open(path, encoding="utf-8", errors="replace") as f:
        header = f.readline().split()
        if len(header) != 2:
            raise SystemExit(f"{path}: first line must be 'count dim', got {' '.join(header)!r}")
        dim = int(header[1])
        for n, line in enumerate(f, 2):
            parts = line.rstrip().split(" ")
            if len(parts) != dim + 1:
                raise SystemExit(f"{path}:{n}: expected a word and {dim} numbers, got {len(parts)} fields")
            if parts[0] in index:
                continue
            index[parts[0]] = len(words)
            words.append(parts[0])
            rows.append([float(x) for x in parts[1:]])
    return words, index, rows, dim


def read_pairs(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) == 3:
                out.append((p[0], p[1], float(p[2])))
    return out


def read_analogies(path):
    sections, name = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(":"):
                name = line[1:].strip()
                sections.append((name, []))
            elif line.strip():
                if name is None:
                    sections.append(("questions", []))
                    name = "questions"
                sections[-1][1].append(tuple(line.split()))
    return sections


def ranks(values):
    """1-based ranks, ties getting the mean rank of their group."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return r


def roc_auc(scores, labels):
    r = ranks(scores)
    pos = sum(1 for l in labels if l > 0.5)
    neg = len(labels) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    rank_sum = sum(ri for ri, l in zip(r, labels) if l > 0.5)
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


def spearman(x, y):
    if len(x) < 2:
        return float("nan")
    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else float("nan")


class Vectors:
    def __init__(self, path, use_numpy=True):
        self.words, self.index, rows, self.dim = load_vectors(path)
        self.np = use_numpy and np is not None
        norms = [math.sqrt(sum(v * v for v in r)) for r in rows]
        unit = [[v / n for v in r] if n > 0 else list(r) for r, n in zip(rows, norms)]
        self.unit = np.array(unit, dtype=np.float64).reshape(len(unit), self.dim) if self.np else unit

    def cosine(self, a, b):
        u, v = self.unit[self.index[a]], self.unit[self.index[b]]
        return float(np.dot(u, v)) if self.np else sum(x * y for x, y in zip(u, v))

    def analogy(self, a, b, c):
        ia, ib, ic = self.index[a], self.index[b], self.index[c]
        if self.np:
            q = self.unit[ib] - self.unit[ia] + self.unit[ic]
            s = self.unit @ q
            s[[ia, ib, ic]] = -np.inf
            return self.words[int(np.argmax(s))]  # argmax: first of equal maxima
        q = [y - x + z for x, y, z in zip(self.unit[ia], self.unit[ib], self.unit[ic])]
        best, best_i = -math.inf, -1
        for i, u in enumerate(self.unit):
            if i in (ia, ib, ic):
                continue
            s = sum(x * y for x, y in zip(u, q))
            if s > best:
                best, best_i = s, i
        return self.words[best_i]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vectors")
    ap.add_argument("--eval-dir", default="data/eval", help="holds synonyms.txt, similarity.txt, analogies.txt")
    ap.add_argument("--synonyms")
    ap.add_argument("--similarity")
    ap.add_argument("--analogies")
    ap.add_argument("--oneline", action="store_true")
    ap.add_argument("--no-numpy", action="store_true", help="force the pure-Python path")
    args = ap.parse_args()
    files = {}
    for name in ("synonyms", "similarity", "analogies"):
        path = getattr(args, name) or os.path.join(args.eval_dir, name + ".txt")
        if os.path.exists(path):
            files[name] = path

    vec = Vectors(args.vectors, use_numpy=not args.no_numpy)
    lines, short = [f"vectors: {args.vectors} words={len(vec.words)} dim={vec.dim}"], {}

    if "synonyms" in files:
        pairs = read_pairs(files["synonyms"])
        cov = [(vec.cosine(a, b), l) for a, b, l in pairs if a in vec.index and b in vec.index]
        auc = roc_auc([c for c, _ in cov], [l for _, l in cov])
        pos = sum(1 for _, l in cov if l > 0.5)
        lines.append(f"synonyms: auc={auc:.4f} covered={len(cov)}/{len(pairs)} "
                     f"positives={pos} negatives={len(cov) - pos}")
        short["auc"] = (auc, f"{len(cov)}/{len(pairs)}")

    if "similarity" in files:
        pairs = read_pairs(files["similarity"])
        cov = [(vec.cosine(a, b), s) for a, b, s in pairs if a in vec.index and b in vec.index]
        rho = spearman([c for c, _ in cov], [s for _, s in cov])
        lines.append(f"similarity: spearman={rho:.4f} covered={len(cov)}/{len(pairs)}")
        short["spearman"] = (rho, f"{len(cov)}/{len(pairs)}")

    if "analogies" in files:
        tot_q = tot_cov = tot_ok = 0
        for name, qs in read_analogies(files["analogies"]):
            cov = [q for q in qs if len(q) == 4 and all(w in vec.index for w in q)]
            ok = sum(1 for a, b, c, d in cov if vec.analogy(a, b, c) == d)
            acc = ok / len(cov) if cov else float("nan")
            lines.append(f"analogy {name}: accuracy={acc:.4f} correct={ok} covered={len(cov)}/{len(qs)}")
            tot_q, tot_cov, tot_ok = tot_q + len(qs), tot_cov + len(cov), tot_ok + ok
        acc = tot_ok / tot_cov if tot_cov else float("nan")
        lines.append(f"analogy total: accuracy={acc:.4f} correct={tot_ok} covered={tot_cov}/{tot_q}")
        short["analogy"] = (acc, f"{tot_cov}/{tot_q}")

    if args.oneline:
        print(" ".join(f"{k}={v:.4f}" for k, (v, _) in short.items()) +
              " covered=" + ",".join(c for _, c in short.values()))
    else:
        print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
