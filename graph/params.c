// The parameter store: named tensors that outlive graphs, with gradient and optimizer state.
#include <stdlib.h>
#include <string.h>

#include "graph_impl.h"

struct rc_params {
    rc_param **items;
    int n, cap;
};

rc_status rc_params_new(rc_params **ps) {
    RC_ASSERT(ps);
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

rc_status rc_params_add(rc_params *ps, const char *name, rc_shape shape, rc_param **out) {
    RC_ASSERT(ps && name);
    if (out)
        *out = NULL;
    if (!*name || rc_params_find(ps, name))
        return RC_ERR_ARG;
    if (shape.ndim < 0 || shape.ndim > RC_MAX_DIMS)
        return RC_ERR_SHAPE;
    for (int i = 0; i < shape.ndim; i++)
        if (shape.dim[i] <= 0)
            return RC_ERR_SHAPE;
    if (!rc_shape_size_ok(shape))
        return RC_ERR_RANGE; // more than 2^40 entries: the byte size would overflow
    if (ps->n == ps->cap) {
        int cap = ps->cap ? ps->cap * 2 : 16;
        rc_param **items = realloc(ps->items, (size_t)cap * sizeof *items);
        if (!items)
            return RC_ERR_NOMEM;
        ps->items = items;
        ps->cap = cap;
    }
    rc_param *p = calloc(1, sizeof *p);
    if (!p)
        return RC_ERR_NOMEM;
    int64_t n = rc_shape_numel(shape);
    int64_t rows = shape.ndim ? shape.dim[0] : 1;
    p->name = malloc(strlen(name) + 1);
    p->value = (rc_tensor){rc_aligned_calloc((size_t)n * sizeof(float)), shape, n};
    p->grad = (rc_tensor){rc_aligned_calloc((size_t)n * sizeof(float)), shape, n};
    p->touched = calloc((size_t)rows, 1);
    if (!p->name || !p->value.data || !p->grad.data || !p->touched) {
        param_free(p);
        return RC_ERR_NOMEM;
    }
    strcpy(p->name, name);
    ps->items[ps->n++] = p;
    if (out)
        *out = p;
    return RC_OK;
}

rc_param *rc_params_find(const rc_params *ps, const char *name) {
    RC_ASSERT(ps && name);
    for (int i = 0; i < ps->n; i++)
        if (!strcmp(ps->items[i]->name, name))
            return ps->items[i];
    return NULL;
}

int rc_params_count(const rc_params *ps) {
    RC_ASSERT(ps);
    return ps->n;
}

rc_param *rc_params_at(const rc_params *ps, int i) {
    RC_ASSERT(ps);
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
    RC_ASSERT(ps);
    for (int i = 0; i < ps->n; i++)
        param_zero_grad(ps->items[i]);
}

int64_t rc_params_numel(const rc_params *ps) {
    RC_ASSERT(ps);
    int64_t n = 0;
    for (int i = 0; i < ps->n; i++)
        n += ps->items[i]->value.n;
    return n;
}

const char *rc_param_name(const rc_param *p) {
    RC_ASSERT(p);
    return p->name;
}

rc_tensor rc_param_value(const rc_param *p) {
    RC_ASSERT(p);
    return p->value;
}

rc_tensor rc_param_grad(const rc_param *p) {
    RC_ASSERT(p);
    return p->grad;
}

float *rc_param_state(rc_param *p, int k) {
    RC_ASSERT(p && k >= 0 && k < RC_PARAM_STATE_SLOTS);
    if (!p->state[k])
        p->state[k] = rc_aligned_calloc((size_t)p->value.n * sizeof(float));
    return p->state[k];
}

const uint8_t *rc_param_touched_rows(const rc_param *p) {
    RC_ASSERT(p);
    return p->dense_touch ? NULL : p->touched;
}

rc_status rc_param_mark_touched(rc_param *p, int64_t row) {
    RC_ASSERT(p);
    int64_t rows = p->value.shape.ndim ? p->value.shape.dim[0] : 1;
    if (row >= rows)
        return RC_ERR_RANGE;
    if (row < 0)
        p->dense_touch = true;
    else
        p->touched[row] = 1;
    return RC_OK;
}

void rc_param_set_frozen(rc_param *p, bool frozen) {
    RC_ASSERT(p);
    p->frozen = frozen;
}

bool rc_param_frozen(const rc_param *p) {
    RC_ASSERT(p);
    return p->frozen;
}

rc_var rc_use(rc_graph *g, rc_param *p) {
    RC_ASSERT(g && p);
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
