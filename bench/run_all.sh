#!/bin/sh
# Builds tapegrad's benchmarks in Release (its own build folder) and the libtorch peer,
# runs them and the PyTorch optimizer peer, all on one thread, N repetitions each, and
# prints the medians side by side with the issues' targets (bench/peers/compare.py).
#
#   bench/run_all.sh                 # N=5 repetitions
#   N=9 MIN_TIME=0.3 bench/run_all.sh
#   SKIP_PEERS=1 bench/run_all.sh    # tapegrad only
#   BUILD=build-rel bench/run_all.sh # reuse an existing Release build folder
# Raw JSON goes to $OUT (default build-bench/results). Times are medians of CPU time
# per iteration: on a shared machine, time spent descheduled is not the op's.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-5}
MIN_TIME=${MIN_TIME:-0.2}
BUILD=${BUILD:-$root/build-bench}
OUT=${OUT:-$BUILD/results}
mkdir -p "$OUT"
echo "# $(date -u '+%F %T') UTC, $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)," \
     "THP: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo n/a)"

cmake -S "$root" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTAPEGRAD_BUILD_TESTS=OFF -DTAPEGRAD_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$BUILD" -j2 --target bench_core bench_embedding bench_optim >/dev/null

gbench() {  # name, binary, extra args
  name=$1; shift; bin=$1; shift
  echo "# running $name" >&2
  OMP_NUM_THREADS=1 "$bin" --benchmark_repetitions="$N" --benchmark_report_aggregates_only=true \
    --benchmark_min_time="$MIN_TIME" --benchmark_enable_random_interleaving=true --benchmark_out="$OUT/$name.json" --benchmark_out_format=json "$@" >/dev/null
}
gbench core "$BUILD/bench/bench_core"
gbench embedding "$BUILD/bench/bench_embedding"
gbench optim "$BUILD/bench/bench_optim"

if [ -z "${SKIP_PEERS:-}" ]; then
  echo "# running libtorch peer" >&2
  BUILD_DIR="${LIBTORCH_BUILD:-$BUILD/libtorch-peer}" "$root/bench/peers/run_libtorch.sh" --benchmark_repetitions="$N" \
    --benchmark_report_aggregates_only=true --benchmark_min_time="$MIN_TIME" \
    --benchmark_out="$OUT/libtorch.json" --benchmark_out_format=json >/dev/null
  echo "# running PyTorch optimizer peer" >&2
  /usr/bin/python3 "$root/bench/peers/pytorch_optim.py" --repetitions "$N" --min-time "$MIN_TIME" \
    --json "$OUT/pytorch_optim.json" >/dev/null
fi
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$root/bench/peers/compare.py" "$OUT"
