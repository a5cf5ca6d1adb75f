#!/bin/sh
# Fetch scikit-learn's 8x8 handwritten digits (1,797 images, UCI "optdigits" test
# set) for examples/digits.cpp: data/digits.csv.gz, 64 pixel values (0..16) and the
# label per line. The file ships inside Debian's python3-sklearn package; this
# downloads the .deb and unpacks it in a temporary folder, without installing it.
# Idempotent: does nothing when data/digits.csv.gz is already there.
set -eu
cd "$(dirname "$0")/.."
out=data/digits.csv.gz
if [ -s "$out" ]; then
    echo "$out already present"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -qq python3-sklearn >/dev/null 2>&1) || {
    # A fresh machine may need the package lists first.
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >/dev/null
    (cd "$tmp" && apt-get download -qq python3-sklearn >/dev/null)
}
dpkg-deb -x "$tmp"/python3-sklearn_*.deb "$tmp/root"
src=$(find "$tmp/root" -path '*sklearn/datasets/data/digits.csv.gz' | head -n 1)
[ -n "$src" ] || { echo "fetch_digits: digits.csv.gz not found in python3-sklearn" >&2; exit 1; }
mkdir -p data
cp "$src" "$out.part" && mv "$out.part" "$out"
echo "wrote $out ($(gzip -dc "$out" | wc -l) images)"
