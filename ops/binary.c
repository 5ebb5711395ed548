// Broadcasting binary ops (from binary_list.h) and lerp. Same-shape operands take a flat loop;
// anything else walks the output as rows of its last dim with per-input strides (0 along a
// broadcast dim). Backward writes the local gradient straight into a same-shape input, and goes
// through a scratch buffer and rc_reduce_to for a broadcast one.
#include <math.h>

#include "ops_impl.h"

static rc_status bcast_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                             char *why, size_t len) {
    UNUSED(attr);
    return rc_bcast_shape(in, n_in, out, why, len);
}

static bool all_same_shape(const rc_tensor *in, int n_in, const rc_tensor *out) {
    for (int k = 0; k < n_in; k++)
        if (in[k].n != out->n)
            return false;
    return true;
}

// Walks out[i] with a = A[ia], b = B[ib]; BODY sees i, a, b (and ia, ib).
#define BINARY_LOOP(in, out, BODY)                                                                 \
    do {                                                                                           \
        const float *A_ = (in)[0].data, *B_ = (in)[1].data;                                        \
        const int64_t n_ = (out)->n;                                                               \
        if (all_same_shape(in, 2, out)) {                                                          \
            RC_PARALLEL_FOR(                                                                       \
                n_, for (int64_t i = 0; i < n_; i++) {                                             \
                    const float a = A_[i], b = B_[i];                                              \
                    UNUSED(a), UNUSED(b);                                                          \
                    BODY;                                                                          \
                });                                                                                \
        } else {                                                                                   \
            rc_bcast bc_;                                                                          \
            rc_bcast_init(&bc_, in, 2, (out)->shape);                                              \
            const int64_t inner_ = bc_.inner, sa_ = bc_.stride[0][3], sb_ = bc_.stride[1][3];      \
            RC_PARALLEL_FOR_WORK(                                                                  \
                n_, for (int64_t r = 0; r < bc_.rows; r++) {                                       \
                    const float *ar_ = A_ + rc_bcast_row_offset(&bc_, 0, r);                       \
                    const float *br_ = B_ + rc_bcast_row_offset(&bc_, 1, r);                       \
                    for (int64_t j = 0; j < inner_; j++) {                                         \
                        const int64_t i = r * inner_ + j;                                          \
                        const float a = ar_[j * sa_], b = br_[j * sb_];                            \
                        UNUSED(a), UNUSED(b);                                                      \
                        BODY;                                                                      \
                    }                                                                              \
                });                                                                                \
        }                                                                                          \
    } while (0)

// Adds the local gradient LOCAL (an expression of a, b, g) into gin[k], reducing over broadcast
// dims when input k is smaller than the output.
#define BINARY_GRAD(in, out, gout, gin, k, ctx, LOCAL)                                             \
    do {                                                                                           \
        float *gk_ = (gin)[k].data;                                                                \
        if (!gk_)                                                                                  \
            break;                                                                                 \
        const float *G_ = (gout)->data;                                                            \
        const bool direct_ = (in)[k].n == (out)->n;                                                \
        float *dst_ = direct_ ? gk_ : rc_grad_scratch(ctx, (out)->n);                              \
        if (!dst_)                                                                                 \
            break;                                                                                 \
        if (direct_) {                                                                             \
            BINARY_LOOP(in, out, {                                                                 \
                const float g = G_[i];                                                             \
                dst_[i] += (LOCAL);                                                                \
            });                                                                                    \
        } else {                                                                                   \
            BINARY_LOOP(in, out, {                                                                 \
                const float g = G_[i];                                                             \
                dst_[i] = (LOCAL);                                                                 \
            });                                                                                    \
            rc_reduce_to(gk_, (in)[k].shape, dst_, (out)->shape);                                  \
        }                                                                                          \
    } while (0)

