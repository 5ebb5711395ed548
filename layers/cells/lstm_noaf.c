// NOAF, "no output activation function" (Greff et al. 2015): the peephole LSTM
// (lstm_peephole.c) with the cell read out linearly, h(x) = x.
//   a = W_ih x + b + W_hh h                      (blocks a_i, a_f, a_g, a_o)
//   i = σ(a_i + p_i*c),  f = σ(a_f + p_f*c),  g = tanh(a_g)
//   c' = f*c + i*g
//   o = σ(a_o + p_o*c'),  h' = o*c'
// Parameters: weight_ih [4H,I], weight_hh [4H,H], bias [4H], weight_ci, weight_cf, weight_co [H];
// all from U(-1/sqrt(H), 1/sqrt(H)). State [h, c]; output h'.
#include "peephole_impl.h"

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    return rc_peephole_ifo_step(c, xp, prev, next, rc_tanh, NULL); // h' = o*c'
}

RC_PEEPHOLE_CELL_TYPE(rc_lstm_noaf_cell_type, "lstm_noaf",
                      "Greff et al.: no output activation function", rc_lstm_noaf_params,
                      rc_peephole_forget_bias, RC_PEEPHOLE_IFO(rc_lstm_noaf_params, 4));
