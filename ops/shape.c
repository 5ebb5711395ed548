// Shape ops. Every one copies (slices copy, by design); the gradient of a copy is the same copy
// run backwards, added into the input's gradient. Axes may be negative (counted from the end);
// shape rules and kernels normalise them from the input's rank, so messages show the axis given.
//   reshape:   y = x with a new shape (one dim may be -1);  dx += g with x's shape
//   slice:     y = x[.., start:end, ..] along axis;         dx[.., start:end, ..] += g
//   concat:    y = [x0 | x1 | ..] along axis;                dxk += k-th block of g along axis
//   stack:     y[.., k, ..] = xk on a new axis;              dxk += g[.., k, ..]
//   transpose: y = xᵀ for x [M,N];                           dx += gᵀ
// rc_split is a builder of n slices, not an op of its own.
#include <stdint.h>
#include <string.h>

#include "ops_impl.h"

// x seen as [outer, D, inner] around axis.
static void axis_view(rc_shape s, int axis, int64_t *outer, int64_t *inner) {
    *outer = 1;
    *inner = 1;
    for (int i = 0; i < axis; i++)
        *outer *= s.dim[i];
    for (int i = axis + 1; i < s.ndim; i++)
        *inner *= s.dim[i];
}

static rc_status axis_error(char *why, size_t len, int axis, const char *arg, rc_shape s) {
    char sb[96];
    return rc_shape_error(why, len, RC_ERR_RANGE, "axis %d is out of range for %s %s", axis, arg,
                          rc_shape_str(s, sb, sizeof sb));
}

// outer blocks of len floats: dst[o*dst_stride + j] (+)= src[o*src_stride + j].
static void copy_blocks(float *dst, int64_t dst_stride, const float *src, int64_t src_stride,
                        int64_t outer, int64_t len, bool add) {
    RC_PARALLEL_FOR_WORK(
        outer * len, for (int64_t o = 0; o < outer; o++) {
            float *d = dst + o * dst_stride;
            const float *s = src + o * src_stride;
            if (add) {
                for (int64_t j = 0; j < len; j++)
                    d[j] += s[j];
            } else {
                memcpy(d, s, (size_t)len * sizeof(float));
            }
        });
}

// ---- reshape ------------------------------------------------------------------------------------

typedef struct reshape_attr {
    rc_shape shape; // as given, possibly with one -1
} reshape_attr;

static rc_status reshape_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                               char *why, size_t len) {
    UNUSED(n_in);
    const rc_shape want = ((const reshape_attr *)attr)->shape;
    const int64_t n = in[0].n;
    char sx[96], sw[96];
    rc_shape_str(in[0].shape, sx, sizeof sx);
    if (want.ndim < 0 || want.ndim > RC_MAX_DIMS)
        return rc_shape_error(why, len, RC_ERR_SHAPE, "target shape has %d dims; 0 to %d allowed",
                              (int)want.ndim, RC_MAX_DIMS);
    rc_shape_str(want, sw, sizeof sw);
    int infer = -1;
    int64_t known = 1;
    bool too_big = false;
    for (int i = 0; i < want.ndim; i++) {
        int64_t d = want.dim[i];
        if (d == -1 && infer < 0) {
            infer = i;
        } else if (d == -1) {
            return rc_shape_error(why, len, RC_ERR_SHAPE,
                                  "target shape %s has more than one -1 for x %s", sw, sx);
        } else if (d <= 0) {
            return rc_shape_error(why, len, RC_ERR_SHAPE,
                                  "target shape %s has dimension %lld at %d; dimensions must be "
                                  "positive (or one -1)",
                                  sw, (long long)d, i);
        } else if (known > INT64_MAX / d) { // the product would overflow: surely not n
            too_big = true;
        } else {
            known *= d;
        }
    }
    if (!too_big && infer >= 0 && n % known == 0) {
        *out = want;
        out->dim[infer] = n / known;
        return RC_OK;
    }
    if (!too_big && infer < 0 && known == n) {
        *out = want;
        return RC_OK;
    }
    char count[64];
    if (too_big)
        snprintf(count, sizeof count, "more than %lld", (long long)n);
    else
        snprintf(count, sizeof count, "%lld", (long long)known);
    if (infer >= 0)
        return rc_shape_error(why, len, RC_ERR_SHAPE,
                              "x %s (%lld elements) cannot be reshaped to %s: %lld is not a "
                              "multiple of the other dimensions' product (%s)",
                              sx, (long long)n, sw, (long long)n, count);
    return rc_shape_error(why, len, RC_ERR_SHAPE,
                          "x %s (%lld elements) cannot be reshaped to %s (%s elements)", sx,
                          (long long)n, sw, count);
}

