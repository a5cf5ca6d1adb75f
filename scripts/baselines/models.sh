#!/bin/bash
# Issue 13's side-by-side runs: subword skip-gram (tapegrad vs fastText -minn 3 -maxn 6)
# and CBOW (tapegrad vs gensim), one thread, dim 100, window 5, neg 5, min-count 5,
# sample 1e-4, EPOCHS epochs (default 5). Speed is CPU-time based (user + system time
# from /usr/bin/time, so a loaded machine does not lower it): words/sec/thread = corpus
# tokens x epochs / CPU seconds. Peak RSS from the same /usr/bin/time.
#   scripts/baselines/models.sh BINARY CORPUS OUT_DIR [EPOCHS] [WHICH...]
#   WHICH: fasttext gensim-cbow tapegrad-sub tapegrad-cbow (default: all four)
set -eu
bin=$1 corpus=$2 out=$3 epochs=${4:-5}
shift $(( $# < 4 ? $# : 4 ))
which=${*:-fasttext gensim-cbow tapegrad-sub tapegrad-cbow}
mkdir -p "$out"
tokens=$(wc -w < "$corpus")
common="--dim 100 --window 5 --negative 5 --min-count 5 --sample 1e-4 --epochs $epochs --threads 1 --quiet"
measure() {  # NAME COMMAND...
  local name=$1
  shift
  /usr/bin/time -f "%U %S %M" -o "$out/$name.time" "$@" > "$out/$name.log" 2>&1
  read -r user sys rss < "$out/$name.time"
  local cpu wps
  cpu=$(echo "$user + $sys" | bc)
  wps=$(echo "$tokens * $epochs / $cpu" | bc)
  local q
  q=$("$bin" eval "$out/$name.vec" --eval-dir "$(dirname "$corpus")/eval" --oneline)
  echo "$name epochs=$epochs cpu_s=$cpu words_sec_thread_cpu=$wps peak_rss_mb=$((rss / 1024)) $q (load: $(cut -d' ' -f1-3 /proc/loadavg))"
}
for w in $which; do
  case $w in
    fasttext) measure fasttext-sub fasttext skipgram -input "$corpus" -output "$out/fasttext-sub" -dim 100 -ws 5 \
        -neg 5 -minCount 5 -t 1e-4 -epoch "$epochs" -lr 0.05 -minn 3 -maxn 6 -bucket 2000000 -thread 1 ;;
    gensim-cbow) measure gensim-cbow /usr/bin/python3 "$(dirname "$0")/gensim_skipgram.py" "$corpus" \
        "$out/gensim-cbow" 1 --cbow --epochs "$epochs" ;;
    tapegrad-sub) measure tapegrad-sub "$bin" train --input "$corpus" --output "$out/tapegrad-sub.vec" $common \
        --minn 3 --maxn 6 --bucket 2000000 ;;
    tapegrad-cbow) measure tapegrad-cbow "$bin" train --input "$corpus" --output "$out/tapegrad-cbow.vec" $common \
        --model cbow ;;
  esac
done
