// recur: tokenizer, vocabulary, sparse features (bag-of-words, n-grams, TF-IDF), BM25 and
// retrieval / classification metrics.
#ifndef RECUR_TEXT_H
#define RECUR_TEXT_H

#include "ops.h"

#endif
