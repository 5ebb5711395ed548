// Pieces shared by the GRU-family cells: gru_cho.c, mgu.c and MUT1, MUT2, MUT3 of Jozefowicz et
// al. 2015 (mut*.c). Weights come from U(-1/sqrt(H), 1/sqrt(H)). Not exported.
#ifndef RECUR_MUT_IMPL_H
#define RECUR_MUT_IMPL_H

#include <stddef.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

// clang-format off
// A square recurrent weight `field` [H,H].
#define RC_GRU_SQUARE(params_t, field)                                                             \
    {RC_WEIGHT_AT(params_t, field), .rows = {.h = 1}, .cols = {.h = 1}}
// The table of gru_cho and mgu: weight_ih [n*H,I], weight_hh [n_hh*H,H], weight_hh_n [H,H] and
// bias [n*H] (absent with no_bias).
#define RC_GRU_ROWS(params_t, n, n_hh)                                                             \
    {RC_WEIGHT_AT(params_t, weight_ih), .rows = {.h = (n)}, .cols = {.i = 1}},                     \
    {RC_WEIGHT_AT(params_t, weight_hh), .rows = {.h = (n_hh)}, .cols = {.h = 1}},                  \
    RC_GRU_SQUARE(params_t, weight_hh_n),                                                          \
    {RC_WEIGHT_AT(params_t, bias), .rows = {.h = (n)}, .when = RC_WHEN_BIAS}
// The table, layout and type `var` of gru_cho and mgu: state [h], options opts_t with no_bias,
// over the file's `step` and `project`.
#define RC_GRU_CELL_TYPE(var, name, summary, params_t, opts_t, n, n_hh)                            \
    static const rc_weight_spec weights[] = {RC_GRU_ROWS(params_t, n, n_hh)};                      \
    static const rc_cell_layout layout = {RC_CELL_LAYOUT(1, step, project, weights),               \
                                          .opts_name = #opts_t,                                    \
                                          .no_bias = offsetof(opts_t, no_bias)};                   \
    RC_CELL_TYPE_FROM_LAYOUT(var, name, summary, params_t, opts_t, layout, NULL)
// The `project` of gru_cho, mgu and MUT3: W_ih x + b (b absent with no_bias).
#define RC_GRU_LINEAR_PROJECT(params_t)                                                            \
    static rc_var project(const rc_cell_ctx *c, rc_var x) {                                        \
        const params_t *p = c->cell->params;                                                       \
        return rc_linear(x, rc_cell_use(c, p->weight_ih), rc_cell_use(c, p->bias));                \
    }
// weight_ih of MUT1 and MUT2: [2H,I] when I == H (x̂ = x), else [3H,I] with the map to x̂.
#define RC_MUT_IH(params_t)                                                                        \
    {RC_WEIGHT_AT(params_t, weight_ih), .rows = {.h = 2}, .cols = {.i = 1}, .when = RC_WHEN_I_IS_H}, \
    {RC_WEIGHT_AT(params_t, weight_ih), .rows = {.h = 3}, .cols = {.i = 1}, .when = RC_WHEN_I_NOT_H}
// The last rows of every MUT: weight_hh_n [H,H], bias [3H].
#define RC_MUT_TAIL(params_t)                                                                      \
    RC_GRU_SQUARE(params_t, weight_hh_n), {RC_WEIGHT_AT(params_t, bias), .rows = {.h = 3}}
// The layout of a MUT: state [h], H wide; options rc_mut_opts.
#define RC_MUT_LAYOUT(step, project, table)                                                        \
    RC_CELL_LAYOUT(1, step, project, table), .opts_name = "rc_mut_opts"
// A MUT's table (the rows after params_t), layout over the file's step and project, and type var.
#define RC_MUT_CELL_TYPE(var, name, summary, params_t, ...)                                        \
    static const rc_weight_spec weights[] = {__VA_ARGS__};                                         \
    static const rc_cell_layout layout = {RC_MUT_LAYOUT(step, project, weights)};                  \
    RC_CELL_TYPE_FROM_LAYOUT(var, name, summary, params_t, rc_mut_opts, layout, NULL)
// clang-format on
// The candidate tanh(a + (gate*h) W_n^T): weight_hh_n reads the gated state (r*h, or f*h).
rc_var rc_gru_candidate(const rc_cell_ctx *c, rc_var a, rc_var gate, rc_var h,
                        rc_param *weight_hh_n);
// The input projection of MUT1 and MUT2: [W_a x | W_b x | act(x̂)] + bias, where weight_ih holds
// the blocks a, b (and, when I != H, the map to x̂; else x̂ = x) and act is tanh or the identity.
rc_var rc_mut_project(const rc_cell_ctx *c, rc_var x, rc_param *weight_ih, rc_param *bias,
                      bool tanh_of_x);

#endif
