// PyTorch RNN, LSTM and GRU state dicts against an rc_rnn_config: a check that names the first
// difference (the expected names and shapes are those rc_rnn_new creates, built in a scratch
// store, so it holds for any cell type), and the config derived from the file for PyTorch's cells.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors_impl.h"

// "lstm, dim_in 4, H 6, dim_out 3, 2 layers, bidirectional"
static void describe(const rc_rnn *r, char *buf, size_t len) {
    const rc_cell *c = r->cells[0];
    snprintf(buf, len, "%s, dim_in %lld, H %lld, dim_out %lld, %d layer%s%s", c->type->name,
             (long long)r->config.dim_in, (long long)c->dim_hidden, (long long)c->dim_out,
             r->config.num_layers, r->config.num_layers > 1 ? "s" : "",
             r->num_dirs == 2 ? ", bidirectional" : "");
}

static rc_status check_expected(const rc_rnn *r, const rc_safetensors *f, char *err, size_t len) {
    char config[200], a[96] = "", b[64];
    for (int i = 0; i < r->config.num_layers * r->num_dirs; i++) {
        const rc_cell *c = r->cells[i];
        for (int k = 0; k < c->n_weights; k++) {
            const char *name = rc_param_name(c->weight[k]);
            const rc_shape want = rc_param_value(c->weight[k]).shape;
            const rc_safetensors_info *t = rc_safetensors_find(f, name);
            if (t && rc_load_fits(t, want))
                continue;
            describe(r, config, sizeof config);
            rc_shape_str(want, b, sizeof b);
            const int l = i / r->num_dirs;
            const char *dir = i % r->num_dirs ? "reverse" : "forward";
            if (!t)
                return rc_errf(err, len, RC_ERR_NOTFOUND,
                               "%s: the config expects %s %s (layer %d %s; config: %s), the file "
                               "has no such tensor",
                               rc_st_path(f), name, b, l, dir, config);
            if (t->ndim <= RC_MAX_DIMS)
                rc_shape_str(t->shape, a, sizeof a);
            return rc_errf(err, len, RC_ERR_SHAPE,
                           "%s: %s: file %s %s, the config expects %s (layer %d %s; config: %s)",
                           rc_st_path(f), name, a, rc_dtype_name(t->dtype), b, l, dir, config);
        }
    }
    return RC_OK;
}

// Whether name is prefix + role + "_l<k>" [+ "_reverse"] with a role free of dots: a name
// rc_rnn_new would give.
static bool layer_name(const char *name, const char *prefix) {
    const size_t plen = strlen(prefix);
    if (strncmp(name, prefix, plen) || strchr(name + plen, '.'))
        return false;
    const char *rest = name + plen;
    size_t n = strlen(rest);
    if (n > 8 && !strcmp(rest + n - 8, "_reverse"))
        n -= 8;
    size_t digits = 0;
    while (digits < n && rest[n - 1 - digits] >= '0' && rest[n - 1 - digits] <= '9')
        digits++;
    return digits > 0 && n >= digits + 3 && !strncmp(rest + n - digits - 2, "_l", 2);
}

static rc_status check_extra(const rc_rnn *r, const rc_params *ps, const rc_safetensors *f,
                             const char *prefix, char *err, size_t len) {
    char config[200], shape[96] = "";
    for (int i = 0; i < rc_safetensors_count(f); i++) {
        const rc_safetensors_info *t = rc_safetensors_at(f, i);
        if (!layer_name(t->name, prefix) || rc_params_find(ps, t->name))
            continue;
        describe(r, config, sizeof config);
        if (t->ndim <= RC_MAX_DIMS)
            rc_shape_str(t->shape, shape, sizeof shape);
        return rc_errf(err, len, RC_ERR_SHAPE,
                       "%s: the file has %s %s, which the config does not have (config: %s)",
                       rc_st_path(f), t->name, shape, config);
    }
    return RC_OK;
}

rc_status rc_rnn_config_check(const rc_rnn_config *cfg, const rc_safetensors *f, const char *prefix,
                              char *err, size_t err_len) {
    if (!f)
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_rnn_config_check: NULL file");
    rc_params *ps;
    if (rc_params_new(&ps) != RC_OK)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_rnn_config_check: out of memory");
    rc_rnn *r = NULL;
    rc_status st = rc_rnn_new(&r, cfg, ps, prefix, NULL, err, err_len);
    if (st == RC_OK)
        st = check_expected(r, f, err, err_len);
    if (st == RC_OK)
        st = check_extra(r, ps, f, prefix ? prefix : "", err, err_len);
    rc_rnn_free(&r);
    rc_params_free(&ps);
    return st;
}

// ---- deriving the config ------------------------------------------------------------------------

static const rc_safetensors_info *tensor(const rc_safetensors *f, const char *prefix,
                                         const char *role, int layer) {
    char name[RC_LOAD_NAME_MAX];
    snprintf(name, sizeof name, "%s%s_l%d", prefix, role, layer);
    return rc_safetensors_find(f, name);
}

