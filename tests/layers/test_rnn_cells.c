// Cells: initialisation, options, driving a cell by hand, a user-defined cell without an input
// projection, and every documented error of the cell and runner API.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rnn_util.h"
#include "test_util.h"

static rc_graph *g;
static rc_params *ps;
static void setup(void) {
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    cr_assert_eq(rc_params_new(&ps), RC_OK);
}
static void teardown(void) {
    rc_graph_free(&g);
    rc_params_free(&ps);
}
TestSuite(cells, .init = setup, .fini = teardown);
TestSuite(rnn_errors, .init = setup, .fini = teardown);

// PyTorch's default: every parameter from U(-1/sqrt(H), 1/sqrt(H)); the same seed, the same draw.
Test(cells, default_init_is_uniform_in_one_over_sqrt_h) {
    const int64_t H = 64;
    rc_cell *a = ru_cell(ps, RU_LSTM_PROJ, 16, H, "_a", 5);
    rc_cell *b = ru_cell(ps, RU_LSTM_PROJ, 16, H, "_b", 5);
    rc_cell *c = ru_cell(ps, RU_LSTM_PROJ, 16, H, "_c", 6);
    cr_assert_eq(a->n_weights, 5);
    const float bound = 1.0f / sqrtf((float)H);
    for (int k = 0; k < a->n_weights; k++) {
        rc_tensor va = rc_param_value(a->weight[k]), vb = rc_param_value(b->weight[k]);
        rc_tensor vc = rc_param_value(c->weight[k]);
        double sum = 0, maxabs = 0;
        for (int64_t i = 0; i < va.n; i++) {
            cr_assert(fabsf(va.data[i]) <= bound, "%s[%lld] = %g", rc_param_name(a->weight[k]),
                      (long long)i, (double)va.data[i]);
            sum += va.data[i];
            maxabs = fmax(maxabs, fabs(va.data[i]));
        }
        cr_assert(fabs(sum / (double)va.n) < 0.2 * bound, "mean near 0");
        cr_assert(maxabs > 0.9 * bound, "values reach the bound");
        cr_assert_eq(memcmp(va.data, vb.data, (size_t)va.n * 4), 0, "same seed, same values");
        cr_assert_neq(memcmp(va.data, vc.data, (size_t)va.n * 4), 0, "other seed");
    }
    cr_assert_str_eq(rc_param_name(a->weight[4]), "weight_hr_a");
    cr_assert(rc_shape_eq(rc_param_value(a->weight[4]).shape, RC_SHAPE(32, 64)));
    cr_assert(rc_shape_eq(rc_param_value(a->weight[1]).shape, RC_SHAPE(256, 32)),
              "weight_hh reads the projected h");
    cr_assert_eq(a->dim_out, 32);
    cr_assert_eq(a->state_dim[0], 32);
    cr_assert_eq(a->state_dim[1], 64);
    rc_cell_free(&a);
    rc_cell_free(&b);
    rc_cell_free(&c);
    cr_assert_null(a);
    rc_cell_free(&a); // NULL is fine
}

Test(cells, no_bias_leaves_the_biases_out) {
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_cell *c;
    rc_gru_opts o = {.dim_hidden = 4, .no_bias = true};
    cr_assert_eq(rc_cell_new(&c, &rc_gru_cell_type, &o, 3, ps, "gru.", NULL, &rng, NULL, 0), RC_OK);
    cr_assert_eq(rc_params_count(ps), 2);
    cr_assert_str_eq(rc_param_name(rc_params_at(ps, 1)), "gru.weight_hh");
    const rc_gru_params *p = c->params;
    cr_assert_null(p->bias_ih);
    // With no bias and a zero input and state, every output stays exactly zero.
    rc_var xs[2] = {rc_full(g, RC_SHAPE(2, 3), 0.0f), rc_full(g, RC_SHAPE(2, 3), 0.0f)}, ys[2];
    cr_assert_eq(rc_rnn_unroll(g, c, xs, 2, NULL, ys, NULL, NULL), RC_OK);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(rc_value(ys[1]).data[i], 0.0f);
    rc_cell_free(&c);
}

