// Initialisers: bounds and spreads from PyTorch's formulas, orthogonality and uniqueness of the
// QR behind orthogonal init, the forget-gate block, and the error paths.
#include <math.h>

#include "test_util.h"

static float buf[4096];

static void moments(const float *x, int64_t n, double *mean, double *std, double *maxabs) {
    double s = 0, s2 = 0, m = 0;
    for (int64_t i = 0; i < n; i++) {
        s += x[i];
        m = fmax(m, fabs(x[i]));
    }
    *mean = s / (double)n;
    for (int64_t i = 0; i < n; i++)
        s2 += (x[i] - *mean) * (x[i] - *mean);
    *std = sqrt(s2 / (double)n);
    *maxabs = m;
}

static rc_tensor view(rc_shape s) {
    return (rc_tensor){buf, s, rc_shape_numel(s)};
}

Test(init, constant_uniform_normal) {
    rc_rng r;
    rc_rng_seed(&r, 1);
    rc_tensor t = view(RC_SHAPE(64, 64));
    double mean, std, mx;
    cr_assert_eq(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_CONSTANT, .a = 0.25}, &r), RC_OK);
    cr_assert(buf[0] == 0.25f && buf[4095] == 0.25f);
    cr_assert_eq(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_UNIFORM, .a = -3, .b = 1}, &r),
                 RC_OK);
    moments(buf, t.n, &mean, &std, &mx);
    cr_assert(fabs(mean + 1) < 0.06 && fabs(std - 4 / sqrt(12)) < 0.03, "%g %g", mean, std);
    for (int64_t i = 0; i < t.n; i++)
        cr_assert(buf[i] >= -3 && buf[i] < 1);
    cr_assert_eq(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_NORMAL, .a = 2, .b = 0.5}, &r),
                 RC_OK);
    moments(buf, t.n, &mean, &std, &mx);
    cr_assert(fabs(mean - 2) < 0.03 && fabs(std - 0.5) < 0.02, "%g %g", mean, std);
    cr_assert_eq(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_ZEROS}, &r), RC_OK);
    cr_assert(buf[17] == 0.0f);
}

Test(init, same_seed_same_values) {
    rc_rng r1, r2;
    rc_rng_seed(&r1, 9);
    rc_rng_seed(&r2, 9);
    float a[48];
    rc_tensor t = view(RC_SHAPE(8, 6));
    rc_init o = {.kind = RC_INIT_ORTHOGONAL};
    cr_assert_eq(rc_init_tensor(t, &o, &r1), RC_OK);
    memcpy(a, buf, sizeof a);
    cr_assert_eq(rc_init_tensor(t, &o, &r2), RC_OK);
    cr_assert_eq(memcmp(a, buf, sizeof a), 0);
}

Test(init, rnn_default_bound) {
    rc_rng r;
    rc_rng_seed(&r, 2);
    rc_tensor t = view(RC_SHAPE(64, 16));
    cr_assert_eq(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_RNN_DEFAULT, .hidden = 16}, &r),
                 RC_OK);
    double mean, std, mx;
    moments(buf, t.n, &mean, &std, &mx);
    cr_assert(mx <= 0.25 && mx > 0.249, "U(-1/4, 1/4) for H = 16: max |w| %g", mx);
    cr_assert(fabs(std - 0.25 / sqrt(3)) < 0.005, "std %g", std);
}

