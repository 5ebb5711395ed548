// The Elman RNN cell in PyTorch's form: h' = act(W_ih x + b_ih + W_hh h + b_hh), act tanh or relu.
#include <stddef.h>

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

#define AT(field) RC_WEIGHT_AT(rc_rnn_cell_params, field)
static const rc_weight_spec weights[] = {
    {AT(weight_ih), .rows = {.h = 1}, .cols = {.i = 1}},
    {AT(weight_hh), .rows = {.h = 1}, .cols = {.h = 1}},
    {AT(bias_ih), .rows = {.h = 1}, .when = RC_WHEN_BIAS},
    {AT(bias_hh), .rows = {.h = 1}, .when = RC_WHEN_BIAS},
};

static const rc_cell_layout layout = {RC_CELL_LAYOUT(1, step, project, weights),
                                      .no_bias = offsetof(rc_rnn_cell_opts, no_bias)};

static rc_status init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                      size_t err_len) {
    const rc_rnn_cell_opts *o = opts;
    if (rc_cell_check(cell,
                      o && o->dim_hidden > 0 &&
                          (o->nonlinearity == RC_RNN_TANH || o->nonlinearity == RC_RNN_RELU),
                      err, err_len,
                      "needs options with dim_hidden > 0 (got %lld) and nonlinearity "
                      "RC_RNN_TANH or RC_RNN_RELU",
                      o ? (long long)o->dim_hidden : 0LL) ||
        rc_cell_setup(cell, &layout, opts, err, err_len))
        return RC_ERR_ARG;
    ((rc_rnn_cell_params *)cell->params)->nonlinearity = o->nonlinearity;
    return rc_cell_add_weights(cell, ps, rng, weights, layout.n_weights,
                               rc_cell_when(cell, &layout, opts), err, err_len);
}

const rc_cell_type rc_rnn_cell_type = {
    .name = "rnn",
    .params_size = sizeof(rc_rnn_cell_params),
    .init = init,
    .opts_size = sizeof(rc_rnn_cell_opts),
    .summary = "Elman RNN, tanh (PyTorch nn.RNN layout)",
    .layout = &layout,
};
