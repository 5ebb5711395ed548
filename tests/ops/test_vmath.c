// The vectorised exp, tanh and sigmoid (ops/cpu/vmath.h) against libm: over a dense sweep of
// float bit patterns (every sign and exponent, subnormals, infinities, NaNs), each result is within
// 1 ulp of the correctly rounded value (libm's double functions, rounded once) and within 2 ulp of
// libm's float functions; the extremes behave like libm's; the tail of an array and in-place
// calls give the same bits as the main loop; the unary ops run these kernels.
#include <float.h>
#include <math.h>
#include <string.h>

#include "../../ops/cpu/vmath.h"
#include "test_util.h"

typedef void (*vfn)(const float *x, float *y, int64_t n);

// Floats as integers in their order on the number line, so ulp distance is a difference.
static int64_t ordered(float f) {
    int32_t i;
    memcpy(&i, &f, sizeof i);
    return i < 0 ? (int64_t)INT32_MIN - i : i;
}

static int64_t ulp_diff(float a, float b) {
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) ? 0 : INT64_MAX;
    const int64_t d = ordered(a) - ordered(b);
    return d < 0 ? -d : d;
}

static float sigmoid_d(float x) {
    return (float)(1.0 / (1.0 + exp(-(double)x)));
}

static float sigmoid_f(float x) { // what the sigmoid op computed before the kernels, with libm
    if (x >= 0)
        return 1.0f / (1.0f + expf(-x));
    const float e = expf(x);
    return e / (1.0f + e);
}

typedef struct fn_case {
    const char *name;
    vfn kernel;
    float (*exact)(float); // correctly rounded (up to double rounding, far below an ulp)
    float (*libm)(float);
} fn_case;

static float exp_d(float x) {
    return (float)exp((double)x);
}
static float tanh_d(float x) {
    return (float)tanh((double)x);
}
static float exp_f(float x) {
    return expf(x);
}
static float tanh_f(float x) {
    return tanhf(x);
}

static const fn_case fns[] = {
    {"exp", rc_vexp, exp_d, exp_f},
    {"tanh", rc_vtanh, tanh_d, tanh_f},
    {"sigmoid", rc_vsigmoid, sigmoid_d, sigmoid_f},
};

// Every 2003rd bit pattern (2.1 million floats of both signs, all exponents), then the values
// where the functions change regime.
static float *sweep_inputs(int64_t *n) {
    static const float extra[] = {0.0f,
                                  -0.0f,
                                  INFINITY,
                                  -INFINITY,
                                  NAN,
                                  FLT_MAX,
                                  -FLT_MAX,
                                  FLT_MIN,
                                  -FLT_MIN,
                                  1e-45f,
                                  -1e-45f,
                                  88.72283f,
                                  88.72284f,
                                  88.7229f,
                                  -87.33654f,
                                  -103.9720f,
                                  -103.9721f,
                                  -104.0f,
                                  150.0f,
                                  -150.0f,
                                  151.0f,
                                  -151.0f,
                                  20.0f,
                                  -20.0f,
                                  9.01f,
                                  -9.01f,
                                  0x1p-12f,
                                  -0x1p-12f,
                                  0x1.fffffep-13f,
                                  0x1.000002p-12f,
                                  0.5f,
                                  -0.5f,
                                  1.0f,
                                  -1.0f};
    const int64_t n_extra = (int64_t)(sizeof extra / sizeof extra[0]);
    const uint64_t stride = 2003;
    const int64_t n_sweep = (int64_t)(((uint64_t)1 << 32) / stride) + 1;
    float *x = malloc(sizeof(float) * (size_t)(n_sweep + n_extra));
    cr_assert_not_null(x);
    int64_t k = 0;
    for (uint64_t b = 0; b < ((uint64_t)1 << 32); b += stride) {
        const uint32_t u = (uint32_t)b;
        memcpy(&x[k++], &u, sizeof u);
    }
    memcpy(x + k, extra, sizeof extra);
    *n = k + n_extra;
    return x;
}

Test(vmath, dense_sweep_within_1_ulp_of_exact_and_2_of_libm) {
    int64_t n;
    float *x = sweep_inputs(&n), *y = malloc(sizeof(float) * (size_t)n);
    cr_assert_not_null(y);
    for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
        fns[f].kernel(x, y, n);
        int64_t inexact = 0, worst_exact = 0, worst_libm = 0;
        for (int64_t i = 0; i < n; i++) {
            const int64_t de = ulp_diff(y[i], fns[f].exact(x[i]));
            const int64_t dl = ulp_diff(y[i], fns[f].libm(x[i]));
            inexact += de != 0;
            worst_exact = de > worst_exact ? de : worst_exact;
            worst_libm = dl > worst_libm ? dl : worst_libm;
            cr_assert_leq(de, 1, "%s(%a) = %a, correctly rounded %a", fns[f].name, (double)x[i],
                          (double)y[i], (double)fns[f].exact(x[i]));
            cr_assert_leq(dl, 2, "%s(%a) = %a, libm %a", fns[f].name, (double)x[i], (double)y[i],
                          (double)fns[f].libm(x[i]));
        }
        // Rounding a value good to 1e-14 is wrong only next to a midpoint: next to never.
        cr_assert_leq(inexact, n / 100000, "%s: %lld of %lld results not correctly rounded",
                      fns[f].name, (long long)inexact, (long long)n);
        cr_log_info("vmath %s: %lld inputs, %lld not correctly rounded, max %lld ulp from libm",
                    fns[f].name, (long long)n, (long long)inexact, (long long)worst_libm);
    }
    free(x), free(y);
}

