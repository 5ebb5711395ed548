// rowdot against its composed form sum(mul(a[N,1,D], b[N,K,D]), -1): values and gradients.
#include "test_util.h"

Test(ops_fwd, rowdot_equals_mul_sum) {
    enum { N = 5, K = 7, D = 19 };
    float a[N * D], b[N * K * D], w[N * K];
    tu_fill_uniform(a, N * D, -1, 1, 1);
    tu_fill_uniform(b, N * K * D, -1, 1, 2);
    tu_fill_uniform(w, N * K, -1, 1, 3);
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_var va = rc_requires_grad(rc_input(g, RC_SHAPE(N, D), a));
    rc_var vb = rc_requires_grad(rc_input(g, RC_SHAPE(N, K, D), b));
    rc_var ca = rc_requires_grad(rc_input(g, RC_SHAPE(N, 1, D), a));
    rc_var cb = rc_requires_grad(rc_input(g, RC_SHAPE(N, K, D), b));
    rc_var weights = rc_input(g, RC_SHAPE(N, K), w);
    rc_var fused = rc_rowdot(va, vb);
    rc_var composed = rc_sum(rc_mul(ca, cb), -1, false);
    cr_assert(rc_shape_eq(rc_shape_of(fused), RC_SHAPE(N, K)));
    tu_assert_close(rc_value(fused).data, rc_value(composed).data, N * K, 1e-5f, 1e-6f, "y");
    // One loss over both, weighted so every output has its own gradient.
    rc_var loss = rc_add(rc_sum_all(rc_mul(fused, weights)), rc_sum_all(rc_mul(composed, weights)));
    cr_assert_eq(rc_backward(loss), RC_OK, "%s", rc_graph_errmsg(g));
    tu_assert_close(rc_grad(va).data, rc_grad(ca).data, N * D, 1e-5f, 1e-6f, "da");
    tu_assert_close(rc_grad(vb).data, rc_grad(cb).data, N * K * D, 1e-5f, 1e-6f, "db");
    rc_graph_free(&g);
}

Test(errors, rowdot_shapes) {
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_var a = rc_full(g, RC_SHAPE(4, 8), 1), b = rc_full(g, RC_SHAPE(4, 3, 9), 1);
    cr_assert_not(rc_ok(rc_rowdot(a, b)));
    cr_assert_str_eq(rc_graph_errmsg(g),
                     "rowdot (node 2): a [4,8] and b [4,3,9]: N and D must agree ([N,D] and "
                     "[N,K,D])");
    rc_graph_reset(g);
    a = rc_full(g, RC_SHAPE(4, 8), 1);
    cr_assert_not(rc_ok(rc_rowdot(a, a)));
    cr_assert_str_eq(rc_graph_errmsg(g),
                     "rowdot (node 1): a [4,8] and b [4,8] must be [N,D] and [N,K,D]");
    rc_graph_free(&g);
}

