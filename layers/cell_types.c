// Cell types by name: the built-in table, types registered at run time (plugins), default
// options for a type found by name, and the forget-gate bias that the LSTM family takes.
#include <stdlib.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "layers_impl.h"

// The built-in types in the order listings show them: PyTorch's three, the LSTM family, the GRU
// family, the rest.
static const rc_cell_type *const builtin[] = {
    &rc_rnn_cell_type,           &rc_lstm_cell_type,      &rc_gru_cell_type,
    &rc_peephole_lstm_cell_type, &rc_lstm_nig_cell_type,  &rc_lstm_nfg_cell_type,
    &rc_lstm_nog_cell_type,      &rc_lstm_niaf_cell_type, &rc_lstm_noaf_cell_type,
    &rc_lstm_np_cell_type,       &rc_lstm_cifg_cell_type, &rc_lstm_fgr_cell_type,
    &rc_ln_lstm_cell_type,       &rc_gru_cho_cell_type,   &rc_mgu_cell_type,
    &rc_mut1_cell_type,          &rc_mut2_cell_type,      &rc_mut3_cell_type,
    &rc_indrnn_cell_type,        &rc_sru_cell_type,
};
enum { N_BUILTIN = (int)(sizeof builtin / sizeof builtin[0]) };

// Types registered at run time; the one global besides the op registry (docs/internals.md).
static struct {
    const rc_cell_type **t;
    int n, cap;
} added;

int rc_cell_type_count(void) {
    return N_BUILTIN + added.n;
}

const rc_cell_type *rc_cell_type_at(int i) {
    if (i < 0 || i >= rc_cell_type_count())
        return NULL;
    return i < N_BUILTIN ? builtin[i] : added.t[i - N_BUILTIN];
}

const rc_cell_type *rc_cell_type_find(const char *name) {
    for (int i = 0; name && i < rc_cell_type_count(); i++)
        if (strcmp(rc_cell_type_at(i)->name, name) == 0)
            return rc_cell_type_at(i);
    return NULL;
}

static bool valid_name(const char *s) {
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

rc_status rc_cell_type_register(const rc_cell_type *type, char *err, size_t err_len) {
    const char *f = "rc_cell_type_register";
    if (!type)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: type is NULL", f);
    if (!valid_name(type->name))
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: cell type name '%s' must be non-empty and made of [a-z0-9_]", f,
                       type->name ? type->name : "(null)");
    if (rc_cell_type_find(type->name))
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: a cell type named '%s' exists already", f,
                       type->name);
    if (!type->init || type->opts_size < sizeof(int64_t) || type->opts_size > RC_CELL_OPTS_MAX)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: cell type '%s' needs an init and an opts_size in [%zu, %d], got %zu", f,
                       type->name, sizeof(int64_t), RC_CELL_OPTS_MAX, type->opts_size);
    if (added.n == added.cap) {
        int cap = added.cap ? 2 * added.cap : 8;
        const rc_cell_type **t = realloc(added.t, (size_t)cap * sizeof *t);
        if (!t)
            return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", f);
        added.t = t;
        added.cap = cap;
    }
    added.t[added.n++] = type;
    return RC_OK;
}

void rc_cell_type_unregister_all(void) {
    free(added.t);
    memset(&added, 0, sizeof added);
}

rc_status rc_cell_opts_init(const rc_cell_type *type, int64_t dim_hidden, void *opts, size_t cap,
                            char *err, size_t err_len) {
    const char *f = "rc_cell_opts_init";
    if (!type || !opts)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: type and opts must not be NULL", f);
    if (type->opts_size < sizeof(int64_t) || type->opts_size > cap)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: cell type '%s' has options of %zu bytes; room for %zu given", f,
                       type->name, type->opts_size, cap);
    if (dim_hidden <= 0)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: %s: dim_hidden must be > 0, got %lld", f,
                       type->name, (long long)dim_hidden);
    memset(opts, 0, type->opts_size);
    memcpy(opts, &dim_hidden, sizeof dim_hidden);
    return RC_OK;
}

// The weight's role: its name without the cell's prefix and suffix.
static bool has_role(const rc_cell *cell, const rc_param *p, const char *role) {
    const char *name = rc_param_name(p);
    size_t np = strlen(cell->prefix), ns = strlen(cell->suffix), n = strlen(name);
    size_t nr = strlen(role);
    return n == np + nr + ns && strncmp(name + np, role, nr) == 0;
}

rc_param *rc_cell_weight(const rc_cell *cell, const char *role) {
    for (int k = 0; cell && role && k < cell->n_weights; k++)
        if (has_role(cell, cell->weight[k], role))
            return cell->weight[k];
    return NULL;
}

rc_status rc_cell_fill_bias_block(rc_cell *cell, const char *role, int block, float value,
                                  char *err, size_t err_len) {
    const char *f = "rc_cell_fill_bias_block";
    if (!cell || !role)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: cell and role must not be NULL", f);
    rc_param *p = rc_cell_weight(cell, role);
    if (!p)
        return rc_errf(err, err_len, RC_ERR_NOTFOUND, "%s: cell %s%s has no weight %s", f,
                       cell->type->name, cell->suffix, role);
    rc_tensor v = rc_param_value(p);
    const int64_t H = cell->dim_hidden;
    if (block < 0 || (block + 1) * H > v.n)
        return rc_errf(err, err_len, RC_ERR_RANGE,
                       "%s: block %d of %s (%lld entries) with H = %lld is out of range", f, block,
                       rc_param_name(p), (long long)v.n, (long long)H);
    for (int64_t i = block * H; i < (block + 1) * H; i++)
        v.data[i] = value;
    return RC_OK;
}

rc_status rc_cell_set_forget_bias(rc_cell *cell, float value, char *err, size_t err_len) {
    if (!cell)
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_cell_set_forget_bias: cell is NULL");
    if (!cell->type->set_forget_bias)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_cell_set_forget_bias: cell type %s has no forget gate",
                       cell->type->name);
    return cell->type->set_forget_bias(cell, value, err, err_len);
}
