// The GRU cell in PyTorch's form and parameter layout, blocks [r|z|n]:
//   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r*(W_hn h + b_hn)),  h' = (1-z)*n + z*h
// (Cho et al. put r before the product with W_hn; that variant is its own cell.)
#include <math.h>
#include <stdio.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

static rc_var project(const rc_cell_ctx *c, rc_var x) {
    const rc_gru_params *p = c->cell->params;
    return rc_linear(x, rc_cell_use(c, p->weight_ih), rc_cell_use(c, p->bias_ih));
}

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_gru_params *p = c->cell->params;
    rc_var hp = rc_linear(prev[0], rc_cell_use(c, p->weight_hh), rc_cell_use(c, p->bias_hh));
    // One fused op, the same bits as splitting xp and hp into [r|z|n] and writing
    // r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r*h_n), h' = lerp(z, h, n).
    next[0] = rc_gru_state(xp, hp, prev[0]);
    return next[0];
}

static rc_status init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                      size_t err_len) {
    const rc_gru_opts *o = opts;
    if (!o || o->dim_hidden <= 0) {
        if (err && err_len)
            snprintf(err, err_len, "gru: needs options with dim_hidden > 0, got %lld",
                     o ? (long long)o->dim_hidden : 0LL);
        return RC_ERR_ARG;
    }
    const int64_t H = o->dim_hidden, I = cell->dim_in;
    rc_gru_params *p = cell->params;
    cell->n_state = 1;
    cell->dim_hidden = cell->dim_out = cell->state_dim[0] = H;
    cell->step = step;
    cell->project = project;
    const float k = 1.0f / sqrtf((float)H);
    rc_status st = rc_cell_add_weight(cell, ps, "weight_ih", RC_SHAPE(3 * H, I), k, rng,
                                      &p->weight_ih, err, err_len);
    if (!st)
        st = rc_cell_add_weight(cell, ps, "weight_hh", RC_SHAPE(3 * H, H), k, rng, &p->weight_hh,
                                err, err_len);
    if (!st && !o->no_bias)
        st = rc_cell_add_weight(cell, ps, "bias_ih", RC_SHAPE(3 * H), k, rng, &p->bias_ih, err,
                                err_len);
    if (!st && !o->no_bias)
        st = rc_cell_add_weight(cell, ps, "bias_hh", RC_SHAPE(3 * H), k, rng, &p->bias_hh, err,
                                err_len);
    return st;
}

const rc_cell_type rc_gru_cell_type = {
    .name = "gru",
    .params_size = sizeof(rc_gru_params),
    .init = init,
    .opts_size = sizeof(rc_gru_opts),
    .summary = "GRU, PyTorch nn.GRU layout [r|z|n]",
};
