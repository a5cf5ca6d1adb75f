# Sourced by the word2vec test scripts once $src (the source tree) is set: the tiny
# corpus, a scratch directory that goes away on exit, and fail MESSAGE.
corpus=$src/tests/data/tiny_corpus.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
