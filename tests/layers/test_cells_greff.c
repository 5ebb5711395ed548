// Greff et al.'s variants against their baseline, the peephole LSTM: each equals the baseline
// with the one change its name says, expressed through the baseline's own weights where that is
// possible (a gate pinned at 1, zero peepholes, f tied to 1 - i, zero gate recurrence). One step
// of every variant also matches the one parameterised scalar reference (cells_ref.c) with only
// that change, in test_cells_variants.c.
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn_util.h"
#include "test_util.h"

enum { T = 3, B = 2, I = 3, H = 4 };
enum { GI, GF, GG, GO };

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
TestSuite(cells_greff, .init = setup, .fini = teardown);

static const rc_peephole_lstm_opts opts = {.dim_hidden = H};

static rc_cell *make(const rc_cell_type *type, const char *suffix, uint64_t seed) {
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    rc_cell *cell = NULL;
    char err[256] = "";
    cr_assert_eq(rc_cell_new(&cell, type, &opts, I, ps, NULL, suffix, &rng, err, sizeof err), RC_OK,
                 "%s", err);
    return cell;
}

static rc_tensor param(const char *name) {
    rc_param *p = rc_params_find(ps, name);
    cr_assert_not_null(p, "no parameter %s", name);
    return rc_param_value(p);
}

// Rows [blk*H, (blk+1)*H) of a [n*H, cols] weight or [n*H] bias.
static float *block(rc_tensor t, int blk) {
    const int64_t cols = t.shape.ndim == 2 ? t.shape.dim[1] : 1;
    return t.data + (int64_t)blk * H * cols;
}
static int64_t block_len(rc_tensor t) {
    return H * (t.shape.ndim == 2 ? t.shape.dim[1] : 1);
}

// The baseline ("_b") takes the variant's ("_v") weights: gate q of the baseline reads the
// variant's block map[q]; a gate the variant lacks (map[q] < 0) gets zero weights and bias `pin`.
static void link_gates(const int map[4], float pin) {
    static const char *const roles[3] = {"weight_ih", "weight_hh", "bias"};
    for (int r = 0; r < 3; r++) {
        char nb[32], nv[32];
        snprintf(nb, sizeof nb, "%s_b", roles[r]);
        snprintf(nv, sizeof nv, "%s_v", roles[r]);
        rc_tensor b = param(nb), v = param(nv);
        for (int q = 0; q < 4; q++) {
            float *dst = block(b, q);
            for (int64_t k = 0; k < block_len(b); k++)
                dst[k] = map[q] >= 0 ? block(v, map[q])[k] : (r == 2 ? pin : 0.0f);
        }
    }
}

// Baseline peephole `role` ("weight_ci", ...) = the variant's, times `sign`, or 0 when absent.
static void link_peephole(const char *role_b, const char *role_v, float sign) {
    char nb[32], nv[32];
    snprintf(nb, sizeof nb, "%s_b", role_b);
    snprintf(nv, sizeof nv, "%s_v", role_v ? role_v : "");
    rc_tensor b = param(nb);
    for (int64_t k = 0; k < H; k++)
        b.data[k] = role_v ? sign * param(nv).data[k] : 0.0f;
}

typedef struct run_out {
    rc_var ys[T];
    rc_var sn[RC_CELL_MAX_STATE];
} run_out;

// Both cells over the same inputs (lengths 3 and 2) from the same h0, c0.
static void run_both(const rc_cell *base, const rc_cell *var, run_out *a, run_out *b) {
    rc_var xs[T];
    for (int t = 0; t < T; t++)
        xs[t] = ru_input(g, RC_SHAPE(B, I), 1 + t);
    rc_var s0[RC_CELL_MAX_STATE] = {ru_input(g, RC_SHAPE(B, H), 9), ru_input(g, RC_SHAPE(B, H), 10),
                                    RC_NONE, RC_NONE};
    const int32_t lengths[B] = {3, 2};
    rc_unroll_opts o = {.lengths = lengths};
    cr_assert_eq(rc_rnn_unroll(g, base, xs, T, s0, a->ys, a->sn, &o), RC_OK, "%s",
                 rc_graph_errmsg(g));
    cr_assert_eq(rc_rnn_unroll(g, var, xs, T, s0, b->ys, b->sn, &o), RC_OK, "%s",
                 rc_graph_errmsg(g));
}

static void assert_same_run(const run_out *a, const run_out *b, float rtol, const char *what) {
    char msg[96];
    for (int t = 0; t < T; t++) {
        snprintf(msg, sizeof msg, "%s: output at t=%d", what, t);
        ru_assert_close(rc_value(b->ys[t]), rc_value(a->ys[t]), rtol, msg);
    }
    snprintf(msg, sizeof msg, "%s: c_n", what);
    ru_assert_close(rc_value(b->sn[1]), rc_value(a->sn[1]), rtol, msg);
}