// A cell driven by hand: bind once, call step; the same as the runner for one step.
Test(cells, step_by_hand_equals_unroll) {
    rc_cell *c = ru_cell(ps, RU_LSTM, 3, 5, "", 2);
    rc_var x = ru_input(g, RC_SHAPE(2, 3), 1);
    rc_var prev[2] = {ru_input(g, RC_SHAPE(2, 5), 2), ru_input(g, RC_SHAPE(2, 5), 3)}, next[2];
    rc_cell_ctx ctx;
    rc_cell_begin(&ctx, g, c, 2, NULL, 0, 0);
    cr_assert_eq(ctx.weight[0].idx, rc_use(g, c->weight[0]).idx, "bound weights are the leaves");
    cr_assert_eq(rc_cell_use(&ctx, NULL).g, NULL, "an absent parameter is RC_NONE");
    rc_var y = c->step(&ctx, c->project(&ctx, x), prev, next);
    rc_var ys[1], sn[2];
    cr_assert_eq(rc_rnn_unroll(g, c, &x, 1, prev, ys, sn, NULL), RC_OK);
    ru_assert_close(rc_value(y), rc_value(ys[0]), 0, "output");
    ru_assert_close(rc_value(next[1]), rc_value(sn[1]), 0, "c");
    rc_cell_free(&c);
}

// ---- a user-defined cell without an input projection --------------------------------------------

// A minimal gated cell with two states: f = σ(W [x, h]), h' = f*h + (1-f)*tanh(x U), s' = s + h'.
// It reads x itself (no project), so it exercises the runners' per-step input path.
typedef struct toy_params {
    rc_param *w, *u;
} toy_params;

static rc_var toy_step(const rc_cell_ctx *c, rc_var x, const rc_var *prev, rc_var *next) {
    const toy_params *p = c->cell->params;
    rc_var xh[2] = {x, prev[0]};
    rc_var f = rc_sigmoid(rc_matmul_nt(rc_concat(xh, 2, 1), rc_cell_use(c, p->w)));
    next[0] = rc_lerp(f, prev[0], rc_tanh(rc_matmul_nt(x, rc_cell_use(c, p->u))));
    next[1] = rc_add(prev[1], next[0]);
    return next[0];
}

static rc_status toy_init(rc_cell *cell, const void *opts, rc_params *store, rc_rng *rng, char *err,
                          size_t err_len) {
    const int64_t H = *(const int64_t *)opts;
    toy_params *p = cell->params;
    cell->n_state = 2;
    cell->dim_hidden = cell->dim_out = cell->state_dim[0] = cell->state_dim[1] = H;
    cell->step = toy_step;
    rc_status st = rc_cell_add_weight(cell, store, "w", RC_SHAPE(H, cell->dim_in + H), 0.5f, rng,
                                      &p->w, err, err_len);
    return st ? st
              : rc_cell_add_weight(cell, store, "u", RC_SHAPE(H, cell->dim_in), 0.5f, rng, &p->u,
                                   err, err_len);
}

static const rc_cell_type toy_type = {
    .name = "toy", .params_size = sizeof(toy_params), .init = toy_init};

