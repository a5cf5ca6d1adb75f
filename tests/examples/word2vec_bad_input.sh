#!/bin/bash
# tapegrad-word2vec as a careless or hostile user runs it: every bad flag, path and file
# must end with a non-zero exit, a short message that names the problem, and every file
# that existed before left as it was.
#   word2vec_bad_input.sh BINARY SOURCE_DIR
set -uo pipefail
bin=$1
src=$2
source "$(dirname "$0")/scratch.sh"
cd "$work"
printf '1 1\nold 1\n' > previous.vec
cp "$corpus" corpus.txt

# refuses EXPECTED_TEXT ARGS...: the run exits non-zero, its stderr holds the text and
# is short (no 309-digit bounds, no echoed 1 MB line), previous.vec is untouched.
refuses() {
  local want=$1
  shift
  if timeout 60 "$bin" "$@" > out.txt 2> err.txt; then fail "accepted: $*"; fi
  grep -qF -- "$want" err.txt || fail "$*: expected '$want' in: $(head -c 400 err.txt)"
  [ "$(wc -c < err.txt)" -lt 400 ] || fail "$*: a message of $(wc -c < err.txt) bytes"
  [ "$(cat previous.vec)" = "$(printf '1 1\nold 1')" ] || fail "$*: previous.vec changed"
  cmp -s corpus.txt "$corpus" || fail "$*: the corpus changed"
}
train() { refuses "$1" train --input corpus.txt --output previous.vec --min-count 2 --quiet "${@:2}"; }

train "--dim = 0 is out of range; expected 1 to 10000" --dim 0
train "--dim = 72057594037927936 is out of range" --dim 72057594037927936
train "--epochs = 9223372036854775807 is out of range" --epochs 9223372036854775807
for lr in -1 0 nan inf; do train "--lr = $lr is not a finite number > 0" --lr "$lr"; done
refuses "--min-count = -3 is negative" train --input corpus.txt --output previous.vec --min-count -3
train "--sample = -1 is out of range" --sample -1
train "--sample = nan is out of range" --sample nan
train "--threads = 5000 is out of range; expected 1 to 1024" --threads 5000
train "--optimizer = 'adam' is unknown" --optimizer adam
train "training diverged" --lr 1e30
train "folder 'nodir' does not exist" --log nodir/log.csv
refuses "folder 'nodir' does not exist" train --input corpus.txt --output nodir/o.vec --epochs 20
refuses "is the --input file" train --input corpus.txt --output ./corpus.txt
refuses "is a character device" train --input /dev/zero --output previous.vec
refuses "is a directory" train --input . --output previous.vec
mkfifo fifo
refuses "is a FIFO" train --input fifo --output previous.vec
refuses "is a FIFO" train --input corpus.txt --output fifo
cp previous.vec read_only.vec && chmod 444 read_only.vec
refuses "is read-only" train --input corpus.txt --output read_only.vec
cmp -s previous.vec read_only.vec || fail "read_only.vec changed"
echo "one one one" > one_word.txt
refuses "has 1 word" train --input one_word.txt --output previous.vec --min-count 1

# A write error on the vectors (here a 16 KB file size limit, standing for a full disk)
# fails the run and keeps the previous file whole (was: a truncated file, exit 0).
(trap '' XFSZ && ulimit -f 32 && exec "$bin" train --input corpus.txt --output previous.vec --min-count 2 \
   --dim 50 --epochs 1 --quiet) 2> err.txt && fail "a write beyond the file size limit succeeded"
# stdio may report the failed write as EFBIG or, once its buffer is lost, as EIO.
grep -qE "File too large|Input/output error" err.txt || fail "file size limit: $(head -c 400 err.txt)"
[ "$(cat previous.vec)" = "$(printf '1 1\nold 1')" ] || fail "file size limit: previous.vec changed"

# Thread creation refused by the system: with 1.5 GB of address space, 500 stacks of
# 8 MB cannot be mapped (skipped where even the help cannot run under that limit, as
# with a sanitizer's shadow memory).
if (ulimit -v 1500000 && "$bin" --help > /dev/null 2>&1); then
  (ulimit -v 1500000 && exec timeout 60 "$bin" train --input corpus.txt --output previous.vec --min-count 2 \
     --threads 500 --quiet) 2> err.txt && fail "--threads 500 under ulimit -v succeeded"
  grep -qF "could not start thread" err.txt || fail "--threads 500: $(head -c 400 err.txt)"
  [ "$(cat previous.vec)" = "$(printf '1 1\nold 1')" ] || fail "--threads 500: previous.vec changed"
fi

# neighbors: a directory, a FIFO (which must not hang), a 1 MB first line.
refuses "is a directory; expected a regular file" neighbors . king
refuses "is a FIFO" neighbors fifo king
head -c 1048576 /dev/zero | tr '\0' 'z' > long.vec
refuses "... (1048576 bytes)' is not a word2vec header" neighbors long.vec king
"$bin" neighbors "$src/tests/data/tiny_vectors.vec" the --k 1152921504606846976 > out.txt 2> err.txt ||
  fail "neighbors --k 2^60: $(head -c 400 err.txt)"
