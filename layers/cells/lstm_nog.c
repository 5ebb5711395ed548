// NOG, "no output gate" (Greff et al. 2015): the peephole LSTM (lstm_peephole.c) with o = 1.
//   a = W_ih x + b + W_hh h                      (blocks a_i, a_f, a_g)
//   i = σ(a_i + p_i*c),  f = σ(a_f + p_f*c),  g = tanh(a_g)
//   c' = f*c + i*g,  h' = tanh(c')
// Parameters: weight_ih [3H,I], weight_hh [3H,H], bias [3H], weight_ci, weight_cf [H]; all from
// U(-1/sqrt(H), 1/sqrt(H)). State [h, c]; output h'.
#include "peephole_impl.h"

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_lstm_nog_params *p = c->cell->params;
    rc_var a[3];
    rc_peephole_preact(c, xp, prev[0], p->weight_hh, 3, a);
    rc_var i = rc_peephole_gate(c, a[0], p->weight_ci, prev[1]);
    rc_var f = rc_peephole_gate(c, a[1], p->weight_cf, prev[1]);
    next[1] = rc_add(rc_mul(f, prev[1]), rc_mul(i, rc_tanh(a[2])));
    next[0] = rc_tanh(next[1]);
    return next[0];
}

RC_PEEPHOLE_CELL_TYPE(rc_lstm_nog_cell_type, "lstm_nog", "Greff et al.: no output gate",
                      rc_lstm_nog_params, rc_peephole_forget_bias,
                      RC_PEEPHOLE_CORE(rc_lstm_nog_params, 3),
                      RC_PEEPHOLE_VEC(rc_lstm_nog_params, weight_ci),
                      RC_PEEPHOLE_VEC(rc_lstm_nog_params, weight_cf));
