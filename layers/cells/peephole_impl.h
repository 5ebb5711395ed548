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
// The rows of a variant with all three gates: the core for n blocks, then the peepholes
// weight_ci, weight_cf, weight_co [H] (p_i, p_f, p_o), in that order.
#define RC_PEEPHOLE_IFO(params_t, n)                                                               \
    RC_PEEPHOLE_CORE(params_t, n),                                                                 \
    RC_PEEPHOLE_VEC(params_t, weight_ci),                                                          \
    RC_PEEPHOLE_VEC(params_t, weight_cf),                                                          \
    RC_PEEPHOLE_VEC(params_t, weight_co)
// The layout of a variant with state [h, c], both H wide, taking rc_peephole_lstm_opts.
#define RC_PEEPHOLE_LAYOUT(step, project, table)                                                   \
    RC_CELL_LAYOUT(2, step, project, table), .opts_name = "rc_peephole_lstm_opts"
// A variant's weight table (the rows after forget_bias), its layout over the file's `step` and
// rc_peephole_project, and its cell type `var`.
#define RC_PEEPHOLE_CELL_TYPE(var, name, summary, params_t, forget_bias, ...)                      \
    static const rc_weight_spec weights[] = {__VA_ARGS__};                                         \
    static const rc_cell_layout layout = {RC_PEEPHOLE_LAYOUT(step, rc_peephole_project, weights)}; \
    RC_CELL_TYPE_FROM_LAYOUT(var, name, summary, params_t, rc_peephole_lstm_opts, layout,          \
                             forget_bias)
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
// The cell of the variants with all three gates, from the blocks a = [a_i|a_f|a_g|a_o]:
//   i = σ(a_i + p_i*c),  f = σ(a_f + p_f*c),  c' = f*c + i*act(a_g),  o = σ(a_o + p_o*c')
// with act NULL for the identity and p_i, p_f, p_o the weights 3-5 (the RC_PEEPHOLE_IFO rows).
// Sets *c_next and returns o; gates (optional) receives [i, f, o].
rc_var rc_peephole_ifo(const rc_cell_ctx *c, const rc_var *a, rc_var (*act)(rc_var),
                       rc_var cell_state, rc_var *c_next, rc_var *gates);
// The step of the peephole LSTM, NIAF and NOAF (weights RC_PEEPHOLE_IFO(params_t, 4)): the blocks
// of xp + h W_hh^T through rc_peephole_ifo with act_g, then h' = o*act_h(c') (NULL: identity).
rc_var rc_peephole_ifo_step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next,
                            rc_var (*act_g)(rc_var), rc_var (*act_h)(rc_var));

#endif