Test(vmath, special_values) {
    const float in[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 89.0f, -104.0f, -1e-30f, 1e-30f};
    float e[9], t[9], s[9];
    rc_vexp(in, e, 9);
    rc_vtanh(in, t, 9);
    rc_vsigmoid(in, s, 9);
    cr_assert(isnan(e[0]) && isnan(t[0]) && isnan(s[0]), "NaN must give NaN");
    cr_assert(e[1] == INFINITY && e[2] == 0.0f && e[3] == 1.0f && e[4] == 1.0f);
    cr_assert(e[5] == INFINITY, "exp(89) overflows, got %a", (double)e[5]);
    cr_assert(e[6] == 0.0f, "exp(-104) underflows to 0, got %a", (double)e[6]);
    cr_assert(t[1] == 1.0f && t[2] == -1.0f && t[5] == 1.0f && t[6] == -1.0f);
    cr_assert(t[3] == 0.0f && !signbit(t[3]) && t[4] == 0.0f && signbit(t[4]), "tanh(±0) = ±0");
    cr_assert(t[7] == -1e-30f && t[8] == 1e-30f, "tanh(x) = x for tiny x");
    cr_assert(s[1] == 1.0f && s[2] == 0.0f && s[3] == 0.5f && s[4] == 0.5f);
    cr_assert(s[5] == 1.0f && s[6] == 0.0f, "sigmoid(-104) = 6.8e-46 rounds to 0, got %a",
              (double)s[6]);
    // The largest finite exp and the smallest subnormal one.
    const float edge[] = {88.72283f, -103.97207f};
    float ye[2];
    rc_vexp(edge, ye, 2);
    cr_assert(isfinite(ye[0]) && ye[0] == exp_d(edge[0]));
    cr_assert(ye[1] == exp_d(edge[1]) && ye[1] > 0.0f, "exp(%a) = %a", (double)edge[1],
              (double)ye[1]);
    const float minus100 = -100.0f;
    float s100;
    rc_vsigmoid(&minus100, &s100, 1);
    cr_assert(s100 > 0.0f && s100 < FLT_MIN && s100 == sigmoid_d(minus100),
              "sigmoid(-100) is the subnormal %a, got %a", (double)sigmoid_d(minus100),
              (double)s100);
}

// Every length from 0 to 40 (tails of 0-7 elements after full groups), and in place.
Test(vmath, tails_and_in_place_match_the_main_loop) {
    float x[48], full[48], part[48];
    tu_fill_uniform(x, 48, -6, 6, 3);
    for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
        fns[f].kernel(x, full, 48);
        for (int64_t n = 0; n <= 40; n++) {
            memset(part, 0x7f, sizeof part);
            fns[f].kernel(x + 8 - n % 8, part, n); // unaligned starts too
            for (int64_t i = 0; i < n; i++)
                cr_assert_eq(ulp_diff(part[i], full[8 - n % 8 + i]), 0, "%s n=%lld i=%lld",
                             fns[f].name, (long long)n, (long long)i);
            cr_assert_eq(ordered(part[n]), ordered(part[47]), "%s wrote past n=%lld", fns[f].name,
                         (long long)n);
        }
        float inplace[48];
        memcpy(inplace, x, sizeof x);
        fns[f].kernel(inplace, inplace, 48);
        cr_assert_arr_eq(inplace, full, sizeof full, "%s in place", fns[f].name);
    }
}

// The unary ops exp, tanh and sigmoid run the kernels, with one thread or two.
Test(vmath, unary_ops_run_the_kernels) {
    const int64_t n = 70001; // above the parallel threshold, not a multiple of 8
    float *x = malloc(sizeof(float) * (size_t)n), *want = malloc(sizeof(float) * (size_t)n);
    cr_assert(x && want);
    tu_fill_uniform(x, n, -12, 12, 5);
    rc_var (*const ops[])(rc_var) = {rc_exp, rc_tanh, rc_sigmoid};
    for (int threads = 1; threads <= 2; threads++) {
        rc_set_num_threads(threads);
        for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
            rc_graph *g;
            cr_assert_eq(rc_graph_new(&g), RC_OK);
            rc_var y = ops[f](rc_input(g, RC_SHAPE(n), x));
            fns[f].kernel(x, want, n);
            cr_assert_arr_eq(rc_value(y).data, want, sizeof(float) * (size_t)n, "%s, %d threads",
                             fns[f].name, threads);
            rc_graph_free(&g);
        }
    }
    rc_set_num_threads(1);
    free(x), free(want);
}
