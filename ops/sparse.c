// Sparse times dense: y = A b with A a CSR matrix [R,C] (a constant, copied into the arena) and
// b dense [C,N] -> y [R,N].
//   y[r,:] = Σ_k A[r,k] b[k,:];   db += A^T g, i.e. db[c,:] += Σ_r A[r,c] g[r,:]
// Forward is parallel over rows of y. Backward transposes A into columns (a stable counting sort
// into gradient scratch) and is parallel over rows of db: each row of db is summed by one thread
// in increasing r, so the bits do not depend on the thread count.
#include <string.h>

#include "ops_impl.h"

typedef struct sp_attr {
    int64_t rows, cols, nnz;
    const int64_t *indptr;
    const int32_t *indices;
    const float *values;
} sp_attr;

static rc_status sp_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out, char *why,
                          size_t len) {
    UNUSED(n_in);
    const sp_attr *a = attr;
    const rc_shape *b = &in[0].shape;
    char sb[96];
    rc_shape_str(*b, sb, sizeof sb);
    if (b->ndim != 2 || b->dim[0] != a->cols)
        return rc_shape_error(why, len, RC_ERR_SHAPE, "A [%lld,%lld] and b %s: b must be [%lld,N]",
                              (long long)a->rows, (long long)a->cols, sb, (long long)a->cols);
    if (a->rows < 1)
        return rc_shape_error(why, len, RC_ERR_SHAPE, "A [%lld,%lld] has no rows",
                              (long long)a->rows, (long long)a->cols);
    if (a->indptr[0] != 0)
        return rc_shape_error(why, len, RC_ERR_RANGE, "A's indptr[0] is %lld, must be 0",
                              (long long)a->indptr[0]);
    for (int64_t r = 0; r < a->rows; r++)
        if (a->indptr[r + 1] < a->indptr[r])
            return rc_shape_error(why, len, RC_ERR_RANGE,
                                  "A's indptr decreases at row %lld (%lld then %lld)", (long long)r,
                                  (long long)a->indptr[r], (long long)a->indptr[r + 1]);
    for (int64_t k = 0; k < a->nnz; k++)
        if (a->indices[k] < 0 || a->indices[k] >= a->cols)
            return rc_shape_error(why, len, RC_ERR_RANGE,
                                  "A's column index %d (entry %lld) is outside [0,%lld)",
                                  a->indices[k], (long long)k, (long long)a->cols);
    *out = RC_SHAPE(a->rows, b->dim[1]);
    return RC_OK;
}

static void sp_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out, rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const sp_attr *a = attr;
    const int64_t N = in[0].shape.dim[1];
    const float *B = in[0].data;
    float *Y = out->data;
    RC_PARALLEL_FOR_WORK((a->nnz + a->rows) * N, for (int64_t r = 0; r < a->rows; r++) {
        float *y = Y + r * N;
        memset(y, 0, (size_t)N * sizeof *y);
        for (int64_t k = a->indptr[r]; k < a->indptr[r + 1]; k++) {
            const float v = a->values[k], *b = B + (int64_t)a->indices[k] * N;
            for (int64_t j = 0; j < N; j++)
                y[j] += v * b[j];
        }
    });
}

// A^T as column pointers colptr[C+1] and, per entry in column order, its row and value.
typedef struct sp_columns {
    int64_t *colptr;
    int64_t *row;
    float *val;
} sp_columns;

static bool transpose(const sp_attr *a, const rc_opctx *ctx, sp_columns *t) {
    rc_arena *ar = &ctx->g->grads;
    t->colptr = rc_arena_alloc(ar, (size_t)(a->cols + 1) * sizeof(int64_t));
    t->row = rc_arena_alloc(ar, (size_t)(a->nnz ? a->nnz : 1) * sizeof(int64_t));
    t->val = rc_arena_alloc(ar, (size_t)(a->nnz ? a->nnz : 1) * sizeof(float));
    if (!t->colptr || !t->row || !t->val) {
        rc_graph_fail(ctx->g, RC_ERR_NOMEM, "sparse_matmul", -1, "out of memory in backward");
        return false;
    }
    memset(t->colptr, 0, (size_t)(a->cols + 1) * sizeof(int64_t));
    for (int64_t k = 0; k < a->nnz; k++)
        t->colptr[a->indices[k] + 1]++;
    for (int64_t c = 0; c < a->cols; c++)
        t->colptr[c + 1] += t->colptr[c];
    // Rows are visited in order, so each column lists its entries by increasing row.
    for (int64_t r = 0; r < a->rows; r++) {
        for (int64_t k = a->indptr[r]; k < a->indptr[r + 1]; k++) {
            int64_t at = t->colptr[a->indices[k]]++;
            t->row[at] = r;
            t->val[at] = a->values[k];
        }
    }
    for (int64_t c = a->cols; c > 0; c--) // the fill advanced each start to the next one's
        t->colptr[c] = t->colptr[c - 1];
    t->colptr[0] = 0;
    return true;
}

