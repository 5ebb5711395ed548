// NFG, "no forget gate" (Greff et al. 2015): the peephole LSTM (lstm_peephole.c) with f = 1.
//   a = W_ih x + b + W_hh h                      (blocks a_i, a_g, a_o)
//   i = σ(a_i + p_i*c),  g = tanh(a_g)
//   c' = c + i*g
//   o = σ(a_o + p_o*c'),  h' = o*tanh(c')
// Parameters: weight_ih [3H,I], weight_hh [3H,H], bias [3H], weight_ci, weight_co [H]; all from
// U(-1/sqrt(H), 1/sqrt(H)). State [h, c]; output h'.
#include "peephole_impl.h"

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_lstm_nfg_params *p = c->cell->params;
    rc_var a[3];
    rc_peephole_preact(c, xp, prev[0], p->weight_hh, 3, a);
    rc_var i = rc_peephole_gate(c, a[0], p->weight_ci, prev[1]);
    next[1] = rc_add(prev[1], rc_mul(i, rc_tanh(a[1])));
    rc_var o = rc_peephole_gate(c, a[2], p->weight_co, next[1]);
    next[0] = rc_mul(o, rc_tanh(next[1]));
    return next[0];
}

RC_PEEPHOLE_CELL_TYPE(rc_lstm_nfg_cell_type, "lstm_nfg", "Greff et al.: no forget gate",
                      rc_lstm_nfg_params, NULL, RC_PEEPHOLE_CORE(rc_lstm_nfg_params, 3),
                      RC_PEEPHOLE_VEC(rc_lstm_nfg_params, weight_ci),
                      RC_PEEPHOLE_VEC(rc_lstm_nfg_params, weight_co));
