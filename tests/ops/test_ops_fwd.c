// Forward values of the elementwise and matrix ops against scalar loops.
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

static rc_graph *g;
static void setup(void) {
    cr_assert_eq(rc_graph_new(&g), RC_OK);
}
static void teardown(void) {
    rc_graph_free(&g);
}
TestSuite(ops_fwd, .init = setup, .fini = teardown);

static float ref_sigmoid(float x) {
    return 1.0f / (1.0f + expf(-x));
}

Test(ops_fwd, unary_values) {
    const float x[6] = {-3.5f, -1.0f, -0.25f, 0.5f, 2.0f, 40.0f};
    rc_var v = rc_input(g, RC_SHAPE(2, 3), x);
    struct {
        rc_var y;
        float (*f)(float);
        const char *name;
    } cases[] = {
        {rc_tanh(v), tanhf, "tanh"},
        {rc_sigmoid(v), ref_sigmoid, "sigmoid"},
        {rc_exp(v), expf, "exp"},
        {rc_abs(v), fabsf, "abs"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        float want[6];
        for (int i = 0; i < 6; i++)
            want[i] = cases[c].f(x[i]);
        tu_assert_close(rc_value(cases[c].y).data, want, 6, 1e-6f, 1e-7f, cases[c].name);
    }
    // Stable forms stay finite where the naive formula overflows.
    rc_tensor sp = rc_value(rc_softplus(v)), ls = rc_value(rc_log_sigmoid(v));
    cr_assert_float_eq(sp.data[5], 40.0f, 1e-5f);
    cr_assert_float_eq(ls.data[0], -(3.5f + log1pf(expf(-3.5f))), 1e-5f);
    cr_assert_float_eq(rc_value(rc_hard_sigmoid(v)).data[0], 0.0f, 0);
    cr_assert_float_eq(rc_value(rc_hard_sigmoid(v)).data[3], 0.5f / 6 + 0.5f, 1e-7f);
    cr_assert_float_eq(rc_value(rc_softsign(v)).data[4], 2.0f / 3.0f, 1e-7f);
    cr_assert_float_eq(rc_value(rc_affine(v, 2, 1)).data[1], -1.0f, 0);
    cr_assert_float_eq(rc_value(rc_pow(rc_abs(v), 3)).data[4], 8.0f, 1e-6f);
    cr_assert_eq(rc_graph_status(g), RC_OK);
}

Test(ops_fwd, broadcast_binary) {
    float a[2 * 3 * 4], b[3], want[24];
    tu_fill_uniform(a, 24, -1, 1, 1);
    tu_fill_uniform(b, 3, -1, 1, 2);
    rc_var va = rc_input(g, RC_SHAPE(2, 3, 4), a);
    rc_var vb = rc_input(g, RC_SHAPE(3, 1), b);
    rc_var y = rc_mul(va, vb);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++)
                want[(i * 3 + j) * 4 + k] = a[(i * 3 + j) * 4 + k] * b[j];
    cr_assert(rc_shape_eq(rc_shape_of(y), RC_SHAPE(2, 3, 4)));
    tu_assert_close(rc_value(y).data, want, 24, 0, 0, "mul");
    // Both sides broadcast: [3,1] - [4] -> [3,4].
    float r[4] = {1, 2, 3, 4};
    rc_var d = rc_sub(vb, rc_input(g, RC_SHAPE(4), r));
    cr_assert(rc_shape_eq(rc_shape_of(d), RC_SHAPE(3, 4)));
    cr_assert_float_eq(rc_value(d).data[1 * 4 + 2], b[1] - 3.0f, 0);
}

Test(ops_fwd, broadcast_gradient_sums) {
    // d/db of sum(a * b) with b [4] broadcast over [3,4] is the column sums of a.
    float a[12], ones[12], want[4] = {0};
    tu_fill_uniform(a, 12, -1, 1, 3);
    for (int i = 0; i < 12; i++) {
        ones[i] = 1;
        want[i % 4] += a[i];
    }
    rc_var va = rc_input(g, RC_SHAPE(3, 4), a);
    rc_var vb = rc_requires_grad(rc_full(g, RC_SHAPE(4), 2.0f));
    cr_assert_eq(rc_backward_seeded(rc_mul(va, vb), ones), RC_OK);
    tu_assert_close(rc_grad(vb).data, want, 4, 1e-6f, 1e-6f, "db");
    cr_assert_null(rc_grad(va).data, "a needs no gradient");
}

