// The LSTM cell in PyTorch's form and parameter layout: gate blocks [i|f|g|o] in one weight,
// two bias vectors, optional projection of h (proj_size):
//   [i f g o] = W_ih x + b_ih + W_hh h + b_hh,  i, f, o = σ(.), g = tanh(.)
//   c' = f*c + i*g,  h' = o*tanh(c'),  h' = W_hr h' when proj_size > 0.
#include <math.h>
#include <stdio.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

static rc_var project(const rc_cell_ctx *c, rc_var x) {
    const rc_lstm_params *p = c->cell->params;
    return rc_linear(x, rc_cell_use(c, p->weight_ih), rc_cell_use(c, p->bias_ih));
}

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_lstm_params *p = c->cell->params;
    rc_var gates =
        rc_add(xp, rc_linear(prev[0], rc_cell_use(c, p->weight_hh), rc_cell_use(c, p->bias_hh)));
    // The fused gate ops compute, with the same bits, c' = σ(f)*c + σ(i)*tanh(g) and
    // h' = σ(o)*tanh(c') from the split gates.
    next[1] = rc_lstm_state(gates, prev[1]);
    rc_var h = rc_lstm_output(gates, next[1]);
    next[0] = p->weight_hr ? rc_matmul_nt(h, rc_cell_use(c, p->weight_hr)) : h;
    return next[0];
}

static rc_status init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                      size_t err_len) {
    const rc_lstm_opts *o = opts;
    if (!o || o->dim_hidden <= 0 || o->proj_size < 0 || o->proj_size >= o->dim_hidden) {
        if (err && err_len)
            snprintf(err, err_len,
                     "lstm: needs options with dim_hidden > 0 and proj_size in "
                     "[0, dim_hidden), got dim_hidden %lld, proj_size %lld",
                     o ? (long long)o->dim_hidden : 0LL, o ? (long long)o->proj_size : 0LL);
        return RC_ERR_ARG;
    }
    const int64_t H = o->dim_hidden, I = cell->dim_in;
    const int64_t R = o->proj_size ? o->proj_size : H; // width of h
    rc_lstm_params *p = cell->params;
    cell->n_state = 2;
    cell->dim_hidden = H;
    cell->dim_out = cell->state_dim[0] = R;
    cell->state_dim[1] = H;
    cell->step = step;
    cell->project = project;
    const float k = 1.0f / sqrtf((float)H);
    rc_status st = rc_cell_add_weight(cell, ps, "weight_ih", RC_SHAPE(4 * H, I), k, rng,
                                      &p->weight_ih, err, err_len);
    if (!st)
        st = rc_cell_add_weight(cell, ps, "weight_hh", RC_SHAPE(4 * H, R), k, rng, &p->weight_hh,
                                err, err_len);
    if (!st && !o->no_bias)
        st = rc_cell_add_weight(cell, ps, "bias_ih", RC_SHAPE(4 * H), k, rng, &p->bias_ih, err,
                                err_len);
    if (!st && !o->no_bias)
        st = rc_cell_add_weight(cell, ps, "bias_hh", RC_SHAPE(4 * H), k, rng, &p->bias_hh, err,
                                err_len);
    if (!st && o->proj_size)
        st = rc_cell_add_weight(cell, ps, "weight_hr", RC_SHAPE(R, H), k, rng, &p->weight_hr, err,
                                err_len);
    return st;
}

// The forget gate reads b_ih + b_hh: b_ih's block holds the value, b_hh's block 0.
static rc_status forget_bias(rc_cell *cell, float value, char *err, size_t err_len) {
    rc_status st = rc_cell_fill_bias_block(cell, "bias_ih", 1, value, err, err_len);
    return st ? st : rc_cell_fill_bias_block(cell, "bias_hh", 1, 0.0f, err, err_len);
}

const rc_cell_type rc_lstm_cell_type = {
    .name = "lstm",
    .params_size = sizeof(rc_lstm_params),
    .init = init,
    .opts_size = sizeof(rc_lstm_opts),
    .summary = "LSTM, PyTorch nn.LSTM layout [i|f|g|o]",
    .set_forget_bias = forget_bias,
};