static void reshape_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                        rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr), UNUSED(ctx);
    memcpy(out->data, in[0].data, (size_t)out->n * sizeof(float));
}

static void reshape_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                        const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(in), UNUSED(n_in), UNUSED(attr), UNUSED(ctx);
    if (gin[0].data)
        copy_blocks(gin[0].data, 0, gout->data, 0, 1, out->n, true);
}

static const reshape_attr reshape_test_attr = {{2, {4, -1}}};

const rc_op_def rc_op_reshape = {
    .name = "reshape",
    .dot_label = "reshape",
    .n_in = 1,
    .shape = reshape_shape,
    .forward = reshape_fwd,
    .backward = reshape_bwd,
    .test = {.n_in = 1,
             .shape = {{3, {2, 3, 4}}},
             .lo = -2,
             .hi = 2,
             .attr = &reshape_test_attr,
             .attr_size = sizeof reshape_test_attr},
};

rc_var rc_reshape(rc_var x, rc_shape shape) {
    reshape_attr attr = {shape};
    return rc_apply(&rc_op_reshape, &x, 1, &attr, sizeof attr);
}

// ---- slice -------------------------------------------------------------------------------------

typedef struct slice_attr {
    int32_t axis;
    int64_t start, end; // as given; negative counts from the end
} slice_attr;

// The normalised axis and [start, end); false when they do not describe a non-empty range.
static bool slice_bounds(const slice_attr *p, rc_shape s, int *axis, int64_t *start, int64_t *end) {
    *axis = rc_norm_axis(p->axis, s.ndim);
    *start = *end = 0;
    if (*axis < 0)
        return false;
    const int64_t D = s.dim[*axis];
    *start = p->start < 0 ? p->start + D : p->start;
    *end = p->end < 0 ? p->end + D : p->end;
    return *start >= 0 && *start < *end && *end <= D;
}

static rc_status slice_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                             char *why, size_t len) {
    UNUSED(n_in);
    const slice_attr *p = attr;
    const rc_shape s = in[0].shape;
    int axis;
    int64_t start, end;
    if (rc_norm_axis(p->axis, s.ndim) < 0)
        return axis_error(why, len, p->axis, "x", s);
    if (!slice_bounds(p, s, &axis, &start, &end)) {
        char sb[96];
        return rc_shape_error(why, len, RC_ERR_RANGE,
                              "[start, end) = [%lld, %lld) is not a non-empty range inside axis "
                              "%d (size %lld) of x %s",
                              (long long)p->start, (long long)p->end, p->axis,
                              (long long)s.dim[axis], rc_shape_str(s, sb, sizeof sb));
    }
    *out = s;
    out->dim[axis] = end - start;
    return RC_OK;
}

static void slice_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                      rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    int axis;
    int64_t start, end, outer, inner;
    slice_bounds(attr, in[0].shape, &axis, &start, &end);
    axis_view(in[0].shape, axis, &outer, &inner);
    const int64_t D = in[0].shape.dim[axis], L = end - start;
    copy_blocks(out->data, L * inner, in[0].data + start * inner, D * inner, outer, L * inner,
                false);
}

