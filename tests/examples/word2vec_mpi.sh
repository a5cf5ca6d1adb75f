#!/bin/bash
# tapegrad-word2vec under mpirun on the tiny corpus (examples/word2vec/cluster.h):
#   word2vec_mpi.sh MPIEXEC BINARY SOURCE_DIR NP
# - the processes build the vocabulary one process would (same words, same order, so
#   the same counts and ties): every line of the corpus was read by exactly one shard;
# - every process read its shard: the token total over the run is the corpus' x epochs;
# - training runs its row syncs and rank 0 alone writes the .vec and the checkpoint;
# - --resume continues with the same -np and is refused with another;
# - a process killed mid-run ends the whole job with a non-zero exit, not a hang.
set -euo pipefail
mpiexec=$1
bin=$2
src=$3
np=$4
source "$(dirname "$0")/scratch.sh"
run() { timeout 120 "$mpiexec" --oversubscribe -np "$@"; }
common=(--dim 16 --min-count 1 --threads 1 --sample 0 --seed 5 --sync-every 300)

"$bin" train --input "$corpus" --output "$work/one.vec" "${common[@]}" --epochs 1 --quiet 2> /dev/null
run "$np" "$bin" train --input "$corpus" --output "$work/many.vec" "${common[@]}" --epochs 2 \
  --checkpoint "$work/ckpt.tg" 2> "$work/stderr" || fail "mpirun -np $np failed: $(cat "$work/stderr")"
cut -d' ' -f1 "$work/one.vec" > "$work/one.words"
cut -d' ' -f1 "$work/many.vec" > "$work/many.words"
cmp -s "$work/one.words" "$work/many.words" || fail "the vocabulary of $np processes differs from one process's"
grep -q "over $np processes" "$work/stderr" || fail "rank 0 did not report $np processes: $(cat "$work/stderr")"
tokens=$(wc -w < "$corpus")
grep -q "Read $tokens tokens over $np processes" "$work/stderr" || fail "not every token was read once"
grep -qE "^$np processes x 1 threads; [1-9][0-9]* row syncs" "$work/stderr" || fail "no row syncs reported"
grep -qE '^words/sec/thread: [0-9]+$' "$work/stderr" || fail "no 'words/sec/thread: N' line"
[ "$(grep -c '^Wrote' "$work/stderr")" = 1 ] || fail "more than one process wrote the vectors"
awk 'NR > 1 { for (i = 2; i <= NF; ++i) if ($i != $i + 0) exit 1 }' "$work/many.vec" || fail "a value is not a number"

# Resume: a third epoch with the same -np; another -np is refused, naming both.
run "$np" "$bin" train --input "$corpus" --output "$work/resumed.vec" "${common[@]}" --epochs 3 \
  --resume "$work/ckpt.tg" --quiet 2> "$work/resume.err" || fail "resume failed: $(cat "$work/resume.err")"
[ -s "$work/resumed.vec" ] || fail "the resumed run wrote no vectors"
if run $((np + 1)) "$bin" train --input "$corpus" --output "$work/x.vec" "${common[@]}" --epochs 3 \
  --resume "$work/ckpt.tg" --quiet 2> "$work/wrong.err"; then
  fail "a checkpoint of $np processes was resumed by $((np + 1))"
fi
grep -q "saved by a run of $np process(es), this run has $((np + 1))" "$work/wrong.err" \
  || fail "the refusal does not name both counts: $(cat "$work/wrong.err")"

# A lost process: kill one rank mid-run; mpirun must end the job, non-zero, in time.
big="$work/big.txt"
for _ in $(seq 60); do cat "$corpus"; done > "$big"
"$mpiexec" --oversubscribe -np "$np" "$bin" train --input "$big" --output "$work/lost.vec" "${common[@]}" \
  --epochs 50 --quiet 2> "$work/lost.err" &
job=$!
for _ in $(seq 100); do
  victim=$(pgrep -f -n "tapegrad-word2vec train --input $big" || true)
  [ -n "$victim" ] && [ "$victim" != "$job" ] && break
  sleep 0.1
done
sleep 1
kill -9 "$victim" 2> /dev/null || fail "found no rank to kill"
status=0
timeout 60 tail --pid="$job" -f /dev/null || fail "the job did not end within 60 s of losing a rank"
wait "$job" || status=$?
[ "$status" -ne 0 ] || fail "the job exited 0 after losing a rank"
[ ! -e "$work/lost.vec" ] || fail "a job that lost a rank wrote vectors"
echo "OK: $np processes"
