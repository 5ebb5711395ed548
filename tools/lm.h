// Private to `recur lm` (cmd_lm.c parses and runs eval and sample, cmd_lm_train.c trains): the
// options and the model files, a folder holding vocab.txt, last.safetensors (every epoch, with
// the optimizer and generator state) and best.safetensors (the best validation perplexity).
#ifndef RECUR_TOOLS_LM_H
#define RECUR_TOOLS_LM_H

#include <recur/recur.h>

#include "cli.h"

typedef struct lm_opts {
    const char *verb; // train, eval, sample
    const char *train, *valid, *test, *out, *resume, *model, *prime;
    const char **files; // eval's operands
    int n_files;
    rc_lm_config model_cfg;
    const char *cell_name;
    int bptt, batch, eval_batch, epochs, lr_flat, words;
    int64_t min_count, max_vocab, max_segments;
    double lr, lr_decay, clip, temperature;
    int optimizer;
    uint64_t seed;
    bool quiet, json;
    bool chars; // character-level: every character a token (spaces too), <eos> per line
} lm_opts;

// A model with its vocabulary.
typedef struct lm_model {
    rc_lm *lm;
    rc_vocab *vocab;
    bool chars; // tokens are characters (the checkpoint's lm.chars)
} lm_model;

// How lines split into words: at spaces, punctuation and <unk> kept whole (PTB's layout).
// or, for a character-level model, every character (spaces included).
const rc_tok_opts *lm_tokens(bool chars);
// Reads a file into a stream of `batch` columns (tokens split at spaces, <eos> per line).
bool lm_read_stream(const lm_model *m, const char *path, int batch, rc_lm_stream *s, char *err,
                    size_t err_len);
// The summed negative log-likelihood and tokens of a file; perplexity exp(nll / tokens).
// This rank's columns of that stream (rc_dist_shard over the batch; all of them for d NULL or
// one rank); the batch must split evenly.
bool lm_read_shard(const lm_model *m, const char *path, int batch, rc_dist *d, rc_lm_stream *s,
                   char *err, size_t err_len);
// With d, the ranks share the columns and the sums (every rank gets the figure).
bool lm_perplexity(const lm_model *m, const char *path, const lm_opts *o, rc_dist *d, double *ppl,
                   int64_t *tokens, char *err, size_t err_len);
// Metadata for a checkpoint: the model's config ("lm.cell", "lm.vocab", ...) and the training
// state, as the key, value, ..., NULL list rc_checkpoint_extra.meta takes.
enum { LM_META_MAX = 16 };
typedef struct lm_meta {
    const char *kv[2 * LM_META_MAX + 1];
    char val[LM_META_MAX][64];
    int n;
} lm_meta;
void lm_meta_add(lm_meta *m, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void lm_meta_config(lm_meta *m, const rc_lm_config *c, bool chars);
// Loads FILE (a checkpoint of `recur lm train`) and the vocab.txt beside it.
bool lm_model_load(lm_model *m, const char *path, char *err, size_t err_len);
void lm_model_free(lm_model *m);
// The vocabulary file beside a checkpoint path (same folder), into buf.
void lm_vocab_path(const char *checkpoint, char *buf, size_t len);

int lm_train(const lm_opts *o);

#endif
