// recur: optimizers over a parameter store, gradient clipping and learning-rate schedules.
// Formulas, defaults and argument checks are PyTorch 1.13's (torch.optim, torch.nn.utils,
// torch.optim.lr_scheduler); scalars are computed in double and applied in f32 as PyTorch does.
#ifndef RECUR_OPTIM_H
#define RECUR_OPTIM_H

#include "graph.h"

#ifdef __cplusplus
extern "C" {
#endif

// ---- optimizers ---------------------------------------------------------------------------------
// An optimizer updates every parameter of its store that is not frozen and received a gradient
// since the last rc_params_zero_grad (a parameter no op touched is skipped, as PyTorch skips a
// parameter whose .grad is None). When rc_param_touched_rows(p) is not NULL (an embedding table
// reached only through row gathers), only the touched rows are updated and only their state
// moves: weight decay, moments and accumulators of the other rows stay as they are (PyTorch's
// SparseAdam and sparse Adagrad behave so; for SGD with momentum it is "lazy" momentum).
// State lives in the parameters' state slots (rc_param_state), so a store serves one optimizer.

typedef enum rc_optim_kind {
    RC_OPTIM_SGD = 0, // momentum, dampening, Nesterov, weight decay
    RC_OPTIM_ADAM,    // L2 weight decay added to the gradient; amsgrad optional
    RC_OPTIM_ADAMW,   // decoupled weight decay: p *= 1 - lr * weight_decay
    RC_OPTIM_ADAGRAD, // lr_decay, initial accumulator value
    RC_OPTIM_RMSPROP, // alpha, centered, momentum
} rc_optim_kind;

typedef struct rc_optim_opts {
    rc_optim_kind kind;
    double lr;
    double weight_decay;
    double momentum, dampening;                 // SGD; RMSprop uses momentum
    bool nesterov;                              // SGD: needs momentum > 0 and dampening == 0
    double beta1, beta2;                        // Adam, AdamW
    double eps;                                 // Adam, AdamW, Adagrad, RMSprop
    bool amsgrad;                               // Adam, AdamW
    double lr_decay, initial_accumulator_value; // Adagrad
    double alpha;                               // RMSprop smoothing constant
    bool centered;                              // RMSprop
    bool maximize;                              // ascend instead of descend
} rc_optim_opts;

// The lower-case name of kind ("sgd", "adam", "adamw", "adagrad", "rmsprop", as checkpoints and
// the command line spell it); NULL for a value that is no kind. The kinds are 0, 1, ... up to the
// first value whose name is NULL.
RC_API const char *rc_optim_kind_name(rc_optim_kind kind);
// The rc_optim_kind whose rc_optim_kind_name is name (case-sensitive); -1 for another name or NULL.
RC_API int rc_optim_kind_find(const char *name);

// PyTorch 1.13's defaults for `kind` with learning rate lr: Adam/AdamW betas (0.9, 0.999),
// eps 1e-8, AdamW weight_decay 1e-2; Adagrad eps 1e-10; RMSprop alpha 0.99, eps 1e-8.
RC_API rc_optim_opts rc_optim_defaults(rc_optim_kind kind, double lr);

typedef struct rc_optim rc_optim;

// RC_ERR_ARG (message in err) for what PyTorch rejects: negative lr, eps, weight decay,
// momentum, alpha, lr_decay or accumulator, betas outside [0, 1), Nesterov without momentum or
// with dampening, an unknown kind.
RC_API rc_status rc_optim_new(rc_optim **o, rc_params *ps, const rc_optim_opts *opts, char *err,
                              size_t err_len);
RC_API void rc_optim_free(rc_optim **o); // accepts NULL; nulls *o; the store's state slots stay
// One update of every parameter that has a gradient (see above). RC_ERR_NOMEM when a state slot
// cannot be allocated (parameters updated before it keep their update).
RC_API rc_status rc_optim_step(rc_optim *o);
RC_API double rc_optim_lr(const rc_optim *o);
RC_API void rc_optim_set_lr(rc_optim *o, double lr);
RC_API const rc_optim_opts *rc_optim_options(const rc_optim *o);
RC_API rc_params *rc_optim_params(const rc_optim *o);
// Steps taken on parameter p (PyTorch's state['step']); 0 before its first update, after which
// its state slots are initialised.
RC_API int64_t rc_optim_step_count(const rc_optim *o, const rc_param *p);
// RC_ERR_NOTFOUND if p is not in the optimizer's store, RC_ERR_ARG if steps < 0.
RC_API rc_status rc_optim_set_step_count(rc_optim *o, const rc_param *p, int64_t steps);
// The state slots this optimizer uses, by rc_param_state index, under PyTorch's state names
// ("momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "sum", "square_avg",
// "grad_avg"); NULL for a slot it does not use.
RC_API const char *rc_optim_slot_name(const rc_optim *o, int k);

// ---- gradient clipping --------------------------------------------------------------------------
// PyTorch's clip_grad_norm_ over the gradients an optimizer step reads (non-frozen parameters;
// only the touched rows of a row-sparse one): total = the norm_type-norm of all of them together
// (norm_type INFINITY: the largest |g|), every gradient is multiplied by min(1, max_norm / (total +
// 1e-6)). Returns total (NaN or Inf when a gradient is not finite; the gradients are then scaled
// like PyTorch does, so check the result before stepping). A norm_type that is not > 0 returns NaN
// and leaves the gradients alone.
RC_API double rc_clip_grad_norm(rc_params *ps, double max_norm, double norm_type);
// Clamps every such gradient entry into [-clip, clip] (PyTorch's clip_grad_value_).
RC_API void rc_clip_grad_value(rc_params *ps, double clip);

// ---- learning-rate schedules --------------------------------------------------------------------
// A schedule changes its optimizer's lr as PyTorch's schedulers do (the chainable forms, reading
// the current lr): creating one applies epoch 0 (LINEAR multiplies lr by start_factor), each
// rc_sched_step is one epoch.

typedef enum rc_sched_kind {
    RC_SCHED_STEP = 0,    // StepLR: lr *= gamma every step_size epochs
    RC_SCHED_EXPONENTIAL, // ExponentialLR: lr *= gamma every epoch
    RC_SCHED_LINEAR,      // LinearLR: factor from start_factor to end_factor over total_iters
    RC_SCHED_PLATEAU,     // ReduceLROnPlateau: lr *= factor after patience bad epochs
} rc_sched_kind;

typedef enum rc_plateau_mode { RC_PLATEAU_MIN = 0, RC_PLATEAU_MAX } rc_plateau_mode;
typedef enum rc_threshold_mode { RC_THRESHOLD_REL = 0, RC_THRESHOLD_ABS } rc_threshold_mode;

typedef struct rc_sched_opts {
    rc_sched_kind kind;
    int64_t step_size;               // STEP
    double gamma;                    // STEP, EXPONENTIAL
    double start_factor, end_factor; // LINEAR
    int64_t total_iters;             // LINEAR
    rc_plateau_mode mode;            // PLATEAU ...
    double factor;
    int64_t patience;
    double threshold;
    rc_threshold_mode threshold_mode;
    int64_t cooldown;
    double min_lr;
    double eps; // a reduction smaller than eps is not applied
} rc_sched_opts;

// PyTorch's defaults: STEP gamma 0.1 (step_size 1), EXPONENTIAL gamma 0.1 (PyTorch has none),
// LINEAR 1/3 -> 1 over 5, PLATEAU min, factor 0.1, patience 10, threshold 1e-4 rel, cooldown 0,
// min_lr 0, eps 1e-8.
RC_API rc_sched_opts rc_sched_defaults(rc_sched_kind kind);

typedef struct rc_sched rc_sched;

// RC_ERR_ARG (message in err): step_size < 1, factor >= 1 (PLATEAU), start_factor outside
// (0, 1] or end_factor outside [0, 1] (LINEAR), negative patience, cooldown, min_lr or
// total_iters, an unknown kind or mode.
RC_API rc_status rc_sched_new(rc_sched **s, rc_optim *o, const rc_sched_opts *opts, char *err,
                              size_t err_len);
RC_API void rc_sched_free(rc_sched **s); // accepts NULL; nulls *s
// One epoch of STEP, EXPONENTIAL or LINEAR; RC_ERR_STATE for PLATEAU, which needs a metric.
RC_API rc_status rc_sched_step(rc_sched *s);
// One epoch of PLATEAU with the monitored metric (a NaN counts as a bad epoch); RC_ERR_STATE for
// the other kinds.
RC_API rc_status rc_sched_step_metric(rc_sched *s, double metric);

// What a schedule carries between epochs, for checkpoints.
typedef struct rc_sched_state {
    int64_t last_epoch;
    double best;              // PLATEAU
    int64_t num_bad_epochs;   // PLATEAU
    int64_t cooldown_counter; // PLATEAU
} rc_sched_state;
RC_API rc_sched_state rc_sched_get_state(const rc_sched *s);
RC_API void rc_sched_set_state(rc_sched *s, const rc_sched_state *st);
RC_API const rc_sched_opts *rc_sched_options(const rc_sched *s);

#ifdef __cplusplus
}
#endif

#endif
