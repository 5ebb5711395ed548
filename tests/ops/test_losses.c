// Softmax and the losses against PyTorch (fixture made by tests/fixtures/torch_losses.py) and
// against scalar loops in double: every reduction, ignore_index, extreme logits, determinism.
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
TestSuite(losses, .init = setup, .fini = teardown);

// float32 rounding of a few operations: PyTorch and recur may round each step differently.
#define RTOL 2e-6f
#define ATOL 1e-6f

static rc_var leaf(rc_shape s, const float *data) {
    return rc_requires_grad(rc_input(g, s, data));
}

static void assert_all_finite(rc_tensor t, const char *what) {
    for (int64_t i = 0; i < t.n; i++)
        cr_assert(isfinite(t.data[i]), "%s[%lld] = %g", what, (long long)i, (double)t.data[i]);
}

// ---- softmax -----------------------------------------------------------------------------------

Test(losses, softmax_and_log_softmax_match_torch) {
    rc_var x = leaf(RC_SHAPE(2, 3, 4), SMAX_X);
    tu_assert_close(rc_value(rc_softmax(x, 1)).data, SMAX_AXIS1, 24, RTOL, ATOL, "softmax 1");
    tu_assert_close(rc_value(rc_softmax(x, -2)).data, SMAX_AXIS1, 24, RTOL, ATOL, "softmax -2");
    tu_assert_close(rc_value(rc_log_softmax(x, -1)).data, LOGSMAX_AXISM1, 24, RTOL, ATOL,
                    "log_softmax -1");
    tu_assert_close(rc_value(rc_log_softmax(x, 0)).data, LOGSMAX_AXIS0, 24, RTOL, ATOL,
                    "log_softmax 0");
}

Test(losses, softmax_against_a_scalar_loop_with_its_gradient) {
    enum { R = 3, C = 5 };
    float x[R * C], gy[R * C], want[R * C], want_gx[R * C];
    tu_fill_uniform(x, R * C, -4, 4, 1);
    tu_fill_uniform(gy, R * C, -1, 1, 2);
    for (int r = 0; r < R; r++) {
        double s = 0, gdot = 0;
        for (int c = 0; c < C; c++)
            s += exp((double)x[r * C + c]);
        for (int c = 0; c < C; c++) {
            want[r * C + c] = (float)(exp((double)x[r * C + c]) / s);
            gdot += (double)gy[r * C + c] * want[r * C + c];
        }
        for (int c = 0; c < C; c++)
            want_gx[r * C + c] = (float)(want[r * C + c] * (gy[r * C + c] - gdot));
    }
    rc_var vx = leaf(RC_SHAPE(R, C), x);
    rc_var y = rc_softmax(vx, -1);
    tu_assert_close(rc_value(y).data, want, R * C, RTOL, ATOL, "softmax");
    cr_assert_eq(rc_backward_seeded(y, gy), RC_OK);
    tu_assert_close(rc_grad(vx).data, want_gx, R * C, 1e-5f, 1e-6f, "softmax grad");
}

Test(losses, softmax_equals_exp_of_x_minus_logsumexp_keepdims_on_every_axis) {
    rc_var x = leaf(RC_SHAPE(2, 3, 4), SMAX_X);
    for (int axis = -3; axis < 3; axis++) {
        rc_var lse = rc_logsumexp(x, axis, true); // a kept axis of 1 broadcasts back over x
        rc_var want = rc_sub(x, lse);
        tu_assert_close(rc_value(rc_log_softmax(x, axis)).data, rc_value(want).data, 24, RTOL, ATOL,
                        "log_softmax");
        tu_assert_close(rc_value(rc_softmax(x, axis)).data, rc_value(rc_exp(want)).data, 24, RTOL,
                        ATOL, "softmax");
    }
}

Test(losses, softmax_extreme_logits_stay_finite) {
    const float x[6] = {80, -80, 0, -80, -80, -79};
    rc_var vx = leaf(RC_SHAPE(2, 3), x);
    rc_tensor p = rc_value(rc_softmax(vx, 1)), lp = rc_value(rc_log_softmax(vx, 1));
    assert_all_finite(p, "softmax");
    assert_all_finite(lp, "log_softmax");
    cr_assert_float_eq(p.data[0], 1.0f, 1e-7f);
    cr_assert_float_eq(lp.data[1], -160.0f, 1e-4f);
    // Second row: log_softmax = x - (-79 + log(1 + 2e^-1)).
    const double lse = -79.0 + log(1.0 + 2.0 * exp(-1.0));
    cr_assert_float_eq(lp.data[3], (float)(-80.0 - lse), 1e-5f);
    cr_assert_float_eq(lp.data[5], (float)(-79.0 - lse), 1e-5f);
}

// ---- cross_entropy and nll -----------------------------------------------------------------

