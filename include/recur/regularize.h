// recur: regularisers for any recurrent cell, built-in, variant or your own: variational (locked)
// dropout, zoneout and weight drop. Each is a set of runner hooks (rc_rnn_hooks), so it changes
// nothing in the cells: pass rc_regularizer_hooks(r) as rc_rnn_run.hooks or rc_unroll_opts.hooks,
// or chain several (and your own hooks) with rc_hook_chain. Masks are leaves drawn while the graph
// is built, from the regulariser's own generator: backward, replay and rc_gradcheck_loss see them
// as constants. docs/cells.md shows how to apply them.
#ifndef RECUR_REGULARIZE_H
#define RECUR_REGULARIZE_H

#include "rnn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rc_regularizer rc_regularizer;

// Variational ("locked") dropout of Gal & Ghahramani 2016: one inverted-dropout mask per sequence
// of the batch (a row of a [B,.] mask), per layer and direction, drawn when the runner starts that
// layer and direction and reused at every step. Rates in [0,1); 0 leaves that place untouched.
// Every layer gets them: layer l > 0 reads layer l-1's (masked) outputs and masks them again with
// its own input mask, so for one mask between layers set input or output, not both.
typedef struct rc_variational_dropout_opts {
    float input;  // on x_t [B,I] before the cell (and its projection) sees it
    float state;  // on h_{t-1} (state 0) as the step reads it; the carried state is not masked
    float output; // on the step's output [B,dim_out]
} rc_variational_dropout_opts;
RC_API rc_status rc_variational_dropout_new(rc_regularizer **out,
                                            const rc_variational_dropout_opts *opts, uint64_t seed,
                                            char *err, size_t err_len);

// Zoneout of Krueger et al. 2017: in training each unit of state k keeps its previous value with
// probability rate_k, a fresh Bernoulli draw per step and unit; in evaluation every state is the
// expectation rate*prev + (1-rate)*new. State 0 (h) and state 1 (c, for cells that have it) have
// their own rates in [0,1). When the step's output is its new state 0, the output follows the
// zoned-out h.
typedef struct rc_zoneout_opts {
    float h; // state 0
    float c; // state 1; ignored for cells with one state
} rc_zoneout_opts;
RC_API rc_status rc_zoneout_new(rc_regularizer **out, const rc_zoneout_opts *opts, uint64_t seed,
                                char *err, size_t err_len);

// Weight drop (DropConnect on recurrent weights) of Merity et al. 2018: every cell weight whose
// parameter name contains `match` is multiplied by an inverted-dropout mask of its shape, drawn
// once per sequence batch, layer and direction and shared by all steps and sequences of the batch.
// match NULL: "weight_hh" (every recurrent matrix of the built-in cells and the variants). p in
// [0,1). The match string is copied.
typedef struct rc_weight_drop_opts {
    float p;
    const char *match;
} rc_weight_drop_opts;
RC_API rc_status rc_weight_drop_new(rc_regularizer **out, const rc_weight_drop_opts *opts,
                                    uint64_t seed, char *err, size_t err_len);

// The hooks to hand a runner; valid until rc_regularizer_free. Places whose rate is 0 have no
// hook, so zero rates build exactly the plain run's graph.
RC_API const rc_rnn_hooks *rc_regularizer_hooks(rc_regularizer *r);
// Training (the default) draws masks; evaluation is deterministic: dropouts do nothing, zoneout
// takes its expectation.
RC_API void rc_regularizer_set_training(rc_regularizer *r, bool training);
RC_API bool rc_regularizer_training(const rc_regularizer *r);
// Restarts the regulariser's generator (the same seed gives the same masks).
RC_API void rc_regularizer_seed(rc_regularizer *r, uint64_t seed);
RC_API void rc_regularizer_free(rc_regularizer **r);

// Several hook sets acting as one: for each hook, the links are called in order, each seeing what
// the one before returned (x, weights, read states, next states, output). The chain has a hook
// when some link has it at rc_hook_chain_new. The links are borrowed and must outlive the chain.
// RC_ERR_ARG with a message when n < 1 or a link is NULL.
typedef struct rc_hook_chain rc_hook_chain;
RC_API rc_status rc_hook_chain_new(rc_hook_chain **out, const rc_rnn_hooks *const *links, int n,
                                   char *err, size_t err_len);
RC_API const rc_rnn_hooks *rc_hook_chain_hooks(rc_hook_chain *chain);
RC_API void rc_hook_chain_free(rc_hook_chain **chain);

#ifdef __cplusplus
}
#endif

#endif
