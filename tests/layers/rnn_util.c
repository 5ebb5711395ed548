#include "rnn_util.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

const char *const ru_kind_names[RU_N_KINDS] = {"rnn_tanh", "rnn_relu", "lstm", "lstm_proj",
                                                "gru"};

typedef struct kind_opts {
    const rc_cell_type *type;
    const void *opts;
    rc_rnn_cell_opts rnn;
    rc_lstm_opts lstm;
    rc_gru_opts gru;
} kind_opts;

static void kind_opts_make(kind_opts *k, int kind, int64_t H) {
    switch (kind) {
    case RU_RNN_TANH:
    case RU_RNN_RELU:
        k->rnn = (rc_rnn_cell_opts){.dim_hidden = H,
                                    .nonlinearity = kind == RU_RNN_RELU ? RC_RNN_RELU : RC_RNN_TANH};
        k->type = &rc_rnn_cell_type;
        k->opts = &k->rnn;
        break;
    case RU_LSTM:
    case RU_LSTM_PROJ:
        k->lstm = (rc_lstm_opts){.dim_hidden = H, .proj_size = kind == RU_LSTM_PROJ ? H / 2 : 0};
        k->type = &rc_lstm_cell_type;
        k->opts = &k->lstm;
        break;
    default:
        k->gru = (rc_gru_opts){.dim_hidden = H};
        k->type = &rc_gru_cell_type;
        k->opts = &k->gru;
    }
}

rc_rnn *ru_make(rc_params *ps, int kind, int64_t I, int64_t H, int layers, bool bidir,
                float dropout, uint64_t seed) {
    kind_opts k;
    kind_opts_make(&k, kind, H);
    rc_rnn_config cfg = {.cell = k.type, .cell_opts = k.opts, .dim_in = I, .num_layers = layers,
                         .bidirectional = bidir, .dropout = dropout};
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    rc_rnn *rnn = NULL;
    char err[256] = "";
    cr_assert_eq(rc_rnn_new(&rnn, &cfg, ps, NULL, &rng, err, sizeof err), RC_OK, "%s", err);
    return rnn;
}

rc_cell *ru_cell(rc_params *ps, int kind, int64_t I, int64_t H, const char *suffix,
                 uint64_t seed) {
    kind_opts k;
    kind_opts_make(&k, kind, H);
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    rc_cell *cell = NULL;
    char err[256] = "";
    cr_assert_eq(rc_cell_new(&cell, k.type, k.opts, I, ps, NULL, suffix, &rng, err, sizeof err),
                 RC_OK, "%s", err);
    return cell;
}

rc_var ru_input(rc_graph *g, rc_shape shape, uint64_t seed) {
    rc_var v = rc_input(g, shape, NULL);
    rc_tensor t = rc_value(v);
    cr_assert_not_null(t.data, "%s", rc_graph_errmsg(g));
    tu_fill_uniform(t.data, t.n, -1.0f, 1.0f, seed);
    return v;
}

rc_var ru_weighted_sum(rc_var v, uint64_t seed) {
    rc_var w = ru_input(v.g, rc_shape_of(v), seed);
    return rc_sum_all(rc_mul(v, w));
}

void ru_assert_close(rc_tensor a, rc_tensor b, float rtol, const char *what) {
    cr_assert_not_null(a.data, "%s: no data", what);
    cr_assert_not_null(b.data, "%s: no reference data", what);
    cr_assert(rc_shape_eq(a.shape, b.shape), "%s: shapes differ", what);
    float scale = 0;
    for (int64_t i = 0; i < b.n; i++)
        scale = fmaxf(scale, fabsf(b.data[i]));
    for (int64_t i = 0; i < a.n; i++) {
        float ref = fmaxf(fabsf(b.data[i]), 0.1f * scale);
        cr_assert(fabsf(a.data[i] - b.data[i]) <= rtol * ref, "%s[%lld]: %.9g vs %.9g", what,
                  (long long)i, (double)a.data[i], (double)b.data[i]);
    }
}
