#!/bin/bash
# tapegrad-word2vec's word-vector models end to end on the tiny corpus: subword
# skip-gram and CBOW train, a model file answers a word never seen in training, and the
# text and binary vectors of one run hold the same numbers for tapegrad and for gensim.
#   word2vec_models.sh BINARY SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
source "$(dirname "$0")/scratch.sh"
cd "$work"

# Subword skip-gram: the model file gives "kingliness" (not in the corpus) a vector.
"$bin" train --input "$corpus" --output sub.vec --save-model sub.tgw2v --dim 16 --min-count 2 --epochs 2 \
  --threads 1 --minn 3 --maxn 6 --bucket 10000 --quiet 2> err.txt || fail "subword training: $(cat err.txt)"
grep -q " kingliness " sub.vec && fail "kingliness is in the corpus: pick another unseen word"
"$bin" vector sub.tgw2v kingliness the > vec.txt || fail "vector: no answer for an unseen word"
[ "$(wc -l < vec.txt)" = 2 ] || fail "vector printed $(wc -l < vec.txt) lines for 2 words"
awk '{ if (NF != 17) exit 1; for (i = 2; i <= NF; ++i) if ($i !~ /^-?[0-9.e+-]+$/) exit 1 }' vec.txt ||
  fail "vector lines are not a word and 16 numbers: $(head -c 300 vec.txt)"
# An in-vocabulary word's vector from the model is the one in the .vec.
[ "$(grep '^the ' sub.vec)" = "$(grep '^the ' vec.txt)" ] || fail "the model's 'the' differs from the .vec's"
"$bin" neighbors sub.tgw2v kingliness --k 3 > nb.txt || fail "neighbors of an unseen word"
[ "$(wc -l < nb.txt)" = 4 ] || fail "neighbors printed: $(cat nb.txt)"
"$bin" eval sub.tgw2v --similarity "$src/tests/data/tiny_similarity.txt" --oneline > eval.txt ||
  fail "eval of a model file"

# CBOW, written as text and (the same run, same seed) as word2vec binary.
for fmt in vec bin; do
  flag=$([ $fmt = bin ] && echo --binary || true)
  "$bin" train --input "$corpus" --output cbow.$fmt $flag --model cbow --dim 16 --min-count 2 --epochs 2 \
    --threads 1 --seed 5 --quiet 2> err.txt || fail "cbow training ($fmt): $(cat err.txt)"
done
"$bin" neighbors cbow.bin the --k 5 > bin_nb.txt || fail "neighbors of a .bin"
"$bin" neighbors cbow.vec the --k 5 > vec_nb.txt || fail "neighbors of a .vec"
diff -q <(awk '{print $2}' bin_nb.txt) <(awk '{print $2}' vec_nb.txt) > /dev/null ||
  fail "the .bin and the .vec of one run rank neighbours differently"

if /usr/bin/python3 -c "import gensim" 2> /dev/null; then
  /usr/bin/python3 - cbow.vec cbow.bin <<'PY' || fail "gensim disagrees with the files"
import sys
import numpy as np
from gensim.models import KeyedVectors
text = KeyedVectors.load_word2vec_format(sys.argv[1], binary=False)
binary = KeyedVectors.load_word2vec_format(sys.argv[2], binary=True)
assert text.index_to_key == binary.index_to_key, "word lists differ"
# The text file prints 6 significant digits of the float32s the binary file holds.
assert np.allclose(text.vectors, binary.vectors, rtol=1e-5, atol=1e-9), "vectors differ"
print(f"gensim read {len(text.index_to_key)} x {text.vector_size} vectors from both files")
PY
else
  echo "SKIP (gensim part): /usr/bin/python3 cannot import gensim (Debian: apt install python3-gensim)"
fi
echo "word2vec models test passed"
