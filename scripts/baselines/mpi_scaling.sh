#!/bin/sh
# tapegrad-word2vec on 1 process x 1 thread and on `mpirun -np 2` x 1 thread, the
# baselines' settings (docs/baselines.md), RUNS times each (default 3), interleaved; then
# every run's vectors are scored. Prints one line per run (wall seconds, the trainer's
# words/sec/thread, AUC, Spearman, analogy) and the medians (docs/distributed.md).
#   scripts/baselines/mpi_scaling.sh [RUNS] [EPOCHS]
# Wall time is what scaling is about: run it on an otherwise idle machine.
# SKIP_NP1=1 runs only the 2-process side.
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-3}
epochs=${2:-5}
bin=${TAPEGRAD_WORD2VEC:-build/examples/tapegrad-word2vec}
[ -f data/corpus.txt ] || scripts/build_corpus.sh >/dev/null
[ -f data/eval/synonyms.txt ] || scripts/build_eval_sets.sh >/dev/null
out=data/baselines/mpi
mkdir -p "$out"
: >"$out/results.txt"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
settings="--dim 100 --window 5 --negative 5 --min-count 5 --sample 1e-4 --epochs $epochs --lr 0.05 --threads 1 --seed 1"

one_run() {  # one_run NAME LAUNCH...
    name=$1; shift
    start=$(date +%s.%N)
    # shellcheck disable=SC2086 # settings are split on purpose
    "$@" "$bin" train --input data/corpus.txt --output "$out/$name.vec" $settings >"$out/$name.log" 2>&1
    end=$(date +%s.%N)
    wps=$(grep -o 'words/sec/thread: *[0-9]*' "$out/$name.log" | tail -1 | grep -o '[0-9]*$')
    scores=$("$bin" eval "$out/$name.vec" --synonyms data/eval/synonyms.txt --similarity data/eval/similarity.txt \
        --analogies data/eval/analogies.txt 2>/dev/null | tr '\n' ' ')
    echo "$name wall_s=$(echo "$end - $start" | bc) words_sec_thread=$wps $scores" | tee -a "$out/results.txt"
}

r=1
while [ "$r" -le "$runs" ]; do
    [ "${SKIP_NP1:-0}" = 1 ] || one_run "np1-r$r" env
    one_run "np2-r$r" mpirun --oversubscribe -np 2
    r=$((r + 1))
done
