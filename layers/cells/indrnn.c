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
#include <stdio.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

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

static rc_status init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                      size_t err_len) {
    const rc_indrnn_opts *o = opts;
    if (!o || o->dim_hidden <= 0 || !(o->recurrent_max >= 0) || isinf(o->recurrent_max)) {
        if (err && err_len)
            snprintf(err, err_len,
                     "indrnn: needs rc_indrnn_opts with dim_hidden > 0 and a finite "
                     "recurrent_max >= 0, got dim_hidden %lld, recurrent_max %g",
                     o ? (long long)o->dim_hidden : 0LL, o ? (double)o->recurrent_max : 0.0);
        return RC_ERR_ARG;
    }
    const int64_t H = o->dim_hidden, I = cell->dim_in;
    rc_indrnn_params *p = cell->params;
    p->use_tanh = o->use_tanh;
    p->recurrent_max = o->recurrent_max;
    cell->n_state = 1;
    cell->dim_hidden = cell->dim_out = cell->state_dim[0] = H;
    cell->step = step;
    cell->project = project;
    const float k = 1.0f / sqrtf((float)H);
    const float umax = o->recurrent_max > 0 && o->recurrent_max < 1 ? o->recurrent_max : 1.0f;
    rc_status st = rc_cell_add_weight(cell, ps, "weight_ih", RC_SHAPE(H, I), k, rng, &p->weight_ih,
                                      err, err_len);
    if (!st)
        st = rc_cell_add_weight(cell, ps, "weight_hh", RC_SHAPE(H), umax, rng, &p->weight_hh, err,
                                err_len);
    if (!st && !o->no_bias)
        st = rc_cell_add_weight(cell, ps, "bias", RC_SHAPE(H), k, rng, &p->bias, err, err_len);
    if (st)
        return st;
    rc_tensor u = rc_param_value(p->weight_hh); // U(-umax, umax) folded onto U(0, umax)
    for (int64_t i = 0; i < u.n; i++)
        u.data[i] = fabsf(u.data[i]);
    return RC_OK;
}

const rc_cell_type rc_indrnn_cell_type = {
    .name = "indrnn",
    .params_size = sizeof(rc_indrnn_params),
    .init = init,
    .opts_size = sizeof(rc_indrnn_opts),
    .summary = "IndRNN of Li et al. 2018 (elementwise recurrence)",
};

rc_status rc_indrnn_clip(const rc_cell *cell) {
    if (!cell || cell->type != &rc_indrnn_cell_type)
        return RC_ERR_ARG;
    const rc_indrnn_params *p = cell->params;
    const float m = p->recurrent_max;
    rc_tensor u = rc_param_value(p->weight_hh);
    for (int64_t i = 0; m > 0 && i < u.n; i++)
        u.data[i] = fminf(fmaxf(u.data[i], -m), m);
    return RC_OK;
}
