// The cell interface: creating a cell of any type, naming and initialising its parameters (one by
// one or from a type's table and layout), and binding its weights for one sequence (where weight
// hooks apply).
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "layers_impl.h"

static char *dup_str(const char *s) {
    size_t n = strlen(s ? s : "") + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s ? s : "", n);
    return d;
}

rc_status rc_cell_new(rc_cell **out, const rc_cell_type *type, const void *opts, int64_t dim_in,
                      rc_params *ps, const char *prefix, const char *suffix, rc_rng *rng, char *err,
                      size_t err_len) {
    if (out)
        *out = NULL;
    if (!out || !type || !type->init || !ps) {
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_cell_new: out, type (with init) and ps must not be NULL");
    }
    if (dim_in <= 0) {
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: dim_in must be > 0, got %lld", type->name,
                       (long long)dim_in);
    }
    rc_cell *c = calloc(1, sizeof *c);
    if (!c) {
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", type->name);
    }
    c->type = type;
    c->dim_in = dim_in;
    c->prefix = dup_str(prefix);
    c->suffix = dup_str(suffix);
    c->params = calloc(1, type->params_size ? type->params_size : 1);
    rc_status st = RC_ERR_NOMEM;
    if (!c->prefix || !c->suffix || !c->params)
        rc_errf(err, err_len, RC_OK, "%s: out of memory", type->name);
    else
        st = type->init(c, opts, ps, rng, err, err_len);
    if (st == RC_OK && (!c->step || c->n_state < 1 || c->n_state > RC_CELL_MAX_STATE)) {
        rc_errf(err, err_len, RC_OK, "%s: init left no step function or n_state %d outside [1,%d]",
                type->name, c->n_state, RC_CELL_MAX_STATE);
        st = RC_ERR_ARG;
    }
    if (st != RC_OK) {
        rc_cell_free(&c);
        return st;
    }
    *out = c;
    return RC_OK;
}

void rc_cell_free(rc_cell **cell) {
    if (!cell || !*cell)
        return;
    rc_cell *c = *cell;
    free((void *)c->prefix);
    free((void *)c->suffix);
    free(c->params);
    free(c);
    *cell = NULL;
}

rc_status rc_cell_add_weight(rc_cell *cell, rc_params *ps, const char *role, rc_shape shape,
                             float bound, rc_rng *rng, rc_param **out, char *err, size_t err_len) {
    if (out)
        *out = NULL;
    if (!cell || !ps || !role)
        return rc_err_null(err, err_len, "rc_cell_add_weight",
                           !cell ? "cell"
                           : !ps ? "ps"
                                 : "role");
    const char *tname = cell->type ? cell->type->name : "cell";
    char name[256];
    snprintf(name, sizeof name, "%s%s%s", cell->prefix ? cell->prefix : "", role,
             cell->suffix ? cell->suffix : "");
    if (cell->n_weights >= RC_CELL_MAX_WEIGHTS) {
        rc_errf(err, err_len, RC_OK, "%s: %s would be weight %d; a cell has at most %d", tname,
                name, cell->n_weights + 1, RC_CELL_MAX_WEIGHTS);
        return RC_ERR_ARG;
    }
    if (rc_params_find(ps, name)) {
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: a parameter named %s exists already", tname,
                       name);
    }
    rc_param *p;
    rc_status st = rc_params_add(ps, name, shape, &p);
    if (st != RC_OK) {
        char s[64];
        rc_errf(err, err_len, RC_OK, "%s: cannot add %s %s: %s", tname, name,
                rc_shape_str(shape, s, sizeof s), rc_status_str(st));
        return st;
    }
    rc_tensor v = rc_param_value(p);
    for (int64_t i = 0; i < v.n && bound != 0 && rng; i++) // rng NULL: zeros, weights to load
        v.data[i] = (float)((2.0 * rc_rng_uniform(rng) - 1.0) * bound);
    cell->weight[cell->n_weights++] = p;
    if (out)
        *out = p;
    return RC_OK;
}

