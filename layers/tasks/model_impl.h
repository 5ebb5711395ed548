// Private to layers/tasks/: the model the driver trains (a cell layer and a linear read-out).
#ifndef RECUR_TASKS_MODEL_IMPL_H
#define RECUR_TASKS_MODEL_IMPL_H

#include <math.h>
#include <recur/autograd.h>
#include <recur/nn.h>

#include "tasks_impl.h"

typedef struct rc_task_model {
    const rc_task *task;
    int T;
    rc_params *ps;
    rc_rnn *rnn;
    rc_linear_layer head;
    rc_var *ys; // [T] the per-step outputs h_t of the last forward pass
} rc_task_model;

// Builds the layer (options: the type's defaults at hidden size H) and the read-out in a new
// store. On error nothing is left allocated and err names the cell.
rc_status rc_task_model_new(rc_task_model *m, const rc_task *task, const rc_cell_type *cell, int T,
                            int H, rc_rng *rng, char *err, size_t err_len);
void rc_task_model_free(rc_task_model *m);
// The read-out [B,O] (or [T*B,O] for a per-step task) of b, recorded in g; m->ys holds the h_t.
rc_var rc_task_model_logits(rc_graph *g, rc_task_model *m, const rc_task_batch *b);
// norm[t] = ||d loss / d h_t|| on b, t < b->T; leaves the parameters' gradients zero and g reset.
rc_status rc_task_gradflow(rc_graph *g, rc_task_model *m, const rc_task_batch *b, double *norm);

#endif
