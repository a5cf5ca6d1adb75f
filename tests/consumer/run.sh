#!/usr/bin/env bash
# Builds the tiny project in this folder the two ways a user would use tapegrad:
#   install   cmake --install the current build into a fresh prefix, then
#             find_package(tapegrad CONFIG REQUIRED) through CMAKE_PREFIX_PATH
#   subdir    add_subdirectory(<tapegrad source>) into the consumer's own build
# and runs it each time. Also checks that the install tree holds every header.
#
#   run.sh <tapegrad source> <tapegrad build> <work folder> <c++ compiler> <install|subdir|both>
set -euo pipefail

src=$1 build=$2 work=$3 cxx=$4 mode=$5
consumer="$src/tests/consumer"
jobs=${TAPEGRAD_JOBS:-2}

rm -rf "$work"
mkdir -p "$work"

# Captures a step's output and shows it only when the step fails.
step() {  # step <name> <command...>
  local name=$1; shift
  if ! "$@" >"$work/$name.log" 2>&1; then
    echo "consumer test: step '$name' failed: $*"
    cat "$work/$name.log"
    exit 1
  fi
}

if [ "$mode" = install ] || [ "$mode" = both ]; then
  prefix="$work/prefix"
  step install cmake --install "$build" --prefix "$prefix"

  missing=0
  # distributed/ is installed only when the build has MPI (TAPEGRAD_WITH_MPI).
  layers="core autograd nn optim"
  with_mpi=0
  if grep -q '^TAPEGRAD_WITH_MPI:BOOL=ON' "$build/CMakeCache.txt"; then
    layers="$layers distributed"
    with_mpi=1
  fi
  headers=$(cd "$src" && echo tapegrad.h && find $layers -name '*.h' 2>/dev/null || true)
  for header in $headers; do
    if [ ! -f "$prefix/include/tapegrad/$header" ]; then
      echo "consumer test: $header is not installed as $prefix/include/tapegrad/$header"
      missing=1
    fi
  done
  # Every quoted include of an installed header must resolve inside the install tree.
  while IFS= read -r header; do
    while IFS= read -r included; do
      # tapegrad.h includes distributed/ only under #ifdef TAPEGRAD_WITH_MPI.
      if [ $with_mpi -eq 0 ] && [[ "$included" == distributed/* ]]; then continue; fi
      if [ ! -f "$(dirname "$header")/$included" ]; then
        echo "consumer test: ${header#"$prefix/include/"} includes \"$included\", which is not installed"
        missing=1
      fi
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$header")
  done < <(find "$prefix/include/tapegrad" -name '*.h')
  [ $missing -eq 0 ] || exit 1
  echo "install tree: $(echo "$headers" | wc -w) headers, umbrella header included"

  step configure-install cmake -S "$consumer" -B "$work/find-package" \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix"
  # The package must come from the fresh prefix, not from some earlier install.
  found=$(grep '^tapegrad_DIR:' "$work/find-package/CMakeCache.txt" | cut -d= -f2-)
  case "$found" in
    "$prefix"/*) ;;
    *) echo "consumer test: find_package used $found; expected a folder under $prefix"; exit 1 ;;
  esac
  step build-install cmake --build "$work/find-package" -j "$jobs"
  echo "find_package ($found):"
  "$work/find-package/app"
fi

if [ "$mode" = subdir ] || [ "$mode" = both ]; then
  # No build type, and the library as unity sources (TAPEGRAD_UNITY_BUILD): -O0
  # without debug info, a dozen sources, compiles it fastest; the point here is that
  # add_subdirectory works, not how fast the result runs. Its files one by one are
  # the enclosing build's business.
  step configure-subdir cmake -S "$consumer" -B "$work/add-subdirectory" \
    -DCMAKE_CXX_COMPILER="$cxx" -DTAPEGRAD_SOURCE_DIR="$src" -DTAPEGRAD_UNITY_BUILD=ON
  # A subproject gets the library alone: no tests, examples or benchmarks.
  for folder in tests examples bench; do
    if [ -e "$work/add-subdirectory/tapegrad/$folder" ]; then
      echo "consumer test: add_subdirectory also configured tapegrad's $folder/; expected the library alone"
      exit 1
    fi
  done
  step build-subdir cmake --build "$work/add-subdirectory" -j "$jobs"
  echo "add_subdirectory:"
  "$work/add-subdirectory/app"
fi
