// bench/rnn: recur's stacked RNN, LSTM and GRU (rc_rnn_forward) on the cases of rnn_common.c,
// with recur's built-in cells (--impl builtin, the default) or the same cells composed in this
// file from public primitive ops (--impl composed), as a user would write them (docs/rnn.md).
// bench/rnn_dnnl.c runs oneDNN's fused primitives, bench/rnn_torch.py PyTorch, and
// bench/run_rnn.sh runs them all, one process per case, and prints one table.
//
// --mode train (default): one training step: reset the graph, copy x [T,B,I] in, run all layers,
// MSE against a fixed target [T,B,D*H], back-propagate into the parameters (gradients zeroed
// before the clock starts; no optimizer). --mode infer: the forward pass alone, with gradients
// off (rc_graph_set_grad_enabled false). Prints one `key=value` line per case (rnn_common.h).
// --check: runs each cell, built-in and composed, on a tiny 2-layer bidirectional case with the
// same weights and prints the largest difference of outputs and gradients (fails above 1e-5).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn_common.h"

// ---- the composed cells: PyTorch's formulas and layout from public primitive ops ---------------

// The input half of every gate, for all time steps in one GEMM: x [N,I] -> [N,G*H]. The three
// cells' parameter structs begin with weight_ih, weight_hh, bias_ih, bias_hh in this order.
static rc_var composed_project(const rc_cell_ctx *c, rc_var x) {
    const rc_lstm_params *p = c->cell->params;
    return rc_linear(x, rc_cell_use(c, p->weight_ih), rc_cell_use(c, p->bias_ih));
}

static rc_var composed_hidden(const rc_cell_ctx *c, rc_var h) {
    const rc_lstm_params *p = c->cell->params;
    return rc_linear(h, rc_cell_use(c, p->weight_hh), rc_cell_use(c, p->bias_hh));
}

// [i f g o] = xp + W_hh h + b_hh; c' = σ(f)*c + σ(i)*tanh(g); h' = σ(o)*tanh(c').
static rc_var lstm_step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    rc_var g[4];
    rc_split(rc_add(xp, composed_hidden(c, prev[0])), 1, 4, g);
    next[1] = rc_add(rc_mul(rc_sigmoid(g[1]), prev[1]), rc_mul(rc_sigmoid(g[0]), rc_tanh(g[2])));
    next[0] = rc_mul(rc_sigmoid(g[3]), rc_tanh(next[1]));
    return next[0];
}

// r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r*h_n), h' = z*h + (1-z)*n.
static rc_var gru_step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    rc_var x[3], h[3];
    rc_split(xp, 1, 3, x);
    rc_split(composed_hidden(c, prev[0]), 1, 3, h);
    rc_var r = rc_sigmoid(rc_add(x[0], h[0])), z = rc_sigmoid(rc_add(x[1], h[1]));
    rc_var n = rc_tanh(rc_add(x[2], rc_mul(r, h[2])));
    next[0] = rc_lerp(z, prev[0], n);
    return next[0];
}

// h' = tanh(xp + W_hh h + b_hh).
static rc_var rnn_step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    next[0] = rc_tanh(rc_add(xp, composed_hidden(c, prev[0])));
    return next[0];
}

// The weights of a cell of G gate blocks, as PyTorch names and starts them.
#define COMPOSED_WEIGHTS(G)                                                                        \
    {RC_WEIGHT_AT(rc_lstm_params, weight_ih), .rows = {.h = G}, .cols = {.i = 1}},                 \
        {RC_WEIGHT_AT(rc_lstm_params, weight_hh), .rows = {.h = G}, .cols = {.h = 1}},             \
        {RC_WEIGHT_AT(rc_lstm_params, bias_ih), .rows = {.h = G}},                                 \
        {RC_WEIGHT_AT(rc_lstm_params, bias_hh), .rows = {.h = G}},
static const rc_weight_spec lstm_weights[] = {COMPOSED_WEIGHTS(4)};
static const rc_weight_spec gru_weights[] = {COMPOSED_WEIGHTS(3)};
static const rc_weight_spec rnn_weights[] = {COMPOSED_WEIGHTS(1)};
static const rc_cell_layout lstm_layout = {
    RC_CELL_LAYOUT(2, lstm_step, composed_project, lstm_weights)};