Test(init, xavier_and_kaiming_scales) {
    rc_rng r;
    rc_rng_seed(&r, 3);
    double mean, std, mx;
    // [O=32, I=16, k=4]: fan_in 64, fan_out 128.
    rc_tensor t = view(RC_SHAPE(32, 16, 4));
    int64_t fi, fo;
    cr_assert_eq(rc_init_fans(t.shape, &fi, &fo), RC_OK);
    cr_assert(fi == 64 && fo == 128);
    rc_init xu = {.kind = RC_INIT_XAVIER_UNIFORM, .gain = 2};
    cr_assert_eq(rc_init_tensor(t, &xu, &r), RC_OK);
    moments(buf, t.n, &mean, &std, &mx);
    double c = 2 * sqrt(6.0 / 192);
    cr_assert(mx <= c && mx > 0.99 * c, "bound %g, max %g", c, mx);
    cr_assert_eq(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_XAVIER_NORMAL}, &r), RC_OK);
    moments(buf, t.n, &mean, &std, &mx);
    cr_assert(fabs(std - sqrt(2.0 / 192)) < 0.004, "std %g", std);
    // PyTorch's default: leaky_relu with slope 0 (gain sqrt 2), fan_in.
    cr_assert_eq(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_KAIMING_UNIFORM}, &r), RC_OK);
    moments(buf, t.n, &mean, &std, &mx);
    c = sqrt(3.0) * sqrt(2.0) / 8;
    cr_assert(mx <= c && mx > 0.99 * c, "bound %g, max %g", c, mx);
    rc_init kn = {
        .kind = RC_INIT_KAIMING_NORMAL, .mode = RC_FAN_OUT, .nonlinearity = RC_NONLINEARITY_TANH};
    cr_assert_eq(rc_init_tensor(t, &kn, &r), RC_OK);
    moments(buf, t.n, &mean, &std, &mx);
    cr_assert(fabs(std - (5.0 / 3) / sqrt(128.0)) < 0.006, "std %g", std);
    // Linear's default in PyTorch: kaiming_uniform with a = sqrt(5) gives U(+-1/sqrt(fan_in)).
    rc_init lin = {.kind = RC_INIT_KAIMING_UNIFORM, .neg_slope = sqrt(5.0)};
    cr_assert_eq(rc_init_tensor(t, &lin, &r), RC_OK);
    moments(buf, t.n, &mean, &std, &mx);
    cr_assert(mx <= 1 / 8.0 && mx > 0.99 / 8, "max %g", mx);
}

Test(init, gains_as_pytorch) {
    cr_assert_float_eq(rc_init_gain(RC_NONLINEARITY_TANH, 0), 5.0 / 3, 1e-12);
    cr_assert_float_eq(rc_init_gain(RC_NONLINEARITY_RELU, 0), sqrt(2.0), 1e-12);
    cr_assert_float_eq(rc_init_gain(RC_NONLINEARITY_LEAKY_RELU, 0.2), sqrt(2 / 1.04), 1e-12);
    cr_assert_float_eq(rc_init_gain(RC_NONLINEARITY_SELU, 0), 0.75, 1e-12);
    cr_assert_float_eq(rc_init_gain(RC_NONLINEARITY_SIGMOID, 0), 1.0, 1e-12);
    cr_assert_float_eq(rc_init_gain(RC_NONLINEARITY_LINEAR, 0), 1.0, 1e-12);
}

// For a tall Q [m,k] drawn from A (normals in row-major order): Q^T Q = gain^2 I, and
// R = Q^T A is upper triangular with a positive diagonal, the QR that PyTorch's orthogonal_ uses.
static void check_orthogonal(int64_t rows, int64_t cols, double gain) {
    rc_rng r, again;
    rc_rng_seed(&r, 77);
    again = r;
    rc_tensor t = view(RC_SHAPE(rows, cols));
    cr_assert_eq(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_ORTHOGONAL, .gain = gain}, &r),
                 RC_OK);
    static double A[4096];
    for (int64_t i = 0; i < rows * cols; i++)
        A[i] = rc_rng_normal(&again);
    const bool tall = rows >= cols;
    const int64_t m = tall ? rows : cols, k = tall ? cols : rows;
    // Q(i,j) and A(i,j) in the tall orientation.
#define Q(i, j) ((double)(tall ? buf[(i)*cols + (j)] : buf[(j)*cols + (i)]) / gain)
#define AT(i, j) (tall ? A[(i)*cols + (j)] : A[(j)*cols + (i)])
    for (int64_t a = 0; a < k; a++)
        for (int64_t b = 0; b < k; b++) {
            double s = 0, rab = 0;
            for (int64_t i = 0; i < m; i++) {
                s += Q(i, a) * Q(i, b);
                rab += Q(i, a) * AT(i, b);
            }
            cr_assert(fabs(s - (a == b)) < 1e-5, "[%lld,%lld] Q^TQ(%lld,%lld) = %g",
                      (long long)rows, (long long)cols, (long long)a, (long long)b, s);
            if (a > b)
                cr_assert(fabs(rab) < 1e-4, "R(%lld,%lld) = %g below the diagonal", (long long)a,
                          (long long)b, rab);
            if (a == b)
                cr_assert(rab > 0, "R(%lld,%lld) = %g must be positive", (long long)a, (long long)a,
                          rab);
        }
#undef Q
#undef AT
}