static void slice_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                      const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(out), UNUSED(ctx);
    if (!gin[0].data)
        return;
    int axis;
    int64_t start, end, outer, inner;
    slice_bounds(attr, in[0].shape, &axis, &start, &end);
    axis_view(in[0].shape, axis, &outer, &inner);
    const int64_t D = in[0].shape.dim[axis], L = end - start;
    copy_blocks(gin[0].data + start * inner, D * inner, gout->data, L * inner, outer, L * inner,
                true);
}

static const slice_attr slice_test_attr = {-2, 1, -1};

const rc_op_def rc_op_slice = {
    .name = "slice",
    .dot_label = "slice",
    .n_in = 1,
    .shape = slice_shape,
    .forward = slice_fwd,
    .backward = slice_bwd,
    .test = {.n_in = 1,
             .shape = {{3, {3, 5, 2}}},
             .lo = -2,
             .hi = 2,
             .attr = &slice_test_attr,
             .attr_size = sizeof slice_test_attr},
};

rc_var rc_slice(rc_var x, int axis, int64_t start, int64_t end) {
    slice_attr attr = {axis, start, end};
    return rc_apply(&rc_op_slice, &x, 1, &attr, sizeof attr);
}

// ---- concat and stack ----------------------------------------------------------------------
// Both write the inputs as consecutive blocks of y seen as [outer, Σ Dk, inner]; stack is concat
// with Dk = 1 on a new axis.

typedef struct cat_attr {
    int32_t axis; // as given
} cat_attr;

static rc_status concat_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                              char *why, size_t len) {
    const int given = ((const cat_attr *)attr)->axis;
    const rc_shape s0 = in[0].shape;
    const int axis = rc_norm_axis(given, s0.ndim);
    if (axis < 0)
        return axis_error(why, len, given, "input 0", s0);
    *out = s0;
    for (int k = 1; k < n_in; k++) {
        const rc_shape sk = in[k].shape;
        bool fits = sk.ndim == s0.ndim;
        for (int i = 0; fits && i < s0.ndim; i++)
            fits = i == axis || sk.dim[i] == s0.dim[i];
        if (!fits) {
            char a[96], b[96];
            return rc_shape_error(
                why, len, RC_ERR_SHAPE, "input %d %s does not match input 0 %s outside axis %d", k,
                rc_shape_str(sk, a, sizeof a), rc_shape_str(s0, b, sizeof b), given);
        }
        out->dim[axis] += sk.dim[axis];
    }
    return RC_OK;
}

static rc_status stack_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                             char *why, size_t len) {
    const int given = ((const cat_attr *)attr)->axis;
    const rc_shape s0 = in[0].shape;
    char a[96], b[96];
    if (s0.ndim + 1 > RC_MAX_DIMS)
        return rc_shape_error(why, len, RC_ERR_SHAPE,
                              "stacking inputs %s would give %d dims, more than %d",
                              rc_shape_str(s0, a, sizeof a), (int)s0.ndim + 1, RC_MAX_DIMS);
    const int axis = rc_norm_axis(given, s0.ndim + 1);
    if (axis < 0)
        return rc_shape_error(why, len, RC_ERR_RANGE,
                              "axis %d is out of range for stacking inputs %s (new axis in "
                              "[%d, %d])",
                              given, rc_shape_str(s0, a, sizeof a), -(int)s0.ndim - 1,
                              (int)s0.ndim);
    for (int k = 1; k < n_in; k++)
        if (!rc_shape_eq(in[k].shape, s0))
            return rc_shape_error(why, len, RC_ERR_SHAPE, "input %d %s differs from input 0 %s", k,
                                  rc_shape_str(in[k].shape, a, sizeof a),
                                  rc_shape_str(s0, b, sizeof b));
    out->ndim = s0.ndim + 1;
    for (int i = 0, j = 0; i < out->ndim; i++)
        out->dim[i] = i == axis ? n_in : s0.dim[j++];
    return RC_OK;
}

