#!/usr/bin/python3
"""Peers for bench/text_embed.sh: gensim Word2Vec / fastText training with the same settings as
recur, and fastText `supervised`. Prints one key=value line per run, like recur's drivers.

  text_embed_peers.py gensim CORPUS OUT.vec QUESTIONS WORDSIM key=value...
  text_embed_peers.py evalvec VEC QUESTIONS WORDSIM          (gensim's evaluation of any .vec)
  text_embed_peers.py supervised TRAIN TEST key=value...
"""
import sys
import time


def opts(args):
    return dict(a.split("=", 1) for a in args)


def gensim_run(corpus, out, questions, wordsim, kw):
    import logging
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence
    logging.disable(logging.WARNING)
    sg = kw.get("arch", "sg") == "sg"
    m = Word2Vec(vector_size=int(kw["dim"]), window=int(kw["window"]), negative=int(kw["negative"]),
                 sg=int(sg), hs=0, min_count=int(kw["min_count"]), sample=float(kw["sample"]),
                 workers=int(kw.get("threads", 1)), alpha=float(kw["lr"]), seed=int(kw.get("seed", 1)))
    sentences = LineSentence(corpus)
    m.build_vocab(sentences)
    epochs = int(kw["epochs"])
    t, c = time.time(), time.process_time()
    m.train(sentences, total_examples=m.corpus_count, epochs=epochs)
    el, cpu = time.time() - t, time.process_time() - c
    words = m.corpus_total_words * epochs
    m.wv.save_word2vec_format(out)
    print("tool=gensim words=%d seconds=%.3f words_per_sec_thread=%.0f cpu_seconds=%.3f "
          "words_per_cpu_sec=%.0f %s" % (words, el, words / el / int(kw.get("threads", 1)), cpu,
                                         words / cpu, evaluate(m.wv, questions, wordsim)))


def evaluate(kv, questions, wordsim):
    a = kv.evaluate_word_analogies(questions)[0]
    w = kv.evaluate_word_pairs(wordsim)
    return "analogy=%.4f ws353=%.4f" % (a, w[1][0])


def evalvec(vec, questions, wordsim):
    from gensim.models import KeyedVectors
    print(evaluate(KeyedVectors.load_word2vec_format(vec), questions, wordsim))


def supervised(train, test, kw):
    import fasttext
    t, c = time.time(), time.process_time()
    m = fasttext.train_supervised(train, dim=int(kw.get("dim", 100)), epoch=int(kw.get("epochs", 5)),
                                  lr=float(kw.get("lr", 0.1)), wordNgrams=int(kw.get("ngrams", 1)),
                                  loss=kw.get("loss", "softmax"), thread=int(kw.get("threads", 1)),
                                  bucket=int(kw.get("bucket", 2000000)), verbose=0)
    el, cpu = time.time() - t, time.process_time() - c
    n, p, _ = m.test(test)
    print("tool=fasttext train_seconds=%.3f train_cpu_seconds=%.3f accuracy=%.4f examples=%d"
          % (el, cpu, p, n))


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "gensim":
        gensim_run(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], opts(sys.argv[6:]))
    elif what == "evalvec":
        evalvec(sys.argv[2], sys.argv[3], sys.argv[4])
    elif what == "supervised":
        supervised(sys.argv[2], sys.argv[3], opts(sys.argv[4:]))
