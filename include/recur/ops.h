// recur: the primitive differentiable ops. Each builder runs its op at once and records a node.
// Shapes are in numpy order; `[B,H]` is B rows of H. Any mistake (shapes, axes, ids) sets the
// graph's sticky error and returns a poisoned handle that later ops pass through.
#ifndef RECUR_OPS_H
#define RECUR_OPS_H

#include "op.h"

#ifdef __cplusplus
extern "C" {
#endif

// ---- elementwise unary: y = f(x), same shape ------------------------------------------------
RC_API rc_var rc_neg(rc_var x);
RC_API rc_var rc_exp(rc_var x);
RC_API rc_var rc_log(rc_var x);
RC_API rc_var rc_sqrt(rc_var x);
RC_API rc_var rc_square(rc_var x);
RC_API rc_var rc_abs(rc_var x);
RC_API rc_var rc_tanh(rc_var x);
RC_API rc_var rc_sigmoid(rc_var x);
RC_API rc_var rc_relu(rc_var x);
RC_API rc_var rc_softsign(rc_var x);     // x / (1 + |x|)
RC_API rc_var rc_hard_sigmoid(rc_var x); // clamp(x/6 + 1/2, 0, 1), PyTorch's hardsigmoid
RC_API rc_var rc_log_sigmoid(rc_var x);  // log(sigmoid(x)), stable
RC_API rc_var rc_softplus(rc_var x);     // log(1 + exp(x)), stable
RC_API rc_var rc_affine(rc_var x, float a, float b); // a*x + b
RC_API rc_var rc_scale(rc_var x, float a);           // a*x
RC_API rc_var rc_shift(rc_var x, float b);           // x + b
RC_API rc_var rc_pow(rc_var x, float p);             // x^p (x > 0 unless p is an integer)

// ---- elementwise binary with numpy broadcasting ---------------------------------------------
RC_API rc_var rc_add(rc_var a, rc_var b);
RC_API rc_var rc_sub(rc_var a, rc_var b);
RC_API rc_var rc_mul(rc_var a, rc_var b);
RC_API rc_var rc_div(rc_var a, rc_var b);
RC_API rc_var rc_minimum(rc_var a, rc_var b);
RC_API rc_var rc_maximum(rc_var a, rc_var b);
// t*a + (1-t)*b, all three broadcast together (a GRU's update, a highway gate).
RC_API rc_var rc_lerp(rc_var t, rc_var a, rc_var b);

// ---- matrix products ------------------------------------------------------------------------
RC_API rc_var rc_matmul(rc_var a, rc_var b);    // [M,K] x [K,N] -> [M,N]
RC_API rc_var rc_matmul_nt(rc_var a, rc_var b); // [M,K] x [N,K]^T -> [M,N]
RC_API rc_var rc_bmm(rc_var a, rc_var b);       // [B,M,K] x [B,K,N] -> [B,M,N]
RC_API rc_var rc_bmm_nt(rc_var a, rc_var b);    // [B,M,K] x [B,N,K]^T -> [B,M,N]
// x W^T + b: x [N,I], W [O,I], b [O] or RC_NONE -> [N,O]. Also [B,T,I] -> [B,T,O].
RC_API rc_var rc_linear(rc_var x, rc_var w, rc_var b);
// Row-wise dot products: a [N,D] and b [N,K,D] -> [N,K], y[n,k] = <a[n,:], b[n,k,:]> (each row of
// a against its own K rows of b: the scores of skip-gram with negative sampling).
RC_API rc_var rc_rowdot(rc_var a, rc_var b);
// rowdot(h, embedding(table, ids)) in one op: table [V,D], ids [N,K] (copied), h [N,D] -> [N,K],
// y[n,k] = <h[n,:], table[ids[n,k],:]>, without the [N,K,D] gather. Like rc_embedding, backward
// adds into the rows it read only and marks them touched. An id outside [0,V) is RC_ERR_RANGE.
RC_API rc_var rc_embedding_rowdot(rc_var table, const int32_t *ids, int64_t N, int64_t K, rc_var h);
// Sums of bags of rows (PyTorch's EmbeddingBag, mode "sum"): bag b is ids[offsets[b] ..
// offsets[b+1]) (offsets[n_bags + 1], offsets[0] = 0, non-decreasing; both copied) -> [n_bags,D].
// Backward adds into the rows read and marks them touched. An id outside [0,V) is RC_ERR_RANGE.
RC_API rc_var rc_embedding_bag(rc_var table, const int32_t *ids, const int64_t *offsets,
                               int64_t n_bags);

// ---- fused recurrent gates ----------------------------------------------------------------------
// The pointwise part of an LSTM or GRU step in one op, equal bit for bit to the same formula
// written with rc_split, rc_sigmoid, rc_tanh, rc_mul, rc_add and rc_lerp (faster: one pass, one
// node, no slices). Shapes not as stated are RC_ERR_SHAPE.
// LSTM cell state: gates [B,4H] in blocks [i|f|g|o] (pre-activations), c [B,H] ->
// c' = σ(f)*c + σ(i)*tanh(g) [B,H]. Reads the i, f and g blocks.
RC_API rc_var rc_lstm_state(rc_var gates, rc_var c);
// LSTM output: gates [B,4H] as above, c' [B,H] (the new cell state) -> h' = σ(o)*tanh(c') [B,H].
// Reads the o block.
RC_API rc_var rc_lstm_output(rc_var gates, rc_var c);
// GRU update in PyTorch's form, blocks [r|z|n]: xp = W_ih x + b_ih [B,3H], hp = W_hh h + b_hh
// [B,3H], h [B,H] -> h' = z*h + (1-z)*n [B,H] with r = σ(x_r + h_r), z = σ(x_z + h_z),
// n = tanh(x_n + r*h_n).
RC_API rc_var rc_gru_state(rc_var xp, rc_var hp, rc_var h);

// ---- reductions (axis may be negative, counted from the end) ---------------------------------
RC_API rc_var rc_sum_all(rc_var x);  // -> scalar
RC_API rc_var rc_mean_all(rc_var x); // -> scalar
RC_API rc_var rc_sum(rc_var x, int axis, bool keepdims);
RC_API rc_var rc_mean(rc_var x, int axis, bool keepdims);
RC_API rc_var rc_max(rc_var x, int axis, bool keepdims); // gradient to the first maximum
RC_API rc_var rc_logsumexp(rc_var x, int axis, bool keepdims);
RC_API rc_var rc_l2norm(rc_var x, int axis, bool keepdims); // sqrt(sum x^2)
RC_API rc_var rc_l2norm_all(rc_var x);

// ---- shape (every result is a copy; axes may be negative, counted from the end) ---------------
// x with a new shape of the same number of elements; one dim may be -1 (inferred).
RC_API rc_var rc_reshape(rc_var x, rc_shape shape);
// x[.., start:end, ..] along axis; start and end may be negative (counted from the end, as in
// Python), and [start, end) must be non-empty and inside the axis: RC_ERR_RANGE otherwise.
RC_API rc_var rc_slice(rc_var x, int axis, int64_t start, int64_t end);
// xs[0..n-1] joined along an existing axis; all other dims must match. n >= 1.
RC_API rc_var rc_concat(const rc_var *xs, int n, int axis);
// xs[0..n-1], all of one shape S, joined along a new axis (in [-(ndim+1), ndim]). n >= 1.
RC_API rc_var rc_stack(const rc_var *xs, int n, int axis); // new axis
// Splits x along axis into n equal chunks written to out[n] (n slices). A size not divisible by
// n is RC_ERR_SHAPE; on any error every out[i] is a poisoned handle.
RC_API void rc_split(rc_var x, int axis, int n, rc_var *out);
RC_API rc_var rc_transpose(rc_var x); // 2-D: [M,N] -> [N,M]

// ---- indexing -------------------------------------------------------------------------------
// Rows of table [V,D] picked by ids (any shape S of up to 3 dims, copied) -> S + [D]. Backward
// scatter-adds into the picked rows only and marks them in rc_param_touched_rows. An id outside
// [0,V) is an RC_ERR_RANGE error naming the id and its position.
RC_API rc_var rc_embedding(rc_var table, const int32_t *ids, rc_shape ids_shape);
// The same with PyTorch's padding_idx: positions whose id is padding_idx read the row as stored
// but send it no gradient (and do not mark it touched). padding_idx in [0,V), or -1 for none.
RC_API rc_var rc_embedding_pad(rc_var table, const int32_t *ids, rc_shape ids_shape,
                               int32_t padding_idx);
// Entries of x picked along axis by idx[n] (copied, each in [0, dim[axis]), repeats allowed)
// -> x's shape with dim[axis] = n. Backward scatter-adds.
RC_API rc_var rc_index_select(rc_var x, int axis, const int32_t *idx, int64_t n);
// where(mask, a, b): mask != 0 picks a, else b; mask, a and b broadcast; mask gets no gradient.
RC_API rc_var rc_where(rc_var mask, rc_var a, rc_var b);
// x where mask == 0, value where mask != 0 (mask broadcasts to x).
RC_API rc_var rc_masked_fill(rc_var x, rc_var mask, float value);

// ---- softmax and losses ---------------------------------------------------------------------
typedef enum rc_reduction { RC_REDUCE_MEAN = 0, RC_REDUCE_SUM, RC_REDUCE_NONE } rc_reduction;
// Numerically stable along axis (negative counts from the end); same shape as x.
RC_API rc_var rc_softmax(rc_var x, int axis);
RC_API rc_var rc_log_softmax(rc_var x, int axis);
// Cross-entropy from logits [N,C] and targets[N] (copied) in [0,C) or == ignore_index (use -100
// for PyTorch's default); a target outside both is RC_ERR_RANGE naming its position and value.
// NONE gives [N] with 0 at ignored rows; MEAN averages over the rows not ignored, and is 0 with
// zero gradient when every row is ignored (PyTorch gives NaN there); SUM and MEAN give a scalar.
RC_API rc_var rc_cross_entropy(rc_var logits, const int32_t *targets, rc_reduction red,
                               int32_t ignore_index);
// Negative log-likelihood from log-probabilities [N,C]; same targets and reduction rules.
RC_API rc_var rc_nll(rc_var logp, const int32_t *targets, rc_reduction red, int32_t ignore_index);
// Binary cross-entropy with logits, max(x,0) - x*y + log(1 + e^-|x|); targets y (usually in
// [0,1]) have the shape of logits and get no gradient. MEAN is over all elements.
RC_API rc_var rc_bce_with_logits(rc_var logits, rc_var targets, rc_reduction red);
// (pred - target)^2 with pred and target of one shape, both differentiable.
RC_API rc_var rc_mse(rc_var pred, rc_var target, rc_reduction red);

// ---- dropout --------------------------------------------------------------------------------
// A mask of shape `shape` with entries 0 (probability p) or 1/(1-p), one rc_rng_uniform draw per
// entry in order, so a seed reproduces it; a leaf with no gradient. p in [0,1), else
// RC_ERR_RANGE; p == 0 gives all ones and draws nothing (rng may then be NULL).
RC_API rc_var rc_dropout_mask(rc_graph *g, rc_shape shape, float p, rc_rng *rng);
// Inverted dropout: x * mask with a fresh mask; *mask_out (optional) receives the mask so the
// same mask can be reused across time steps with rc_mul. p == 0 returns x itself (and an
// all-ones mask through mask_out). p outside [0,1) is RC_ERR_RANGE.
RC_API rc_var rc_dropout(rc_var x, float p, rc_rng *rng, rc_var *mask_out);

// ---- sparse ---------------------------------------------------------------------------------
// A compressed sparse row matrix [R,C]: row r's entries are indices[k], values[k] for k in
// [indptr[r], indptr[r+1]), with indptr[0] == 0. Columns within a row are ascending (the
// builder in text.h makes them so); rc_sparse_matmul accepts any order and repeats.
typedef struct rc_csr {
    int64_t rows, cols;
    int64_t *indptr;  // [R+1]
    int32_t *indices; // [nnz], each in [0, C)
    float *values;    // [nnz]
} rc_csr;

// y = A b: the sparse A [R,C] (copied into the graph's arena) times the dense b [C,N] -> [R,N].
// Gradient to b only: db += A^T g. RC_ERR_SHAPE when C differs from b's rows, RC_ERR_RANGE for a
// column index outside [0,C) or an indptr that is not non-decreasing from 0.
RC_API rc_var rc_sparse_matmul(const rc_csr *a, rc_var b);

#ifdef __cplusplus
}
#endif

#endif
