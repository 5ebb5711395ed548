// Elementwise unary ops. The list in unary_list.h holds each op's formula and derivative; this
// file turns every line into forward, backward, op definition and builder. Affine and power,
// which carry scalar attributes, follow by hand.
#include <math.h>

#include "cpu/vmath.h"
#include "ops_impl.h"

// Elements per call of an array kernel, and per unit of work handed to a thread. An element of
// an array kernel (exp, tanh or sigmoid in double) costs about eight plain elementwise ops.
#define UNARY_CHUNK 2048
#define KERNEL_WORK 8

static inline float sigmoid_libm(float x) {
    if (x >= 0)
        return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}

// log(1 + e^x) without overflow.
static inline float softplus_libm(float x) {
    return x > 0 ? x + log1pf(expf(-x)) : log1pf(expf(x));
}

static rc_status same_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                            char *why, size_t len) {
    UNUSED(n_in), UNUSED(attr), UNUSED(why), UNUSED(len);
    *out = in[0].shape;
    return RC_OK;
}

typedef void (*array_kernel)(const float *x, float *y, int64_t n);

// y = kernel(x) in chunks, which threads share; elementwise, so the split never shows.
static void run_array_kernel(array_kernel kernel, const float *xs, float *ys, int64_t n) {
    const int64_t chunks = (n + UNARY_CHUNK - 1) / UNARY_CHUNK;
    RC_PARALLEL_FOR_WORK(
        n * KERNEL_WORK, for (int64_t c = 0; c < chunks; c++) {
            const int64_t lo = c * UNARY_CHUNK, m = n - lo < UNARY_CHUNK ? n - lo : UNARY_CHUNK;
            kernel(xs + lo, ys + lo, m);
        });
}

#define UNARY_DEFINE(NAME, LABEL, FWD, BWD, LO, HI, MIN_ABS, KERNEL)                               \
    static void NAME##_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,        \
                           rc_opctx *ctx) {                                                        \
        UNUSED(n_in), UNUSED(attr), UNUSED(ctx);                                                   \
        const float *xs = in[0].data;                                                              \
        float *ys = out->data;                                                                     \
        const int64_t n = out->n;                                                                  \
        const array_kernel kernel = KERNEL;                                                        \
        if (kernel) {                                                                              \
            run_array_kernel(kernel, xs, ys, n);                                                   \
            return;                                                                                \
        }                                                                                          \
        RC_PARALLEL_FOR(                                                                           \
            n, for (int64_t i = 0; i < n; i++) {                                                   \
                const float x = xs[i];                                                             \
                ys[i] = (FWD);                                                                     \
            });                                                                                    \
    }                                                                                              \
    static void NAME##_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,  \
                           const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {           \
        UNUSED(n_in), UNUSED(attr), UNUSED(ctx);                                                   \
        float *gx = gin[0].data;                                                                   \
        if (!gx)                                                                                   \
            return;                                                                                \
        const float *xs = in[0].data, *ys = out->data, *gs = gout->data;                           \
        const int64_t n = out->n;                                                                  \
        RC_PARALLEL_FOR(                                                                           \
            n, for (int64_t i = 0; i < n; i++) {                                                   \
                const float x = xs[i], y = ys[i], g = gs[i];                                       \
                UNUSED(x), UNUSED(y);                                                              \
                gx[i] += (BWD);                                                                    \
            });                                                                                    \
    }                                                                                              \
    const rc_op_def rc_op_##NAME = {                                                               \
        .name = #NAME,                                                                             \
        .dot_label = LABEL,                                                                        \
        .n_in = 1,                                                                                 \
        .shape = same_shape,                                                                       \
        .forward = NAME##_fwd,                                                                     \
        .backward = NAME##_bwd,                                                                    \
        .test = {.n_in = 1, .shape = {{2, {3, 4}}}, .lo = LO, .hi = HI, .min_abs = MIN_ABS},       \
    };                                                                                             \
    rc_var rc_##NAME(rc_var x) {                                                                   \
        return rc_apply(&rc_op_##NAME, &x, 1, NULL, 0);                                            \
    }

