// Bags of embedding rows summed: PyTorch's EmbeddingBag(mode="sum") with offsets.
//   embedding_bag: y[b,:] = Σ_{i in bag b} T[ids[i],:];   dT[ids[i],:] += g[b,:] for i in bag b
// Bag b holds ids[offsets[b] .. offsets[b+1]) (offsets has n_bags + 1 entries, offsets[0] = 0,
// non-decreasing; an empty bag gives a zero row). No padding: the bag mean of a fastText model
// over words with different numbers of n-grams costs exactly its rows.
#include <string.h>

#include "ops_impl.h"

typedef struct bag_attr {
    const int32_t *ids;     // arena copies
    const int64_t *offsets; // [n_bags + 1]
    int64_t n_bags;
} bag_attr;

static rc_status bag_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                           char *why, size_t len) {
    UNUSED(n_in);
    const bag_attr *p = attr;
    if (!p || !p->ids || !p->offsets)
        return rc_shape_error(why, len, RC_ERR_ARG, "ids or offsets is NULL");
    const rc_shape *t = &in[0].shape;
    char st[96];
    rc_shape_str(*t, st, sizeof st);
    if (t->ndim != 2)
        return rc_shape_error(why, len, RC_ERR_SHAPE, "table %s must be [V,D]", st);
    if (p->n_bags < 1 || p->offsets[0] != 0)
        return rc_shape_error(why, len, RC_ERR_ARG,
                              "need at least one bag and offsets[0] == 0 (n_bags %lld)",
                              (long long)p->n_bags);
    for (int64_t b = 0; b < p->n_bags; b++)
        if (p->offsets[b + 1] < p->offsets[b])
            return rc_shape_error(why, len, RC_ERR_ARG, "offsets decrease at bag %lld",
                                  (long long)b);
    for (int64_t i = 0; i < p->offsets[p->n_bags]; i++)
        if (p->ids[i] < 0 || p->ids[i] >= t->dim[0])
            return rc_shape_error(why, len, RC_ERR_RANGE,
                                  "id %d at position %lld is out of range [0, V) for table %s",
                                  p->ids[i], (long long)i, st);
    *out = (rc_shape){2, {p->n_bags, t->dim[1]}};
    return RC_OK;
}

static void bag_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                    rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const bag_attr *p = attr;
    const int64_t D = in[0].shape.dim[1];
    const float *t = in[0].data;
    for (int64_t b = 0; b < p->n_bags; b++) {
        float *y = out->data + b * D;
        memset(y, 0, (size_t)D * sizeof *y);
        for (int64_t i = p->offsets[b]; i < p->offsets[b + 1]; i++) {
            const float *row = t + (int64_t)p->ids[i] * D;
            for (int64_t d = 0; d < D; d++)
                y[d] += row[d];
        }
    }
}

static void bag_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                    const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(out);
    const bag_attr *p = attr;
    float *gt = gin[0].data;
    if (!gt)
        return;
    const int64_t D = in[0].shape.dim[1];
    // Serial, in id order: repeated ids add up in the same order on every run.
    for (int64_t b = 0; b < p->n_bags; b++) {
        const float *g = gout->data + b * D;
        for (int64_t i = p->offsets[b]; i < p->offsets[b + 1]; i++) {
            float *row = gt + (int64_t)p->ids[i] * D;
            for (int64_t d = 0; d < D; d++)
                row[d] += g[d];
            if (ctx->touched_rows)
                ctx->touched_rows[p->ids[i]] = 1;
        }
    }
}

static rc_var bag_test_build(rc_graph *g, const rc_var *in) {
    UNUSED(g);
    static const int32_t ids[7] = {3, 0, 3, 1, 4, 4, 0}; // repeats; row 2 untouched
    static const int64_t offsets[5] = {0, 3, 3, 5, 7};   // bag 1 is empty
    return rc_embedding_bag(in[0], ids, offsets, 4);
}

const rc_op_def rc_op_embedding_bag = {
    .name = "embedding_bag",
    .dot_label = "Σ T[bag]",
    .n_in = 1,
    .flags = RC_OP_ROW_SPARSE,
    .shape = bag_shape,
    .forward = bag_fwd,
    .backward = bag_bwd,
    .test = {.n_in = 1, .shape = {{2, {5, 6}}}, .lo = -2, .hi = 2, .build = bag_test_build},
};

rc_var rc_embedding_bag(rc_var table, const int32_t *ids, const int64_t *offsets, int64_t n_bags) {
    bag_attr attr = {NULL, NULL, n_bags};
    if (table.g && rc_ok(table) && ids && offsets && n_bags >= 1 && offsets[n_bags] >= 0) {
        attr.offsets = rc_graph_copy(table.g, offsets, (size_t)(n_bags + 1) * sizeof(int64_t));
        attr.ids = rc_graph_copy(table.g, ids,
                                 (size_t)(offsets[n_bags] ? offsets[n_bags] : 1) * sizeof(int32_t));
    }
    return rc_apply(&rc_op_embedding_bag, &table, 1, &attr, sizeof attr);
}
