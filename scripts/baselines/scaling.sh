#!/bin/sh
# tapegrad-word2vec on 1 thread and on 2 Hogwild threads of one process (`threads`), or on
# 1 process and on `mpirun -np 2` processes of 1 thread each (`mpi`), the baselines'
# settings (docs/baselines.md), RUNS times each (default 3), interleaved; then every
# run's vectors are scored. Prints one line per run (wall seconds, the trainer's
# words/sec/thread, AUC, Spearman, analogy) and, per side, the median wall seconds and
# trainer words/sec (all threads or processes), with the 2-way side's speedup in both
# (docs/distributed.md, docs/baselines.md).
#   scripts/baselines/scaling.sh threads|mpi [RUNS] [EPOCHS]
# Wall time is what scaling is about: run it on an otherwise idle machine.
# SKIP_ONE=1 runs only the 2-way side.
set -eu
cd "$(dirname "$0")/../.."
mode=${1:?usage: scripts/baselines/scaling.sh threads|mpi [RUNS] [EPOCHS]}
runs=${2:-3}
epochs=${3:-5}
case $mode in threads|mpi) ;; *) echo "scaling.sh: mode '$mode'; expected threads or mpi" >&2; exit 2 ;; esac
bin=${TAPEGRAD_WORD2VEC:-build/examples/tapegrad-word2vec}
[ -f data/corpus.txt ] || scripts/build_corpus.sh >/dev/null
[ -f data/eval/synonyms.txt ] || scripts/build_eval_sets.sh >/dev/null
out=data/baselines/$mode
mkdir -p "$out"
: >"$out/results.txt"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
settings="--dim 100 --window 5 --negative 5 --min-count 5 --sample 1e-4 --epochs $epochs --lr 0.05 --seed 1"

one_run() {  # one_run NAME THREADS LAUNCH...
    name=$1; threads=$2; shift 2
    start=$(date +%s.%N)
    # shellcheck disable=SC2086 # settings are split on purpose
    "$@" "$bin" train --input data/corpus.txt --output "$out/$name.vec" $settings --threads "$threads" >"$out/$name.log" 2>&1
    end=$(date +%s.%N)
    wps=$(grep -o 'words/sec/thread: *[0-9]*' "$out/$name.log" | tail -1 | grep -o '[0-9]*$')
    scores=$("$bin" eval "$out/$name.vec" --synonyms data/eval/synonyms.txt --similarity data/eval/similarity.txt \
        --analogies data/eval/analogies.txt 2>/dev/null | tr '\n' ' ')
    echo "$name wall_s=$(echo "$end - $start" | bc) words_sec_thread=$wps $scores" | tee -a "$out/results.txt"
}

r=1
while [ "$r" -le "$runs" ]; do
    [ "${SKIP_ONE:-0}" = 1 ] || one_run "one-r$r" 1 env
    if [ "$mode" = threads ]; then one_run "two-r$r" 2 env; else one_run "two-r$r" 1 mpirun --oversubscribe -np 2; fi
    r=$((r + 1))
done
# Per side the medians of the wall seconds (reading the corpus and writing the vectors
# included) and of the trainer's words/sec of training, all threads or processes
# together; the 2-way side's speedup in each.
awk '{ split($2, w, "="); split($3, r, "="); side = substr($1, 1, 3); k = ++n[side]
       wall[side, k] = w[2]; rate[side, k] = r[2] * (side == "two" ? 2 : 1) }
     function median(a, side,   i, j, x, v, m) {
         m = n[side]; for (i = 1; i <= m; i++) v[i] = a[side, i]
         for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
         return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
     END { for (s = 1; s <= 2; s++) { side = s == 1 ? "one" : "two"
               if (n[side]) printf "%s-way: median wall %.1f s, trainer %.0f words/sec in all\n", s, median(wall, side), median(rate, side) }
           if (n["one"] && n["two"])
               printf "speedup: wall %.2fx, trainer words/sec %.2fx\n", median(wall, "one") / median(wall, "two"),
                      median(rate, "two") / median(rate, "one") }' "$out/results.txt"
