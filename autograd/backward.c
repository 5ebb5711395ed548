// The reverse sweep: the tape is already in topological order, so backward is one loop from the
// seed down to node 0. Each op's backward adds into its inputs' gradients.
#include <string.h>

#include "../graph/graph_impl.h"
#include "recur/autograd.h"
#include "recur/ops.h"

#define BACKWARD_STACK_INPUTS 8

// Marks which rows of a parameter input a node's gradient touches.
static uint8_t *touch_param(rc_node *in_node, const rc_op_def *op, int slot) {
    rc_param *p = in_node->param;
    if (slot == 0 && (op->flags & RC_OP_ROW_SPARSE))
        return p->touched;
    p->dense_touch = true;
    return NULL;
}

static bool input_wants_grad(const rc_node *node, int slot, const rc_node *in_node) {
    return in_node->needs_grad && !(node->op->nondiff & (1u << (slot < 31 ? slot : 31)));
}

static bool run_node_backward(rc_graph *g, rc_node *node, rc_tensor *ins, rc_tensor *gin) {
    rc_opctx ctx = node->ctx;
    ctx.touched_rows = NULL;
    for (int i = 0; i < node->n_in; i++) {
        rc_node *in_node = rc_node_at(g, node->in[i]);
        ins[i] = in_node->value;
        gin[i] = (rc_tensor){NULL, in_node->value.shape, in_node->value.n};
        if (!input_wants_grad(node, i, in_node))
            continue;
        gin[i].data = rc_graph_grad_buffer(g, in_node);
        if (!gin[i].data) {
            rc_graph_fail(g, RC_ERR_NOMEM, "backward", -1, "out of memory for gradients");
            return false;
        }
        if (in_node->kind == RC_NODE_PARAM) {
            uint8_t *rows = touch_param(in_node, node->op, i);
            if (i == 0)
                ctx.touched_rows = rows;
        }
    }
    rc_tensor gout = node->value;
    gout.data = node->grad;
    node->op->backward(ins, node->n_in, node->attr, &node->value, &gout, gin, &ctx);
    return true;
}

static rc_status sweep(rc_graph *g, uint32_t from) {
    rc_tensor ins_stack[BACKWARD_STACK_INPUTS], gin_stack[BACKWARD_STACK_INPUTS];
    for (uint32_t k = from + 1; k-- > 0;) {
        rc_node *node = rc_node_at(g, k);
        if (node->kind != RC_NODE_OP || !node->needs_grad || !node->grad)
            continue;
        rc_tensor *ins = ins_stack, *gin = gin_stack;
        if (node->n_in > BACKWARD_STACK_INPUTS) {
            ins = rc_arena_alloc(&g->grads, 2 * (size_t)node->n_in * sizeof *ins);
            if (!ins) {
                rc_graph_fail(g, RC_ERR_NOMEM, "backward", -1, "out of memory");
                return g->status;
            }
            gin = ins + node->n_in;
        }
        if (!run_node_backward(g, node, ins, gin))
            return g->status;
    }
    return RC_OK;
}

rc_status rc_backward_seeded(rc_var v, const float *seed) {
    RC_NEED_VAR(v, RC_ERR_ARG); // no graph to record a message in: the thread's last error
    rc_graph *g = v.g;
    if (!seed) {
        if (g->status == RC_OK)
            rc_graph_fail(g, RC_ERR_ARG, "backward", -1, "seed is NULL");
        return g->status;
    }
    if (!rc_graph_check_var(g, v, "backward", 0) || g->status != RC_OK)
        return g->status ? g->status : RC_ERR_ARG;
    if (g->backward_done) {
        rc_graph_fail(g, RC_ERR_STATE, "backward", v.idx,
                      "this graph was already back-propagated; build the next step after "
                      "rc_graph_reset");
        return g->status;
    }
    g->backward_done = true;
    rc_node *root = rc_node_at(g, v.idx);
    if (!root->needs_grad)
        return RC_OK; // nothing upstream needs a gradient
    float *grad = rc_graph_grad_buffer(g, root);
    if (!grad) {
        rc_graph_fail(g, RC_ERR_NOMEM, "backward", v.idx, "out of memory for gradients");
        return g->status;
    }
    for (int64_t i = 0; i < root->value.n; i++)
        grad[i] += seed[i];
    return sweep(g, v.idx);
}

rc_status rc_backward(rc_var loss) {
    RC_NEED_VAR(loss, RC_ERR_ARG); // no graph to record a message in: the thread's last error
    rc_graph *g = loss.g;
    if (!rc_graph_check_var(g, loss, "backward", 0) || g->status != RC_OK)
        return g->status ? g->status : RC_ERR_ARG;
    const rc_node *root = rc_node_at(g, loss.idx);
    if (root->value.n != 1) {
        char s[96];
        rc_graph_fail(g, RC_ERR_SHAPE, "backward", loss.idx,
                      "the loss must have one element, it has shape %s; reduce it with "
                      "rc_sum_all or rc_mean_all",
                      rc_shape_str(root->value.shape, s, sizeof s));
        return g->status;
    }
    const float one = 1.0f;
    return rc_backward_seeded(loss, &one);
}

rc_status rc_graph_replay(rc_graph *g) {
    RC_NEED(g, RC_ERR_ARG);
    if (g->status != RC_OK)
        return g->status;
    rc_tensor ins_stack[BACKWARD_STACK_INPUTS];
    for (uint32_t k = 0; k < g->n_nodes; k++) {
        rc_node *node = rc_node_at(g, k);
        if (node->kind != RC_NODE_OP)
            continue;
        rc_tensor *ins = ins_stack;
        if (node->n_in > BACKWARD_STACK_INPUTS) {
            ins = rc_arena_alloc(&g->grads, (size_t)node->n_in * sizeof *ins);
            if (!ins) {
                rc_graph_fail(g, RC_ERR_NOMEM, "rc_graph_replay", k, "out of memory");
                return g->status;
            }
        }
        for (int i = 0; i < node->n_in; i++)
            ins[i] = rc_node_at(g, node->in[i])->value;
        node->op->forward(ins, node->n_in, node->attr, &node->value, &node->ctx);
    }
    return g->status;
}
