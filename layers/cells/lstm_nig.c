// NIG, "no input gate" (Greff et al. 2015): the peephole LSTM (lstm_peephole.c) with i = 1.
//   a = W_ih x + b + W_hh h                      (blocks a_f, a_g, a_o)
//   f = σ(a_f + p_f*c),  g = tanh(a_g)
//   c' = f*c + g
//   o = σ(a_o + p_o*c'),  h' = o*tanh(c')
// Parameters: weight_ih [3H,I], weight_hh [3H,H], bias [3H], weight_cf, weight_co [H]; all from
// U(-1/sqrt(H), 1/sqrt(H)). State [h, c]; output h'.
#include "peephole_impl.h"

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_lstm_nig_params *p = c->cell->params;
    rc_var a[3];
    rc_peephole_preact(c, xp, prev[0], p->weight_hh, 3, a);
    rc_var f = rc_peephole_gate(c, a[0], p->weight_cf, prev[1]);
    next[1] = rc_add(rc_mul(f, prev[1]), rc_tanh(a[1]));
    rc_var o = rc_peephole_gate(c, a[2], p->weight_co, next[1]);
    next[0] = rc_mul(o, rc_tanh(next[1]));
    return next[0];
}

static rc_status forget_bias(rc_cell *cell, float value, char *err, size_t err_len) {
    return rc_cell_fill_bias_block(cell, "bias", 0, value, err, err_len);
}

RC_PEEPHOLE_CELL_TYPE(rc_lstm_nig_cell_type, "lstm_nig", "Greff et al.: no input gate",
                      rc_lstm_nig_params, forget_bias, RC_PEEPHOLE_CORE(rc_lstm_nig_params, 3),
                      RC_PEEPHOLE_VEC(rc_lstm_nig_params, weight_cf),
                      RC_PEEPHOLE_VEC(rc_lstm_nig_params, weight_co));