[ "$(wc -l < out.txt)" = "$(head -1 "$src/tests/data/tiny_vectors.vec" | cut -d' ' -f1)" ] ||
  fail "neighbors --k 2^60 did not list every other word"

# sparse_adam decays to a floor above 0: the run writes its vectors and resumes.
"$bin" train --input corpus.txt --output sa.vec --min-count 2 --dim 10 --epochs 2 --optimizer sparse_adam \
  --checkpoint sa.tg --quiet 2> err.txt || fail "sparse_adam: $(head -c 400 err.txt)"
[ -s sa.vec ] || fail "sparse_adam wrote no vectors"
"$bin" train --input corpus.txt --output sa2.vec --min-count 2 --dim 10 --epochs 3 --optimizer sparse_adam \
  --resume sa.tg --checkpoint sa.tg --quiet 2> err.txt || fail "sparse_adam resume: $(head -c 400 err.txt)"
[ -s sa2.vec ] || fail "sparse_adam resume wrote no vectors"

# The word-vector models' settings and files (issue 13).
train "--minn = 6 with --maxn = 3; expected 1 <= --minn <= --maxn" --minn 6 --maxn 3
train "--minn = 3 with --maxn = 0" --minn 3
train "--bucket = 0 is out of range; expected 1 to" --minn 3 --maxn 6 --bucket 0
train "--model = 'glove' is unknown; expected skipgram or cbow" --model glove
train "--output 'previous.vec' and --save-model 'previous.vec' are one file" --save-model previous.vec
"$bin" train --input corpus.txt --output m.vec --save-model m.tgw2v --min-count 2 --dim 8 --epochs 1 --minn 3 \
  --maxn 5 --bucket 1000 --quiet 2> err.txt || fail "subword model: $(head -c 400 err.txt)"
cp m.tgw2v previous_model && chmod 444 previous_model
head -c 200 m.tgw2v > truncated.tgw2v
refuses "the model file is truncated" vector truncated.tgw2v the
head -c $(( $(wc -c < m.tgw2v) - 4 )) m.tgw2v > short_table.tgw2v
refuses "rows x dim 8 float32): the file is truncated" neighbors short_table.tgw2v the
{ cat m.tgw2v; printf 'xx'; } > long_table.tgw2v
refuses "followed by extra bytes" eval long_table.tgw2v --similarity "$src/tests/data/tiny_similarity.txt"
{ head -c 8 m.tgw2v; printf '\x02\x00\x00\x00'; tail -c +13 m.tgw2v; } > v2.tgw2v
refuses "model file version 2; expected version 1" analogy v2.tgw2v a b c
cmp -s m.tgw2v previous_model || fail "a read changed the model file"
"$bin" train --input corpus.txt --output w.vec --save-model w.tgw2v --min-count 2 --dim 8 --epochs 1 --quiet \
  2> err.txt || fail "word-only model: $(head -c 400 err.txt)"
refuses "word 'zzzunseen' is not in w.tgw2v; expected one of its" vector w.tgw2v zzzunseen
# word2vec binary files whose header lies, or that end early.
"$bin" train --input corpus.txt --output b.bin --binary --min-count 2 --dim 8 --epochs 1 --quiet 2> err.txt ||
  fail "--binary: $(head -c 400 err.txt)"
n=$(head -1 b.bin | cut -d' ' -f1)
{ echo "$((n * 10)) 8"; tail -c +$(( $(head -1 b.bin | wc -c) + 1 )) b.bin; } > lies_count.bin
refuses "the binary header announces $((n * 10)) vectors of dim 8" neighbors lies_count.bin the
{ echo "$n 800"; tail -c +$(( $(head -1 b.bin | wc -c) + 1 )) b.bin; } > lies_dim.bin
refuses "vectors of dim 800" neighbors lies_dim.bin the
head -c $(( $(wc -c < b.bin) - 20 )) b.bin > truncated.bin
refuses "is truncated at byte" neighbors truncated.bin the
{ echo "$((n - 1)) 8"; tail -c +$(( $(head -1 b.bin | wc -c) + 1 )) b.bin; } > extra.bin
refuses "follow the $((n - 1)) binary records the header announces" neighbors extra.bin the

# A 1 MB corpus on one line trains with the default settings.
for i in $(seq 40); do tr '\n' ' ' < "$corpus"; done > oneline.txt
"$bin" train --input oneline.txt --output oneline.vec --epochs 1 --quiet 2> err.txt ||
  fail "one-line corpus: $(head -c 400 err.txt)"
awk 'NR > 1 { for (i = 2; i <= NF; ++i) if ($i !~ /^-?[0-9.e+-]+$/) exit 1 }' oneline.vec ||
  fail "one-line corpus: a vector value is not a finite number"
echo "word2vec bad input test passed"
