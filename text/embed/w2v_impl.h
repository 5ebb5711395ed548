// Private to the word2vec / fastText code: the model's layout and the training entry point.
#ifndef RECUR_W2V_IMPL_H
#define RECUR_W2V_IMPL_H

#include "embed_impl.h"

// The training corpus as word ids, sentence by sentence.
typedef struct w2v_corpus {
    int32_t *tok;
    int64_t n_tok;
    int64_t *sent; // [n_sent + 1] sentence s is tok[sent[s] .. sent[s+1])
    int64_t n_sent;
} w2v_corpus;

struct rc_w2v {
    rc_w2v_opts o;
    rc_vocab *vocab;
    int32_t V;
    int64_t *counts; // [V]
    int64_t total;   // sum of counts
    rc_params *ps;
    rc_param *in, *out; // input [V + bucket, dim], output [V, dim] (NS) or [V - 1, dim] (HS)
    int64_t *sub_start; // [V + 1] input rows of word w: sub_rows[sub_start[w] .. sub_start[w+1])
    int32_t *sub_rows;  // the word's own row first, then its n-gram rows V + bucket id
    int32_t max_rows;   // longest such list
    uint32_t *keep;     // [V] subsampling: keep when a 32-bit draw is below (UINT32_MAX: always)
    rc_unigram_table *neg;
    rc_huffman *tree;
};

// Trains m (tables initialised) on the corpus; fills stats' training fields.
rc_status rc_w2v_run(rc_w2v *m, const w2v_corpus *c, rc_w2v_stats *stats, char *err,
                     size_t err_len);

#endif
