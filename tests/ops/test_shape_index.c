// Forward values and gradients of the shape and indexing ops against scalar loops, hand
// computation and a PyTorch fixture (embedding with padding_idx).
#include <math.h>
#include <string.h>

#include "fixtures/torch_losses.h"
#include "test_util.h"

static rc_graph *g;
static int threads_before;
static void setup(void) {
    threads_before = rc_get_num_threads();
    cr_assert_eq(rc_graph_new(&g), RC_OK);
}
static void teardown(void) {
    rc_set_num_threads(threads_before);
    rc_graph_free(&g);
}
TestSuite(shape_index, .init = setup, .fini = teardown);

static rc_var input_iota(rc_shape s, float scale) {
    rc_var x = rc_input(g, s, NULL);
    rc_tensor t = rc_value(x);
    for (int64_t i = 0; i < t.n; i++)
        t.data[i] = scale * (float)i;
    return rc_requires_grad(x);
}

static void assert_shape(rc_var v, rc_shape want, const char *what) {
    char a[96], b[96];
    cr_assert(rc_shape_eq(rc_shape_of(v), want), "%s: shape %s, want %s", what,
              rc_shape_str(rc_shape_of(v), a, sizeof a), rc_shape_str(want, b, sizeof b));
}

// ---- shape ops -----------------------------------------------------------------------------

Test(shape_index, reshape_infers_minus_one_and_keeps_values) {
    rc_var x = input_iota(RC_SHAPE(2, 3, 4), 1.0f);
    rc_var y = rc_reshape(x, RC_SHAPE(-1, 6));
    assert_shape(y, RC_SHAPE(4, 6), "reshape [-1,6]");
    tu_assert_close(rc_value(y).data, rc_value(x).data, 24, 0, 0, "reshape values");
    assert_shape(rc_reshape(x, RC_SHAPE(3, 2, -1, 2)), RC_SHAPE(3, 2, 2, 2), "reshape 4-D");
    rc_var s = rc_reshape(rc_input(g, RC_SHAPE(1, 1), (float[]){5.0f}), RC_SCALAR_SHAPE);
    assert_shape(s, RC_SCALAR_SHAPE, "reshape to scalar");
    cr_assert_float_eq(rc_item(s), 5.0f, 0);
    // Backward: gradient comes back in x's layout.
    float seed[24];
    tu_fill_uniform(seed, 24, -1, 1, 11);
    cr_assert_eq(rc_backward_seeded(y, seed), RC_OK);
    tu_assert_close(rc_grad(x).data, seed, 24, 0, 0, "reshape grad");
}

Test(shape_index, slice_negative_axis_and_bounds) {
    // x [3,5,2]; slice axis -2 over [1,-1) picks middle rows 1..3 of every [5,2] block.
    rc_var x = input_iota(RC_SHAPE(3, 5, 2), 1.0f);
    rc_var y = rc_slice(x, -2, 1, -1);
    assert_shape(y, RC_SHAPE(3, 3, 2), "slice");
    const float *v = rc_value(y).data;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 2; c++)
                cr_assert_float_eq(v[(a * 3 + b) * 2 + c], (float)((a * 5 + b + 1) * 2 + c), 0);
    // The same slice written with positive numbers and a last-axis slice.
    tu_assert_close(rc_value(rc_slice(x, 1, 1, 4)).data, v, 18, 0, 0, "slice positive");
    rc_var last = rc_slice(x, -1, -1, 2);
    assert_shape(last, RC_SHAPE(3, 5, 1), "slice last");
    cr_assert_float_eq(rc_value(last).data[4], 9.0f, 0);
    // Backward: ones inside the slice, zeros outside.
    float ones[18];
    for (int i = 0; i < 18; i++)
        ones[i] = 1;
    cr_assert_eq(rc_backward_seeded(y, ones), RC_OK);
    const float *gx = rc_grad(x).data;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 5; b++)
            for (int c = 0; c < 2; c++)
                cr_assert_float_eq(gx[(a * 5 + b) * 2 + c], (b >= 1 && b < 4) ? 1.0f : 0.0f, 0);
}

