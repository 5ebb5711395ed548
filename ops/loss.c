// Softmax and the losses, following torch.nn.functional's definitions. Along an axis the input is
// seen as [outer, D, inner]; class-index losses take logits [N,C] and int32 targets[N] copied
// into the arena and checked at build time. Sums run in double in a fixed order.
//   softmax:      y = e^(x-m) / Σ e^(x-m)                  dx = y (g - Σ g y)
//   log_softmax:  y = x - m - log Σ e^(x-m)                dx = g - e^y Σ g
//   cross_entropy: l_i = logsumexp(x_i) - x_i[t_i]         dx_i = s_i (softmax(x_i) - onehot(t_i))
//   nll:          l_i = -x_i[t_i]                          dx_i[t_i] = -s_i
//   bce_with_logits: l = max(x,0) - x y + log(1 + e^-|x|)  dx = s (σ(x) - y); y gets none
//   mse:          l = (p - t)²                             dp = 2 s (p - t), dt = -dp
// s is the upstream gradient scaled by the reduction: g for none and sum, g / count for mean.
// Rows whose target is ignore_index give 0 and get no gradient; the mean is over the other rows,
// and a mean over no rows at all is 0 with zero gradient (PyTorch gives NaN), so a batch made only
// of padding leaves the parameters untouched instead of poisoning them.
#include <math.h>

#include "ops_impl.h"

#define LOSS_BLOCKS 256
#define LOSS_MIN_BLOCK 4096

static rc_status red_check(int32_t red, char *why, size_t len) {
    if (red == RC_REDUCE_MEAN || red == RC_REDUCE_SUM || red == RC_REDUCE_NONE)
        return RC_OK;
    return rc_shape_error(why, len, RC_ERR_ARG,
                          "reduction %d is not RC_REDUCE_MEAN, RC_REDUCE_SUM or RC_REDUCE_NONE",
                          red);
}

// ---- softmax and log_softmax ---------------------------------------------------------------

typedef struct smax_attr {
    int32_t axis; // as given
    bool log;
} smax_attr;

typedef struct lane_view {
    int64_t outer, D, inner;
} lane_view;

static lane_view lanes(rc_shape s, int axis) {
    lane_view v = {1, s.dim[axis], 1};
    for (int i = 0; i < axis; i++)
        v.outer *= s.dim[i];
    for (int i = axis + 1; i < s.ndim; i++)
        v.inner *= s.dim[i];
    return v;
}

static rc_status smax_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                            char *why, size_t len) {
    UNUSED(n_in);
    const int given = ((const smax_attr *)attr)->axis;
    if (rc_norm_axis(given, in[0].shape.ndim) < 0) {
        char sb[96];
        return rc_shape_error(why, len, RC_ERR_RANGE, "axis %d is out of range for x %s", given,
                              rc_shape_str(in[0].shape, sb, sizeof sb));
    }
    *out = in[0].shape;
    return RC_OK;
}

static void smax_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                     rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const smax_attr *p = attr;
    const lane_view v = lanes(in[0].shape, rc_norm_axis(p->axis, in[0].shape.ndim));
    const float *x = in[0].data;
    float *y = out->data;
    RC_PARALLEL_FOR_WORK(
        in[0].n, for (int64_t lane = 0; lane < v.outer * v.inner; lane++) {
            const int64_t base = (lane / v.inner) * v.D * v.inner + lane % v.inner, st = v.inner;
            float m = x[base];
            for (int64_t d = 1; d < v.D; d++)
                m = fmaxf(m, x[base + d * st]);
            // One expf per entry (kept in y for softmax), the sum in double.
            double s = 0;
            for (int64_t d = 0; d < v.D; d++) {
                const float e = expf(x[base + d * st] - m);
                if (!p->log)
                    y[base + d * st] = e;
                s += e;
            }
            if (p->log) {
                const float ls = (float)log(s);
                for (int64_t d = 0; d < v.D; d++)
                    y[base + d * st] = (x[base + d * st] - m) - ls;
            } else {
                const float inv = (float)(1.0 / s);
                for (int64_t d = 0; d < v.D; d++)
                    y[base + d * st] *= inv;
            }
        });
}

