// MUT3 of Jozefowicz et al. 2015 ("An empirical exploration of recurrent network architectures"),
// in their notation with W_xz, W_xr, W_xh mapped to weight_ih's blocks, W_hz, W_hr to
// weight_hh_z, weight_hh_r and W_hh to weight_hh_n:
//   z = σ(W_xz x + W_hz tanh(h) + b_z)
//   r = σ(W_xr x + W_hr h + b_r)
//   h' = tanh(W_hh (r*h) + W_xh x + b_h) * z + h * (1-z)
// Parameters: weight_ih [3H,I] blocks [z|r|n], weight_hh_z, weight_hh_r, weight_hh_n [H,H],
// bias [3H] blocks [z|r|n] (W_xh and b_h are block n); all from U(-1/sqrt(H), 1/sqrt(H)). State
// [h]; output h'.
#include "mut_impl.h"

RC_GRU_LINEAR_PROJECT(rc_mut3_params)

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_mut3_params *p = c->cell->params;
    rc_var a[3];
    rc_split(xp, 1, 3, a);
    rc_var uz = rc_matmul_nt(rc_tanh(prev[0]), rc_cell_use(c, p->weight_hh_z));
    rc_var z = rc_sigmoid(rc_add(a[0], uz));
    rc_var r = rc_sigmoid(rc_add(a[1], rc_matmul_nt(prev[0], rc_cell_use(c, p->weight_hh_r))));
    next[0] = rc_lerp(z, rc_gru_candidate(c, a[2], r, prev[0], p->weight_hh_n), prev[0]);
    return next[0];
}

RC_MUT_CELL_TYPE(rc_mut3_cell_type, "mut3", "MUT3 of Jozefowicz et al. 2015", rc_mut3_params,
                 {RC_WEIGHT_AT(rc_mut3_params, weight_ih), .rows = {.h = 3}, .cols = {.i = 1}},
                 RC_GRU_SQUARE(rc_mut3_params, weight_hh_z),
                 RC_GRU_SQUARE(rc_mut3_params, weight_hh_r), RC_MUT_TAIL(rc_mut3_params));
