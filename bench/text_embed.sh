#!/bin/sh
# Word embeddings and fastText-style classification: recur against gensim and Debian's fasttext,
# same corpus, same settings, one run. On demand only (minutes, not seconds).
#
#   bench/text_embed.sh [BUILD_DIR]        (default: build; needs a release-like build)
#   PARTS="plain subword sup seeds" (default: all four) picks the parts; EPOCHS=5.
#   The seeds part retrains on PTB with every seed in SEEDS (default 1..6) for each tool and prints
#   the mean analogy accuracy and WS353, since one seed's figures move by about a point.
#
# Needs /usr/bin/python3 with gensim and fasttext (python3-gensim, python3-fasttext) and the
# fasttext CLI; RECUR_DATA (default ../shared/data). Prints one table per part.
set -eu
BUILD=${1:-build}
DATA=${RECUR_DATA:-../shared/data}
PY=/usr/bin/python3
HERE=$(dirname "$0")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
Q=$DATA/word-embedding-eval/questions-words.txt
WS=$DATA/word-embedding-eval/wordsim353.tsv
EPOCHS=${EPOCHS:-5}
PARTS=${PARTS:-plain subword sup seeds}
SEEDS=${SEEDS:-1 2 3 4 5 6}
has() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
# The same settings for the three tools: skip-gram, dim 100, window 5, 5 negatives, min count 5,
# subsampling 1e-4, lr 0.025, one thread.
COMMON="dim=100 window=5 negative=5 min_count=5 sample=1e-4 lr=0.025 epochs=$EPOCHS threads=1"

field() { # field KEY LINE
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# fastText's own words/sec/thread (wall, training loop only), and words per processor-second of
# the whole process (reading the corpus and saving the model included, so a little low).
fasttext_sg() { # fasttext_sg CORPUS MAXN [SEED]
    /usr/bin/time -f "cpu=%U+%S" -o "$TMP/ft.time" fasttext skipgram -input "$1" \
        -output "$TMP/ft" -dim 100 -ws 5 -neg 5 -minCount 5 -t 1e-4 -lr 0.025 -epoch "$EPOCHS" \
        -thread 1 -minn 3 -maxn "$2" -seed "${3:-0}" >"$TMP/ft.log" 2>&1
    wps=$(tr '\r' '\n' <"$TMP/ft.log" | grep 'words/sec/thread' | tail -1 |
          sed 's/.*words\/sec\/thread: *\([0-9]*\).*/\1/')
    cpu=$(sed -n 's/^cpu=//p' "$TMP/ft.time" | bc -l)
    words=$(( ($(wc -w <"$1") + $(wc -l <"$1")) * EPOCHS )) # fastText counts one </s> a line
    ev=$($PY "$HERE/text_embed_peers.py" evalvec "$TMP/ft.vec" "$Q" "$WS")
    echo "tool=fasttext words_per_sec_thread=$wps words_per_cpu_sec=$(echo "$words / $cpu" | bc) $ev"
    rm -f "$TMP/ft.bin" "$TMP/ft.vec"
}

row() { # row NAME LINE
    printf '%-28s %12s %12s %9s %8s\n' "$1" "$(field words_per_sec_thread "$2")" \
        "$(field words_per_cpu_sec "$2")" "$(field analogy "$2")" "$(field ws353 "$2")"
}

$PY "$HERE/text_embed_corpus.py" "$DATA" "$TMP/larger.txt"
has plain || has subword || CORPORA_SKIP=1
[ -n "${CORPORA_SKIP:-}" ] || for corpus in "$DATA/ptb/ptb.train.txt" "$TMP/larger.txt"; do
    echo
    echo "== word2vec skip-gram on $(basename "$corpus") ($(wc -w <"$corpus") words, $EPOCHS epochs)"
    printf '%-28s %12s %12s %9s %8s\n' run words/s/thread words/cpu-s analogy ws353
    if has plain; then
        r=$("$BUILD/bench/text_embed" "$corpus" "$TMP/r.vec" $COMMON questions="$Q" wordsim="$WS")
        row "recur" "$r"
        g=$($PY "$HERE/text_embed_peers.py" gensim "$corpus" "$TMP/g.vec" "$Q" "$WS" $COMMON)
        row "gensim" "$g"
        row "fasttext skipgram -maxn 0" "$(fasttext_sg "$corpus" 0)"
    fi
    if has subword; then
        r=$("$BUILD/bench/text_embed" "$corpus" "$TMP/rs.vec" $COMMON minn=3 maxn=6 \
            questions="$Q" wordsim="$WS")
        row "recur minn 3 maxn 6" "$r"
        row "fasttext skipgram 3..6" "$(fasttext_sg "$corpus" 6)"
    fi
done

# Seed averages on PTB: analogy accuracy and WS353 for every seed, then the mean per tool.
if has seeds; then
    corpus=$DATA/ptb/ptb.train.txt
    echo
    echo "== word2vec skip-gram on PTB train, seeds $SEEDS: analogy / WS353 per seed and mean"
    for tool in recur gensim fasttext; do
        sa=0; sw=0; n=0; line=""
        for s in $SEEDS; do
            case $tool in
            recur) r=$("$BUILD/bench/text_embed" "$corpus" "$TMP/r.vec" $COMMON seed="$s" \
                       questions="$Q" wordsim="$WS") ;;
            gensim) r=$($PY "$HERE/text_embed_peers.py" gensim "$corpus" "$TMP/g.vec" "$Q" "$WS" \
                        $COMMON seed="$s") ;;
            fasttext) r=$(fasttext_sg "$corpus" 0 "$s") ;;
            esac
            a=$(field analogy "$r"); w=$(field ws353 "$r")
            sa=$(echo "$sa + $a" | bc -l); sw=$(echo "$sw + $w" | bc -l); n=$((n + 1))
            line="$line $a/$w"
        done
        printf '%-9s mean analogy %.4f  mean ws353 %.4f  (per seed:%s)\n' "$tool" \
            "$(echo "$sa / $n" | bc -l)" "$(echo "$sw / $n" | bc -l)" "$line"
    done