Test(shape_index, concat_along_each_axis) {
    rc_var a = input_iota(RC_SHAPE(2, 3), 1.0f);  // 0..5
    rc_var b = input_iota(RC_SHAPE(2, 1), -1.0f); // 0, -1
    rc_var c = input_iota(RC_SHAPE(2, 2), 10.0f); // 0, 10, 20, 30
    rc_var xs[3] = {a, b, c};
    rc_var y = rc_concat(xs, 3, -1);
    assert_shape(y, RC_SHAPE(2, 6), "concat -1");
    const float want[12] = {0, 1, 2, 0, 0, 10, 3, 4, 5, -1, 20, 30};
    tu_assert_close(rc_value(y).data, want, 12, 0, 0, "concat -1");
    rc_var rows[2] = {a, rc_reshape(rc_slice(y, 1, 0, 3), RC_SHAPE(2, 3))};
    rc_var y0 = rc_concat(rows, 2, 0);
    assert_shape(y0, RC_SHAPE(4, 3), "concat 0");
    const float want0[12] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5};
    tu_assert_close(rc_value(y0).data, want0, 12, 0, 0, "concat 0");
    // Backward hands each input its block of the seed.
    float seed[12];
    for (int i = 0; i < 12; i++)
        seed[i] = (float)(i + 1);
    cr_assert_eq(rc_backward_seeded(y, seed), RC_OK);
    tu_assert_close(rc_grad(a).data, (float[]){1, 2, 3, 7, 8, 9}, 6, 0, 0, "da");
    tu_assert_close(rc_grad(b).data, (float[]){4, 10}, 2, 0, 0, "db");
    tu_assert_close(rc_grad(c).data, (float[]){5, 6, 11, 12}, 4, 0, 0, "dc");
}

Test(shape_index, concat_of_one_and_of_many_inputs) {
    rc_var x = input_iota(RC_SHAPE(2, 2), 1.0f);
    tu_assert_close(rc_value(rc_concat(&x, 1, 0)).data, rc_value(x).data, 4, 0, 0, "one input");
    rc_var xs[12]; // more inputs than rc_apply keeps on its stack
    for (int i = 0; i < 12; i++)
        xs[i] = x;
    rc_var y = rc_concat(xs, 12, 1);
    assert_shape(y, RC_SHAPE(2, 24), "12 inputs");
    cr_assert_float_eq(rc_value(y).data[24 + 23], 3.0f, 0);
    float ones[48];
    for (int i = 0; i < 48; i++)
        ones[i] = 1;
    cr_assert_eq(rc_backward_seeded(y, ones), RC_OK);
    tu_assert_close(rc_grad(x).data, (float[]){12, 12, 12, 12}, 4, 0, 0, "grad sums all uses");
}

Test(shape_index, stack_on_new_axis) {
    rc_var a = input_iota(RC_SHAPE(2, 3), 1.0f), b = input_iota(RC_SHAPE(2, 3), -1.0f);
    rc_var xs[2] = {a, b};
    rc_var s0 = rc_stack(xs, 2, 0), s1 = rc_stack(xs, 2, 1), sl = rc_stack(xs, 2, -1);
    assert_shape(s0, RC_SHAPE(2, 2, 3), "stack 0");
    assert_shape(s1, RC_SHAPE(2, 2, 3), "stack 1");
    assert_shape(sl, RC_SHAPE(2, 3, 2), "stack -1");
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++) {
                const float v = (k ? -1.0f : 1.0f) * (float)(i * 3 + j);
                cr_assert_float_eq(rc_value(s0).data[(k * 2 + i) * 3 + j], v, 0);
                cr_assert_float_eq(rc_value(s1).data[(i * 2 + k) * 3 + j], v, 0);
                cr_assert_float_eq(rc_value(sl).data[(i * 3 + j) * 2 + k], v, 0);
            }
    float seed[12];
    for (int i = 0; i < 12; i++)
        seed[i] = (float)i;
    cr_assert_eq(rc_backward_seeded(sl, seed), RC_OK);
    tu_assert_close(rc_grad(a).data, (float[]){0, 2, 4, 6, 8, 10}, 6, 0, 0, "da");
    tu_assert_close(rc_grad(b).data, (float[]){1, 3, 5, 7, 9, 11}, 6, 0, 0, "db");
}

