// The collectives over MPI_COMM_WORLD. Errors return (MPI_ERRORS_RETURN) instead of aborting,
// and large buffers go in pieces of at most 2^30 elements, since MPI counts are ints.
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "comm.h"
#include "common/common.h"

#define PIECE ((size_t)1 << 30)

struct rc_comm {
    bool we_initialised; // rc_comm_stop finalizes only what rc_comm_start started
};

bool rc_comm_launched(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

bool rc_comm_built_with_mpi(void) {
    return true;
}

static rc_status mpi_status(int rc) {
    return rc == MPI_SUCCESS ? RC_OK : RC_ERR_IO;
}

rc_status rc_comm_start(rc_comm **c, int *rank, int *size, char *err, size_t err_len) {
    *c = calloc(1, sizeof **c);
    if (!*c)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_dist_init: out of memory");
    int ready = 0, provided = 0, rc = MPI_Initialized(&ready);
    if (rc == MPI_SUCCESS && !ready) {
        rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
        (*c)->we_initialised = rc == MPI_SUCCESS;
    }
    if (rc == MPI_SUCCESS)
        rc = MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if (rc == MPI_SUCCESS)
        rc = MPI_Comm_rank(MPI_COMM_WORLD, rank);
    if (rc == MPI_SUCCESS)
        rc = MPI_Comm_size(MPI_COMM_WORLD, size);
    if (rc != MPI_SUCCESS) {
        char why[MPI_MAX_ERROR_STRING] = "";
        int len = 0;
        MPI_Error_string(rc, why, &len);
        rc_comm_stop(c);
        return rc_errf(err, err_len, RC_ERR_IO, "rc_dist_init: MPI did not start: %s", why);
    }
    return RC_OK;
}

void rc_comm_stop(rc_comm **c) {
    if (!*c)
        return;
    int done = 0;
    if ((*c)->we_initialised && MPI_Finalized(&done) == MPI_SUCCESS && !done)
        MPI_Finalize();
    free(*c);
    *c = NULL;
}

rc_status rc_comm_bcast(rc_comm *c, void *buf, size_t bytes) {
    (void)c;
    for (size_t at = 0; at < bytes; at += PIECE) {
        const size_t k = bytes - at < PIECE ? bytes - at : PIECE;
        if (MPI_Bcast((char *)buf + at, (int)k, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
            return RC_ERR_IO;
    }
    return RC_OK;
}

static rc_status allreduce(void *buf, size_t n, size_t elem, MPI_Datatype t, MPI_Op op) {
    for (size_t at = 0; at < n; at += PIECE) {
        const size_t k = n - at < PIECE ? n - at : PIECE;
        int rc =
            MPI_Allreduce(MPI_IN_PLACE, (char *)buf + at * elem, (int)k, t, op, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS)
            return RC_ERR_IO;
    }
    return RC_OK;
}

rc_status rc_comm_sum_f32(rc_comm *c, float *buf, size_t n) {
    (void)c;
    return allreduce(buf, n, sizeof *buf, MPI_FLOAT, MPI_SUM);
}

rc_status rc_comm_sum_f64(rc_comm *c, double *buf, size_t n) {
    (void)c;
    return allreduce(buf, n, sizeof *buf, MPI_DOUBLE, MPI_SUM);
}

rc_status rc_comm_max_i32(rc_comm *c, int32_t *buf, size_t n) {
    (void)c;
    return allreduce(buf, n, sizeof *buf, MPI_INT32_T, MPI_MAX);
}

rc_status rc_comm_gather_i64(rc_comm *c, int64_t mine, int64_t *all) {
    (void)c;
    return mpi_status(MPI_Allgather(&mine, 1, MPI_INT64_T, all, 1, MPI_INT64_T, MPI_COMM_WORLD));
}

rc_status rc_comm_gather_i32(rc_comm *c, const int32_t *mine, const int64_t *counts, int32_t *all) {
    (void)c;
    int size;
    if (MPI_Comm_size(MPI_COMM_WORLD, &size) != MPI_SUCCESS)
        return RC_ERR_IO;
    int *cnt = malloc(2 * (size_t)size * sizeof *cnt);
    if (!cnt)
        return RC_ERR_NOMEM;
    int *displ = cnt + size, rank;
    int64_t at = 0;
    for (int r = 0; r < size; r++) { // a table row count fits an int (ids are int32)
        cnt[r] = (int)counts[r];
        displ[r] = (int)at;
        at += counts[r];
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int rc =
        MPI_Allgatherv(mine, cnt[rank], MPI_INT32_T, all, cnt, displ, MPI_INT32_T, MPI_COMM_WORLD);
    free(cnt);
    return mpi_status(rc);
}

rc_status rc_comm_barrier(rc_comm *c) {
    (void)c;
    return mpi_status(MPI_Barrier(MPI_COMM_WORLD));
}