static void smax_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                     const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const smax_attr *p = attr;
    float *gx = gin[0].data;
    if (!gx)
        return;
    const lane_view v = lanes(in[0].shape, rc_norm_axis(p->axis, in[0].shape.ndim));
    const float *y = out->data, *g = gout->data;
    RC_PARALLEL_FOR_WORK(
        in[0].n, for (int64_t lane = 0; lane < v.outer * v.inner; lane++) {
            const int64_t base = (lane / v.inner) * v.D * v.inner + lane % v.inner, st = v.inner;
            double s = 0; // Σ g y (softmax) or Σ g (log_softmax)
            for (int64_t d = 0; d < v.D; d++)
                s +=
                    p->log ? (double)g[base + d * st] : (double)g[base + d * st] * y[base + d * st];
            for (int64_t d = 0; d < v.D; d++) {
                const int64_t i = base + d * st;
                gx[i] += p->log ? g[i] - expf(y[i]) * (float)s : y[i] * (g[i] - (float)s);
            }
        });
}

static const smax_attr softmax_test_attr = {1, false}, log_softmax_test_attr = {-1, true};

// The check weights every output at random, so a wrong Σ g y term cannot hide behind Σ y = 1.
const rc_op_def rc_op_softmax = {
    .name = "softmax",
    .dot_label = "softmax",
    .n_in = 1,
    .shape = smax_shape,
    .forward = smax_fwd,
    .backward = smax_bwd,
    .test = {.n_in = 1,
             .shape = {{3, {2, 3, 4}}},
             .lo = -3,
             .hi = 3,
             .attr = &softmax_test_attr,
             .attr_size = sizeof(smax_attr)},
};

const rc_op_def rc_op_log_softmax = {
    .name = "log_softmax",
    .dot_label = "log softmax",
    .n_in = 1,
    .shape = smax_shape,
    .forward = smax_fwd,
    .backward = smax_bwd,
    .test = {.n_in = 1,
             .shape = {{3, {2, 3, 4}}},
             .lo = -3,
             .hi = 3,
             .attr = &log_softmax_test_attr,
             .attr_size = sizeof(smax_attr)},
};

rc_var rc_softmax(rc_var x, int axis) {
    const smax_attr attr = {axis, false};
    return rc_apply(&rc_op_softmax, &x, 1, &attr, sizeof attr);
}

rc_var rc_log_softmax(rc_var x, int axis) {
    const smax_attr attr = {axis, true};
    return rc_apply(&rc_op_log_softmax, &x, 1, &attr, sizeof attr);
}

// ---- cross_entropy and nll: class targets -------------------------------------------------

typedef struct cls_attr {
    const int32_t *targets; // arena copy of N targets; NULL when not copied
    int32_t red, ignore_index;
} cls_attr;

static rc_status cls_shape(const rc_tensor *in, const cls_attr *p, const char *arg, rc_shape *out,
                           char *why, size_t len) {
    const rc_shape s = in[0].shape;
    char sx[96];
    rc_shape_str(s, sx, sizeof sx);
    if (s.ndim != 2)
        return rc_shape_error(why, len, RC_ERR_SHAPE, "%s %s must be [N,C]", arg, sx);
    if (red_check(p->red, why, len) != RC_OK)
        return RC_ERR_ARG;
    if (!p->targets)
        return rc_shape_error(why, len, RC_ERR_ARG, "targets is NULL for %s %s", arg, sx);
    const int64_t N = s.dim[0], C = s.dim[1];
    for (int64_t i = 0; i < N; i++) {
        const int32_t t = p->targets[i];
        if (t != p->ignore_index && (t < 0 || t >= C))
            return rc_shape_error(why, len, RC_ERR_RANGE,
                                  "target %d at position %lld is out of range [0, %lld) for %s "
                                  "%s and is not ignore_index %d",
                                  t, (long long)i, (long long)C, arg, sx, p->ignore_index);
    }
    *out = p->red == RC_REDUCE_NONE ? (rc_shape){1, {N}} : RC_SCALAR_SHAPE;
    return RC_OK;
}

