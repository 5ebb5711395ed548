// PyTorch parity: RNN (tanh, relu), LSTM, LSTM with proj_size and GRU; 1 and 2 layers; uni- and
// bidirectional; equal and variable lengths. Weights, inputs and initial states come from the
// fixtures made by tests/fixtures/make_rnn_fixtures.py (torch 1.13, float64 reference); outputs,
// final states, the loss and the gradient of every parameter, the input and the initial states
// must match within PARITY_RTOL relative error.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include <criterion/parameterized.h>

#include "rnn_util.h"

#define PARITY_RTOL 1e-5

enum { N_CASES = 40 };
// How the input reaches the runner; each must reproduce the same fixture.
enum { MODE_TIME_MAJOR, MODE_BATCH_MAJOR, MODE_PER_STEP_PROJECTION, MODE_STEP_LIST, N_MODES };
static const char *const mode_names[] = {"time-major", "batch-major", "per-step projection",
                                         "per-step inputs"};

typedef struct parity_case {
    int cell, layers, mode;
    bool bidir, variable;
    char name[64];
} parity_case;

static parity_case decode(int index, int mode) {
    parity_case c = {.cell = index / 8,
                     .layers = 1 + (index / 4) % 2,
                     .mode = mode,
                     .bidir = (index / 2) % 2,
                     .variable = index % 2};
    snprintf(c.name, sizeof c.name, "%s_l%d_%s_%s", ru_kind_names[c.cell], c.layers,
             c.bidir ? "bi" : "uni", c.variable ? "var" : "eq");
    return c;
}

// Every entry within PARITY_RTOL of max(|PyTorch's value|, PARITY_FLOOR * the tensor's largest
// magnitude, floor): float32 cannot give an entry that is small only through cancellation more
// than ~1e-7 of its tensor's scale, so such entries are held to 1e-6 of that scale instead.
#define PARITY_FLOOR 0.1
static void assert_close(const parity_case *pc, const char *what, rc_tensor got, rc_tensor want,
                         double floor) {
    cr_assert_not_null(got.data, "%s (%s): %s is missing", pc->name, mode_names[pc->mode], what);
    cr_assert_not_null(want.data, "%s: fixture has no %s", pc->name, what);
    cr_assert(rc_shape_eq(got.shape, want.shape), "%s: %s has the wrong shape", pc->name, what);
    double scale = 0;
    for (int64_t i = 0; i < want.n; i++)
        scale = fmax(scale, fabs(want.data[i]));
    for (int64_t i = 0; i < want.n; i++) {
        double err = fabs((double)got.data[i] - want.data[i]);
        double ref = fmax(fmax(fabs(want.data[i]), PARITY_FLOOR * scale), floor);
        cr_assert(err <= PARITY_RTOL * ref || err == 0,
                  "%s (%s): %s[%lld] = %.9g, PyTorch %.9g (rel err %.3g)", pc->name,
                  mode_names[pc->mode], what, (long long)i, (double)got.data[i],
                  (double)want.data[i], err / ref);
    }
}

static void assert_tensor(const parity_case *pc, const char *what, rc_tensor got, rc_tensor want) {
    assert_close(pc, what, got, want, 0.0);
}

// sum |w * v|: the scale of a weighted sum whose terms may cancel.
static double abs_dot(rc_tensor w, rc_tensor v) {
    double s = 0;
    for (int64_t i = 0; i < w.n && i < v.n; i++)
        s += fabs((double)w.data[i] * v.data[i]);
    return s;
}

// Every parameter of the store must be in the fixture under the same name and shape.
static void load_weights(const parity_case *pc, rc_params *ps, const ru_fixture *f) {
    for (int i = 0; i < rc_params_count(ps); i++) {
        rc_param *p = rc_params_at(ps, i);
        rc_tensor want = ru_fixture_get(f, rc_param_name(p)), v = rc_param_value(p);
        cr_assert_not_null(want.data, "%s: PyTorch has no parameter %s", pc->name,
                           rc_param_name(p));
        cr_assert(rc_shape_eq(want.shape, v.shape), "%s: %s has another shape in PyTorch", pc->name,
                  rc_param_name(p));
        memcpy(v.data, want.data, (size_t)v.n * sizeof(float));
    }
}

// [T,B,X] <-> [B,T,X]
static void swap01(const float *src, float *dst, int64_t d0, int64_t d1, int64_t x) {
    for (int64_t i = 0; i < d0; i++)
        for (int64_t j = 0; j < d1; j++)
            memcpy(dst + (j * d0 + i) * x, src + (i * d1 + j) * x, (size_t)x * sizeof(float));
}

static rc_var weighted_sum(rc_graph *g, rc_var v, rc_tensor w) {
    return rc_sum_all(rc_mul(v, rc_input(g, w.shape, w.data)));
}

// [T,B,X] <-> [B,T,X] into buf (a transposed view of t's data).
static rc_tensor as_batch_major(rc_tensor t, float *buf) {
    cr_assert_leq(t.n, 1024);
    swap01(t.data, buf, t.shape.dim[0], t.shape.dim[1], t.shape.dim[2]);
    rc_tensor r = {buf, RC_SHAPE(t.shape.dim[1], t.shape.dim[0], t.shape.dim[2]), t.n};
    return r;
}

