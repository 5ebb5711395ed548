// recur: the classic synthetic memory tasks for recurrent cells (adding problem, copy, embedded
// Reber grammar, temporal order), each with its loss, held-out metric, trivial baseline and
// success threshold, and a small driver that trains any cell type on one of them and measures
// the gradient flow ||dL/dh_t||. docs/gates.md describes the tasks and the numbers.
#ifndef RECUR_TASKS_H
#define RECUR_TASKS_H

#include "optim.h"
#include "rnn.h"

#ifdef __cplusplus
extern "C" {
#endif

// One batch in recur's time-major layout. x [T,B,I]. Targets by task: a task read out at the
// last step fills y [B,O] (adding: the sum) or labels [B] (order: the class); a task read out at
// every step fills y [T,B,O] (Reber: the multi-hot set of allowed next symbols) or labels [T*B]
// (copy: the symbol due at each step). mask [T,B] is 1 where a step counts (Reber: the steps
// before the last symbol of each string), else 0. Buffers are owned by the batch. T is the
// task's length plus its extra_steps (copy: 10 symbols to show and 10 to recall).
typedef struct rc_task_batch {
    int T, B, I, O;
    float *x, *y, *mask;
    int32_t *labels;
} rc_task_batch;

// A task's per-task defaults for the training driver.
typedef struct rc_task_defaults {
    int length, batch, steps, hidden, eval_every;
    double lr, clip;
    rc_optim_kind optimizer;
} rc_task_defaults;

// The score of predictions on one batch. metric is the task's held-out metric (lower is better:
// MSE, cross-entropy or an error rate); success tells whether it meets the task's threshold.
typedef struct rc_task_score {
    double metric, accuracy; // accuracy: the fraction right (the task's own sense), or NaN
    bool success;
} rc_task_score;

typedef struct rc_task rc_task;
struct rc_task {
    const char *name;      // "adding", "copy", "reber", "order"
    const char *summary;   // one line for listings
    const char *metric;    // "mse", "ce", "error"
    const char *threshold; // the success rule in words
    bool per_step;         // read out at every step (else at the last one)
    int min_length;        // the shortest length the task's layout fits in
    int extra_steps;       // steps of a batch beyond the length (T = length + extra_steps)
    int dim_in, dim_out;   // I and O
    rc_task_defaults defaults;
    // Fills b (allocated by rc_task_batch_new) from rng: every sequence drawn afresh.
    void (*generate)(rc_rng *rng, rc_task_batch *b);
    // The training loss from the read-out: logits [B,O] or [T*B,O] (row t*B + b).
    rc_var (*loss)(rc_var logits, const rc_task_batch *b);
    // The score of read-out values out (the logits' data, as loss reads them) on b.
    rc_task_score (*score)(const float *out, const rc_task_batch *b);
    // The trivial baseline of the metric at a length (what a predictor without memory gets).
    double (*baseline)(int length);
};

RC_API int rc_task_count(void);
RC_API const rc_task *rc_task_at(int i);              // NULL outside [0, count)
RC_API const rc_task *rc_task_find(const char *name); // NULL for an unknown name or NULL

// Allocates a batch for task at `length` (T = length + extra_steps) with B sequences, zeroed.
// RC_ERR_ARG with a message for a length below the task's min_length or above 100000, or B
// outside [1, 2^20]; RC_ERR_NOMEM.
RC_API rc_status rc_task_batch_new(rc_task_batch *b, const rc_task *task, int length, int B,
                                   char *err, size_t err_len);
RC_API void rc_task_batch_free(rc_task_batch *b);

// ---- the training driver ----------------------------------------------------------------------

typedef struct rc_task_config {
    const rc_task *task;
    const rc_cell_type *cell;
    int length, batch, steps, hidden; // 0: the task's default
    int eval_every;                   // held-out evaluation every k steps (0: the default)
    int eval_batch;                   // held-out sequences (0: 256)
    double lr, clip;                  // lr 0: default; clip < 0: none, 0: default
    int optimizer;                    // an rc_optim_kind, or -1 for the task's default
    bool forget_bias_set;             // call rc_rnn_set_forget_bias(forget_bias) after init
    float forget_bias;
    uint64_t seed; // parameters, training batches and the held-out set all derive from it
} rc_task_config;

typedef struct rc_task_point {
    int step;              // steps done when measured
    double train, heldout; // training loss of the last step; held-out metric
} rc_task_point;

typedef struct rc_task_result {
    int n_points;
    rc_task_point *curve;
    double final_heldout; // held-out metric after the last step
    double final_accuracy;
    int success_step; // first evaluated step that met the threshold, -1 if none
    int64_t n_params;
    double ms_per_step;
    int T;                  // length of the gradient-flow vectors
    double *gradflow_init;  // ||dL/dh_t|| for t = 0..T-1 at initialisation, on held-out data
    double *gradflow_final; // the same after training
} rc_task_result;

// Trains a 1-layer rnn of cfg->cell with a linear read-out on cfg->task, evaluating on a fixed
// held-out batch every eval_every steps. res is owned by the caller (rc_task_result_free).
// RC_ERR_ARG with a message for a bad config; the graph's error (named) when training fails,
// for example RC_ERR_NONFINITE when the loss diverges.
RC_API rc_status rc_task_train(const rc_task_config *cfg, rc_task_result *res, char *err,
                               size_t err_len);
RC_API void rc_task_result_free(rc_task_result *res);

// The number of parameters (rnn and read-out) of cell at hidden size H on task.
// Returns -1 with a message when the cell cannot be built.
RC_API int64_t rc_task_param_count(const rc_task *task, const rc_cell_type *cell, int length, int H,
                                   char *err, size_t err_len);
// The hidden size in [1, 4*target_H] whose parameter count is closest to that of ref at
// target_H (Greff et al.'s and Jozefowicz et al.'s equal-parameter comparison); -1 on error.
RC_API int rc_task_equal_params_hidden(const rc_task *task, const rc_cell_type *cell,
                                       const rc_cell_type *ref, int length, int target_H, char *err,
                                       size_t err_len);

#ifdef __cplusplus
}
#endif

#endif