static int64_t dim_len(const rc_cell *cell, rc_weight_dim d) {
    return d.h * cell->dim_hidden + d.i * cell->dim_in + d.out * cell->dim_out;
}

// The bound rc_cell_add_weight draws from: 0 for the starts that draw nothing.
static float start_bound(const rc_cell *cell, const rc_weight_spec *w) {
    if (w->start == RC_START_DEFAULT)
        return 1.0f / sqrtf((float)cell->dim_hidden);
    return w->start == RC_START_UNIFORM ? w->value : 0.0f;
}

static rc_status check_row(const rc_cell *cell, const rc_weight_spec *w, int k, char *err,
                           size_t err_len) {
    const char *tname = cell->type->name;
    if (!w->role)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: weight table row %d has no role", tname, k);
    if (w->dest > cell->type->params_size || cell->type->params_size - w->dest < sizeof(rc_param *))
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: weight %s goes to byte %zu, outside the %zu-byte params struct", tname,
                       w->role, w->dest, cell->type->params_size);
    const int64_t rows = dim_len(cell, w->rows), cols = dim_len(cell, w->cols);
    if (rows <= 0 || cols < 0)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: weight %s would be %lld x %lld; rows must be > 0 and cols >= 0", tname,
                       w->role, (long long)rows, (long long)cols);
    if ((unsigned)w->start > RC_START_ONE || !(w->value >= 0) || isinf(w->value))
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: weight %s has start %d with value %g; want an rc_weight_start and a "
                       "finite value >= 0",
                       tname, w->role, (int)w->start, (double)w->value);
    return RC_OK;
}

static rc_status add_row(rc_cell *cell, rc_params *ps, rc_rng *rng, const rc_weight_spec *w,
                         char *err, size_t err_len) {
    const int64_t rows = dim_len(cell, w->rows), cols = dim_len(cell, w->cols);
    const rc_shape shape = cols ? RC_SHAPE(rows, cols) : RC_SHAPE(rows);
    rc_param **slot = (rc_param **)((char *)cell->params + w->dest);
    rc_status st =
        rc_cell_add_weight(cell, ps, w->role, shape, start_bound(cell, w), rng, slot, err, err_len);
    rc_tensor v = st || w->start != RC_START_ONE ? (rc_tensor){0} : rc_param_value(*slot);
    for (int64_t i = 0; i < v.n; i++)
        v.data[i] = 1.0f;
    return st;
}

rc_status rc_cell_add_weights(rc_cell *cell, rc_params *ps, rc_rng *rng,
                              const rc_weight_spec *specs, int n, unsigned when, char *err,
                              size_t err_len) {
    if (!cell || !cell->type || !cell->params || !ps || (n > 0 && !specs) || n < 0)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_cell_add_weights: cell (with type and params), ps and specs[n >= 0] "
                       "must be given, got n %d",
                       n);
    for (int k = 0; k < n; k++) {
        if ((specs[k].when & when) != specs[k].when)
            continue;
        rc_status st = check_row(cell, &specs[k], k, err, err_len);
        if (st == RC_OK)
            st = add_row(cell, ps, rng, &specs[k], err, err_len);
        if (st != RC_OK)
            return st;
    }
    return RC_OK;
}

rc_status rc_cell_setup(rc_cell *cell, const rc_cell_layout *layout, const void *opts, char *err,
                        size_t err_len) {
    if (!cell)
        return rc_err_null(err, err_len, "rc_cell_setup", "cell");
    const char *tname = cell->type ? cell->type->name : "cell";
    if (!layout || !layout->step || layout->n_state < 1 || layout->n_state > RC_CELL_MAX_STATE)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: rc_cell_setup needs a cell and a layout with a step and n_state in "
                       "[1,%d]",
                       tname, RC_CELL_MAX_STATE);
    int64_t H = 0; // every options struct starts with int64_t dim_hidden
    if (opts)
        memcpy(&H, opts, sizeof H);
    if (H <= 0)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: needs %s with dim_hidden > 0, got %lld",
                       tname, layout->opts_name ? layout->opts_name : "options", (long long)H);
    cell->n_state = layout->n_state;
    cell->dim_hidden = cell->dim_out = H;
    for (int k = 0; k < layout->n_state; k++)
        cell->state_dim[k] = (layout->state_h[k] ? layout->state_h[k] : 1) * H;
    cell->step = layout->step;
    cell->project = layout->project;
    return RC_OK;
}

