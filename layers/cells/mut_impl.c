// Pieces shared by the GRU-family cells (see mut_impl.h).
#include "mut_impl.h"

rc_var rc_mut_project(const rc_cell_ctx *c, rc_var x, rc_param *weight_ih, rc_param *bias,
                      bool tanh_of_x) {
    const int64_t H = c->cell->dim_hidden;
    rc_var lin = rc_matmul_nt(x, rc_cell_use(c, weight_ih)); // [N,2H] or [N,3H]
    rc_var parts[2] = {lin, x};
    if (c->cell->dim_in != H) { // the learned x̂ is the last block
        parts[0] = rc_slice(lin, 1, 0, 2 * H);
        parts[1] = rc_slice(lin, 1, 2 * H, 3 * H);
    }
    if (tanh_of_x)
        parts[1] = rc_tanh(parts[1]);
    return rc_add(rc_concat(parts, 2, 1), rc_cell_use(c, bias));
}

rc_var rc_gru_candidate(const rc_cell_ctx *c, rc_var a, rc_var gate, rc_var h,
                        rc_param *weight_hh_n) {
    return rc_tanh(rc_add(a, rc_matmul_nt(rc_mul(gate, h), rc_cell_use(c, weight_hh_n))));
}