Test(shape_index, split_matches_slices_and_round_trips) {
    rc_var x = input_iota(RC_SHAPE(2, 6), 1.0f);
    rc_var parts[3];
    rc_split(x, -1, 3, parts);
    for (int i = 0; i < 3; i++) {
        assert_shape(parts[i], RC_SHAPE(2, 2), "split part");
        rc_var s = rc_slice(x, 1, 2 * i, 2 * i + 2);
        tu_assert_close(rc_value(parts[i]).data, rc_value(s).data, 4, 0, 0, "split part");
    }
    rc_var back = rc_concat(parts, 3, 1);
    tu_assert_close(rc_value(back).data, rc_value(x).data, 12, 0, 0, "round trip");
    rc_var one[1];
    rc_split(x, 0, 1, one);
    tu_assert_close(rc_value(one[0]).data, rc_value(x).data, 12, 0, 0, "split into 1");
    cr_assert_eq(rc_graph_status(g), RC_OK);
}

Test(shape_index, transpose_past_tile_edges) {
    enum { M = 37, N = 70 }; // not multiples of the 32-wide tile
    rc_var x = input_iota(RC_SHAPE(M, N), 1.0f);
    rc_var y = rc_transpose(x);
    assert_shape(y, RC_SHAPE(N, M), "transpose");
    const float *v = rc_value(y).data;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            cr_assert_float_eq(v[j * M + i], (float)(i * N + j), 0);
    static float seed[M * N];
    for (int i = 0; i < M * N; i++)
        seed[i] = (float)(i % 13);
    cr_assert_eq(rc_backward_seeded(y, seed), RC_OK);
    const float *gx = rc_grad(x).data;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            cr_assert_float_eq(gx[i * N + j], seed[j * M + i], 0);
}

// ---- embedding -------------------------------------------------------------------------------

Test(shape_index, embedding_gathers_rows_and_sums_repeated_ids) {
    enum { V = 6, D = 3 };
    rc_var table = input_iota(RC_SHAPE(V, D), 0.5f);
    const int32_t ids[2][3] = {{4, 1, 4}, {0, 4, 5}};
    rc_var y = rc_embedding(table, &ids[0][0], RC_SHAPE(2, 3));
    assert_shape(y, RC_SHAPE(2, 3, D), "embedding");
    for (int s = 0; s < 6; s++)
        for (int d = 0; d < D; d++)
            cr_assert_float_eq(rc_value(y).data[s * D + d], 0.5f * (float)((&ids[0][0])[s] * D + d),
                               0);
    float seed[6 * D], want[V * D] = {0};
    tu_fill_uniform(seed, 6 * D, -1, 1, 21);
    for (int s = 0; s < 6; s++)
        for (int d = 0; d < D; d++)
            want[(&ids[0][0])[s] * D + d] += seed[s * D + d];
    cr_assert_eq(rc_backward_seeded(y, seed), RC_OK);
    tu_assert_close(rc_grad(table).data, want, V * D, 0, 0, "dtable");
    cr_assert_float_eq(rc_grad(table).data[2 * D], 0.0f, 0, "row 2 was never picked");
}

Test(shape_index, embedding_scalar_id_gives_a_row) {
    rc_var table = input_iota(RC_SHAPE(4, 5), 1.0f);
    const int32_t id = 2;
    rc_var y = rc_embedding(table, &id, RC_SCALAR_SHAPE);
    assert_shape(y, RC_SHAPE(5), "scalar id");
    tu_assert_close(rc_value(y).data, (float[]){10, 11, 12, 13, 14}, 5, 0, 0, "row 2");
}

Test(shape_index, embedding_ids_are_copied) {
    rc_var table = input_iota(RC_SHAPE(4, 2), 1.0f);
    int32_t ids[2] = {1, 3};
    rc_var y = rc_embedding(table, ids, RC_SHAPE(2));
    ids[0] = 0; // the caller may reuse its buffer at once
    cr_assert_eq(rc_graph_replay(g), RC_OK);
    tu_assert_close(rc_value(y).data, (float[]){2, 3, 6, 7}, 4, 0, 0, "replayed values");
}

Test(shape_index, embedding_padding_idx_matches_torch) {
    rc_var table = rc_requires_grad(rc_input(g, RC_SHAPE(5, 3), EMB_TABLE));
    rc_var y = rc_embedding_pad(table, EMB_IDS, RC_SHAPE(2, 3), 3);
    tu_assert_close(rc_value(y).data, EMB_OUT, 18, 0, 0, "padding row is read as stored");
    cr_assert_eq(rc_backward_seeded(y, EMB_W), RC_OK);
    tu_assert_close(rc_grad(table).data, EMB_PAD3_GRAD, 15, 1e-6f, 1e-6f, "torch grad");
    for (int d = 0; d < 3; d++)
        cr_assert_float_eq(rc_grad(table).data[3 * 3 + d], 0.0f, 0, "padding row gets none");
}