// embedding_rowdot against scalar loops: values, gradients into table rows (repeats add up) and
// h, and only the rows read are marked touched.
Test(ops_fwd, embedding_rowdot_equals_gathered_rowdot) {
    enum { V = 6, N = 3, K = 4, D = 13 };
    const int32_t ids[N * K] = {5, 0, 5, 2, 1, 1, 0, 5, 2, 0, 0, 1};
    rc_params *ps;
    rc_param *tp;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    cr_assert_eq(rc_params_add(ps, "table", RC_SHAPE(V, D), &tp), RC_OK);
    float *t = rc_param_value(tp).data, h[N * D], w[N * K];
    tu_fill_uniform(t, V * D, -1, 1, 4);
    tu_fill_uniform(h, N * D, -1, 1, 5);
    tu_fill_uniform(w, N * K, -1, 1, 6);
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_var vh = rc_requires_grad(rc_input(g, RC_SHAPE(N, D), h));
    rc_var y = rc_embedding_rowdot(rc_use(g, tp), ids, N, K, vh);
    cr_assert(rc_ok(y), "%s", rc_graph_errmsg(g));
    float want[N * K], gt[V * D] = {0}, gh[N * D] = {0};
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++) {
            double s = 0;
            const float *row = t + ids[n * K + k] * D;
            for (int d = 0; d < D; d++) {
                s += (double)h[n * D + d] * row[d];
                gt[ids[n * K + k] * D + d] += w[n * K + k] * h[n * D + d];
                gh[n * D + d] += w[n * K + k] * row[d];
            }
            want[n * K + k] = (float)s;
        }
    tu_assert_close(rc_value(y).data, want, N * K, 1e-5f, 1e-6f, "y");
    cr_assert_eq(rc_backward(rc_sum_all(rc_mul(y, rc_input(g, RC_SHAPE(N, K), w)))), RC_OK);
    tu_assert_close(rc_param_grad(tp).data, gt, V * D, 1e-5f, 1e-6f, "dtable");
    tu_assert_close(rc_grad(vh).data, gh, N * D, 1e-5f, 1e-6f, "dh");
    const uint8_t *touched = rc_param_touched_rows(tp);
    cr_assert_not_null(touched);
    const uint8_t want_touched[V] = {1, 1, 1, 0, 0, 1};
    for (int r = 0; r < V; r++)
        cr_assert_eq(touched[r], want_touched[r], "row %d", r);
    rc_graph_reset(g);
    const int32_t bad[2] = {0, 6};
    rc_var vh2 = rc_input(g, RC_SHAPE(1, D), h);
    cr_assert_not(rc_ok(rc_embedding_rowdot(rc_use(g, tp), bad, 1, 2, vh2)));
    cr_assert_str_eq(rc_graph_errmsg(g), "embedding_rowdot (node 2): id 6 at position 1 is out "
                                         "of range [0, V) for table [6,13]");
    rc_graph_free(&g);
    rc_params_free(&ps);
}

// embedding_bag against scalar sums: values, gradients (repeats add up), touched rows, errors.
Test(ops_fwd, embedding_bag_sums_rows) {
    enum { V = 5, D = 11 };
    const int32_t ids[6] = {4, 1, 4, 0, 1, 1};
    const int64_t offsets[4] = {0, 3, 3, 6}; // bag 1 empty
    rc_params *ps;
    rc_param *tp;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    cr_assert_eq(rc_params_add(ps, "table", RC_SHAPE(V, D), &tp), RC_OK);
    float *t = rc_param_value(tp).data, w[3 * D];
    tu_fill_uniform(t, V * D, -1, 1, 7);
    tu_fill_uniform(w, 3 * D, -1, 1, 8);
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_var y = rc_embedding_bag(rc_use(g, tp), ids, offsets, 3);
    cr_assert(rc_ok(y), "%s", rc_graph_errmsg(g));
    float want[3 * D] = {0}, gt[V * D] = {0};
    for (int b = 0; b < 3; b++)
        for (int64_t i = offsets[b]; i < offsets[b + 1]; i++)
            for (int d = 0; d < D; d++) {
                want[b * D + d] += t[ids[i] * D + d];
                gt[ids[i] * D + d] += w[b * D + d];
            }
    tu_assert_close(rc_value(y).data, want, 3 * D, 1e-6f, 1e-6f, "y");
    cr_assert_eq(rc_backward(rc_sum_all(rc_mul(y, rc_input(g, RC_SHAPE(3, D), w)))), RC_OK);
    tu_assert_close(rc_param_grad(tp).data, gt, V * D, 1e-6f, 1e-6f, "dtable");
    const uint8_t *touched = rc_param_touched_rows(tp);
    const uint8_t want_touched[V] = {1, 1, 0, 0, 1};
    for (int r = 0; r < V; r++)
        cr_assert_eq(touched[r], want_touched[r], "row %d", r);
    rc_graph_reset(g);
    const int64_t bad_off[3] = {0, 2, 1};
    cr_assert_not(rc_ok(rc_embedding_bag(rc_use(g, tp), ids, bad_off, 2)));
    cr_assert_str_eq(rc_graph_errmsg(g), "embedding_bag (node 1): offsets decrease at bag 1");
    rc_graph_reset(g);
    const int32_t bad_ids[2] = {0, 5};
    const int64_t off2[2] = {0, 2};
    cr_assert_not(rc_ok(rc_embedding_bag(rc_use(g, tp), bad_ids, off2, 1)));
    cr_assert_str_eq(rc_graph_errmsg(g), "embedding_bag (node 1): id 5 at position 1 is out of "
                                         "range [0, V) for table [5,11]");
    rc_graph_free(&g);
    rc_params_free(&ps);
}
