// The cell-type registry: every built-in type by name, run-time registration and its errors,
// default options for a type found by name, and the forget-gate bias of the LSTM family.
#include <stdio.h>
#include <string.h>

#include "test_util.h"

static rc_params *ps;
static void setup(void) {
    cr_assert_eq(rc_params_new(&ps), RC_OK);
}
static void teardown(void) {
    rc_params_free(&ps);
    rc_cell_type_unregister_all();
}
TestSuite(cell_types, .init = setup, .fini = teardown);

static const char *const builtin_names[] = {
    "rnn",       "lstm",      "gru",     "peephole_lstm", "lstm_nig", "lstm_nfg", "lstm_nog",
    "lstm_niaf", "lstm_noaf", "lstm_np", "lstm_cifg",     "lstm_fgr", "ln_lstm",  "gru_cho",
    "mgu",       "mut1",      "mut2",    "mut3",          "indrnn",   "sru",
};

Test(cell_types, every_builtin_type_is_found_by_its_name) {
    const int n = (int)(sizeof builtin_names / sizeof builtin_names[0]);
    cr_assert_eq(rc_cell_type_count(), n);
    for (int i = 0; i < n; i++) {
        const rc_cell_type *t = rc_cell_type_find(builtin_names[i]);
        cr_assert_not_null(t, "%s", builtin_names[i]);
        cr_assert_eq(t, rc_cell_type_at(i), "%s is listed at %d", builtin_names[i], i);
        cr_assert_str_eq(t->name, builtin_names[i]);
        cr_assert(t->summary && *t->summary, "%s has a summary", t->name);
    }
    cr_assert_eq(rc_cell_type_find("lstm"), &rc_lstm_cell_type);
    cr_assert_null(rc_cell_type_find("lstmx"));
    cr_assert_null(rc_cell_type_find(NULL));
    cr_assert_null(rc_cell_type_at(-1));
    cr_assert_null(rc_cell_type_at(n));
}

// Every type made from its name alone (default options, H = 5) runs three steps of a batch.
Test(cell_types, every_type_runs_from_default_options) {
    for (int i = 0; i < rc_cell_type_count(); i++) {
        const rc_cell_type *t = rc_cell_type_at(i);
        unsigned char opts[RC_CELL_OPTS_MAX];
        char err[256] = "";
        cr_assert_eq(rc_cell_opts_init(t, 5, opts, sizeof opts, err, sizeof err), RC_OK, "%s", err);
        rc_rng rng;
        rc_rng_seed(&rng, 1);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%s.", t->name);
        rc_cell *cell;
        cr_assert_eq(rc_cell_new(&cell, t, opts, 3, ps, prefix, "", &rng, err, sizeof err), RC_OK,
                     "%s: %s", t->name, err);
        cr_assert_eq(cell->dim_hidden, 5, "%s", t->name);
        rc_graph *g;
        cr_assert_eq(rc_graph_new(&g), RC_OK);
        float x[2 * 3] = {0.1f, -0.2f, 0.3f, 0.5f, 0.0f, -0.4f};
        rc_var xs[3] = {rc_input(g, RC_SHAPE(2, 3), x), rc_input(g, RC_SHAPE(2, 3), x),
                        rc_input(g, RC_SHAPE(2, 3), x)};
        rc_var ys[3];
        cr_assert_eq(rc_rnn_unroll(g, cell, xs, 3, NULL, ys, NULL, NULL), RC_OK, "%s: %s", t->name,
                     rc_graph_errmsg(g));
        cr_assert_eq(rc_shape_of(ys[2]).dim[1], cell->dim_out, "%s", t->name);
        rc_graph_free(&g);
        rc_cell_free(&cell);
    }
}

static rc_status janet_like_init(rc_cell *cell, const void *opts, rc_params *ps_, rc_rng *rng,
                                 char *err, size_t err_len) {
    return rc_lstm_cell_type.init(cell, opts, ps_, rng, err, err_len);
}

static const rc_cell_type user_type = {
    .name = "user_lstm",
    .params_size = sizeof(rc_lstm_params),
    .init = janet_like_init,
    .opts_size = sizeof(rc_lstm_opts),
    .summary = "an LSTM registered at run time",
};