// Embedding backward with many repeated ids: the same bits with 1 and 2 threads, and the same bits
// as a plain loop adding the ids' rows in order.
static void emb_grad(int threads, const int32_t *ids, int64_t n, const float *seed, float *out,
                     int64_t V, int64_t D) {
    rc_set_num_threads(threads);
    rc_graph_reset(g);
    rc_var table = rc_requires_grad(rc_full(g, RC_SHAPE(V, D), 0.0f));
    rc_var y = rc_embedding_pad(table, ids, RC_SHAPE(n), 7);
    cr_assert_eq(rc_backward_seeded(y, seed), RC_OK);
    memcpy(out, rc_grad(table).data, (size_t)(V * D) * sizeof(float));
}

Test(shape_index, embedding_backward_is_deterministic) {
    enum { V = 40, D = 64, N = 3000 }; // N*D well past the parallel threshold
    static int32_t ids[N];
    static float seed[N * D], one[V * D], two[V * D], ref[V * D];
    rc_rng r;
    rc_rng_seed(&r, 5);
    for (int i = 0; i < N; i++)
        ids[i] = (int32_t)(rc_rng_below(&r, 4) ? rc_rng_below(&r, 5) : rc_rng_below(&r, V));
    tu_fill_uniform(seed, N * D, -1, 1, 6);
    for (int i = 0; i < N; i++)
        for (int d = 0; d < D && ids[i] != 7; d++)
            ref[ids[i] * D + d] += seed[i * D + d];
    emb_grad(1, ids, N, seed, one, V, D);
    emb_grad(2, ids, N, seed, two, V, D);
    cr_assert(!memcmp(one, two, sizeof one), "1 and 2 threads differ");
    cr_assert(!memcmp(one, ref, sizeof one), "differs from the in-order loop");
}

Test(shape_index, embedding_marks_exactly_the_touched_rows) {
    rc_params *ps;
    rc_param *emb, *w;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    cr_assert_eq(rc_params_add(ps, "emb", RC_SHAPE(6, 2), &emb), RC_OK);
    cr_assert_eq(rc_params_add(ps, "w", RC_SHAPE(2, 2), &w), RC_OK);
    const int32_t ids[4] = {4, 1, 4, 3}; // 3 is padding
    rc_var y = rc_embedding_pad(rc_use(g, emb), ids, RC_SHAPE(4), 3);
    cr_assert_eq(rc_backward(rc_sum_all(rc_matmul(y, rc_use(g, w)))), RC_OK);
    const uint8_t *rows = rc_param_touched_rows(emb);
    cr_assert_not_null(rows, "an embedding alone gives a row-sparse gradient");
    const uint8_t want[6] = {0, 1, 0, 0, 1, 0};
    for (int r = 0; r < 6; r++)
        cr_assert_eq(rows[r], want[r], "row %d: touched %d, want %d", r, rows[r], want[r]);
    cr_assert_null(rc_param_touched_rows(w), "a matmul touches every row");
    // A dense use of the same parameter makes every row count.
    rc_graph_reset(g);
    cr_assert_eq(rc_backward(rc_sum_all(rc_mul(rc_use(g, emb), rc_use(g, emb)))), RC_OK);
    cr_assert_null(rc_param_touched_rows(emb));
    // zero_grad clears the marks; the next embedding marks only its rows.
    rc_params_zero_grad(ps);
    rc_graph_reset(g);
    cr_assert_eq(rc_backward(rc_sum_all(rc_embedding(rc_use(g, emb), ids + 3, RC_SHAPE(1)))),
                 RC_OK);
    rows = rc_param_touched_rows(emb);
    cr_assert_not_null(rows);
    for (int r = 0; r < 6; r++)
        cr_assert_eq(rows[r], r == 3, "row %d after zero_grad", r);
    rc_params_free(&ps);
}

// ---- index_select, where, masked_fill ---------------------------------------------------------

