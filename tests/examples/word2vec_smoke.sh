#!/bin/bash
# tapegrad-word2vec end to end on the tiny corpus, in seconds: train with two threads,
# check the .vec and the CSV log, plot the log, save a checkpoint and resume from it.
#   word2vec_smoke.sh BINARY SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
source "$(dirname "$0")/scratch.sh"
if [ ! -f "$corpus" ]; then
  echo "SKIP: $corpus is missing (scripts/build_corpus.sh writes it)"
  exit 77
fi

"$bin" train --input "$corpus" --output "$work/v.vec" --dim 20 --min-count 2 --epochs 2 --threads 2 --sample 0 \
  --log "$work/log.csv" --checkpoint "$work/ckpt.tg" --seed 3 2> "$work/stderr"
grep -qE '^words/sec/thread: [0-9]+$' "$work/stderr" || fail "no 'words/sec/thread: N' line"
read -r count dim < "$work/v.vec"
[ "$dim" = 20 ] || fail ".vec header says dim $dim; expected 20"
[ "$(wc -l < "$work/v.vec")" = $((count + 1)) ] || fail ".vec has not count + 1 lines"
awk 'NR > 1 && NF != 21 { exit 1 }' "$work/v.vec" || fail "a .vec line has not word + 20 numbers"
head -1 "$work/log.csv" | grep -qx 'tokens,loss,lr,words_per_sec' || fail "CSV header"
[ "$(wc -l < "$work/log.csv")" -ge 2 ] || fail "CSV has no rows"
# The loss falls from log(2) * (1 + negatives) = 4.16 (no subsampling: the corpus is tiny).
awk -F, 'END { exit !($2 > 0 && $2 < 3.8) }' "$work/log.csv" || fail "loss did not fall: $(tail -1 "$work/log.csv")"
if command -v python3 > /dev/null; then
  python3 "$src/scripts/plot_loss.py" "$work/log.csv" "$work/loss.svg"
  grep -q '<polyline' "$work/loss.svg" || fail "no curve in the SVG"
fi
[ -f "$work/ckpt.tg" ] || fail "no checkpoint"
"$bin" train --input "$corpus" --output "$work/v2.vec" --dim 20 --min-count 2 --epochs 3 --threads 1 \
  --sample 0 --resume "$work/ckpt.tg" --optimizer sgd 2> "$work/stderr2" || fail "resume: $(cat "$work/stderr2")"
[ -f "$work/v2.vec" ] || fail "no vectors after resuming"
# A checkpoint from another --dim is refused with a message, not a crash.
if "$bin" train --input "$corpus" --output "$work/v3.vec" --dim 10 --min-count 2 --resume "$work/ckpt.tg" \
  2> "$work/stderr3"; then fail "a checkpoint of another --dim was accepted"; fi
grep -q "expected" "$work/stderr3" || fail "no message for a mismatched checkpoint"
echo "word2vec smoke test passed"
