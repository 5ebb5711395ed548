// The GRU cell in PyTorch's form and parameter layout, blocks [r|z|n]:
//   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r*(W_hn h + b_hn)),  h' = (1-z)*n + z*h
// (Cho et al. put r before the product with W_hn; that variant is its own cell.)
#include <stddef.h>

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

#define AT(field) RC_WEIGHT_AT(rc_gru_params, field)
static const rc_weight_spec weights[] = {
    {AT(weight_ih), .rows = {.h = 3}, .cols = {.i = 1}},
    {AT(weight_hh), .rows = {.h = 3}, .cols = {.h = 1}},
    {AT(bias_ih), .rows = {.h = 3}, .when = RC_WHEN_BIAS},
    {AT(bias_hh), .rows = {.h = 3}, .when = RC_WHEN_BIAS},
};

static const rc_cell_layout layout = {RC_CELL_LAYOUT(1, step, project, weights),
                                      .no_bias = offsetof(rc_gru_opts, no_bias)};

RC_CELL_TYPE_FROM_LAYOUT(rc_gru_cell_type, "gru", "GRU, PyTorch nn.GRU layout [r|z|n]",
                         rc_gru_params, rc_gru_opts, layout, NULL);