Test(shape_index, index_select_each_axis_with_repeats) {
    rc_var x = input_iota(RC_SHAPE(2, 4, 3), 1.0f);
    const int64_t dims[3] = {2, 4, 3};
    for (int axis = -3; axis < 3; axis++) {
        const int a = axis < 0 ? axis + 3 : axis;
        const int32_t last = (int32_t)dims[a] - 1;
        const int32_t pick[4] = {last, 0, last, (int32_t)dims[a] / 2}; // repeats
        rc_var y = rc_index_select(x, axis, pick, 4);
        int64_t od[3] = {dims[0], dims[1], dims[2]};
        od[a] = 4;
        assert_shape(y, RC_SHAPE(od[0], od[1], od[2]), "index_select");
        for (int64_t i = 0; i < od[0]; i++)
            for (int64_t j = 0; j < od[1]; j++)
                for (int64_t k = 0; k < od[2]; k++) {
                    int64_t s[3] = {i, j, k};
                    s[a] = pick[s[a]];
                    cr_assert_float_eq(rc_value(y).data[(i * od[1] + j) * od[2] + k],
                                       (float)((s[0] * 4 + s[1]) * 3 + s[2]), 0, "axis %d", axis);
                }
    }
    // Backward along axis 1: repeated index 3 receives both contributions.
    rc_graph_reset(g);
    x = input_iota(RC_SHAPE(2, 4, 3), 1.0f);
    const int32_t idx[4] = {3, 0, 3, 2};
    rc_var y = rc_index_select(x, 1, idx, 4);
    float seed[24], want[24] = {0};
    tu_fill_uniform(seed, 24, -1, 1, 31);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++)
            for (int k = 0; k < 3; k++)
                want[(i * 4 + idx[j]) * 3 + k] += seed[(i * 4 + j) * 3 + k];
    cr_assert_eq(rc_backward_seeded(y, seed), RC_OK);
    tu_assert_close(rc_grad(x).data, want, 24, 0, 0, "index_select grad");
}

Test(shape_index, where_broadcasts_three_ways) {
    // mask [2,1,4], a [3,1], b [3,4] -> [2,3,4]
    const float m[8] = {1, 0, 0, 1, 0, -3, 1, 0};
    rc_var mask = rc_requires_grad(rc_input(g, RC_SHAPE(2, 1, 4), m));
    rc_var a = input_iota(RC_SHAPE(3, 1), 1.0f);
    rc_var b = input_iota(RC_SHAPE(3, 4), -1.0f);
    rc_var y = rc_where(mask, a, b);
    assert_shape(y, RC_SHAPE(2, 3, 4), "where");
    float seed[24], ga[3] = {0}, gb[12] = {0};
    tu_fill_uniform(seed, 24, -1, 1, 41);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++) {
                const int o = (i * 3 + j) * 4 + k;
                const bool pick = m[i * 4 + k] != 0;
                cr_assert_float_eq(rc_value(y).data[o], pick ? (float)j : -(float)(j * 4 + k), 0);
                if (pick)
                    ga[j] += seed[o];
                else
                    gb[j * 4 + k] += seed[o];
            }
    cr_assert_eq(rc_backward_seeded(y, seed), RC_OK);
    tu_assert_close(rc_grad(a).data, ga, 3, 1e-6f, 1e-6f, "da summed over broadcast");
    tu_assert_close(rc_grad(b).data, gb, 12, 1e-6f, 1e-6f, "db summed over broadcast");
    cr_assert_null(rc_grad(mask).data, "the mask gets no gradient");
}

Test(shape_index, masked_fill_broadcast_mask) {
    rc_var x = input_iota(RC_SHAPE(2, 3), 1.0f);
    rc_var mask = rc_input(g, RC_SHAPE(3), (float[]){0, 1, 0});
    rc_var y = rc_masked_fill(x, mask, -1e9f);
    assert_shape(y, RC_SHAPE(2, 3), "masked_fill");
    tu_assert_close(rc_value(y).data, (float[]){0, -1e9f, 2, 3, -1e9f, 5}, 6, 0, 0, "values");
    // A typical use: masked positions vanish from a softmax.
    rc_var p = rc_softmax(y, -1);
    cr_assert_float_eq(rc_value(p).data[1], 0.0f, 0);
    cr_assert_eq(rc_backward_seeded(y, (float[]){1, 2, 3, 4, 5, 6}), RC_OK);
    tu_assert_close(rc_grad(x).data, (float[]){1, 0, 3, 4, 0, 6}, 6, 0, 0, "dx");
}
