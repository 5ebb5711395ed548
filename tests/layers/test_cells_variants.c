// The gating variants (include/recur/cells.h): one step of every variant against a scalar
// reference of its documented equations, the model-level gradient check on a 2-layer,
// bidirectional, variable-length batch, and initialisation and option errors. Greff et al.'s
// variants against their peephole baseline are in test_cells_greff.c.
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cells_ref.h"
#include "rnn_util.h"
#include "test_util.h"

enum { H = 4 };

typedef struct variant {
    const char *name;
    const rc_cell_type *type;
    const void *opts;
    cref_fn ref;
} variant;

static const rc_peephole_lstm_opts peep = {.dim_hidden = H};
static const rc_gru_cho_opts cho = {.dim_hidden = H};
static const rc_mut_opts mut = {.dim_hidden = H};
static const rc_mgu_opts mgu = {.dim_hidden = H};
static const rc_indrnn_opts ind_relu = {.dim_hidden = H};
static const rc_indrnn_opts ind_tanh = {.dim_hidden = H, .use_tanh = true, .recurrent_max = 0.9f};
static const rc_sru_opts sru = {.dim_hidden = H};
static const rc_sru_opts sru_tanh = {.dim_hidden = H, .use_tanh = true, .highway_bias = -1.0f};
static const rc_ln_lstm_opts ln_sep = {.dim_hidden = H};
static const rc_ln_lstm_opts ln_sep_gate = {.dim_hidden = H, .per_gate = true};
static const rc_ln_lstm_opts ln_joint = {
    .dim_hidden = H, .gates = RC_LN_LSTM_JOINT, .per_gate = true};
static const rc_ln_lstm_opts ln_none = {
    .dim_hidden = H, .gates = RC_LN_LSTM_NONE, .no_cell_norm = true};

static const variant variants[] = {
    {"peephole_lstm", &rc_peephole_lstm_cell_type, &peep, cref_peephole},
    {"lstm_nig", &rc_lstm_nig_cell_type, &peep, cref_nig},
    {"lstm_nfg", &rc_lstm_nfg_cell_type, &peep, cref_nfg},
    {"lstm_nog", &rc_lstm_nog_cell_type, &peep, cref_nog},
    {"lstm_niaf", &rc_lstm_niaf_cell_type, &peep, cref_niaf},
    {"lstm_noaf", &rc_lstm_noaf_cell_type, &peep, cref_noaf},
    {"lstm_np", &rc_lstm_np_cell_type, &peep, cref_np},
    {"lstm_cifg", &rc_lstm_cifg_cell_type, &peep, cref_cifg},
    {"lstm_fgr", &rc_lstm_fgr_cell_type, &peep, cref_fgr},
    {"gru_cho", &rc_gru_cho_cell_type, &cho, cref_gru_cho},
    {"mgu", &rc_mgu_cell_type, &mgu, cref_mgu},
    {"mut1", &rc_mut1_cell_type, &mut, cref_mut1},
    {"mut2", &rc_mut2_cell_type, &mut, cref_mut2},
    {"mut3", &rc_mut3_cell_type, &mut, cref_mut3},
    {"indrnn (relu)", &rc_indrnn_cell_type, &ind_relu, cref_indrnn},
    {"indrnn (tanh, |u| <= 0.9)", &rc_indrnn_cell_type, &ind_tanh, cref_indrnn},
    {"sru", &rc_sru_cell_type, &sru, cref_sru},
    {"sru (tanh, highway bias -1)", &rc_sru_cell_type, &sru_tanh, cref_sru},
    {"ln_lstm (separate)", &rc_ln_lstm_cell_type, &ln_sep, cref_ln_lstm},
    {"ln_lstm (separate, per gate)", &rc_ln_lstm_cell_type, &ln_sep_gate, cref_ln_lstm},
    {"ln_lstm (joint, per gate)", &rc_ln_lstm_cell_type, &ln_joint, cref_ln_lstm},
    {"ln_lstm (none, no cell norm)", &rc_ln_lstm_cell_type, &ln_none, cref_ln_lstm},
};
enum { N_VARIANTS = sizeof variants / sizeof variants[0] };

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

