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
