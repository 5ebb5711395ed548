#!/bin/sh
# Data-parallel recur lm on one machine (docs/distributed.md): PTB small for SEGMENTS segments of
# epoch 1, as one process with 1 and 2 threads and as 2 MPI ranks of 1 thread each, interleaved.
# Prints each run's epoch line (tokens per second, and for 2 ranks the seconds in collectives).
#   bench/run_dist.sh PTB_DIR [SEGMENTS] [ROUNDS]
set -eu
D=${1:?usage: bench/run_dist.sh PTB_DIR [SEGMENTS] [ROUNDS]}
SEG=${2:-200}
ROUNDS=${3:-2}
BIN=${RECUR_BIN:-build-release/tools/recur}
OUT=$(mktemp -d /tmp/recur_dist_bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
run() { # THREADS [LAUNCHER...]
    th=$1
    shift
    "$@" "$BIN" lm train --train "$D/ptb.train.txt" --valid "$D/ptb.valid.txt" --epochs 1 \
        --max-segments "$SEG" --threads "$th" --out "$OUT/m" --quiet
}
r=0
while [ "$r" -lt "$ROUNDS" ]; do
    run 1 | grep '^epoch' | sed 's/^/1 process, 1 thread:  /'
    run 2 | grep '^epoch' | sed 's/^/1 process, 2 threads: /'
    run 1 mpirun -np 2 --bind-to core --mca btl self,vader \
        --mca btl_vader_single_copy_mechanism none | grep '^epoch' | sed 's/^/2 ranks, 1 thread:    /'
    r=$((r + 1))
done