// The [outer, Dk, inner] view of input k along the (normalised) output axis.
static void cat_view(const rc_tensor *in, int k, int axis, bool stack, int64_t *outer, int64_t *Dk,
                     int64_t *inner) {
    if (stack) { // the new axis sits before input dim `axis`
        *outer = 1;
        for (int i = 0; i < axis; i++)
            *outer *= in[k].shape.dim[i];
        *Dk = 1;
        *inner = in[k].n / *outer;
        return;
    }
    axis_view(in[k].shape, axis, outer, inner);
    *Dk = in[k].shape.dim[axis];
}

static int cat_axis(const rc_tensor *in, const void *attr, bool stack) {
    return rc_norm_axis(((const cat_attr *)attr)->axis, in[0].shape.ndim + (stack ? 1 : 0));
}

// forward: y blocks = inputs; backward: gin[k] += blocks of g.
static void cat_run(const rc_tensor *in, int n_in, int axis, bool stack, float *y,
                    const rc_tensor *gin) {
    int64_t total = 0, off = 0, outer, Dk, inner;
    for (int k = 0; k < n_in; k++) {
        cat_view(in, k, axis, stack, &outer, &Dk, &inner);
        total += Dk;
    }
    for (int k = 0; k < n_in; k++) {
        cat_view(in, k, axis, stack, &outer, &Dk, &inner);
        if (!gin)
            copy_blocks(y + off * inner, total * inner, in[k].data, Dk * inner, outer, Dk * inner,
                        false);
        else if (gin[k].data)
            copy_blocks(gin[k].data, Dk * inner, y + off * inner, total * inner, outer, Dk * inner,
                        true);
        off += Dk;
    }
}

static void concat_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                       rc_opctx *ctx) {
    UNUSED(ctx);
    cat_run(in, n_in, cat_axis(in, attr, false), false, out->data, NULL);
}

static void concat_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                       const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(out), UNUSED(ctx);
    cat_run(in, n_in, cat_axis(in, attr, false), false, gout->data, gin);
}

static void stack_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                      rc_opctx *ctx) {
    UNUSED(ctx);
    cat_run(in, n_in, cat_axis(in, attr, true), true, out->data, NULL);
}

static void stack_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                      const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(out), UNUSED(ctx);
    cat_run(in, n_in, cat_axis(in, attr, true), true, gout->data, gin);
}

static const cat_attr concat_test_attr = {-1}, stack_test_attr = {1};

const rc_op_def rc_op_concat = {
    .name = "concat",
    .dot_label = "concat",
    .n_in = -1,
    .shape = concat_shape,
    .forward = concat_fwd,
    .backward = concat_bwd,
    .test = {.n_in = 3,
             .shape = {{2, {2, 3}}, {2, {2, 1}}, {2, {2, 2}}},
             .lo = -2,
             .hi = 2,
             .attr = &concat_test_attr,
             .attr_size = sizeof concat_test_attr},
};

const rc_op_def rc_op_stack = {
    .name = "stack",
    .dot_label = "stack",
    .n_in = -1,
    .shape = stack_shape,
    .forward = stack_fwd,
    .backward = stack_bwd,
    .test = {.n_in = 3,
             .shape = {{2, {2, 3}}, {2, {2, 3}}, {2, {2, 3}}},
             .lo = -2,
             .hi = 2,
             .attr = &stack_test_attr,
             .attr_size = sizeof stack_test_attr},
};

rc_var rc_concat(const rc_var *xs, int n, int axis) {
    cat_attr attr = {axis};
    return rc_apply(&rc_op_concat, xs, n, &attr, sizeof attr);
}

rc_var rc_stack(const rc_var *xs, int n, int axis) {
    cat_attr attr = {axis};
    return rc_apply(&rc_op_stack, xs, n, &attr, sizeof attr);
}

// ---- split: n equal slices -------------------------------------------------------------------

