// Indexing ops. Integer ids are copied into the graph's arena by the builder and checked by the
// shape rule, so an id out of range is a build-time RC_ERR_RANGE naming the id and its position.
//   embedding:    y[s, :] = T[ids[s], :];            dT[ids[s], :] += g[s, :] (not for padding_idx)
//   index_select: y[.., j, ..] = x[.., idx[j], ..];  dx[.., idx[j], ..] += g[.., j, ..]
//   where:        y = mask != 0 ? a : b;             da += g where mask != 0, db += g elsewhere
//   masked_fill:  y = mask != 0 ? value : x;         dx += g where mask == 0
// Scatter-adds with repeated ids stay deterministic: each destination row is owned by one task,
// which adds the ids' contributions in id order, so the sums never depend on the thread count.
#include <string.h>

#include "ops_impl.h"

// Row bands for the scatter-add: row r belongs to band r % SCATTER_BANDS (interleaved, so the
// frequent low ids of a Zipfian vocabulary spread over all bands).
#define SCATTER_BANDS 16
// The most ids or indices one op takes (the same bound as a leaf's dimension).
#define MAX_IDS ((int64_t)1 << 40)

// x seen as [outer, D, inner] around axis.
static void axis_view(rc_shape s, int axis, int64_t *outer, int64_t *inner) {
    *outer = 1;
    *inner = 1;
    for (int i = 0; i < axis; i++)
        *outer *= s.dim[i];
    for (int i = axis + 1; i < s.ndim; i++)
        *inner *= s.dim[i];
}

// y [outer, n, inner] = x [outer, D, inner] rows picked by idx[n].
static void gather_rows(float *y, const float *x, int64_t outer, int64_t D, int64_t inner,
                        const int32_t *idx, int64_t n) {
    RC_PARALLEL_FOR_WORK(
        outer * n * inner, for (int64_t r = 0; r < outer * n; r++) {
            const int64_t o = r / n, j = r % n;
            memcpy(y + r * inner, x + (o * D + idx[j]) * inner, (size_t)inner * sizeof(float));
        });
}

// gx [outer, D, inner] rows idx[j] += g [outer, n, inner] rows j, skipping idx[j] == skip.
static void scatter_add_rows(float *gx, const float *g, int64_t outer, int64_t D, int64_t inner,
                             const int32_t *idx, int64_t n, int32_t skip) {
    // Bands only pay when the team runs and outer alone gives too few tasks; any band count
    // gives the same sums.
    const int64_t work = outer * n * inner;
    int64_t bands = D < SCATTER_BANDS ? D : SCATTER_BANDS;
    if (work < RC_PAR_MIN || outer >= SCATTER_BANDS || rc_threads() == 1)
        bands = 1;
    RC_PARALLEL_FOR_WORK(
        work, for (int64_t t = 0; t < outer * bands; t++) {
            const int64_t o = t / bands, band = t % bands;
            for (int64_t j = 0; j < n; j++) {
                const int32_t id = idx[j];
                if (id == skip || id % bands != band)
                    continue;
                float *dst = gx + (o * D + id) * inner;
                const float *src = g + (o * n + j) * inner;
                for (int64_t i = 0; i < inner; i++)
                    dst[i] += src[i];
            }
        });
}

// The first entry of ids[n] outside [0, bound), or -1.
static int64_t first_out_of_range(const int32_t *ids, int64_t n, int64_t bound) {
    for (int64_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= bound)
            return i;
    return -1;
}

// ---- embedding -------------------------------------------------------------------------------

typedef struct emb_attr {
    const int32_t *ids; // arena copy of numel(ids_shape) ids; NULL when not copied
    rc_shape ids_shape;
    int32_t padding_idx; // -1: none
} emb_attr;

static bool ids_shape_valid(rc_shape s) {
    if (s.ndim < 0 || s.ndim > RC_MAX_DIMS - 1)
        return false;
    int64_t n = 1;
    for (int i = 0; i < s.ndim; i++) {
        if (s.dim[i] <= 0 || s.dim[i] > MAX_IDS / n)
            return false;
        n *= s.dim[i];
    }
    return true;
}

