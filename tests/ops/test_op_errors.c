// Every documented error of the shape, indexing, loss and dropout ops: the sticky status and the
// whole message, which names the op, the node, the argument and the shapes or values.
#include <math.h>

#include "test_util.h"

static rc_graph *g;
static void setup(void) {
    cr_assert_eq(rc_graph_new(&g), RC_OK);
}
static void teardown(void) {
    rc_graph_free(&g);
}
TestSuite(op_errors, .init = setup, .fini = teardown);

// Asserts that v failed with status st and message msg, then resets the graph for the next case.
static void expect(rc_var v, rc_status st, const char *msg) {
    cr_assert_not(rc_ok(v), "expected a failure: %s", msg);
    cr_assert_eq(rc_graph_status(g), st, "status %s, want %s (%s)",
                 rc_status_str(rc_graph_status(g)), rc_status_str(st), rc_graph_errmsg(g));
    cr_assert_str_eq(rc_graph_errmsg(g), msg);
    rc_graph_reset(g);
}

static rc_var x23(void) {
    return rc_full(g, RC_SHAPE(2, 3), 1.0f);
}

// ---- shape -------------------------------------------------------------------------------------

Test(op_errors, reshape) {
    expect(rc_reshape(x23(), RC_SHAPE(4, 2)), RC_ERR_SHAPE,
           "reshape (node 1): x [2,3] (6 elements) cannot be reshaped to [4,2] (8 elements)");
    expect(rc_reshape(x23(), RC_SHAPE(4, -1)), RC_ERR_SHAPE,
           "reshape (node 1): x [2,3] (6 elements) cannot be reshaped to [4,-1]: 6 is not a "
           "multiple of the other dimensions' product (4)");
    expect(rc_reshape(x23(), RC_SHAPE(-1, -1)), RC_ERR_SHAPE,
           "reshape (node 1): target shape [-1,-1] has more than one -1 for x [2,3]");
    expect(rc_reshape(x23(), RC_SHAPE(6, 0)), RC_ERR_SHAPE,
           "reshape (node 1): target shape [6,0] has dimension 0 at 1; dimensions must be "
           "positive (or one -1)");
    expect(rc_reshape(x23(), RC_SHAPE(1 << 30, 1 << 30, 1 << 30)), RC_ERR_SHAPE,
           "reshape (node 1): x [2,3] (6 elements) cannot be reshaped to "
           "[1073741824,1073741824,1073741824] (more than 6 elements)");
    rc_shape five = {5, {1, 1, 1, 6}};
    expect(rc_reshape(x23(), five), RC_ERR_SHAPE,
           "reshape (node 1): target shape has 5 dims; 0 to 4 allowed");
}

Test(op_errors, slice) {
    expect(rc_slice(x23(), 2, 0, 1), RC_ERR_RANGE,
           "slice (node 1): axis 2 is out of range for x [2,3]");
    expect(rc_slice(x23(), -3, 0, 1), RC_ERR_RANGE,
           "slice (node 1): axis -3 is out of range for x [2,3]");
    expect(rc_slice(x23(), 1, 2, 2), RC_ERR_RANGE,
           "slice (node 1): [start, end) = [2, 2) is not a non-empty range inside axis 1 (size "
           "3) of x [2,3]");
    expect(rc_slice(x23(), -1, 1, 4), RC_ERR_RANGE,
           "slice (node 1): [start, end) = [1, 4) is not a non-empty range inside axis -1 (size "
           "3) of x [2,3]");
    expect(rc_slice(x23(), 0, -3, 1), RC_ERR_RANGE,
           "slice (node 1): [start, end) = [-3, 1) is not a non-empty range inside axis 0 (size "
           "2) of x [2,3]");
}

Test(op_errors, concat) {
    rc_var xs[3] = {x23(), rc_full(g, RC_SHAPE(2, 1), 0), rc_full(g, RC_SHAPE(3, 1), 0)};
    expect(rc_concat(xs, 3, 1), RC_ERR_SHAPE,
           "concat (node 3): input 2 [3,1] does not match input 0 [2,3] outside axis 1");
    rc_var ys[2] = {x23(), rc_full(g, RC_SHAPE(2, 3, 1), 0)};
    expect(rc_concat(ys, 2, 0), RC_ERR_SHAPE,
           "concat (node 2): input 1 [2,3,1] does not match input 0 [2,3] outside axis 0");
    rc_var zs[2] = {x23(), x23()};
    expect(rc_concat(zs, 2, -3), RC_ERR_RANGE,
           "concat (node 2): axis -3 is out of range for input 0 [2,3]");
}