Test(init, orthogonal_tall_wide_square_with_gain) {
    check_orthogonal(12, 5, 1.0);
    check_orthogonal(5, 12, 1.0);
    check_orthogonal(9, 9, 2.5);
    check_orthogonal(40, 1, 1.0);
}

Test(init, orthogonal_flattens_trailing_dims) {
    rc_rng r;
    rc_rng_seed(&r, 5);
    rc_tensor t = view(RC_SHAPE(4, 2, 3)); // rows 4, cols 6: rows orthonormal
    cr_assert_eq(rc_init_tensor(t, &(rc_init){.kind = RC_INIT_ORTHOGONAL}, &r), RC_OK);
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++) {
            double s = 0;
            for (int i = 0; i < 6; i++)
                s += (double)buf[a * 6 + i] * buf[b * 6 + i];
            cr_assert(fabs(s - (a == b)) < 1e-5);
        }
}

Test(init, forget_bias_sets_second_block) {
    float b[12];
    for (int i = 0; i < 12; i++)
        b[i] = -1;
    cr_assert_eq(rc_init_forget_bias((rc_tensor){b, RC_SHAPE(12), 12}, 1.0f), RC_OK);
    for (int i = 0; i < 12; i++)
        cr_assert_float_eq(b[i], (i >= 3 && i < 6) ? 1.0f : -1.0f, 0, "entry %d", i);
    cr_assert_eq(rc_init_forget_bias((rc_tensor){b, RC_SHAPE(10), 10}, 1.0f), RC_ERR_SHAPE);
    cr_assert_eq(rc_init_forget_bias((rc_tensor){b, RC_SHAPE(3, 4), 12}, 1.0f), RC_ERR_SHAPE);
}

Test(init, param_and_errors) {
    rc_params *ps;
    rc_param *w, *b;
    rc_rng r;
    rc_rng_seed(&r, 4);
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    cr_assert_eq(rc_params_add(ps, "w", RC_SHAPE(3, 4), &w), RC_OK);
    cr_assert_eq(rc_params_add(ps, "b", RC_SHAPE(3), &b), RC_OK);
    cr_assert_eq(rc_init_param(w, &(rc_init){.kind = RC_INIT_XAVIER_UNIFORM}, &r), RC_OK);
    cr_assert(rc_param_value(w).data[0] != 0);
    const rc_init_kind need_fans[] = {RC_INIT_XAVIER_UNIFORM, RC_INIT_XAVIER_NORMAL,
                                      RC_INIT_KAIMING_UNIFORM, RC_INIT_KAIMING_NORMAL,
                                      RC_INIT_ORTHOGONAL};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(rc_init_param(b, &(rc_init){.kind = need_fans[i]}, &r), RC_ERR_SHAPE,
                     "kind %d on a 1-D bias", (int)need_fans[i]);
    cr_assert_float_eq(rc_param_value(b).data[0], 0.0f, 0, "unchanged on error");
    cr_assert_eq(rc_init_param(b, &(rc_init){.kind = RC_INIT_UNIFORM, .a = 1, .b = 0}, &r),
                 RC_ERR_ARG);
    cr_assert_eq(rc_init_param(b, &(rc_init){.kind = RC_INIT_NORMAL, .b = -1}, &r), RC_ERR_ARG);
    cr_assert_eq(rc_init_param(b, &(rc_init){.kind = RC_INIT_RNN_DEFAULT}, &r), RC_ERR_ARG);
    cr_assert_eq(rc_init_param(b, &(rc_init){.kind = RC_INIT_CONSTANT, .a = NAN}, &r), RC_ERR_ARG);
    cr_assert_eq(rc_init_param(b, &(rc_init){.kind = (rc_init_kind)99}, &r), RC_ERR_ARG);
    cr_assert_eq(
        rc_init_param(w, &(rc_init){.kind = RC_INIT_KAIMING_UNIFORM, .mode = (rc_fan_mode)7}, &r),
        RC_ERR_ARG);
    cr_assert_eq(rc_init_param(b, NULL, &r), RC_ERR_ARG);
    cr_assert_eq(rc_init_param(b, &(rc_init){.kind = RC_INIT_ZEROS}, NULL), RC_ERR_ARG);
    cr_assert_eq(rc_init_fans(RC_SHAPE(5), NULL, NULL), RC_ERR_SHAPE);
    rc_params_free(&ps);
}
