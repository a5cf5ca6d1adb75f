#!/bin/sh
# Builds the libtorch 1.13 peer benchmark (bench/peers/libtorch, a separate CMake
# project needing Debian's libtorch-dev) and runs it on one thread. Extra arguments go
# to Google Benchmark, e.g. --benchmark_filter=Add --benchmark_repetitions=5.
#   BUILD_DIR (default build-peers/libtorch under the repository root)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$root/build-peers/libtorch}
if [ ! -f /usr/lib/x86_64-linux-gnu/cmake/Torch/TorchConfig.cmake ]; then
  echo "run_libtorch.sh: libtorch-dev is not installed; apt-get install libtorch-dev" >&2
  exit 1
fi
cmake -S "$here/libtorch" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 >/dev/null
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "$build/bench_libtorch" "$@"
