// The op registry: every built-in op, in a fixed order. The gradient-check test walks this list,
// so an op cannot ship without its check.
#include <string.h>

#include "ops_impl.h"

#define REGISTER(name, ...) &rc_op_##name,

static const rc_op_def *const registry[] = {
    RC_UNARY_OPS(REGISTER) &rc_op_affine,
    &rc_op_pow,
    RC_BINARY_OPS(REGISTER) &rc_op_lerp,
    &rc_op_matmul,
    &rc_op_matmul_nt,
    &rc_op_bmm,
    &rc_op_bmm_nt,
    &rc_op_linear,
    &rc_op_sum,
    &rc_op_mean,
    &rc_op_max,
    &rc_op_logsumexp,
    &rc_op_l2norm,
    &rc_op_reshape,
    &rc_op_slice,
    &rc_op_concat,
    &rc_op_stack,
    &rc_op_transpose,
    &rc_op_embedding,
    &rc_op_index_select,
    &rc_op_where,
    &rc_op_masked_fill,
    &rc_op_softmax,
    &rc_op_log_softmax,
    &rc_op_cross_entropy,
    &rc_op_nll,
    &rc_op_bce_with_logits,
    &rc_op_mse,
    &rc_op_sparse_matmul,
    &rc_op_rowdot,
    &rc_op_embedding_rowdot,
    &rc_op_embedding_bag,
    &rc_op_lstm_state,
    &rc_op_lstm_output,
    &rc_op_gru_state,
};

int rc_op_count(void) {
    return (int)(sizeof registry / sizeof registry[0]);
}

const rc_op_def *rc_op_at(int i) {
    return i >= 0 && i < rc_op_count() ? registry[i] : NULL;
}

const rc_op_def *rc_op_find(const char *name) {
    for (int i = 0; i < rc_op_count(); i++)
        if (!strcmp(registry[i]->name, name))
            return registry[i];
    return NULL;
}
