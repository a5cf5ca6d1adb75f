#!/usr/bin/env bash
# Renders the tour's graphs (docs/autograd.md) to SVG with Graphviz:
#
#   bash docs/render_graphs.sh [build dir]     # default: build
#
# writes docs/images/tour_01_scalar.svg and docs/images/tour_04_embedding.svg from
# `tour_01_scalar --dot` and `tour_04_embedding --dot`. Needs Graphviz's `dot`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-$root/build}
if ! command -v dot > /dev/null; then
  cat >&2 <<'MSG'
render_graphs.sh: Graphviz's `dot` is not installed. Install it with
  Debian/Ubuntu:  sudo apt-get install graphviz
  Fedora:         sudo dnf install graphviz
  macOS:          brew install graphviz
or paste the DOT text that `tour_01_scalar --dot` prints into any online Graphviz viewer.
MSG
  exit 1
fi
mkdir -p "$root/docs/images"
for program in tour_01_scalar tour_04_embedding; do
  exe="$build_dir/examples/$program"
  if [ ! -x "$exe" ]; then
    echo "render_graphs.sh: $exe is missing; build first: cmake --build $build_dir --target $program" >&2
    exit 1
  fi
  "$exe" --dot | dot -Tsvg -o "$root/docs/images/$program.svg"
  echo "wrote docs/images/$program.svg"
done
