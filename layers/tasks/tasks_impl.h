// Private to layers/tasks/: the task definitions and helpers they share.
#ifndef RECUR_TASKS_IMPL_H
#define RECUR_TASKS_IMPL_H

#include <recur/tasks.h>

extern const rc_task rc_task_adding, rc_task_copy, rc_task_reber, rc_task_order;

// Index of the largest of row[0..n).
int rc_task_argmax(const float *row, int n);
// x[t,b,:] = one-hot(sym) in a batch of width b->I.
void rc_task_one_hot(rc_task_batch *b, int t, int bi, int sym);

#endif
