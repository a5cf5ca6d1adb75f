#!/bin/sh
# Train the fastText and gensim baselines on data/corpus.txt (issue 5 settings),
# 1 and 2 threads, RUNS times each (default 3), interleaved so that changes in
# machine load spread over all configurations; then evaluate each run's vectors.
#   scripts/baselines/run_all.sh [RUNS]
# Vectors and logs go to data/baselines/ (gitignored); one line per run is
# appended to data/baselines/results.txt; the summary is printed at the end.
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-3}
. scripts/apt_install.sh
apt_install fasttext python3-gensim python3-numpy bc
[ -f data/corpus.txt ] || scripts/build_corpus.sh >/dev/null
out=data/baselines
mkdir -p "$out"
: >"$out/results.txt"
r=1
while [ "$r" -le "$runs" ]; do
    for threads in 1 2; do
        load=$(cut -d' ' -f1 /proc/loadavg)
        line=$(sh scripts/baselines/fasttext_skipgram.sh data/corpus.txt "$out/fasttext-t$threads-r$r" "$threads")
        echo "$line run=$r load1=$load" >>"$out/results.txt"
        load=$(cut -d' ' -f1 /proc/loadavg)
        line=$(/usr/bin/python3 scripts/baselines/gensim_skipgram.py data/corpus.txt "$out/gensim-t$threads-r$r" "$threads")
        echo "$line run=$r load1=$load" >>"$out/results.txt"
    done
    r=$((r + 1))
done
[ -f data/eval/synonyms.txt ] || scripts/build_eval_sets.sh >/dev/null
for vec in "$out"/*.vec; do
    echo "$(basename "$vec" .vec) $(/usr/bin/python3 scripts/eval_vectors.py "$vec" --eval-dir data/eval --oneline)"
done >"$out/eval.txt"
cat "$out/results.txt" "$out/eval.txt"