Test(op_errors, stack) {
    rc_var xs[2] = {x23(), rc_full(g, RC_SHAPE(3, 2), 0)};
    expect(rc_stack(xs, 2, 0), RC_ERR_SHAPE,
           "stack (node 2): input 1 [3,2] differs from input 0 [2,3]");
    rc_var ys[2] = {x23(), x23()};
    expect(rc_stack(ys, 2, 3), RC_ERR_RANGE,
           "stack (node 2): axis 3 is out of range for stacking inputs [2,3] (new axis in "
           "[-3, 2])");
    rc_var zs[2] = {rc_full(g, RC_SHAPE(1, 2, 3, 4), 0), rc_full(g, RC_SHAPE(1, 2, 3, 4), 0)};
    expect(rc_stack(zs, 2, 0), RC_ERR_SHAPE,
           "stack (node 2): stacking inputs [1,2,3,4] would give 5 dims, more than 4");
}

Test(op_errors, split) {
    rc_var out[4];
    rc_scope_push(g, "layer0");
    rc_split(rc_full(g, RC_SHAPE(4, 6), 1.0f), 1, 4, out);
    rc_scope_pop(g);
    for (int i = 0; i < 4; i++)
        cr_assert_not(rc_ok(out[i]), "out[%d] is poisoned", i);
    expect(out[0], RC_ERR_SHAPE,
           "split (scope layer0): axis 1 of x [4,6] has size 6, which does not split into 4 "
           "equal chunks");
    rc_split(x23(), 2, 1, out);
    expect(out[0], RC_ERR_RANGE, "split: axis 2 is out of range for x [2,3]");
    rc_split(x23(), 0, 0, out);
    cr_assert_eq(rc_graph_status(g), RC_ERR_ARG);
    cr_assert_str_eq(rc_graph_errmsg(g), "split: n = 0 chunks for x [2,3]; need at least 1");
}

Test(op_errors, transpose) {
    expect(rc_transpose(rc_full(g, RC_SHAPE(2, 3, 4), 0)), RC_ERR_SHAPE,
           "transpose (node 1): x [2,3,4] must be 2-D [M,N]");
}

// ---- indexing ----------------------------------------------------------------------------------

Test(op_errors, embedding) {
    const int32_t ids[4] = {1, 0, 10, -1};
    expect(rc_embedding(rc_full(g, RC_SHAPE(10, 4), 0), ids, RC_SHAPE(2, 2)), RC_ERR_RANGE,
           "embedding (node 1): id 10 at position 2 of ids [2,2] is out of range [0, V) for "
           "table [10,4] (V = 10)");
    expect(rc_embedding(rc_full(g, RC_SHAPE(11, 4), 0), ids, RC_SHAPE(4)), RC_ERR_RANGE,
           "embedding (node 1): id -1 at position 3 of ids [4] is out of range [0, V) for table "
           "[11,4] (V = 11)");
    expect(rc_embedding(rc_full(g, RC_SHAPE(10), 0), ids, RC_SHAPE(2)), RC_ERR_SHAPE,
           "embedding (node 1): table [10] must be [V,D]");
    expect(rc_embedding(rc_full(g, RC_SHAPE(10, 4), 0), ids, RC_SHAPE(1, 1, 1, 2)), RC_ERR_SHAPE,
           "embedding (node 1): ids shape [1,1,1,2] must have 0 to 3 positive dimensions (ids + "
           "[D] has at most 4) and at most 2^40 ids");
    expect(rc_embedding(rc_full(g, RC_SHAPE(10, 4), 0), ids, RC_SHAPE(1 << 30, 1 << 30)),
           RC_ERR_SHAPE,
           "embedding (node 1): ids shape [1073741824,1073741824] must have 0 to 3 positive "
           "dimensions (ids + [D] has at most 4) and at most 2^40 ids");
    expect(rc_embedding(rc_full(g, RC_SHAPE(10, 4), 0), NULL, RC_SHAPE(2)), RC_ERR_ARG,
           "embedding (node 1): ids is NULL for ids shape [2]");
    expect(rc_embedding_pad(rc_full(g, RC_SHAPE(10, 4), 0), ids, RC_SHAPE(2), 10), RC_ERR_RANGE,
           "embedding (node 1): padding_idx 10 is out of range [0, V) for table [10,4] (V = 10); "
           "-1 means none");
    expect(rc_embedding_pad(rc_full(g, RC_SHAPE(10, 4), 0), ids, RC_SHAPE(2), -2), RC_ERR_RANGE,
           "embedding (node 1): padding_idx -2 is out of range [0, V) for table [10,4] (V = 10); "
           "-1 means none");
}

