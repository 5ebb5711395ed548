// SRU, the simple recurrent unit of Lei et al. 2018 ("Simple recurrent units for highly
// parallelizable recurrence", EMNLP; the version with the highway connection and the vector
// recurrence v*c in both gates, not the 2017 preprint's). Their W, W_f, W_r are the blocks of
// weight_ih; v_f, v_r are weight_cf, weight_cr:
//   x̃ = W x
//   f = σ(W_f x + v_f*c + b_f)
//   r = σ(W_r x + v_r*c + b_r)
//   c' = f*c + (1-f)*x̃
//   h' = r*act(c') + (1-r)*x_hw
// act is the identity (the paper) or tanh (use_tanh); x_hw = α x when I == H, else W_hw x (a
// fourth block of weight_ih, as the authors' code does for I != H); α = sqrt(1 + 2 exp(b0)) with
// b0 the initial b_r (highway_bias), or 1 with no_rescale (the authors' scaling correction).
// Everything but v*c depends on x alone, so the projection [x̃ | W_f x + b_f | W_r x + b_r | x_hw]
// runs for all steps at once and a step is elementwise.
// Parameters: weight_ih [3H,I] blocks [x̃|f|r] ([4H,I] blocks [x̃|f|r|hw] when I != H),
// weight_cf, weight_cr [H], bias_f, bias_r [H]. Init as the authors' code: weight_ih from
// U(-sqrt(3/I), sqrt(3/I)), its f and r blocks times sqrt(1/2) and its hw block times α; v from
// U(-sqrt(3/2), sqrt(3/2)); b_f = 0, b_r = highway_bias.
// State [h, c]: the step reads only c; h is carried so that runners report h_n. Output h'.
#include <math.h>

#include "cell_impl.h"

static rc_var project(const rc_cell_ctx *c, rc_var x) {
    const rc_sru_params *p = c->cell->params;
    const bool hw_block = c->cell->dim_in != c->cell->dim_hidden;
    rc_var b[4];
    rc_split(rc_matmul_nt(x, rc_cell_use(c, p->weight_ih)), 1, hw_block ? 4 : 3, b);
    b[1] = rc_add(b[1], rc_cell_use(c, p->bias_f));
    b[2] = rc_add(b[2], rc_cell_use(c, p->bias_r));
    if (!hw_block)
        b[3] = p->alpha == 1.0f ? x : rc_scale(x, p->alpha);
    return rc_concat(b, 4, 1);
}

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_sru_params *p = c->cell->params;
    rc_var a[4]; // x̃, f and r before v*c, x_hw
    rc_split(xp, 1, 4, a);
    rc_var f = rc_sigmoid(rc_add(a[1], rc_mul(prev[1], rc_cell_use(c, p->weight_cf))));
    rc_var r = rc_sigmoid(rc_add(a[2], rc_mul(prev[1], rc_cell_use(c, p->weight_cr))));
    next[1] = rc_lerp(f, prev[1], a[0]);
    next[0] = rc_lerp(r, p->use_tanh ? rc_tanh(next[1]) : next[1], a[3]);
    return next[0];
}

static void scale_rows(rc_param *w, int64_t from, int64_t to, float by) {
    rc_tensor v = rc_param_value(w);
    const int64_t cols = v.shape.dim[1];
    for (int64_t i = from * cols; i < to * cols; i++)
        v.data[i] *= by;
}

#define AT(field) RC_WEIGHT_AT(rc_sru_params, field)
static const rc_cell_layout layout = {
    .n_state = 2, .step = step, .project = project, .opts_name = "rc_sru_opts"};

// Draws in the authors' order, then scales W's f and r blocks (and hw) and sets b_r.
static rc_status add_params(rc_cell *cell, const rc_sru_opts *o, rc_params *ps, rc_rng *rng,
                            char *err, size_t err_len) {
    const int64_t H = o->dim_hidden;
    const float wb = sqrtf(3.0f / (float)cell->dim_in), vb = sqrtf(1.5f);
    const rc_weight_spec weights[] = {
        {AT(weight_ih), .rows = {.h = 3}, .cols = {.i = 1}, .start = RC_START_UNIFORM, .value = wb,
         .when = RC_WHEN_I_IS_H},
        {AT(weight_ih), .rows = {.h = 4}, .cols = {.i = 1}, .start = RC_START_UNIFORM, .value = wb,
         .when = RC_WHEN_I_NOT_H},
        {AT(weight_cf), .rows = {.h = 1}, .start = RC_START_UNIFORM, .value = vb},
        {AT(weight_cr), .rows = {.h = 1}, .start = RC_START_UNIFORM, .value = vb},
        {AT(bias_f), .rows = {.h = 1}, .start = RC_START_ZERO},
        {AT(bias_r), .rows = {.h = 1}, .start = RC_START_ZERO},
    };
    rc_status st = rc_cell_add_weights(cell, ps, rng, weights, 6, rc_cell_when(cell, &layout, o),
                                       err, err_len);
    if (st)
        return st;
    rc_sru_params *p = cell->params;
    scale_rows(p->weight_ih, H, 3 * H, sqrtf(0.5f));
    if (cell->dim_in != H)
        scale_rows(p->weight_ih, 3 * H, 4 * H, p->alpha);
    rc_tensor br = rc_param_value(p->bias_r);
    for (int64_t i = 0; i < br.n; i++)
        br.data[i] = o->highway_bias;
    return RC_OK;
}

static rc_status init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                      size_t err_len) {
    const rc_sru_opts *o = opts;
    if (rc_cell_check(cell, o && o->dim_hidden > 0 && isfinite(o->highway_bias), err, err_len,
                      "needs rc_sru_opts with dim_hidden > 0 and a finite highway_bias, got "
                      "dim_hidden %lld, highway_bias %g",
                      o ? (long long)o->dim_hidden : 0LL, o ? (double)o->highway_bias : 0.0) ||
        rc_cell_setup(cell, &layout, opts, err, err_len))
        return RC_ERR_ARG;
    rc_sru_params *p = cell->params;
    p->use_tanh = o->use_tanh;
    p->alpha = o->no_rescale ? 1.0f : (float)sqrt(1.0 + 2.0 * exp((double)o->highway_bias));
    return add_params(cell, o, ps, rng, err, err_len);
}

static rc_status forget_bias(rc_cell *cell, float value, char *err, size_t err_len) {
    return rc_cell_fill_bias_block(cell, "bias_f", 0, value, err, err_len);
}

RC_CELL_TYPE_WITH_INIT(rc_sru_cell_type, "sru", "SRU of Lei et al. 2018", rc_sru_params,
                       rc_sru_opts, init, layout, forget_bias);
