// The minimal gated unit of Zhou et al. 2016 ("Minimal gated unit for recurrent neural
// networks"): a GRU whose single forget gate f plays both the reset and the update role. Their
// W_f [h, x] + b_f is split here into W_f x (in weight_ih) and U_f h (weight_hh):
//   f = σ(W_f x + U_f h + b_f)
//   n = tanh(W_n x + U_n (f*h) + b_n)
//   h' = (1-f)*h + f*n
// Parameters: weight_ih [2H,I] blocks [f|n], weight_hh [H,H], weight_hh_n [H,H], bias [2H]
// blocks [f|n] (absent with no_bias); all from U(-1/sqrt(H), 1/sqrt(H)). State [h]; output h'.
#include "mut_impl.h"

RC_GRU_LINEAR_PROJECT(rc_mgu_params)

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_mgu_params *p = c->cell->params;
    rc_var xi[2];
    rc_split(xp, 1, 2, xi);
    rc_var f = rc_sigmoid(rc_add(xi[0], rc_matmul_nt(prev[0], rc_cell_use(c, p->weight_hh))));
    next[0] = rc_lerp(f, rc_gru_candidate(c, xi[1], f, prev[0], p->weight_hh_n), prev[0]);
    return next[0];
}

RC_GRU_CELL_TYPE(rc_mgu_cell_type, "mgu", "minimal gated unit of Zhou et al. 2016", rc_mgu_params,
                 rc_mgu_opts, 2, 1);
