#!/usr/bin/env bash
# Builds the test suite with ThreadSanitizer and runs the tests that use threads:
# autograd from several threads, Hogwild step_with, concurrent saves. Races the
# design accepts (Note [Hogwild steps]) are suppressed by name in tests/tsan.supp;
# any other report fails its test.
#
#   scripts/tsan.sh              # in build-tsan/
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-build-tsan}
case "$build_dir" in
  /*) ;;
  *) build_dir="$root/$build_dir" ;;
esac
jobs=${TAPEGRAD_JOBS:-2}

# tapegrad_tests holds only the threaded tests here (tests/CMakeLists.txt), and the
# library compiles as unity sources: everything is compiled from scratch.
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAPEGRAD_TSAN=ON \
  -DTAPEGRAD_BUILD_EXAMPLES=OFF -DTAPEGRAD_BUILD_BENCH=OFF -DTAPEGRAD_UNITY_BUILD=ON
cmake --build "$build_dir" -j "$jobs" --target tapegrad_tests
# halt_on_error: the first race ends the test with a failure (exitcode 66).
# history_size=7 (the most): a suppression matches a function in either access's stack,
# and with the default history the earlier access's stack is often lost, so a Hogwild
# update racing with a lookup would be reported under the lookup's name alone.
export TSAN_OPTIONS="suppressions=$root/tests/tsan.supp halt_on_error=1 history_size=7 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
cd "$build_dir"
# The tests labelled "threads" (TAPEGRAD_THREADED_TESTS); none found is a failure.
ctest --output-on-failure -j "$jobs" -L '^threads$' --no-tests=error
