// Pieces shared by the peephole LSTM and the eight variants of Greff et al. 2015
// (layers/cells/lstm_*.c). Each variant file writes its own equations with these; none of this is
// exported.
#ifndef RECUR_PEEPHOLE_IMPL_H
#define RECUR_PEEPHOLE_IMPL_H

#include <stddef.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

// clang-format off
// The first rows of every variant's weight table: weight_ih [n*H,I], weight_hh [n*H,H] and bias
// [n*H] (n gate blocks) from U(-1/sqrt(H), 1/sqrt(H)), into the fields of the same names.
#define RC_PEEPHOLE_CORE(params_t, n)                                                              \
    {RC_WEIGHT_AT(params_t, weight_ih), .rows = {.h = (n)}, .cols = {.i = 1}},                     \
    {RC_WEIGHT_AT(params_t, weight_hh), .rows = {.h = (n)}, .cols = {.h = 1}},                     \
    {RC_WEIGHT_AT(params_t, bias), .rows = {.h = (n)}}
// A row for the peephole vector `field` [H], from the same distribution.
#define RC_PEEPHOLE_VEC(params_t, field) {RC_WEIGHT_AT(params_t, field), .rows = {.h = 1}}
// The layout of a variant with state [h, c], both H wide, taking rc_peephole_lstm_opts.
#define RC_PEEPHOLE_LAYOUT(step, project, table)                                                   \
    RC_CELL_LAYOUT(2, step, project, table), .opts_name = "rc_peephole_lstm_opts"
// clang-format on
// set_forget_bias of the variants with a forget gate in block 1 of bias ([i|f|g|o], [i|f|g]).
rc_status rc_peephole_forget_bias(rc_cell *cell, float value, char *err, size_t err_len);
// W_ih x + b, the project function of every variant: the part of every gate that does not
// depend on the state. RC_PEEPHOLE_CORE makes weight_ih and bias the cell's weights 0 and 2.
rc_var rc_peephole_project(const rc_cell_ctx *c, rc_var x);
// The n blocks of xp + h W_hh^T, the gates' pre-activations before the peepholes.
void rc_peephole_preact(const rc_cell_ctx *c, rc_var xp, rc_var h, rc_param *weight_hh, int n,
                        rc_var *blocks);
// σ(a + p*cell_state): a gate with its peephole p [H].
rc_var rc_peephole_gate(const rc_cell_ctx *c, rc_var a, rc_param *p, rc_var cell_state);

#endif
