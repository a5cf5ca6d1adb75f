#!/usr/bin/env bash
# Checks that every program output shown in the tour is what the program prints.
#
#   tests/tour/check_tour.sh docs/autograd.md build/examples
#
# A block opened by a line "```text tour/01_scalar" (optionally followed by
# arguments, "```text tour/01_scalar --dot") holds the exact output of
# <bin dir>/tour_01_scalar run with those arguments. Every block is checked; the
# script prints a diff for each mismatch and fails if any block differs, if a
# program is missing, or if the doc shows no block at all.
#
# After changing a program or an instrument's format, rewrite the blocks with what
# the programs print now, then read the diff before committing it:
#
#   tests/tour/check_tour.sh --update docs/autograd.md build/examples
set -uo pipefail

update=0
if [ "${1:-}" = "--update" ]; then
  update=1
  shift
fi
doc=${1:?usage: check_tour.sh [--update] <doc.md> <bin dir>}
bin_dir=${2:?usage: check_tour.sh [--update] <doc.md> <bin dir>}

if [ "$update" -eq 1 ]; then
  rewritten=$(mktemp)
  inside=0
  while IFS= read -r line || [ -n "$line" ]; do
    if [ "$inside" -eq 0 ] && [[ $line == '```text tour/'* ]]; then
      printf '%s\n' "$line" >> "$rewritten"
      inside=1
      read -r program args <<< "${line#'```text tour/'}"
      # shellcheck disable=SC2086 # the arguments are split on purpose
      if ! "$bin_dir/tour_$program" $args >> "$rewritten" 2>&1; then
        echo "check_tour: tour_$program $args failed; $doc left unchanged" >&2
        rm -f "$rewritten"
        exit 1
      fi
      continue
    fi
    if [ "$inside" -eq 1 ]; then
      if [[ $line == '```'* ]]; then
        printf '%s\n' "$line" >> "$rewritten"
        inside=0
      fi
      continue
    fi
    printf '%s\n' "$line" >> "$rewritten"
  done < "$doc"
  cat "$rewritten" > "$doc"
  rm -f "$rewritten"
  echo "check_tour: rewrote the tour blocks of $doc"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Split the doc: block k goes to $work/k.expected, its command line to $work/k.cmd.
awk -v dir="$work" '
  /^```text tour\// && !inside { inside = 1; n++; sub(/^```text tour\//, ""); print > (dir "/" n ".cmd"); close(dir "/" n ".cmd"); printf "" > (dir "/" n ".expected"); next }
  /^```/ && inside { inside = 0; close(dir "/" n ".expected"); next }
  inside { print >> (dir "/" n ".expected") }
' "$doc"

blocks=$(ls "$work"/*.cmd 2>/dev/null | wc -l)
if [ "$blocks" -eq 0 ]; then
  echo "check_tour: no \`\`\`text tour/<program> blocks in $doc; expected at least one" >&2
  exit 1
fi

failures=0
for cmd_file in $(ls "$work"/*.cmd | sort -V); do
  k=$(basename "$cmd_file" .cmd)
  read -r program args < "$cmd_file"
  exe="$bin_dir/tour_$program"
  if [ ! -x "$exe" ]; then
    echo "check_tour: block $k names tour/$program, but $exe does not exist; build the examples first" >&2
    failures=$((failures + 1))
    continue
  fi
  # shellcheck disable=SC2086 # the arguments are split on purpose
  if ! "$exe" $args > "$work/$k.actual" 2>&1; then
    echo "check_tour: tour_$program $args exited with an error:" >&2
    cat "$work/$k.actual" >&2
    failures=$((failures + 1))
    continue
  fi
  if diff -u --label "docs (block $k: tour/$program $args)" --label "actual output" \
      "$work/$k.expected" "$work/$k.actual"; then
    echo "ok   tour/$program${args:+ $args}"
  else
    failures=$((failures + 1))
  fi
done

# The tour sends readers to source files and node names: both must still exist.
root=$(cd "$(dirname "$doc")/.." && pwd)
for path in $(grep -o '`[A-Za-z0-9_./-]*\.\(cpp\|h\|sh\)`' "$doc" | tr -d '`' | sort -u); do
  if [ ! -e "$root/$path" ]; then
    echo "check_tour: $doc names $path, which does not exist" >&2
    failures=$((failures + 1))
  fi
done
for node in $(grep -o '`[A-Za-z]*Backward[0-9]`' "$doc" | tr -d '`' | sort -u); do
  if ! grep -rqF "\"$node\"" "$root/autograd"; then
    echo "check_tour: $doc names the node $node, which no op in autograd/ records" >&2
    failures=$((failures + 1))
  fi
done

if [ "$failures" -ne 0 ]; then
  echo "check_tour: $failures problems in $doc (of $blocks output blocks and its file and node names)" >&2
  echo "check_tour: fix the doc or the program (--update rewrites the output blocks)" >&2
  exit 1
fi
echo "check_tour: all $blocks blocks match; every file and node it names exists"
