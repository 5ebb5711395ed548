// Regression tests for the faults of issue 11: each one crashed, overflowed or lost data before
// its fix. Sizes: a shape whose byte size overflows is an error at every entry point.
#include "test_util.h"

static rc_graph *g;
static void setup(void) {
    cr_assert_eq(rc_graph_new(&g), RC_OK);
}
static void teardown(void) {
    rc_graph_free(&g);
}
TestSuite(faults, .init = setup, .fini = teardown);

#define BIG ((int64_t)1 << 31)

static void assert_shape_error(rc_var v, const char *who) {
    cr_assert_not(rc_ok(v));
    cr_assert_eq(rc_graph_status(g), RC_ERR_SHAPE);
    const char *msg = rc_graph_errmsg(g);
    cr_assert(strstr(msg, who) && strstr(msg, "[2147483648,2147483648]"), "%s", msg);
}

Test(faults, shape_numel_overflow_is_minus_one) {
    cr_assert_eq(rc_shape_numel(RC_SHAPE(BIG, BIG)), (int64_t)1 << 62);
    cr_assert_eq(rc_shape_numel(RC_SHAPE(BIG * 2, BIG * 2)), -1);
    cr_assert_eq(rc_shape_numel(RC_SHAPE(BIG * 2, BIG * 2, 3, 5)), -1);
    cr_assert_eq(rc_shape_numel(RC_SCALAR_SHAPE), 1);
}

Test(faults, input_rejects_byte_size_overflow) {
    assert_shape_error(rc_input(g, RC_SHAPE(BIG, BIG), NULL), "rc_input");
}

Test(faults, full_rejects_byte_size_overflow) {
    assert_shape_error(rc_full(g, RC_SHAPE(BIG, BIG), 1.0f), "rc_full");
}

Test(faults, full_rejects_numel_overflow) {
    rc_var v = rc_full(g, RC_SHAPE(BIG * 2, BIG * 2), 1.0f);
    cr_assert_not(rc_ok(v));
    cr_assert_eq(rc_graph_status(g), RC_ERR_SHAPE);
}

Test(faults, dropout_mask_rejects_byte_size_overflow) {
    assert_shape_error(rc_dropout_mask(g, RC_SHAPE(BIG, BIG), 0.0f, NULL), "dropout_mask");
}

Test(faults, op_output_too_large_is_a_shape_error) {
    // [2^21,1] + [1,2^21] broadcasts to 2^42 entries: refused before any allocation.
    rc_var a = rc_input(g, RC_SHAPE((int64_t)1 << 21, 1), NULL);
    rc_var b = rc_input(g, RC_SHAPE(1, (int64_t)1 << 21), NULL);
    rc_var y = rc_add(a, b);
    cr_assert_not(rc_ok(y));
    cr_assert_eq(rc_graph_status(g), RC_ERR_SHAPE);
    cr_assert(strstr(rc_graph_errmsg(g), "add") && strstr(rc_graph_errmsg(g), "[2097152,2097152]"),
              "%s", rc_graph_errmsg(g));
}

Test(faults, params_add_rejects_byte_size_overflow) {
    rc_params *ps = NULL;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    rc_param *p = (rc_param *)&p;
    cr_assert_eq(rc_params_add(ps, "w", RC_SHAPE(BIG, BIG), &p), RC_ERR_RANGE);
    cr_assert_null(p);
    cr_assert_eq(rc_params_add(ps, "w", RC_SHAPE(BIG * 2, BIG * 2), NULL), RC_ERR_RANGE);
    cr_assert_eq(rc_params_count(ps), 0);
    rc_params_free(&ps);
}

Test(faults, linear_init_rejects_byte_size_overflow) {
    rc_params *ps = NULL;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_linear_layer l;
    cr_assert_eq(rc_linear_layer_init(&l, ps, "fc", BIG, BIG, true, &rng), RC_ERR_RANGE);
    cr_assert_eq(rc_params_count(ps), 0);
    rc_params_free(&ps);
}

// ---- user mistakes set the sticky error or return an error instead of aborting ----------------

Test(faults, none_as_first_input_poisons_without_abort) {
    rc_var y = rc_tanh(RC_NONE);
    cr_assert_not(rc_ok(y));
    rc_var zeroed = {0};
    cr_assert_not(rc_ok(rc_exp(zeroed)));
    cr_assert_eq(rc_backward(rc_tanh(y)), RC_ERR_ARG);
}

Test(faults, none_as_first_input_reports_to_the_other_inputs_graph) {
    rc_var b = rc_full(g, RC_SHAPE(2), 1.0f);
    cr_assert_not(rc_ok(rc_add(RC_NONE, b)));
    cr_assert_eq(rc_graph_status(g), RC_ERR_ARG);
    cr_assert(strstr(rc_graph_errmsg(g), "add") && strstr(rc_graph_errmsg(g), "input 0 is RC_NONE"),
              "%s", rc_graph_errmsg(g));
}

Test(faults, none_as_second_input_is_not_called_foreign) {
    rc_var a = rc_full(g, RC_SHAPE(2), 1.0f);
    cr_assert_not(rc_ok(rc_mul(a, RC_NONE)));
    cr_assert_eq(rc_graph_status(g), RC_ERR_ARG);
    cr_assert(strstr(rc_graph_errmsg(g), "input 1 is RC_NONE"), "%s", rc_graph_errmsg(g));
}

Test(faults, concat_of_nothing_is_none) {
    cr_assert_not(rc_ok(rc_concat(NULL, 2, 0)));
    rc_var xs[1] = {RC_NONE};
    cr_assert_not(rc_ok(rc_concat(xs, 0, 0)));
    cr_assert_not(rc_ok(rc_stack(NULL, 0, 0)));
}

Test(faults, sparse_matmul_null_matrix_is_an_error) {
    rc_var b = rc_full(g, RC_SHAPE(3, 2), 1.0f);
    cr_assert_not(rc_ok(rc_sparse_matmul(NULL, b)));
    cr_assert_eq(rc_graph_status(g), RC_ERR_ARG);
    cr_assert(strstr(rc_graph_errmsg(g), "sparse_matmul"), "%s", rc_graph_errmsg(g));
}

Test(faults, backward_of_none_or_null_seed_is_an_error) {
    cr_assert_eq(rc_backward(RC_NONE), RC_ERR_ARG);
    cr_assert_eq(rc_backward_seeded(RC_NONE, NULL), RC_ERR_ARG);
    rc_var x = rc_full(g, RC_SHAPE(2), 1.0f);
    cr_assert_eq(rc_backward_seeded(x, NULL), RC_ERR_ARG);
    cr_assert(strstr(rc_graph_errmsg(g), "seed is NULL"), "%s", rc_graph_errmsg(g));
}