static rc_cell *make_cell(const variant *v, int64_t I, const char *suffix, uint64_t seed) {
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    rc_cell *cell = NULL;
    char err[256] = "";
    cr_assert_eq(rc_cell_new(&cell, v->type, v->opts, I, ps, NULL, suffix, &rng, err, sizeof err),
                 RC_OK, "%s: %s", v->name, err);
    return cell;
}

ParameterizedTestParameters(cells_variants, one_step_matches_reference) {
    static int idx[N_VARIANTS];
    for (int i = 0; i < N_VARIANTS; i++)
        idx[i] = i;
    return cr_make_param_array(int, idx, N_VARIANTS);
}

// Moves some of IndRNN's u outside recurrent_max, so that the reference checks the clamp.
static void push_u_out(const rc_cell *cell) {
    const rc_indrnn_params *p = cell->params;
    if (cell->type != &rc_indrnn_cell_type || p->recurrent_max == 0)
        return;
    rc_tensor u = rc_param_value(p->weight_hh);
    u.data[0] = 1.5f;
    u.data[1] = -2.0f;
}

// One step by hand (bind, project, step) for I = 3 and I = H (the MUTs' and SRU's identity paths).
static void one_step(const variant *v, int64_t I) {
    enum { B = 2 };
    rc_cell *cell = make_cell(v, I, I == H ? "_square" : "", 7);
    push_u_out(cell);
    rc_var x = ru_input(g, RC_SHAPE(B, I), 1), prev[RC_CELL_MAX_STATE], next[RC_CELL_MAX_STATE];
    for (int k = 0; k < cell->n_state; k++) {
        prev[k] = ru_input(g, RC_SHAPE(B, cell->state_dim[k]), 2 + k);
        if (k == 2) // FGR's previous gates lie in (0,1)
            prev[k] = rc_sigmoid(prev[k]);
    }
    rc_cell_ctx ctx;
    rc_cell_begin(&ctx, g, cell, B, NULL, 0, 0);
    rc_var y = cell->step(&ctx, cell->project ? cell->project(&ctx, x) : x, prev, next);
    cr_assert_eq(rc_graph_status(g), RC_OK, "%s: %s", v->name, rc_graph_errmsg(g));
    ru_assert_close(rc_value(y), rc_value(next[0]), 0, "the output is h'");
    for (int64_t b = 0; b < B; b++) {
        double xr[16], pr[RC_CELL_MAX_STATE][48], nr[RC_CELL_MAX_STATE][48];
        const double *pp[RC_CELL_MAX_STATE];
        double *np[RC_CELL_MAX_STATE];
        for (int64_t i = 0; i < I; i++)
            xr[i] = rc_value(x).data[b * I + i];
        for (int k = 0; k < cell->n_state; k++) {
            const int64_t S = cell->state_dim[k];
            for (int64_t i = 0; i < S; i++)
                pr[k][i] = rc_value(prev[k]).data[b * S + i];
            pp[k] = pr[k];
            np[k] = nr[k];
        }
        v->ref(cell, xr, pp, np);
        for (int k = 0; k < cell->n_state; k++) {
            const int64_t S = cell->state_dim[k];
            float want[48];
            for (int64_t i = 0; i < S; i++)
                want[i] = (float)nr[k][i];
            char what[96];
            snprintf(what, sizeof what, "%s, I=%lld, row %lld, state %d", v->name, (long long)I,
                     (long long)b, k);
            tu_assert_close(rc_value(next[k]).data + b * S, want, S, 1e-5f, 1e-6f, what);
        }
    }
    rc_cell_free(&cell);
}

ParameterizedTest(int *i, cells_variants, one_step_matches_reference, .init = setup,
                  .fini = teardown) {
    one_step(&variants[*i], 3);
    one_step(&variants[*i], H);
}

// ---- the model-level gradient check -----------------------------------------------------------

ParameterizedTestParameters(cells_variants, gradcheck_two_layers_bidirectional_lengths) {
    static int idx[N_VARIANTS];
    for (int i = 0; i < N_VARIANTS; i++)
        idx[i] = i;
    return cr_make_param_array(int, idx, N_VARIANTS);
}

