#!/usr/bin/python3
"""Text benchmark, scikit-learn side: TfidfVectorizer().fit_transform on the documents
bench/text_tfidf.c uses (SST-2 train sentences, the Lee background corpus). Prints "key value"
lines like the C side; best of N repeats, wall and process CPU time. Usage: text_tfidf.py [repeats] (data from RECUR_DATA).
"""
import os
import sys
import time

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer


def sst2_train(root):
    with open(os.path.join(root, "sst2-glue/train.tsv"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    return [line.rsplit("\t", 1)[0] for line in lines[1:] if line]


def lee(root):
    with open(os.path.join(root, "lee-corpus/lee_background.cor"), encoding="latin-1") as f:
        return [d for d in f.read().split("\n") if d]


def bench(name, docs, repeats):
    best, best_cpu, X = float("inf"), float("inf"), None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        X = TfidfVectorizer().fit_transform(docs)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    print(f"tfidf_{name}_docs {len(docs)}")
    print(f"tfidf_{name}_terms {X.shape[1]}")
    print(f"tfidf_{name}_nnz {X.nnz}")
    print(f"tfidf_{name}_seconds {best:.6f}")
    print(f"tfidf_{name}_cpu_seconds {best_cpu:.6f}")


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    root = os.environ["RECUR_DATA"]
    print(f"sklearn_version {sklearn.__version__}")
    bench("sst2_train", sst2_train(root), repeats)
    bench("lee", lee(root), repeats)


if __name__ == "__main__":
    main()
