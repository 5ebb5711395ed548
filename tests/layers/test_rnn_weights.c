// PyTorch state dicts against rc_rnn_config: the config derived from each of the 40 PyTorch
// fixtures, the layers built with no generator (parameters zero), loaded by name and run to the
// fixture's outputs; the check naming the first difference; every error of both; and a
// PyTorch model saved with a "model." prefix (tests/fixtures/make_weights_fixtures.py).
#include <stdio.h>
#include <string.h>

#include "fixtures.h"
#include "rnn_util.h"

#include <criterion/parameterized.h>

static char err[1024];

#define ASSERT_MSG(needle)                                                                         \
    cr_assert(strstr(err, needle), "message \"%s\" lacks \"%s\"", err, needle)

static rc_safetensors *open_fixture(const char *rel) {
    char p[512];
    fixture_path(rel, p, sizeof p);
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, p, err, sizeof err), RC_OK, "%s", err);
    return f;
}

// ---- derive, build with no generator, load, run: PyTorch's outputs ------------------------------

static const rc_cell_type *const kind_type[RU_N_KINDS] = {&rc_rnn_cell_type, &rc_rnn_cell_type,
                                                          &rc_lstm_cell_type, &rc_lstm_cell_type,
                                                          &rc_gru_cell_type};

static void run_and_compare(const rc_rnn *rnn, const ru_fixture *fx, const rc_safetensors *f,
                            const char *name) {
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    int32_t lengths[8];
    const int64_t B = ru_fixture_get(fx, "lengths").n;
    cr_assert_eq(rc_safetensors_read_i32(f, "lengths", lengths, B, err, sizeof err), RC_OK, "%s",
                 err);
    const int n_state = rnn->cells[0]->n_state;
    const char *s0[2] = {"h0", "c0"}, *sn[2] = {"h_n", "c_n"};
    rc_var state0[2];
    for (int k = 0; k < n_state; k++) {
        rc_tensor s = ru_fixture_get(fx, s0[k]);
        state0[k] = rc_input(g, s.shape, s.data);
    }
    rc_tensor x = ru_fixture_get(fx, "input");
    const bool variable = strstr(name, "_var") != NULL;
    rc_rnn_run run = {.lengths = variable ? lengths : NULL, .state0 = state0};
    rc_rnn_result out;
    cr_assert_eq(rc_rnn_forward(g, rnn, rc_input(g, x.shape, x.data), &run, &out), RC_OK, "%s",
                 rc_graph_errmsg(g));
    ru_assert_close(rc_value(out.output), ru_fixture_get(fx, "output"), 1e-5f, name);
    for (int k = 0; k < n_state; k++)
        ru_assert_close(rc_value(out.state[k]), ru_fixture_get(fx, sn[k]), 1e-5f, sn[k]);
    rc_graph_free(&g);
}

