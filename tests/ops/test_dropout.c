// Dropout: the mask is drawn in order from the caller's generator (so a seed reproduces it), has
// the right values and rate, carries no gradient, and rc_dropout is x * mask.
#include <math.h>
#include <string.h>

#include "test_util.h"

static rc_graph *g;
static void setup(void) {
    cr_assert_eq(rc_graph_new(&g), RC_OK);
}
static void teardown(void) {
    rc_graph_free(&g);
}
TestSuite(dropout, .init = setup, .fini = teardown);

Test(dropout, mask_is_drawn_in_order_from_the_rng) {
    enum { N = 100000 };
    const float p = 0.3f, keep = 1.0f / (1.0f - p);
    rc_rng r, ref;
    rc_rng_seed(&r, 42);
    rc_rng_seed(&ref, 42);
    rc_var m = rc_dropout_mask(g, RC_SHAPE(100, 1000), p, &r);
    cr_assert(rc_ok(m));
    rc_tensor t = rc_value(m);
    int64_t zeros = 0;
    for (int64_t i = 0; i < t.n; i++) {
        const float want = rc_rng_uniform(&ref) < (double)p ? 0.0f : keep;
        cr_assert_eq(t.data[i], want, "entry %lld: %g, want %g", (long long)i, (double)t.data[i],
                     (double)want);
        zeros += t.data[i] == 0.0f;
    }
    // 7 standard deviations of a binomial rate: a wrong p would be far outside.
    cr_assert_float_eq((double)zeros / N, p, 0.01);
    cr_assert(!memcmp(&r, &ref, sizeof r), "one draw per entry, no more");
}

Test(dropout, same_seed_same_mask_other_seed_other_mask) {
    rc_rng a, b, c;
    rc_rng_seed(&a, 7);
    rc_rng_seed(&b, 7);
    rc_rng_seed(&c, 8);
    rc_tensor ma = rc_value(rc_dropout_mask(g, RC_SHAPE(64), 0.5f, &a));
    rc_tensor mb = rc_value(rc_dropout_mask(g, RC_SHAPE(64), 0.5f, &b));
    rc_tensor mc = rc_value(rc_dropout_mask(g, RC_SHAPE(64), 0.5f, &c));
    cr_assert(!memcmp(ma.data, mb.data, 64 * sizeof(float)));
    cr_assert(memcmp(ma.data, mc.data, 64 * sizeof(float)));
}

Test(dropout, dropout_is_x_times_its_mask_and_the_mask_has_no_gradient) {
    float x[12];
    tu_fill_uniform(x, 12, -1, 1, 3);
    rc_var vx = rc_requires_grad(rc_input(g, RC_SHAPE(3, 4), x));
    rc_rng r;
    rc_rng_seed(&r, 9);
    rc_var mask;
    rc_var y = rc_dropout(vx, 0.5f, &r, &mask);
    cr_assert(rc_ok(y) && rc_ok(mask));
    const float *m = rc_value(mask).data, *v = rc_value(y).data;
    int zeros = 0;
    for (int i = 0; i < 12; i++) {
        cr_assert(m[i] == 0.0f || m[i] == 2.0f, "mask[%d] = %g", i, (double)m[i]);
        cr_assert_eq(v[i], x[i] * m[i]);
        zeros += m[i] == 0.0f;
    }
    cr_assert(zeros > 0 && zeros < 12, "a p=0.5 mask of 12 has both kinds (seeded)");
    cr_assert_eq(rc_backward(rc_sum_all(y)), RC_OK);
    tu_assert_close(rc_grad(vx).data, m, 12, 0, 0, "dx = mask");
    cr_assert_null(rc_grad(mask).data);
}

Test(dropout, mask_out_can_be_reused_across_steps) {
    rc_rng r;
    rc_rng_seed(&r, 10);
    rc_var h0 = rc_full(g, RC_SHAPE(2, 8), 1.0f), mask;
    rc_var y0 = rc_dropout(h0, 0.25f, &r, &mask);
    rc_var y1 = rc_mul(rc_full(g, RC_SHAPE(2, 8), 1.0f), mask);
    tu_assert_close(rc_value(y1).data, rc_value(y0).data, 16, 0, 0, "same mask, same result");
}

Test(dropout, p_zero_returns_x_and_draws_nothing) {
    rc_rng r, before;
    rc_rng_seed(&r, 11);
    before = r;
    rc_var x = rc_full(g, RC_SHAPE(3), 2.0f), mask;
    rc_var y = rc_dropout(x, 0.0f, &r, &mask);
    cr_assert_eq(y.idx, x.idx, "x itself");
    tu_assert_close(rc_value(mask).data, (float[]){1, 1, 1}, 3, 0, 0, "all-ones mask");
    cr_assert(!memcmp(&r, &before, sizeof r), "no draws for p = 0");
    cr_assert_eq(rc_dropout(x, 0.0f, NULL, NULL).idx, x.idx, "rng may be NULL for p = 0");
    cr_assert(rc_ok(rc_dropout_mask(g, RC_SHAPE(2), 0.0f, NULL)));
    cr_assert_eq(rc_graph_status(g), RC_OK);
}
