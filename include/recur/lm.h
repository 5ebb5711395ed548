// recur: recurrent language models over a stream of token ids: the layout of a stream for
// truncated back-propagation through time, the model (an embedding, any stacked cell, dropout
// between layers, a read-out optionally tied to the embedding), a training step on one segment,
// perplexity over a stream, and sampling. Ids only: reading a text file into ids is
// rc_vocab_read_ids (text.h). `recur lm` (docs/cli.md) is this API driven from the command line.
#ifndef RECUR_LM_H
#define RECUR_LM_H

#include "optim.h"
#include "rnn.h"

#ifdef __cplusplus
extern "C" {
#endif

// ---- a stream laid out for truncated BPTT
// -------------------------------------------------------- The stream ids[n] cut into `batch`
// columns of steps = n / batch consecutive tokens (the rest is dropped): data[t * batch + b] =
// ids[b * steps + t]. Each column is read from start to end, so a state carried from one segment to
// the next has seen every earlier token of its column.
typedef struct rc_lm_stream {
    int32_t *data; // [steps, batch], owned
    int64_t steps;
    int batch;
} rc_lm_stream;

// RC_ERR_ARG (message names the sizes) when batch < 1 or n < 2 * batch (each column needs an
// input and a target); RC_ERR_NOMEM.
RC_API rc_status rc_lm_stream_new(rc_lm_stream *s, const int32_t *ids, int64_t n, int batch,
                                  char *err, size_t err_len);
RC_API void rc_lm_stream_free(rc_lm_stream *s); // accepts NULL and a zeroed stream
// Columns [first, first + count) of s as a stream of their own (one rank's share of the batch,
// rc_dist_shard): the same steps, batch count. RC_ERR_RANGE outside s's columns.
RC_API rc_status rc_lm_stream_columns(const rc_lm_stream *s, int first, int count,
                                      rc_lm_stream *out, char *err, size_t err_len);
// Segments of at most bptt steps: inputs are rows [k*bptt, k*bptt + len) and targets the rows one
// later, so there are ceil((steps - 1) / bptt) segments, the last one shorter.
RC_API int64_t rc_lm_stream_segments(const rc_lm_stream *s, int bptt);
// Segment k: *x and *y point into the stream ([len, batch] each); returns len (0 outside).
RC_API int rc_lm_stream_segment(const rc_lm_stream *s, int bptt, int64_t k, const int32_t **x,
                                const int32_t **y);

// ---- the model
// -----------------------------------------------------------------------------------
typedef struct rc_lm_config {
    const rc_cell_type *cell; // any cell type (rc_cell_type_find("lstm"), a plugin's, ...)
    int64_t vocab;            // V
    int64_t dim_embed;        // E, the cells' input size
    int64_t dim_hidden;       // H of every layer (the cell type's default options otherwise)
    int num_layers;           // L >= 1
    float dropout;            // on the embedding, between layers and before the read-out, [0,1)
    bool tied;                // the read-out reuses the embedding (needs E == the cells' output)
    // Every parameter starts from U(-init_range, init_range) when > 0 (Zaremba et al. 2014 use
    // 0.1); 0 keeps each layer's own default.
    float init_range;
} rc_lm_config;

// Parameters (PyTorch's word_language_model names): "embed.weight" [V,E]; the cells "rnn."
// + "weight_ih_l0", ...; "head.weight" [V,H] (absent when tied) and "head.bias" [V].
typedef struct rc_lm {
    rc_lm_config config;
    rc_params *ps;
    rc_param *embed, *head_weight, *head_bias;
    rc_rnn *rnn;
    int n_state; // state tensors of the cell
} rc_lm;

// rng NULL: parameters start at zero (a caller that loads a checkpoint). RC_ERR_ARG with a
// message for a bad config (naming the field and value), and what rc_rnn_new reports.
RC_API rc_status rc_lm_new(rc_lm **out, const rc_lm_config *config, rc_rng *rng, char *err,
                           size_t err_len);
RC_API void rc_lm_free(rc_lm **m); // accepts NULL; nulls *m

// The logits [len*batch, V] of a segment x [len, batch] recorded in g, from the states in carry
// (empty or NULL: zeros); the final states go back into carry when carry_out is set. training
// enables dropout (drawn from rng). RC_NONE on error (the graph's status and message say why).
RC_API rc_var rc_lm_logits(const rc_lm *m, rc_graph *g, const int32_t *x, int len, int batch,
                           rc_rnn_carry *carry, bool carry_out, bool training, rc_rng *rng);

// One training step on segment x -> y [len, batch]: zero the gradients, the loss (cross-entropy
// summed over the segment's steps and averaged over the batch, Zaremba et al.'s objective), back
// propagation, gradient-norm clipping at clip (0: none), the optimizer's step; the state moves on
// in carry (NULL: from zeros, not carried). *nll_sum is the summed negative log-likelihood of the
// segment's len*batch tokens.
RC_API rc_status rc_lm_train_step(rc_lm *m, rc_graph *g, rc_optim *opt, const int32_t *x,
                                  const int32_t *y, int len, int batch, double clip,
                                  rc_rnn_carry *carry, rc_rng *rng, double *nll_sum, char *err,
                                  size_t err_len);
// Its two halves, for a loop that works on the gradients between them (rc_dist_average_grads):
// zeroing, the loss and back propagation; then clipping and the optimizer's step.
RC_API rc_status rc_lm_backward_step(rc_lm *m, rc_graph *g, const int32_t *x, const int32_t *y,
                                     int len, int batch, rc_rnn_carry *carry, rc_rng *rng,
                                     double *nll_sum, char *err, size_t err_len);
RC_API rc_status rc_lm_update(rc_lm *m, rc_optim *opt, double clip, char *err, size_t err_len);

// The summed negative log-likelihood (natural log) of every target of the stream, reading it in
// segments of bptt steps with the state carried (no dropout, nothing recorded for backward);
// perplexity is exp(*nll / *tokens). max_segments > 0 stops after that many segments.
RC_API rc_status rc_lm_evaluate(const rc_lm *m, const rc_lm_stream *s, int bptt,
                                int64_t max_segments, double *nll, int64_t *tokens, char *err,
                                size_t err_len);

// Continues the ids prime[n_prime] (n_prime >= 1) with n new ids into out, drawing each from the
// softmax of the logits divided by temperature (> 0) with rng.
RC_API rc_status rc_lm_sample(const rc_lm *m, const int32_t *prime, int n_prime, int n,
                              double temperature, rc_rng *rng, int32_t *out, char *err,
                              size_t err_len);

// The learning rate of epoch e (1-based) for a "flat, then decay" schedule: lr for the first
// flat epochs, then multiplied by decay once per epoch.
RC_API double rc_lm_epoch_lr(double lr, int flat, double decay, int epoch);

#ifdef __cplusplus
}
#endif

#endif