// Parameters, input and initial states of a 2-layer bidirectional stack over a batch of lengths
// 2, 3, 1 (layer 0 reads I = 3, layer 1 reads 2H: both of the MUTs' and SRU's input paths). Up to
// 20 entries of each tensor are checked, which keeps the 22 runs to seconds under ASan; the
// steps have no backward code of their own, so a wrong composition shows in any entry it reaches.
enum { MAX_PER_TENSOR = 20 };

static int64_t sampled(int64_t n) {
    return n < MAX_PER_TENSOR ? n : MAX_PER_TENSOR;
}

ParameterizedTest(int *i, cells_variants, gradcheck_two_layers_bidirectional_lengths, .init = setup,
                  .fini = teardown) {
    enum { T = 3, B = 3, I = 3 };
    const variant *v = &variants[*i];
    rc_rnn_config cfg = {
        .cell = v->type, .cell_opts = v->opts, .dim_in = I, .num_layers = 2, .bidirectional = true};
    rc_rng rng;
    rc_rng_seed(&rng, 31);
    rc_rnn *rnn = NULL;
    char err[256] = "";
    cr_assert_eq(rc_rnn_new(&rnn, &cfg, ps, NULL, &rng, err, sizeof err), RC_OK, "%s", err);
    const rc_cell *cell = rnn->cells[0];
    const int32_t lengths[B] = {2, 3, 1};
    rc_var x = rc_requires_grad(ru_input(g, RC_SHAPE(T, B, I), 1));
    rc_var s0[RC_CELL_MAX_STATE];
    for (int k = 0; k < cell->n_state; k++)
        s0[k] = rc_requires_grad(ru_input(g, RC_SHAPE(4, B, cell->state_dim[k]), 2 + k));
    rc_rnn_run run = {.lengths = lengths, .state0 = s0};
    rc_rnn_result res;
    cr_assert_eq(rc_rnn_forward(g, rnn, x, &run, &res), RC_OK, "%s", rc_graph_errmsg(g));
    rc_var loss = ru_weighted_sum(res.output, 10);
    for (int k = 0; k < res.n_state; k++)
        loss = rc_add(loss, ru_weighted_sum(res.state[k], 11 + k));
    rc_gradcheck_opts o = rc_gradcheck_defaults();
    // Central differences in float32: 1e-3 keeps the curvature error of layer norm over H = 4
    // entries and of relu kinks small, while rounding noise stays near 3e-4, under atol.
    o.eps = 1e-3f;
    o.max_per_tensor = MAX_PER_TENSOR;
    rc_gradcheck_report rep;
    cr_assert_eq(rc_gradcheck_loss(loss, &o, &rep), RC_OK, "%s", rep.worst);
    cr_assert_eq(rep.failed, 0, "%s: %lld of %lld entries fail, first %s", v->name,
                 (long long)rep.failed, (long long)rep.checked, rep.worst);
    int64_t want = sampled(T * B * I);
    for (int p = 0; p < rc_params_count(ps); p++)
        want += sampled(rc_param_value(rc_params_at(ps, p)).n);
    for (int k = 0; k < cell->n_state; k++)
        want += sampled(4 * B * cell->state_dim[k]);
    cr_assert_eq(rep.checked, want,
                 "every parameter, the input and the initial states are checked");
    cr_log_info("%s: %lld entries, max abs err %.3g, max rel err %.3g", v->name,
                (long long)rep.checked, rep.max_abs_err, rep.max_rel_err);
    rc_rnn_free(&rnn);
}

// ---- initialisation, options and errors -------------------------------------------------------

TestSuite(cells_init, .init = setup, .fini = teardown);

static bool is_recurrent_role(const char *name) {
    return strncmp(name, "weight_ih", 9) && strncmp(name, "bias", 4) &&
           strncmp(name, "weight_c", 8) && strncmp(name, "ln_", 3);
}

// Weight drop finds recurrent matrices by the name part "weight_hh": every variant names them so.
Test(cells_init, every_recurrent_weight_is_named_weight_hh) {
    for (int i = 0; i < N_VARIANTS; i++) {
        char suffix[8];
        snprintf(suffix, sizeof suffix, "_%d", i);
        rc_cell *cell = make_cell(&variants[i], 3, suffix, 1);
        int n_hh = 0;
        for (int k = 0; k < cell->n_weights; k++) {
            const char *name = rc_param_name(cell->weight[k]);
            if (is_recurrent_role(name))
                cr_assert(strstr(name, "weight_hh"), "%s: %s", variants[i].name, name);
            n_hh += strstr(name, "weight_hh") != NULL;
        }
        cr_assert(n_hh > 0 || cell->type == &rc_sru_cell_type, "%s has a recurrent weight",
                  variants[i].name);
        rc_cell_free(&cell);
    }
}