static rc_status ce_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out, char *why,
                          size_t len) {
    UNUSED(n_in);
    return cls_shape(in, attr, "logits", out, why, len);
}

static rc_status nll_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                           char *why, size_t len) {
    UNUSED(n_in);
    return cls_shape(in, attr, "logp", out, why, len);
}

static int64_t count_kept(const cls_attr *p, int64_t N) {
    int64_t k = 0;
    for (int64_t i = 0; i < N; i++)
        k += p->targets[i] != p->ignore_index;
    return k;
}

// Writes the per-row losses: into y for none, else reduced in row order into y[0].
static void cls_reduce(const cls_attr *p, const float *row_loss, int64_t N, float *y) {
    if (p->red == RC_REDUCE_NONE) {
        for (int64_t i = 0; i < N; i++)
            y[i] = row_loss[i];
        return;
    }
    double s = 0;
    for (int64_t i = 0; i < N; i++)
        s += row_loss[i];
    const int64_t kept = count_kept(p, N);
    y[0] = p->red == RC_REDUCE_SUM ? (float)s : kept ? (float)(s / (double)kept) : 0.0f;
}

// The upstream gradient of row i after the reduction.
static float cls_scale(const cls_attr *p, const float *g, int64_t i, int64_t kept) {
    if (p->red == RC_REDUCE_NONE)
        return g[i];
    return p->red == RC_REDUCE_SUM ? g[0] : (float)((double)g[0] / (double)kept);
}

// Saved by cross_entropy's forward: logsumexp of each row, then each row's loss.
static float *ce_saved(rc_opctx *ctx, int64_t N) {
    if (!ctx->saved)
        ctx->saved = rc_ctx_alloc(ctx, 2 * (size_t)N * sizeof(float));
    return ctx->saved;
}

static void ce_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out, rc_opctx *ctx) {
    UNUSED(n_in);
    const cls_attr *p = attr;
    const int64_t N = in[0].shape.dim[0], C = in[0].shape.dim[1];
    float *lse = ce_saved(ctx, N);
    if (!lse)
        return; // out of memory: the graph carries RC_ERR_NOMEM
    float *row_loss = lse + N;
    const float *x = in[0].data;
    RC_PARALLEL_FOR_WORK(
        in[0].n, for (int64_t i = 0; i < N; i++) {
            const float *xi = x + i * C;
            float m = xi[0];
            for (int64_t c = 1; c < C; c++)
                m = fmaxf(m, xi[c]);
            double s = 0;
            for (int64_t c = 0; c < C; c++)
                s += expf(xi[c] - m);
            const double l = m + log(s);
            lse[i] = (float)l;
            const int32_t t = p->targets[i];
            row_loss[i] = t == p->ignore_index ? 0.0f : (float)(l - xi[t]);
        });
    cls_reduce(p, row_loss, N, out->data);
}

static void ce_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                   const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(out);
    const cls_attr *p = attr;
    float *gx = gin[0].data;
    if (!gx)
        return;
    const int64_t N = in[0].shape.dim[0], C = in[0].shape.dim[1], kept = count_kept(p, N);
    if (!kept)
        return;
    const float *x = in[0].data, *lse = ctx->saved, *g = gout->data;
    RC_PARALLEL_FOR_WORK(
        in[0].n, for (int64_t i = 0; i < N; i++) {
            const int32_t t = p->targets[i];
            if (t == p->ignore_index)
                continue;
            const float s = cls_scale(p, g, i, kept);
            for (int64_t c = 0; c < C; c++)
                gx[i * C + c] += s * (expf(x[i * C + c] - lse[i]) - (c == t ? 1.0f : 0.0f));
        });
}

