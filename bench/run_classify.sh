#!/bin/sh
# recur classify against fastText `supervised` (Debian's fasttext) on the same examples: recur
# writes the folds it trains and tests on (--keep-files), fastText trains and tests on each with
# the same settings (fastText's defaults, one thread), and both mean accuracies are printed with
# their training seconds (docs/RESULTS.md, "Sentence classification").
#   bench/run_classify.sh DATA_DIR   (../shared/data/sentence-classification)
set -eu
D=${1:?usage: bench/run_classify.sh DATA_DIR}
BIN=${RECUR_BIN:-build-release/tools/recur}
FT=${FASTTEXT:-fasttext}
OUT=$(mktemp -d /tmp/recur_classify_bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
now() { date +%s.%N; }

# peer DIR NAMES...: fastText trained on DIR/NAMEtrain.txt, tested on DIR/NAMEtest.txt (NAME is
# "foldK." or empty); prints the mean P@1 (the accuracy, one label a line) and the seconds.
peer() {
    dir=$1
    shift
    total=0 n=0 secs=0
    for p in "$@"; do
        [ "$p" = - ] && p=
        t0=$(now)
        "$FT" supervised -input "$dir/${p}train.txt" -output "$dir/m" -dim 100 -lr 0.1 -epoch 5 \
            -wordNgrams 1 -minCount 1 -bucket 2000000 -thread 1 -verbose 0 >/dev/null
        t1=$(now)
        acc=$("$FT" test "$dir/m.bin" "$dir/${p}test.txt" 1 | sed -n 's/^P@1[[:space:]]*//p')
        total=$(echo "$total + $acc" | bc -l) n=$((n + 1)) secs=$(echo "$secs + $t1 - $t0" | bc -l)
    done
    printf 'fasttext: accuracy %.2f%%, %.1f s training\n' "$(echo "100 * $total / $n" | bc -l)" "$secs"
}

for set in rt-polarity:latin1 subj:latin1 custrev: mpqa:; do
    name=${set%%:*} enc=${set#*:}
    echo "== $name (10-fold)"
    "$BIN" classify --train "$D/$name.all" --folds 10 --threads 1 --quiet \
        ${enc:+--latin1} --keep-files "$OUT/$name" | sed 's/^/recur:    /'
    peer "$OUT/$name" fold0. fold1. fold2. fold3. fold4. fold5. fold6. fold7. fold8. fold9.
done
for set in stsa.binary: TREC:latin1; do
    name=${set%%:*} enc=${set#*:}
    train=$D/$name.train test=$D/$name.test
    [ -f "$train" ] || train=$D/$name.train.all test=$D/$name.test.all
    echo "== $name (train / test)"
    "$BIN" classify --train "$train" --test "$test" --threads 1 --quiet ${enc:+--latin1} \
        --keep-files "$OUT/$name" | sed 's/^/recur:    /'
    peer "$OUT/$name" -
done
