// CSR matrices and rc_sparse_matmul: builder, gathering rows, checks; forward and backward against
// scalar loops, thread-count independence, errors.
#include <string.h>

#include "test_util.h"

// A random R x C CSR with about density * C entries per row, pushed unsorted with repeats;
// dense[R*C] receives the same matrix.
static void random_csr(rc_csr *m, float *dense, int64_t R, int64_t C, double density,
                       uint64_t seed) {
    rc_rng r;
    rc_rng_seed(&r, seed);
    *m = (rc_csr){.cols = C};
    memset(dense, 0, (size_t)(R * C) * sizeof *dense);
    for (int64_t i = 0; i < R; i++) {
        int64_t n = (int64_t)(density * (double)C * 2 * rc_rng_uniform(&r));
        for (int64_t k = 0; k < n; k++) {
            int32_t c = (int32_t)rc_rng_below(&r, (uint32_t)C);
            float v = (float)(2 * rc_rng_uniform(&r) - 1);
            cr_assert_eq(rc_csr_push(m, c, v), RC_OK);
            dense[i * C + c] += v;
        }
        cr_assert_eq(rc_csr_end_row(m), RC_OK);
    }
}

Test(text, csr_builder_sorts_and_sums) {
    rc_csr m = {.cols = 5};
    cr_assert_eq(rc_csr_push(&m, 4, 1.0f), RC_OK);
    cr_assert_eq(rc_csr_push(&m, 1, 2.0f), RC_OK);
    cr_assert_eq(rc_csr_push(&m, 4, 0.5f), RC_OK);
    cr_assert_eq(rc_csr_end_row(&m), RC_OK);
    cr_assert_eq(rc_csr_end_row(&m), RC_OK); // an empty row
    cr_assert_eq(rc_csr_push(&m, 0, 3.0f), RC_OK);
    cr_assert_eq(rc_csr_push(&m, 5, 3.0f), RC_ERR_RANGE);
    cr_assert_eq(rc_csr_push(&m, -1, 3.0f), RC_ERR_RANGE);
    cr_assert_eq(rc_csr_end_row(&m), RC_OK);
    cr_assert_eq(m.rows, 3);
    cr_assert_eq(rc_csr_nnz(&m), 3);
    const int64_t indptr[] = {0, 2, 2, 3};
    const int32_t idx[] = {1, 4, 0};
    const float val[] = {2.0f, 1.5f, 3.0f};
    for (int i = 0; i < 4; i++)
        cr_assert_eq(m.indptr[i], indptr[i]);
    for (int i = 0; i < 3; i++)
        cr_assert(m.indices[i] == idx[i] && m.values[i] == val[i], "entry %d", i);
    char err[128] = "";
    cr_assert_eq(rc_csr_check(&m, err, sizeof err), RC_OK, "%s", err);

    rc_csr g = {0};
    cr_assert_eq(rc_csr_gather_rows(&m, (const int64_t[]){2, 0, 2}, 3, &g), RC_OK);
    cr_assert_eq(g.rows, 3);
    cr_assert_eq(g.cols, 5);
    cr_assert(g.indptr[1] == 1 && g.indptr[2] == 3 && g.indptr[3] == 4);
    cr_assert(g.indices[0] == 0 && g.indices[1] == 1 && g.indices[3] == 0);
    cr_assert_eq(rc_csr_gather_rows(&m, (const int64_t[]){3}, 1, &g), RC_ERR_RANGE);
    // A long row goes through the other sort.
    rc_csr big = {.cols = 100};
    for (int c = 99; c >= 0; c--)
        cr_assert_eq(rc_csr_push(&big, c, (float)c), RC_OK);
    cr_assert_eq(rc_csr_push(&big, 50, 1.0f), RC_OK);
    cr_assert_eq(rc_csr_end_row(&big), RC_OK);
    cr_assert_eq(rc_csr_nnz(&big), 100);
    cr_assert_eq(big.values[50], 51.0f);
    cr_assert_eq(rc_csr_check(&big, err, sizeof err), RC_OK, "%s", err);
    m.indices[1] = 0;
    cr_assert_eq(rc_csr_check(&m, err, sizeof err), RC_ERR_FORMAT);
    cr_assert_str_eq(err, "row 0: columns not strictly ascending at entry 1");
    m.indices[1] = 7;
    cr_assert_eq(rc_csr_check(&m, err, sizeof err), RC_ERR_FORMAT);
    cr_assert_str_eq(err, "row 0: column 7 outside [0,5)");
    rc_csr_free(&m);
    rc_csr_free(&g);
    rc_csr_free(&big);
    cr_assert_null(m.indptr);
}

