// The GRU as Cho et al. 2014 define it: the reset gate scales h before the product with the
// candidate's recurrent weight (PyTorch's GRU, layers/gru.c, applies r after that product).
// Their W, U and (added here) b map to weight_ih, weight_hh / weight_hh_n and bias:
//   r = σ(W_r x + U_r h + b_r),  z = σ(W_z x + U_z h + b_z)
//   n = tanh(W_n x + U_n (r*h) + b_n)
//   h' = z*h + (1-z)*n
// Parameters: weight_ih [3H,I] blocks [r|z|n], weight_hh [2H,H] blocks [r|z], weight_hh_n [H,H],
// bias [3H] blocks [r|z|n] (absent with no_bias); all from U(-1/sqrt(H), 1/sqrt(H)).
// State [h]; output h'.
#include <math.h>
#include <stdio.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

static rc_var project(const rc_cell_ctx *c, rc_var x) {
    const rc_gru_cho_params *p = c->cell->params;
    return rc_linear(x, rc_cell_use(c, p->weight_ih), rc_cell_use(c, p->bias));
}

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_gru_cho_params *p = c->cell->params;
    rc_var xi[3], hi[2];
    rc_split(xp, 1, 3, xi);
    rc_split(rc_matmul_nt(prev[0], rc_cell_use(c, p->weight_hh)), 1, 2, hi);
    rc_var r = rc_sigmoid(rc_add(xi[0], hi[0]));
    rc_var z = rc_sigmoid(rc_add(xi[1], hi[1]));
    rc_var rh = rc_matmul_nt(rc_mul(r, prev[0]), rc_cell_use(c, p->weight_hh_n));
    rc_var n = rc_tanh(rc_add(xi[2], rh));
    next[0] = rc_lerp(z, prev[0], n);
    return next[0];
}

static rc_status init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                      size_t err_len) {
    const rc_gru_cho_opts *o = opts;
    if (!o || o->dim_hidden <= 0) {
        if (err && err_len)
            snprintf(err, err_len, "gru_cho: needs rc_gru_cho_opts with dim_hidden > 0, got %lld",
                     o ? (long long)o->dim_hidden : 0LL);
        return RC_ERR_ARG;
    }
    const int64_t H = o->dim_hidden, I = cell->dim_in;
    rc_gru_cho_params *p = cell->params;
    cell->n_state = 1;
    cell->dim_hidden = cell->dim_out = cell->state_dim[0] = H;
    cell->step = step;
    cell->project = project;
    const float k = 1.0f / sqrtf((float)H);
    rc_status st = rc_cell_add_weight(cell, ps, "weight_ih", RC_SHAPE(3 * H, I), k, rng,
                                      &p->weight_ih, err, err_len);
    if (!st)
        st = rc_cell_add_weight(cell, ps, "weight_hh", RC_SHAPE(2 * H, H), k, rng, &p->weight_hh,
                                err, err_len);
    if (!st)
        st = rc_cell_add_weight(cell, ps, "weight_hh_n", RC_SHAPE(H, H), k, rng, &p->weight_hh_n,
                                err, err_len);
    if (!st && !o->no_bias)
        st = rc_cell_add_weight(cell, ps, "bias", RC_SHAPE(3 * H), k, rng, &p->bias, err, err_len);
    return st;
}

const rc_cell_type rc_gru_cho_cell_type = {
    .name = "gru_cho",
    .params_size = sizeof(rc_gru_cho_params),
    .init = init,
    .opts_size = sizeof(rc_gru_cho_opts),
    .summary = "GRU of Cho et al. 2014 (reset before the recurrent product)",
};
