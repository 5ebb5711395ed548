#!/usr/bin/env bash
# The MPI checks (docs/distributed.md): 2 ranks with half batches follow 1 rank with the whole
# batch; two runs give the same bits; 1 rank resumes a 2-rank run; a killed or hanging rank ends
# the job with an error within a bound; `recur lm` under mpirun matches one process.
# Usage: run.sh MPIRUN DIST_CHECK RECUR
set -uo pipefail
mpirun=$1 check=$2 recur=$3
export mpirun
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Loopback only; no CMA (ptrace is often refused in containers); no binding on a shared machine.
run2() { "$mpirun" -np 2 --oversubscribe --bind-to none --mca btl self,vader \
  --mca btl_vader_single_copy_mechanism none "$@"; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
field() { sed -n "s/^$1 //p" | head -1; }

# 1. Two ranks, half batches each, against one rank with the whole batch (rank 0 trains both).
out=$(run2 "$check" train 20 "$work/a.st" 2>&1) || fail "2-rank training failed: $out"
diff=$(echo "$out" | field maxdiff)
awk -v d="${diff:-1}" 'BEGIN { exit !(d <= 1e-5) }' &&
  pass "2 ranks x batch 6 = 1 rank x batch 12 (max |diff| $diff)" ||
  fail "2 ranks differ from 1 rank by ${diff:-?}: $out"
h1=$(echo "$out" | field hash)

# 2. The same bits from run to run with the same rank count.
out=$(run2 "$check" train 20 "$work/a2.st" 2>&1) || fail "second 2-rank run failed: $out"
h2=$(echo "$out" | field hash)
[ -n "$h1" ] && [ "$h1" = "$h2" ] && pass "two 2-rank runs give the same bits ($h1)" ||
  fail "two 2-rank runs differ: $h1 vs $h2"

# 3. A 2-rank run stopped at step 10, resumed by 1 rank to step 20.
run2 "$check" train 10 "$work/b.st" >/dev/null 2>&1 || fail "2-rank run to step 10 failed"
"$check" train 20 "$work/c.st" "$work/b.st" >/dev/null 2>&1 || fail "1-rank resume failed"
diff=$("$check" compare "$work/a.st" "$work/c.st" | field maxdiff)
awk -v d="${diff:-1}" 'BEGIN { exit !(d <= 1e-5) }' &&
  pass "1 rank resumes a 2-rank checkpoint (max |diff| to the 2-rank run $diff)" ||
  fail "resumed run differs by ${diff:-?}"

# 4. A rank killed mid-run: mpirun ends the job with an error, within 60 s.
t0=$(date +%s)
out=$(timeout 120 bash -c "$(declare -f run2); run2 '$check' die 5" 2>&1)
rc=$? t=$(($(date +%s) - t0))
[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $t -le 60 ] &&
  pass "a killed rank ends the job (exit $rc after ${t} s)" ||
  fail "killed rank: exit $rc after ${t} s: $out"
"$check" compare "$work/b.st" "$work/b.st" >/dev/null 2>&1 &&
  pass "the last checkpoint still loads" || fail "the checkpoint does not load"

# 5. A rank that stops answering: the others' watchdog (3 s here) ends the job.
t0=$(date +%s)
out=$(RECUR_DIST_TIMEOUT=3 timeout 120 bash -c "$(declare -f run2); run2 -x RECUR_DIST_TIMEOUT '$check' hang 5" 2>&1)
rc=$? t=$(($(date +%s) - t0))
[ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $t -le 60 ] && echo "$out" | grep -q "has waited" &&
  pass "a hanging rank ends the job through the watchdog (exit $rc after ${t} s)" ||
  fail "hanging rank: exit $rc after ${t} s: $out"

# 6. Stores that differ between ranks: every rank fails with a message naming the counts.
out=$(RECUR_DIST_TIMEOUT=20 timeout 60 bash -c "$(declare -f run2); run2 -x RECUR_DIST_TIMEOUT '$check' mismatch" 2>&1)
rc=$?
[ $rc -eq 0 ] && [ "$(echo "$out" | grep -c 'holds 5 parameters, rank 0 5 (another rank differs)\|holds 6 parameters, rank 0 5')" = 2 ] &&
  pass "ranks with different stores fail together with a message" ||
  fail "mismatched stores: exit $rc: $out"

# 7. `recur lm` under mpirun: 2 ranks with 2 columns each against 1 process with 4.
corpus="the cat sat on the mat
the dog sat on the log
a cat and a dog
the mat and the log"
for i in $(seq 20); do echo "$corpus"; done >"$work/train.txt"
for i in 1 2; do echo "$corpus"; done >"$work/valid.txt"
lm=(lm train --train "$work/train.txt" --valid "$work/valid.txt" --epochs 2 --hidden 8 --bptt 5
  --batch 4 --eval-batch 2 --lr 0.5 --quiet --json)
one=$("$recur" "${lm[@]}" --out "$work/lm1" 2>&1) || fail "recur lm (1 process) failed: $one"
two=$(run2 "$recur" "${lm[@]}" --out "$work/lm2" 2>&1) || fail "mpirun recur lm failed: $two"
p1=$(echo "$one" | sed -n 's/.*"best_valid_ppl": \([0-9.e+-]*\).*/\1/p')
p2=$(echo "$two" | sed -n 's/.*"best_valid_ppl": \([0-9.e+-]*\).*/\1/p')
awk -v a="${p1:-0}" -v b="${p2:-1}" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d <= 1e-4 * a) }' &&
  pass "mpirun -np 2 recur lm: valid ppl $p2, one process $p1" ||
  fail "recur lm: 2 ranks give ${p2:-?}, one process ${p1:-?}: $two"
[ "$(echo "$two" | grep -c best_valid_ppl)" = 1 ] && pass "rank 0 alone reports" ||
  fail "more than one rank reported: $two"

[ $failures -eq 0 ] || { echo "$failures MPI check(s) failed"; exit 1; }
echo "all MPI checks passed"
