#!/usr/bin/env bash
# Tests the layer check itself: in a copy of the library's folders, plants one include
# at a time and expects tests/check_layers.sh to fail on each wrong-way include, in
# every form it claims to catch, naming the file, and to pass on right-way ones.
#
#   tests/check_layers_test.sh <source root>
set -u
src=$(cd "${1:?usage: check_layers_test.sh <source root>}" && pwd)
check="$src/tests/check_layers.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tree"
cp -r "$src/core" "$src/autograd" "$src/nn" "$src/optim" "$src/tapegrad.h" "$work/tree/"

failures=0
expect() {  # expect pass|fail <file in the tree> <line appended to it>
  local want=$1 file=$2 planted=$3 got
  cp "$work/tree/$file" "$work/saved"
  printf '%s\n' "$planted" >> "$work/tree/$file"
  if bash "$check" "$work/tree" > "$work/out" 2>&1; then got=pass; else got=fail; fi
  cp "$work/saved" "$work/tree/$file"
  if [ "$got" != "$want" ]; then
    echo "FAIL: '$planted' in $file: expected the check to $want, it did $got:"
    cat "$work/out"
    failures=$((failures + 1))
  elif [ "$want" = fail ] && ! grep -q "^layer violation: $file:" "$work/out"; then
    echo "FAIL: '$planted' in $file: the check failed without naming $file:"
    cat "$work/out"
    failures=$((failures + 1))
  else
    echo "ok   $want: '$planted' in $file"
  fi
}

# The copy as it is passes (else every planted failure below would prove nothing).
if ! bash "$check" "$work/tree" > "$work/out" 2>&1; then
  echo "FAIL: the unchanged copy does not pass:"; cat "$work/out"; exit 1
fi

expect fail core/tensor.h '#include <tapegrad/autograd/node.h>'
expect fail core/layout.cpp '#include "../nn/module.h"'
expect fail core/dtype.cpp '#  include "../autograd/meta.h"'
expect fail autograd/ops/unary.cpp '#include "../../nn/functional.h"'
expect fail autograd/engine.cpp '#include <tapegrad/optim/optimizer.h>'
expect fail optim/sgd.cpp '#include <tapegrad/nn/module.h>'
expect fail optim/sgd.cpp '#include "../nn/module.h"'
expect fail nn/linear.cpp '#include "../optim/sgd.h"'
expect fail nn/module.cpp '#include <tapegrad/tapegrad.h>'
expect fail autograd/node.h '#include "../tapegrad.h"'
expect pass nn/linear.cpp '#include <tapegrad/autograd/grad_mode.h>'
expect pass optim/sgd.cpp '#include "../autograd/grad_mode.h"'
expect pass autograd/ops/unary.cpp '#include <tapegrad/core/layout.h>'
expect pass core/layout.cpp '#include <fmt/format.h>'

if [ $failures -ne 0 ]; then
  echo "check_layers_test: $failures cases went the wrong way"
  exit 1
fi
echo "check_layers_test: the layer check catches every planted wrong-way include"