static void derive_load_run(int index) {
    const int kind = index / 8, layers = 1 + (index / 4) % 2;
    const bool bidir = (index / 2) % 2, variable = index % 2;
    char name[64], rel[96];
    snprintf(name, sizeof name, "%s_l%d_%s_%s", ru_kind_names[kind], layers, bidir ? "bi" : "uni",
             variable ? "var" : "eq");
    snprintf(rel, sizeof rel, "rnn/%s.safetensors", name);
    rc_safetensors *f = open_fixture(rel);
    rc_rnn_config cfg;
    rc_torch_cell_opts opts = {.rnn.nonlinearity = kind == RU_RNN_RELU ? RC_RNN_RELU : RC_RNN_TANH};
    // The cell comes from the shapes (NULL) or is given: both ways every other case.
    const rc_cell_type *hint = index % 3 ? NULL : kind_type[kind];
    cr_assert_eq(rc_rnn_config_derive(&cfg, &opts, f, NULL, hint, err, sizeof err), RC_OK, "%s: %s",
                 name, err);
    cr_assert_eq(cfg.cell, kind_type[kind], "%s: derived %s", name, cfg.cell->name);
    cr_assert(cfg.dim_in == 4 && cfg.num_layers == layers && cfg.bidirectional == bidir, "%s",
              name);
    cr_assert_eq(cfg.cell_opts, &opts);
    cr_assert_eq(cfg.dropout, 0.0f);
    const int64_t H = kind_type[kind] == &rc_lstm_cell_type  ? opts.lstm.dim_hidden
                      : kind_type[kind] == &rc_gru_cell_type ? opts.gru.dim_hidden
                                                             : opts.rnn.dim_hidden;
    cr_assert_eq(H, 6, "%s", name);
    if (kind == RU_LSTM || kind == RU_LSTM_PROJ)
        cr_assert_eq(opts.lstm.proj_size, kind == RU_LSTM_PROJ ? 3 : 0, "%s", name);
    if (kind == RU_RNN_RELU)
        cr_assert_eq(opts.rnn.nonlinearity, RC_RNN_RELU, "the hint is kept");

    rc_params *ps;
    rc_params_new(&ps);
    rc_rnn *rnn;
    cr_assert_eq(rc_rnn_new(&rnn, &cfg, ps, NULL, NULL, err, sizeof err), RC_OK, "%s", err);
    for (int i = 0; i < rc_params_count(ps); i++) {
        rc_tensor v = rc_param_value(rc_params_at(ps, i));
        for (int64_t k = 0; k < v.n; k++)
            cr_assert_eq(v.data[k], 0.0f, "rng NULL: %s starts at zero",
                         rc_param_name(rc_params_at(ps, i)));
    }
    const rc_load_opts lo = {.strict = true, .unexpected = RC_LOAD_UNEXPECTED_IGNORE};
    rc_load_report rep;
    cr_assert_eq(rc_params_load_safetensors(ps, f, &lo, &rep, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rep.loaded, rc_params_count(ps));
    ru_fixture *fx = ru_fixture_open(rel);
    run_and_compare(rnn, fx, f, name);
    ru_fixture_close(&fx);
    rc_rnn_free(&rnn);
    rc_params_free(&ps);
    rc_safetensors_close(&f);
}

ParameterizedTestParameters(rnn_weights, derive_load_run) {
    static int cases[40];
    for (int i = 0; i < 40; i++)
        cases[i] = i;
    return cr_make_param_array(int, cases, 40);
}

ParameterizedTest(int *index, rnn_weights, derive_load_run) {
    derive_load_run(*index);
}

// The model of examples/load_pytorch.c: an LSTM with projections under "model.rnn." beside a
// Linear head; the LSTM's config comes from the file, everything loads with "model." stripped.
Test(rnn_weights, pytorch_model_with_a_prefix) {
    rc_safetensors *f = open_fixture("weights/tagger_state_dict.safetensors");
    rc_rnn_config cfg;
    rc_torch_cell_opts opts = {0};
    cr_assert_eq(rc_rnn_config_derive(&cfg, &opts, f, "model.rnn.", NULL, err, sizeof err), RC_OK,
                 "%s", err);
    cr_assert(cfg.cell == &rc_lstm_cell_type && cfg.dim_in == 5 && cfg.num_layers == 2 &&
              cfg.bidirectional);
    cr_assert(opts.lstm.dim_hidden == 7 && opts.lstm.proj_size == 3 && !opts.lstm.no_bias);
    cr_assert_eq(rc_rnn_config_check(&cfg, f, "model.rnn.", err, sizeof err), RC_OK, "%s", err);
    rc_params *ps;
    rc_params_new(&ps);
    rc_rnn *rnn;
    cr_assert_eq(rc_rnn_new(&rnn, &cfg, ps, "rnn.", NULL, err, sizeof err), RC_OK, "%s", err);
    const rc_load_opts lo = {.strict = true, .strip_prefix = "model."};
    rc_load_report rep;
    cr_assert_eq(rc_params_load_safetensors(ps, f, &lo, &rep, err, sizeof err), RC_ERR_NOTFOUND);
    cr_assert_str_eq(rep.text, "unexpected 2: model.head.bias, model.head.weight");
    const rc_load_opts only_rnn = {
        .strict = true, .strip_prefix = "model.", .unexpected = RC_LOAD_UNEXPECTED_COUNT};
    cr_assert_eq(rc_params_load_safetensors(ps, f, &only_rnn, &rep, err, sizeof err), RC_OK, "%s",
                 err);
    cr_assert_eq(rep.loaded, 20);
    float want[28];
    cr_assert_eq(rc_safetensors_read(f, "model.rnn.bias_hh_l1_reverse", want, 28, err, sizeof err),
                 RC_OK);
    cr_assert_eq(memcmp(rc_param_value(rc_params_find(ps, "rnn.bias_hh_l1_reverse")).data, want,
                        sizeof want),
                 0);
    rc_rnn_free(&rnn);
    rc_params_free(&ps);
    rc_safetensors_close(&f);
}

// ---- the check ----------------------------------------------------------------------------------

static rc_status check_lstm(const char *rel, int64_t H, int layers, bool bidir, bool no_bias) {
    rc_safetensors *f = open_fixture(rel);
    rc_lstm_opts o = {.dim_hidden = H, .no_bias = no_bias};
    rc_rnn_config cfg = {.cell = &rc_lstm_cell_type,
                         .cell_opts = &o,
                         .dim_in = 4,
                         .num_layers = layers,
                         .bidirectional = bidir};
    rc_status st = rc_rnn_config_check(&cfg, f, NULL, err, sizeof err);
    rc_safetensors_close(&f);
    return st;
}

Test(rnn_weights, check_names_the_first_difference) {
    cr_assert_eq(check_lstm("rnn/lstm_l2_bi_eq.safetensors", 6, 2, true, false), RC_OK, "%s", err);
    cr_assert_eq(check_lstm("rnn/lstm_l1_uni_eq.safetensors", 6, 2, false, false), RC_ERR_NOTFOUND);
    ASSERT_MSG("lstm_l1_uni_eq.safetensors: the config expects weight_ih_l1 [24,6] (layer 1 "
               "forward; config: lstm, dim_in 4, H 6, dim_out 6, 2 layers), the file has no such "
               "tensor");
    cr_assert_eq(check_lstm("rnn/lstm_l1_uni_eq.safetensors", 5, 1, false, false), RC_ERR_SHAPE);
    ASSERT_MSG("weight_ih_l0: file [24,4] F32, the config expects [20,4] (layer 0 forward; "
               "config: lstm, dim_in 4, H 5, dim_out 5, 1 layer)");
    cr_assert_eq(check_lstm("rnn/lstm_l2_bi_eq.safetensors", 6, 1, true, false), RC_ERR_SHAPE);
    ASSERT_MSG("the file has bias_hh_l1 [24], which the config does not have (config: lstm, "
               "dim_in 4, H 6, dim_out 6, 1 layer, bidirectional)");
    cr_assert_eq(check_lstm("rnn/lstm_l1_bi_eq.safetensors", 6, 1, false, false), RC_ERR_SHAPE);
    ASSERT_MSG("the file has bias_hh_l0_reverse [24], which the config does not have");
    cr_assert_eq(check_lstm("rnn/lstm_l1_uni_eq.safetensors", 6, 1, false, true), RC_ERR_SHAPE);
    ASSERT_MSG("the file has bias_hh_l0 [24], which the config does not have");
    // Layer 1 of a proj LSTM reads D*P: the projected widths are in the expected shapes.
    rc_safetensors *f = open_fixture("rnn/lstm_proj_l2_bi_eq.safetensors");
    rc_lstm_opts o = {.dim_hidden = 6, .proj_size = 2};
    rc_rnn_config cfg = {.cell = &rc_lstm_cell_type,
                         .cell_opts = &o,
                         .dim_in = 4,
                         .num_layers = 2,
                         .bidirectional = true};
    cr_assert_eq(rc_rnn_config_check(&cfg, f, "", err, sizeof err), RC_ERR_SHAPE);
    ASSERT_MSG("weight_hh_l0: file [24,3] F32, the config expects [24,2] (layer 0 forward; "
               "config: lstm, dim_in 4, H 6, dim_out 2, 2 layers, bidirectional)");
    rc_safetensors_close(&f);
}

Test(rnn_weights, check_errors) {
    rc_safetensors *f = open_fixture("rnn/gru_l1_uni_eq.safetensors");
    rc_gru_opts o = {.dim_hidden = 6};
    rc_rnn_config cfg = {.cell = &rc_gru_cell_type, .cell_opts = &o, .dim_in = 4, .num_layers = 0};
    cr_assert_eq(rc_rnn_config_check(&cfg, f, NULL, err, sizeof err), RC_ERR_ARG);
    ASSERT_MSG("rc_rnn_new: num_layers must be >= 1, got 0");
    cr_assert_eq(rc_rnn_config_check(NULL, f, NULL, err, sizeof err), RC_ERR_ARG);
    ASSERT_MSG("rc_rnn_new: config and config->cell must be set");
    cfg.num_layers = 1;
    cr_assert_eq(rc_rnn_config_check(&cfg, NULL, NULL, err, sizeof err), RC_ERR_ARG);
    ASSERT_MSG("rc_rnn_config_check: NULL file");
    cr_assert_eq(rc_rnn_config_check(&cfg, f, "enc.", err, sizeof err), RC_ERR_NOTFOUND);
    ASSERT_MSG("the config expects enc.weight_ih_l0 [18,4]");
    rc_safetensors_close(&f);
}

// ---- deriving: errors ---------------------------------------------------------------------------

static char tmp[256], path[320];

// A file of F32 tensors named names[i] with shapes[i] (zeros).
static rc_safetensors *file_of(const char *const *names, const rc_shape *shapes, int n) {
    static const float zeros[256];
    rc_safetensors_entry e[8];
    for (int i = 0; i < n; i++)
        e[i] = (rc_safetensors_entry){names[i], shapes[i], zeros};
    cr_assert_not_null(tu_tmpdir(tmp, sizeof tmp));
    snprintf(path, sizeof path, "%s/d.safetensors", tmp);
    cr_assert_eq(rc_safetensors_write(path, e, n, NULL, err, sizeof err), RC_OK, "%s", err);
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_OK, "%s", err);
    return f;
}