static void nll_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                    rc_opctx *ctx) {
    UNUSED(n_in);
    const cls_attr *p = attr;
    const int64_t N = in[0].shape.dim[0], C = in[0].shape.dim[1];
    if (!ctx->saved)
        ctx->saved = rc_ctx_alloc(ctx, (size_t)N * sizeof(float));
    float *row_loss = ctx->saved;
    if (!row_loss)
        return;
    for (int64_t i = 0; i < N; i++) {
        const int32_t t = p->targets[i];
        row_loss[i] = t == p->ignore_index ? 0.0f : -in[0].data[i * C + t];
    }
    cls_reduce(p, row_loss, N, out->data);
}

static void nll_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                    const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(out), UNUSED(ctx);
    const cls_attr *p = attr;
    float *gx = gin[0].data;
    if (!gx)
        return;
    const int64_t N = in[0].shape.dim[0], C = in[0].shape.dim[1], kept = count_kept(p, N);
    for (int64_t i = 0; i < N && kept; i++)
        if (p->targets[i] != p->ignore_index)
            gx[i * C + p->targets[i]] -= cls_scale(p, gout->data, i, kept);
}

// Checks every reduction at once: none + mean + sum/2 gives [N] with random weights per row.
// Targets repeat a class and ignore one row.
static const int32_t cls_test_targets[4] = {1, -100, 4, 1};

static rc_var ce_test_build(rc_graph *g, const rc_var *in) {
    UNUSED(g);
    const int32_t *t = cls_test_targets;
    rc_var all = rc_add(rc_cross_entropy(in[0], t, RC_REDUCE_NONE, -100),
                        rc_cross_entropy(in[0], t, RC_REDUCE_MEAN, -100));
    return rc_add(all, rc_scale(rc_cross_entropy(in[0], t, RC_REDUCE_SUM, -100), 0.5f));
}

static rc_var nll_test_build(rc_graph *g, const rc_var *in) {
    UNUSED(g);
    const int32_t *t = cls_test_targets;
    rc_var all =
        rc_add(rc_nll(in[0], t, RC_REDUCE_NONE, -100), rc_nll(in[0], t, RC_REDUCE_MEAN, -100));
    return rc_add(all, rc_scale(rc_nll(in[0], t, RC_REDUCE_SUM, -100), 0.5f));
}

const rc_op_def rc_op_cross_entropy = {
    .name = "cross_entropy",
    .dot_label = "cross entropy",
    .n_in = 1,
    .shape = ce_shape,
    .forward = ce_fwd,
    .backward = ce_bwd,
    .test = {.n_in = 1, .shape = {{2, {4, 5}}}, .lo = -3, .hi = 3, .build = ce_test_build},
};

const rc_op_def rc_op_nll = {
    .name = "nll",
    .dot_label = "nll",
    .n_in = 1,
    .shape = nll_shape,
    .forward = nll_fwd,
    .backward = nll_bwd,
    .test = {.n_in = 1, .shape = {{2, {4, 5}}}, .lo = -3, .hi = 0, .build = nll_test_build},
};

static rc_var cls_build(const rc_op_def *op, rc_var x, const int32_t *targets, rc_reduction red,
                        int32_t ignore_index) {
    if (!x.g) {
        rc_set_last_error(RC_ERR_ARG, "%s: x is RC_NONE or an uninitialised handle", op->name);
        return RC_NONE;
    }
    cls_attr attr = {NULL, (int32_t)red, ignore_index};
    // Copy N targets only when x is [N,C]: otherwise N is unknown and the shape rule reports x.
    const rc_shape s = rc_shape_of(x);
    if (targets && rc_ok(x) && s.ndim == 2)
        attr.targets = rc_graph_copy(x.g, targets, (size_t)s.dim[0] * sizeof *targets);
    return rc_apply(op, &x, 1, &attr, sizeof attr);
}

