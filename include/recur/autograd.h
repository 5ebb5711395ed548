// recur: the reverse sweep and gradient checks.
#ifndef RECUR_AUTOGRAD_H
#define RECUR_AUTOGRAD_H

#include "op.h"

#ifdef __cplusplus
extern "C" {
#endif

// Back-propagates from a one-element loss: adds d loss / d v into the gradient of every node that
// needs one (parameters accumulate across graphs until rc_params_zero_grad). Once per graph:
// a second call is RC_ERR_STATE, a loss with more than one element RC_ERR_SHAPE.
RC_API rc_status rc_backward(rc_var loss);
// The same from any node, seeded with an upstream gradient of v's shape (copied).
RC_API rc_status rc_backward_seeded(rc_var v, const float *seed);

// Re-runs every op of the tape in order, in place: after a parameter's or input's value was
// changed, every node's value is what a fresh build would give. Gradients are not touched.
RC_API rc_status rc_graph_replay(rc_graph *g);

typedef struct rc_gradcheck_opts {
    float eps;          // finite-difference step (default 1e-2 for f32 models)
    float rtol, atol;   // |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|)
    int max_per_tensor; // entries checked per parameter or input (0: all); sampled with seed
    uint64_t seed;
} rc_gradcheck_opts;

typedef struct rc_gradcheck_report {
    int64_t checked, failed;
    double max_abs_err, max_rel_err;
    char worst[256]; // "weight_hh_l0[3,7]: analytic 0.1234 numeric 0.1301"
} rc_gradcheck_report;

RC_API rc_gradcheck_opts rc_gradcheck_defaults(void);

// Model-level check: loss must be a one-element node of a graph on which backward has not run.
// Zeroes the gradients of every parameter the graph uses, back-propagates, then perturbs each
// checked entry of every parameter (and every input marked rc_requires_grad) by +-eps and replays
// the tape to compare d loss / d entry with the analytic value. Parameter values are restored.
// Returns RC_OK when the check ran (read rep->failed), or the error that stopped it.
RC_API rc_status rc_gradcheck_loss(rc_var loss, const rc_gradcheck_opts *opts,
                                   rc_gradcheck_report *rep);

// Checks one op on random inputs: for registry tests and users' custom ops.
RC_API rc_status rc_gradcheck_op(const struct rc_op_def *op, uint64_t seed,
                                 rc_gradcheck_report *rep);
// Accumulation check: the op applied twice to the same leaves, and (for multi-input ops) one leaf
// fed to every input slot whose shape allows, must give exactly summed gradients.
RC_API rc_status rc_gradcheck_op_accumulation(const struct rc_op_def *op, uint64_t seed,
                                              rc_gradcheck_report *rep);

#ifdef __cplusplus
}
#endif

#endif
