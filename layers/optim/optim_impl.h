// Private to the optimizers: what one kind of optimizer is (rc_optim_kind_def, a table of
// functions that layers/optim/optim.c selects once, in rc_optim_new) and the per-step scalars and
// buffers its update reads. A kind is one file here (sgd.c, adam.c, adagrad.c, rmsprop.c) and one
// line in optim.c's table of kinds.
#ifndef RECUR_OPTIM_IMPL_H
#define RECUR_OPTIM_IMPL_H

#include <recur/optim.h>

// Per-step scalars, rounded to f32 as PyTorch's kernels round Python numbers. The driver sets the
// shared ones (first two rows, straight from the options); a kind's `scalars` sets the others it
// reads and may change the shared ones.
typedef struct rc_optim_coef {
    float neg_lr, wd, mom, one_minus_damp, eps, decay; // decay 1: no decoupled weight decay
    bool first, maximize, has_wd, has_mom, nesterov, amsgrad, centered;
    float b1, one_minus_b1, b2, one_minus_b2, bc2_sqrt, neg_step, alpha, one_minus_alpha;
} rc_optim_coef;

// One parameter's buffers: value, gradient and state slots 0-2 (NULL for a slot not in use).
typedef struct rc_optim_bufs {
    float *p;
    const float *g;
    float *s0, *s1, *s2;
} rc_optim_bufs;

typedef struct rc_optim_kind_def {
    const char *name; // PyTorch's class name in lower case, as checkpoints and the CLI spell it
    // PyTorch's defaults for the options this kind reads (o->kind and o->lr are already set, the
    // rest 0); NULL: 0 is every default.
    void (*defaults)(rc_optim_opts *o);
    // The checks only this kind makes, after the shared ones; NULL: none. RC_ERR_ARG, message.
    rc_status (*check)(const rc_optim_opts *o, char *err, size_t err_len);
    // PyTorch's state name of slot k (< RC_PARAM_STATE_SLOTS) under o; NULL for a slot not used.
    // Checkpoints save and load exactly the named slots.
    const char *(*slot_name)(const rc_optim_opts *o, int k);
    // Sets this kind's scalars for the step that brings a parameter's count to `step` (1 on its
    // first update); NULL: the shared scalars are all it reads.
    void (*scalars)(const rc_optim_opts *o, int64_t step, rc_optim_coef *c);
    // Initialises the state of a parameter's first step, n entries per slot, after the used slots
    // were zeroed; NULL: zeros are the initial state.
    void (*first_state)(const rc_optim_opts *o, const rc_optim_bufs *b, int64_t n);
    // Updates entries [lo, hi) of value and state: a dense parameter is one range [0, n), a
    // row-sparse one a range per touched row.
    void (*update)(const rc_optim_coef *c, const rc_optim_bufs *b, int64_t lo, int64_t hi);
} rc_optim_kind_def;

extern const rc_optim_kind_def rc_optim_sgd_def, rc_optim_adam_def, rc_optim_adamw_def,
    rc_optim_adagrad_def, rc_optim_rmsprop_def;

// The gradient of entry i with maximize and (coupled) weight decay applied.
static inline float rc_optim_grad(const rc_optim_coef *c, const rc_optim_bufs *b, int64_t i) {
    float g = c->maximize ? -b->g[i] : b->g[i];
    return c->has_wd ? g + c->wd * b->p[i] : g;
}

#endif