Test(cells, user_cell_without_projection_stacks_and_gradchecks) {
    const int64_t H = 3;
    rc_rnn_config cfg = {
        .cell = &toy_type, .cell_opts = &H, .dim_in = 2, .num_layers = 2, .bidirectional = true};
    rc_rng rng;
    rc_rng_seed(&rng, 4);
    rc_rnn *rnn;
    char err[256];
    cr_assert_eq(rc_rnn_new(&rnn, &cfg, ps, "toy.", &rng, err, sizeof err), RC_OK, "%s", err);
    cr_assert_str_eq(rc_param_name(rc_params_at(ps, 2)), "toy.w_l0_reverse");
    const int32_t lengths[3] = {3, 1, 2};
    rc_var x = rc_requires_grad(ru_input(g, RC_SHAPE(3, 3, 2), 1));
    rc_var s0[2] = {rc_requires_grad(ru_input(g, RC_SHAPE(4, 3, H), 2)), RC_NONE};
    rc_rnn_run run = {.lengths = lengths, .state0 = s0};
    rc_rnn_result res;
    cr_assert_eq(rc_rnn_forward(g, rnn, x, &run, &res), RC_OK, "%s", rc_graph_errmsg(g));
    cr_assert_eq(res.n_state, 2);
    cr_assert(rc_shape_eq(rc_shape_of(res.state[1]), RC_SHAPE(4, 3, H)));
    rc_var loss = rc_add(ru_weighted_sum(res.output, 3), ru_weighted_sum(res.state[1], 4));
    rc_gradcheck_opts o = rc_gradcheck_defaults();
    o.eps = 3e-3f;
    rc_gradcheck_report rep;
    cr_assert_eq(rc_gradcheck_loss(loss, &o, &rep), RC_OK);
    cr_assert_eq(rep.failed, 0, "%s", rep.worst);
    cr_assert_eq(rep.checked, rc_params_numel(ps) + 18 + 36);
    rc_rnn_free(&rnn);
}

// ---- errors -----------------------------------------------------------------------------------

static rc_status new_cell(const rc_cell_type *type, const void *opts, int64_t I, char *err) {
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_cell *c = (rc_cell *)0x1;
    rc_status st = rc_cell_new(&c, type, opts, I, ps, NULL, "_x", &rng, err, 256);
    if (st != RC_OK)
        cr_assert_null(c, "no cell on error");
    rc_cell_free(&c);
    return st;
}

#define ASSERT_MSG(err, text) cr_assert(strstr(err, text), "message: %s", err)

Test(rnn_errors, cell_options) {
    char err[256];
    cr_assert_eq(
        new_cell(&rc_lstm_cell_type, &(rc_lstm_opts){.dim_hidden = 4, .proj_size = 4}, 3, err),
        RC_ERR_ARG);
    ASSERT_MSG(err, "lstm: needs options with dim_hidden > 0 and proj_size in [0, dim_hidden), "
                    "got dim_hidden 4, proj_size 4");
    cr_assert_eq(new_cell(&rc_gru_cell_type, &(rc_gru_opts){0}, 3, err), RC_ERR_ARG);
    ASSERT_MSG(err, "gru: needs options with dim_hidden > 0, got 0");
    cr_assert_eq(new_cell(&rc_rnn_cell_type,
                          &(rc_rnn_cell_opts){.dim_hidden = 2, .nonlinearity = 7}, 3, err),
                 RC_ERR_ARG);
    ASSERT_MSG(err, "nonlinearity RC_RNN_TANH or RC_RNN_RELU");
    cr_assert_eq(new_cell(&rc_rnn_cell_type, NULL, 3, err), RC_ERR_ARG);
    cr_assert_eq(new_cell(&rc_gru_cell_type, &(rc_gru_opts){.dim_hidden = 2}, 0, err), RC_ERR_ARG);
    ASSERT_MSG(err, "gru: dim_in must be > 0, got 0");
    cr_assert_eq(rc_params_count(ps), 0, "bad options add no parameters");
    cr_assert_eq(new_cell(&rc_gru_cell_type, &(rc_gru_opts){.dim_hidden = 2}, 3, err), RC_OK);
    cr_assert_eq(new_cell(&rc_gru_cell_type, &(rc_gru_opts){.dim_hidden = 2}, 3, err), RC_ERR_ARG);
    ASSERT_MSG(err, "gru: a parameter named weight_ih_x exists already");
}

static rc_status greedy_init(rc_cell *cell, const void *opts, rc_params *store, rc_rng *rng,
                             char *err, size_t err_len) {
    (void)opts;
    rc_status st = RC_OK;
    for (int k = 0; k <= RC_CELL_MAX_WEIGHTS && st == RC_OK; k++) {
        char role[16];
        snprintf(role, sizeof role, "w%d", k);
        st = rc_cell_add_weight(cell, store, role, RC_SHAPE(1), 0.1f, rng, NULL, err, err_len);
    }
    return st;
}
static rc_status lazy_init(rc_cell *cell, const void *opts, rc_params *store, rc_rng *rng,
                           char *err, size_t err_len) {
    (void)cell, (void)opts, (void)store, (void)rng, (void)err, (void)err_len;
    return RC_OK;
}

