#!/bin/sh
# recur lm train against bench/lm_torch.py (PyTorch) on the same PTB files and settings
# (Zaremba et al.'s small model), a few hundred segments of epoch 1 each, interleaved, so the
# tokens per second of both come from the same minutes (bench/README.md, "lm").
#   bench/run_lm.sh PTB_DIR [SEGMENTS] [THREADS] [ROUNDS]
set -eu
D=${1:?usage: bench/run_lm.sh PTB_DIR [SEGMENTS] [THREADS] [ROUNDS]}
SEG=${2:-300}
TH=${3:-1}
ROUNDS=${4:-2}
BIN=${RECUR_BIN:-build-release/tools/recur}
OUT=$(mktemp -d /tmp/recur_lm_bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
r=0
while [ "$r" -lt "$ROUNDS" ]; do
    "$BIN" lm train --train "$D/ptb.train.txt" --valid "$D/ptb.valid.txt" --epochs 1 \
        --max-segments "$SEG" --threads "$TH" --out "$OUT/m" --quiet | grep '^epoch' |
        sed 's/^/recur /'
    OMP_NUM_THREADS=$TH /usr/bin/python3 "$(dirname "$0")/lm_torch.py" "$D/ptb.train.txt" \
        "$D/ptb.valid.txt" --epochs 1 --max-segments "$SEG" --threads "$TH"
    r=$((r + 1))
done