Test(ops_fwd, matmul_and_linear) {
    enum { M = 5, K = 7, N = 3 };
    float a[M * K], b[K * N], w[N * K], bias[N], want[M * N];
    tu_fill_uniform(a, M * K, -1, 1, 4);
    tu_fill_uniform(b, K * N, -1, 1, 5);
    tu_fill_uniform(bias, N, -1, 1, 6);
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++)
            w[n * K + k] = b[k * N + n];
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++)
                s += (double)a[i * K + k] * b[k * N + j];
            want[i * N + j] = (float)s;
        }
    rc_var va = rc_input(g, RC_SHAPE(M, K), a);
    tu_assert_close(rc_value(rc_matmul(va, rc_input(g, RC_SHAPE(K, N), b))).data, want, M * N,
                    1e-5f, 1e-6f, "matmul");
    rc_var vw = rc_input(g, RC_SHAPE(N, K), w);
    tu_assert_close(rc_value(rc_matmul_nt(va, vw)).data, want, M * N, 1e-5f, 1e-6f, "matmul_nt");
    for (int i = 0; i < M * N; i++)
        want[i] += bias[i % N];
    rc_var y = rc_linear(va, vw, rc_input(g, RC_SHAPE(N), bias));
    tu_assert_close(rc_value(y).data, want, M * N, 1e-5f, 1e-6f, "linear");
    cr_assert(rc_shape_eq(rc_shape_of(rc_linear(va, vw, RC_NONE)), RC_SHAPE(M, N)));
}

Test(ops_fwd, reductions_along_axes_and_all) {
    float x[24];
    tu_fill_uniform(x, 24, -2, 2, 8);
    rc_var v = rc_input(g, RC_SHAPE(2, 3, 4), x);
    rc_tensor s = rc_value(rc_sum(v, -1, false)), m = rc_value(rc_max(v, 1, true));
    rc_tensor lse = rc_value(rc_logsumexp(v, 0, false));
    cr_assert(rc_shape_eq(s.shape, RC_SHAPE(2, 3)) && rc_shape_eq(m.shape, RC_SHAPE(2, 1, 4)));
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++) {
            float want = 0;
            for (int c = 0; c < 4; c++)
                want += x[(a * 3 + b) * 4 + c];
            cr_assert_float_eq(s.data[a * 3 + b], want, 1e-6f);
        }
    for (int a = 0; a < 2; a++)
        for (int c = 0; c < 4; c++) {
            float want = x[a * 12 + c];
            for (int b = 1; b < 3; b++)
                want = fmaxf(want, x[(a * 3 + b) * 4 + c]);
            cr_assert_float_eq(m.data[a * 4 + c], want, 0);
        }
    for (int i = 0; i < 12; i++)
        cr_assert_float_eq(lse.data[i], logf(expf(x[i]) + expf(x[12 + i])), 1e-6f);
    double total = 0, sq = 0;
    for (int i = 0; i < 24; i++)
        total += x[i], sq += (double)x[i] * x[i];
    cr_assert_float_eq(rc_item(rc_sum_all(v)), (float)total, 1e-5f);
    cr_assert_float_eq(rc_item(rc_mean_all(v)), (float)(total / 24), 1e-6f);
    cr_assert_float_eq(rc_item(rc_l2norm_all(v)), (float)sqrt(sq), 1e-5f);
    cr_assert_not(rc_ok(rc_sum(v, 3, false)));
    cr_assert(strstr(rc_graph_errmsg(g), "axis 3 is out of range for x [2,3,4]"), "%s",
              rc_graph_errmsg(g));
}

Test(ops_fwd, whole_tensor_reductions_gradcheck) {
    // The registry checks reductions along an axis; this covers the "all" forms.
    float x[40];
    tu_fill_uniform(x, 40, -2, 2, 9);
    rc_var v = rc_requires_grad(rc_input(g, RC_SHAPE(5, 8), x));
    rc_var loss =
        rc_add(rc_add(rc_sum_all(rc_square(v)), rc_mean_all(rc_exp(v))), rc_l2norm_all(v));
    rc_gradcheck_report rep;
    rc_gradcheck_opts o = rc_gradcheck_defaults();
    o.eps = 1e-3f;
    cr_assert_eq(rc_gradcheck_loss(loss, &o, &rep), RC_OK, "%s", rep.worst);
    cr_assert_eq(rep.checked, 40);
    cr_assert_eq(rep.failed, 0, "%s", rep.worst);
}

Test(ops_fwd, large_sum_is_thread_count_independent) {
    enum { N = 300000 };
    float *x = malloc(N * sizeof(float));
    tu_fill_uniform(x, N, -1, 1, 10);
    rc_var v = rc_input(g, RC_SHAPE(N), x);
    int before = rc_get_num_threads();
    rc_set_num_threads(1);
    float one = rc_item(rc_sum_all(v));
    rc_set_num_threads(2);
    float two = rc_item(rc_sum_all(v));
    rc_set_num_threads(before);
    cr_assert_eq(memcmp(&one, &two, sizeof one), 0, "%.9g vs %.9g", (double)one, (double)two);
    free(x);
}