unsigned rc_cell_when(const rc_cell *cell, const rc_cell_layout *layout, const void *opts) {
    if (!cell)
        return 0;
    bool no_bias = false;
    if (layout && layout->no_bias && opts)
        memcpy(&no_bias, (const char *)opts + layout->no_bias, sizeof no_bias);
    const unsigned size = cell->dim_in == cell->dim_hidden ? RC_WHEN_I_IS_H : RC_WHEN_I_NOT_H;
    return (no_bias ? 0u : (unsigned)RC_WHEN_BIAS) | size;
}

rc_status rc_cell_check(const rc_cell *cell, bool ok, char *err, size_t err_len, const char *fmt,
                        ...) {
    if (ok)
        return RC_OK;
    if (!fmt)
        return rc_err_null(err, err_len, "rc_cell_check", "fmt");
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return rc_errf(err, err_len, RC_ERR_ARG, "%s: %s",
                   cell && cell->type ? cell->type->name : "cell", msg);
}

rc_status rc_cell_init_from(rc_cell *cell, const rc_cell_layout *layout, const void *opts,
                            rc_params *ps, rc_rng *rng, char *err, size_t err_len) {
    rc_status st = rc_cell_setup(cell, layout, opts, err, err_len);
    if (st != RC_OK)
        return st;
    return rc_cell_add_weights(cell, ps, rng, layout->weights, layout->n_weights,
                               rc_cell_when(cell, layout, opts), err, err_len);
}

rc_status rc_cell_init_layout(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng,
                              char *err, size_t err_len) {
    if (!cell)
        return rc_err_null(err, err_len, "rc_cell_init_layout", "cell");
    const rc_cell_layout *l = cell->type ? cell->type->layout : NULL;
    if (!l)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: rc_cell_init_layout needs the type's layout",
                       cell->type ? cell->type->name : "cell");
    return rc_cell_init_from(cell, l, opts, ps, rng, err, err_len);
}

void rc_cell_begin(rc_cell_ctx *c, rc_graph *g, const rc_cell *cell, int64_t batch,
                   const rc_rnn_hooks *hooks, int layer, int dir) {
    if (c)
        memset(c, 0, sizeof *c);
    if (!c || !g || !cell) {
        rc_layer_null(g, "rc_cell_begin", !c ? "c" : !g ? "g" : "cell");
        return;
    }
    c->g = g;
    c->cell = cell;
    c->batch = batch;
    c->layer = layer;
    c->dir = dir;
    if (hooks && hooks->begin)
        hooks->begin(hooks->user, c);
    for (int k = 0; k < cell->n_weights; k++) {
        c->weight[k] = rc_use(g, cell->weight[k]);
        if (!hooks || !hooks->weight)
            continue;
        rc_shape want = rc_param_value(cell->weight[k]).shape;
        c->weight[k] = hooks->weight(hooks->user, c, k, c->weight[k]);
        if (rc_ok(c->weight[k]) && !rc_shape_eq(rc_shape_of(c->weight[k]), want)) {
            char a[64], b[64];
            rc_graph_set_error(g, RC_ERR_SHAPE, "rc_cell_begin",
                               "the weight hook turned %s %s into %s",
                               rc_param_name(cell->weight[k]), rc_shape_str(want, a, sizeof a),
                               rc_shape_str(rc_shape_of(c->weight[k]), b, sizeof b));
        }
    }
}

rc_var rc_cell_use(const rc_cell_ctx *c, rc_param *p) {
    if (!p)
        return RC_NONE;
    if (!c)
        return rc_layer_null(NULL, "rc_cell_use", "c");
    for (int k = 0; c->cell && k < c->cell->n_weights; k++)
        if (c->cell->weight[k] == p)
            return c->weight[k];
    return rc_use(c->g, p);
}