Test(rnn_weights, derive_errors) {
    rc_rnn_config cfg;
    rc_torch_cell_opts opts = {0};
    rc_safetensors *f = open_fixture("weights/tagger_state_dict.safetensors");
    cr_assert_eq(rc_rnn_config_derive(NULL, &opts, f, NULL, NULL, err, sizeof err), RC_ERR_ARG);
    ASSERT_MSG("rc_rnn_config_derive: cfg, opts and f must not be NULL");
    cr_assert_eq(rc_rnn_config_derive(&cfg, &opts, f, "model.rnn.", &rc_peephole_lstm_cell_type,
                                      err, sizeof err),
                 RC_ERR_ARG);
    ASSERT_MSG("rc_rnn_config_derive: derives rnn, lstm and gru configs, not peephole_lstm");
    cr_assert_eq(rc_rnn_config_derive(&cfg, &opts, f, NULL, NULL, err, sizeof err),
                 RC_ERR_NOTFOUND);
    ASSERT_MSG("no 2-D weight_ih_l0 and weight_hh_l0: not a PyTorch RNN, LSTM or GRU under prefix "
               "\"\" (the file has \"model.rnn.weight_ih_l0\": prefix \"model.rnn.\"?)");
    cr_assert_eq(rc_rnn_config_derive(&cfg, &opts, f, "model.", NULL, err, sizeof err),
                 RC_ERR_NOTFOUND);
    ASSERT_MSG("under prefix \"model.\" (the file has");
    rc_safetensors_close(&f);
    f = open_fixture("rnn/gru_l1_uni_eq.safetensors");
    cr_assert_eq(rc_rnn_config_derive(&cfg, &opts, f, NULL, &rc_lstm_cell_type, err, sizeof err),
                 RC_ERR_ARG);
    ASSERT_MSG("weight_hh_l0 [18,6] is a gru's, the cell type asked for is lstm");
    rc_safetensors_close(&f);
}