fi
has sup || exit 0

# Supervised: the same __label__ files for both tools; bigrams, dim 100, 5 epochs, lr 0.1.
SC=$DATA/sentence-classification
for s in train dev test; do sed 's/^/__label__/' "$SC/stsa.binary.$s" >"$TMP/sst2.$s"; done
SUP="ngrams=2 dim=100 epochs=5 lr=0.1 threads=1"
echo
echo "== supervised (bigrams, dim 100, 5 epochs, lr 0.1, 1 thread)"
printf '%-22s %9s %9s %9s %9s %9s %9s\n' set recur_acc ft_acc recur_s ft_s recur_cpu ft_cpu
for split in dev test; do
    r=$("$BUILD/bench/text_sup" "$TMP/sst2.train" "$TMP/sst2.$split" $SUP)
    f=$($PY "$HERE/text_embed_peers.py" supervised "$TMP/sst2.train" "$TMP/sst2.$split" $SUP)
    printf '%-22s %9s %9s %9s %9s %9s %9s\n' "SST-2 $split" "$(field accuracy "$r")" \
        "$(field accuracy "$f")" "$(field train_seconds "$r")" "$(field train_seconds "$f")" \
        "$(field train_cpu_seconds "$r")" "$(field train_cpu_seconds "$f")"
done
# MR, 10-fold: line i belongs to fold i mod 10. rt-polarity.all has a few bytes that are not
# UTF-8 (recur stops at them with file and line; fastText takes any bytes): both tools get the
# file with those bytes dropped. The file lists all negative reviews, then all positive ones, and
# neither tool shuffles (SGD would end on one class): the lines are shuffled once, with a fixed
# seed, before the folds are cut.
iconv -f utf-8 -t utf-8 -c "$SC/rt-polarity.all" | sed 's/^/__label__/' |
    awk 'BEGIN { srand(1) } { printf "%.12f\t%s\n", rand(), $0 }' | sort -k1,1 | cut -f2- \
    >"$TMP/mr.all"
ra=0; fa=0; rs=0; fs=0; rc=0; fc=0
for k in 0 1 2 3 4 5 6 7 8 9; do
    awk -v k=$k 'NR % 10 != k' "$TMP/mr.all" >"$TMP/mr.train"
    awk -v k=$k 'NR % 10 == k' "$TMP/mr.all" >"$TMP/mr.test"
    r=$("$BUILD/bench/text_sup" "$TMP/mr.train" "$TMP/mr.test" $SUP)
    f=$($PY "$HERE/text_embed_peers.py" supervised "$TMP/mr.train" "$TMP/mr.test" $SUP)
    ra=$(echo "$ra + $(field accuracy "$r")" | bc -l); fa=$(echo "$fa + $(field accuracy "$f")" | bc -l)
    rs=$(echo "$rs + $(field train_seconds "$r")" | bc -l); fs=$(echo "$fs + $(field train_seconds "$f")" | bc -l)
    rc=$(echo "$rc + $(field train_cpu_seconds "$r")" | bc -l)
    fc=$(echo "$fc + $(field train_cpu_seconds "$f")" | bc -l)
done
printf '%-22s %9.4f %9.4f %9.3f %9.3f %9.3f %9.3f\n' "MR 10-fold (mean)" \
    "$(echo "$ra / 10" | bc -l)" "$(echo "$fa / 10" | bc -l)" "$(echo "$rs / 10" | bc -l)" \
    "$(echo "$fs / 10" | bc -l)" "$(echo "$rc / 10" | bc -l)" "$(echo "$fc / 10" | bc -l)"