static void sp_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                   const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(out);
    const sp_attr *a = attr;
    sp_columns t;
    if (!gin[0].data || !transpose(a, ctx, &t))
        return;
    const int64_t N = in[0].shape.dim[1];
    const float *G = gout->data;
    float *dB = gin[0].data;
    RC_PARALLEL_FOR_WORK((a->nnz + a->cols) * N, for (int64_t c = 0; c < a->cols; c++) {
        float *d = dB + c * N;
        for (int64_t k = t.colptr[c]; k < t.colptr[c + 1]; k++) {
            const float v = t.val[k], *g = G + t.row[k] * N;
            for (int64_t j = 0; j < N; j++)
                d[j] += v * g[j];
        }
    });
}

// The gradient check's fixed A [4,5]: an empty row, a repeated column, a zero value.
static const int64_t test_indptr[] = {0, 3, 3, 6, 8};
static const int32_t test_indices[] = {0, 2, 4, 1, 1, 3, 0, 4};
static const float test_values[] = {0.5f, -1.25f, 2.0f, 1.5f, -0.75f, 0.0f, 3.0f, -2.0f};

static rc_var sp_test_build(rc_graph *g, const rc_var *in) {
    UNUSED(g);
    const rc_csr a = {.rows = 4,
                      .cols = 5,
                      .indptr = (int64_t *)test_indptr,
                      .indices = (int32_t *)test_indices,
                      .values = (float *)test_values};
    return rc_sparse_matmul(&a, in[0]);
}

const rc_op_def rc_op_sparse_matmul = {
    .name = "sparse_matmul",
    .dot_label = "sparse A · b",
    .n_in = 1,
    .shape = sp_shape,
    .forward = sp_fwd,
    .backward = sp_bwd,
    .test = {.n_in = 1, .shape = {{2, {5, 3}}}, .lo = -1, .hi = 1, .build = sp_test_build},
};

rc_var rc_sparse_matmul(const rc_csr *a, rc_var b) {
    rc_graph *g = b.g;
    if (!g)
        return RC_NONE; // no graph to report to; poisons what is built on it
    if (!a) {
        rc_graph_fail(g, RC_ERR_ARG, "sparse_matmul", g->n_nodes, "the matrix a is NULL");
        return rc_graph_poison(g);
    }
    sp_attr at = {.rows = a->rows, .cols = a->cols};
    if (g->status == RC_OK && (a->rows < 1 || a->cols < 1 || !a->indptr)) {
        rc_graph_fail(g, RC_ERR_ARG, "sparse_matmul", g->n_nodes,
                      "A [%lld,%lld] must have rows, columns and an indptr", (long long)a->rows,
                      (long long)a->cols);
    } else if (g->status == RC_OK) {
        // A negative count is left for the shape rule to report as a broken indptr.
        at.nnz = a->indptr[a->rows] > 0 ? a->indptr[a->rows] : 0;
        size_t n = (size_t)(at.nnz ? at.nnz : 1);
        at.indptr = rc_graph_copy(g, a->indptr, (size_t)(a->rows + 1) * sizeof(int64_t));
        at.indices = rc_graph_copy(g, at.nnz ? a->indices : NULL, n * sizeof(int32_t));
        at.values = rc_graph_copy(g, at.nnz ? a->values : NULL, n * sizeof(float));
    }
    const rc_var in[1] = {b};
    return rc_apply(&rc_op_sparse_matmul, in, 1, &at, sizeof at);
}