// A hint when the prefix is wrong: " (the file has \"m.weight_ih_l0\": prefix \"m.\"?)".
static void prefix_hint(const rc_safetensors *f, char *buf, size_t len) {
    buf[0] = 0;
    const char *want = "weight_ih_l0";
    for (int i = 0; i < rc_safetensors_count(f); i++) {
        const char *name = rc_safetensors_at(f, i)->name;
        const size_t n = strlen(name), w = strlen(want);
        if (n > w && !strcmp(name + n - w, want)) {
            snprintf(buf, len, " (the file has \"%s\": prefix \"%.*s\"?)", name, (int)(n - w),
                     name);
            return;
        }
    }
}

// The cell type weight_hh_l0 [G,R] (and weight_hr_l0) belongs to; H and P into *H, *P.
static rc_status kind_of(const rc_safetensors *f, const char *prefix, const rc_safetensors_info *hh,
                         const rc_cell_type **kind, int64_t *H, int64_t *P, char *err, size_t len) {
    const rc_safetensors_info *hr = tensor(f, prefix, "weight_hr", 0);
    const int64_t G = hh->dims[0], R = hh->dims[1];
    *P = 0;
    *H = R;
    if (hr && hr->ndim == 2) {
        *kind = &rc_lstm_cell_type;
        *P = hr->dims[0];
        *H = hr->dims[1];
    } else if (G == R) {
        *kind = &rc_rnn_cell_type;
    } else if (G == 3 * R) {
        *kind = &rc_gru_cell_type;
    } else if (G == 4 * R) {
        *kind = &rc_lstm_cell_type;
    } else {
        return rc_errf(err, len, RC_ERR_SHAPE,
                       "%s: %sweight_hh_l0 is [%lld,%lld]: its rows are not H, 3H or 4H for H = "
                       "%lld columns (rnn, gru, lstm)",
                       rc_st_path(f), prefix, (long long)G, (long long)R, (long long)R);
    }
    return RC_OK;
}

static void fill(rc_rnn_config *cfg, rc_torch_cell_opts *opts, const rc_cell_type *kind, int64_t H,
                 int64_t P, bool no_bias) {
    if (kind == &rc_lstm_cell_type)
        opts->lstm = (rc_lstm_opts){.dim_hidden = H, .proj_size = P, .no_bias = no_bias};
    else if (kind == &rc_gru_cell_type)
        opts->gru = (rc_gru_opts){.dim_hidden = H, .no_bias = no_bias};
    else
        opts->rnn = (rc_rnn_cell_opts){
            .dim_hidden = H, .nonlinearity = opts->rnn.nonlinearity, .no_bias = no_bias};
    *cfg = (rc_rnn_config){.cell = kind, .cell_opts = opts, .num_layers = 1};
}

static bool torch_cell(const rc_cell_type *c) {
    return c == &rc_rnn_cell_type || c == &rc_lstm_cell_type || c == &rc_gru_cell_type;
}

rc_status rc_rnn_config_derive(rc_rnn_config *cfg, rc_torch_cell_opts *opts,
                               const rc_safetensors *f, const char *prefix,
                               const rc_cell_type *cell, char *err, size_t err_len) {
    if (!cfg || !opts || !f)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_rnn_config_derive: cfg, opts and f must not be NULL");
    if (cell && !torch_cell(cell))
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_rnn_config_derive: derives rnn, lstm and gru configs, not %s (build "
                       "that config by hand and check it with rc_rnn_config_check)",
                       cell->name ? cell->name : "?");
    prefix = prefix ? prefix : "";
    const rc_safetensors_info *ih = tensor(f, prefix, "weight_ih", 0);
    const rc_safetensors_info *hh = tensor(f, prefix, "weight_hh", 0);
    char hint[RC_LOAD_NAME_MAX + 64];
    if (!ih || !hh || ih->ndim != 2 || hh->ndim != 2) {
        prefix_hint(f, hint, sizeof hint);
        return rc_errf(err, err_len, RC_ERR_NOTFOUND,
                       "%s: no 2-D %sweight_ih_l0 and %sweight_hh_l0: not a PyTorch RNN, LSTM or "
                       "GRU under prefix \"%s\"%s",
                       rc_st_path(f), prefix, prefix, prefix, hint);
    }
    const rc_cell_type *kind = NULL;
    int64_t H = 0, P = 0;
    rc_status st = kind_of(f, prefix, hh, &kind, &H, &P, err, err_len);
    if (st != RC_OK)
        return st;
    if (cell && cell != kind)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: %sweight_hh_l0 [%lld,%lld] is a %s's, the cell type asked for is %s",
                       rc_st_path(f), prefix, (long long)hh->dims[0], (long long)hh->dims[1],
                       kind->name, cell->name);
    fill(cfg, opts, kind, H, P, !tensor(f, prefix, "bias_ih", 0));
    cfg->dim_in = ih->dims[1];
    while (tensor(f, prefix, "weight_ih", cfg->num_layers))
        cfg->num_layers++;
    char name[RC_LOAD_NAME_MAX];
    snprintf(name, sizeof name, "%sweight_ih_l0_reverse", prefix);
    cfg->bidirectional = rc_safetensors_find(f, name) != NULL;
    return rc_rnn_config_check(cfg, f, prefix, err, err_len);
}
