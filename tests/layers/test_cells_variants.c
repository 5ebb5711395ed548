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
static const rc_ln_lstm_opts ln_joint = {.dim_hidden = H, .gates = RC_LN_LSTM_JOINT,
                                         .per_gate = true};
static const rc_ln_lstm_opts ln_none = {.dim_hidden = H, .gates = RC_LN_LSTM_NONE,
                                        .no_cell_norm = true};

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
// 2, 4, 3 (layer 0 reads I = 3, layer 1 reads 2H: both of the MUTs' and SRU's input paths).
ParameterizedTest(int *i, cells_variants, gradcheck_two_layers_bidirectional_lengths,
                  .init = setup, .fini = teardown) {
    enum { T = 4, B = 3, I = 3 };
    const variant *v = &variants[*i];
    rc_rnn_config cfg = {.cell = v->type, .cell_opts = v->opts, .dim_in = I, .num_layers = 2,
                         .bidirectional = true};
    rc_rng rng;
    rc_rng_seed(&rng, 31);
    rc_rnn *rnn = NULL;
    char err[256] = "";
    cr_assert_eq(rc_rnn_new(&rnn, &cfg, ps, NULL, &rng, err, sizeof err), RC_OK, "%s", err);
    const rc_cell *cell = rnn->cells[0];
    const int32_t lengths[B] = {2, 4, 3};
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
    rc_gradcheck_report rep;
    cr_assert_eq(rc_gradcheck_loss(loss, &o, &rep), RC_OK, "%s", rep.worst);
    cr_assert_eq(rep.failed, 0, "%s: %lld of %lld entries fail, first %s", v->name,
                 (long long)rep.failed, (long long)rep.checked, rep.worst);
    int64_t want = rc_params_numel(ps) + T * B * I;
    for (int k = 0; k < cell->n_state; k++)
        want += 4 * B * cell->state_dim[k];
    cr_assert_eq(rep.checked, want, "every parameter, input and initial-state entry is checked");
    cr_log_info("%s: %lld entries, max abs err %.3g, max rel err %.3g", v->name,
                (long long)rep.checked, rep.max_abs_err, rep.max_rel_err);
    rc_rnn_free(&rnn);
}
