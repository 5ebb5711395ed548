// The graph: a tape of nodes in chained pages, two arenas (values, gradients), sticky errors,
// name scopes and leaves.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_impl.h"

rc_status rc_graph_new(rc_graph **out) {
    RC_NEED(out, RC_ERR_ARG);
    *out = NULL;
    rc_graph *g = calloc(1, sizeof *g);
    if (!g)
        return rc_set_last_error(RC_ERR_NOMEM, "rc_graph_new: out of memory");
    g->grad_enabled = true;
    g->gen = 1;
    g->scope_stack[0] = "";
    *out = g;
    return RC_OK;
}

void rc_graph_free(rc_graph **g) {
    if (!g || !*g)
        return;
    rc_graph *gr = *g;
    for (uint32_t i = 0; i < gr->n_pages; i++)
        free(gr->pages[i]);
    free(gr->pages);
    rc_arena_release(&gr->values);
    rc_arena_release(&gr->grads);
    free(gr);
    *g = NULL;
}

void rc_graph_reset(rc_graph *g) {
    RC_NEED(g, );
    rc_arena_rewind(&g->values);
    rc_arena_rewind(&g->grads);
    g->n_nodes = 0;
    g->gen++;
    if (g->gen == 0) // never reuse generation 0, which an all-zero handle carries
        g->gen = 1;
    g->status = RC_OK;
    g->errmsg[0] = '\0';
    g->backward_done = false;
    g->scope_depth = 0;
}

int64_t rc_graph_num_nodes(const rc_graph *g) {
    if (!g)
        return 0;
    return g->n_nodes;
}

size_t rc_graph_bytes_reserved(const rc_graph *g) {
    if (!g)
        return 0;
    return g->values.reserved + g->grads.reserved +
           (size_t)g->n_pages * RC_PAGE_SIZE * sizeof(rc_node);
}

rc_status rc_graph_status(const rc_graph *g) {
    RC_NEED(g, RC_ERR_ARG);
    return g->status;
}

const char *rc_graph_errmsg(const rc_graph *g) {
    RC_NEED(g, "rc_graph_errmsg: g is NULL");
    return g->errmsg;
}

bool rc_graph_set_grad_enabled(rc_graph *g, bool enabled) {
    RC_NEED(g, false);
    bool prev = g->grad_enabled;
    g->grad_enabled = enabled;
    return prev;
}

bool rc_graph_grad_enabled(const rc_graph *g) {
    if (!g)
        return false;
    return g->grad_enabled;
}

void rc_graph_set_check_finite(rc_graph *g, bool on) {
    RC_NEED(g, );
    g->check_finite = on;
}

void rc_graph_fail(rc_graph *g, rc_status st, const char *op, int64_t node, const char *fmt, ...) {
    if (g->status != RC_OK)
        return; // the first error is the one worth reading
    g->status = st;
    size_t at = 0, cap = sizeof g->errmsg;
    if (op) {
        const char *scope = rc_graph_scope(g);
        if (node >= 0 && *scope)
            at = (size_t)snprintf(g->errmsg, cap, "%s (node %lld, scope %s): ", op, (long long)node,
                                  scope);
        else if (node >= 0)
            at = (size_t)snprintf(g->errmsg, cap, "%s (node %lld): ", op, (long long)node);
        else if (*scope)
            at = (size_t)snprintf(g->errmsg, cap, "%s (scope %s): ", op, scope);
        else
            at = (size_t)snprintf(g->errmsg, cap, "%s: ", op);
    }
    if (at < cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g->errmsg + at, cap - at, fmt, ap);
        va_end(ap);
    }
    rc_set_last_error(st, "%s", g->errmsg);
}

void rc_graph_set_error(rc_graph *g, rc_status st, const char *who, const char *fmt, ...) {
    char msg[512] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    }
    if (st == RC_OK) // a caller's slip: still an error, not a silent success
        st = RC_ERR_ARG;
    if (!g) { // no graph to hold it: the thread's last error still tells
        rc_set_last_error(st, "%s: %s", who ? who : "rc_graph_set_error", msg);
        return;
    }
    rc_graph_fail(g, st, who ? who : "rc_graph_set_error", -1, "%s", msg);
}

// ---- scopes ------------------------------------------------------------------------------------

const char *rc_graph_scope(const rc_graph *g) {
    return g->scope_stack[g->scope_depth];
}

