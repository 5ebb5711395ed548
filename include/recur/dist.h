// recur: data-parallel training over MPI (docs/distributed.md). Each rank holds a copy of the
// parameters and trains on its shard of every batch; gradients are averaged over the ranks
// before the optimizer step, so N ranks with batch B/N each follow one rank with batch B (to
// float rounding, and bit for bit from run to run with the same rank count).
//
// A training loop:
//     rc_dist *d;  rc_dist_init(&d, NULL, err, sizeof err);
//     rc_dist_broadcast(d, ps, opt, err, sizeof err);     // rank 0's values and optimizer state
//     rc_dist_shard(d, batch, &b0, &b1);                  // this rank's rows [b0, b1)
//     for each step: loss on the shard's rows (averaged over them), rc_backward,
//         rc_dist_average_grads(d, ps, err, sizeof err), clip, rc_optim_step
//     rc_dist_free(&d);
// Under `mpirun -np N` the world is the N ranks; started any other way, or in a build without
// MPI (meson option -Dmpi=disabled), it is one rank and every call is cheap and local.
#ifndef RECUR_DIST_H
#define RECUR_DIST_H

#include "graph.h"
#include "optim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rc_dist rc_dist;

typedef struct rc_dist_opts {
    // A collective that waits longer than this for the other ranks (one died or hangs) ends this
    // process with a message on stderr and exit status 1, which makes mpirun end the job. 0: the
    // environment's RECUR_DIST_TIMEOUT, else 300 s; negative: wait forever.
    double timeout_s;
    size_t bucket_bytes; // dense gradients are averaged in calls of this many bytes (0: 4 MiB)
} rc_dist_opts;

// True when recur was built with MPI.
RC_API bool rc_dist_available(void);
// Joins the job: MPI is initialised (unless the program did it) when the process was started
// by an MPI launcher (Open MPI's OMPI_COMM_WORLD_SIZE, or PMIX_RANK / PMI_SIZE in the
// environment); otherwise the world is this process alone. opts may be NULL. RC_ERR_IO when MPI
// fails to start.
RC_API rc_status rc_dist_init(rc_dist **d, const rc_dist_opts *opts, char *err, size_t err_len);
// Finalizes MPI when rc_dist_init initialised it. Accepts NULL; nulls *d.
RC_API void rc_dist_free(rc_dist **d);
RC_API int rc_dist_rank(const rc_dist *d); // 0 for NULL
RC_API int rc_dist_size(const rc_dist *d); // 1 for NULL

// This rank's part [*begin, *end) of n items: contiguous, in rank order, sizes differing by at
// most one (rank r of N holds r*n/N to (r+1)*n/N), the same for every run.
RC_API void rc_dist_shard(const rc_dist *d, int64_t n, int64_t *begin, int64_t *end);

// Every rank takes rank 0's parameter values, and with opt (may be NULL) its optimizer state:
// the step count and state slots of every parameter. The stores must hold the same names and
// shapes on every rank; RC_ERR_SHAPE names the first that differs.
RC_API rc_status rc_dist_broadcast(rc_dist *d, rc_params *ps, rc_optim *opt, char *err,
                                   size_t err_len);

// Replaces every gradient by its mean over the ranks, in store order. Dense gradients travel in
// buckets of bucket_bytes; a row-sparse one (an embedding table, whose touched rows the ops
// record) as the union of the rows the ranks touched, each rank's rows gathered first, and those
// rows are marked touched on every rank so the optimizer steps the same rows everywhere.
RC_API rc_status rc_dist_average_grads(rc_dist *d, rc_params *ps, char *err, size_t err_len);

// Sums v[0..n) over the ranks, in place (loss sums, token counts).
RC_API rc_status rc_dist_sum(rc_dist *d, double *v, int n, char *err, size_t err_len);
RC_API rc_status rc_dist_barrier(rc_dist *d, char *err, size_t err_len);

// Wall seconds this rank spent inside collectives since rc_dist_init, and their count.
RC_API double rc_dist_comm_seconds(const rc_dist *d);
RC_API int64_t rc_dist_comm_calls(const rc_dist *d);

#ifdef __cplusplus
}
#endif

#endif
