// The minimal gated unit of Zhou et al. 2016 ("Minimal gated unit for recurrent neural
// networks"): a GRU whose single forget gate f plays both the reset and the update role. Their
// W_f [h, x] + b_f is split here into W_f x (in weight_ih) and U_f h (weight_hh):
//   f = σ(W_f x + U_f h + b_f)
//   n = tanh(W_n x + U_n (f*h) + b_n)
//   h' = (1-f)*h + f*n
// Parameters: weight_ih [2H,I] blocks [f|n], weight_hh [H,H], weight_hh_n [H,H], bias [2H]
// blocks [f|n] (absent with no_bias); all from U(-1/sqrt(H), 1/sqrt(H)). State [h]; output h'.
#include <math.h>
#include <stdio.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

static rc_var project(const rc_cell_ctx *c, rc_var x) {
    const rc_mgu_params *p = c->cell->params;
    return rc_linear(x, rc_cell_use(c, p->weight_ih), rc_cell_use(c, p->bias));
}

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_mgu_params *p = c->cell->params;
    rc_var xi[2];
    rc_split(xp, 1, 2, xi);
    rc_var f = rc_sigmoid(rc_add(xi[0], rc_matmul_nt(prev[0], rc_cell_use(c, p->weight_hh))));
    rc_var fh = rc_matmul_nt(rc_mul(f, prev[0]), rc_cell_use(c, p->weight_hh_n));
    rc_var n = rc_tanh(rc_add(xi[1], fh));
    next[0] = rc_lerp(f, n, prev[0]);
    return next[0];
}

static rc_status init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                      size_t err_len) {
    const rc_mgu_opts *o = opts;
    if (!o || o->dim_hidden <= 0) {
        if (err && err_len)
            snprintf(err, err_len, "mgu: needs rc_mgu_opts with dim_hidden > 0, got %lld",
                     o ? (long long)o->dim_hidden : 0LL);
        return RC_ERR_ARG;
    }
    const int64_t H = o->dim_hidden, I = cell->dim_in;
    rc_mgu_params *p = cell->params;
    cell->n_state = 1;
    cell->dim_hidden = cell->dim_out = cell->state_dim[0] = H;
    cell->step = step;
    cell->project = project;
    const float k = 1.0f / sqrtf((float)H);
    rc_status st = rc_cell_add_weight(cell, ps, "weight_ih", RC_SHAPE(2 * H, I), k, rng,
                                      &p->weight_ih, err, err_len);
    if (!st)
        st = rc_cell_add_weight(cell, ps, "weight_hh", RC_SHAPE(H, H), k, rng, &p->weight_hh, err,
                                err_len);
    if (!st)
        st = rc_cell_add_weight(cell, ps, "weight_hh_n", RC_SHAPE(H, H), k, rng, &p->weight_hh_n,
                                err, err_len);
    if (!st && !o->no_bias)
        st = rc_cell_add_weight(cell, ps, "bias", RC_SHAPE(2 * H), k, rng, &p->bias, err, err_len);
    return st;
}

const rc_cell_type rc_mgu_cell_type = {
    .name = "mgu",
    .params_size = sizeof(rc_mgu_params),
    .init = init,
    .opts_size = sizeof(rc_mgu_opts),
    .summary = "minimal gated unit of Zhou et al. 2016",
};
