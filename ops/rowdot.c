// Row-wise dot products: each row of a against the K rows of b that belong to it.
//   rowdot: y[n,k] = Σ_d a[n,d] b[n,k,d]     a [N,D], b [N,K,D] -> y [N,K]
//           da[n,:] += Σ_k g[n,k] b[n,k,:];  db[n,k,:] += g[n,k] a[n,:]
// The scores of skip-gram with negative sampling (a centre row against its context and negative
// rows) in one op instead of mul + sum over a [N,K,D] temporary. Each output and each gradient
// row is computed by one loop in a fixed order, so results never depend on the thread count.
#include <string.h>

#include "ops_impl.h"

// Dot products and axpy over 8 lanes held in a GCC vector (two SSE registers, or one AVX
// register where the compiler targets it): lane l accumulates entries l, l+8, ...; the lanes are
// then added in a fixed order, so every build gives the same bits and the thread count never
// matters.
typedef float lanes8 __attribute__((vector_size(32)));
#define LANES 8

// The kernels are compiled twice, for AVX2 and for the baseline, and the loader picks one for
// the machine. Both run the same lane arithmetic (no FMA contraction in ISO C mode), so they give
// the same bits; AVX2 does each 8-lane step in one instruction instead of two.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KERNEL_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KERNEL_CLONES
#endif

// A macro, not a function: returning a 32-byte vector would change the ABI without AVX.
#define LOAD8(v, p) memcpy(&(v), (p), sizeof(lanes8))

static inline float dot_lanes(const float *x, const float *y, int64_t D) {
    lanes8 acc = {0};
    int64_t d = 0;
    for (; d + LANES <= D; d += LANES) {
        lanes8 a, b;
        LOAD8(a, x + d);
        LOAD8(b, y + d);
        acc += a * b;
    }
    float tail[LANES] = {0};
    for (int l = 0; d < D; d++, l++)
        tail[l] = x[d] * y[d];
    lanes8 t;
    LOAD8(t, tail);
    acc += t;
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

static inline void axpy(float a, const float *x, float *y, int64_t D) {
    const lanes8 av = {a, a, a, a, a, a, a, a};
    int64_t d = 0;
    for (; d + LANES <= D; d += LANES) {
        lanes8 v, u;
        LOAD8(v, y + d);
        LOAD8(u, x + d);
        v += av * u;
        memcpy(y + d, &v, sizeof v);
    }
    for (; d < D; d++)
        y[d] += a * x[d];
}

static rc_status rowdot_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                              char *why, size_t len) {
    UNUSED(n_in), UNUSED(attr);
    const rc_shape *a = &in[0].shape, *b = &in[1].shape;
    char sa[96], sb[96];
    rc_shape_str(*a, sa, sizeof sa);
    rc_shape_str(*b, sb, sizeof sb);
    if (a->ndim != 2 || b->ndim != 3)
        return rc_shape_error(why, len, RC_ERR_SHAPE, "a %s and b %s must be [N,D] and [N,K,D]", sa,
                              sb);
    if (a->dim[0] != b->dim[0] || a->dim[1] != b->dim[2])
        return rc_shape_error(why, len, RC_ERR_SHAPE,
                              "a %s and b %s: N and D must agree ([N,D] and [N,K,D])", sa, sb);
    *out = (rc_shape){2, {b->dim[0], b->dim[1]}};
    return RC_OK;
}

KERNEL_CLONES
static void rowdot_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                       rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr), UNUSED(ctx);
    const int64_t N = in[1].shape.dim[0], K = in[1].shape.dim[1], D = in[1].shape.dim[2];
    const float *a = in[0].data, *b = in[1].data;
    float *y = out->data;
    for (int64_t n = 0; n < N; n++)
        for (int64_t k = 0; k < K; k++)
            y[n * K + k] = dot_lanes(a + n * D, b + (n * K + k) * D, D);
}

KERNEL_CLONES
static void rowdot_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                       const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr), UNUSED(out), UNUSED(ctx);
    const int64_t N = in[1].shape.dim[0], K = in[1].shape.dim[1], D = in[1].shape.dim[2];
    const float *a = in[0].data, *b = in[1].data, *g = gout->data;
    float *ga = gin[0].data, *gb = gin[1].data;
    for (int64_t n = 0; n < N; n++) {
        for (int64_t k = 0; k < K; k++) {
            const float gk = g[n * K + k];
            if (ga)
                axpy(gk, b + (n * K + k) * D, ga + n * D, D);
            if (gb)
                axpy(gk, a + n * D, gb + (n * K + k) * D, D);
        }
    }
}

const rc_op_def rc_op_rowdot = {
    .name = "rowdot",
    .dot_label = "rows·",
    .n_in = 2,
    .shape = rowdot_shape,
    .forward = rowdot_fwd,
    .backward = rowdot_bwd,
    .test = {.n_in = 2, .shape = {{2, {3, 11}}, {3, {3, 4, 11}}}, .lo = -2, .hi = 2},
};

