// FGR, "full gate recurrence" (Greff et al. 2015): the peephole LSTM (lstm_peephole.c) whose
// gates also receive the previous step's gates. Greff's nine matrices R_ii, R_fi, R_oi, R_if, ...
// R_oo are the blocks of one weight_hh_gates [3H,3H] (rows: the gate it feeds, in order [i|f|o];
// columns: the previous gate it reads, in order [i|f|o]).
//   a = W_ih x + b + W_hh h                      (blocks a_i, a_f, a_g, a_o)
//   e = W_hh_gates [i|f|o]_{t-1}                  (blocks e_i, e_f, e_o)
//   i = σ(a_i + e_i + p_i*c),  f = σ(a_f + e_f + p_f*c),  g = tanh(a_g)
//   c' = f*c + i*g
//   o = σ(a_o + e_o + p_o*c'),  h' = o*tanh(c')
// Parameters: weight_ih [4H,I], weight_hh [4H,H], bias [4H], weight_ci, weight_cf, weight_co [H],
// weight_hh_gates [3H,3H]; all from U(-1/sqrt(H), 1/sqrt(H)). State [h, c, [i|f|o]] (the last
// [B,3H], zeros before the first step); output h'.
#include "peephole_impl.h"

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_lstm_fgr_params *p = c->cell->params;
    rc_var a[4], e[3], gates[3];
    rc_peephole_preact(c, xp, prev[0], p->weight_hh, 4, a);
    rc_split(rc_matmul_nt(prev[2], rc_cell_use(c, p->weight_hh_gates)), 1, 3, e);
    const rc_var pre[4] = {rc_add(a[0], e[0]), rc_add(a[1], e[1]), a[2], rc_add(a[3], e[2])};
    rc_var o = rc_peephole_ifo(c, pre, rc_tanh, prev[1], &next[1], gates);
    next[0] = rc_mul(o, rc_tanh(next[1]));
    next[2] = rc_concat(gates, 3, 1);
    return next[0];
}

static const rc_weight_spec weights[] = {
    RC_PEEPHOLE_IFO(rc_lstm_fgr_params, 4),
    {RC_WEIGHT_AT(rc_lstm_fgr_params, weight_hh_gates), .rows = {.h = 3}, .cols = {.h = 3}},
};

static const rc_cell_layout layout = {RC_CELL_LAYOUT(3, step, rc_peephole_project, weights),
                                      .state_h = {1, 1, 3}, .opts_name = "rc_peephole_lstm_opts"};

RC_CELL_TYPE_FROM_LAYOUT(rc_lstm_fgr_cell_type, "lstm_fgr", "Greff et al.: full gate recurrence",
                         rc_lstm_fgr_params, rc_peephole_lstm_opts, layout,
                         rc_peephole_forget_bias);
