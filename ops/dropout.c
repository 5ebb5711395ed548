// Inverted dropout. The randomness lives in the builder: the mask is a leaf drawn from the
// caller's rc_rng, one uniform per entry in order, so a seed gives the same mask on any machine
// and with any thread count, and replaying the tape reuses the mask instead of drawing again.
//   mask: m = 0 with probability p, 1/(1-p) otherwise (no gradient)
//   dropout: y = x m (rc_mul);  dx = g m
#include "ops_impl.h"

static bool dropout_args_ok(rc_graph *g, const char *who, float p, const rc_rng *rng) {
    if (!(p >= 0.0f && p < 1.0f)) { // also rejects NaN
        rc_graph_fail(g, RC_ERR_RANGE, who, -1, "p = %g is outside [0, 1)", (double)p);
        return false;
    }
    if (p > 0.0f && !rng) {
        rc_graph_fail(g, RC_ERR_ARG, who, -1, "rng is NULL for p = %g", (double)p);
        return false;
    }
    return true;
}

static bool shape_ok(rc_graph *g, const char *who, rc_shape s) {
    bool ok = s.ndim >= 0 && s.ndim <= RC_MAX_DIMS;
    for (int i = 0; ok && i < s.ndim; i++)
        ok = s.dim[i] > 0 && s.dim[i] <= RC_MAX_NUMEL;
    char sb[96];
    if (!ok)
        rc_graph_fail(g, RC_ERR_SHAPE, who, -1,
                      "shape %s must have 0 to %d dimensions, each in [1, 2^40]",
                      rc_shape_str(s, sb, sizeof sb), RC_MAX_DIMS);
    else if (!rc_shape_size_ok(s)) // [2^31,2^31]: each dim fits, the byte size does not
        rc_graph_fail(g, RC_ERR_SHAPE, who, -1, "shape %s has more than 2^40 entries",
                      rc_shape_str(s, sb, sizeof sb));
    return ok && rc_shape_size_ok(s);
}

// The mask without argument checks: all ones for p == 0 (and no draws).
static rc_var draw_mask(rc_graph *g, rc_shape shape, float p, rc_rng *rng) {
    rc_var m = rc_input(g, shape, NULL);
    rc_tensor t = rc_value(m);
    if (!t.data)
        return m;
    const float keep = 1.0f / (1.0f - p);
    for (int64_t i = 0; i < t.n; i++)
        t.data[i] = p > 0.0f && rc_rng_uniform(rng) < (double)p ? 0.0f : keep;
    return rc_name(m, "dropout mask");
}

rc_var rc_dropout_mask(rc_graph *g, rc_shape shape, float p, rc_rng *rng) {
    RC_NEED(g, RC_NONE);
    if (g->status != RC_OK || !dropout_args_ok(g, "dropout_mask", p, rng) ||
        !shape_ok(g, "dropout_mask", shape))
        return rc_graph_poison(g);
    return draw_mask(g, shape, p, rng);
}

rc_var rc_dropout(rc_var x, float p, rc_rng *rng, rc_var *mask_out) {
    if (mask_out)
        *mask_out = RC_NONE;
    RC_NEED_VAR(x, RC_NONE);
    rc_graph *g = x.g;
    if (mask_out)
        *mask_out = rc_graph_poison(g);
    if (!rc_graph_check_var(g, x, "dropout", 0) || g->status != RC_OK ||
        !dropout_args_ok(g, "dropout", p, rng))
        return rc_graph_poison(g);
    if (p == 0.0f && !mask_out)
        return x;
    rc_var m = draw_mask(g, rc_shape_of(x), p, rng);
    if (mask_out)
        *mask_out = m;
    return p == 0.0f ? x : rc_mul(x, m);
}