// σ(30) rounds to 1.0f: a gate with zero weights, zero peephole and bias 30 is exactly 1.
enum { PIN = 30 };

Test(cells_greff, nig_is_the_baseline_with_the_input_gate_at_one) {
    rc_cell *base = make(&rc_peephole_lstm_cell_type, "_b", 1);
    rc_cell *var = make(&rc_lstm_nig_cell_type, "_v", 2);
    link_gates((const int[]){-1, 0, 1, 2}, PIN);
    link_peephole("weight_ci", NULL, 1);
    link_peephole("weight_cf", "weight_cf", 1);
    link_peephole("weight_co", "weight_co", 1);
    run_out a, b;
    run_both(base, var, &a, &b);
    assert_same_run(&a, &b, 1e-5f, "nig");
    rc_cell_free(&base);
    rc_cell_free(&var);
}

Test(cells_greff, nfg_is_the_baseline_with_the_forget_gate_at_one) {
    rc_cell *base = make(&rc_peephole_lstm_cell_type, "_b", 1);
    rc_cell *var = make(&rc_lstm_nfg_cell_type, "_v", 2);
    link_gates((const int[]){0, -1, 1, 2}, PIN);
    link_peephole("weight_ci", "weight_ci", 1);
    link_peephole("weight_cf", NULL, 1);
    link_peephole("weight_co", "weight_co", 1);
    run_out a, b;
    run_both(base, var, &a, &b);
    assert_same_run(&a, &b, 1e-5f, "nfg");
    rc_cell_free(&base);
    rc_cell_free(&var);
}

Test(cells_greff, nog_is_the_baseline_with_the_output_gate_at_one) {
    rc_cell *base = make(&rc_peephole_lstm_cell_type, "_b", 1);
    rc_cell *var = make(&rc_lstm_nog_cell_type, "_v", 2);
    link_gates((const int[]){0, 1, 2, -1}, PIN);
    link_peephole("weight_ci", "weight_ci", 1);
    link_peephole("weight_cf", "weight_cf", 1);
    link_peephole("weight_co", NULL, 1);
    run_out a, b;
    run_both(base, var, &a, &b);
    assert_same_run(&a, &b, 1e-5f, "nog");
    rc_cell_free(&base);
    rc_cell_free(&var);
}

Test(cells_greff, np_is_the_baseline_with_zero_peepholes) {
    rc_cell *base = make(&rc_peephole_lstm_cell_type, "_b", 1);
    rc_cell *var = make(&rc_lstm_np_cell_type, "_v", 2);
    link_gates((const int[]){0, 1, 2, 3}, PIN);
    link_peephole("weight_ci", NULL, 1);
    link_peephole("weight_cf", NULL, 1);
    link_peephole("weight_co", NULL, 1);
    run_out a, b;
    run_both(base, var, &a, &b);
    assert_same_run(&a, &b, 1e-5f, "np");
    rc_cell_free(&base);
    rc_cell_free(&var);
}

// f = σ(-a_i - p_i*c) = 1 - σ(a_i + p_i*c): the baseline's forget gate as the negated input gate.
Test(cells_greff, cifg_is_the_baseline_with_f_equal_to_one_minus_i) {
    rc_cell *base = make(&rc_peephole_lstm_cell_type, "_b", 1);
    rc_cell *var = make(&rc_lstm_cifg_cell_type, "_v", 2);
    link_gates((const int[]){0, -1, 1, 2}, PIN);
    static const char *const roles[3] = {"weight_ih_b", "weight_hh_b", "bias_b"};
    for (int r = 0; r < 3; r++) {
        rc_tensor t = param(roles[r]);
        for (int64_t k = 0; k < block_len(t); k++)
            block(t, GF)[k] = -block(t, GI)[k];
    }
    link_peephole("weight_ci", "weight_ci", 1);
    link_peephole("weight_cf", "weight_ci", -1);
    link_peephole("weight_co", "weight_co", 1);
    run_out a, b;
    run_both(base, var, &a, &b);
    assert_same_run(&a, &b, 1e-5f, "cifg");
    rc_cell_free(&base);
    rc_cell_free(&var);
}

