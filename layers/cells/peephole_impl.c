// Pieces shared by the peephole LSTM and Greff et al.'s variants (see peephole_impl.h).
#include "peephole_impl.h"

rc_status rc_peephole_forget_bias(rc_cell *cell, float value, char *err, size_t err_len) {
    return rc_cell_fill_bias_block(cell, "bias", 1, value, err, err_len);
}

rc_var rc_peephole_project(const rc_cell_ctx *c, rc_var x) {
    return rc_linear(x, c->weight[0], c->weight[2]);
}

void rc_peephole_preact(const rc_cell_ctx *c, rc_var xp, rc_var h, rc_param *weight_hh, int n,
                        rc_var *blocks) {
    rc_split(rc_add(xp, rc_matmul_nt(h, rc_cell_use(c, weight_hh))), 1, n, blocks);
}

rc_var rc_peephole_gate(const rc_cell_ctx *c, rc_var a, rc_param *p, rc_var cell_state) {
    return rc_sigmoid(rc_add(a, rc_mul(cell_state, rc_cell_use(c, p))));
}

// The places of weight_hh and of the peepholes in the RC_PEEPHOLE_IFO rows.
enum { W_HH = 1, W_CI = 3, W_CF = 4, W_CO = 5 };

rc_var rc_peephole_ifo(const rc_cell_ctx *c, const rc_var *a, rc_var (*act)(rc_var),
                       rc_var cell_state, rc_var *c_next, rc_var *gates) {
    rc_var i = rc_sigmoid(rc_add(a[0], rc_mul(cell_state, c->weight[W_CI])));
    rc_var f = rc_sigmoid(rc_add(a[1], rc_mul(cell_state, c->weight[W_CF])));
    *c_next = rc_add(rc_mul(f, cell_state), rc_mul(i, act ? act(a[2]) : a[2]));
    rc_var o = rc_sigmoid(rc_add(a[3], rc_mul(*c_next, c->weight[W_CO])));
    if (gates)
        gates[0] = i, gates[1] = f, gates[2] = o;
    return o;
}

rc_var rc_peephole_ifo_step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next,
                            rc_var (*act_g)(rc_var), rc_var (*act_h)(rc_var)) {
    rc_var a[4];
    rc_split(rc_add(xp, rc_matmul_nt(prev[0], c->weight[W_HH])), 1, 4, a);
    rc_var o = rc_peephole_ifo(c, a, act_g, prev[1], &next[1], NULL);
    next[0] = rc_mul(o, act_h ? act_h(next[1]) : next[1]);
    return next[0];
}
