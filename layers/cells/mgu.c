// The minimal gated unit of Zhou et al. 2016 ("Minimal gated unit for recurrent neural
// networks"): a GRU whose single forget gate f plays both the reset and the update role. Their
// W_f [h, x] + b_f is split here into W_f x (in weight_ih) and U_f h (weight_hh):
//   f = σ(W_f x + U_f h + b_f)
//   n = tanh(W_n x + U_n (f*h) + b_n)
//   h' = (1-f)*h + f*n
// Parameters: weight_ih [2H,I] blocks [f|n], weight_hh [H,H], weight_hh_n [H,H], bias [2H]
// blocks [f|n] (absent with no_bias); all from U(-1/sqrt(H), 1/sqrt(H)). State [h]; output h'.
#include <stddef.h>

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

#define AT(field) RC_WEIGHT_AT(rc_mgu_params, field)
static const rc_weight_spec weights[] = {
    {AT(weight_ih), .rows = {.h = 2}, .cols = {.i = 1}},
    {AT(weight_hh), .rows = {.h = 1}, .cols = {.h = 1}},
    {AT(weight_hh_n), .rows = {.h = 1}, .cols = {.h = 1}},
    {AT(bias), .rows = {.h = 2}, .when = RC_WHEN_BIAS},
};

static const rc_cell_layout layout = {RC_CELL_LAYOUT(1, step, project, weights),
                                      .opts_name = "rc_mgu_opts",
                                      .no_bias = offsetof(rc_mgu_opts, no_bias)};

RC_CELL_TYPE_FROM_LAYOUT(rc_mgu_cell_type, "mgu", "minimal gated unit of Zhou et al. 2016",
                         rc_mgu_params, rc_mgu_opts, layout, NULL);
