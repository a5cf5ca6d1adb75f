#!/usr/bin/env bash
# The first README command, on a fresh Debian 12 machine: installs the dependencies,
# builds tapegrad in Release (in build/, which scripts/test.sh then reuses), builds the
# default corpus and the WordNet evaluation sets from Debian packages, trains word
# vectors with tapegrad-word2vec on 2 threads (a few minutes), and shows nearest
# neighbours, an analogy and the evaluation scores.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${TAPEGRAD_JOBS:-2}
threads=${TAPEGRAD_THREADS:-2}
epochs=${TAPEGRAD_EPOCHS:-2}

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs" --target tapegrad-word2vec

# Reproducible: the same bytes on every run (each script prints a sha256 or counts).
[ -s data/corpus.txt ] || scripts/build_corpus.sh
[ -s data/eval/analogies.txt ] || scripts/build_eval_sets.sh

w2v=build/examples/tapegrad-word2vec
"$w2v" train --input data/corpus.txt --output data/vectors.vec --threads "$threads" \
  --epochs "$epochs" --log data/train.csv
python3 scripts/plot_loss.py data/train.csv data/loss.svg
echo "loss curve: data/loss.svg"

for word in king water love; do
  "$w2v" neighbors data/vectors.vec "$word" --k 8
done
"$w2v" analogy data/vectors.vec man king woman
"$w2v" eval data/vectors.vec --eval-dir data/eval
