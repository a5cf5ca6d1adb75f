#!/bin/sh
# tapegrad-word2vec (both --step variants), gensim and fastText on data/corpus.txt with
# one set of settings (docs/baselines.md), RUNS times each (default 3), interleaved so
# that changes in machine load spread over all of them; then each run's vectors are
# scored and the medians printed as a Markdown table (summarize.py).
#   scripts/baselines/run_all.sh [RUNS] [THREADS...]     # THREADS default: 1
# ROUNDS_PARALLEL=1 starts the RUNS rounds at once (each still runs its tools one after
# another): on a machine shared with other work the CPU-time figures stay valid and the
# whole takes a third of the wall time. TAPEGRAD_WORD2VEC names the binary (default
# build/examples/tapegrad-word2vec).
# Every run is timed by GNU time: its CPU seconds (user + sys, all threads, the whole
# process: reading the corpus included) and its peak RSS. Vectors and logs go to
# data/baselines/ (gitignored); results.txt holds one line per run, eval.txt the scores.
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-3}
[ $# -gt 0 ] && shift
threads_list=${*:-1}
. scripts/apt_install.sh
apt_install fasttext python3-gensim python3-numpy bc time
[ -f data/corpus.txt ] || scripts/build_corpus.sh >/dev/null
[ -f data/eval/synonyms.txt ] || scripts/build_eval_sets.sh >/dev/null
bin=${TAPEGRAD_WORD2VEC:-build/examples/tapegrad-word2vec}
[ -x "$bin" ] || { echo "run_all.sh: $bin is missing; build tapegrad first (or set TAPEGRAD_WORD2VEC)" >&2; exit 1; }
out=data/baselines
mkdir -p "$out"
: >"$out/results.txt"
tokens=$(wc -w <data/corpus.txt)

# timed NAME COMMAND...: runs COMMAND (which prints one result line) under GNU time and
# appends that line with the run's CPU seconds, peak RSS and load to results.txt.
timed() {
    name=$1; shift
    load=$(cut -d' ' -f1 /proc/loadavg)
    line=$(/usr/bin/time -f "%U %S %M" -o "$out/$name.time" "$@")
    set -- $(tail -1 "$out/$name.time")
    echo "$line name=$name run=$r load1=$load cpu_s=$(echo "$1 + $2" | bc) rss_kb=$3 tokens=$tokens epochs=5" \
        >>"$out/results.txt"
    tail -1 "$out/results.txt" >&2
}

run_round() {
    r=$1
    for t in $threads_list; do
        for step in window pair; do
            timed "tapegrad-$step-t$t-r$r" sh scripts/baselines/tapegrad_skipgram.sh "$bin" "$step" data/corpus.txt \
                "$out/tapegrad-$step-t$t-r$r" "$t"
        done
        timed "gensim-t$t-r$r" /usr/bin/python3 scripts/baselines/gensim_skipgram.py data/corpus.txt \
            "$out/gensim-t$t-r$r" "$t"
        timed "fasttext-t$t-r$r" sh scripts/baselines/fasttext_skipgram.sh data/corpus.txt "$out/fasttext-t$t-r$r" "$t"
    done
}

r=1
while [ "$r" -le "$runs" ]; do
    if [ "${ROUNDS_PARALLEL:-0}" = 1 ]; then run_round "$r" & else run_round "$r"; fi
    r=$((r + 1))
done
wait
for vec in "$out"/*.vec; do
    echo "$(basename "$vec" .vec) $(/usr/bin/python3 scripts/eval_vectors.py "$vec" --eval-dir data/eval --oneline)"
done >"$out/eval.txt"
/usr/bin/python3 scripts/baselines/summarize.py "$out/results.txt" "$out/eval.txt"
