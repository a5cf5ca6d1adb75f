#!/usr/bin/python3
"""Write tests/data/tiny_vectors.vec and tests/data/tiny_eval_expected.txt.

A small synthetic word2vec text file over the tiny corpus's words (count >= 2)
that tapegrad's `eval` command is tested against: the expected output is what
scripts/eval_vectors.py prints for it on the tiny eval sets. The vectors are
seeded random, with structure so that the scores are not all chance: each
analogy section gets an offset (b = a + offset + noise, so some questions are
answered right), synonym pairs are pulled together, and one word
has a zero vector (cosine 0 with everything by definition).
"""
import collections
import os
import random
import subprocess
import sys

DIM = 8
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
data = os.path.join(root, "tests", "data")
rng = random.Random(11)
counts = collections.Counter()
with open(os.path.join(data, "tiny_corpus.txt"), encoding="ascii") as f:
    for line in f:
        counts.update(line.split())
words = sorted((w for w, c in counts.items() if c >= 2), key=lambda w: (-counts[w], w))
vec = {w: [rng.uniform(-1, 1) for _ in range(DIM)] for w in words}

section = None
offsets = {}
with open(os.path.join(data, "tiny_analogies.txt"), encoding="ascii") as f:
    for line in f:
        if line.startswith(":"):
            section = line[1:].strip()
            offsets[section] = [rng.uniform(-1, 1) for _ in range(DIM)]
            continue
        a, b = line.split()[:2]
        if a in vec and b in vec:
            vec[b] = [x + o + rng.gauss(0, 0.3) for x, o in zip(vec[a], offsets[section])]
with open(os.path.join(data, "tiny_synonyms.txt"), encoding="ascii") as f:
    for line in f:
        a, b, label = line.split()
        if label == "1" and a in vec and b in vec and rng.random() < 0.7:
            vec[b] = [x + rng.gauss(0, 0.4) for x in vec[a]]
vec[words[len(words) // 2]] = [0.0] * DIM

out = os.path.join(data, "tiny_vectors.vec")
with open(out, "w", encoding="ascii", newline="\n") as f:
    f.write(f"{len(words)} {DIM}\n")
    for w in words:
        f.write(w + " " + " ".join(f"{x:.4f}" for x in vec[w]) + "\n")
res = subprocess.run([sys.executable, os.path.join(root, "scripts", "eval_vectors.py"), "tests/data/tiny_vectors.vec",
                      "--synonyms", "tests/data/tiny_synonyms.txt", "--similarity", "tests/data/tiny_similarity.txt",
                      "--analogies", "tests/data/tiny_analogies.txt"], cwd=root, check=True,
                     stdout=subprocess.PIPE).stdout.decode()
with open(os.path.join(data, "tiny_eval_expected.txt"), "w", encoding="ascii", newline="\n") as f:
    f.write(res)
print(res, end="")
