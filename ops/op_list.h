// Every built-in op, one line each in registry order: RC_OP(name) stands for the rc_op_def
// rc_op_<name> that its family file defines. The includer defines RC_OP(name) and includes this
// file; ops_impl.h turns the list into declarations, registry.c into the registry (which the
// gradient-check test walks, so the order is the order of its output). No include guard: the
// list is meant to be expanded more than once; RC_OP is undefined at the end.
//
// The elementwise families are one line each in their own lists, expanded here in place: a new
// unary op is a line in unary_list.h, a new binary op a line in binary_list.h, any other op a
// line below.
#ifndef RC_OP
#error "define RC_OP(name) before including ops/op_list.h"
#endif

#include "binary_list.h"
#include "unary_list.h"

#define RC_OP_OF_LIST(name, ...) RC_OP(name)

// unary.c
RC_UNARY_OPS(RC_OP_OF_LIST)
RC_OP(affine)
RC_OP(pow)
// binary.c
RC_BINARY_OPS(RC_OP_OF_LIST)
RC_OP(lerp)
// matmul.c
RC_OP(matmul)
RC_OP(matmul_nt)
RC_OP(bmm)
RC_OP(bmm_nt)
RC_OP(linear)
// reduce.c
RC_OP(sum)
RC_OP(mean)
RC_OP(max)
RC_OP(logsumexp)
RC_OP(l2norm)
// shape.c
RC_OP(reshape)
RC_OP(slice)
RC_OP(concat)
RC_OP(stack)
RC_OP(transpose)
// index.c
RC_OP(embedding)
RC_OP(index_select)
RC_OP(where)
RC_OP(masked_fill)
// loss.c
RC_OP(softmax)
RC_OP(log_softmax)
RC_OP(cross_entropy)
RC_OP(nll)
RC_OP(bce_with_logits)
RC_OP(mse)
// sparse.c, rowdot.c, embedding_bag.c
RC_OP(sparse_matmul)
RC_OP(rowdot)
RC_OP(embedding_rowdot)
RC_OP(embedding_bag)
// rnn_gates.c
RC_OP(lstm_state)
RC_OP(lstm_output)
RC_OP(gru_state)

#undef RC_OP_OF_LIST
#undef RC_OP
