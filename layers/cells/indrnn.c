// IndRNN of Li et al. 2018 ("Independently recurrent neural network"): every unit has one
// recurrent weight of its own, so units interact only through the layers above.
//   h' = act(W x + u*h + b),   act = relu (default) or tanh
// With recurrent_max > 0 the step reads clamp(u, -recurrent_max, recurrent_max) instead of u, and
// rc_indrnn_clip projects the stored u into that range, as the paper clips after each update.
// Parameters: weight_ih [H,I] (W) and bias [H] (b; absent with no_bias) from
// U(-1/sqrt(H), 1/sqrt(H)); weight_hh [H] (u) from U(0, 1), or U(0, recurrent_max) when that is
// below 1.
// State [h]; output h'.
#include <math.h>

#include "cell_impl.h"

static rc_var project(const rc_cell_ctx *c, rc_var x) {
    const rc_indrnn_params *p = c->cell->params;
    return rc_linear(x, rc_cell_use(c, p->weight_ih), rc_cell_use(c, p->bias));
}

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_indrnn_params *p = c->cell->params;
    rc_var u = rc_cell_use(c, p->weight_hh);
    if (p->recurrent_max > 0) {
        const float m = p->recurrent_max;
        u = rc_minimum(rc_maximum(u, rc_scalar(c->g, -m)), rc_scalar(c->g, m));
    }
    rc_var a = rc_add(xp, rc_mul(prev[0], u));
    next[0] = p->use_tanh ? rc_tanh(a) : rc_relu(a);
    return next[0];
}

#define AT(field) RC_WEIGHT_AT(rc_indrnn_params, field)
static const rc_cell_layout layout = {.n_state = 1,
                                      .step = step,
                                      .project = project,
                                      .opts_name = "rc_indrnn_opts",
                                      .no_bias = offsetof(rc_indrnn_opts, no_bias)};

static rc_status init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                      size_t err_len) {
    const rc_indrnn_opts *o = opts;
    if (rc_cell_check(cell,
                      o && o->dim_hidden > 0 && o->recurrent_max >= 0 && !isinf(o->recurrent_max),
                      err, err_len,
                      "needs rc_indrnn_opts with dim_hidden > 0 and a finite recurrent_max >= 0, "
                      "got dim_hidden %lld, recurrent_max %g",
                      o ? (long long)o->dim_hidden : 0LL, o ? (double)o->recurrent_max : 0.0) ||
        rc_cell_setup(cell, &layout, opts, err, err_len))
        return RC_ERR_ARG;
    rc_indrnn_params *p = cell->params;
    p->use_tanh = o->use_tanh;
    p->recurrent_max = o->recurrent_max;
    // u is drawn from U(-umax, umax), then folded onto U(0, umax).
    const float umax = o->recurrent_max > 0 && o->recurrent_max < 1 ? o->recurrent_max : 1.0f;
    const rc_weight_spec weights[] = {
        {AT(weight_ih), .rows = {.h = 1}, .cols = {.i = 1}},
        {AT(weight_hh), .rows = {.h = 1}, .start = RC_START_UNIFORM, .value = umax},
        {AT(bias), .rows = {.h = 1}, .when = RC_WHEN_BIAS},
    };
    rc_status st = rc_cell_add_weights(cell, ps, rng, weights, 3, rc_cell_when(cell, &layout, opts),
                                       err, err_len);
    rc_tensor u = st ? (rc_tensor){0} : rc_param_value(p->weight_hh);
    for (int64_t i = 0; i < u.n; i++)
        u.data[i] = fabsf(u.data[i]);
    return st;
}

RC_CELL_TYPE_WITH_INIT(rc_indrnn_cell_type, "indrnn",
                       "IndRNN of Li et al. 2018 (elementwise recurrence)", rc_indrnn_params,
                       rc_indrnn_opts, init, layout, NULL);

rc_status rc_indrnn_clip(const rc_cell *cell) {
    if (!cell || cell->type != &rc_indrnn_cell_type)
        return rc_set_last_error(RC_ERR_ARG, "rc_indrnn_clip: %s",
                                 !cell ? "cell is NULL" : "the cell is not an IndRNN cell");
    const rc_indrnn_params *p = cell->params;
    const float m = p->recurrent_max;
    rc_tensor u = rc_param_value(p->weight_hh);
    for (int64_t i = 0; m > 0 && i < u.n; i++)
        u.data[i] = fminf(fmaxf(u.data[i], -m), m);
    return RC_OK;
}
