// The GRU as Cho et al. 2014 define it: the reset gate scales h before the product with the
// candidate's recurrent weight (PyTorch's GRU, layers/gru.c, applies r after that product).
// Their W, U and (added here) b map to weight_ih, weight_hh / weight_hh_n and bias:
//   r = σ(W_r x + U_r h + b_r),  z = σ(W_z x + U_z h + b_z)
//   n = tanh(W_n x + U_n (r*h) + b_n)
//   h' = z*h + (1-z)*n
// Parameters: weight_ih [3H,I] blocks [r|z|n], weight_hh [2H,H] blocks [r|z], weight_hh_n [H,H],
// bias [3H] blocks [r|z|n] (absent with no_bias); all from U(-1/sqrt(H), 1/sqrt(H)).
// State [h]; output h'.
#include "mut_impl.h"

RC_GRU_LINEAR_PROJECT(rc_gru_cho_params)

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_gru_cho_params *p = c->cell->params;
    rc_var xi[3], hi[2];
    rc_split(xp, 1, 3, xi);
    rc_split(rc_matmul_nt(prev[0], rc_cell_use(c, p->weight_hh)), 1, 2, hi);
    rc_var r = rc_sigmoid(rc_add(xi[0], hi[0]));
    rc_var z = rc_sigmoid(rc_add(xi[1], hi[1]));
    next[0] = rc_lerp(z, prev[0], rc_gru_candidate(c, xi[2], r, prev[0], p->weight_hh_n));
    return next[0];
}

RC_GRU_CELL_TYPE(rc_gru_cho_cell_type, "gru_cho",
                 "GRU of Cho et al. 2014 (reset before the recurrent product)", rc_gru_cho_params,
                 rc_gru_cho_opts, 3, 2);
