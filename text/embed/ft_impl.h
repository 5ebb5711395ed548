// Private to the fastText-style classifier: the model and the features of a line.
#ifndef RECUR_FT_IMPL_H
#define RECUR_FT_IMPL_H

#include "embed_impl.h"

struct rc_ft {
    rc_ft_opts o;
    char *prefix; // owned copy of o.label_prefix ("" for first-token labels)
    rc_vocab *words, *labels;
    int32_t V, C;
    int64_t *label_counts; // [C]
    bool buckets;          // input rows V .. V + bucket exist (n-grams or word n-grams)
    rc_params *ps;
    rc_param *in, *out; // input [V (+ bucket), dim]; output [C, dim] or [C - 1, dim] (HS)
    rc_huffman *tree;
    rc_unigram_table *neg;
};

// A growable int32 list.
typedef struct ft_ints {
    int32_t *v;
    int64_t n;
    size_t cap;
} ft_ints;
bool rc_ft_push(ft_ints *a, int32_t x);

// Splits a line into word tokens and label tokens (by the model's prefix rule). Labels are
// looked up in m->labels when it is finalized (unknown ones dropped), else counted into it.
// Appends the input rows of the line's features (words, their n-grams, word n-grams) to feats
// when m->words is finalized, else counts the words into m->words. *n_tokens: tokens read.
// text_only: a text to classify, whose first token is a word even with first-token labels.
rc_status rc_ft_line(rc_ft *m, const char *line, size_t len, bool text_only, rc_tokens *t,
                     ft_ints *feats, ft_ints *labels, ft_ints *hashes, int64_t *n_tokens, char *why,
                     size_t why_len);

#endif
