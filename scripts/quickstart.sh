#!/usr/bin/env bash
# The first README command: installs the dependencies, builds tapegrad in Release
# (in build/, which scripts/test.sh then reuses) and runs the flagship example.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${TAPEGRAD_JOBS:-2}

"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$root/build" -j "$jobs" --target quickstart
"$root/build/examples/quickstart"
