#!/bin/sh
# Steady under load: recurrent training steps with 1 and 2 threads on a quiet machine and with a
# busy loop pinned to one core beside them (bench/README.md, "load"). Prints each median step and
# the two ratios that matter: quiet 2 threads against quiet 1 thread (the fast path kept), busy
# 2 threads against busy 1 thread (issue 11 asks for at most 1.3).
#   bench/run_load.sh [--rounds N] [--reps N] [--core C] [--case NAME]...
set -eu

BIN=${RECUR_BENCH_RNN:-build-release/bench/rnn}
ROUNDS=3
REPS=31
CORE=1
CASES=""
while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --core) CORE=$2; shift 2 ;;
    --case) CASES="$CASES --case $2"; shift 2 ;;
    *) echo "run_load.sh: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
    esac
done
[ -n "$CASES" ] || CASES="--case lstm_h128 --case lstm_ptb_small"
[ -x "$BIN" ] || { echo "run_load.sh: $BIN is missing; build it with 'make build-release/build.ninja && ninja -C build-release bench/rnn'" >&2; exit 1; }
command -v taskset >/dev/null || { echo "run_load.sh: taskset (util-linux) is missing" >&2; exit 1; }

OUT=$(mktemp /tmp/recur_load.XXXXXX)
BUSY=""
cleanup() { [ -z "$BUSY" ] || kill "$BUSY" 2>/dev/null || true; rm -f "$OUT"; }
trap cleanup EXIT INT TERM

# One setting: label, then the environment and thread count; appends "label case ms" lines.
measure() {
    label=$1; threads=$2; shift 2
    r=0
    while [ "$r" -lt "$ROUNDS" ]; do
        env "$@" "$BIN" --threads "$threads" --reps "$REPS" $CASES |
            sed -n "s/.* case=\([^ ]*\) .* ms=\([0-9.]*\) min_ms=.*/$label \1 \2/p" >>"$OUT"
        r=$((r + 1))
    done
}

measure quiet_1 1 X=1
measure quiet_2 2 X=1
taskset -c "$CORE" sh -c 'while :; do :; done' &
BUSY=$!
measure busy_1 1 X=1
measure busy_2 2 X=1
measure busy_2_bind 2 OMP_PROC_BIND=true
measure busy_2_fixed 2 RECUR_ADAPTIVE_THREADS=0
kill "$BUSY"
BUSY=""

# Median over rounds per (label, case), then the table.
sort -k1,1 -k2,2 -k3,3n "$OUT" | awk '
    { key = $1 " " $2; v[key, ++n[key]] = $3; if (!(($2) in seen)) { seen[$2]; cases[++nc] = $2 } }
    END {
        for (key in n) { m = n[key]; med[key] = (m % 2) ? v[key, (m + 1) / 2] : (v[key, m / 2] + v[key, m / 2 + 1]) / 2 }
        printf "%-16s %9s %9s %9s %9s %11s %12s %10s %10s\n", "case", "quiet_1", "quiet_2", "busy_1", "busy_2", "busy_2_bind", "busy_2_fixed", "quiet_2/1", "busy_2/1"
        for (c = 1; c <= nc; c++) {
            k = cases[c]
            printf "%-16s %9.2f %9.2f %9.2f %9.2f %11.2f %12.2f %10.2f %10.2f\n", k, med["quiet_1 " k], med["quiet_2 " k], med["busy_1 " k], med["busy_2 " k], med["busy_2_bind " k], med["busy_2_fixed " k], med["quiet_2 " k] / med["quiet_1 " k], med["busy_2 " k] / med["busy_1 " k]
        }
    }'
