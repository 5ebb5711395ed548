// The built-in demo (`make demo`): the main job of recur in one run. A PyTorch-compatible LSTM
// learns the adding problem (T=50), the trained weights are saved as safetensors under PyTorch's
// names, a small copy of the model is gradient-checked end to end, and one unrolled step of it is
// drawn as DOT and SVG. Everything is built from recur's public API, as user code would be.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/recur.h>

#include "cli.h"
#include "commands.h"

enum { T = 50, B = 32, H = 24, STEPS = 1200, EVAL_B = 512 };

typedef struct model {
    rc_params *ps;
    rc_rnn *rnn;
    rc_param *w, *b; // the read-out: y = h_T w^T + b
    int64_t hidden;
} model;

// x [T,n,2]: a uniform value and a marker per step; y [n] = the sum of the two marked values.
static void adding_batch(rc_rng *rng, int steps, int n, float *x, float *y) {
    memset(x, 0, (size_t)steps * n * 2 * sizeof *x);
    for (int b = 0; b < n; b++) {
        for (int t = 0; t < steps; t++)
            x[(t * n + b) * 2] = (float)rc_rng_uniform(rng);
        int i1 = (int)rc_rng_below(rng, (uint32_t)steps / 2);
        int i2 = steps / 2 + (int)rc_rng_below(rng, (uint32_t)steps / 2);
        x[(i1 * n + b) * 2 + 1] = x[(i2 * n + b) * 2 + 1] = 1.0f;
        y[b] = x[(i1 * n + b) * 2] + x[(i2 * n + b) * 2];
    }
}

static int model_new(model *m, int64_t hidden, int layers, rc_rng *rng) {
    char err[256] = "";
    m->hidden = hidden;
    rc_lstm_opts lstm = {.dim_hidden = hidden};
    rc_rnn_config cfg = {
        .cell = &rc_lstm_cell_type, .cell_opts = &lstm, .dim_in = 2, .num_layers = layers};
    if (rc_params_new(&m->ps) || rc_rnn_new(&m->rnn, &cfg, m->ps, "lstm.", rng, err, sizeof err) ||
        rc_params_add(m->ps, "head.weight", RC_SHAPE(1, hidden), &m->w) ||
        rc_params_add(m->ps, "head.bias", RC_SHAPE(1), &m->b)) {
        fprintf(stderr, "recur demo: model setup failed: %s\n", err);
        return 1;
    }
    rc_init_param(m->w, &(rc_init){.kind = RC_INIT_XAVIER_UNIFORM, .gain = 1.0f}, rng);
    return 0;
}

static void model_free(model *m) {
    rc_rnn_free(&m->rnn);
    rc_params_free(&m->ps);
}

// Mean squared error of the read-out of the last layer's final h against y.
static rc_var model_loss(rc_graph *g, const model *m, int steps, int n, const float *x,
                         const float *y) {
    rc_rnn_result res;
    rc_rnn_forward(g, m->rnn, rc_input(g, RC_SHAPE(steps, n, 2), x), NULL, &res);
    int layers = m->rnn->config.num_layers;
    rc_var h_last =
        rc_reshape(rc_slice(res.state[0], 0, layers - 1, layers), RC_SHAPE(n, m->hidden));
    rc_var pred = rc_name(rc_linear(h_last, rc_use(g, m->w), rc_use(g, m->b)), "prediction");
    return rc_name(rc_mse(pred, rc_input(g, RC_SHAPE(n, 1), y), RC_REDUCE_MEAN), "loss");
}

static int train(model *m, rc_graph *g, rc_rng *rng) {
    char err[256] = "";
    rc_optim *opt;
    rc_optim_opts adam = rc_optim_defaults(RC_OPTIM_ADAM, 3e-2);
    if (rc_optim_new(&opt, m->ps, &adam, err, sizeof err)) {
        fprintf(stderr, "recur demo: %s\n", err);
        return 1;
    }
    static float x[T * EVAL_B * 2], y[EVAL_B];
    printf("training a 1-layer LSTM (H=%d) on the adding problem, T=%d, batch %d, Adam\n", H, T, B);
    for (int step = 1; step <= STEPS; step++) {
        adding_batch(rng, T, B, x, y);
        rc_params_zero_grad(m->ps);
        rc_var loss = model_loss(g, m, T, B, x, y);
        if (rc_backward(loss) != RC_OK) {
            fprintf(stderr, "recur demo: %s\n", rc_graph_errmsg(g));
            rc_optim_free(&opt);
            return 1;
        }
        rc_clip_grad_norm(m->ps, 1.0, 2.0);
        rc_optim_step(opt);
        if (step % 100 == 0)
            printf("  step %4d  batch MSE %.4f\n", step, (double)rc_item(loss));
        rc_graph_reset(g);
    }
    rc_optim_free(&opt);
    rc_rng held_out;
    rc_rng_seed(&held_out, 7);
    adding_batch(&held_out, T, EVAL_B, x, y);
    bool prev = rc_graph_set_grad_enabled(g, false);
    double mse = rc_item(model_loss(g, m, T, EVAL_B, x, y));
    rc_graph_set_grad_enabled(g, prev);
    rc_graph_reset(g);
    printf("held-out MSE %.4f on %d sequences (always predicting 1.0 gives 0.167)\n", mse, EVAL_B);
    return 0;
}

