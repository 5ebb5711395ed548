// The fused gate ops (rc_lstm_state, rc_lstm_output, rc_gru_state) against the same formulas
// written with the public elementwise ops: values and every gradient must be the same bits, for
// widths with and without a partial group of eight lanes, with one thread and two. Their shape
// errors name the arguments. (The registry's gradient and accumulation checks cover them too.)
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"

typedef struct gate_run {
    rc_graph *g;
    rc_var in[3];
    rc_var out[2];
} gate_run;

// A leaf that wants a gradient, filled from seed.
static rc_var leaf(rc_graph *g, rc_shape s, uint64_t seed, float lo, float hi) {
    const int64_t n = rc_shape_numel(s);
    float *v = malloc(sizeof(float) * (size_t)n);
    tu_fill_uniform(v, n, lo, hi, seed);
    rc_var x = rc_requires_grad(rc_input(g, s, v));
    free(v);
    return x;
}

// loss = Σ out[k] * w_k with fixed random weights, then backward.
static void backprop(gate_run *r, int n_out, int64_t B, int64_t H) {
    rc_var loss = RC_NONE;
    for (int k = 0; k < n_out; k++) {
        rc_var w = leaf(r->g, RC_SHAPE(B, H), 90 + (uint64_t)k, -1, 1);
        rc_var term = rc_sum_all(rc_mul(r->out[k], w));
        loss = k ? rc_add(loss, term) : term;
    }
    cr_assert_eq(rc_backward(loss), RC_OK, "%s", rc_graph_errmsg(r->g));
}

static void assert_same_bits(rc_var a, rc_var b, const char *what) {
    const rc_tensor ta = rc_value(a), tb = rc_value(b);
    cr_assert_eq(ta.n, tb.n, "%s: sizes differ", what);
    cr_assert_arr_eq(ta.data, tb.data, sizeof(float) * (size_t)ta.n, "%s: values differ", what);
}

static void assert_same_grads(rc_var a, rc_var b, const char *what) {
    const rc_tensor ga = rc_grad(a), gb = rc_grad(b);
    cr_assert(ga.data && gb.data, "%s: no gradient", what);
    cr_assert_arr_eq(ga.data, gb.data, sizeof(float) * (size_t)ga.n, "%s: gradients differ", what);
}

// ---- LSTM ------------------------------------------------------------------------------------

static void lstm_run(gate_run *r, int64_t B, int64_t H, bool fused) {
    cr_assert_eq(rc_graph_new(&r->g), RC_OK);
    rc_var gates = r->in[0] = leaf(r->g, RC_SHAPE(B, 4 * H), 1, -4, 4);
    rc_var c = r->in[1] = leaf(r->g, RC_SHAPE(B, H), 2, -2, 2);
    if (fused) {
        r->out[0] = rc_lstm_state(gates, c);
        r->out[1] = rc_lstm_output(gates, r->out[0]);
    } else {
        rc_var ifgo[4];
        rc_split(gates, 1, 4, ifgo);
        rc_var i = rc_sigmoid(ifgo[0]), f = rc_sigmoid(ifgo[1]);
        rc_var gg = rc_tanh(ifgo[2]), o = rc_sigmoid(ifgo[3]);
        r->out[0] = rc_add(rc_mul(f, c), rc_mul(i, gg));
        r->out[1] = rc_mul(o, rc_tanh(r->out[0]));
    }
    backprop(r, 2, B, H);
}

static void gru_run(gate_run *r, int64_t B, int64_t H, bool fused) {
    cr_assert_eq(rc_graph_new(&r->g), RC_OK);
    rc_var xp = r->in[0] = leaf(r->g, RC_SHAPE(B, 3 * H), 3, -3, 3);
    rc_var hp = r->in[1] = leaf(r->g, RC_SHAPE(B, 3 * H), 4, -3, 3);
    rc_var h = r->in[2] = leaf(r->g, RC_SHAPE(B, H), 5, -1, 1);
    if (fused) {
        r->out[0] = rc_gru_state(xp, hp, h);
    } else {
        rc_var xi[3], hi[3];
        rc_split(xp, 1, 3, xi);
        rc_split(hp, 1, 3, hi);
        rc_var rr = rc_sigmoid(rc_add(xi[0], hi[0]));
        rc_var z = rc_sigmoid(rc_add(xi[1], hi[1]));
        rc_var n = rc_tanh(rc_add(xi[2], rc_mul(rr, hi[2])));
        r->out[0] = rc_lerp(z, h, n);
    }
    backprop(r, 1, B, H);
}

typedef void (*run_fn)(gate_run *r, int64_t B, int64_t H, bool fused);

