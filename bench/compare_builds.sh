#!/bin/sh
# Regression check: the Google Benchmark programs (bench_core, bench_embedding,
# bench_optim) of an older commit and of this checkout, run side by side on one thread,
# round after round (old, new, old, new, ...) so that a change in the machine's load
# hits both alike; prints each benchmark's median CPU time per iteration for both and
# the ratio (bench/compare_builds.py).
#
#   bench/compare_builds.sh BASE_COMMIT [ROUNDS]     # ROUNDS default 5
#   FILTER=BM_Embedding bench/compare_builds.sh bd38b94 3
#   BUILD_ONLY=1 bench/compare_builds.sh bd38b94   # build both sides, run nothing
#
# The base commit is built in a worktree under build-compare/ (Release, benches only);
# this checkout's benches in build-compare/new. Raw JSON: build-compare/results/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
base=${1:?usage: bench/compare_builds.sh BASE_COMMIT [ROUNDS]}
rounds=${2:-5}
MIN_TIME=${MIN_TIME:-0.1}
FILTER=${FILTER:-.}
work=$root/build-compare
out=$work/results
mkdir -p "$out"
rm -f "$out"/*.json
sha=$(git -C "$root" rev-parse --verify "$base^{commit}")
if [ ! -d "$work/base-src" ]; then
  git -C "$root" worktree add --detach "$work/base-src" "$sha" >/dev/null
else
  git -C "$work/base-src" checkout --quiet --detach "$sha"
fi
configure() {  # source folder, build folder
  cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release -DTAPEGRAD_BUILD_TESTS=OFF -DTAPEGRAD_BUILD_EXAMPLES=OFF \
    -DTAPEGRAD_BUILD_BENCH=ON >/dev/null
  cmake --build "$2" -j"${JOBS:-2}" --target bench_core bench_embedding bench_optim >/dev/null
}
configure "$work/base-src" "$work/base"
configure "$root" "$work/new"
[ -n "${BUILD_ONLY:-}" ] && exit 0
echo "# $(date -u '+%F %T') UTC, base $(git -C "$root" rev-parse --short "$sha"), new $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' + changes'), $rounds rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ "$r" -le "$rounds" ]; do
  for prog in bench_core bench_embedding bench_optim; do
    for side in base new; do
      OMP_NUM_THREADS=1 "$work/$side/bench/$prog" --benchmark_min_time="$MIN_TIME" --benchmark_filter="$FILTER" \
        --benchmark_out="$out/$side-$prog-$r.json" --benchmark_out_format=json >/dev/null
    done
  done
  r=$((r + 1))
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$root/bench/compare_builds.py" "$out"
