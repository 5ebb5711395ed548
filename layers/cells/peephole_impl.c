// Pieces shared by the peephole LSTM and Greff et al.'s variants (see peephole_impl.h).
#include "peephole_impl.h"

#include <math.h>
#include <stdio.h>

rc_status rc_peephole_init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng,
                           int n_blocks, rc_param **weight_ih, rc_param **weight_hh,
                           rc_param **bias, char *err, size_t err_len) {
    const rc_peephole_lstm_opts *o = opts;
    if (!o || o->dim_hidden <= 0) {
        if (err && err_len)
            snprintf(err, err_len, "%s: needs rc_peephole_lstm_opts with dim_hidden > 0, got %lld",
                     cell->type->name, o ? (long long)o->dim_hidden : 0LL);
        return RC_ERR_ARG;
    }
    const int64_t H = o->dim_hidden, I = cell->dim_in, N = n_blocks * H;
    cell->n_state = 2;
    cell->dim_hidden = cell->dim_out = cell->state_dim[0] = cell->state_dim[1] = H;
    const float k = 1.0f / sqrtf((float)H);
    rc_status st =
        rc_cell_add_weight(cell, ps, "weight_ih", RC_SHAPE(N, I), k, rng, weight_ih, err, err_len);
    if (!st)
        st = rc_cell_add_weight(cell, ps, "weight_hh", RC_SHAPE(N, H), k, rng, weight_hh, err,
                                err_len);
    if (!st)
        st = rc_cell_add_weight(cell, ps, "bias", RC_SHAPE(N), k, rng, bias, err, err_len);
    return st;
}

rc_status rc_peephole_add(rc_cell *cell, rc_params *ps, rc_rng *rng, const char *role,
                          rc_param **out, char *err, size_t err_len) {
    const int64_t H = cell->dim_hidden;
    return rc_cell_add_weight(cell, ps, role, RC_SHAPE(H), 1.0f / sqrtf((float)H), rng, out, err,
                              err_len);
}

rc_var rc_peephole_project(const rc_cell_ctx *c, rc_var x, rc_param *weight_ih, rc_param *bias) {
    return rc_linear(x, rc_cell_use(c, weight_ih), rc_cell_use(c, bias));
}

void rc_peephole_preact(const rc_cell_ctx *c, rc_var xp, rc_var h, rc_param *weight_hh, int n,
                        rc_var *blocks) {
    rc_split(rc_add(xp, rc_matmul_nt(h, rc_cell_use(c, weight_hh))), 1, n, blocks);
}

rc_var rc_peephole_gate(const rc_cell_ctx *c, rc_var a, rc_param *p, rc_var cell_state) {
    return rc_sigmoid(rc_add(a, rc_mul(cell_state, rc_cell_use(c, p))));
}