static rc_status emb_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                           char *why, size_t len) {
    UNUSED(n_in);
    const emb_attr *p = attr;
    const rc_shape t = in[0].shape;
    char st[96], si[96];
    rc_shape_str(t, st, sizeof st);
    rc_shape_str(p->ids_shape, si, sizeof si);
    if (t.ndim != 2)
        return rc_shape_error(why, len, RC_ERR_SHAPE, "table %s must be [V,D]", st);
    if (!ids_shape_valid(p->ids_shape))
        return rc_shape_error(why, len, RC_ERR_SHAPE,
                              "ids shape %s must have 0 to %d positive dimensions (ids + [D] "
                              "has at most %d) and at most 2^40 ids",
                              si, RC_MAX_DIMS - 1, RC_MAX_DIMS);
    if (!p->ids)
        return rc_shape_error(why, len, RC_ERR_ARG, "ids is NULL for ids shape %s", si);
    const int64_t V = t.dim[0];
    if (p->padding_idx != -1 && (p->padding_idx < 0 || p->padding_idx >= V))
        return rc_shape_error(why, len, RC_ERR_RANGE,
                              "padding_idx %d is out of range [0, V) for table %s (V = %lld); "
                              "-1 means none",
                              p->padding_idx, st, (long long)V);
    const int64_t n = rc_shape_numel(p->ids_shape);
    const int64_t bad = first_out_of_range(p->ids, n, V);
    if (bad >= 0)
        return rc_shape_error(why, len, RC_ERR_RANGE,
                              "id %d at position %lld of ids %s is out of range [0, V) for table "
                              "%s (V = %lld)",
                              p->ids[bad], (long long)bad, si, st, (long long)V);
    *out = p->ids_shape;
    out->dim[out->ndim++] = t.dim[1];
    return RC_OK;
}

static void emb_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                    rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const emb_attr *p = attr;
    const int64_t V = in[0].shape.dim[0], D = in[0].shape.dim[1];
    gather_rows(out->data, in[0].data, 1, V, D, p->ids, rc_shape_numel(p->ids_shape));
}

static void emb_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                    const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(out);
    const emb_attr *p = attr;
    if (!gin[0].data)
        return;
    const int64_t V = in[0].shape.dim[0], D = in[0].shape.dim[1];
    const int64_t n = rc_shape_numel(p->ids_shape);
    // padding_idx -1 never equals an id, so skipping it skips nothing.
    if (ctx->touched_rows)
        for (int64_t i = 0; i < n; i++)
            if (p->ids[i] != p->padding_idx)
                ctx->touched_rows[p->ids[i]] = 1;
    scatter_add_rows(gin[0].data, gout->data, 1, V, D, p->ids, n, p->padding_idx);
}

static rc_var emb_test_build(rc_graph *g, const rc_var *in) {
    UNUSED(g);
    static const int32_t ids[6] = {2, 0, 2, 4, 2, 0}; // repeated ids; row 1 and 3 untouched
    return rc_embedding(in[0], ids, RC_SHAPE(2, 3));
}

const rc_op_def rc_op_embedding = {
    .name = "embedding",
    .dot_label = "embedding",
    .n_in = 1,
    .flags = RC_OP_ROW_SPARSE,
    .shape = emb_shape,
    .forward = emb_fwd,
    .backward = emb_bwd,
    .test = {.n_in = 1, .shape = {{2, {5, 4}}}, .lo = -2, .hi = 2, .build = emb_test_build},
};

rc_var rc_embedding_pad(rc_var table, const int32_t *ids, rc_shape ids_shape, int32_t padding_idx) {
    RC_NEED_VAR(table, RC_NONE);
    emb_attr attr = {NULL, ids_shape, padding_idx};
    if (ids && rc_ok(table) && ids_shape_valid(ids_shape))
        attr.ids = rc_graph_copy(table.g, ids, (size_t)rc_shape_numel(ids_shape) * sizeof *ids);
    return rc_apply(&rc_op_embedding, &table, 1, &attr, sizeof attr);
}

rc_var rc_embedding(rc_var table, const int32_t *ids, rc_shape ids_shape) {
    return rc_embedding_pad(table, ids, ids_shape, -1);
}

// ---- index_select ---------------------------------------------------------------------------

typedef struct isel_attr {
    const int32_t *idx; // arena copy of n indices; NULL when not copied
    int64_t n;
    int32_t axis; // as given
} isel_attr;

static rc_status isel_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                            char *why, size_t len) {
    UNUSED(n_in);
    const isel_attr *p = attr;
    const rc_shape s = in[0].shape;
    char sx[96];
    rc_shape_str(s, sx, sizeof sx);
    const int axis = rc_norm_axis(p->axis, s.ndim);
    if (axis < 0)
        return rc_shape_error(why, len, RC_ERR_RANGE, "axis %d is out of range for x %s", p->axis,
                              sx);
    if (p->n < 1 || p->n > MAX_IDS)
        return rc_shape_error(why, len, RC_ERR_ARG, "n = %lld indices; need 1 to 2^40",
                              (long long)p->n);
    if (!p->idx)
        return rc_shape_error(why, len, RC_ERR_ARG, "idx is NULL (n = %lld)", (long long)p->n);
    const int64_t bad = first_out_of_range(p->idx, p->n, s.dim[axis]);
    if (bad >= 0)
        return rc_shape_error(why, len, RC_ERR_RANGE,
                              "index %d at position %lld is out of range [0, %lld) for axis %d "
                              "of x %s",
                              p->idx[bad], (long long)bad, (long long)s.dim[axis], p->axis, sx);
    *out = s;
    out->dim[axis] = p->n;
    return RC_OK;
}

