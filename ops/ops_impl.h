// Private helpers shared by the op families: broadcasting, axis handling, shape messages,
// the matrix-product dispatcher and the op definitions the registry lists.
#ifndef RECUR_OPS_IMPL_H
#define RECUR_OPS_IMPL_H

#include <stdio.h>

#include "../graph/graph_impl.h"
#include "cpu/parallel.h"
#include "recur/ops.h"

#define UNUSED(x) (void)(x)

// Formats "why" for a shape function and returns st.
rc_status rc_shape_error(char *why, size_t len, rc_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

// Normalises a possibly negative axis; -1 when out of range.
int rc_norm_axis(int axis, int ndim);

// ---- broadcasting ------------------------------------------------------------------------------
// Shapes are right-aligned and padded to 4 dims. An input's stride is 0 along a broadcast dim.
#define RC_BCAST_MAX_IN 3
typedef struct rc_bcast {
    int64_t dim[4];
    int64_t stride[RC_BCAST_MAX_IN][4];
    int64_t rows, inner; // out viewed as [rows, inner] with inner = dim[3]
    int n_in;
} rc_bcast;

// Numpy broadcast of in[0..n-1] into out; RC_ERR_SHAPE with a message naming all shapes.
rc_status rc_bcast_shape(const rc_tensor *in, int n, rc_shape *out, char *why, size_t len);
void rc_bcast_init(rc_bcast *b, const rc_tensor *in, int n, rc_shape out);
// Offset of input k's element at the start of out row `row` (row over dims 0..2).
static inline int64_t rc_bcast_row_offset(const rc_bcast *b, int k, int64_t row) {
    int64_t i2 = row % b->dim[2], r = row / b->dim[2];
    int64_t i1 = r % b->dim[1], i0 = r / b->dim[1];
    return i0 * b->stride[k][0] + i1 * b->stride[k][1] + i2 * b->stride[k][2];
}
// dst (shape dst_shape) += src (shape src_shape) summed over the dims where dst broadcast.
void rc_reduce_to(float *dst, rc_shape dst_shape, const float *src, rc_shape src_shape);
// Gradient scratch: n floats from the graph's gradient arena (NULL when out of memory, in which
// case the graph carries RC_ERR_NOMEM).
float *rc_grad_scratch(const rc_opctx *ctx, int64_t n);

// ---- matrix products -------------------------------------------------------------------------
// C[M,N] = alpha * op(A) op(B) + beta * C, row-major, op(X) = X or X^T. Uses oneDNN where it
// pays, the reference kernel otherwise. The same bits with any thread count.
void rc_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
             int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
// The plain reference kernel (also the fallback when oneDNN declines).
void rc_gemm_ref(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                 int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);
// oneDNN's sgemm on the calling thread only; false when it fails or oneDNN is unavailable.
bool rc_dnnl_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                  int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc);

// ---- the registry ----------------------------------------------------------------------------
// Every op definition of ops/op_list.h, declared for registry.c and the families' builders.
#define RC_OP(name) extern const rc_op_def rc_op_##name;
#include "op_list.h"

#endif
