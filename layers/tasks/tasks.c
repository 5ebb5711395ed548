// The task registry and the batches the tasks fill.
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "tasks_impl.h"

static const rc_task *const registry[] = {&rc_task_adding, &rc_task_copy, &rc_task_reber,
                                          &rc_task_order};
enum { N_TASKS = sizeof registry / sizeof registry[0] };

enum { MAX_LENGTH = 100000, MAX_B = 1 << 20 };

int rc_task_count(void) {
    return N_TASKS;
}

const rc_task *rc_task_at(int i) {
    return i >= 0 && i < N_TASKS ? registry[i] : NULL;
}

const rc_task *rc_task_find(const char *name) {
    for (int i = 0; name && i < N_TASKS; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

rc_status rc_task_batch_new(rc_task_batch *b, const rc_task *task, int length, int B, char *err,
                            size_t err_len) {
    if (b)
        *b = (rc_task_batch){0};
    if (!b || !task)
        return rc_err_null(err, err_len, "rc_task_batch_new", !b ? "b" : "task");
    if (length < task->min_length || length > MAX_LENGTH)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_task_batch_new: %s: length %d outside [%d, %d]", task->name, length,
                       task->min_length, MAX_LENGTH);
    if (B < 1 || B > MAX_B)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_task_batch_new: %s: batch B = %d outside [1, %d]", task->name, B, MAX_B);
    const int T = length + task->extra_steps, Tx = task->per_step ? T : 1;
    b->T = T;
    b->B = B;
    b->I = task->dim_in;
    b->O = task->dim_out;
    b->x = calloc((size_t)T * B * b->I, sizeof *b->x);
    b->y = calloc((size_t)Tx * B * b->O, sizeof *b->y);
    b->mask = calloc((size_t)T * B, sizeof *b->mask);
    b->labels = calloc((size_t)Tx * B, sizeof *b->labels);
    if (!b->x || !b->y || !b->mask || !b->labels) {
        rc_task_batch_free(b);
        return rc_errf(err, err_len, RC_ERR_NOMEM,
                       "rc_task_batch_new: %s: out of memory (T %d, B %d)", task->name, T, B);
    }
    return RC_OK;
}

void rc_task_batch_free(rc_task_batch *b) {
    if (!b)
        return;
    free(b->x);
    free(b->y);
    free(b->mask);
    free(b->labels);
    *b = (rc_task_batch){0};
}

int rc_task_argmax(const float *row, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (row[i] > row[best])
            best = i;
    return best;
}

void rc_task_one_hot(rc_task_batch *b, int t, int bi, int sym) {
    float *x = b->x + ((size_t)t * b->B + bi) * b->I;
    memset(x, 0, (size_t)b->I * sizeof *x);
    x[sym] = 1.0f;
}
