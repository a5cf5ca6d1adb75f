#!/bin/sh
# Build tapegrad's default word2vec corpus (data/corpus.txt, ~9M tokens) from
# English text in Debian packages; see docs/eval-sets.md ("The corpus").
#   scripts/build_corpus.sh            -> data/corpus.txt + data/vocab_counts.txt
#   scripts/build_corpus.sh --small    -> tests/data/tiny_corpus.txt (committed; CI reads it)
# Idempotent: packages are installed only when missing, and the output bytes are
# the same on every run (the sha256 printed at the end is the check).
set -eu
cd "$(dirname "$0")/.."

PKGS="bible-kjv libsword-utils sword-text-web sword-comm-mhcc sword-comm-scofield
sword-comm-tdavid r-base-core r-cran-janeaustenr dict-gcide"
. scripts/apt_install.sh
apt_install $PKGS

export LC_ALL=C.UTF-8
if [ "${1:-}" = "--small" ]; then
    exec /usr/bin/python3 scripts/build_corpus.py --small --output tests/data/tiny_corpus.txt
fi
exec /usr/bin/python3 scripts/build_corpus.py --output data/corpus.txt --counts data/vocab_counts.txt "$@"
