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
    next[0] = rc_lerp(z, rc_gru_candidate(c, a[2], r, prev[0], p->weight_hh_n), prev[0]);
    return next[0];
}

RC_MUT_CELL_TYPE(rc_mut1_cell_type, "mut1", "MUT1 of Jozefowicz et al. 2015", rc_mut1_params,
                 RC_MUT_IH(rc_mut1_params), RC_GRU_SQUARE(rc_mut1_params, weight_hh_r),
                 RC_MUT_TAIL(rc_mut1_params));
