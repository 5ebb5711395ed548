// A user-defined recurrent cell, start to finish: JANET, the forget-gate-only LSTM of
// van der Westhuizen & Lasenby (2018, "The unreasonable effectiveness of the forget gate"):
//   s = W_f x + U_f h + b_f,  c~ = tanh(W_c x + U_c h + b_c),
//   h' = σ(s) * h + (1 - σ(s - β)) * c~,   β = 1.
// The cell is a step function of public ops and a table of its parameters; recur's
// runners give it stacking, both directions, variable lengths and hooks, and autograd gives it a
// backward. This program trains it on the adding problem, gradient-checks it on a 2-layer
// bidirectional batch of unequal lengths, and writes its unrolled graph as DOT.
//
// Run: ./build/examples/custom_cell [output-dir]   (writes janet.dot there; default ".")
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/recur.h>

// ---- the cell -----------------------------------------------------------------------------------

typedef struct janet_params {
    rc_param *weight_ih, *weight_hh, *bias; // [2H,I] and [2H,H] with blocks [f|c], [2H]
} janet_params;

// The input half of both gates, for all time steps in one GEMM: x [N,I] -> [N,2H].
static rc_var janet_project(const rc_cell_ctx *c, rc_var x) {
    const janet_params *p = c->cell->params;
    return rc_linear(x, rc_cell_use(c, p->weight_ih), rc_cell_use(c, p->bias));
}

static rc_var janet_step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const janet_params *p = c->cell->params;
    rc_var pre = rc_add(xp, rc_matmul_nt(prev[0], rc_cell_use(c, p->weight_hh)));
    rc_var fc[2];
    rc_split(pre, 1, 2, fc);
    rc_var keep = rc_sigmoid(fc[0]);
    rc_var write = rc_sigmoid(rc_affine(fc[0], -1.0f, 1.0f)); // 1 - σ(s - β) = σ(β - s)
    next[0] = rc_add(rc_mul(keep, prev[0]), rc_mul(write, rc_tanh(fc[1])));
    return next[0];
}

// The weights as a table: role (also the field's name), shape in multiples of H and I, and the
// default start U(-1/sqrt(H), 1/sqrt(H)). rc_cell_init_layout checks the options (an int64_t H,
// > 0), sets the sizes and adds these rows in order.
static const rc_weight_spec janet_weights[] = {
    {RC_WEIGHT_AT(janet_params, weight_ih), .rows = {.h = 2}, .cols = {.i = 1}},
    {RC_WEIGHT_AT(janet_params, weight_hh), .rows = {.h = 2}, .cols = {.h = 1}},
    {RC_WEIGHT_AT(janet_params, bias), .rows = {.h = 2}},
};
static const rc_cell_layout janet_layout = {
    RC_CELL_LAYOUT(1, janet_step, janet_project, janet_weights)};

static const rc_cell_type janet_cell = {.name = "janet",
                                        .params_size = sizeof(janet_params),
                                        .init = rc_cell_init_layout,
                                        .layout = &janet_layout};

// ---- the adding problem -----------------------------------------------------------------------

enum { T = 30, B = 32, H = 16, STEPS = 1000 };

// x [T,B,2]: uniform values and two markers; y [B] the sum of the two marked values.
static void adding_batch(rc_rng *rng, int n, float *x, float *y) {
    memset(x, 0, (size_t)T * n * 2 * sizeof *x);
    for (int b = 0; b < n; b++) {
        for (int t = 0; t < T; t++)
            x[(t * n + b) * 2] = (float)rc_rng_uniform(rng);
        int i1 = (int)rc_rng_below(rng, T / 2), i2 = T / 2 + (int)rc_rng_below(rng, T / 2);
        x[(i1 * n + b) * 2 + 1] = x[(i2 * n + b) * 2 + 1] = 1.0f;
        y[b] = x[(i1 * n + b) * 2] + x[(i2 * n + b) * 2];
    }
}

static rc_var adding_loss(rc_graph *g, const rc_rnn *rnn, rc_param *w, rc_param *bias, int n,
                          const float *x, const float *y) {
    rc_rnn_result res;
    rc_rnn_forward(g, rnn, rc_input(g, RC_SHAPE(T, n, 2), x), NULL, &res);
    rc_var h = rc_reshape(res.state[0], RC_SHAPE(n, H)); // h_n [1,n,H]
    rc_var pred = rc_linear(h, rc_use(g, w), rc_use(g, bias));
    return rc_mse(pred, rc_input(g, RC_SHAPE(n, 1), y), RC_REDUCE_MEAN);
}