Test(losses, cross_entropy_matches_torch_for_every_reduction) {
    rc_var x = leaf(RC_SHAPE(5, 4), CE_X);
    rc_var none = rc_cross_entropy(x, CE_T, RC_REDUCE_NONE, -100);
    rc_var sum = rc_cross_entropy(x, CE_T, RC_REDUCE_SUM, -100);
    rc_var mean = rc_cross_entropy(x, CE_T, RC_REDUCE_MEAN, -100);
    cr_assert(rc_shape_eq(rc_shape_of(none), RC_SHAPE(5)));
    cr_assert_eq(rc_shape_of(mean).ndim, 0);
    cr_assert_eq(rc_shape_of(sum).ndim, 0);
    tu_assert_close(rc_value(none).data, CE_NONE, 5, RTOL, ATOL, "none");
    tu_assert_close(rc_value(sum).data, CE_SUM, 1, RTOL, ATOL, "sum");
    tu_assert_close(rc_value(mean).data, CE_MEAN, 1, RTOL, ATOL, "mean over 4 kept rows");
    assert_all_finite(rc_value(none), "ce with logits of ±80");
    cr_assert_eq(rc_backward(mean), RC_OK);
    tu_assert_close(rc_grad(x).data, CE_MEAN_GRAD, 20, 1e-5f, 1e-7f, "mean grad");
}

Test(losses, cross_entropy_ignore_index_can_be_a_class) {
    rc_var x = leaf(RC_SHAPE(5, 4), CE_X);
    rc_var mean = rc_cross_entropy(x, CE_T0, RC_REDUCE_MEAN, 0);
    tu_assert_close(rc_value(mean).data, CE_IGNORE0_MEAN, 1, RTOL, ATOL, "ignore_index 0");
    rc_var none = rc_cross_entropy(x, CE_T0, RC_REDUCE_NONE, 0);
    cr_assert_float_eq(rc_value(none).data[2], 0.0f, 0);
    cr_assert_float_eq(rc_value(none).data[3], 0.0f, 0);
}

Test(losses, cross_entropy_against_a_scalar_loop) {
    enum { N = 6, C = 7 };
    float x[N * C], want[N];
    const int32_t t[N] = {0, 6, 3, 3, -1, 2}; // -1 is ignored here
    tu_fill_uniform(x, N * C, -5, 5, 9);
    double total = 0;
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int c = 0; c < C; c++)
            s += exp((double)x[i * C + c]);
        want[i] = t[i] < 0 ? 0.0f : (float)(log(s) - x[i * C + t[i]]);
        total += want[i];
    }
    rc_var vx = leaf(RC_SHAPE(N, C), x);
    tu_assert_close(rc_value(rc_cross_entropy(vx, t, RC_REDUCE_NONE, -1)).data, want, N, 1e-5f,
                    1e-6f, "none");
    cr_assert_float_eq(rc_item(rc_cross_entropy(vx, t, RC_REDUCE_MEAN, -1)), (float)(total / 5),
                       1e-5f);
    // Gradient of none seeded with w: row i gets w_i (softmax - onehot).
    float w[N], want_g[N * C];
    tu_fill_uniform(w, N, -1, 1, 10);
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int c = 0; c < C; c++)
            s += exp((double)x[i * C + c]);
        for (int c = 0; c < C; c++)
            want_g[i * C + c] =
                t[i] < 0
                    ? 0.0f
                    : (float)(w[i] * (exp((double)x[i * C + c]) / s - (c == t[i] ? 1.0 : 0.0)));
    }
    rc_graph_reset(g);
    vx = leaf(RC_SHAPE(N, C), x);
    cr_assert_eq(rc_backward_seeded(rc_cross_entropy(vx, t, RC_REDUCE_NONE, -1), w), RC_OK);
    tu_assert_close(rc_grad(vx).data, want_g, N * C, 1e-5f, 1e-6f, "none grad");
}

Test(losses, all_targets_ignored_gives_zero_and_no_gradient) {
    // Documented choice: PyTorch gives NaN for a mean over no targets; recur gives 0 with zero
    // gradient, so a batch made only of padding cannot poison the parameters.
    const int32_t t[3] = {-100, -100, -100};
    float x[6];
    tu_fill_uniform(x, 6, -2, 2, 3);
    rc_var vx = leaf(RC_SHAPE(3, 2), x);
    rc_var mean = rc_cross_entropy(vx, t, RC_REDUCE_MEAN, -100);
    cr_assert_float_eq(rc_item(mean), 0.0f, 0);
    cr_assert_float_eq(rc_item(rc_cross_entropy(vx, t, RC_REDUCE_SUM, -100)), 0.0f, 0);
    cr_assert_float_eq(rc_item(rc_nll(vx, t, RC_REDUCE_MEAN, -100)), 0.0f, 0);
    cr_assert_eq(rc_backward(mean), RC_OK);
    for (int i = 0; i < 6; i++)
        cr_assert_float_eq(rc_grad(vx).data[i], 0.0f, 0, "grad[%d]", i);
}

