// Data-parallel training (include/recur/dist.h): the world, shards, the broadcast of parameters
// and optimizer state, gradient averaging (dense buckets; row-sparse tables as the union of the
// touched rows), and the watchdog that ends a rank whose collective waits too long.
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <recur/dist.h>

#include "comm.h"
#include "common/common.h"

#define DEFAULT_TIMEOUT 300.0
#define DEFAULT_BUCKET ((size_t)4 << 20)

struct rc_dist {
    rc_comm *comm; // NULL in a world of one
    int rank, size;
    double timeout;
    size_t bucket_floats;
    float *bucket;
    // Scratch of rc_dist_average_grads, grown once and kept, so a training step allocates nothing
    // after the first: per-parameter flags, per-rank counts, row ids, row marks, packed rows.
    int32_t *flags, *local, *all;
    int64_t *counts;
    uint8_t *mark;
    float *pack;
    size_t cap_flags, cap_local, cap_all, cap_counts, cap_mark, cap_pack;
    double comm_seconds;
    int64_t comm_calls;
    // The watchdog: the monotonic time the current collective began (0: none) and its name.
    _Atomic double waiting_since;
    const char *_Atomic waiting_on;
    atomic_bool stop;
    pthread_t watchdog;
    bool has_watchdog;
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

bool rc_dist_available(void) {
    return rc_comm_built_with_mpi();
}

int rc_dist_rank(const rc_dist *d) {
    return d ? d->rank : 0;
}

int rc_dist_size(const rc_dist *d) {
    return d ? d->size : 1;
}

double rc_dist_comm_seconds(const rc_dist *d) {
    return d ? d->comm_seconds : 0;
}

int64_t rc_dist_comm_calls(const rc_dist *d) {
    return d ? d->comm_calls : 0;
}

// ---- the watchdog ------------------------------------------------------------------------------

// Wakes every 0.2 s; a collective waiting past the timeout ends the process, which mpirun sees
// as a failed rank and answers by ending the job. Writing to stderr from the library is the
// exception here: no caller is left to return to while the call is stuck.
static void *watch(void *arg) {
    rc_dist *d = arg;
    while (!atomic_load(&d->stop)) {
        const double since = atomic_load(&d->waiting_since);
        if (since > 0 && now() - since > d->timeout) {
            fprintf(stderr,
                    "recur: rank %d of %d: %s has waited %.0f s for the other ranks (one has "
                    "died or hangs); ending this rank\n",
                    d->rank, d->size, atomic_load(&d->waiting_on), now() - since);
            fflush(stderr);
            _exit(1);
        }
        nanosleep(&(struct timespec){0, 200 * 1000 * 1000}, NULL);
    }
    return NULL;
}

static double timeout_of(const rc_dist_opts *o) {
    if (o && o->timeout_s != 0)
        return o->timeout_s;
    const char *env = getenv("RECUR_DIST_TIMEOUT");
    const double t = env ? strtod(env, NULL) : 0;
    return t != 0 && isfinite(t) ? t : DEFAULT_TIMEOUT;
}

static void begin(rc_dist *d, const char *what) {
    atomic_store(&d->waiting_on, what);
    atomic_store(&d->waiting_since, now());
}

static rc_status end(rc_dist *d, rc_status st, char *err, size_t err_len) {
    const double t = now() - atomic_load(&d->waiting_since);
    const char *what = atomic_load(&d->waiting_on);
    atomic_store(&d->waiting_since, 0.0);
    d->comm_seconds += t;
    d->comm_calls++;
    if (st != RC_OK)
        return rc_errf(err, err_len, st, "%s: MPI failed on rank %d of %d", what, d->rank, d->size);
    return RC_OK;
}

// ---- the world ---------------------------------------------------------------------------------

rc_status rc_dist_init(rc_dist **out, const rc_dist_opts *opts, char *err, size_t err_len) {
    if (!out)
        return rc_err_null(err, err_len, "rc_dist_init", "d");
    *out = NULL;
    rc_dist *d = calloc(1, sizeof *d);
    if (!d)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_dist_init: out of memory");
    d->size = 1;
    d->timeout = timeout_of(opts);
    const size_t bytes = opts && opts->bucket_bytes ? opts->bucket_bytes : DEFAULT_BUCKET;
    d->bucket_floats = bytes / sizeof(float) ? bytes / sizeof(float) : 1;
    rc_status st = RC_OK;
    if (rc_comm_launched())
        st = rc_comm_start(&d->comm, &d->rank, &d->size, err, err_len);
    if (st == RC_OK && d->size > 1 && !(d->bucket = malloc(d->bucket_floats * sizeof *d->bucket)))
        st = rc_errf(err, err_len, RC_ERR_NOMEM, "rc_dist_init: out of memory for the bucket");
    if (st == RC_OK && d->size > 1 && d->timeout > 0)
        d->has_watchdog = pthread_create(&d->watchdog, NULL, watch, d) == 0;
    if (st != RC_OK) {
        rc_dist_free(&d);
        return st;
    }
    *out = d;
    return RC_OK;
}

void rc_dist_free(rc_dist **pd) {
    if (!pd || !*pd)
        return;
    rc_dist *d = *pd;
    if (d->has_watchdog) {
        atomic_store(&d->stop, true);
        pthread_join(d->watchdog, NULL);
    }
    if (d->comm)
        rc_comm_stop(&d->comm);
    free(d->bucket);
    free(d->flags), free(d->local), free(d->all), free(d->counts), free(d->mark), free(d->pack);
    free(d);
    *pd = NULL;
}

void rc_dist_shard(const rc_dist *d, int64_t n, int64_t *begin_out, int64_t *end_out) {
    const int64_t r = rc_dist_rank(d), N = rc_dist_size(d);
    if (begin_out)
        *begin_out = n * r / N;
    if (end_out)
        *end_out = n * (r + 1) / N;
}

rc_status rc_dist_sum(rc_dist *d, double *v, int n, char *err, size_t err_len) {
    if (!d || (!v && n > 0))
        return rc_err_null(err, err_len, "rc_dist_sum", !d ? "d" : "v");
    if (d->size == 1 || n <= 0)
        return RC_OK;
    begin(d, "rc_dist_sum");
    return end(d, rc_comm_sum_f64(d->comm, v, (size_t)n), err, err_len);
}

rc_status rc_dist_barrier(rc_dist *d, char *err, size_t err_len) {
    if (!d)
        return rc_err_null(err, err_len, "rc_dist_barrier", "d");
    if (d->size == 1)
        return RC_OK;
    begin(d, "rc_dist_barrier");
    return end(d, rc_comm_barrier(d->comm), err, err_len);
}

// ---- broadcast ---------------------------------------------------------------------------------

static rc_status bcast(rc_dist *d, void *buf, size_t bytes, char *err, size_t err_len) {
    begin(d, "rc_dist_broadcast");
    return end(d, rc_comm_bcast(d->comm, buf, bytes), err, err_len);
}

// Whether every rank says ok (a max over the ranks of "not ok"), so that all stop together.
static rc_status all_ok(rc_dist *d, bool mine, bool *all, char *err, size_t err_len) {
    int32_t bad = !mine;
    begin(d, "rc_dist_broadcast");
    rc_status st = end(d, rc_comm_max_i32(d->comm, &bad, 1), err, err_len);
    *all = !bad;
    return st;
}

// Every rank's store must match rank 0's: first the count (so that the sizes broadcast next
// have one length everywhere), then the entries of each parameter.
static rc_status check_same_layout(rc_dist *d, const rc_params *ps, char *err, size_t err_len) {
    const int n = rc_params_count(ps);
    int64_t n0 = n;
    bool ok;
    rc_status st = bcast(d, &n0, sizeof n0, err, err_len);
    if (st == RC_OK && (st = all_ok(d, n0 == n, &ok, err, err_len)) == RC_OK && !ok)
        return rc_errf(err, err_len, RC_ERR_SHAPE,
                       "rc_dist_broadcast: rank %d holds %d parameters, rank 0 %lld%s", d->rank, n,
                       (long long)n0, n0 == n ? " (another rank differs)" : "");
    int64_t *first = st == RC_OK ? malloc(((size_t)n + 1) * sizeof *first) : NULL;
    if (st == RC_OK && !first)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_dist_broadcast: out of memory");
    for (int i = 0; st == RC_OK && i < n; i++)
        first[i] = rc_param_value(rc_params_at(ps, i)).n;
    if (st == RC_OK)
        st = bcast(d, first, (size_t)n * sizeof *first, err, err_len);
    int bad = -1;
    for (int i = 0; st == RC_OK && bad < 0 && i < n; i++)
        if (first[i] != rc_param_value(rc_params_at(ps, i)).n)
            bad = i;
    if (st == RC_OK && (st = all_ok(d, bad < 0, &ok, err, err_len)) == RC_OK && !ok)
        st = bad < 0 ? rc_errf(err, err_len, RC_ERR_SHAPE,
                               "rc_dist_broadcast: another rank's parameters differ from rank 0's")
                     : rc_errf(err, err_len, RC_ERR_SHAPE,
                               "rc_dist_broadcast: parameter '%s' has %lld entries on rank %d, "
                               "%lld on rank 0",
                               rc_param_name(rc_params_at(ps, bad)),
                               (long long)rc_param_value(rc_params_at(ps, bad)).n, d->rank,
                               (long long)first[bad]);
    free(first);
    return st;
}

// The step count and used state slots of p (rank 0's), for an optimizer resumed on rank 0.
static rc_status bcast_state(rc_dist *d, rc_optim *opt, rc_param *p, char *err, size_t err_len) {
    int64_t steps = rc_optim_step_count(opt, p);
    rc_status st = bcast(d, &steps, sizeof steps, err, err_len);
    if (st == RC_OK && rc_dist_rank(d) != 0)
        st = rc_optim_set_step_count(opt, p, steps);
    const size_t bytes = (size_t)rc_param_value(p).n * sizeof(float);
    for (int k = 0; st == RC_OK && k < RC_PARAM_STATE_SLOTS; k++) {
        if (!rc_optim_slot_name(opt, k))
            continue;
        float *s = rc_param_state(p, k);
        st = s ? bcast(d, s, bytes, err, err_len)
               : rc_errf(err, err_len, RC_ERR_NOMEM, "rc_dist_broadcast: out of memory");
    }
    return st;
}

rc_status rc_dist_broadcast(rc_dist *d, rc_params *ps, rc_optim *opt, char *err, size_t err_len) {
    if (!d || !ps)
        return rc_err_null(err, err_len, "rc_dist_broadcast", !d ? "d" : "ps");
    if (d->size == 1)
        return RC_OK;
    rc_status st = check_same_layout(d, ps, err, err_len);
    for (int i = 0; st == RC_OK && i < rc_params_count(ps); i++) {
        rc_param *p = rc_params_at(ps, i);
        const rc_tensor v = rc_param_value(p);
        st = bcast(d, v.data, (size_t)v.n * sizeof(float), err, err_len);
        if (st == RC_OK && opt)
            st = bcast_state(d, opt, p, err, err_len);
    }
    return st;
}

// ---- gradients ---------------------------------------------------------------------------------

static rc_status sum_floats(rc_dist *d, float *buf, size_t n, char *err, size_t err_len) {
    begin(d, "rc_dist_average_grads");
    return end(d, rc_comm_sum_f32(d->comm, buf, n), err, err_len);
}

// Dense gradients [from, to) of the store in buckets: packed, summed, scaled by 1/N, unpacked.
// A gradient larger than the bucket is summed in place.
static rc_status average_dense(rc_dist *d, rc_params *ps, const int32_t *sparse, char *err,
                               size_t err_len) {
    const float inv = 1.0f / (float)d->size;
    const int n = rc_params_count(ps);
    rc_status st = RC_OK;
    for (int i = 0; st == RC_OK && i < n;) {
        size_t used = 0;
        int j = i;
        for (; j < n && (sparse[j] ||
                         used + (size_t)rc_param_grad(rc_params_at(ps, j)).n <= d->bucket_floats);
             j++)
            if (!sparse[j])
                used += (size_t)rc_param_grad(rc_params_at(ps, j)).n;
        if (j == i) { // one gradient larger than a bucket
            rc_tensor g = rc_param_grad(rc_params_at(ps, i));
            st = sum_floats(d, g.data, (size_t)g.n, err, err_len);
            for (int64_t k = 0; st == RC_OK && k < g.n; k++)
                g.data[k] *= inv;
            i++;
            continue;
        }
        size_t at = 0;
        for (int k = i; k < j; k++)
            if (!sparse[k]) {
                rc_tensor g = rc_param_grad(rc_params_at(ps, k));
                memcpy(d->bucket + at, g.data, (size_t)g.n * sizeof(float));
                at += (size_t)g.n;
            }
        st = at ? sum_floats(d, d->bucket, at, err, err_len) : RC_OK;
        at = 0;
        for (int k = i; st == RC_OK && k < j; k++)
            if (!sparse[k]) {
                rc_tensor g = rc_param_grad(rc_params_at(ps, k));
                for (int64_t e = 0; e < g.n; e++)
                    g.data[e] = d->bucket[at + (size_t)e] * inv;
                at += (size_t)g.n;
            }
        i = j;
    }
    return st;
}

static rc_status no_memory(char *err, size_t err_len) {
    return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_dist_average_grads: out of memory");
}

// The rows every rank touched, sorted, in d->all[0..*n_union): each rank's rows gathered, then
// merged through a mark per row.
static rc_status union_rows(rc_dist *d, const uint8_t *touched, int64_t rows, int64_t *n_union,
                            char *err, size_t err_len) {
    int64_t mine = 0, total = 0;
    for (int64_t r = 0; r < rows; r++)
        mine += touched[r] != 0;
    if (!rc_grow((void **)&d->counts, &d->cap_counts, (size_t)d->size, sizeof *d->counts) ||
        !rc_grow((void **)&d->local, &d->cap_local, (size_t)mine + 1, sizeof *d->local) ||
        !rc_grow((void **)&d->mark, &d->cap_mark, (size_t)rows, 1))
        return no_memory(err, err_len);
    for (int64_t r = 0, k = 0; r < rows; r++)
        if (touched[r])
            d->local[k++] = (int32_t)r;
    begin(d, "rc_dist_average_grads");
    rc_status st = end(d, rc_comm_gather_i64(d->comm, mine, d->counts), err, err_len);
    for (int r = 0; st == RC_OK && r < d->size; r++)
        total += d->counts[r];
    if (st == RC_OK && !rc_grow((void **)&d->all, &d->cap_all, (size_t)total + 1, sizeof *d->all))
        return no_memory(err, err_len);
    if (st == RC_OK) {
        begin(d, "rc_dist_average_grads");
        st = end(d, rc_comm_gather_i32(d->comm, d->local, d->counts, d->all), err, err_len);
    }
    if (st != RC_OK)
        return st;
    memset(d->mark, 0, (size_t)rows);
    for (int64_t k = 0; k < total; k++)
        d->mark[d->all[k]] = 1;
    *n_union = 0;
    for (int64_t r = 0; r < rows; r++)
        if (d->mark[r])
            d->all[(*n_union)++] = (int32_t)r;
    return RC_OK;
}

// A row-sparse gradient: the union of the touched rows, packed [U, width], summed and scaled,
// unpacked and marked touched.
static rc_status average_rows(rc_dist *d, rc_param *p, char *err, size_t err_len) {
    const rc_tensor g = rc_param_grad(p);
    const int64_t rows = g.shape.dim[0], width = g.n / rows;
    int64_t n = 0;
    rc_status st = union_rows(d, rc_param_touched_rows(p), rows, &n, err, err_len);
    if (st != RC_OK)
        return st;
    if (!rc_grow((void **)&d->pack, &d->cap_pack, (size_t)(n * width) + 1, sizeof *d->pack))
        return no_memory(err, err_len);
    const int32_t *u = d->all;
    for (int64_t k = 0; k < n; k++)
        memcpy(d->pack + k * width, g.data + (int64_t)u[k] * width, (size_t)width * sizeof(float));
    st = sum_floats(d, d->pack, (size_t)(n * width), err, err_len);
    const float inv = 1.0f / (float)d->size;
    for (int64_t k = 0; st == RC_OK && k < n; k++) {
        for (int64_t e = 0; e < width; e++)
            g.data[(int64_t)u[k] * width + e] = d->pack[k * width + e] * inv;
        rc_param_mark_touched(p, u[k]);
    }
    return st;
}

rc_status rc_dist_average_grads(rc_dist *d, rc_params *ps, char *err, size_t err_len) {
    if (!d || !ps)
        return rc_err_null(err, err_len, "rc_dist_average_grads", !d ? "d" : "ps");
    if (d->size == 1)
        return RC_OK;
    const int n = rc_params_count(ps);
    if (!rc_grow((void **)&d->flags, &d->cap_flags, (size_t)n + 1, sizeof *d->flags))
        return no_memory(err, err_len);
    // Whether each parameter is used densely on this rank; the max over the ranks makes one
    // dense use anywhere dense everywhere.
    int32_t *dense = d->flags;
    for (int i = 0; i < n; i++) {
        const rc_param *p = rc_params_at(ps, i);
        dense[i] = !rc_param_touched_rows(p) || rc_param_value(p).shape.ndim < 2;
    }
    begin(d, "rc_dist_average_grads");
    rc_status st = end(d, rc_comm_max_i32(d->comm, dense, (size_t)n), err, err_len);
    int32_t *sparse = d->flags; // the same flags, turned round: row-sparse on every rank
    for (int i = 0; st == RC_OK && i < n; i++)
        if ((sparse[i] = !dense[i]))
            st = average_rows(d, rc_params_at(ps, i), err, err_len);
    return st == RC_OK ? average_dense(d, ps, sparse, err, err_len) : st;
}
