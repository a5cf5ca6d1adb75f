#!/usr/bin/env bash
# Fails when a layer includes a layer above it: core <- autograd <- nn <- optim.
# (optim may not include nn either: an optimizer sees tensors, never modules.)
# distributed/ sits on autograd and core, beside nn and optim, and nothing includes it.
set -u
root=${1:-.}
status=0
check() {  # check <folder> <forbidden include pattern>
  local hits
  hits=$(grep -rnE "#include \"[./]*($2)/" "$root/$1" --include='*.h' --include='*.cpp' || true)
  if [ -n "$hits" ]; then
    echo "layer violation: $1 includes $2:"; echo "$hits"; status=1
  fi
}
check core 'autograd|nn|optim|distributed'
check autograd 'nn|optim|distributed'
check nn 'optim|distributed'
check optim 'nn|distributed'
check distributed 'nn|optim'
[ $status -eq 0 ] && echo "layers point one way"
exit $status