Test(op_errors, index_select) {
    const int32_t idx[3] = {0, 2, 3};
    expect(rc_index_select(x23(), 1, idx, 3), RC_ERR_RANGE,
           "index_select (node 1): index 3 at position 2 is out of range [0, 3) for axis 1 of x "
           "[2,3]");
    expect(rc_index_select(x23(), -3, idx, 1), RC_ERR_RANGE,
           "index_select (node 1): axis -3 is out of range for x [2,3]");
    expect(rc_index_select(x23(), 0, idx, 0), RC_ERR_ARG,
           "index_select (node 1): n = 0 indices; need 1 to 2^40");
    expect(rc_index_select(x23(), 0, idx, INT64_MAX), RC_ERR_ARG,
           "index_select (node 1): n = 9223372036854775807 indices; need 1 to 2^40");
    expect(rc_index_select(x23(), 0, NULL, 2), RC_ERR_ARG,
           "index_select (node 1): idx is NULL (n = 2)");
}

Test(op_errors, where_and_masked_fill) {
    expect(rc_where(rc_full(g, RC_SHAPE(2, 1), 1), x23(), rc_full(g, RC_SHAPE(4), 0)), RC_ERR_SHAPE,
           "where (node 3): shapes [2,1], [2,3] and [4] are not broadcastable");
    expect(rc_masked_fill(x23(), rc_full(g, RC_SHAPE(3, 3), 1), 0.0f), RC_ERR_SHAPE,
           "masked_fill (node 2): mask [3,3] does not broadcast to x [2,3]");
    expect(rc_masked_fill(rc_full(g, RC_SHAPE(3), 0), rc_full(g, RC_SHAPE(2, 3), 1), 0.0f),
           RC_ERR_SHAPE, "masked_fill (node 2): mask [2,3] does not broadcast to x [3]");
}

// ---- softmax and losses ----------------------------------------------------------------------

Test(op_errors, softmax_axis) {
    expect(rc_softmax(x23(), 2), RC_ERR_RANGE,
           "softmax (node 1): axis 2 is out of range for x [2,3]");
    expect(rc_log_softmax(x23(), -3), RC_ERR_RANGE,
           "log_softmax (node 1): axis -3 is out of range for x [2,3]");
}

// Issue 11 fault 9a: the axis the caller passed, not the builder's placeholder (rc_sum(x, -3)
// said "axis 2147483647"), and the rank.
Test(op_errors, reduction_axis) {
    expect(rc_sum(x23(), -3, false), RC_ERR_RANGE,
           "sum (node 1): axis -3 is out of range for x [2,3] (rank 2)");
    expect(rc_mean(x23(), 2, true), RC_ERR_RANGE,
           "mean (node 1): axis 2 is out of range for x [2,3] (rank 2)");
    expect(rc_max(x23(), -7, false), RC_ERR_RANGE,
           "max (node 1): axis -7 is out of range for x [2,3] (rank 2)");
    expect(rc_logsumexp(rc_full(g, RC_SCALAR_SHAPE, 1.0f), 0, false), RC_ERR_RANGE,
           "logsumexp (node 1): axis 0 is out of range for x [] (rank 0)");
    expect(rc_l2norm(x23(), INT32_MIN, false), RC_ERR_RANGE,
           "l2norm (node 1): axis -2147483648 is out of range for x [2,3] (rank 2)");
}

