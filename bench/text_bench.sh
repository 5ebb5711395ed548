#!/usr/bin/env bash
# Text benchmark: recur against scikit-learn in the same run, on the same documents with the same
# settings (TfidfVectorizer defaults), then BM25 on BEIR SciFact. Usage:
#   bench/text_bench.sh [repeats]        (default 5; each figure is the best of the repeats)
# Needs RECUR_DATA (default ../shared/data) and Debian's python3-sklearn.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${RECUR_DATA:-}" ] && [ -d ../shared/data ]; then
  RECUR_DATA="$(cd ../shared/data && pwd)"
fi
export RECUR_DATA="${RECUR_DATA:?set RECUR_DATA to the shared data folder}"
repeats="${1:-5}"
[ -f build-release/build.ninja ] || meson setup build-release --buildtype=release >/dev/null
ninja -C build-release bench/text_tfidf >/dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
./build-release/bench/text_tfidf "$repeats" > "$out/recur.txt"
/usr/bin/python3 bench/text_tfidf.py "$repeats" > "$out/sklearn.txt"
awk -v R="$out/recur.txt" -v S="$out/sklearn.txt" '
  BEGIN {
    while ((getline l < R) > 0) { split(l, f, " "); r[f[1]] = f[2] }
    while ((getline l < S) > 0) { split(l, f, " "); s[f[1]] = f[2] }
    printf "TF-IDF fit+transform (TfidfVectorizer defaults), best of the repeats, scikit-learn %s\n", s["sklearn_version"]
    printf "times in seconds: wall, then process CPU (steadier on a shared machine); speedup on CPU\n"
    printf "%-12s %7s %7s %8s %9s %9s %9s %9s %8s\n", "corpus", "docs", "terms", "nnz", "recur", "sklearn", "recur", "sklearn", "speedup"
    n = split("sst2_train lee", names, " ")
    for (i = 1; i <= n; i++) {
      k = "tfidf_" names[i]
      if (r[k "_terms"] != s[k "_terms"] || r[k "_nnz"] != s[k "_nnz"])
        printf "warning: %s: recur and scikit-learn disagree on terms or nnz\n", names[i]
      printf "%-12s %7d %7d %8d %9.4f %9.4f %9.4f %9.4f %7.1fx\n", names[i], r[k "_docs"], r[k "_terms"], r[k "_nnz"], r[k "_seconds"], s[k "_seconds"], r[k "_cpu_seconds"], s[k "_cpu_seconds"], s[k "_cpu_seconds"] / r[k "_cpu_seconds"]
    }
    printf "\nBM25 on BEIR SciFact (k1 0.9, b 0.4, Lucene idf, 33 stop words, Porter), test split\n"
    printf "queries %d, index + queries %.4f s (loading the JSON %.4f s), nDCG@10 %.4f, MAP@100 %.4f\n", r["bm25_scifact_queries"], r["bm25_scifact_index_and_queries_seconds"], r["bm25_scifact_load_seconds"], r["bm25_scifact_ndcg10"], r["bm25_scifact_map100"]
  }'