static const rc_cell_layout gru_layout = {
    RC_CELL_LAYOUT(1, gru_step, composed_project, gru_weights)};
static const rc_cell_layout rnn_layout = {
    RC_CELL_LAYOUT(1, rnn_step, composed_project, rnn_weights)};
#define COMPOSED_TYPE(name_, layout_)                                                              \
    {                                                                                              \
        .name = name_, .params_size = sizeof(rc_lstm_params), .init = rc_cell_init_layout,         \
        .layout = &(layout_)                                                                       \
    }
static const rc_cell_type composed_types[] = {
    COMPOSED_TYPE("lstm", lstm_layout),
    COMPOSED_TYPE("gru", gru_layout),
    COMPOSED_TYPE("rnn", rnn_layout),
};

static rc_rnn *composed_rnn(const rnn_case *c, rc_params *ps, rc_rng *rng) {
    const int k = !strcmp(c->cell, "lstm") ? 0 : !strcmp(c->cell, "gru") ? 1 : 2;
    const int64_t h = c->H;
    rc_rnn_config cfg = {.cell = &composed_types[k],
                         .cell_opts = &h,
                         .dim_in = c->I,
                         .num_layers = c->L,
                         .bidirectional = c->bidirectional};
    rc_rnn *r;
    char err[256];
    if (rc_rnn_new(&r, &cfg, ps, "", rng, err, sizeof err) != RC_OK)
        rnn_die(c->name, err);
    return r;
}

static rc_rnn *make_rnn(const rnn_case *c, bool composed, rc_params *ps, rc_rng *rng) {
    return composed ? composed_rnn(c, ps, rng) : rnn_builtin(c, ps, rng);
}

// ---- timing -------------------------------------------------------------------------------------

// One step (forward + MSE + backward, or the forward alone with gradients off) per rep after two
// warm-up steps that size the arenas.
static void bench_case(const rnn_case *c, const rnn_opts *o, bool composed) {
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_params *ps;
    rc_graph *g;
    if (rc_params_new(&ps) || rc_graph_new(&g))
        rnn_die(c->name, "setup failed");
    rc_rnn *rnn = make_rnn(c, composed, ps, &rng);
    rc_graph_set_grad_enabled(g, !o->infer);
    const int D = c->bidirectional ? 2 : 1;
    float *x = rnn_random_floats((int64_t)c->T * c->B * c->I, &rng);
    float *target = rnn_random_floats((int64_t)c->T * c->B * D * c->H, &rng);
    rnn_times times = rnn_times_new(o->reps);
    float loss_value = 0;
    for (int r = -2; r < o->reps; r++) {
        rc_params_zero_grad(ps);
        const double c0 = rnn_cpu_ms(), t0 = rnn_wall_ms();
        rc_graph_reset(g);
        rc_var xv = rc_input(g, RC_SHAPE(c->T, c->B, c->I), x);
        rc_rnn_result out;
        rc_rnn_forward(g, rnn, xv, &(rc_rnn_run){.training = !o->infer}, &out);
        rc_var tv = rc_input(g, RC_SHAPE(c->T, c->B, D * c->H), target);
        rc_var loss = o->infer ? RC_NONE : rc_mse(out.output, tv, RC_REDUCE_MEAN);
        const double t1 = rnn_wall_ms();
        if (!o->infer && rc_backward(loss) != RC_OK)
            rnn_die(c->name, rc_graph_errmsg(g));
        const double t2 = rnn_wall_ms(), c2 = rnn_cpu_ms();
        loss_value = rc_item(o->infer ? rc_mse(out.output, tv, RC_REDUCE_MEAN) : loss);
        if (!isfinite(loss_value))
            rnn_die(c->name, rc_graph_errmsg(g));
        rnn_times_record(&times, r, t0, t1, t2, c0, c2);
    }
    rnn_times_report(&times, c, o, composed ? "composed" : "recur", (double)loss_value);
    free(x), free(target);
    rc_rnn_free(&rnn);
    rc_graph_free(&g);
    rc_params_free(&ps);
}

// ---- --check: built-in against composed ---------------------------------------------------------

