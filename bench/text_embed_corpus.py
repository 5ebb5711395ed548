#!/usr/bin/python3
"""Builds bench/text_embed.sh's "larger corpus" from the shared data folder: every English text
there, lower-cased, punctuation split off words, one sentence or document a line:
PTB (train, valid, test), SST-2 GLUE train, MR, SUBJ, SST fine train, BEIR SciFact abstracts,
Cranfield, the Lee corpus, CoNLL-2000 and UD English-EWT sentences, tiny Shakespeare.
About 5 million tokens.  Usage: text_embed_corpus.py DATA_DIR OUT
"""
import json
import os
import re
import sys

TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]")


def norm(line):
    return " ".join(TOKEN.findall(line.lower()))


def lines(data):
    for split in ("train", "valid", "test"):
        yield from open(os.path.join(data, "ptb", "ptb.%s.txt" % split), encoding="utf-8")
    with open(os.path.join(data, "sst2-glue", "train.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            yield line.rsplit("\t", 1)[0]
    for name in ("rt-polarity.all", "subj.all", "stsa.fine.train"):
        for line in open(os.path.join(data, "sentence-classification", name),
                         encoding="utf-8", errors="replace"):
            yield line.split(" ", 1)[1] if " " in line else line
    for line in open(os.path.join(data, "beir-scifact", "corpus.jsonl"), encoding="utf-8"):
        d = json.loads(line)
        yield d.get("title", "") + " " + d.get("text", "")
    for line in open(os.path.join(data, "cranfield", "cran.all.1400"), encoding="utf-8",
                     errors="replace"):
        if not line.startswith("."):
            yield line
    for name in ("lee_background.cor", "lee.cor"):
        yield from open(os.path.join(data, "lee-corpus", name), encoding="latin-1")
    sent = []
    for line in open(os.path.join(data, "conll2000", "train.txt"), encoding="utf-8"):
        if line.strip():
            sent.append(line.split()[0])
        elif sent:
            yield " ".join(sent)
            sent = []
    for line in open(os.path.join(data, "ud-english-ewt", "en_ewt-ud-train.conllu"),
                     encoding="utf-8"):
        if line.startswith("# text = "):
            yield line[len("# text = "):]
    yield from open(os.path.join(data, "tinyshakespeare", "input.txt"), encoding="utf-8")


def main():
    data, out = sys.argv[1], sys.argv[2]
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for line in lines(data):
            t = norm(line)
            if t:
                f.write(t + "\n")
                n += len(t.split())
    print("corpus %s: %d tokens" % (out, n))


if __name__ == "__main__":
    main()
