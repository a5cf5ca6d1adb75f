#!/bin/sh
# Build the WordNet evaluation sets (docs/eval-sets.md).
#   scripts/build_eval_sets.sh           -> data/eval/{synonyms,similarity,analogies}.txt
#                                           (needs data/vocab_counts.txt: scripts/build_corpus.sh)
#   scripts/build_eval_sets.sh --small   -> tests/data/tiny_*.txt from tests/data/tiny_corpus.txt
# Idempotent and deterministic (fixed seed): the same inputs give the same bytes.
set -eu
cd "$(dirname "$0")/.."
. scripts/apt_install.sh
apt_install wordnet-base
export LC_ALL=C.UTF-8
if [ "${1:-}" = "--small" ]; then
    exec /usr/bin/python3 scripts/build_eval_sets.py --corpus tests/data/tiny_corpus.txt \
        --min-count 2 --out-dir tests/data --prefix tiny_ --synonym-pairs 40 \
        --similarity-pairs 40 --analogy-pairs 6 --analogy-questions 12
fi
[ -f data/vocab_counts.txt ] || scripts/build_corpus.sh >/dev/null
exec /usr/bin/python3 scripts/build_eval_sets.py --counts data/vocab_counts.txt --out-dir data/eval "$@"