RC_UNARY_OPS(UNARY_DEFINE)

// ---- affine: y = a*x + b; dx = a*g ---------------------------------------------------------

typedef struct affine_attr {
    float a, b;
} affine_attr;

static void affine_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                       rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const affine_attr *p = attr;
    const float a = p->a, b = p->b, *xs = in[0].data;
    float *ys = out->data;
    const int64_t n = out->n;
    RC_PARALLEL_FOR(n, for (int64_t i = 0; i < n; i++) ys[i] = a * xs[i] + b;);
}

static void affine_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                       const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(in), UNUSED(n_in), UNUSED(ctx);
    const float a = ((const affine_attr *)attr)->a, *gs = gout->data;
    float *gx = gin[0].data;
    const int64_t n = out->n;
    RC_PARALLEL_FOR(n, for (int64_t i = 0; i < n; i++) gx[i] += a * gs[i];);
}

static const affine_attr affine_test_attr = {-1.5f, 0.25f};

const rc_op_def rc_op_affine = {
    .name = "affine",
    .dot_label = "a·x+b",
    .n_in = 1,
    .shape = same_shape,
    .forward = affine_fwd,
    .backward = affine_bwd,
    .test = {.n_in = 1,
             .shape = {{2, {3, 4}}},
             .lo = -2,
             .hi = 2,
             .attr = &affine_test_attr,
             .attr_size = sizeof affine_test_attr},
};

rc_var rc_affine(rc_var x, float a, float b) {
    affine_attr attr = {a, b};
    return rc_apply(&rc_op_affine, &x, 1, &attr, sizeof attr);
}

rc_var rc_scale(rc_var x, float a) {
    return rc_affine(x, a, 0.0f);
}

rc_var rc_shift(rc_var x, float b) {
    return rc_affine(x, 1.0f, b);
}

// ---- pow: y = x^p; dx = p * x^(p-1) * g ------------------------------------------------------

typedef struct pow_attr {
    float p;
} pow_attr;

static rc_status pow_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                           char *why, size_t len) {
    UNUSED(n_in), UNUSED(len);
    float p = ((const pow_attr *)attr)->p;
    if (!isfinite(p))
        return rc_shape_error(why, len, RC_ERR_ARG, "exponent %g is not finite", (double)p);
    *out = in[0].shape;
    return RC_OK;
}

static void pow_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                    rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const float p = ((const pow_attr *)attr)->p, *xs = in[0].data;
    float *ys = out->data;
    const int64_t n = out->n;
    RC_PARALLEL_FOR(n, for (int64_t i = 0; i < n; i++) ys[i] = powf(xs[i], p););
}

static void pow_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                    const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const float p = ((const pow_attr *)attr)->p, *xs = in[0].data, *gs = gout->data;
    float *gx = gin[0].data;
    const int64_t n = out->n;
    RC_PARALLEL_FOR(
        n, for (int64_t i = 0; i < n;
                i++) { gx[i] += p == 0.0f ? 0.0f : gs[i] * p * powf(xs[i], p - 1.0f); });
}

static const pow_attr pow_test_attr = {2.5f};

const rc_op_def rc_op_pow = {
    .name = "pow",
    .dot_label = "x^p",
    .n_in = 1,
    .shape = pow_shape,
    .forward = pow_fwd,
    .backward = pow_bwd,
    .test = {.n_in = 1,
             .shape = {{2, {3, 4}}},
             .lo = 0.3f,
             .hi = 2.0f,
             .attr = &pow_test_attr,
             .attr_size = sizeof pow_test_attr},
};

rc_var rc_pow(rc_var x, float p) {
    pow_attr attr = {p};
    return rc_apply(&rc_op_pow, &x, 1, &attr, sizeof attr);
}