rc_var rc_cross_entropy(rc_var logits, const int32_t *targets, rc_reduction red,
                        int32_t ignore_index) {
    return cls_build(&rc_op_cross_entropy, logits, targets, red, ignore_index);
}

rc_var rc_nll(rc_var logp, const int32_t *targets, rc_reduction red, int32_t ignore_index) {
    return cls_build(&rc_op_nll, logp, targets, red, ignore_index);
}

// ---- elementwise losses: bce_with_logits and mse --------------------------------------------

typedef struct pair_attr {
    int32_t red;
} pair_attr;

static rc_status pair_shape(const rc_tensor *in, const pair_attr *p, const char *a, const char *b,
                            rc_shape *out, char *why, size_t len) {
    if (!rc_shape_eq(in[0].shape, in[1].shape)) {
        char sa[96], sb[96];
        return rc_shape_error(why, len, RC_ERR_SHAPE, "%s %s must have the shape of %s %s", b,
                              rc_shape_str(in[1].shape, sb, sizeof sb), a,
                              rc_shape_str(in[0].shape, sa, sizeof sa));
    }
    if (red_check(p->red, why, len) != RC_OK)
        return RC_ERR_ARG;
    *out = p->red == RC_REDUCE_NONE ? in[0].shape : RC_SCALAR_SHAPE;
    return RC_OK;
}

static rc_status bce_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                           char *why, size_t len) {
    UNUSED(n_in);
    return pair_shape(in, attr, "logits", "targets", out, why, len);
}

static rc_status mse_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                           char *why, size_t len) {
    UNUSED(n_in);
    return pair_shape(in, attr, "pred", "target", out, why, len);
}

static inline float bce_term(float x, float y) {
    return fmaxf(x, 0.0f) - x * y + log1pf(expf(-fabsf(x)));
}

static inline float mse_term(float p, float t) {
    return (p - t) * (p - t);
}

static inline float sigmoidf_stable(float x) {
    if (x >= 0)
        return 1.0f / (1.0f + expf(-x));
    const float e = expf(x);
    return e / (1.0f + e);
}

// Elementwise loss into y (none) or reduced into y[0]: blocks of a size that depends only on n
// are summed in parallel, then the block sums left to right, so the bits do not depend on the
// thread count.
static void pair_fwd(const rc_tensor *in, const pair_attr *p, bool bce, rc_tensor *out) {
    const float *a = in[0].data, *b = in[1].data;
    const int64_t n = in[0].n;
    if (p->red == RC_REDUCE_NONE) {
        float *y = out->data;
        RC_PARALLEL_FOR(
            n, for (int64_t i = 0; i < n;
                    i++) { y[i] = bce ? bce_term(a[i], b[i]) : mse_term(a[i], b[i]); });
        return;
    }
    int64_t block = (n + LOSS_BLOCKS - 1) / LOSS_BLOCKS;
    block = block < LOSS_MIN_BLOCK ? LOSS_MIN_BLOCK : block;
    const int64_t nb = (n + block - 1) / block;
    double part[LOSS_BLOCKS];
    RC_PARALLEL_FOR(
        n, for (int64_t k = 0; k < nb; k++) {
            const int64_t hi = (k + 1) * block < n ? (k + 1) * block : n;
            double s = 0;
            for (int64_t i = k * block; i < hi; i++)
                s += bce ? bce_term(a[i], b[i]) : mse_term(a[i], b[i]);
            part[k] = s;
        });
    double s = 0;
    for (int64_t k = 0; k < nb; k++)
        s += part[k];
    out->data[0] = p->red == RC_REDUCE_MEAN ? (float)(s / (double)n) : (float)s;
}