typedef struct run_out {
    rc_var x, state0[2], output, state[2], loss;
} run_out;

static void build(const parity_case *pc, rc_graph *g, const rc_rnn *rnn, const ru_fixture *f,
                  const int32_t *lengths, run_out *o) {
    rc_tensor x = ru_fixture_get(f, "input");
    const int64_t T = x.shape.dim[0], B = x.shape.dim[1], I = x.shape.dim[2];
    const int n_state = rnn->cells[0]->n_state;
    const char *s0_names[2] = {"h0", "c0"};
    for (int k = 0; k < n_state; k++) {
        rc_tensor s = ru_fixture_get(f, s0_names[k]);
        o->state0[k] = rc_requires_grad(rc_input(g, s.shape, s.data));
    }
    rc_rnn_run run = {.lengths = lengths,
                      .state0 = o->state0,
                      .batch_first = pc->mode == MODE_BATCH_MAJOR,
                      .per_step_projection = pc->mode == MODE_PER_STEP_PROJECTION};
    rc_rnn_result res;
    if (pc->mode == MODE_BATCH_MAJOR) {
        float *bt = malloc((size_t)x.n * sizeof(float));
        swap01(x.data, bt, T, B, I);
        o->x = rc_requires_grad(rc_input(g, RC_SHAPE(B, T, I), bt));
        free(bt);
    } else {
        o->x = rc_requires_grad(rc_input(g, x.shape, x.data));
    }
    if (pc->mode == MODE_STEP_LIST) {
        rc_var xs[8], ys[8];
        for (int64_t t = 0; t < T; t++)
            xs[t] = rc_reshape(rc_slice(o->x, 0, t, t + 1), RC_SHAPE(B, I));
        cr_assert_eq(rc_rnn_forward_steps(g, rnn, xs, (int)T, &run, ys, &res), RC_OK, "%s",
                     rc_graph_errmsg(g));
        cr_assert_eq(res.output.g, NULL, "forward_steps gives no output tensor");
        res.output = rc_stack(ys, (int)T, 0);
    } else {
        cr_assert_eq(rc_rnn_forward(g, rnn, o->x, &run, &res), RC_OK, "%s", rc_graph_errmsg(g));
    }
    cr_assert_eq(res.n_state, n_state);
    o->output = res.output;
    rc_tensor w_out = ru_fixture_get(f, "loss_w.output");
    float w_bt[1024];
    rc_var loss = weighted_sum(g, o->output,
                               pc->mode == MODE_BATCH_MAJOR ? as_batch_major(w_out, w_bt) : w_out);
    const char *w_names[2] = {"loss_w.h_n", "loss_w.c_n"};
    for (int k = 0; k < n_state; k++) {
        o->state[k] = res.state[k];
        loss = rc_add(loss, weighted_sum(g, res.state[k], ru_fixture_get(f, w_names[k])));
    }
    o->loss = loss;
}

static void check_case(const parity_case *pc) {
    char rel[128];
    snprintf(rel, sizeof rel, "rnn/%s.safetensors", pc->name);
    ru_fixture *f = ru_fixture_open(rel);
    rc_params *ps;
    rc_graph *g;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_rnn *rnn = ru_make(ps, pc->cell, 4, 6, pc->layers, pc->bidir, 0.0f, 7);
    load_weights(pc, ps, f);
    rc_tensor lt = ru_fixture_get(f, "lengths");
    int32_t lengths[8];
    for (int64_t b = 0; b < lt.n; b++)
        lengths[b] = (int32_t)lt.data[b];
    run_out o;
    build(pc, g, rnn, f, pc->variable ? lengths : NULL, &o);
    cr_assert_eq(rc_backward(o.loss), RC_OK, "%s", rc_graph_errmsg(g));

    const bool bm = pc->mode == MODE_BATCH_MAJOR;
    float buf[1024];
    rc_tensor out = rc_value(o.output), gx = rc_grad(o.x);
    assert_tensor(pc, "output", bm ? as_batch_major(out, buf) : out, ru_fixture_get(f, "output"));
    // The loss sums terms of both signs: its scale is the sum of their magnitudes.
    double loss_scale = abs_dot(ru_fixture_get(f, "loss_w.output"), ru_fixture_get(f, "output")) +
                        abs_dot(ru_fixture_get(f, "loss_w.h_n"), ru_fixture_get(f, "h_n")) +
                        abs_dot(ru_fixture_get(f, "loss_w.c_n"), ru_fixture_get(f, "c_n"));
    assert_close(pc, "loss", rc_value(o.loss), ru_fixture_get(f, "loss"), loss_scale);
    const char *names[2][3] = {{"h_n", "h0", "grad.h0"}, {"c_n", "c0", "grad.c0"}};
    for (int k = 0; k < rnn->cells[0]->n_state; k++) {
        assert_tensor(pc, names[k][0], rc_value(o.state[k]), ru_fixture_get(f, names[k][0]));
        assert_tensor(pc, names[k][2], rc_grad(o.state0[k]), ru_fixture_get(f, names[k][2]));
    }
    assert_tensor(pc, "grad.input", bm ? as_batch_major(gx, buf) : gx,
                  ru_fixture_get(f, "grad.input"));
    for (int i = 0; i < rc_params_count(ps); i++) {
        rc_param *p = rc_params_at(ps, i);
        char gname[128];
        snprintf(gname, sizeof gname, "grad.%s", rc_param_name(p));
        assert_tensor(pc, gname, rc_param_grad(p), ru_fixture_get(f, gname));
    }
    rc_rnn_free(&rnn);
    rc_graph_free(&g);
    rc_params_free(&ps);
    ru_fixture_close(&f);
}