#define BINARY_DEFINE(NAME, LABEL, FWD, DA, DB, MIN_ABS)                                           \
    static void NAME##_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,        \
                           rc_opctx *ctx) {                                                        \
        UNUSED(n_in), UNUSED(attr), UNUSED(ctx);                                                   \
        float *y_ = out->data;                                                                     \
        BINARY_LOOP(in, out, y_[i] = (FWD));                                                       \
    }                                                                                              \
    static void NAME##_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,  \
                           const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {           \
        UNUSED(n_in), UNUSED(attr);                                                                \
        BINARY_GRAD(in, out, gout, gin, 0, ctx, DA);                                               \
        BINARY_GRAD(in, out, gout, gin, 1, ctx, DB);                                               \
    }                                                                                              \
    const rc_op_def rc_op_##NAME = {                                                               \
        .name = #NAME,                                                                             \
        .dot_label = LABEL,                                                                        \
        .n_in = 2,                                                                                 \
        .shape = bcast_shape,                                                                      \
        .forward = NAME##_fwd,                                                                     \
        .backward = NAME##_bwd,                                                                    \
        .test = {.n_in = 2,                                                                        \
                 .shape = {{3, {2, 3, 4}}, {2, {3, 1}}},                                           \
                 .lo = -2,                                                                         \
                 .hi = 2,                                                                          \
                 .min_abs = MIN_ABS},                                                              \
    };                                                                                             \
    rc_var rc_##NAME(rc_var a, rc_var b) {                                                         \
        const rc_var in[2] = {a, b};                                                               \
        return rc_apply(&rc_op_##NAME, in, 2, NULL, 0);                                            \
    }

RC_BINARY_OPS(BINARY_DEFINE)

// ---- lerp: y = t*a + (1-t)*b; dt = g*(a-b), da = g*t, db = g*(1-t) ---------------------------

// Walks out[i] with t, a, b read through three broadcast strides.
#define LERP_LOOP(in, out, BODY)                                                                   \
    do {                                                                                           \
        rc_bcast bc_;                                                                              \
        rc_bcast_init(&bc_, in, 3, (out)->shape);                                                  \
        const float *T_ = (in)[0].data, *A_ = (in)[1].data, *B_ = (in)[2].data;                    \
        const int64_t inner_ = bc_.inner;                                                          \
        const int64_t st_ = bc_.stride[0][3], sa_ = bc_.stride[1][3], sb_ = bc_.stride[2][3];      \
        RC_PARALLEL_FOR_WORK((out)->n, for (int64_t r = 0; r < bc_.rows; r++) {                    \
            const float *tr_ = T_ + rc_bcast_row_offset(&bc_, 0, r);                               \
            const float *ar_ = A_ + rc_bcast_row_offset(&bc_, 1, r);                               \
            const float *br_ = B_ + rc_bcast_row_offset(&bc_, 2, r);                               \
            for (int64_t j = 0; j < inner_; j++) {                                                 \
                const int64_t i = r * inner_ + j;                                                  \
                const float t = tr_[j * st_], a = ar_[j * sa_], b = br_[j * sb_];                  \
                UNUSED(t), UNUSED(a), UNUSED(b);                                                   \
                BODY;                                                                              \
            }                                                                                      \
        });                                                                                        \
    } while (0)

static void lerp_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                     rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr), UNUSED(ctx);
    float *y = out->data;
    LERP_LOOP(in, out, y[i] = t * a + (1.0f - t) * b);
}

#define LERP_GRAD(k, LOCAL)                                                                        \
    do {                                                                                           \
        float *gk = gin[k].data;                                                                   \
        if (!gk)                                                                                   \
            break;                                                                                 \
        const bool direct = in[k].n == out->n;                                                     \
        float *dst = direct ? gk : rc_grad_scratch(ctx, out->n);                                   \
        if (!dst)                                                                                  \
            break;                                                                                 \
        if (direct) {                                                                              \
            LERP_LOOP(in, out, dst[i] += G[i] * (LOCAL));                                          \
        } else {                                                                                   \
            LERP_LOOP(in, out, dst[i] = G[i] * (LOCAL));                                           \
            rc_reduce_to(gk, in[k].shape, dst, out->shape);                                        \
        }                                                                                          \
    } while (0)

static void lerp_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                     const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr);
    const float *G = gout->data;
    LERP_GRAD(0, a - b);
    LERP_GRAD(1, t);
    LERP_GRAD(2, 1.0f - t);
}

const rc_op_def rc_op_lerp = {
    .name = "lerp",
    .dot_label = "lerp",
    .n_in = 3,
    .shape = bcast_shape,
    .forward = lerp_fwd,
    .backward = lerp_bwd,
    .test = {.n_in = 3, .shape = {{2, {3, 4}}, {2, {3, 4}}, {1, {4}}}, .lo = -2, .hi = 2},
};

rc_var rc_lerp(rc_var t, rc_var a, rc_var b) {
    const rc_var in[3] = {t, a, b};
    return rc_apply(&rc_op_lerp, in, 3, NULL, 0);
}
