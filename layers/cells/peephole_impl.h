// Pieces shared by the peephole LSTM and the eight variants of Greff et al. 2015
// (layers/cells/lstm_*.c). Each variant file writes its own equations with these; none of this is
// exported.
#ifndef RECUR_PEEPHOLE_IMPL_H
#define RECUR_PEEPHOLE_IMPL_H

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

// For a variant's init: checks the rc_peephole_lstm_opts, sets the cell's sizes (state [h, c],
// both H wide) and adds weight_ih [n*H,I], weight_hh [n*H,H] and bias [n*H], n = n_blocks, from
// U(-1/sqrt(H), 1/sqrt(H)). The caller sets step and project.
rc_status rc_peephole_init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng,
                           int n_blocks, rc_param **weight_ih, rc_param **weight_hh,
                           rc_param **bias, char *err, size_t err_len);
// Adds a peephole vector `role` [H] from the same distribution.
rc_status rc_peephole_add(rc_cell *cell, rc_params *ps, rc_rng *rng, const char *role,
                          rc_param **out, char *err, size_t err_len);
// W_ih x + b: the part of every gate that does not depend on the state.
rc_var rc_peephole_project(const rc_cell_ctx *c, rc_var x, rc_param *weight_ih, rc_param *bias);
// The n blocks of xp + h W_hh^T, the gates' pre-activations before the peepholes.
void rc_peephole_preact(const rc_cell_ctx *c, rc_var xp, rc_var h, rc_param *weight_hh, int n,
                        rc_var *blocks);
// σ(a + p*cell_state): a gate with its peephole p [H].
rc_var rc_peephole_gate(const rc_cell_ctx *c, rc_var a, rc_param *p, rc_var cell_state);

#endif