static double tensor_norm(rc_tensor t) {
    double s = 0;
    for (int64_t i = 0; i < t.n; i++)
        s += (double)t.data[i] * t.data[i];
    return sqrt(s);
}

// A 2-layer LSTM with H=3 over T=4 steps: gradient-checked against finite differences, then
// back-propagated once more and drawn.
static int check_and_draw(const char *out_dir, rc_rng *rng) {
    enum { ST = 4, SB = 2 };
    model m;
    rc_graph *g;
    if (model_new(&m, 3, 2, rng) || rc_graph_new(&g))
        return 1;
    float x[ST * SB * 2], y[SB];
    adding_batch(rng, ST, SB, x, y);
    rc_gradcheck_report rep;
    rc_status st = rc_gradcheck_loss(model_loss(g, &m, ST, SB, x, y), NULL, &rep);
    printf("gradient check, 2-layer LSTM: %lld entries, %lld wrong, max abs err %.1e\n",
           (long long)rep.checked, (long long)rep.failed, rep.max_abs_err);
    rc_graph_reset(g);
    rc_params_zero_grad(m.ps);
    rc_var loss = model_loss(g, &m, ST, SB, x, y);
    rc_backward(loss);
    printf("small model: %lld nodes, loss %.5f\n", (long long)rc_graph_num_nodes(g),
           (double)rc_item(loss));
    for (int k = 0; k < rc_params_count(m.ps); k++) {
        rc_param *p = rc_params_at(m.ps, k);
        printf("  grad norm %-24s %.6f\n", rc_param_name(p), tensor_norm(rc_param_grad(p)));
    }
    char dot_path[900], svg_path[900], cmd[2048];
    snprintf(dot_path, sizeof dot_path, "%s/demo.dot", out_dir);
    snprintf(svg_path, sizeof svg_path, "%s/demo.svg", out_dir);
    int rc = st != RC_OK || rep.failed ? 1 : 0;
    if (rc_graph_dump_dot(g, dot_path, RC_DOT_GRAD_NORMS) != RC_OK) {
        fprintf(stderr, "recur demo: cannot write %s\n", dot_path);
        rc = 1;
    } else {
        printf("wrote %s\n", dot_path);
        snprintf(cmd, sizeof cmd, "dot -Tsvg '%s' -o '%s' 2>/dev/null", dot_path, svg_path);
        if (system(cmd) == 0)
            printf("wrote %s\n", svg_path);
        else
            printf("Graphviz 'dot' not found: %s not rendered\n", svg_path);
    }
    rc_graph_free(&g);
    model_free(&m);
    return rc;
}

const char cmd_demo_usage[] =
    "usage: recur demo [--out DIR]\n"
    "A quick tour: trains a PyTorch-compatible LSTM on the adding problem (T=50), saves it as\n"
    "DIR/adding_lstm.safetensors, gradient-checks a 2-layer copy and draws it as DIR/demo.dot and\n"
    "DIR/demo.svg. DIR defaults to the current folder.\n"
    "  --out DIR   where to write (created when missing)\n";

int cmd_demo(int argc, char **argv) {
    const char *out_dir = ".";
    static const struct option longopts[] = {
        {"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    optind = 1;
    for (int opt; (opt = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1;) {
        if (opt == 'o')
            out_dir = optarg;
        else if (opt == 'h')
            return fputs(cmd_demo_usage, stdout), CLI_OK;
        else
            return cli_bad_option("demo");
    }
    int bad = cli_no_operands("demo", argc, argv);
    char err[512];
    if (bad)
        return bad;
    if (!cli_mkdir(out_dir, err, sizeof err))
        return cli_fail("demo", "--out: %s", err);
    // [32,24] gate ops are far below where a second thread pays for itself.
    rc_set_num_threads(1);
    rc_rng rng;
    rc_rng_seed(&rng, 2024);
    model m;
    rc_graph *g;
    if (model_new(&m, H, 1, &rng) || rc_graph_new(&g))
        return 1;
    int rc = train(&m, g, &rng);
    char path[900];
    err[0] = '\0';
    snprintf(path, sizeof path, "%s/adding_lstm.safetensors", out_dir);
    if (!rc && rc_checkpoint_save(path, m.ps, NULL, err, sizeof err) == RC_OK)
        printf("wrote %s (PyTorch names: lstm.weight_ih_l0, ...)\n", path);
    else if (!rc)
        fprintf(stderr, "recur demo: %s\n", err), rc = 1;
    rc_graph_free(&g);
    model_free(&m);
    return rc ? rc : check_and_draw(out_dir, &rng);
}