static int train(rc_rng *rng) {
    rc_params *ps;
    rc_graph *g;
    rc_rnn *rnn;
    rc_optim *opt;
    rc_param *w, *bias;
    char err[256] = "";
    const int64_t h = H;
    rc_params_new(&ps);
    rc_graph_new(&g);
    rc_rnn_config cfg = {.cell = &janet_cell, .cell_opts = &h, .dim_in = 2, .num_layers = 1};
    rc_optim_opts adam = rc_optim_defaults(RC_OPTIM_ADAM, 3e-2);
    if (rc_rnn_new(&rnn, &cfg, ps, "janet.", rng, err, sizeof err) ||
        rc_params_add(ps, "head.weight", RC_SHAPE(1, H), &w) ||
        rc_params_add(ps, "head.bias", RC_SHAPE(1), &bias) ||
        rc_optim_new(&opt, ps, &adam, err, sizeof err)) {
        fprintf(stderr, "setup failed: %s\n", err);
        return 1;
    }
    for (int i = 0; i < H; i++)
        rc_param_value(w).data[i] = (float)(rc_rng_uniform(rng) - 0.5) / 2.0f;
    static float x[T * 256 * 2], y[256];
    for (int step = 1; step <= STEPS; step++) {
        adding_batch(rng, B, x, y);
        rc_params_zero_grad(ps);
        rc_var loss = adding_loss(g, rnn, w, bias, B, x, y);
        if (rc_backward(loss) != RC_OK) {
            fprintf(stderr, "%s\n", rc_graph_errmsg(g));
            return 1;
        }
        rc_clip_grad_norm(ps, 1.0, 2.0);
        rc_optim_step(opt);
        if (step % 100 == 0)
            printf("step %3d  train MSE %.4f\n", step, (double)rc_item(loss));
        rc_graph_reset(g);
    }
    rc_rng held_out;
    rc_rng_seed(&held_out, 2024);
    adding_batch(&held_out, 256, x, y);
    rc_graph_set_grad_enabled(g, false);
    double mse = rc_item(adding_loss(g, rnn, w, bias, 256, x, y));
    printf("held-out MSE %.4f (predicting the mean gives 0.167)\n", mse);
    rc_optim_free(&opt);
    rc_rnn_free(&rnn);
    rc_graph_free(&g);
    rc_params_free(&ps);
    return 0;
}

// ---- gradient check and DOT -------------------------------------------------------------------

// Finite differences against autograd for every parameter, the input and h0, through 2 layers,
// both directions and a batch of unequal lengths.
static int gradcheck(rc_rng *rng) {
    rc_params *ps;
    rc_graph *g;
    rc_rnn *rnn;
    const int64_t h = 3;
    rc_params_new(&ps);
    rc_graph_new(&g);
    rc_rnn_config cfg = {
        .cell = &janet_cell, .cell_opts = &h, .dim_in = 2, .num_layers = 2, .bidirectional = true};
    rc_rnn_new(&rnn, &cfg, ps, NULL, rng, NULL, 0);
    float x[4 * 3 * 2], h0[4 * 3 * 3];
    for (int i = 0; i < 24; i++)
        x[i] = (float)rc_rng_normal(rng);
    for (int i = 0; i < 36; i++)
        h0[i] = 0.5f * (float)rc_rng_normal(rng);
    const int32_t lengths[3] = {4, 2, 3};
    rc_var s0 = rc_requires_grad(rc_input(g, RC_SHAPE(4, 3, 3), h0));
    rc_rnn_run run = {.lengths = lengths, .state0 = &s0};
    rc_rnn_result res;
    rc_rnn_forward(g, rnn, rc_requires_grad(rc_input(g, RC_SHAPE(4, 3, 2), x)), &run, &res);
    rc_var loss = rc_add(rc_sum_all(rc_square(res.output)), rc_sum_all(res.state[0]));
    rc_gradcheck_opts o = rc_gradcheck_defaults();
    o.eps = 3e-3f;
    rc_gradcheck_report rep;
    rc_status st = rc_gradcheck_loss(loss, &o, &rep);
    printf("gradient check: %lld entries, %lld failed, max relative error %.2g%s%s\n",
           (long long)rep.checked, (long long)rep.failed, rep.max_rel_err,
           rep.failed ? ", first: " : "", rep.worst);
    rc_rnn_free(&rnn);
    rc_graph_free(&g);
    rc_params_free(&ps);
    return st != RC_OK || rep.failed != 0;
}

// Three steps of one cell, with gradients, as Graphviz DOT: one cluster per time step.
static int draw(rc_rng *rng, const char *dir) {
    rc_params *ps;
    rc_graph *g;
    rc_cell *cell;
    const int64_t h = 4;
    rc_params_new(&ps);
    rc_graph_new(&g);
    rc_cell_new(&cell, &janet_cell, &h, 2, ps, NULL, NULL, rng, NULL, 0);
    rc_var xs[3], ys[3];
    for (int t = 0; t < 3; t++)
        xs[t] = rc_name(rc_input(g, RC_SHAPE(1, 2), (float[]){(float)t, 1.0f}), "x");
    rc_rnn_unroll(g, cell, xs, 3, NULL, ys, NULL, &(rc_unroll_opts){.per_step_projection = true});
    rc_backward(rc_sum_all(ys[2]));
    char path[1024];
    snprintf(path, sizeof path, "%s/janet.dot", dir);
    rc_status st = rc_graph_dump_dot(g, path, RC_DOT_GRAD_NORMS);
    if (st == RC_OK)
        printf("wrote %s (render: dot -Tsvg %s -o janet.svg)\n", path, path);
    else
        fprintf(stderr, "cannot write %s: %s\n", path, rc_status_str(st));
    rc_cell_free(&cell);
    rc_graph_free(&g);
    rc_params_free(&ps);
    return st != RC_OK;
}

int main(int argc, char **argv) {
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    int failed = train(&rng);
    failed |= gradcheck(&rng);
    failed |= draw(&rng, argc > 1 ? argv[1] : ".");
    return failed;
}
