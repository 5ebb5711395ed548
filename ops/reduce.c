// Reductions. Along an axis the input is viewed as [outer, D, inner]; "all" reduces everything.
// Sums run in a fixed order (blocks of at least RC_SUM_BLOCK added left to right) so results do
// not depend on the thread count.
//   sum:       y = Σ x;                dx = g
//   mean:      y = Σ x / D;            dx = g / D
//   max:       y = max x;              dx = g at the first maximum, 0 elsewhere
//   logsumexp: y = m + log Σ e^(x-m);  dx = g e^(x-y)
//   l2norm:    y = sqrt(Σ x²);         dx = g x / y (0 where y = 0)
#include <math.h>

#include "ops_impl.h"

#define RC_SUM_BLOCK 4096
#define RC_SUM_MAX_BLOCKS 256

typedef enum red_kind { RED_SUM, RED_MEAN, RED_MAX, RED_LSE, RED_L2 } red_kind;

typedef struct red_attr {
    int32_t kind;
    int32_t axis;  // normalised in the builder; -1 for all, INT32_MAX when out of range
    int32_t given; // the axis as the caller passed it, for the error message
    bool keepdims;
} red_attr;

typedef struct red_view {
    int64_t outer, D, inner;
} red_view;

static red_view view_of(const rc_tensor *x, int axis) {
    red_view v = {1, x->n, 1};
    if (axis < 0)
        return v;
    v.D = x->shape.dim[axis];
    v.outer = 1;
    for (int i = 0; i < axis; i++)
        v.outer *= x->shape.dim[i];
    v.inner = x->n / (v.outer * v.D);
    return v;
}

static rc_status red_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                           char *why, size_t len) {
    UNUSED(n_in);
    const red_attr *p = attr;
    const rc_shape *s = &in[0].shape;
    if (p->axis < 0) {
        *out = RC_SCALAR_SHAPE;
        return RC_OK;
    }
    if (p->axis >= s->ndim) {
        char sb[96];
        return rc_shape_error(why, len, RC_ERR_RANGE, "axis %d is out of range for x %s (rank %d)",
                              p->given, rc_shape_str(*s, sb, sizeof sb), s->ndim);
    }
    *out = *s;
    if (p->keepdims) {
        out->dim[p->axis] = 1;
    } else {
        for (int i = p->axis; i + 1 < s->ndim; i++)
            out->dim[i] = s->dim[i + 1];
        out->ndim--;
    }
    return RC_OK;
}

// Σ over the D entries x[0], x[stride], ... in a fixed order.
static double strided_sum(const float *x, int64_t D, int64_t stride, red_kind kind, float shift) {
    double s = 0;
    for (int64_t d = 0; d < D; d++) {
        float v = x[d * stride];
        s += kind == RED_L2 ? (double)v * v : kind == RED_LSE ? exp((double)(v - shift)) : v;
    }
    return s;
}

static float strided_max(const float *x, int64_t D, int64_t stride, int64_t *arg) {
    float m = x[0];
    int64_t a = 0;
    for (int64_t d = 1; d < D; d++)
        if (x[d * stride] > m || (isnan(x[d * stride]) && !isnan(m)))
            m = x[d * stride], a = d;
    if (arg)
        *arg = a;
    return m;
}

static float reduce_one(const float *x, int64_t D, int64_t stride, red_kind kind) {
    switch (kind) {
    case RED_SUM: return (float)strided_sum(x, D, stride, kind, 0);
    case RED_MEAN: return (float)(strided_sum(x, D, stride, RED_SUM, 0) / (double)D);
    case RED_MAX: return strided_max(x, D, stride, NULL);
    case RED_L2: return (float)sqrt(strided_sum(x, D, stride, kind, 0));
    case RED_LSE: {
        float m = strided_max(x, D, stride, NULL);
        if (isinf(m))
            return m;
        return m + (float)log(strided_sum(x, D, stride, kind, m));
    }
    }
    return 0;
}

// A whole-tensor reduction in fixed blocks: each block's partial in parallel, then in order.
// Blocks are RC_SUM_BLOCK long, or longer for huge tensors so that at most RC_SUM_MAX_BLOCKS
// partials exist (they live on the stack: no allocation per call). The block length depends on n
// only, never on the thread count.
static float reduce_all(const float *x, int64_t n, red_kind kind) {
    if (n <= RC_SUM_BLOCK || kind == RED_MAX || kind == RED_LSE)
        return reduce_one(x, n, 1, kind);
    int64_t len = RC_SUM_BLOCK;
    if (n > len * RC_SUM_MAX_BLOCKS)
        len = (n + RC_SUM_MAX_BLOCKS - 1) / RC_SUM_MAX_BLOCKS;
    const int64_t nb = (n + len - 1) / len;
    double partial[RC_SUM_MAX_BLOCKS];
    RC_PARALLEL_FOR(
        n, for (int64_t b = 0; b < nb; b++) {
            int64_t lo = b * len, cnt = lo + len < n ? len : n - lo;
            partial[b] = strided_sum(x + lo, cnt, 1, kind == RED_MEAN ? RED_SUM : kind, 0);
        });
    double s = 0;
    for (int64_t b = 0; b < nb; b++)
        s += partial[b];
    return kind == RED_MEAN ? (float)(s / (double)n) : kind == RED_L2 ? (float)sqrt(s) : (float)s;
}

