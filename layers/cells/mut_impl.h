// Pieces shared by MUT1, MUT2 and MUT3 of Jozefowicz et al. 2015 (layers/cells/mut*.c). Not
// exported.
#ifndef RECUR_MUT_IMPL_H
#define RECUR_MUT_IMPL_H

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

// For a MUT's init: checks rc_mut_opts and sets the cell's sizes (state [h], H wide). Returns H,
// or 0 with a message in err.
int64_t rc_mut_setup(rc_cell *cell, const void *opts, char *err, size_t err_len);
// Adds `role` of `shape` from U(-1/sqrt(H), 1/sqrt(H)).
rc_status rc_mut_add(rc_cell *cell, rc_params *ps, rc_rng *rng, const char *role, rc_shape shape,
                     rc_param **out, char *err, size_t err_len);
// The input projection of MUT1 and MUT2: [W_a x | W_b x | act(x̂)] + bias, where weight_ih holds
// the blocks a, b (and, when I != H, the map to x̂; else x̂ = x) and act is tanh or the identity.
rc_var rc_mut_project(const rc_cell_ctx *c, rc_var x, rc_param *weight_ih, rc_param *bias,
                      bool tanh_of_x);

#endif
