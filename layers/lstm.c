// The LSTM cell in PyTorch's form and parameter layout: gate blocks [i|f|g|o] in one weight,
// two bias vectors, optional projection of h (proj_size):
//   [i f g o] = W_ih x + b_ih + W_hh h + b_hh,  i, f, o = σ(.), g = tanh(.)
//   c' = f*c + i*g,  h' = o*tanh(c'),  h' = W_hr h' when proj_size > 0.
#include <stddef.h>

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

// weight_hh reads h, dim_out wide (P with a projection, else H); weight_hr maps c's H to P.
#define AT(field) RC_WEIGHT_AT(rc_lstm_params, field)
static const rc_weight_spec weights[] = {
    {AT(weight_ih), .rows = {.h = 4}, .cols = {.i = 1}},
    {AT(weight_hh), .rows = {.h = 4}, .cols = {.out = 1}},
    {AT(bias_ih), .rows = {.h = 4}, .when = RC_WHEN_BIAS},
    {AT(bias_hh), .rows = {.h = 4}, .when = RC_WHEN_BIAS},
    {AT(weight_hr), .rows = {.out = 1}, .cols = {.h = 1}, .when = RC_WHEN_PROJ},
};

static const rc_cell_layout layout = {RC_CELL_LAYOUT(2, step, project, weights),
                                      .no_bias = offsetof(rc_lstm_opts, no_bias)};

static rc_status init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                      size_t err_len) {
    const rc_lstm_opts *o = opts;
    if (rc_cell_check(cell,
                      o && o->dim_hidden > 0 && o->proj_size >= 0 && o->proj_size < o->dim_hidden,
                      err, err_len,
                      "needs options with dim_hidden > 0 and proj_size in [0, dim_hidden), got "
                      "dim_hidden %lld, proj_size %lld",
                      o ? (long long)o->dim_hidden : 0LL, o ? (long long)o->proj_size : 0LL) ||
        rc_cell_setup(cell, &layout, opts, err, err_len))
        return RC_ERR_ARG;
    if (o->proj_size)
        cell->dim_out = cell->state_dim[0] = o->proj_size;
    const unsigned when = rc_cell_when(cell, &layout, opts) | (o->proj_size ? RC_WHEN_PROJ : 0u);
    return rc_cell_add_weights(cell, ps, rng, weights, layout.n_weights, when, err, err_len);
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
    .layout = &layout,
};