static void red_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                    rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const red_attr *p = attr;
    const float *x = in[0].data;
    if (p->axis < 0) {
        out->data[0] = reduce_all(x, in[0].n, (red_kind)p->kind);
        return;
    }
    red_view v = view_of(&in[0], p->axis);
    float *y = out->data;
    RC_PARALLEL_FOR(
        in[0].n, for (int64_t o = 0; o < v.outer * v.inner; o++) {
            int64_t a = o / v.inner, b = o % v.inner;
            y[o] = reduce_one(x + a * v.D * v.inner + b, v.D, v.inner, (red_kind)p->kind);
        });
}

static void red_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                    const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const red_attr *p = attr;
    float *gx = gin[0].data;
    if (!gx)
        return;
    const float *x = in[0].data, *y = out->data, *g = gout->data;
    red_view v = view_of(&in[0], p->axis);
    const red_kind kind = (red_kind)p->kind;
    RC_PARALLEL_FOR(
        in[0].n, for (int64_t o = 0; o < v.outer * v.inner; o++) {
            int64_t a = o / v.inner, b = o % v.inner, base = a * v.D * v.inner + b;
            const float go = g[o], yo = y[o];
            int64_t arg = -1;
            if (kind == RED_MAX)
                strided_max(x + base, v.D, v.inner, &arg);
            for (int64_t d = 0; d < v.D; d++) {
                int64_t i = base + d * v.inner;
                switch (kind) {
                case RED_SUM: gx[i] += go; break;
                case RED_MEAN: gx[i] += go / (float)v.D; break;
                case RED_MAX: gx[i] += d == arg ? go : 0.0f; break;
                case RED_LSE: gx[i] += go * expf(x[i] - yo); break;
                case RED_L2: gx[i] += yo > 0 ? go * x[i] / yo : 0.0f; break;
                }
            }
        });
}

#define RED_DEF(NAME, LABEL, KIND, AXIS, KEEP, LO, HI)                                             \
    static const red_attr NAME##_test_attr = {KIND, AXIS, AXIS, KEEP};                             \
    const rc_op_def rc_op_##NAME = {                                                               \
        .name = #NAME,                                                                             \
        .dot_label = LABEL,                                                                        \
        .n_in = 1,                                                                                 \
        .shape = red_shape,                                                                        \
        .forward = red_fwd,                                                                        \
        .backward = red_bwd,                                                                       \
        .test = {.n_in = 1,                                                                        \
                 .shape = {{3, {2, 3, 4}}},                                                        \
                 .lo = LO,                                                                         \
                 .hi = HI,                                                                         \
                 .attr = &NAME##_test_attr,                                                        \
                 .attr_size = sizeof(red_attr)},                                                   \
    };

RED_DEF(sum, "Σ", RED_SUM, 1, false, -2, 2)
RED_DEF(mean, "mean", RED_MEAN, 2, true, -2, 2)
RED_DEF(max, "max", RED_MAX, 1, false, -2, 2)
RED_DEF(logsumexp, "logsumexp", RED_LSE, 2, false, -2, 2)
RED_DEF(l2norm, "‖x‖", RED_L2, 0, true, -2, 2)

static rc_var reduce(const rc_op_def *op, red_kind kind, rc_var x, int axis, bool keepdims,
                     bool all) {
    red_attr attr = {kind, -1, axis, keepdims};
    if (!all) {
        // Normalise a negative axis here; an out-of-range axis is reported by the shape rule.
        int nd = rc_ok(x) ? rc_shape_of(x).ndim : 0;
        int a = rc_norm_axis(axis, nd);
        attr.axis = a < 0 ? INT32_MAX : a;
    }
    return rc_apply(op, &x, 1, &attr, sizeof attr);
}

rc_var rc_sum_all(rc_var x) {
    return reduce(&rc_op_sum, RED_SUM, x, 0, false, true);
}
rc_var rc_mean_all(rc_var x) {
    return reduce(&rc_op_mean, RED_MEAN, x, 0, false, true);
}
rc_var rc_l2norm_all(rc_var x) {
    return reduce(&rc_op_l2norm, RED_L2, x, 0, false, true);
}
rc_var rc_sum(rc_var x, int axis, bool keepdims) {
    return reduce(&rc_op_sum, RED_SUM, x, axis, keepdims, false);
}
rc_var rc_mean(rc_var x, int axis, bool keepdims) {
    return reduce(&rc_op_mean, RED_MEAN, x, axis, keepdims, false);
}
rc_var rc_max(rc_var x, int axis, bool keepdims) {
    return reduce(&rc_op_max, RED_MAX, x, axis, keepdims, false);
}
rc_var rc_logsumexp(rc_var x, int axis, bool keepdims) {
    return reduce(&rc_op_logsumexp, RED_LSE, x, axis, keepdims, false);
}
rc_var rc_l2norm(rc_var x, int axis, bool keepdims) {
    return reduce(&rc_op_l2norm, RED_L2, x, axis, keepdims, false);
}
