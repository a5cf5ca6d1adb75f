#!/usr/bin/env bash
# The browser test: tour_08_html writes the tour's pages with their traces, then
# check_pages.mjs opens them in Debian's chromium (headless, through puppeteer-core)
# and steps through each one. Exits 77 (ctest: skipped) only when chromium cannot run
# here; anything else missing is a failure with a message.
#
#   tests/browser/run.sh <tour_08_html> <out dir>
set -uo pipefail
program=${1:?usage: run.sh <tour_08_html> <out dir>}
out=${2:?usage: run.sh <tour_08_html> <out dir>}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
  echo "browser test skipped: no chromium at $chromium (scripts/install-deps.sh installs Debian's)"
  exit 77
fi
# --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
if ! timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --dump-dom about:blank >/dev/null 2>&1; then
  echo "browser test skipped: $chromium is installed but cannot start headless here"
  exit 77
fi
if ! command -v node >/dev/null 2>&1; then
  echo "browser test: node is missing; scripts/install-deps.sh installs it" >&2
  exit 1
fi
if [ ! -d "$here/node_modules/puppeteer-core" ]; then
  echo "browser test: installing puppeteer-core (tests/browser/package-lock.json) with npm ci"
  if ! (cd "$here" && npm ci --no-audit --no-fund); then
    echo "browser test: npm ci failed in $here; run scripts/install-deps.sh" >&2
    exit 1
  fi
fi
mkdir -p "$out"
"$program" "$out" || { echo "browser test: $program failed" >&2; exit 1; }
CHROMIUM=$chromium timeout 300 node "$here/check_pages.mjs" "$out" "$out" scalar embedding anomaly