Test(rnn_errors, cell_types_that_break_the_contract) {
    char err[256];
    const rc_cell_type greedy = {.name = "greedy", .params_size = 0, .init = greedy_init},
                       lazy = {.name = "lazy", .params_size = 0, .init = lazy_init};
    cr_assert_eq(new_cell(&greedy, NULL, 1, err), RC_ERR_ARG);
    ASSERT_MSG(err, "greedy: w16_x would be weight 17; a cell has at most 16");
    cr_assert_eq(new_cell(&lazy, NULL, 1, err), RC_ERR_ARG);
    ASSERT_MSG(err, "lazy: init left no step function or n_state 0 outside [1,4]");
}

static rc_status new_rnn(rc_rnn_config cfg, char *err) {
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_rnn *rnn = NULL;
    rc_status st = rc_rnn_new(&rnn, &cfg, ps, NULL, &rng, err, 256);
    rc_rnn_free(&rnn);
    return st;
}

Test(rnn_errors, rnn_config) {
    char err[256];
    rc_gru_opts o = {.dim_hidden = 3};
    rc_rnn_config ok = {.cell = &rc_gru_cell_type, .cell_opts = &o, .dim_in = 2, .num_layers = 1};
    rc_rnn_config c = ok;
    c.num_layers = 0;
    cr_assert_eq(new_rnn(c, err), RC_ERR_ARG);
    ASSERT_MSG(err, "rc_rnn_new: num_layers must be >= 1, got 0");
    c = ok;
    c.dropout = 1.0f;
    cr_assert_eq(new_rnn(c, err), RC_ERR_ARG);
    ASSERT_MSG(err, "rc_rnn_new: dropout must be in [0,1), got 1");
    c = ok;
    c.dim_in = -1;
    cr_assert_eq(new_rnn(c, err), RC_ERR_ARG);
    ASSERT_MSG(err, "rc_rnn_new: dim_in must be > 0, got -1");
    c = ok;
    c.cell = NULL;
    cr_assert_eq(new_rnn(c, err), RC_ERR_ARG);
    ASSERT_MSG(err, "config->cell must be set");
    c = ok;
    c.num_layers = 2;
    o.dim_hidden = 0;
    cr_assert_eq(new_rnn(c, err), RC_ERR_ARG);
    ASSERT_MSG(err, "gru: needs options with dim_hidden > 0");
}

static void assert_graph_error(rc_status got, rc_status want, const char *text) {
    cr_assert_eq(got, want, "status %d, message: %s", got, rc_graph_errmsg(g));
    cr_assert_eq(rc_graph_status(g), want);
    cr_assert(strstr(rc_graph_errmsg(g), text), "message: %s", rc_graph_errmsg(g));
    rc_graph_reset(g);
}

