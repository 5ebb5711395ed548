// The Elman RNN cell in PyTorch's form: h' = act(W_ih x + b_ih + W_hh h + b_hh), act tanh or relu.
#include <math.h>
#include <stdio.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

static rc_var project(const rc_cell_ctx *c, rc_var x) {
    const rc_rnn_cell_params *p = c->cell->params;
    return rc_linear(x, rc_cell_use(c, p->weight_ih), rc_cell_use(c, p->bias_ih));
}

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_rnn_cell_params *p = c->cell->params;
    rc_var pre =
        rc_add(xp, rc_linear(prev[0], rc_cell_use(c, p->weight_hh), rc_cell_use(c, p->bias_hh)));
    next[0] = p->nonlinearity == RC_RNN_RELU ? rc_relu(pre) : rc_tanh(pre);
    return next[0];
}

static rc_status init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                      size_t err_len) {
    const rc_rnn_cell_opts *o = opts;
    if (!o || o->dim_hidden <= 0 ||
        (o->nonlinearity != RC_RNN_TANH && o->nonlinearity != RC_RNN_RELU)) {
        if (err && err_len)
            snprintf(err, err_len,
                     "rnn: needs options with dim_hidden > 0 (got %lld) and "
                     "nonlinearity RC_RNN_TANH or RC_RNN_RELU",
                     o ? (long long)o->dim_hidden : 0LL);
        return RC_ERR_ARG;
    }
    const int64_t H = o->dim_hidden, I = cell->dim_in;
    rc_rnn_cell_params *p = cell->params;
    p->nonlinearity = o->nonlinearity;
    cell->n_state = 1;
    cell->dim_hidden = cell->dim_out = cell->state_dim[0] = H;
    cell->step = step;
    cell->project = project;
    const float k = 1.0f / sqrtf((float)H);
    rc_status st = rc_cell_add_weight(cell, ps, "weight_ih", RC_SHAPE(H, I), k, rng, &p->weight_ih,
                                      err, err_len);
    if (!st)
        st = rc_cell_add_weight(cell, ps, "weight_hh", RC_SHAPE(H, H), k, rng, &p->weight_hh, err,
                                err_len);
    if (!st && !o->no_bias)
        st =
            rc_cell_add_weight(cell, ps, "bias_ih", RC_SHAPE(H), k, rng, &p->bias_ih, err, err_len);
    if (!st && !o->no_bias)
        st =
            rc_cell_add_weight(cell, ps, "bias_hh", RC_SHAPE(H), k, rng, &p->bias_hh, err, err_len);
    return st;
}

const rc_cell_type rc_rnn_cell_type = {
    .name = "rnn",
    .params_size = sizeof(rc_rnn_cell_params),
    .init = init,
    .opts_size = sizeof(rc_rnn_cell_opts),
    .summary = "Elman RNN, tanh (PyTorch nn.RNN layout)",
};
