// rc_apply: the one path by which every op, built-in or custom, enters a graph.
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "graph_impl.h"

#define APPLY_STACK_INPUTS 8

static size_t align_up(size_t n) {
    const size_t a = _Alignof(max_align_t);
    return (n + a - 1) & ~(a - 1);
}

static void shapes_str(const rc_tensor *in, int n_in, char *buf, size_t len) {
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < n_in && at + 1 < len; i++) {
        char s[96];
        at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? " " : "",
                               rc_shape_str(in[i].shape, s, sizeof s));
    }
}

static bool check_finite(rc_graph *g, const rc_op_def *op, uint32_t idx, const rc_tensor *out) {
    for (int64_t i = 0; i < out->n; i++) {
        if (!isfinite(out->data[i])) {
            char s[96];
            rc_graph_fail(g, RC_ERR_NONFINITE, op->name, idx, "output %s has %s at flat index %lld",
                          rc_shape_str(out->shape, s, 96), isnan(out->data[i]) ? "NaN" : "Inf",
                          (long long)i);
            return false;
        }
    }
    return true;
}

// Validates the handles; fills ins[] and sets *needs_grad. False on any bad handle.
static bool gather_inputs(rc_graph *g, const rc_op_def *op, const rc_var *in, int n_in,
                          rc_tensor *ins, bool *needs_grad) {
    *needs_grad = false;
    for (int i = 0; i < n_in; i++) {
        if (!rc_graph_check_var(g, in[i], op->name, i))
            return false;
        const rc_node *n = rc_node_at(g, in[i].idx);
        ins[i] = n->value;
        if (n->needs_grad && !(op->nondiff & (1u << (i < 31 ? i : 31))))
            *needs_grad = true;
    }
    return true;
}

static rc_var apply_checked(rc_graph *g, const rc_op_def *op, const rc_var *in, int n_in,
                            const void *attr, size_t attr_size, rc_tensor *ins) {
    bool needs_grad;
    if (!gather_inputs(g, op, in, n_in, ins, &needs_grad) || g->status != RC_OK)
        return rc_graph_poison(g);
    rc_shape shape;
    char why[384];
    why[0] = '\0'; // not `= ""`, which clears all 384 bytes on every op
    rc_status st = op->shape(ins, n_in, attr, &shape, why, sizeof why);
    if (st != RC_OK) {
        if (!why[0]) {
            char shapes[320];
            shapes_str(ins, n_in, shapes, sizeof shapes);
            snprintf(why, sizeof why, "inputs %s do not fit", shapes);
        }
        rc_graph_fail(g, st, op->name, g->n_nodes, "%s", why);
        return rc_graph_poison(g);
    }
    if (!rc_shape_size_ok(shape)) { // e.g. an outer product of two 2^31 vectors
        char sb[96];
        rc_graph_fail(g, RC_ERR_SHAPE, op->name, g->n_nodes,
                      "output shape %s has more than 2^40 entries",
                      rc_shape_str(shape, sb, sizeof sb));
        return rc_graph_poison(g);
    }
    // One arena piece per node: the output (64-byte aligned), then the input indices and the
    // attributes, each aligned for any type. Three separate pieces would each round up to 64 bytes.
    const int64_t numel = rc_shape_numel(shape);
    const size_t data_bytes = align_up((size_t)numel * sizeof(float));
    const size_t idx_bytes = align_up((size_t)n_in * sizeof(uint32_t));
    unsigned char *piece = rc_arena_alloc(&g->values, data_bytes + idx_bytes + attr_size);
    if (!piece) {
        rc_graph_fail(g, RC_ERR_NOMEM, op->name, g->n_nodes, "out of memory");
        return rc_graph_poison(g);
    }
    float *data = (float *)(void *)piece;
    uint32_t *idx_copy = (uint32_t *)(void *)(piece + data_bytes);
    void *attr_copy = attr_size ? piece + data_bytes + idx_bytes : NULL;
    for (int i = 0; i < n_in; i++)
        idx_copy[i] = in[i].idx;
    if (attr_size)
        memcpy(attr_copy, attr, attr_size);
    uint32_t idx;
    rc_node *node = rc_graph_push_node(g, &idx);
    if (!node)
        return rc_graph_poison(g);
    node->kind = RC_NODE_OP;
    node->op = op;
    node->in = idx_copy;
    node->n_in = n_in;
    node->attr = attr_copy;
    node->value = (rc_tensor){data, shape, numel};
    node->needs_grad = needs_grad && g->grad_enabled;
    op->forward(ins, n_in, attr_copy, &node->value, &node->ctx);
    if (g->status != RC_OK) // forward ran out of memory for saved state
        return rc_graph_poison(g);
    if (g->check_finite && !check_finite(g, op, idx, &node->value))
        return rc_graph_poison(g);
    return rc_graph_handle(g, idx);
}

rc_var rc_apply(const rc_op_def *op, const rc_var *in, int n_in, const void *attr,
                size_t attr_size) {
    // No graph to report to (no inputs, or every input RC_NONE): the result is RC_NONE, which
    // poisons what is built on it; rc_backward then returns RC_ERR_ARG.
    rc_graph *g = NULL;
    for (int i = 0; in && i < n_in && !g; i++)
        g = in[i].g;
    if (!op || !g)
        return RC_NONE;
    if (g->status != RC_OK)
        return rc_graph_poison(g);
    if (op->n_in >= 0 && op->n_in != n_in) {
        rc_graph_fail(g, RC_ERR_ARG, op->name, g->n_nodes, "takes %d inputs, given %d", op->n_in,
                      n_in);
        return rc_graph_poison(g);
    }
    if (n_in <= APPLY_STACK_INPUTS) {
        rc_tensor ins[APPLY_STACK_INPUTS];
        return apply_checked(g, op, in, n_in, attr, attr_size, ins);
    }
    rc_tensor *ins = rc_arena_alloc(&g->values, (size_t)n_in * sizeof *ins);
    if (!ins) {
        rc_graph_fail(g, RC_ERR_NOMEM, op->name, g->n_nodes, "out of memory");
        return rc_graph_poison(g);
    }
    return apply_checked(g, op, in, n_in, attr, attr_size, ins);
}
