#!/bin/sh
# One fastText word-level skip-gram run with issue 5's settings.
#   fasttext_skipgram.sh CORPUS OUTPUT_PREFIX THREADS
# Writes OUTPUT_PREFIX.vec (word2vec text format) and OUTPUT_PREFIX.log, and prints
#   fasttext threads=T wall_s=W words_sec_thread=N
# where N is fastText's own final "words/sec/thread" figure (corpus tokens read).
# -bucket 0: with -minn 0 -maxn 0 no subword rows are used, so this only skips
# allocating and initialising 2M unused rows; the training is unchanged.
set -eu
corpus=$1 out=$2 threads=$3
start=$(date +%s.%N)
fasttext skipgram -input "$corpus" -output "$out" -dim 100 -ws 5 -neg 5 \
    -minCount 5 -t 1e-4 -epoch 5 -lr 0.05 -minn 0 -maxn 0 -bucket 0 \
    -thread "$threads" -verbose 2 >"$out.log" 2>&1
end=$(date +%s.%N)
rm -f "$out.bin"
# Progress is refreshed with \r; the last update holds the run's average.
wps=$(tr '\r' '\n' <"$out.log" | grep -o 'words/sec/thread: *[0-9]*' | tail -1 | grep -o '[0-9]*$')
echo "fasttext threads=$threads wall_s=$(printf "%.1f" "$(echo "$end - $start" | bc)") words_sec_thread=$wps"