static void isel_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                     rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const isel_attr *p = attr;
    const int axis = rc_norm_axis(p->axis, in[0].shape.ndim);
    int64_t outer, inner;
    axis_view(in[0].shape, axis, &outer, &inner);
    gather_rows(out->data, in[0].data, outer, in[0].shape.dim[axis], inner, p->idx, p->n);
}

static void isel_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                     const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(out), UNUSED(ctx);
    const isel_attr *p = attr;
    if (!gin[0].data)
        return;
    const int axis = rc_norm_axis(p->axis, in[0].shape.ndim);
    int64_t outer, inner;
    axis_view(in[0].shape, axis, &outer, &inner);
    scatter_add_rows(gin[0].data, gout->data, outer, in[0].shape.dim[axis], inner, p->idx, p->n,
                     -1);
}

static rc_var isel_test_build(rc_graph *g, const rc_var *in) {
    UNUSED(g);
    static const int32_t idx[5] = {3, 0, 3, 1, 3}; // repeats; index 2 never picked
    return rc_index_select(in[0], -2, idx, 5);
}

const rc_op_def rc_op_index_select = {
    .name = "index_select",
    .dot_label = "index_select",
    .n_in = 1,
    .shape = isel_shape,
    .forward = isel_fwd,
    .backward = isel_bwd,
    .test = {.n_in = 1, .shape = {{3, {3, 4, 2}}}, .lo = -2, .hi = 2, .build = isel_test_build},
};

rc_var rc_index_select(rc_var x, int axis, const int32_t *idx, int64_t n) {
    RC_NEED_VAR(x, RC_NONE);
    isel_attr attr = {NULL, n, axis};
    if (idx && n >= 1 && n <= MAX_IDS && rc_ok(x))
        attr.idx = rc_graph_copy(x.g, idx, (size_t)n * sizeof *idx);
    return rc_apply(&rc_op_index_select, &x, 1, &attr, sizeof attr);
}

// ---- where and masked_fill --------------------------------------------------------------------

typedef enum pick_mode {
    PICK_FORWARD,  // y = m ? a : b   (masked_fill: a is the fill value)
    PICK_WHEN_SET, // g where m != 0, else 0
    PICK_WHEN_ZERO // g where m == 0, else 0
} pick_mode;

typedef struct pick_src {
    const float *mask, *a, *b; // a or b NULL: the constant `fill`
    float fill;
} pick_src;

// Walks out (shape `shape`) with the operands read through broadcast strides: in[] holds the
// broadcast operands in the order mask, a, b (b absent for masked_fill, where it is x at slot 0).
static void pick_walk(const rc_tensor *ops, int n_ops, rc_shape shape, int64_t n,
                      const pick_src *src, const float *G, float *dst, pick_mode mode, bool add) {
    rc_bcast bc;
    rc_bcast_init(&bc, ops, n_ops, shape);
    const int64_t inner = bc.inner;
    RC_PARALLEL_FOR_WORK(
        n, for (int64_t r = 0; r < bc.rows; r++) {
            const float *mr = src->mask + rc_bcast_row_offset(&bc, 0, r);
            const float *ar = src->a ? src->a + rc_bcast_row_offset(&bc, 1, r) : NULL;
            const float *br = src->b ? src->b + rc_bcast_row_offset(&bc, n_ops - 1, r) : NULL;
            const int64_t sm = bc.stride[0][3], sa = bc.stride[1][3], sb = bc.stride[n_ops - 1][3];
            for (int64_t j = 0; j < inner; j++) {
                const int64_t i = r * inner + j;
                const bool m = mr[j * sm] != 0.0f;
                float v;
                if (mode == PICK_FORWARD)
                    v = m ? (ar ? ar[j * sa] : src->fill) : (br ? br[j * sb] : src->fill);
                else
                    v = m == (mode == PICK_WHEN_SET) ? G[i] : 0.0f;
                dst[i] = add ? dst[i] + v : v;
            }
        });
}

// gin[k] += the picked part of g, reduced over broadcast dims when input k is smaller.
static void pick_grad(const rc_tensor *ops, int n_ops, const rc_tensor *out, const float *G,
                      const pick_src *src, const rc_tensor *gk, pick_mode mode,
                      const rc_opctx *ctx) {
    if (!gk->data)
        return;
    if (gk->n == out->n) {
        pick_walk(ops, n_ops, out->shape, out->n, src, G, gk->data, mode, true);
        return;
    }
    float *scratch = rc_grad_scratch(ctx, out->n);
    if (!scratch)
        return;
    pick_walk(ops, n_ops, out->shape, out->n, src, G, scratch, mode, false);
    rc_reduce_to(gk->data, gk->shape, scratch, out->shape);
}

