// Pieces shared by MUT1, MUT2 and MUT3 of Jozefowicz et al. 2015 (layers/cells/mut*.c). Not
// exported.
#ifndef RECUR_MUT_IMPL_H
#define RECUR_MUT_IMPL_H

#include <stddef.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

// The layout of a MUT: state [h], H wide; options rc_mut_opts.
#define RC_MUT_LAYOUT(step, project, table)                                                        \
    RC_CELL_LAYOUT(1, step, project, table), .opts_name = "rc_mut_opts"
// The input projection of MUT1 and MUT2: [W_a x | W_b x | act(x̂)] + bias, where weight_ih holds
// the blocks a, b (and, when I != H, the map to x̂; else x̂ = x) and act is tanh or the identity.
rc_var rc_mut_project(const rc_cell_ctx *c, rc_var x, rc_param *weight_ih, rc_param *bias,
                      bool tanh_of_x);

#endif