Test(cell_types, a_registered_type_is_listed_after_the_builtin_ones) {
    const int n = rc_cell_type_count();
    char err[256] = "";
    cr_assert_eq(rc_cell_type_register(&user_type, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_cell_type_count(), n + 1);
    cr_assert_eq(rc_cell_type_at(n), &user_type);
    cr_assert_eq(rc_cell_type_find("user_lstm"), &user_type);
    rc_cell_type_unregister_all();
    cr_assert_eq(rc_cell_type_count(), n);
    cr_assert_null(rc_cell_type_find("user_lstm"));
}

Test(cell_types, registration_errors_name_the_problem) {
    char err[256] = "";
    cr_assert_eq(rc_cell_type_register(NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "type is NULL"), "%s", err);
    rc_cell_type dup = user_type;
    dup.name = "gru";
    cr_assert_eq(rc_cell_type_register(&dup, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "'gru' exists already"), "%s", err);
    rc_cell_type bad = user_type;
    bad.name = "My Cell";
    cr_assert_eq(rc_cell_type_register(&bad, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "'My Cell'") && strstr(err, "[a-z0-9_]"), "%s", err);
    rc_cell_type no_opts = user_type;
    no_opts.opts_size = 0;
    cr_assert_eq(rc_cell_type_register(&no_opts, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "opts_size"), "%s", err);
    rc_cell_type no_init = user_type;
    no_init.init = NULL;
    cr_assert_eq(rc_cell_type_register(&no_init, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "needs an init"), "%s", err);
    cr_assert_eq(rc_cell_type_register(&user_type, err, sizeof err), RC_OK);
    cr_assert_eq(rc_cell_type_register(&user_type, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "'user_lstm' exists already"), "%s", err);
}

Test(cell_types, default_options_errors) {
    char err[256] = "";
    unsigned char opts[4];
    cr_assert_eq(rc_cell_opts_init(&rc_lstm_cell_type, 8, opts, sizeof opts, err, sizeof err),
                 RC_ERR_ARG);
    cr_assert(strstr(err, "lstm") && strstr(err, "room for 4"), "%s", err);
    unsigned char big[RC_CELL_OPTS_MAX];
    cr_assert_eq(rc_cell_opts_init(&rc_gru_cell_type, 0, big, sizeof big, err, sizeof err),
                 RC_ERR_ARG);
    cr_assert(strstr(err, "dim_hidden must be > 0, got 0"), "%s", err);
    cr_assert_eq(rc_cell_opts_init(&rc_gru_cell_type, 7, big, sizeof big, err, sizeof err), RC_OK);
    cr_assert_eq(((const rc_gru_opts *)(const void *)big)->dim_hidden, 7);
}

static rc_cell *make(const rc_cell_type *t, const char *prefix) {
    unsigned char opts[RC_CELL_OPTS_MAX];
    rc_rng rng;
    rc_rng_seed(&rng, 3);
    rc_cell *c;
    cr_assert_eq(rc_cell_opts_init(t, 4, opts, sizeof opts, NULL, 0), RC_OK);
    cr_assert_eq(rc_cell_new(&c, t, opts, 2, ps, prefix, "_l0", &rng, NULL, 0), RC_OK);
    return c;
}

static void assert_block(const rc_cell *c, const char *role, int block, float want) {
    rc_tensor v = rc_param_value(rc_cell_weight(c, role));
    for (int64_t i = block * 4; i < (block + 1) * 4; i++)
        cr_assert_eq(v.data[i], want, "%s[%lld] = %g", role, (long long)i, (double)v.data[i]);
}

Test(cell_types, forget_bias_sets_the_forget_block) {
    char err[256] = "";
    rc_cell *lstm = make(&rc_lstm_cell_type, "a.");
    float before = rc_param_value(rc_cell_weight(lstm, "bias_ih")).data[0];
    cr_assert_eq(rc_cell_set_forget_bias(lstm, 1.0f, err, sizeof err), RC_OK, "%s", err);
    assert_block(lstm, "bias_ih", 1, 1.0f);
    assert_block(lstm, "bias_hh", 1, 0.0f);
    cr_assert_eq(rc_param_value(rc_cell_weight(lstm, "bias_ih")).data[0], before, "i untouched");
    rc_cell *nig = make(&rc_lstm_nig_cell_type, "b.");
    cr_assert_eq(rc_cell_set_forget_bias(nig, 2.0f, err, sizeof err), RC_OK, "%s", err);
    assert_block(nig, "bias", 0, 2.0f);
    rc_cell *cifg = make(&rc_lstm_cifg_cell_type, "c.");
    cr_assert_eq(rc_cell_set_forget_bias(cifg, 1.0f, err, sizeof err), RC_OK, "%s", err);
    assert_block(cifg, "bias", 0, -1.0f);
    rc_cell *gru = make(&rc_gru_cell_type, "d.");
    cr_assert_eq(rc_cell_set_forget_bias(gru, 1.0f, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "gru has no forget gate"), "%s", err);
    cr_assert_null(rc_cell_weight(gru, "bias"));
    cr_assert_not_null(rc_cell_weight(gru, "weight_hh"));
    cr_assert_eq(rc_cell_fill_bias_block(gru, "bias", 0, 1.0f, err, sizeof err), RC_ERR_NOTFOUND);
    cr_assert(strstr(err, "has no weight bias"), "%s", err);
    cr_assert_eq(rc_cell_fill_bias_block(gru, "bias_ih", 3, 1.0f, err, sizeof err), RC_ERR_RANGE);
    cr_assert(strstr(err, "block 3") && strstr(err, "out of range"), "%s", err);
    rc_cell *cells[] = {lstm, nig, cifg, gru};
    for (int i = 0; i < 4; i++)
        rc_cell_free(&cells[i]);
}

Test(cell_types, forget_bias_reaches_every_layer_and_direction) {
    rc_lstm_opts o = {.dim_hidden = 4};
    rc_rnn_config cfg = {.cell = &rc_lstm_cell_type,
                         .cell_opts = &o,
                         .dim_in = 3,
                         .num_layers = 2,
                         .bidirectional = true};
    rc_rng rng;
    rc_rng_seed(&rng, 9);
    rc_rnn *rnn;
    char err[256] = "";
    cr_assert_eq(rc_rnn_new(&rnn, &cfg, ps, "", &rng, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_rnn_set_forget_bias(rnn, 1.0f, err, sizeof err), RC_OK, "%s", err);
    for (int k = 0; k < 4; k++)
        assert_block(rnn->cells[k], "bias_ih", 1, 1.0f);
    rc_rnn_free(&rnn);
}
