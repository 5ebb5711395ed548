// Pieces shared by the cells of layers/cells/ that write their own init (indrnn.c, sru.c,
// ln_lstm.c). Not exported.
#ifndef RECUR_CELL_IMPL_H
#define RECUR_CELL_IMPL_H

#include <stddef.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

// The cell type `var` of a cell with its own init: what RC_CELL_TYPE_FROM_LAYOUT defines, with
// init_ in place of the generic one.
#define RC_CELL_TYPE_WITH_INIT(var, name_, summary_, params_t, opts_t, init_, layout_,             \
                               forget_bias_)                                                       \
    const rc_cell_type var = {.name = (name_),                                                     \
                              .params_size = sizeof(params_t),                                     \
                              .init = (init_),                                                     \
                              .opts_size = sizeof(opts_t),                                         \
                              .summary = (summary_),                                               \
                              .set_forget_bias = (forget_bias_),                                   \
                              .layout = &(layout_)}

#endif
