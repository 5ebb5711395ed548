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
