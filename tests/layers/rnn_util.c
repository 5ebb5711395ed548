#include "rnn_util.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

const char *const ru_kind_names[RU_N_KINDS] = {"rnn_tanh", "rnn_relu", "lstm", "lstm_proj", "gru"};

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
        k->rnn = (rc_rnn_cell_opts){
            .dim_hidden = H, .nonlinearity = kind == RU_RNN_RELU ? RC_RNN_RELU : RC_RNN_TANH};
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
    rc_rnn_config cfg = {.cell = k.type,
                         .cell_opts = k.opts,
                         .dim_in = I,
                         .num_layers = layers,
                         .bidirectional = bidir,
                         .dropout = dropout};
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    rc_rnn *rnn = NULL;
    char err[256] = "";
    cr_assert_eq(rc_rnn_new(&rnn, &cfg, ps, NULL, &rng, err, sizeof err), RC_OK, "%s", err);
    return rnn;
}

rc_cell *ru_cell(rc_params *ps, int kind, int64_t I, int64_t H, const char *suffix, uint64_t seed) {
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

// ---- fixtures ---------------------------------------------------------------------------------

struct ru_fixture {
    int n;
    rc_tensor *t;
    const char **names;
    rc_safetensors *file;
};

ru_fixture *ru_fixture_open(const char *rel) {
    char path[1024], err[512] = "";
    const char *root = getenv("RECUR_SOURCE_ROOT");
    snprintf(path, sizeof path, "%s%stests/fixtures/%s", root && *root ? root : "",
             root && *root ? "/" : "", rel);
    ru_fixture *f = calloc(1, sizeof *f);
    cr_assert_not_null(f);
    cr_assert_eq(rc_safetensors_open(&f->file, path, err, sizeof err), RC_OK, "%s", err);
    f->n = rc_safetensors_count(f->file);
    f->t = calloc((size_t)f->n, sizeof *f->t);
    f->names = calloc((size_t)f->n, sizeof *f->names);
    cr_assert(f->t && f->names);
    for (int i = 0; i < f->n; i++) {
        const rc_safetensors_info *info = rc_safetensors_at(f->file, i);
        cr_assert_leq(info->ndim, RC_MAX_DIMS, "%s: too many dims", info->name);
        f->names[i] = info->name;
        f->t[i] = (rc_tensor){malloc((size_t)(info->numel ? info->numel : 1) * sizeof(float)),
                              info->shape, info->numel};
        cr_assert_eq(
            rc_safetensors_read(f->file, info->name, f->t[i].data, info->numel, err, sizeof err),
            RC_OK, "%s", err);
    }
    return f;
}

void ru_fixture_close(ru_fixture **f) {
    if (!f || !*f)
        return;
    for (int i = 0; i < (*f)->n; i++)
        free((*f)->t[i].data);
    free((*f)->t);
    free((*f)->names);
    rc_safetensors_close(&(*f)->file);
    free(*f);
    *f = NULL;
}

rc_tensor ru_fixture_get(const ru_fixture *f, const char *name) {
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->names[i], name))
            return f->t[i];
    return (rc_tensor){0};
}
