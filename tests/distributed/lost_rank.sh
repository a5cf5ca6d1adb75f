#!/usr/bin/env bash
# Runs tests/distributed/lost_rank.cpp under mpirun and passes when the job ends by
# itself with a non-zero status (not by the timeout) and says why.
#   lost_rank.sh <mpiexec> <program> <exit|throw>
set -u
mpiexec=$1 program=$2 mode=$3
output=$(timeout 60 "$mpiexec" --oversubscribe -np 2 "$program" "$mode" 2>&1)
status=$?
echo "$output"
if [ $status -eq 124 ]; then
  echo "lost_rank ($mode): the job hung until the 60 s timeout; expected it to end when rank 1 failed"
  exit 1
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
