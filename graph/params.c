// The parameter store: named tensors that outlive graphs, with gradient and optimizer state.
#include <stdlib.h>
#include <string.h>

#include "graph_impl.h"

struct rc_params {
    rc_param **items;
    int n, cap;
};

rc_status rc_params_new(rc_params **ps) {
    RC_NEED(ps, RC_ERR_ARG);
    *ps = calloc(1, sizeof **ps);
    return *ps ? RC_OK : RC_ERR_NOMEM;
}

static void param_free(rc_param *p) {
    free(p->name);
    rc_aligned_free(p->value.data);
    rc_aligned_free(p->grad.data);
    for (int k = 0; k < RC_PARAM_STATE_SLOTS; k++)
        rc_aligned_free(p->state[k]);
    free(p->touched);
    free(p);
}

void rc_params_free(rc_params **ps) {
    if (!ps || !*ps)
        return;
    for (int i = 0; i < (*ps)->n; i++)
        param_free((*ps)->items[i]);
    free((*ps)->items);
    free(*ps);
    *ps = NULL;
}

static rc_status no_memory(const char *name) {
    return rc_set_last_error(RC_ERR_NOMEM, "rc_params_add: out of memory for parameter '%s'", name);
}

// A name not yet in the store, and a shape of 1 to RC_MAX_DIMS positive dimensions whose bytes
// fit (at most 2^40 entries).
static rc_status check_new_param(const rc_params *ps, const char *name, rc_shape shape) {
    char sb[96];
    if (!*name)
        return rc_set_last_error(RC_ERR_ARG, "rc_params_add: the name is empty");
    if (rc_params_find(ps, name))
        return rc_set_last_error(RC_ERR_ARG, "rc_params_add: a parameter '%s' exists already",
                                 name);
    if (shape.ndim < 0 || shape.ndim > RC_MAX_DIMS)
        return rc_set_last_error(RC_ERR_SHAPE, "rc_params_add: '%s' has %d dimensions; at most %d",
                                 name, shape.ndim, RC_MAX_DIMS);
    for (int i = 0; i < shape.ndim; i++)
        if (shape.dim[i] <= 0)
            return rc_set_last_error(RC_ERR_SHAPE,
                                     "rc_params_add: '%s' has shape %s; every size must be > 0",
                                     name, rc_shape_str(shape, sb, sizeof sb));
    if (!rc_shape_size_ok(shape)) // the byte size would overflow
        return rc_set_last_error(RC_ERR_RANGE,
                                 "rc_params_add: '%s' has shape %s, more than 2^40 entries", name,
                                 rc_shape_str(shape, sb, sizeof sb));
    return RC_OK;
}

rc_status rc_params_add(rc_params *ps, const char *name, rc_shape shape, rc_param **out) {
    if (out)
        *out = NULL;
    RC_NEED(ps, RC_ERR_ARG);
    RC_NEED(name, RC_ERR_ARG);
    rc_status st = check_new_param(ps, name, shape);
    if (st != RC_OK)
        return st;
    if (ps->n == ps->cap) {
        int cap = ps->cap ? ps->cap * 2 : 16;
        rc_param **items = realloc(ps->items, (size_t)cap * sizeof *items);
        if (!items)
            return no_memory(name);
        ps->items = items;
        ps->cap = cap;
    }
    rc_param *p = calloc(1, sizeof *p);
    if (!p)
        return no_memory(name);
    int64_t n = rc_shape_numel(shape);
    int64_t rows = shape.ndim ? shape.dim[0] : 1;
    p->name = malloc(strlen(name) + 1);
    p->value = (rc_tensor){rc_aligned_calloc((size_t)n * sizeof(float)), shape, n};
    p->grad = (rc_tensor){rc_aligned_calloc((size_t)n * sizeof(float)), shape, n};
    p->touched = calloc((size_t)rows, 1);
    if (!p->name || !p->value.data || !p->grad.data || !p->touched) {
        param_free(p);
        return no_memory(name);
    }
    strcpy(p->name, name);
    ps->items[ps->n++] = p;
    if (out)
        *out = p;
    return RC_OK;
}

rc_param *rc_params_find(const rc_params *ps, const char *name) {
    if (!ps || !name)
        return NULL; // a getter: absent
    for (int i = 0; i < ps->n; i++)
        if (!strcmp(ps->items[i]->name, name))
            return ps->items[i];
    return NULL;
}

int rc_params_count(const rc_params *ps) {
    if (!ps)
        return 0;
    return ps->n;
}