static rc_status where_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                             char *why, size_t len) {
    UNUSED(attr);
    return rc_bcast_shape(in, n_in, out, why, len);
}

static void where_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                      rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr), UNUSED(ctx);
    const pick_src src = {in[0].data, in[1].data, in[2].data, 0.0f};
    pick_walk(in, 3, out->shape, out->n, &src, NULL, out->data, PICK_FORWARD, false);
}

static void where_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                      const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr);
    const pick_src src = {in[0].data, in[1].data, in[2].data, 0.0f};
    pick_grad(in, 3, out, gout->data, &src, &gin[1], PICK_WHEN_SET, ctx);
    pick_grad(in, 3, out, gout->data, &src, &gin[2], PICK_WHEN_ZERO, ctx);
}

// A fixed 0/1 mask of in[0]'s shape, so both branches get gradient in the check.
static rc_var test_mask(rc_graph *g, rc_shape s) {
    rc_var m = rc_input(g, s, NULL);
    rc_tensor t = rc_value(m);
    for (int64_t i = 0; t.data && i < t.n; i++)
        t.data[i] = (i % 3 == 1) ? 0.0f : (i % 3 == 0 ? 1.0f : -2.0f);
    return m;
}

static rc_var where_test_build(rc_graph *g, const rc_var *in) {
    return rc_where(test_mask(g, rc_shape_of(in[0])), in[1], in[2]);
}

const rc_op_def rc_op_where = {
    .name = "where",
    .dot_label = "where",
    .n_in = 3,
    .nondiff = 1u << 0,
    .shape = where_shape,
    .forward = where_fwd,
    .backward = where_bwd,
    .test = {.n_in = 3,
             .shape = {{3, {2, 1, 4}}, {2, {3, 1}}, {2, {3, 4}}},
             .lo = -2,
             .hi = 2,
             .build = where_test_build},
};

rc_var rc_where(rc_var mask, rc_var a, rc_var b) {
    const rc_var in[3] = {mask, a, b};
    return rc_apply(&rc_op_where, in, 3, NULL, 0);
}

typedef struct fill_attr {
    float value;
} fill_attr;

static rc_status fill_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                            char *why, size_t len) {
    UNUSED(attr), UNUSED(n_in);
    rc_shape s;
    if (rc_bcast_shape(in, 2, &s, why, len) != RC_OK || !rc_shape_eq(s, in[0].shape)) {
        char sx[96], sm[96];
        return rc_shape_error(why, len, RC_ERR_SHAPE, "mask %s does not broadcast to x %s",
                              rc_shape_str(in[1].shape, sm, sizeof sm),
                              rc_shape_str(in[0].shape, sx, sizeof sx));
    }
    *out = in[0].shape;
    return RC_OK;
}

// masked_fill's operands for the walker: the mask at slot 0 and x at slot 1.
static void fill_operands(const rc_tensor *in, rc_tensor ops[2]) {
    ops[0] = in[1];
    ops[1] = in[0];
}

static void fill_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                     rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    rc_tensor ops[2];
    fill_operands(in, ops);
    const pick_src src = {in[1].data, NULL, in[0].data, ((const fill_attr *)attr)->value};
    pick_walk(ops, 2, out->shape, out->n, &src, NULL, out->data, PICK_FORWARD, false);
}

static void fill_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                     const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr);
    rc_tensor ops[2];
    fill_operands(in, ops);
    const pick_src src = {in[1].data, NULL, in[0].data, 0.0f};
    pick_grad(ops, 2, out, gout->data, &src, &gin[0], PICK_WHEN_ZERO, ctx);
}

static const fill_attr fill_test_attr = {-7.5f};

static rc_var fill_test_build(rc_graph *g, const rc_var *in) {
    return rc_masked_fill(in[0], test_mask(g, rc_shape_of(in[1])), fill_test_attr.value);
}

const rc_op_def rc_op_masked_fill = {
    .name = "masked_fill",
    .dot_label = "masked_fill",
    .n_in = 2,
    .nondiff = 1u << 1,
    .shape = fill_shape,
    .forward = fill_fwd,
    .backward = fill_bwd,
    .test = {.n_in = 2,
             .shape = {{3, {2, 3, 4}}, {2, {3, 1}}},
             .lo = -2,
             .hi = 2,
             .attr = &fill_test_attr,
             .attr_size = sizeof fill_test_attr,
             .build = fill_test_build},
};

rc_var rc_masked_fill(rc_var x, rc_var mask, float value) {
    const rc_var in[2] = {x, mask};
    const fill_attr attr = {value};
    return rc_apply(&rc_op_masked_fill, in, 2, &attr, sizeof attr);
}