typedef struct parity_param {
    int index, mode;
} parity_param;

ParameterizedTestParameters(rnn_parity, pytorch) {
    static parity_param params[N_CASES * N_MODES];
    for (int i = 0; i < N_CASES; i++)
        for (int m = 0; m < N_MODES; m++)
            params[i * N_MODES + m] = (parity_param){i, m};
    return cr_make_param_array(parity_param, params, N_CASES * N_MODES);
}

ParameterizedTest(parity_param *p, rnn_parity, pytorch) {
    parity_case pc = decode(p->index, p->mode);
    check_case(&pc);
}

// The parameter names and their order are PyTorch's named_parameters(), prefix and all.
Test(rnn_parity, names_and_order_follow_pytorch) {
    rc_params *ps;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    rc_lstm_opts lo = {.dim_hidden = 6, .proj_size = 3};
    rc_rnn_config cfg = {.cell = &rc_lstm_cell_type,
                         .cell_opts = &lo,
                         .dim_in = 4,
                         .num_layers = 2,
                         .bidirectional = true};
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_rnn *rnn;
    cr_assert_eq(rc_rnn_new(&rnn, &cfg, ps, "enc.", &rng, NULL, 0), RC_OK);
    const char *want[] = {"weight_ih_l0",         "weight_hh_l0",         "bias_ih_l0",
                          "bias_hh_l0",           "weight_hr_l0",         "weight_ih_l0_reverse",
                          "weight_hh_l0_reverse", "bias_ih_l0_reverse",   "bias_hh_l0_reverse",
                          "weight_hr_l0_reverse", "weight_ih_l1",         "weight_hh_l1",
                          "bias_ih_l1",           "bias_hh_l1",           "weight_hr_l1",
                          "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse",
                          "bias_hh_l1_reverse",   "weight_hr_l1_reverse"};
    cr_assert_eq(rc_params_count(ps), 20);
    for (int i = 0; i < 20; i++) {
        char name[64];
        snprintf(name, sizeof name, "enc.%s", want[i]);
        cr_assert_str_eq(rc_param_name(rc_params_at(ps, i)), name);
    }
    // Layer 1 reads both directions' projected outputs: [4H, D*P] = [24, 6].
    rc_shape s = rc_param_value(rc_params_find(ps, "enc.weight_ih_l1")).shape;
    cr_assert(rc_shape_eq(s, RC_SHAPE(24, 6)));
    cr_assert_eq(rc_rnn_dim_out(rnn), 6);
    rc_rnn_free(&rnn);
    cr_assert_null(rnn);
    rc_params_free(&ps);
}

// A file written from PyTorch's named_parameters() loads through the checkpoint loader: every
// parameter found under its PyTorch name with its PyTorch shape (the fixture's other tensors are
// reported as unexpected, which the lenient mode allows).
Test(rnn_parity, pytorch_names_load_through_checkpoints) {
    rc_params *ps;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    rc_rnn *rnn = ru_make(ps, RU_LSTM_PROJ, 4, 6, 2, true, 0.0f, 1);
    char path[1024], err[512] = "";
    const char *root = getenv("RECUR_SOURCE_ROOT");
    snprintf(path, sizeof path, "%s%stests/fixtures/rnn/lstm_proj_l2_bi_var.safetensors",
             root && *root ? root : "", root && *root ? "/" : "");
    rc_load_report rep;
    cr_assert_eq(rc_checkpoint_load(path, ps, NULL, false, &rep, err, sizeof err), RC_OK, "%s",
                 err);
    cr_assert_eq(rep.loaded, rc_params_count(ps), "%s", rep.text);
    cr_assert_eq(rep.missing + rep.mismatched, 0, "%s", rep.text);
    ru_fixture *f = ru_fixture_open("rnn/lstm_proj_l2_bi_var.safetensors");
    rc_tensor want = ru_fixture_get(f, "weight_hr_l1_reverse");
    rc_tensor got = rc_param_value(rc_params_find(ps, "weight_hr_l1_reverse"));
    cr_assert_eq(memcmp(got.data, want.data, (size_t)want.n * sizeof(float)), 0);
    ru_fixture_close(&f);
    rc_rnn_free(&rnn);
    rc_params_free(&ps);
}