void rc_split(rc_var x, int axis, int n, rc_var *out) {
    RC_NEED(out, );
    for (int i = 0; i < n; i++)
        out[i] = RC_NONE;
    RC_NEED_VAR(x, );
    rc_graph *g = x.g;
    for (int i = 0; i < n; i++)
        out[i] = rc_graph_poison(g);
    if (!rc_graph_check_var(g, x, "split", 0) || g->status != RC_OK)
        return;
    const rc_shape s = rc_shape_of(x);
    char sb[96];
    rc_shape_str(s, sb, sizeof sb);
    const int a = rc_norm_axis(axis, s.ndim);
    if (n < 1) {
        rc_graph_fail(g, RC_ERR_ARG, "split", -1, "n = %d chunks for x %s; need at least 1", n, sb);
        return;
    }
    if (a < 0) {
        rc_graph_fail(g, RC_ERR_RANGE, "split", -1, "axis %d is out of range for x %s", axis, sb);
        return;
    }
    if (s.dim[a] % n != 0) {
        rc_graph_fail(g, RC_ERR_SHAPE, "split", -1,
                      "axis %d of x %s has size %lld, which does not split into %d equal chunks",
                      axis, sb, (long long)s.dim[a], n);
        return;
    }
    const int64_t c = s.dim[a] / n;
    for (int i = 0; i < n; i++)
        out[i] = rc_slice(x, a, i * c, (i + 1) * c);
}

// ---- transpose -----------------------------------------------------------------------------

#define TRANSPOSE_TILE 32

// dst [cols,rows] (+)= src [rows,cols]ᵀ, in tiles so both sides stay in cache.
static void transpose_into(float *dst, const float *src, int64_t rows, int64_t cols, bool add) {
    const int64_t tiles = (rows + TRANSPOSE_TILE - 1) / TRANSPOSE_TILE;
    RC_PARALLEL_FOR_WORK(
        rows * cols, for (int64_t t = 0; t < tiles; t++) {
            const int64_t r0 = t * TRANSPOSE_TILE;
            const int64_t r1 = r0 + TRANSPOSE_TILE < rows ? r0 + TRANSPOSE_TILE : rows;
            for (int64_t c0 = 0; c0 < cols; c0 += TRANSPOSE_TILE) {
                const int64_t c1 = c0 + TRANSPOSE_TILE < cols ? c0 + TRANSPOSE_TILE : cols;
                for (int64_t c = c0; c < c1; c++)
                    for (int64_t r = r0; r < r1; r++)
                        dst[c * rows + r] = (add ? dst[c * rows + r] : 0.0f) + src[r * cols + c];
            }
        });
}

static rc_status transpose_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                                 char *why, size_t len) {
    UNUSED(n_in), UNUSED(attr);
    const rc_shape s = in[0].shape;
    if (s.ndim != 2) {
        char sb[96];
        return rc_shape_error(why, len, RC_ERR_SHAPE, "x %s must be 2-D [M,N]",
                              rc_shape_str(s, sb, sizeof sb));
    }
    *out = (rc_shape){2, {s.dim[1], s.dim[0]}};
    return RC_OK;
}

static void transpose_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                          rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr), UNUSED(ctx);
    transpose_into(out->data, in[0].data, in[0].shape.dim[0], in[0].shape.dim[1], false);
}

static void transpose_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                          const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(in), UNUSED(n_in), UNUSED(attr), UNUSED(ctx);
    if (gin[0].data)
        transpose_into(gin[0].data, gout->data, out->shape.dim[0], out->shape.dim[1], true);
}

const rc_op_def rc_op_transpose = {
    .name = "transpose",
    .dot_label = "xᵀ",
    .n_in = 1,
    .shape = transpose_shape,
    .forward = transpose_fwd,
    .backward = transpose_bwd,
    .test = {.n_in = 1, .shape = {{2, {3, 5}}}, .lo = -2, .hi = 2},
};

rc_var rc_transpose(rc_var x) {
    return rc_apply(&rc_op_transpose, &x, 1, NULL, 0);
}
