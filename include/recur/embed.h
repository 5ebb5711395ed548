// recur: word2vec (skip-gram, CBOW), fastText subword embeddings and fastText-style
// classification, with the word-vector evaluations.
#ifndef RECUR_EMBED_H
#define RECUR_EMBED_H

#include "text.h"

#endif
