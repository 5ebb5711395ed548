// MUT2 of Jozefowicz et al. 2015 ("An empirical exploration of recurrent network architectures"),
// in their notation with W_xz, W_xh mapped to weight_ih's blocks, W_hz, W_hr to weight_hh and
// W_hh to weight_hh_n:
//   z = σ(W_xz x + W_hz h + b_z)
//   r = σ(x̂ + W_hr h + b_r)
//   h' = tanh(W_hh (r*h) + W_xh x + b_h) * z + h * (1-z)
// x̂ = x when I == H (the paper's form); otherwise x̂ = W_x x, a learned map (see cells.h).
// Parameters: weight_ih [2H,I] blocks [z|n] (W_xz, W_xh; [3H,I] blocks [z|n|x̂] when I != H),
// weight_hh [2H,H] blocks [z|r], weight_hh_n [H,H], bias [3H] blocks [z|n|r] (b_h is block n); all
// from U(-1/sqrt(H), 1/sqrt(H)). State [h]; output h'.
#include "mut_impl.h"

static rc_var project(const rc_cell_ctx *c, rc_var x) {
    const rc_mut2_params *p = c->cell->params;
    return rc_mut_project(c, x, p->weight_ih, p->bias, false); // [z | n | x̂] + b
}

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_mut2_params *p = c->cell->params;
    rc_var a[3], u[2];
    rc_split(xp, 1, 3, a);
    rc_split(rc_matmul_nt(prev[0], rc_cell_use(c, p->weight_hh)), 1, 2, u);
    rc_var z = rc_sigmoid(rc_add(a[0], u[0]));
    rc_var r = rc_sigmoid(rc_add(a[2], u[1]));
    next[0] = rc_lerp(z, rc_gru_candidate(c, a[1], r, prev[0], p->weight_hh_n), prev[0]);
    return next[0];
}

RC_MUT_CELL_TYPE(rc_mut2_cell_type, "mut2", "MUT2 of Jozefowicz et al. 2015", rc_mut2_params,
                 RC_MUT_IH(rc_mut2_params),
                 {RC_WEIGHT_AT(rc_mut2_params, weight_hh), .rows = {.h = 2}, .cols = {.h = 1}},
                 RC_MUT_TAIL(rc_mut2_params));