static void pair_bwd(const rc_tensor *in, const pair_attr *p, bool bce, const rc_tensor *gout,
                     rc_tensor *gin) {
    const float *a = in[0].data, *b = in[1].data, *g = gout->data;
    float *ga = gin[0].data, *gb = bce ? NULL : gin[1].data;
    const int64_t n = in[0].n;
    const bool none = p->red == RC_REDUCE_NONE;
    const float s0 = p->red == RC_REDUCE_MEAN ? (float)((double)g[0] / (double)n) : g[0];
    RC_PARALLEL_FOR(
        n, for (int64_t i = 0; i < n; i++) {
            const float s = none ? g[i] : s0;
            const float d = bce ? s * (sigmoidf_stable(a[i]) - b[i]) : 2.0f * s * (a[i] - b[i]);
            if (ga)
                ga[i] += d;
            if (gb)
                gb[i] -= d;
        });
}

static void bce_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                    rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    pair_fwd(in, attr, true, out);
}

static void bce_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                    const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(out), UNUSED(ctx);
    pair_bwd(in, attr, true, gout, gin);
}

static void mse_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                    rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    pair_fwd(in, attr, false, out);
}

static void mse_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                    const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(out), UNUSED(ctx);
    pair_bwd(in, attr, false, gout, gin);
}

// none + mean + sum/2 again; bce's targets are σ of the second leaf, so they lie in (0,1).
static rc_var bce_test_build(rc_graph *g, const rc_var *in) {
    UNUSED(g);
    rc_var y = rc_sigmoid(in[1]);
    rc_var all = rc_add(rc_bce_with_logits(in[0], y, RC_REDUCE_NONE),
                        rc_bce_with_logits(in[0], y, RC_REDUCE_MEAN));
    return rc_add(all, rc_scale(rc_bce_with_logits(in[0], y, RC_REDUCE_SUM), 0.5f));
}

static rc_var mse_test_build(rc_graph *g, const rc_var *in) {
    UNUSED(g);
    rc_var all = rc_add(rc_mse(in[0], in[1], RC_REDUCE_NONE), rc_mse(in[0], in[1], RC_REDUCE_MEAN));
    return rc_add(all, rc_scale(rc_mse(in[0], in[1], RC_REDUCE_SUM), 0.5f));
}

static const pair_attr pair_test_attr = {RC_REDUCE_NONE};

const rc_op_def rc_op_bce_with_logits = {
    .name = "bce_with_logits",
    .dot_label = "BCE with logits",
    .n_in = 2,
    .nondiff = 1u << 1,
    .shape = bce_shape,
    .forward = bce_fwd,
    .backward = bce_bwd,
    .test = {.n_in = 2,
             .shape = {{2, {3, 4}}, {2, {3, 4}}},
             .lo = -3,
             .hi = 3,
             .attr = &pair_test_attr,
             .attr_size = sizeof pair_test_attr,
             .build = bce_test_build},
};

const rc_op_def rc_op_mse = {
    .name = "mse",
    .dot_label = "MSE",
    .n_in = 2,
    .shape = mse_shape,
    .forward = mse_fwd,
    .backward = mse_bwd,
    .test = {.n_in = 2,
             .shape = {{2, {3, 4}}, {2, {3, 4}}},
             .lo = -2,
             .hi = 2,
             .attr = &pair_test_attr,
             .attr_size = sizeof pair_test_attr,
             .build = mse_test_build},
};

rc_var rc_bce_with_logits(rc_var logits, rc_var targets, rc_reduction red) {
    const rc_var in[2] = {logits, targets};
    const pair_attr attr = {(int32_t)red};
    return rc_apply(&rc_op_bce_with_logits, in, 2, &attr, sizeof attr);
}

rc_var rc_mse(rc_var pred, rc_var target, rc_reduction red) {
    const rc_var in[2] = {pred, target};
    const pair_attr attr = {(int32_t)red};
    return rc_apply(&rc_op_mse, in, 2, &attr, sizeof attr);
}