Test(cells_init, mut_input_maps_only_when_widths_differ) {
    const rc_cell_type *types[2] = {&rc_mut1_cell_type, &rc_mut2_cell_type};
    for (int t = 0; t < 2; t++) {
        rc_cell *square = make_cell(&(variant){"m", types[t], &mut, NULL}, H, t ? "_s2" : "_s1", 1);
        rc_cell *wide = make_cell(&(variant){"m", types[t], &mut, NULL}, 6, t ? "_w2" : "_w1", 1);
        cr_assert(rc_shape_eq(rc_param_value(square->weight[0]).shape, RC_SHAPE(2 * H, H)));
        cr_assert(rc_shape_eq(rc_param_value(wide->weight[0]).shape, RC_SHAPE(3 * H, 6)));
        rc_cell_free(&square);
        rc_cell_free(&wide);
    }
}

Test(cells_init, indrnn_u_starts_in_range_and_clips) {
    const rc_indrnn_opts o = {.dim_hidden = 64, .recurrent_max = 0.5f};
    rc_cell *cell = make_cell(&(variant){"indrnn", &rc_indrnn_cell_type, &o, NULL}, 3, "", 4);
    const rc_indrnn_params *p = cell->params;
    rc_tensor u = rc_param_value(p->weight_hh);
    float lo = 1, hi = 0;
    for (int64_t i = 0; i < u.n; i++) {
        lo = fminf(lo, u.data[i]);
        hi = fmaxf(hi, u.data[i]);
    }
    cr_assert(lo >= 0 && hi <= 0.5f && hi > 0.4f, "u in [0, 0.5]: [%g, %g]", (double)lo,
              (double)hi);
    u.data[0] = 3.0f;
    u.data[1] = -3.0f;
    u.data[2] = 0.25f;
    cr_assert_eq(rc_indrnn_clip(cell), RC_OK);
    cr_assert_eq(u.data[0], 0.5f);
    cr_assert_eq(u.data[1], -0.5f);
    cr_assert_eq(u.data[2], 0.25f);
    rc_cell *other = make_cell(&variants[0], 3, "_lstm", 4);
    cr_assert_eq(rc_indrnn_clip(other), RC_ERR_ARG, "only an IndRNN cell");
    cr_assert_eq(rc_indrnn_clip(NULL), RC_ERR_ARG);
    rc_cell_free(&other);
    rc_cell_free(&cell);
}

// The authors' init: gate blocks of weight_ih narrower by sqrt(1/2), hw block wider by α,
// b_r = highway_bias, b_f = 0; α = sqrt(1 + 2 exp(highway_bias)).
Test(cells_init, sru_init_follows_the_authors_code) {
    const rc_sru_opts o = {.dim_hidden = 32, .highway_bias = -2.0f};
    rc_cell *cell = make_cell(&(variant){"sru", &rc_sru_cell_type, &o, NULL}, 16, "", 5);
    const rc_sru_params *p = cell->params;
    cr_assert_float_eq(p->alpha, sqrtf(1.0f + 2.0f * expf(-2.0f)), 1e-6f);
    rc_tensor w = rc_param_value(p->weight_ih);
    cr_assert(rc_shape_eq(w.shape, RC_SHAPE(4 * 32, 16)), "I != H: a fourth block");
    const float bound = sqrtf(3.0f / 16.0f), scale[4] = {1, sqrtf(0.5f), sqrtf(0.5f), p->alpha};
    for (int blk = 0; blk < 4; blk++) {
        float m = 0;
        for (int64_t i = blk * 32 * 16; i < (blk + 1) * 32 * 16; i++)
            m = fmaxf(m, fabsf(w.data[i]));
        cr_assert(m <= bound * scale[blk] * 1.0001f && m > 0.9f * bound * scale[blk],
                  "block %d: max |w| %g, bound %g", blk, (double)m, (double)(bound * scale[blk]));
    }
    for (int j = 0; j < 32; j++) {
        cr_assert_eq(rc_param_value(p->bias_r).data[j], -2.0f);
        cr_assert_eq(rc_param_value(p->bias_f).data[j], 0.0f);
        cr_assert(fabsf(rc_param_value(p->weight_cf).data[j]) <= sqrtf(1.5f));
    }
    rc_cell_free(&cell);
}

