// MUT1 of Jozefowicz et al. 2015 ("An empirical exploration of recurrent network architectures"),
// in their notation with W_xz, W_xr, W_hr, W_hh mapped to weight_ih's blocks, weight_hh_r and
// weight_hh_n:
//   z = σ(W_xz x + b_z)
//   r = σ(W_xr x + W_hr h + b_r)
//   h' = tanh(W_hh (r*h) + tanh(x̂) + b_h) * z + h * (1-z)
// x̂ = x when I == H (the paper's form); otherwise x̂ = W_x x, a learned map (see cells.h).
// Parameters: weight_ih [2H,I] blocks [z|r] ([3H,I] blocks [z|r|x̂] when I != H), weight_hh_r
// [H,H], weight_hh_n [H,H] (the paper's W_hh), bias [3H] blocks [z|r|n] (b_h is block n); all from
// U(-1/sqrt(H), 1/sqrt(H)). State [h]; output h'.
#include "mut_impl.h"

static rc_var project(const rc_cell_ctx *c, rc_var x) {
    const rc_mut1_params *p = c->cell->params;
    return rc_mut_project(c, x, p->weight_ih, p->bias, true); // [z | r | tanh(x̂)] + b
}

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_mut1_params *p = c->cell->params;
    rc_var a[3];
    rc_split(xp, 1, 3, a);
    rc_var z = rc_sigmoid(a[0]);
    rc_var r = rc_sigmoid(rc_add(a[1], rc_matmul_nt(prev[0], rc_cell_use(c, p->weight_hh_r))));
    rc_var rh = rc_matmul_nt(rc_mul(r, prev[0]), rc_cell_use(c, p->weight_hh_n));
    next[0] = rc_lerp(z, rc_tanh(rc_add(rh, a[2])), prev[0]);
    return next[0];
}

#define AT(field) RC_WEIGHT_AT(rc_mut1_params, field)
static const rc_weight_spec weights[] = {
    {AT(weight_ih), .rows = {.h = 2}, .cols = {.i = 1}, .when = RC_WHEN_I_IS_H},
    {AT(weight_ih), .rows = {.h = 3}, .cols = {.i = 1}, .when = RC_WHEN_I_NOT_H},
    {AT(weight_hh_r), .rows = {.h = 1}, .cols = {.h = 1}},
    {AT(weight_hh_n), .rows = {.h = 1}, .cols = {.h = 1}},
    {AT(bias), .rows = {.h = 3}},
};

static const rc_cell_layout layout = {RC_MUT_LAYOUT(step, project, weights)};

RC_CELL_TYPE_FROM_LAYOUT(rc_mut1_cell_type, "mut1", "MUT1 of Jozefowicz et al. 2015",
                         rc_mut1_params, rc_mut_opts, layout, NULL);