// The built-in and the composed rnn of one case with the same weights (copied by name).
typedef struct twin {
    rc_params *ps[2];
    rc_rnn *rnn[2];
} twin;

static twin twin_new(const rnn_case *c) {
    twin t;
    rc_rng rng;
    for (int k = 0; k < 2; k++) {
        rc_rng_seed(&rng, 7 + (uint64_t)k);
        if (rc_params_new(&t.ps[k]))
            rnn_die(c->name, "setup failed");
        t.rnn[k] = make_rnn(c, k == 1, t.ps[k], &rng);
    }
    for (int i = 0; i < rc_params_count(t.ps[0]); i++) {
        rc_param *src = rc_params_at(t.ps[0], i);
        rc_param *dst = rc_params_find(t.ps[1], rc_param_name(src));
        if (!dst)
            rnn_die(c->name, "composed cell lacks a parameter of the built-in one");
        const rc_tensor a = rc_param_value(src), b = rc_param_value(dst);
        memcpy(b.data, a.data, sizeof(float) * (size_t)a.n);
    }
    return t;
}

// The largest difference of the outputs and of every parameter's gradient after one step.
static double twin_step_diff(const rnn_case *c, twin *t, const float *x, const float *target) {
    rc_graph *g[2];
    rc_var out[2];
    const int D = c->bidirectional ? 2 : 1;
    for (int k = 0; k < 2; k++) {
        if (rc_graph_new(&g[k]))
            rnn_die(c->name, "setup failed");
        rc_params_zero_grad(t->ps[k]);
        rc_rnn_result res;
        rc_rnn_forward(g[k], t->rnn[k], rc_input(g[k], RC_SHAPE(c->T, c->B, c->I), x), NULL, &res);
        out[k] = res.output;
        rc_var tv = rc_input(g[k], RC_SHAPE(c->T, c->B, D * c->H), target);
        if (rc_backward(rc_mse(out[k], tv, RC_REDUCE_MEAN)) != RC_OK)
            rnn_die(c->name, rc_graph_errmsg(g[k]));
    }
    double d = rnn_max_diff(rc_value(out[0]).data, rc_value(out[1]).data, rc_value(out[0]).n);
    for (int i = 0; i < rc_params_count(t->ps[0]); i++) {
        rc_param *p0 = rc_params_at(t->ps[0], i);
        const rc_tensor a = rc_param_grad(p0);
        const rc_tensor b = rc_param_grad(rc_params_find(t->ps[1], rc_param_name(p0)));
        d = fmax(d, rnn_max_diff(a.data, b.data, a.n));
    }
    rc_graph_free(&g[0]);
    rc_graph_free(&g[1]);
    return d;
}

static bool check_cell(const char *cell) {
    const rnn_case c = {"check", cell, 5, 3, 4, 6, 2, true};
    twin t = twin_new(&c);
    rc_rng rng;
    rc_rng_seed(&rng, 3);
    float *x = rnn_random_floats((int64_t)c.T * c.B * c.I, &rng);
    float *target = rnn_random_floats((int64_t)c.T * c.B * 2 * c.H, &rng);
    const double d = twin_step_diff(&c, &t, x, target);
    printf("check %s: built-in against composed, 2 layers, bidirectional, T=%d B=%d I=%d H=%d: "
           "max |difference| of outputs and gradients %.3g\n",
           cell, c.T, c.B, c.I, c.H, d);
    free(x), free(target);
    for (int k = 0; k < 2; k++) {
        rc_rnn_free(&t.rnn[k]);
        rc_params_free(&t.ps[k]);
    }
    return d <= 1e-5;
}

int main(int argc, char **argv) {
    rnn_opts o;
    rnn_parse_args(argc, argv, &o);
    if (o.impl && strcmp(o.impl, "builtin") && strcmp(o.impl, "composed"))
        rnn_die(o.impl, "--impl is builtin or composed");
    if (o.check) {
        const bool ok = check_cell("lstm") & check_cell("gru") & check_cell("rnn");
        return ok ? 0 : 1;
    }
    rc_set_num_threads(o.threads);
    for (int i = 0; i < rnn_n_cases; i++)
        if (o.run[i])
            bench_case(&rnn_cases[i], &o, o.impl && !strcmp(o.impl, "composed"));
    return 0;
}