Test(cells_init, ln_lstm_parameters_follow_the_placement) {
    static const struct {
        rc_ln_lstm_opts o;
        const char *names[8];
    } want[] = {
        {{.dim_hidden = H},
         {"weight_ih", "weight_hh", "bias", "ln_ih_gain", "ln_hh_gain", "ln_c_gain", "ln_c_bias"}},
        {{.dim_hidden = H, .gates = RC_LN_LSTM_JOINT},
         {"weight_ih", "weight_hh", "bias", "ln_gain", "ln_c_gain", "ln_c_bias"}},
        {{.dim_hidden = H, .gates = RC_LN_LSTM_NONE, .no_cell_norm = true},
         {"weight_ih", "weight_hh", "bias"}},
    };
    for (size_t v = 0; v < sizeof want / sizeof want[0]; v++) {
        rc_params_free(&ps);
        cr_assert_eq(rc_params_new(&ps), RC_OK);
        rc_cell *cell =
            make_cell(&(variant){"ln", &rc_ln_lstm_cell_type, &want[v].o, NULL}, 3, "", 1);
        int n = 0;
        while (want[v].names[n])
            n++;
        cr_assert_eq(cell->n_weights, n, "placement %zu", v);
        for (int k = 0; k < n; k++) {
            cr_assert_str_eq(rc_param_name(cell->weight[k]), want[v].names[k]);
            rc_tensor t = rc_param_value(cell->weight[k]);
            const float one = strstr(want[v].names[k], "gain") ? 1.0f : 0.0f;
            for (int64_t i = 0; k >= 2 && i < t.n; i++)
                cr_assert_eq(t.data[i], one, "%s starts at %g", want[v].names[k], (double)one);
        }
        rc_cell_free(&cell);
    }
}

static void expect_error(const rc_cell_type *type, const void *opts, const char *part) {
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_cell *cell = (rc_cell *)&rng; // must be nulled
    char err[256] = "";
    cr_assert_eq(rc_cell_new(&cell, type, opts, 3, ps, NULL, NULL, &rng, err, sizeof err),
                 RC_ERR_ARG, "%s", type->name);
    cr_assert_null(cell);
    cr_assert(strstr(err, part), "%s: message \"%s\" lacks \"%s\"", type->name, err, part);
    cr_assert_eq(rc_params_count(ps), 0, "no parameter is added for bad options");
}

Test(cells_init, bad_options_are_errors_with_a_message) {
    for (int i = 0; i < N_VARIANTS; i++) {
        const rc_cell_type *type = variants[i].type;
        char want[64];
        snprintf(want, sizeof want, "%s: needs", type->name);
        expect_error(type, NULL, want);
        const int64_t zero[8] = {0}; // every options struct starts with dim_hidden
        expect_error(type, zero, "dim_hidden > 0");
    }
    expect_error(&rc_indrnn_cell_type, &(rc_indrnn_opts){.dim_hidden = 4, .recurrent_max = -1},
                 "recurrent_max -1");
    expect_error(&rc_indrnn_cell_type, &(rc_indrnn_opts){.dim_hidden = 4, .recurrent_max = NAN},
                 "recurrent_max nan");
    expect_error(&rc_sru_cell_type, &(rc_sru_opts){.dim_hidden = 4, .highway_bias = INFINITY},
                 "highway_bias inf");
    expect_error(&rc_ln_lstm_cell_type,
                 &(rc_ln_lstm_opts){.dim_hidden = 4, .gates = (rc_ln_lstm_norm)7}, "gates 7");
    expect_error(&rc_ln_lstm_cell_type, &(rc_ln_lstm_opts){.dim_hidden = 4, .eps = -1}, "eps -1");
}