static void check_fused_equals_composed(run_fn run, int n_in, int n_out, const char *name) {
    const int64_t widths[] = {1, 7, 8, 19, 64, 200};
    for (int threads = 1; threads <= 2; threads++) {
        rc_set_num_threads(threads);
        for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
            const int64_t B = widths[w] == 200 ? 70 : 5; // 70x200: parallel above RC_PAR_MIN
            gate_run fused, composed;
            run(&fused, B, widths[w], true);
            run(&composed, B, widths[w], false);
            char what[64];
            for (int k = 0; k < n_out; k++) {
                snprintf(what, sizeof what, "%s H=%lld output %d", name, (long long)widths[w], k);
                assert_same_bits(fused.out[k], composed.out[k], what);
            }
            for (int k = 0; k < n_in; k++) {
                snprintf(what, sizeof what, "%s H=%lld input %d", name, (long long)widths[w], k);
                assert_same_grads(fused.in[k], composed.in[k], what);
            }
            rc_graph_free(&fused.g);
            rc_graph_free(&composed.g);
        }
    }
    rc_set_num_threads(1);
}

Test(rnn_gates, lstm_ops_equal_the_composed_formula_bit_for_bit) {
    check_fused_equals_composed(lstm_run, 2, 2, "lstm");
}

Test(rnn_gates, gru_op_equals_the_composed_formula_bit_for_bit) {
    check_fused_equals_composed(gru_run, 3, 1, "gru");
}

// Against the formulas in double on one row, so the composition above is not its own oracle.
Test(rnn_gates, values_match_the_formulas) {
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    const float gates[8] = {0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 1.5f, -3.0f, 0.1f}; // H = 2
    const float c[2] = {0.3f, -1.2f}, xp[6] = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f};
    const float hp[6] = {0.7f, 0.2f, -0.9f, 0.4f, 1.1f, 0.8f}, h[2] = {-0.5f, 0.6f};
    rc_var gv = rc_input(g, RC_SHAPE(1, 8), gates), cv = rc_input(g, RC_SHAPE(1, 2), c);
    rc_var cn = rc_lstm_state(gv, cv), hn = rc_lstm_output(gv, cn);
    rc_var gru = rc_gru_state(rc_input(g, RC_SHAPE(1, 6), xp), rc_input(g, RC_SHAPE(1, 6), hp),
                              rc_input(g, RC_SHAPE(1, 2), h));
    for (int j = 0; j < 2; j++) {
        const double si = 1 / (1 + exp(-(double)gates[j]));
        const double sf = 1 / (1 + exp(-(double)gates[2 + j]));
        const double tg = tanh((double)gates[4 + j]);
        const double so = 1 / (1 + exp(-(double)gates[6 + j]));
        const double cw = sf * c[j] + si * tg, hw = so * tanh(cw);
        cr_assert_float_eq(rc_value(cn).data[j], cw, 1e-6, "c'[%d]", j);
        cr_assert_float_eq(rc_value(hn).data[j], hw, 1e-6, "h'[%d]", j);
        const double r = 1 / (1 + exp(-(double)(xp[j] + hp[j])));
        const double z = 1 / (1 + exp(-(double)(xp[2 + j] + hp[2 + j])));
        const double n = tanh((double)xp[4 + j] + r * hp[4 + j]);
        cr_assert_float_eq(rc_value(gru).data[j], z * h[j] + (1 - z) * n, 1e-6, "gru h'[%d]", j);
    }
    rc_graph_free(&g);
}

Test(rnn_gates, shape_errors_name_the_arguments) {
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_var a = rc_full(g, RC_SHAPE(2, 8), 0.0f), c = rc_full(g, RC_SHAPE(2, 3), 0.0f);
    cr_assert_not(rc_ok(rc_lstm_state(a, c)));
    cr_assert_eq(rc_graph_status(g), RC_ERR_SHAPE);
    cr_assert_str_eq(rc_graph_errmsg(g),
                     "lstm_state (node 2): gates and c: [2,8] and [2,3] must be [B,4H] and [B,H]");
    rc_graph_reset(g);
    a = rc_full(g, RC_SHAPE(3, 8), 0.0f), c = rc_full(g, RC_SHAPE(2, 2), 0.0f);
    cr_assert_not(rc_ok(rc_lstm_output(a, c)));
    cr_assert_str_eq(rc_graph_errmsg(g),
                     "lstm_output (node 2): gates and c: [3,8] and [2,2] must be [B,4H] and [B,H]");
    rc_graph_reset(g);
    rc_var xp = rc_full(g, RC_SHAPE(2, 6), 0.0f), hp = rc_full(g, RC_SHAPE(2, 9), 0.0f);
    cr_assert_not(rc_ok(rc_gru_state(xp, hp, rc_full(g, RC_SHAPE(2, 2), 0.0f))));
    cr_assert_str_eq(rc_graph_errmsg(g), "gru_state (node 3): xp, hp and h: [2,6], [2,9] and "
                                         "[2,2] must be [B,3H], [B,3H] and [B,H]");
    rc_graph_free(&g);
}
