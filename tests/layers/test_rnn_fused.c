// The built-in LSTM and GRU cells step through the fused gate ops (rc_lstm_state, rc_lstm_output,
// rc_gru_state). Here the same cells written with split, sigmoid, tanh, mul, add and lerp run the
// same stacked, bidirectional, variable-length batch from the same parameters: outputs, final
// states and every parameter gradient must be the same bits. And a training step at a size where
// the gate passes and the per-step products run on two threads gives the bits of one thread.
#include <stdio.h>
#include <string.h>

#include "rnn_util.h"
#include "test_util.h"

static rc_var composed_lstm_step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev,
                                 rc_var *next) {
    const rc_lstm_params *p = c->cell->params;
    rc_var gates =
        rc_add(xp, rc_linear(prev[0], rc_cell_use(c, p->weight_hh), rc_cell_use(c, p->bias_hh)));
    rc_var ifgo[4];
    rc_split(gates, 1, 4, ifgo);
    rc_var i = rc_sigmoid(ifgo[0]), f = rc_sigmoid(ifgo[1]);
    rc_var g = rc_tanh(ifgo[2]), o = rc_sigmoid(ifgo[3]);
    next[1] = rc_add(rc_mul(f, prev[1]), rc_mul(i, g));
    rc_var h = rc_mul(o, rc_tanh(next[1]));
    next[0] = p->weight_hr ? rc_matmul_nt(h, rc_cell_use(c, p->weight_hr)) : h;
    return next[0];
}

static rc_var composed_gru_step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_gru_params *p = c->cell->params;
    rc_var hp = rc_linear(prev[0], rc_cell_use(c, p->weight_hh), rc_cell_use(c, p->bias_hh));
    rc_var xi[3], hi[3];
    rc_split(xp, 1, 3, xi);
    rc_split(hp, 1, 3, hi);
    rc_var r = rc_sigmoid(rc_add(xi[0], hi[0]));
    rc_var z = rc_sigmoid(rc_add(xi[1], hi[1]));
    rc_var n = rc_tanh(rc_add(xi[2], rc_mul(r, hi[2])));
    next[0] = rc_lerp(z, prev[0], n);
    return next[0];
}

// The built-in type's init (same parameters, names and draws), then the composed step.
static rc_status composed_lstm_init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng,
                                    char *err, size_t len) {
    const rc_status st = rc_lstm_cell_type.init(cell, opts, ps, rng, err, len);
    cell->step = composed_lstm_step;
    return st;
}

static rc_status composed_gru_init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng,
                                   char *err, size_t len) {
    const rc_status st = rc_gru_cell_type.init(cell, opts, ps, rng, err, len);
    cell->step = composed_gru_step;
    return st;
}

static const rc_cell_type composed_lstm = {
    .name = "lstm", .params_size = sizeof(rc_lstm_params), .init = composed_lstm_init};
static const rc_cell_type composed_gru = {
    .name = "gru", .params_size = sizeof(rc_gru_params), .init = composed_gru_init};

typedef struct side {
    rc_params *ps;
    rc_rnn *rnn;
    rc_graph *g;
    rc_rnn_result res;
} side;

// Builds and runs one side: 2 layers, both directions, unsorted lengths, given initial states,
// a weighted-sum loss over the output and the final states, backward.
static void run_side(side *s, const rc_cell_type *type, const void *opts) {
    enum { T = 6, B = 5, I = 7 };
    const int32_t lengths[B] = {6, 2, 5, 0, 3};
    cr_assert_eq(rc_params_new(&s->ps), RC_OK);
    cr_assert_eq(rc_graph_new(&s->g), RC_OK);
    rc_rng rng;
    rc_rng_seed(&rng, 21);
    rc_rnn_config cfg = {
        .cell = type, .cell_opts = opts, .dim_in = I, .num_layers = 2, .bidirectional = true};
    char err[256];
    cr_assert_eq(rc_rnn_new(&s->rnn, &cfg, s->ps, "", &rng, err, sizeof err), RC_OK, "%s", err);
    const rc_cell *c0 = s->rnn->cells[0];
    rc_var state0[RC_CELL_MAX_STATE] = {RC_NONE, RC_NONE, RC_NONE, RC_NONE};
    for (int k = 0; k < c0->n_state; k++)
        state0[k] = rc_requires_grad(ru_input(s->g, RC_SHAPE(4, B, c0->state_dim[k]), 30 + k));
    rc_rnn_run run = {.lengths = lengths, .state0 = state0};
    rc_var x = ru_input(s->g, RC_SHAPE(T, B, I), 3);
    cr_assert_eq(rc_rnn_forward(s->g, s->rnn, x, &run, &s->res), RC_OK, "%s",
                 rc_graph_errmsg(s->g));
    rc_var loss = ru_weighted_sum(s->res.output, 40);
    for (int k = 0; k < s->res.n_state; k++)
        loss = rc_add(loss, ru_weighted_sum(s->res.state[k], 41 + (uint64_t)k));
    cr_assert_eq(rc_backward(loss), RC_OK, "%s", rc_graph_errmsg(s->g));
}

