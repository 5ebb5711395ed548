// The Embedding layer, PyTorch's torch.nn.Embedding: N(0,1) init, padding row, max_norm.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "layers_impl.h"

rc_status rc_embedding_layer_init(rc_embedding_layer *l, rc_params *ps, const char *prefix,
                                  int64_t V, int64_t D, const rc_embedding_opts *opts,
                                  rc_rng *rng) {
    const char *fn = "rc_embedding_layer_init";
    if (!l || !ps || !rng)
        return rc_set_last_error(RC_ERR_ARG, "%s: %s is NULL", fn, !l ? "l" : !ps ? "ps" : "rng");
    memset(l, 0, sizeof *l);
    const rc_embedding_opts none = {false, 0, 0, 0};
    if (!opts)
        opts = &none;
    if (V <= 0 || D <= 0 || V > INT32_MAX)
        return rc_set_last_error(RC_ERR_SHAPE,
                                 "%s: V = %lld, D = %lld; want 0 < V <= 2^31-1, D > 0", fn,
                                 (long long)V, (long long)D);
    if (opts->has_padding && (opts->padding_idx < -V || opts->padding_idx >= V))
        return rc_set_last_error(RC_ERR_RANGE, "%s: padding_idx %lld is outside [-%lld, %lld)", fn,
                                 (long long)opts->padding_idx, (long long)V, (long long)V);
    if (!(opts->max_norm >= 0) || isinf(opts->max_norm) || !(opts->norm_type >= 0) ||
        isinf(opts->norm_type))
        return rc_set_last_error(RC_ERR_ARG,
                                 "%s: max_norm %g and norm_type %g must be finite and "
                                 ">= 0",
                                 fn, (double)opts->max_norm, (double)opts->norm_type);
    const char *leaf = "weight";
    const rc_shape shape = RC_SHAPE(V, D);
    rc_param *w = NULL;
    rc_status st = rc_layer_add_params(ps, prefix, 1, &leaf, &shape, &w);
    if (st != RC_OK)
        return st;
    st = rc_init_param(w, &(rc_init){.kind = RC_INIT_NORMAL, .a = 0, .b = 1}, rng);
    const int32_t pad = !opts->has_padding      ? -1
                        : opts->padding_idx < 0 ? (int32_t)(V + opts->padding_idx)
                                                : (int32_t)opts->padding_idx;
    if (pad >= 0)
        memset(rc_param_value(w).data + (int64_t)pad * D, 0, (size_t)D * sizeof(float));
    *l = (rc_embedding_layer){
        w, V, D, pad, opts->max_norm, opts->norm_type == 0 ? 2.0f : opts->norm_type};
    return st;
}

// PyTorch's embedding_renorm_: every distinct id's row with norm > max_norm is scaled by
// max_norm / (norm + 1e-7). Skipped when any id is out of range (the gather reports it).
static void renorm(const rc_embedding_layer *l, const int32_t *ids, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= l->num_embeddings)
            return;
    // A row seen twice must be scaled once; without memory for the marks, scaling again is
    // harmless (its norm is then below max_norm up to rounding).
    uint8_t *seen = calloc((size_t)l->num_embeddings, 1);
    float *table = rc_param_value(l->weight).data;
    const double p = l->norm_type;
    for (int64_t i = 0; i < n; i++) {
        if (seen && seen[ids[i]]++)
            continue;
        float *row = table + (int64_t)ids[i] * l->dim;
        double norm = 0;
        for (int64_t d = 0; d < l->dim; d++)
            norm += p == 2 ? (double)row[d] * row[d] : pow(fabs((double)row[d]), p);
        norm = p == 2 ? sqrt(norm) : pow(norm, 1.0 / p);
        if (norm > l->max_norm) {
            const float scale = (float)(l->max_norm / (norm + 1e-7));
            for (int64_t d = 0; d < l->dim; d++)
                row[d] *= scale;
        }
    }
    free(seen);
}

rc_var rc_embedding_layer_forward(const rc_embedding_layer *l, rc_graph *g, const int32_t *ids,
                                  rc_shape ids_shape) {
    if (!l || !g)
        return rc_layer_null(g, "rc_embedding_layer_forward", !l ? "l" : "g");
    rc_var table = rc_use(g, l->weight);
    bool shape_ok = ids && ids_shape.ndim >= 0 && ids_shape.ndim <= RC_MAX_DIMS;
    for (int i = 0; shape_ok && i < ids_shape.ndim; i++)
        shape_ok = ids_shape.dim[i] >= 0;
    if (l->max_norm > 0 && shape_ok && rc_graph_status(g) == RC_OK)
        renorm(l, ids, rc_shape_numel(ids_shape));
    return rc_embedding_pad(table, ids, ids_shape, l->padding_idx);
}
