// Row-wise dot products: each row of a against the K rows of b that belong to it.
//   rowdot: y[n,k] = Σ_d a[n,d] b[n,k,d]     a [N,D], b [N,K,D] -> y [N,K]
//           da[n,:] += Σ_k g[n,k] b[n,k,:];  db[n,k,:] += g[n,k] a[n,:]
// The scores of skip-gram with negative sampling (a centre row against its context and negative
// rows) in one op instead of mul + sum over a [N,K,D] temporary. Each output and each gradient
// row is computed by one loop in a fixed order, so results never depend on the thread count.
#include <string.h>

#include "ops_impl.h"

// 8 partial sums (lanes) over the D entries, added in a fixed order: the compiler keeps the lanes
// in vector registers, and the result is the same on every run.
#define LANES 8

static inline float dot_lanes(const float *x, const float *y, int64_t D) {
    float acc[LANES] = {0};
    int64_t d = 0;
    for (; d + LANES <= D; d += LANES)
        for (int l = 0; l < LANES; l++)
            acc[l] += x[d + l] * y[d + l];
    for (int l = 0; d < D; d++, l++)
        acc[l] += x[d] * y[d];
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

static inline void axpy(float a, const float *x, float *y, int64_t D) {
    for (int64_t d = 0; d < D; d++)
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
        return rc_shape_error(why, len, RC_ERR_SHAPE, "a %s and b %s must be [N,D] and [N,K,D]",
                              sa, sb);
    if (a->dim[0] != b->dim[0] || a->dim[1] != b->dim[2])
        return rc_shape_error(why, len, RC_ERR_SHAPE,
                              "a %s and b %s: N and D must agree ([N,D] and [N,K,D])", sa, sb);
    *out = (rc_shape){2, {b->dim[0], b->dim[1]}};
    return RC_OK;
}

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