Test(rnn_weights, derive_errors_in_the_shapes) {
    const char *odd[] = {"weight_ih_l0", "weight_hh_l0"};
    rc_safetensors *f = file_of(odd, (rc_shape[]){RC_SHAPE(10, 4), RC_SHAPE(10, 5)}, 2);
    rc_rnn_config cfg;
    rc_torch_cell_opts opts = {0};
    cr_assert_eq(rc_rnn_config_derive(&cfg, &opts, f, NULL, NULL, err, sizeof err), RC_ERR_SHAPE);
    ASSERT_MSG("weight_hh_l0 is [10,5]: its rows are not H, 3H or 4H for H = 5 columns");
    rc_safetensors_close(&f);
    f = file_of(odd, (rc_shape[]){RC_SHAPE(10, 4), RC_SHAPE(10)}, 2);
    cr_assert_eq(rc_rnn_config_derive(&cfg, &opts, f, NULL, NULL, err, sizeof err),
                 RC_ERR_NOTFOUND);
    ASSERT_MSG("no 2-D weight_ih_l0 and weight_hh_l0");
    rc_safetensors_close(&f);
    // Derived, then checked: one bias without the other.
    const char *half[] = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0"};
    f = file_of(half, (rc_shape[]){RC_SHAPE(24, 4), RC_SHAPE(24, 6), RC_SHAPE(24)}, 3);
    cr_assert_eq(rc_rnn_config_derive(&cfg, &opts, f, NULL, NULL, err, sizeof err),
                 RC_ERR_NOTFOUND);
    ASSERT_MSG("the config expects bias_hh_l0 [24] (layer 0 forward; config: lstm");
    rc_safetensors_close(&f);
    // No bias at all: no_bias.
    f = file_of(half, (rc_shape[]){RC_SHAPE(6, 4), RC_SHAPE(6, 6)}, 2);
    cr_assert_eq(rc_rnn_config_derive(&cfg, &opts, f, NULL, NULL, err, sizeof err), RC_OK, "%s",
                 err);
    cr_assert(cfg.cell == &rc_rnn_cell_type && opts.rnn.no_bias && opts.rnn.dim_hidden == 6);
    rc_safetensors_close(&f);
}

// ---- no generator -------------------------------------------------------------------------------

Test(rnn_weights, null_rng_gives_zero_parameters) {
    rc_params *ps;
    rc_params_new(&ps);
    rc_cell *cell;
    rc_gru_opts o = {.dim_hidden = 3};
    cr_assert_eq(
        rc_cell_new(&cell, &rc_gru_cell_type, &o, 2, ps, "g.", NULL, NULL, err, sizeof err), RC_OK,
        "%s", err);
    rc_param *w;
    cr_assert_eq(
        rc_cell_add_weight(cell, ps, "extra", RC_SHAPE(4), 0.5f, NULL, &w, err, sizeof err), RC_OK,
        "%s", err);
    cr_assert_eq(rc_params_count(ps), 5);
    for (int i = 0; i < rc_params_count(ps); i++) {
        rc_tensor v = rc_param_value(rc_params_at(ps, i));
        for (int64_t k = 0; k < v.n; k++)
            cr_assert_eq(v.data[k], 0.0f, "%s", rc_param_name(rc_params_at(ps, i)));
    }
    rc_cell_free(&cell);
    rc_params_free(&ps);
}