void rc_scope_push(rc_graph *g, const char *fmt, ...) {
    RC_NEED(g, );
    if (!fmt) { // still pushed, so that the caller's rc_scope_pop stays balanced
        rc_graph_fail(g, RC_ERR_ARG, "rc_scope_push", -1, "fmt is NULL");
        fmt = "?";
    }
    if (g->scope_depth >= RC_MAX_SCOPE_DEPTH) {
        rc_graph_fail(g, RC_ERR_STATE, "rc_scope_push", -1, "scopes nested deeper than %d",
                      RC_MAX_SCOPE_DEPTH);
        g->scope_depth++; // keep push/pop balanced: the extra level reuses its parent's path
        return;
    }
    char part[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(part, sizeof part, fmt, ap);
    va_end(ap);
    const char *parent = g->scope_stack[g->scope_depth];
    size_t len = strlen(parent) + strlen(part) + 2;
    char *path = rc_arena_alloc(&g->values, len);
    if (!path) {
        rc_graph_fail(g, RC_ERR_NOMEM, "rc_scope_push", -1, "out of memory");
        path = (char *)parent;
    } else if (*parent) {
        snprintf(path, len, "%s/%s", parent, part);
    } else {
        snprintf(path, len, "%s", part);
    }
    g->scope_stack[++g->scope_depth] = path;
}

void rc_scope_pop(rc_graph *g) {
    RC_NEED(g, );
    if (g->scope_depth == 0) {
        rc_graph_fail(g, RC_ERR_STATE, "rc_scope_pop", -1, "no scope to pop");
        return;
    }
    if (g->scope_depth > RC_MAX_SCOPE_DEPTH) {
        g->scope_depth--;
        return;
    }
    g->scope_depth--;
}

// ---- nodes and handles ---------------------------------------------------------------------

rc_node *rc_graph_push_node(rc_graph *g, uint32_t *idx) {
    uint32_t i = g->n_nodes;
    if (i == RC_VAR_POISON - 1) {
        rc_graph_fail(g, RC_ERR_NOMEM, NULL, -1, "graph holds the maximum number of nodes");
        return NULL;
    }
    uint32_t page = i >> RC_PAGE_BITS;
    if (page >= g->n_pages) {
        if (g->n_pages == g->cap_pages) {
            uint32_t cap = g->cap_pages ? g->cap_pages * 2 : 16;
            rc_node **pages = realloc(g->pages, cap * sizeof *pages);
            if (!pages)
                goto nomem;
            g->pages = pages;
            g->cap_pages = cap;
        }
        rc_node *p = malloc(RC_PAGE_SIZE * sizeof *p);
        if (!p)
            goto nomem;
        g->pages[g->n_pages++] = p;
    }
    rc_node *n = rc_node_at(g, i);
    memset(n, 0, sizeof *n);
    n->scope = rc_graph_scope(g);
    n->ctx.g = g;
    g->n_nodes = i + 1;
    *idx = i;
    return n;
nomem:
    rc_graph_fail(g, RC_ERR_NOMEM, NULL, -1, "out of memory for the tape");
    return NULL;
}

rc_var rc_graph_handle(rc_graph *g, uint32_t idx) {
    return (rc_var){g, idx, g->gen};
}

rc_var rc_graph_poison(rc_graph *g) {
    return (rc_var){g, RC_VAR_POISON, g->gen};
}

bool rc_graph_check_var(rc_graph *g, rc_var v, const char *who, int slot) {
    if (!v.g) {
        rc_graph_fail(g, RC_ERR_ARG, who, -1, "input %d is RC_NONE or an uninitialised handle",
                      slot);
        return false;
    }
    if (v.g != g) {
        rc_graph_fail(g, RC_ERR_FOREIGN, who, -1, "input %d is a handle from another graph", slot);
        return false;
    }
    if (v.idx == RC_VAR_POISON)
        return false; // the error that poisoned it is already recorded
    if (v.gen != g->gen || v.idx >= g->n_nodes) {
        rc_graph_fail(g, RC_ERR_STALE, who, -1,
                      "input %d is a stale handle (node %u from before rc_graph_reset)", slot,
                      v.idx);
        return false;
    }
    return true;
}

bool rc_ok(rc_var v) {
    return v.g && v.idx != RC_VAR_POISON && v.gen == v.g->gen && v.idx < v.g->n_nodes;
}

static rc_node *node_of(rc_var v) {
    return rc_ok(v) ? rc_node_at(v.g, v.idx) : NULL;
}

rc_shape rc_shape_of(rc_var v) {
    rc_node *n = node_of(v);
    return n ? n->value.shape : RC_SCALAR_SHAPE;
}

rc_tensor rc_value(rc_var v) {
    rc_node *n = node_of(v);
    return n ? n->value : (rc_tensor){0};
}

rc_tensor rc_grad(rc_var v) {
    rc_node *n = node_of(v);
    if (!n || !n->grad)
        return (rc_tensor){NULL, n ? n->value.shape : RC_SCALAR_SHAPE, 0};
    rc_tensor t = n->value;
    t.data = n->grad;
    return t;
}

float rc_item(rc_var v) {
    rc_node *n = node_of(v);
    return n && n->value.n >= 1 ? n->value.data[0] : (float)NAN;
}

float *rc_graph_grad_buffer(rc_graph *g, rc_node *n) {
    if (n->grad)
        return n->grad;
    if (n->kind == RC_NODE_PARAM) {
        n->grad = n->param->grad.data;
        return n->grad;
    }
    n->grad = rc_arena_alloc(&g->grads, (size_t)n->value.n * sizeof(float));
    if (n->grad)
        memset(n->grad, 0, (size_t)n->value.n * sizeof(float));
    return n->grad;
}

void *rc_graph_copy(rc_graph *g, const void *data, size_t bytes) {
    RC_NEED(g, NULL);
    void *p = rc_arena_alloc(&g->values, bytes);
    if (!p) {
        rc_graph_fail(g, RC_ERR_NOMEM, NULL, -1, "out of memory copying %zu bytes", bytes);
        return NULL;
    }
    if (data)
        memcpy(p, data, bytes);
    return p;
}

void *rc_ctx_alloc(rc_opctx *ctx, size_t bytes) {
    RC_NEED(ctx, NULL);
    RC_NEED(ctx->g, NULL);
    return rc_graph_copy(ctx->g, NULL, bytes);
}

// ---- leaves ------------------------------------------------------------------------------------

static bool shape_valid(rc_shape s) {
    if (s.ndim < 0 || s.ndim > RC_MAX_DIMS)
        return false;
    for (int i = 0; i < s.ndim; i++)
        if (s.dim[i] <= 0 || s.dim[i] > RC_MAX_NUMEL)
            return false;
    return rc_shape_size_ok(s);
}

static rc_var leaf(rc_graph *g, rc_shape shape, const char *who) {
    if (!g) {
        rc_set_last_error(RC_ERR_ARG, "%s: g is NULL", who);
        return RC_NONE;
    }
    if (g->status != RC_OK)
        return rc_graph_poison(g);
    if (!shape_valid(shape)) {
        char s[96];
        rc_graph_fail(g, RC_ERR_SHAPE, who, -1,
                      "shape %s has a dimension <= 0, too many dims or more than 2^40 entries",
                      rc_shape_str(shape, s, sizeof s));
        return rc_graph_poison(g);
    }
    int64_t n = rc_shape_numel(shape);
    float *data = rc_arena_alloc(&g->values, (size_t)n * sizeof(float));
    uint32_t idx;
    rc_node *node = data ? rc_graph_push_node(g, &idx) : NULL;
    if (!node) {
        rc_graph_fail(g, RC_ERR_NOMEM, who, -1, "out of memory");
        return rc_graph_poison(g);
    }
    node->kind = RC_NODE_INPUT;
    node->value = (rc_tensor){data, shape, n};
    return rc_graph_handle(g, idx);
}

rc_var rc_input(rc_graph *g, rc_shape shape, const float *data) {
    rc_var v = leaf(g, shape, "rc_input");
    if (rc_ok(v)) {
        rc_tensor t = rc_value(v);
        if (data)
            memcpy(t.data, data, (size_t)t.n * sizeof(float));
        else
            memset(t.data, 0, (size_t)t.n * sizeof(float));
    }
    return v;
}

rc_var rc_full(rc_graph *g, rc_shape shape, float value) {
    rc_var v = leaf(g, shape, "rc_full");
    if (rc_ok(v)) {
        rc_tensor t = rc_value(v);
        for (int64_t i = 0; i < t.n; i++)
            t.data[i] = value;
    }
    return v;
}

rc_var rc_scalar(rc_graph *g, float value) {
    return rc_full(g, RC_SCALAR_SHAPE, value);
}

rc_var rc_requires_grad(rc_var v) {
    rc_node *n = node_of(v);
    if (!n)
        return v;
    if (n->kind == RC_NODE_OP) {
        rc_graph_fail(v.g, RC_ERR_ARG, "rc_requires_grad", v.idx,
                      "only leaves can be marked; op nodes get gradients when their inputs do");
        return rc_graph_poison(v.g);
    }
    n->needs_grad = true;
    return v;
}

rc_var rc_detach(rc_var v) {
    RC_NEED_VAR(v, RC_NONE);
    if (!rc_graph_check_var(v.g, v, "rc_detach", 0) || v.g->status != RC_OK)
        return rc_graph_poison(v.g);
    rc_tensor value = rc_node_at(v.g, v.idx)->value;
    uint32_t idx;
    rc_node *n = rc_graph_push_node(v.g, &idx);
    if (!n)
        return rc_graph_poison(v.g);
    n->kind = RC_NODE_INPUT;
    n->value = value; // shared, read-only from here on
    n->name = "detach";
    return rc_graph_handle(v.g, idx);
}

rc_var rc_name(rc_var v, const char *name) {
    rc_node *n = node_of(v);
    if (!n || !name)
        return v;
    size_t len = strlen(name) + 1;
    char *copy = rc_graph_copy(v.g, name, len);
    if (copy)
        n->name = copy;
    return v;
}