// With zero gate recurrence FGR computes exactly what the baseline does; with the recurrence, it
// does not, and its third state holds the gates [i|f|o] in (0,1).
Test(cells_greff, fgr_is_the_baseline_plus_the_gate_recurrence) {
    rc_cell *base = make(&rc_peephole_lstm_cell_type, "_b", 1);
    rc_cell *var = make(&rc_lstm_fgr_cell_type, "_v", 2);
    link_gates((const int[]){0, 1, 2, 3}, PIN);
    link_peephole("weight_ci", "weight_ci", 1);
    link_peephole("weight_cf", "weight_cf", 1);
    link_peephole("weight_co", "weight_co", 1);
    cr_assert_eq(var->n_state, 3);
    cr_assert_eq(var->state_dim[2], 3 * H);
    rc_tensor rg = param("weight_hh_gates_v");
    cr_assert(rc_shape_eq(rg.shape, RC_SHAPE(3 * H, 3 * H)));
    float *saved = malloc((size_t)rg.n * sizeof(float));
    memcpy(saved, rg.data, (size_t)rg.n * sizeof(float));
    memset(rg.data, 0, (size_t)rg.n * sizeof(float));
    run_out a, b;
    run_both(base, var, &a, &b);
    assert_same_run(&a, &b, 0, "fgr without gate recurrence");
    memcpy(rg.data, saved, (size_t)rg.n * sizeof(float));
    free(saved);
    run_both(base, var, &a, &b);
    rc_tensor ya = rc_value(a.ys[T - 1]), yb = rc_value(b.ys[T - 1]);
    cr_assert_neq(memcmp(ya.data, yb.data, (size_t)ya.n * sizeof(float)), 0,
                  "the gate recurrence changes the outputs");
    rc_tensor gates = rc_value(b.sn[2]);
    for (int64_t k = 0; k < gates.n; k++)
        cr_assert(gates.data[k] > 0 && gates.data[k] < 1, "gate %lld = %g", (long long)k,
                  (double)gates.data[k]);
    rc_cell_free(&base);
    rc_cell_free(&var);
}

// One step with the same weights and state: NOAF's new c is the baseline's, bit for bit, and only
// the readout differs: h'_noaf * tanh(c') = o*c'*tanh(c') = h'_base * c'.
Test(cells_greff, noaf_differs_from_the_baseline_only_in_the_readout) {
    rc_cell *base = make(&rc_peephole_lstm_cell_type, "_b", 1);
    rc_cell *var = make(&rc_lstm_noaf_cell_type, "_v", 1); // same seed, same layout: same weights
    rc_var x = ru_input(g, RC_SHAPE(B, I), 1);
    rc_var s0[2] = {ru_input(g, RC_SHAPE(B, H), 2), ru_input(g, RC_SHAPE(B, H), 3)};
    rc_var ya, yb, sa[2], sb[2];
    cr_assert_eq(rc_rnn_unroll(g, base, &x, 1, s0, &ya, sa, NULL), RC_OK);
    cr_assert_eq(rc_rnn_unroll(g, var, &x, 1, s0, &yb, sb, NULL), RC_OK);
    ru_assert_close(rc_value(sb[1]), rc_value(sa[1]), 0, "c'");
    ru_assert_close(rc_value(rc_mul(yb, rc_tanh(sb[1]))), rc_value(rc_mul(ya, sa[1])), 1e-6f,
                    "h' readout");
    rc_var diff = rc_sub(ya, yb);
    cr_assert_gt(rc_item(rc_l2norm_all(diff)), 1e-3f, "the readouts differ");
    rc_cell_free(&base);
    rc_cell_free(&var);
}

// The variants drop exactly the parameters of what they remove.
Test(cells_greff, each_variant_has_the_parameters_its_definition_needs) {
    static const struct {
        const rc_cell_type *type;
        int64_t blocks;
        const char *peepholes; // the gates that keep one
        int n_weights;
    } want[] = {
        {&rc_peephole_lstm_cell_type, 4, "ifo", 6}, {&rc_lstm_nig_cell_type, 3, "fo", 5},
        {&rc_lstm_nfg_cell_type, 3, "io", 5},       {&rc_lstm_nog_cell_type, 3, "if", 5},
        {&rc_lstm_niaf_cell_type, 4, "ifo", 6},     {&rc_lstm_noaf_cell_type, 4, "ifo", 6},
        {&rc_lstm_np_cell_type, 4, "", 3},          {&rc_lstm_cifg_cell_type, 3, "io", 5},
        {&rc_lstm_fgr_cell_type, 4, "ifo", 7},
    };
    for (size_t v = 0; v < sizeof want / sizeof want[0]; v++) {
        char suffix[8];
        snprintf(suffix, sizeof suffix, "_%zu", v);
        rc_cell *cell = make(want[v].type, suffix, 3);
        cr_assert_eq(cell->n_weights, want[v].n_weights, "%s", want[v].type->name);
        cr_assert(
            rc_shape_eq(rc_param_value(cell->weight[0]).shape, RC_SHAPE(want[v].blocks * H, I)),
            "%s weight_ih", want[v].type->name);
        cr_assert(
            rc_shape_eq(rc_param_value(cell->weight[1]).shape, RC_SHAPE(want[v].blocks * H, H)),
            "%s weight_hh", want[v].type->name);
        for (const char *q = "ifo"; *q; q++) {
            char name[32];
            snprintf(name, sizeof name, "weight_c%c%s", *q, suffix);
            cr_assert_eq(rc_params_find(ps, name) != NULL, strchr(want[v].peepholes, *q) != NULL,
                         "%s: %s", want[v].type->name, name);
        }
        rc_cell_free(&cell);
    }
}
