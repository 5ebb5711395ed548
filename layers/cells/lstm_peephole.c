// The peephole LSTM of Gers et al. (2000, 2002), the "vanilla LSTM" that Greff et al. 2015 take as
// the baseline of their eight variants (lstm_nig.c ... lstm_fgr.c). In Greff's notation block
// input z, gates i, f, o, cell c, output y; here g = z, h = y, and the blocks are ordered
// [i|f|g|o]:
//   a = W_ih x + b + W_hh h                      (blocks a_i, a_f, a_g, a_o)
//   i = σ(a_i + p_i*c),  f = σ(a_f + p_f*c),  g = tanh(a_g)
//   c' = f*c + i*g
//   o = σ(a_o + p_o*c')                          (the output gate peeps at the new cell)
//   h' = o*tanh(c')
// Parameters: weight_ih [4H,I], weight_hh [4H,H], bias [4H], peepholes weight_ci, weight_cf,
// weight_co [H] (p_i, p_f, p_o); all from U(-1/sqrt(H), 1/sqrt(H)). State [h, c]; output h'.
#include "peephole_impl.h"

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    return rc_peephole_ifo_step(c, xp, prev, next, rc_tanh, rc_tanh);
}

RC_PEEPHOLE_CELL_TYPE(rc_peephole_lstm_cell_type, "peephole_lstm",
                      "peephole LSTM, the vanilla LSTM of Greff et al. 2015",
                      rc_peephole_lstm_params, rc_peephole_forget_bias,
                      RC_PEEPHOLE_IFO(rc_peephole_lstm_params, 4));
