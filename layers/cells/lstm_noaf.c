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
    const rc_lstm_noaf_params *p = c->cell->params;
    rc_var a[4];
    rc_peephole_preact(c, xp, prev[0], p->weight_hh, 4, a);
    rc_var i = rc_peephole_gate(c, a[0], p->weight_ci, prev[1]);
    rc_var f = rc_peephole_gate(c, a[1], p->weight_cf, prev[1]);
    next[1] = rc_add(rc_mul(f, prev[1]), rc_mul(i, rc_tanh(a[2])));
    rc_var o = rc_peephole_gate(c, a[3], p->weight_co, next[1]);
    next[0] = rc_mul(o, next[1]);
    return next[0];
}

static const rc_weight_spec weights[] = {
    RC_PEEPHOLE_CORE(rc_lstm_noaf_params, 4),
    RC_PEEPHOLE_VEC(rc_lstm_noaf_params, weight_ci),
    RC_PEEPHOLE_VEC(rc_lstm_noaf_params, weight_cf),
    RC_PEEPHOLE_VEC(rc_lstm_noaf_params, weight_co),
};

static const rc_cell_layout layout = {RC_PEEPHOLE_LAYOUT(step, rc_peephole_project, weights)};

RC_CELL_TYPE_FROM_LAYOUT(rc_lstm_noaf_cell_type, "lstm_noaf",
                         "Greff et al.: no output activation function", rc_lstm_noaf_params,
                         rc_peephole_lstm_opts, layout, rc_peephole_forget_bias);
