#!/usr/bin/env bash
# Fails when a layer includes a layer it may not see (docs/architecture.md, "Layers"):
#
#   core  <-  autograd  <-  nn
#                       <-  optim
#
# core includes only core; autograd adds core; nn and optim add autograd, and never
# include each other (an optimizer sees tensors, never modules). No layer includes
# tapegrad.h, the umbrella header: it pulls in every layer.
#
#   tests/check_layers.sh [source root]
#
# Both include forms are checked. A quoted path is resolved from the including file's
# folder ("../../nn/module.h" from autograd/ops/ lands in nn/); <tapegrad/X/...> names
# layer X through the build's include directory, which exposes the whole tree.
set -u
root=$(cd "${1:-.}" && pwd)
cd "$root" || exit 2

# Sets REPLY to a relative path with its "." and ".." folded away (a/b/../c -> a/c),
# without leaving bash: a process per include is slow on a busy machine.
normalize() {
  local -a parts out=()
  local part
  IFS=/ read -ra parts <<< "$1"
  for part in "${parts[@]}"; do
    case $part in
      '' | .) ;;
      ..) if [ ${#out[@]} -gt 0 ] && [ "${out[-1]}" != .. ]; then unset 'out[-1]'; else out+=(..); fi ;;
      *) out+=("$part") ;;
    esac
  done
  local IFS=/
  REPLY="${out[*]}"
}

may_include() {  # may_include <layer> <layer or file it includes>
  case "$1:$2" in
    core:core) return 0 ;;
    autograd:core | autograd:autograd) return 0 ;;
    nn:core | nn:autograd | nn:nn) return 0 ;;
    optim:core | optim:autograd | optim:optim) return 0 ;;
  esac
  return 1
}

status=0
while IFS= read -r hit; do
  file=${hit%%:*}
  rest=${hit#*:}
  line=${rest%%:*}
  text=${rest#*:}
  if [[ $text =~ \<tapegrad/([^>]*)\> ]]; then
    target=${BASH_REMATCH[1]}
  elif [[ $text =~ \"([^\"]*)\" ]]; then
    normalize "${file%/*}/${BASH_REMATCH[1]}"
    target=$REPLY
  else
    continue  # <vector>, <fmt/format.h>: not ours
  fi
  case "$target" in
    */*) to=${target%%/*} ;;  # a folder: the layer it names
    *) to=$target ;;          # tapegrad.h, or a file outside every layer
  esac
  from=${file%%/*}
  if ! may_include "$from" "$to"; then
    echo "layer violation: $file:$line includes $target ($to); $from may not include it"
    status=1
  fi
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' core autograd nn optim \
           --include='*.h' --include='*.cpp')

[ $status -eq 0 ] && echo "layers point one way"
exit $status