rc_param *rc_params_at(const rc_params *ps, int i) {
    if (!ps)
        return NULL;
    return i >= 0 && i < ps->n ? ps->items[i] : NULL;
}

// Clears a parameter's gradient. When only some rows were touched (an embedding table), only those
// rows are cleared, so a step over a large vocabulary costs what the batch touched, not V x D.
static void param_zero_grad(rc_param *p) {
    int64_t rows = p->value.shape.ndim ? p->value.shape.dim[0] : 1;
    int64_t row_len = p->grad.n / rows, cleared = 0;
    if (!p->dense_touch) {
        for (int64_t r = 0; r < rows; r++) {
            if (p->touched[r]) {
                memset(p->grad.data + r * row_len, 0, (size_t)row_len * sizeof(float));
                p->touched[r] = 0;
                cleared++;
            }
        }
    }
    if (p->dense_touch || cleared == 0) { // dense, or written by hand without marking
        memset(p->grad.data, 0, (size_t)p->grad.n * sizeof(float));
        memset(p->touched, 0, (size_t)rows);
    }
    p->dense_touch = false;
}

void rc_params_zero_grad(rc_params *ps) {
    RC_NEED(ps, );
    for (int i = 0; i < ps->n; i++)
        param_zero_grad(ps->items[i]);
}

int64_t rc_params_numel(const rc_params *ps) {
    if (!ps)
        return 0;
    int64_t n = 0;
    for (int i = 0; i < ps->n; i++)
        n += ps->items[i]->value.n;
    return n;
}

const char *rc_param_name(const rc_param *p) {
    if (!p)
        return NULL;
    return p->name;
}

rc_tensor rc_param_value(const rc_param *p) {
    RC_NEED(p, (rc_tensor){0});
    return p->value;
}

rc_tensor rc_param_grad(const rc_param *p) {
    RC_NEED(p, (rc_tensor){0});
    return p->grad;
}

float *rc_param_state(rc_param *p, int k) {
    RC_NEED(p, NULL);
    if (k < 0 || k >= RC_PARAM_STATE_SLOTS) {
        rc_set_last_error(RC_ERR_RANGE, "rc_param_state: slot %d of '%s'; slots are 0 to %d", k,
                          p->name, RC_PARAM_STATE_SLOTS - 1);
        return NULL;
    }
    if (!p->state[k])
        p->state[k] = rc_aligned_calloc((size_t)p->value.n * sizeof(float));
    return p->state[k];
}

const uint8_t *rc_param_touched_rows(const rc_param *p) {
    if (!p)
        return NULL;
    return p->dense_touch ? NULL : p->touched;
}

rc_status rc_param_mark_touched(rc_param *p, int64_t row) {
    RC_NEED(p, RC_ERR_ARG);
    int64_t rows = p->value.shape.ndim ? p->value.shape.dim[0] : 1;
    if (row >= rows)
        return rc_set_last_error(RC_ERR_RANGE,
                                 "rc_param_mark_touched: row %lld of '%s', which has %lld rows",
                                 (long long)row, p->name, (long long)rows);
    if (row < 0)
        p->dense_touch = true;
    else
        p->touched[row] = 1;
    return RC_OK;
}

void rc_param_set_frozen(rc_param *p, bool frozen) {
    RC_NEED(p, );
    p->frozen = frozen;
}

bool rc_param_frozen(const rc_param *p) {
    if (!p)
        return false;
    return p->frozen;
}

rc_var rc_use(rc_graph *g, rc_param *p) {
    RC_NEED(g, RC_NONE);
    if (!p) {
        rc_graph_fail(g, RC_ERR_ARG, "rc_use", -1, "p is NULL");
        return rc_graph_poison(g);
    }
    if (g->status != RC_OK)
        return rc_graph_poison(g);
    if (p->used_g == g && p->used_gen == g->gen && p->used_idx < g->n_nodes &&
        rc_node_at(g, p->used_idx)->param == p)
        return rc_graph_handle(g, p->used_idx);
    uint32_t idx;
    rc_node *n = rc_graph_push_node(g, &idx);
    if (!n)
        return rc_graph_poison(g);
    n->kind = RC_NODE_PARAM;
    n->param = p;
    n->value = p->value;
    n->name = p->name;
    n->needs_grad = !p->frozen;
    p->used_g = g;
    p->used_gen = g->gen;
    p->used_idx = idx;
    return rc_graph_handle(g, idx);
}