Test(rnn_errors, unroll_arguments) {
    rc_cell *c = ru_cell(ps, RU_LSTM, 3, 4, "", 1);
    rc_var xs[3];
    for (int t = 0; t < 3; t++)
        xs[t] = ru_input(g, RC_SHAPE(2, 3), 1);
    assert_graph_error(rc_rnn_unroll(g, c, xs, 0, NULL, NULL, NULL, NULL), RC_ERR_ARG,
                       "rc_rnn_unroll: needs T >= 1 inputs, got T = 0");
    for (int t = 0; t < 3; t++)
        xs[t] = ru_input(g, RC_SHAPE(2, 3), 1);
    xs[2] = ru_input(g, RC_SHAPE(3, 3), 1);
    assert_graph_error(rc_rnn_unroll(g, c, xs, 3, NULL, NULL, NULL, NULL), RC_ERR_SHAPE,
                       "xs[2] is [3,3]; the lstm cell wants [B,3] with B = 2 as xs[0]");
    for (int t = 0; t < 3; t++)
        xs[t] = ru_input(g, RC_SHAPE(2, 3), 1);
    rc_unroll_opts o = {.lengths = (const int32_t[]){3, 4}};
    assert_graph_error(rc_rnn_unroll(g, c, xs, 3, NULL, NULL, NULL, &o), RC_ERR_RANGE,
                       "lengths[1] = 4 is outside [0, T=3]");
    for (int t = 0; t < 3; t++)
        xs[t] = ru_input(g, RC_SHAPE(2, 3), 1);
    rc_var s0[2] = {RC_NONE, ru_input(g, RC_SHAPE(2, 5), 1)};
    assert_graph_error(rc_rnn_unroll(g, c, xs, 3, s0, NULL, NULL, NULL), RC_ERR_SHAPE,
                       "state0[1] is [2,5]; the lstm cell wants [2,4]");
    rc_var stale = ru_input(g, RC_SHAPE(2, 3), 1);
    rc_graph_reset(g);
    rc_var ys[1] = {RC_NONE};
    assert_graph_error(rc_rnn_unroll(g, c, &stale, 1, NULL, ys, NULL, NULL), RC_ERR_ARG,
                       "xs[0] is not a valid handle of this graph");
    // A graph that failed earlier is left alone.
    rc_graph_set_error(g, RC_ERR_RANGE, "earlier", "first");
    xs[0] = RC_NONE;
    cr_assert_eq(rc_rnn_unroll(g, c, xs, 1, NULL, NULL, NULL, NULL), RC_ERR_RANGE);
    cr_assert_str_eq(rc_graph_errmsg(g), "earlier: first");
    rc_cell_free(&c);
}

Test(rnn_errors, forward_arguments) {
    rc_rnn *rnn = ru_make(ps, RU_LSTM, 3, 4, 2, true, 0.5f, 1);
    rc_rnn_result res;
    assert_graph_error(rc_rnn_forward(g, rnn, ru_input(g, RC_SHAPE(2, 3), 1), NULL, &res),
                       RC_ERR_SHAPE, "rc_rnn_forward: x is [2,3]; want [T,B,I] with I = 3");
    assert_graph_error(rc_rnn_forward(g, rnn, ru_input(g, RC_SHAPE(2, 2, 4), 1),
                                      &(rc_rnn_run){.batch_first = true}, &res),
                       RC_ERR_SHAPE, "x is [2,2,4]; want [B,T,I] with I = 3");
    rc_var s0[2] = {ru_input(g, RC_SHAPE(2, 2, 4), 1), RC_NONE};
    assert_graph_error(rc_rnn_forward(g, rnn, ru_input(g, RC_SHAPE(5, 2, 3), 1),
                                      &(rc_rnn_run){.state0 = s0}, &res),
                       RC_ERR_SHAPE, "state0[0] is [2,2,4]; want [L*D,B,4] = [4,2,4]");
    assert_graph_error(rc_rnn_forward(g, rnn, ru_input(g, RC_SHAPE(5, 2, 3), 1),
                                      &(rc_rnn_run){.training = true}, &res),
                       RC_ERR_ARG, "rc_rnn_forward: dropout 0.5 in training needs run->rng");
    assert_graph_error(rc_rnn_forward_steps(g, rnn, NULL, 3, NULL, NULL, &res), RC_ERR_ARG,
                       "rc_rnn_forward_steps: needs T >= 1 inputs, got T = 3 and xs == NULL");
    cr_assert_eq(res.output.g, NULL, "a failed forward leaves RC_NONE results");
    rc_rnn_free(&rnn);
}

Test(rnn_errors, set_error_names_who_and_scope) {
    rc_scope_push(g, "layer0");
    rc_graph_set_error(g, RC_ERR_ARG, "my_layer", "bad %s", "thing");
    rc_graph_set_error(g, RC_ERR_SHAPE, "other", "second");
    cr_assert_eq(rc_graph_status(g), RC_ERR_ARG, "the first error wins");
    cr_assert_str_eq(rc_graph_errmsg(g), "my_layer (scope layer0): bad thing");
}