Test(op_errors, cross_entropy_and_nll) {
    const int32_t t[2] = {1, 3};
    expect(rc_cross_entropy(x23(), t, RC_REDUCE_MEAN, -100), RC_ERR_RANGE,
           "cross_entropy (node 1): target 3 at position 1 is out of range [0, 3) for logits "
           "[2,3] and is not ignore_index -100");
    const int32_t neg[2] = {-1, 0};
    expect(rc_nll(x23(), neg, RC_REDUCE_SUM, -100), RC_ERR_RANGE,
           "nll (node 1): target -1 at position 0 is out of range [0, 3) for logp [2,3] and is "
           "not ignore_index -100");
    expect(rc_cross_entropy(rc_full(g, RC_SHAPE(6), 0), t, RC_REDUCE_MEAN, -100), RC_ERR_SHAPE,
           "cross_entropy (node 1): logits [6] must be [N,C]");
    expect(rc_cross_entropy(x23(), t, (rc_reduction)7, 3), RC_ERR_ARG,
           "cross_entropy (node 1): reduction 7 is not RC_REDUCE_MEAN, RC_REDUCE_SUM or "
           "RC_REDUCE_NONE");
    expect(rc_nll(x23(), NULL, RC_REDUCE_MEAN, -100), RC_ERR_ARG,
           "nll (node 1): targets is NULL for logp [2,3]");
}

Test(op_errors, bce_and_mse) {
    expect(rc_bce_with_logits(x23(), rc_full(g, RC_SHAPE(3, 2), 0), RC_REDUCE_MEAN), RC_ERR_SHAPE,
           "bce_with_logits (node 2): targets [3,2] must have the shape of logits [2,3]");
    expect(rc_mse(x23(), rc_full(g, RC_SHAPE(3), 0), RC_REDUCE_NONE), RC_ERR_SHAPE,
           "mse (node 2): target [3] must have the shape of pred [2,3]");
    expect(rc_mse(x23(), x23(), (rc_reduction)-1), RC_ERR_ARG,
           "mse (node 2): reduction -1 is not RC_REDUCE_MEAN, RC_REDUCE_SUM or RC_REDUCE_NONE");
}

// ---- dropout -----------------------------------------------------------------------------------

Test(op_errors, dropout_p) {
    rc_rng r;
    rc_rng_seed(&r, 1);
    rc_var mask = x23();
    rc_var y = rc_dropout(x23(), 1.0f, &r, &mask);
    cr_assert_not(rc_ok(mask), "mask_out is poisoned too");
    expect(y, RC_ERR_RANGE, "dropout: p = 1 is outside [0, 1)");
    expect(rc_dropout(x23(), -0.1f, &r, NULL), RC_ERR_RANGE, "dropout: p = -0.1 is outside [0, 1)");
    expect(rc_dropout(x23(), NAN, &r, NULL), RC_ERR_RANGE, "dropout: p = nan is outside [0, 1)");
    expect(rc_dropout_mask(g, RC_SHAPE(2), 1.5f, &r), RC_ERR_RANGE,
           "dropout_mask: p = 1.5 is outside [0, 1)");
    expect(rc_dropout(x23(), 0.5f, NULL, NULL), RC_ERR_ARG, "dropout: rng is NULL for p = 0.5");
    expect(rc_dropout_mask(g, RC_SHAPE(2, 0), 0.5f, &r), RC_ERR_SHAPE,
           "dropout_mask: shape [2,0] must have 0 to 4 dimensions, each in [1, 2^40]");
}

Test(op_errors, poisoned_inputs_pass_through_the_new_ops) {
    rc_var bad = rc_transpose(rc_full(g, RC_SHAPE(2), 0));
    const int32_t ids[1] = {0};
    rc_var parts[2];
    rc_split(bad, 0, 2, parts);
    rc_var mask;
    rc_rng r;
    rc_rng_seed(&r, 1);
    rc_var outs[] = {
        rc_reshape(bad, RC_SHAPE(-1)),
        rc_slice(bad, 0, 0, 1),
        rc_concat(&bad, 1, 0),
        rc_stack(&bad, 1, 0),
        rc_embedding(bad, ids, RC_SHAPE(1)),
        rc_index_select(bad, 0, ids, 1),
        rc_where(bad, bad, bad),
        rc_masked_fill(bad, bad, 0),
        rc_softmax(bad, 0),
        rc_cross_entropy(bad, ids, RC_REDUCE_MEAN, -100),
        rc_bce_with_logits(bad, bad, 0),
        rc_dropout(bad, 0.5f, &r, &mask),
        parts[1],
        mask,
    };
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++)
        cr_assert_not(rc_ok(outs[i]), "output %zu", i);
    cr_assert_str_eq(rc_graph_errmsg(g), "transpose (node 1): x [2] must be 2-D [M,N]",
                     "the first error wins");
}
