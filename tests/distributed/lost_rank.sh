#!/usr/bin/env bash
# Runs tests/distributed/lost_rank.cpp under mpirun and passes when the job ends by
# itself (not by the timeout): with a non-zero status that says why when rank 1
# fails, with status 0 and both ranks' results when none does ("finish").
#   lost_rank.sh <mpiexec> <program> <exit|throw|finish>
set -u
mpiexec=$1 program=$2 mode=$3
output=$(timeout 60 "$mpiexec" --oversubscribe -np 2 "$program" "$mode" 2>&1)
status=$?
echo "$output"
if [ $status -eq 124 ]; then
  echo "lost_rank ($mode): the job hung until the 60 s timeout; expected it to end when rank 1 failed"
  exit 1
fi
if [ "$mode" = finish ]; then
  # 2 ranks, t = ones after two sums: 4.
  if [ $status -ne 0 ] || [ "$(grep -c "finished with t\[0\] = 4$" <<<"$output")" -ne 2 ]; then
    echo "lost_rank (finish): status $status; expected 0 and both ranks finishing with t[0] = 4"
    exit 1
  fi
  echo "lost_rank (finish): both ranks finished and the job ended with status 0"
  exit 0
fi
if [ $status -eq 0 ]; then
  echo "lost_rank ($mode): mpirun exited 0; expected a non-zero status"
  exit 1
fi
expected="MPI_Abort"
[ "$mode" = throw ] && expected="rank 1 gives up"
if ! grep -q "$expected" <<<"$output"; then
  echo "lost_rank ($mode): the output does not mention \"$expected\""
  exit 1
fi
echo "lost_rank ($mode): the job ended with status $status"