rc_var rc_rowdot(rc_var a, rc_var b) {
    rc_var in[2] = {a, b};
    return rc_apply(&rc_op_rowdot, in, 2, NULL, 0);
}

// ---- embedding_rowdot: rowdot(h, embedding(table, ids)) without the [N,K,D] gather ----------
//   y[n,k] = <h[n,:], T[ids[n,k],:]>;  dT[ids[n,k],:] += g[n,k] h[n,:];  dh[n,:] += g[n,k]
//   T[ids[n,k],:]
// The table is input 0 so that, like rc_embedding, only the rows it reads are marked touched.

typedef struct erd_attr {
    const int32_t *ids; // arena copy, [N,K]
    int64_t N, K;
} erd_attr;

static rc_status erd_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                           char *why, size_t len) {
    UNUSED(n_in);
    const erd_attr *p = attr;
    if (!p || !p->ids)
        return rc_shape_error(why, len, RC_ERR_ARG, "ids is NULL");
    const rc_shape *t = &in[0].shape, *h = &in[1].shape;
    char st[96], sh[96];
    rc_shape_str(*t, st, sizeof st);
    rc_shape_str(*h, sh, sizeof sh);
    if (t->ndim != 2 || h->ndim != 2 || t->dim[1] != h->dim[1] || h->dim[0] != p->N)
        return rc_shape_error(why, len, RC_ERR_SHAPE,
                              "table %s, h %s and ids [%lld,%lld] must be [V,D], [N,D] and [N,K]",
                              st, sh, (long long)p->N, (long long)p->K);
    for (int64_t i = 0; i < p->N * p->K; i++)
        if (p->ids[i] < 0 || p->ids[i] >= t->dim[0])
            return rc_shape_error(why, len, RC_ERR_RANGE,
                                  "id %d at position %lld is out of range [0, V) for table %s",
                                  p->ids[i], (long long)i, st);
    *out = (rc_shape){2, {p->N, p->K}};
    return RC_OK;
}

KERNEL_CLONES
static void erd_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                    rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const erd_attr *p = attr;
    const int64_t D = in[0].shape.dim[1];
    const float *t = in[0].data, *h = in[1].data;
    for (int64_t n = 0; n < p->N; n++)
        for (int64_t k = 0; k < p->K; k++)
            out->data[n * p->K + k] =
                dot_lanes(h + n * D, t + (int64_t)p->ids[n * p->K + k] * D, D);
}

KERNEL_CLONES
static void erd_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                    const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(out);
    const erd_attr *p = attr;
    const int64_t D = in[0].shape.dim[1];
    const float *t = in[0].data, *h = in[1].data, *g = gout->data;
    float *gt = gin[0].data, *gh = gin[1].data;
    // Serial and in (n, k) order: repeated ids add up in the same order on every run.
    for (int64_t n = 0; n < p->N; n++) {
        for (int64_t k = 0; k < p->K; k++) {
            const int32_t id = p->ids[n * p->K + k];
            const float gk = g[n * p->K + k];
            if (gh)
                axpy(gk, t + (int64_t)id * D, gh + n * D, D);
            if (gt) {
                axpy(gk, h + n * D, gt + (int64_t)id * D, D);
                if (ctx->touched_rows)
                    ctx->touched_rows[id] = 1;
            }
        }
    }
}

static rc_var erd_test_build(rc_graph *g, const rc_var *in) {
    UNUSED(g);
    static const int32_t ids[6] = {4, 0, 4, 1, 1, 0}; // repeats; rows 2 and 3 untouched
    return rc_embedding_rowdot(in[0], ids, 2, 3, in[1]);
}

const rc_op_def rc_op_embedding_rowdot = {
    .name = "embedding_rowdot",
    .dot_label = "rows·T[ids]",
    .n_in = 2,
    .flags = RC_OP_ROW_SPARSE,
    .shape = erd_shape,
    .forward = erd_fwd,
    .backward = erd_bwd,
    .test = {.n_in = 2,
             .shape = {{2, {5, 9}}, {2, {2, 9}}},
             .lo = -2,
             .hi = 2,
             .build = erd_test_build},
};

rc_var rc_embedding_rowdot(rc_var table, const int32_t *ids, int64_t N, int64_t K, rc_var h) {
    rc_var in[2] = {table, h};
    erd_attr attr = {NULL, N, K};
    if (table.g && rc_ok(table) && N > 0 && K > 0 && ids)
        attr.ids = rc_graph_copy(table.g, ids, (size_t)(N * K) * sizeof(int32_t));
    return rc_apply(&rc_op_embedding_rowdot, in, 2, &attr, sizeof attr);
}
