// Private to layers/dist: the few collectives rc_dist needs, over MPI (comm_mpi.c) or within one
// process (comm_local.c); meson builds one of the two. Every call is made by every rank in the
// same order. The buffers are the caller's; counts may exceed INT_MAX (the MPI side splits them).
#ifndef RECUR_DIST_COMM_H
#define RECUR_DIST_COMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <recur/base.h>

typedef struct rc_comm rc_comm;

// Whether an MPI launcher started this process (its variables are in the environment).
bool rc_comm_launched(void);
bool rc_comm_built_with_mpi(void);
// Joins the world (initialising MPI when nobody has); *rank and *size receive the position.
rc_status rc_comm_start(rc_comm **c, int *rank, int *size, char *err, size_t err_len);
void rc_comm_stop(rc_comm **c);

rc_status rc_comm_bcast(rc_comm *c, void *buf, size_t bytes); // rank 0's bytes to every rank
rc_status rc_comm_sum_f32(rc_comm *c, float *buf, size_t n);  // in place, every rank the sum
rc_status rc_comm_sum_f64(rc_comm *c, double *buf, size_t n);
rc_status rc_comm_max_i32(rc_comm *c, int32_t *buf, size_t n);
// all[r] = rank r's value.
rc_status rc_comm_gather_i64(rc_comm *c, int64_t mine, int64_t *all);
// Concatenates every rank's n_r ids (counts[r], rank order) into all.
rc_status rc_comm_gather_i32(rc_comm *c, const int32_t *mine, const int64_t *counts, int32_t *all);
rc_status rc_comm_barrier(rc_comm *c);

#endif
