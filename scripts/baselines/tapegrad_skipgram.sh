#!/bin/sh
# One tapegrad-word2vec run with the baselines' settings (docs/baselines.md).
#   tapegrad_skipgram.sh BINARY STEP CORPUS OUTPUT_PREFIX THREADS [FLAG...]
# STEP is window or pair (--step); FLAGs go to train as they are (e.g. --batch 128). Writes OUTPUT_PREFIX.vec and OUTPUT_PREFIX.log and
# prints "tapegrad-STEP threads=T wall_s=W words_sec_thread=N" (N: the trainer's own
# figure, corpus tokens per second of training per thread).
set -eu
bin=$1 step=$2 corpus=$3 out=$4 threads=$5
shift 5
start=$(date +%s.%N)
"$bin" train --input "$corpus" --output "$out.vec" --dim 100 --window 5 --negative 5 \
    --min-count 5 --sample 1e-4 --epochs 5 --lr 0.05 --threads "$threads" --step "$step" \
    --seed 1 --quiet "$@" >"$out.log" 2>&1
end=$(date +%s.%N)
wps=$(grep -o 'words/sec/thread: *[0-9]*' "$out.log" | tail -1 | grep -o '[0-9]*$')
echo "tapegrad-$step threads=$threads wall_s=$(printf "%.1f" "$(echo "$end - $start" | bc)") words_sec_thread=$wps"