// rc_csr keeps no capacities: rows appended to a gathered matrix grow it past the builder's
// first 64 rows and entries, and every row reads back.
Test(text, csr_rows_append_after_gather) {
    rc_csr m = {.cols = 10}, g = {0};
    cr_assert_eq(rc_csr_push(&m, 3, 1.0f), RC_OK);
    cr_assert_eq(rc_csr_end_row(&m), RC_OK);
    cr_assert_eq(rc_csr_gather_rows(&m, (const int64_t[]){0, 0}, 2, &g), RC_OK);
    for (int r = 0; r < 150; r++) {
        for (int k = 0; k < 3; k++)
            cr_assert_eq(rc_csr_push(&g, (r + 3 * k) % 10, (float)(r * 3 + k)), RC_OK);
        cr_assert_eq(rc_csr_end_row(&g), RC_OK);
    }
    char err[128] = "";
    cr_assert_eq(rc_csr_check(&g, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(g.rows, 152);
    cr_assert_eq(rc_csr_nnz(&g), 2 + 150 * 3);
    cr_assert(g.indices[1] == 3 && g.values[1] == 1.0f);
    for (int r = 0; r < 150; r++) {
        const int64_t lo = g.indptr[r + 2];
        cr_assert_eq(g.indptr[r + 3] - lo, 3);
        float sum = g.values[lo] + g.values[lo + 1] + g.values[lo + 2];
        cr_assert_eq(sum, (float)(9 * r + 3), "row %d", r + 2);
    }
    rc_csr_free(&m);
    rc_csr_free(&g);
}

// The NULL policy (include/recur/base.h, issue 11 fault 3): RC_ERR_ARG, never a crash.
Test(text, csr_functions_reject_null_arguments) {
    char err[128] = "";
    cr_assert_eq(rc_csr_push(NULL, 0, 1.0f), RC_ERR_ARG);
    cr_assert_eq(rc_csr_end_row(NULL), RC_ERR_ARG);
    cr_assert_eq(rc_csr_nnz(NULL), 0);
    cr_assert_eq(rc_csr_check(NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_csr_check: m is NULL");
    rc_csr m = {.cols = 3}, dst = {0};
    cr_assert_eq(rc_csr_push(&m, 2, 1.0f), RC_OK);
    cr_assert_eq(rc_csr_end_row(&m), RC_OK);
    const int64_t idx[] = {0, 0};
    cr_assert_eq(rc_csr_gather_rows(NULL, idx, 2, &dst), RC_ERR_ARG);
    cr_assert_eq(rc_csr_gather_rows(&m, NULL, 2, &dst), RC_ERR_ARG);
    cr_assert_eq(rc_csr_gather_rows(&m, idx, 2, NULL), RC_ERR_ARG);
    cr_assert_eq(rc_csr_gather_rows(&m, idx, 2, &m), RC_ERR_ARG); // would free its own source
    cr_assert_eq(rc_csr_nnz(&m), 1);
    cr_assert_eq(rc_csr_gather_rows(&m, idx, 2, &dst), RC_OK);
    cr_assert_eq(rc_csr_nnz(&dst), 2);
    rc_csr_free(&m);
    rc_csr_free(&dst);
    rc_csr_free(NULL);
}

Test(text, sparse_matmul_equals_dense_loops) {
    const int64_t R = 7, C = 11, N = 3;
    float A[7 * 11], B[11 * 3], G[7 * 3];
    rc_csr a;
    random_csr(&a, A, R, C, 0.3, 5);
    tu_fill_uniform(B, C * N, -1, 1, 6);
    tu_fill_uniform(G, R * N, -1, 1, 7);
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_var b = rc_requires_grad(rc_input(g, RC_SHAPE(C, N), B));
    rc_var y = rc_sparse_matmul(&a, b);
    cr_assert(rc_ok(y), "%s", rc_graph_errmsg(g));
    cr_assert(rc_shape_eq(rc_shape_of(y), RC_SHAPE(R, N)));
    float want[7 * 3] = {0}, dB[11 * 3] = {0};
    for (int64_t i = 0; i < R; i++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t j = 0; j < N; j++) {
                want[i * N + j] += A[i * C + c] * B[c * N + j];
                dB[c * N + j] += A[i * C + c] * G[i * N + j];
            }
    tu_assert_close(rc_value(y).data, want, R * N, 1e-5f, 1e-6f, "y");
    cr_assert_eq(rc_backward_seeded(y, G), RC_OK);
    tu_assert_close(rc_grad(b).data, dB, C * N, 1e-5f, 1e-6f, "db");
    rc_csr_free(&a);
    rc_graph_free(&g);
}

// Runs forward and backward of a product big enough to go parallel; copies y and db out.
static void run_big(int threads, const rc_csr *a, const float *B, const float *G, int64_t C,
                    int64_t N, float *y, float *db) {
    rc_set_num_threads(threads);
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_var b = rc_requires_grad(rc_input(g, RC_SHAPE(C, N), B));
    rc_var out = rc_sparse_matmul(a, b);
    cr_assert_eq(rc_backward_seeded(out, G), RC_OK);
    memcpy(y, rc_value(out).data, (size_t)(a->rows * N) * sizeof *y);
    memcpy(db, rc_grad(b).data, (size_t)(C * N) * sizeof *db);
    rc_graph_free(&g);
}

Test(text, sparse_matmul_same_bits_with_1_and_2_threads) {
    const int64_t R = 600, C = 900, N = 64;
    float *A = malloc((size_t)(R * C) * sizeof *A);
    rc_csr a;
    random_csr(&a, A, R, C, 0.05, 11);
    free(A);
    float *B = malloc((size_t)(C * N) * sizeof *B), *G = malloc((size_t)(R * N) * sizeof *G);
    tu_fill_uniform(B, C * N, -1, 1, 12);
    tu_fill_uniform(G, R * N, -1, 1, 13);
    float *y1 = malloc((size_t)(R * N) * 4), *y2 = malloc((size_t)(R * N) * 4);
    float *d1 = malloc((size_t)(C * N) * 4), *d2 = malloc((size_t)(C * N) * 4);
    int saved = rc_get_num_threads();
    run_big(1, &a, B, G, C, N, y1, d1);
    run_big(2, &a, B, G, C, N, y2, d2);
    rc_set_num_threads(saved);
    cr_assert(!memcmp(y1, y2, (size_t)(R * N) * 4), "forward differs with 2 threads");
    cr_assert(!memcmp(d1, d2, (size_t)(C * N) * 4), "backward differs with 2 threads");
    free(B), free(G), free(y1), free(y2), free(d1), free(d2);
    rc_csr_free(&a);
}

Test(errors, sparse_matmul_bad_inputs) {
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_csr a = {.cols = 3};
    cr_assert_eq(rc_csr_push(&a, 2, 1.0f), RC_OK);
    cr_assert_eq(rc_csr_end_row(&a), RC_OK);
    rc_var b = rc_input(g, RC_SHAPE(4, 2), NULL);
    rc_var y = rc_sparse_matmul(&a, b);
    cr_assert_not(rc_ok(y));
    cr_assert_eq(rc_graph_status(g), RC_ERR_SHAPE);
    cr_assert(strstr(rc_graph_errmsg(g), "sparse_matmul"), "%s", rc_graph_errmsg(g));
    cr_assert(strstr(rc_graph_errmsg(g), "A [1,3] and b [4,2]: b must be [3,N]"), "%s",
              rc_graph_errmsg(g));
    rc_graph_reset(g);
    b = rc_input(g, RC_SHAPE(3, 2), NULL);
    a.indices[0] = 3;
    y = rc_sparse_matmul(&a, b);
    cr_assert_eq(rc_graph_status(g), RC_ERR_RANGE);
    cr_assert(strstr(rc_graph_errmsg(g), "column index 3 (entry 0) is outside [0,3)"), "%s",
              rc_graph_errmsg(g));
    rc_graph_reset(g);
    b = rc_input(g, RC_SHAPE(3, 2), NULL);
    a.indices[0] = 0;
    a.indptr[0] = 1;
    y = rc_sparse_matmul(&a, b);
    cr_assert_eq(rc_graph_status(g), RC_ERR_RANGE);
    cr_assert(strstr(rc_graph_errmsg(g), "indptr[0] is 1, must be 0"), "%s", rc_graph_errmsg(g));
    rc_graph_reset(g);
    b = rc_input(g, RC_SHAPE(3, 2), NULL);
    rc_csr empty = {.cols = 3};
    y = rc_sparse_matmul(&empty, b);
    cr_assert_eq(rc_graph_status(g), RC_ERR_ARG);
    cr_assert(strstr(rc_graph_errmsg(g), "A [0,3] must have rows, columns and an indptr"), "%s",
              rc_graph_errmsg(g));
    // A poisoned input passes through without a second error.
    rc_var z = rc_sparse_matmul(&a, y);
    cr_assert_not(rc_ok(z));
    cr_assert_eq(rc_graph_status(g), RC_ERR_ARG);
    rc_csr_free(&a);
    rc_graph_free(&g);
}