static void free_side(side *s) {
    rc_rnn_free(&s->rnn);
    rc_graph_free(&s->g);
    rc_params_free(&s->ps);
}

static void check(const rc_cell_type *builtin, const rc_cell_type *composed, const void *opts,
                  const char *name) {
    side a, b;
    run_side(&a, builtin, opts);
    run_side(&b, composed, opts);
    char what[128];
    snprintf(what, sizeof what, "%s output", name);
    ru_assert_close(rc_value(a.res.output), rc_value(b.res.output), 0, what);
    for (int k = 0; k < a.res.n_state; k++) {
        snprintf(what, sizeof what, "%s state %d", name, k);
        ru_assert_close(rc_value(a.res.state[k]), rc_value(b.res.state[k]), 0, what);
    }
    cr_assert_eq(rc_params_count(a.ps), rc_params_count(b.ps));
    for (int i = 0; i < rc_params_count(a.ps); i++) {
        rc_param *pa = rc_params_at(a.ps, i), *pb = rc_params_at(b.ps, i);
        snprintf(what, sizeof what, "%s grad %s", name, rc_param_name(pa));
        ru_assert_close(rc_param_grad(pa), rc_param_grad(pb), 0, what);
    }
    free_side(&a);
    free_side(&b);
}

Test(rnn_fused, lstm_cell_equals_the_composed_cell_bit_for_bit) {
    const rc_lstm_opts plain = {.dim_hidden = 12}, proj = {.dim_hidden = 12, .proj_size = 5};
    check(&rc_lstm_cell_type, &composed_lstm, &plain, "lstm");
    check(&rc_lstm_cell_type, &composed_lstm, &proj, "lstm proj");
}

Test(rnn_fused, gru_cell_equals_the_composed_cell_bit_for_bit) {
    const rc_gru_opts o = {.dim_hidden = 12};
    check(&rc_gru_cell_type, &composed_gru, &o, "gru");
}

// Output and every parameter gradient of one training step with `threads` threads, copied out.
static float *step_with_threads(const rc_cell_type *type, const void *opts, int threads) {
    enum { T = 3, B = 32, I = 16, H = 128 };
    rc_set_num_threads(threads);
    side s;
    cr_assert_eq(rc_params_new(&s.ps), RC_OK);
    cr_assert_eq(rc_graph_new(&s.g), RC_OK);
    rc_rng rng;
    rc_rng_seed(&rng, 5);
    rc_rnn_config cfg = {.cell = type, .cell_opts = opts, .dim_in = I, .num_layers = 1};
    char err[256];
    cr_assert_eq(rc_rnn_new(&s.rnn, &cfg, s.ps, "", &rng, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_rnn_forward(s.g, s.rnn, ru_input(s.g, RC_SHAPE(T, B, I), 6), NULL, &s.res),
                 RC_OK);
    cr_assert_eq(rc_backward(ru_weighted_sum(s.res.output, 7)), RC_OK, "%s", rc_graph_errmsg(s.g));
    int64_t n = rc_value(s.res.output).n;
    for (int i = 0; i < rc_params_count(s.ps); i++)
        n += rc_param_grad(rc_params_at(s.ps, i)).n;
    float *all = malloc(sizeof(float) * (size_t)n), *at = all;
    cr_assert_not_null(all);
    memcpy(at, rc_value(s.res.output).data, sizeof(float) * (size_t)rc_value(s.res.output).n);
    at += rc_value(s.res.output).n;
    for (int i = 0; i < rc_params_count(s.ps); i++) {
        const rc_tensor gr = rc_param_grad(rc_params_at(s.ps, i));
        memcpy(at, gr.data, sizeof(float) * (size_t)gr.n);
        at += gr.n;
    }
    free_side(&s);
    return all;
}

Test(rnn_fused, one_and_two_threads_give_the_same_bits) {
    const int before = rc_get_num_threads();
    const rc_lstm_opts lstm = {.dim_hidden = 128};
    const rc_gru_opts gru = {.dim_hidden = 128};
    const rc_cell_type *types[2] = {&rc_lstm_cell_type, &rc_gru_cell_type};
    const void *opts[2] = {&lstm, &gru};
    // The output [T,B,H], then the weights and biases: [kH,I], [kH,H], [kH] twice.
    const size_t n[2] = {3 * 32 * 128 + 4 * 128 * (16 + 128 + 2),
                         3 * 32 * 128 + 3 * 128 * (16 + 128 + 2)};
    for (int k = 0; k < 2; k++) {
        float *one = step_with_threads(types[k], opts[k], 1);
        float *two = step_with_threads(types[k], opts[k], 2);
        cr_assert_arr_eq(one, two, sizeof(float) * n[k], "%s: 1 and 2 threads differ",
                         types[k]->name);
        free(one), free(two);
    }
    rc_set_num_threads(before);
}
