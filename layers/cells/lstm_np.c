// NP, "no peepholes" (Greff et al. 2015): the peephole LSTM (lstm_peephole.c) with
// p_i = p_f = p_o = 0, i.e. an LSTM with one bias per gate.
//   a = W_ih x + b + W_hh h                      (blocks a_i, a_f, a_g, a_o)
//   i = σ(a_i),  f = σ(a_f),  g = tanh(a_g),  o = σ(a_o)
//   c' = f*c + i*g,  h' = o*tanh(c')
// Parameters: weight_ih [4H,I], weight_hh [4H,H], bias [4H]; all from U(-1/sqrt(H), 1/sqrt(H)).
// State [h, c]; output h'.
#include "peephole_impl.h"

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_lstm_np_params *p = c->cell->params;
    rc_var a[4];
    rc_peephole_preact(c, xp, prev[0], p->weight_hh, 4, a);
    rc_var i = rc_sigmoid(a[0]), f = rc_sigmoid(a[1]), o = rc_sigmoid(a[3]);
    next[1] = rc_add(rc_mul(f, prev[1]), rc_mul(i, rc_tanh(a[2])));
    next[0] = rc_mul(o, rc_tanh(next[1]));
    return next[0];
}

RC_PEEPHOLE_CELL_TYPE(rc_lstm_np_cell_type, "lstm_np", "Greff et al.: no peepholes",
                      rc_lstm_np_params, rc_peephole_forget_bias,
                      RC_PEEPHOLE_CORE(rc_lstm_np_params, 4));
