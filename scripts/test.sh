#!/usr/bin/env bash
# Configures, builds and runs the whole test suite with ctest.
#
#   scripts/test.sh                       # Release build in build/
#   scripts/test.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DTAPEGRAD_SANITIZE=ON
#
# The first argument is the build folder (relative to the repository root); the
# rest go to cmake as they are, after the Release default so that they win.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-build}
[ $# -gt 0 ] && shift
case "$build_dir" in
  /*) ;;
  *) build_dir="$root/$build_dir" ;;
esac
jobs=${TAPEGRAD_JOBS:-2}

cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$build_dir" -j "$jobs"
cd "$build_dir"
ctest --output-on-failure -j "$jobs"
