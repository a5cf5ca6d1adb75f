#!/usr/bin/env bash
# Installs everything tapegrad needs to build, test and benchmark, from Debian 12
# packages only. Safe to run again: apt-get skips what is already installed.
set -euo pipefail

packages=(
  build-essential   # g++ 12 (C++20) and make
  cmake             # 3.25 on Debian 12
  libopenblas-dev   # CBLAS sgemm/dgemm for every matmul
  libfmt-dev        # error messages and tensor printing
  doctest-dev       # the test suite
  libbenchmark-dev  # bench/
  zlib1g-dev        # crc32 checksums in saved files
  libcli11-dev      # command-line parsing in the example programs
  libopenmpi-dev    # tg::distributed (data-parallel training over MPI); without it that part is not built
  openmpi-bin       # mpirun, for the distributed tests and multi-process training
  python3           # scripts/ (corpus, eval sets, loss plot) and the word2vec smoke test
  clang             # scripts/fuzz.sh: libFuzzer needs clang (g++ has no -fsanitize=fuzzer)
  libclang-rt-dev   # clang's libFuzzer, ASan/UBSan runtimes for the fuzz targets
  llvm              # llvm-symbolizer: file:line in fuzz and sanitizer stack traces
  chromium          # the browser test opens to_html's pages in it, headless (tests/browser)
)

# Root (a fresh machine, CI) runs apt-get directly; anyone else goes through sudo.
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps.sh: not root and sudo is missing; run this script as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for another apt-get (unattended upgrades on a fresh machine) instead of failing.
wait_for_lock=(-o DPkg::Lock::Timeout=600)
"${as_root[@]}" apt-get "${wait_for_lock[@]}" update
"${as_root[@]}" apt-get "${wait_for_lock[@]}" install -y --no-install-recommends "${packages[@]}"

# The browser test drives chromium with puppeteer-core from npm (tests/browser/
# package-lock.json pins it; it uses the system chromium and downloads no browser).
# Debian's nodejs and npm only when there is no node yet: a machine with Node.js from
# elsewhere (NodeSource) has its own npm, which Debian's npm package conflicts with.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  "${as_root[@]}" apt-get "${wait_for_lock[@]}" install -y --no-install-recommends nodejs npm
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(cd "$root/tests/browser" && npm ci --no-audit --no-fund)