Test(losses, nll_matches_torch) {
    rc_var lp = leaf(RC_SHAPE(5, 4), NLL_LOGP);
    tu_assert_close(rc_value(rc_nll(lp, CE_T, RC_REDUCE_NONE, -100)).data, NLL_NONE, 5, RTOL, ATOL,
                    "none");
    tu_assert_close(rc_value(rc_nll(lp, CE_T, RC_REDUCE_SUM, -100)).data, NLL_SUM, 1, RTOL, ATOL,
                    "sum");
    rc_var mean = rc_nll(lp, CE_T, RC_REDUCE_MEAN, -100);
    tu_assert_close(rc_value(mean).data, NLL_MEAN, 1, RTOL, ATOL, "mean");
    cr_assert_eq(rc_backward(mean), RC_OK);
    float want[20] = {0};
    for (int i = 0; i < 5; i++)
        if (CE_T[i] != -100)
            want[i * 4 + CE_T[i]] = -0.25f;
    tu_assert_close(rc_grad(lp).data, want, 20, 0, 0, "nll grad");
}

Test(losses, log_softmax_then_nll_equals_cross_entropy) {
    rc_var x = leaf(RC_SHAPE(5, 4), CE_X);
    rc_var a = rc_nll(rc_log_softmax(x, 1), CE_T, RC_REDUCE_NONE, -100);
    rc_var b = rc_cross_entropy(x, CE_T, RC_REDUCE_NONE, -100);
    tu_assert_close(rc_value(a).data, rc_value(b).data, 5, RTOL, ATOL, "composed");
}

// ---- bce_with_logits and mse --------------------------------------------------------------

Test(losses, bce_with_logits_matches_torch_and_stays_finite) {
    rc_var x = leaf(RC_SHAPE(2, 3), BCE_X);
    rc_var y = rc_requires_grad(rc_input(g, RC_SHAPE(2, 3), BCE_Y));
    rc_var none = rc_bce_with_logits(x, y, RC_REDUCE_NONE);
    cr_assert(rc_shape_eq(rc_shape_of(none), RC_SHAPE(2, 3)));
    tu_assert_close(rc_value(none).data, BCE_NONE, 6, RTOL, ATOL, "none");
    tu_assert_close(rc_value(rc_bce_with_logits(x, y, RC_REDUCE_SUM)).data, BCE_SUM, 1, RTOL, ATOL,
                    "sum");
    rc_var mean = rc_bce_with_logits(x, y, RC_REDUCE_MEAN);
    tu_assert_close(rc_value(mean).data, BCE_MEAN, 1, RTOL, ATOL, "mean");
    cr_assert_eq(rc_backward(mean), RC_OK);
    tu_assert_close(rc_grad(x).data, BCE_MEAN_GRAD, 6, 1e-5f, 1e-7f, "grad");
    cr_assert_null(rc_grad(y).data, "targets get no gradient");
}

Test(losses, mse_matches_torch_with_both_gradients) {
    rc_var p = leaf(RC_SHAPE(2, 3), MSE_P), t = leaf(RC_SHAPE(2, 3), MSE_T);
    tu_assert_close(rc_value(rc_mse(p, t, RC_REDUCE_NONE)).data, MSE_NONE, 6, RTOL, ATOL, "none");
    tu_assert_close(rc_value(rc_mse(p, t, RC_REDUCE_SUM)).data, MSE_SUM, 1, RTOL, ATOL, "sum");
    rc_var mean = rc_mse(p, t, RC_REDUCE_MEAN);
    tu_assert_close(rc_value(mean).data, MSE_MEAN, 1, RTOL, ATOL, "mean");
    cr_assert_eq(rc_backward(mean), RC_OK);
    tu_assert_close(rc_grad(p).data, MSE_MEAN_GRAD_P, 6, 1e-6f, 1e-7f, "dpred");
    tu_assert_close(rc_grad(t).data, MSE_MEAN_GRAD_T, 6, 1e-6f, 1e-7f, "dtarget");
}

// A large mean is summed in fixed blocks: the same bits with 1 and 2 threads, and within float
// rounding of a double loop.
static float big_mean(int threads, const float *a, const float *b, int64_t n, bool bce) {
    rc_set_num_threads(threads);
    rc_graph_reset(g);
    rc_var x = rc_input(g, RC_SHAPE(n), a), y = rc_input(g, RC_SHAPE(n), b);
    return rc_item(bce ? rc_bce_with_logits(x, y, RC_REDUCE_MEAN) : rc_mse(x, y, RC_REDUCE_MEAN));
}

Test(losses, large_reductions_are_deterministic) {
    enum { N = 300000 };
    static float a[N], b[N];
    tu_fill_uniform(a, N, -3, 3, 12);
    tu_fill_uniform(b, N, 0, 1, 13);
    double ref = 0;
    for (int i = 0; i < N; i++)
        ref += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    ref /= N;
    for (int bce = 0; bce < 2; bce++) {
        const float one = big_mean(1, a, b, N, bce), two = big_mean(2, a, b, N, bce);
        cr_assert(!memcmp(&one, &two, sizeof one), "bce=%d: %.9g vs %.9g", bce, (double)one,
                  (double)two);
        if (!bce)
            cr_assert_float_eq(one, (float)ref, 1e-6 * ref);
    }
}
