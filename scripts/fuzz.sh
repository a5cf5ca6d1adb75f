#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, ASan and UBSan, and runs each for a
# bounded time from its seed corpus (tests/fuzz_corpus/<target>/), two at a time
# (TAPEGRAD_JOBS). Any crash, sanitizer report, leak, uncaught exception or timeout
# fails the script; libFuzzer writes the input that caused it to
# <build dir>/artifacts/<target>/.
#
#   scripts/fuzz.sh                      # 60 s per target, in build-fuzz/
#   FUZZ_SECONDS=600 scripts/fuzz.sh     # longer, locally
#   scripts/fuzz.sh build-fuzz seeds     # only (re)write the seed corpus
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-build-fuzz}
case "$build_dir" in
  /*) ;;
  *) build_dir="$root/$build_dir" ;;
esac
seconds=${FUZZ_SECONDS:-60}
jobs=${TAPEGRAD_JOBS:-2}
targets=(load_tensor_file load_optimizer_state vec_reader corpus_reader)

cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DTAPEGRAD_FUZZ=ON -DTAPEGRAD_BUILD_TESTS=OFF -DTAPEGRAD_BUILD_EXAMPLES=OFF -DTAPEGRAD_BUILD_BENCH=OFF \
  -DTAPEGRAD_UNITY_BUILD=ON
cmake --build "$build_dir" -j "$jobs" --target fuzz_make_seeds "${targets[@]/#/fuzz_}"

if [ "${2:-}" = seeds ]; then
  "$build_dir/fuzz/fuzz_make_seeds" "$root/tests/fuzz_corpus"
  exit 0
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fuzz_one() {  # fuzz_one <target>: its output goes to <build dir>/logs/<target>.log
  local target=$1
  # A scratch corpus: what the run discovers stays out of the repository.
  local work="$build_dir/corpus/$target" artifacts="$build_dir/artifacts/$target/"
  mkdir -p "$work" "$artifacts"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: memory must stay
  # bounded by the input's size (inputs are at most 64 KiB).
  "$build_dir/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts" "$work" "$root/tests/fuzz_corpus/$target" \
    >"$build_dir/logs/$target.log" 2>&1
}
# A fuzzer runs on one thread, so the targets run $jobs at a time (TAPEGRAD_JOBS), each
# for the whole $seconds s; each one's output is shown once it has ended.
mkdir -p "$build_dir/logs"
failed=0
for ((first = 0; first < ${#targets[@]}; first += jobs)); do
  batch=("${targets[@]:first:jobs}")
  pids=()
  for target in "${batch[@]}"; do
    fuzz_one "$target" &
    pids+=($!)
  done
  for k in "${!batch[@]}"; do
    status=0
    wait "${pids[$k]}" || status=$?
    echo "==== fuzz ${batch[$k]} for $seconds s"
    cat "$build_dir/logs/${batch[$k]}.log"
    if [ $status -ne 0 ]; then
      echo "==== fuzz ${batch[$k]}: failed (exit $status); the input is in $build_dir/artifacts/${batch[$k]}/"
      failed=1
    fi
  done
done
[ $failed -eq 0 ] || exit 1
echo "==== fuzz: no crash in ${#targets[@]} targets x $seconds s"
