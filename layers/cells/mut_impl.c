// Pieces shared by MUT1, MUT2 and MUT3 (see mut_impl.h).
#include "mut_impl.h"

#include <math.h>
#include <stdio.h>

int64_t rc_mut_setup(rc_cell *cell, const void *opts, char *err, size_t err_len) {
    const rc_mut_opts *o = opts;
    if (!o || o->dim_hidden <= 0) {
        if (err && err_len)
            snprintf(err, err_len, "%s: needs rc_mut_opts with dim_hidden > 0, got %lld",
                     cell->type->name, o ? (long long)o->dim_hidden : 0LL);
        return 0;
    }
    cell->n_state = 1;
    cell->dim_hidden = cell->dim_out = cell->state_dim[0] = o->dim_hidden;
    return o->dim_hidden;
}

rc_status rc_mut_add(rc_cell *cell, rc_params *ps, rc_rng *rng, const char *role, rc_shape shape,
                     rc_param **out, char *err, size_t err_len) {
    return rc_cell_add_weight(cell, ps, role, shape, 1.0f / sqrtf((float)cell->dim_hidden), rng,
                              out, err, err_len);
}

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
