// Every documented error: the sticky status, the message naming op, node, scope and shapes, and
// poisoned handles passing through later ops without a crash.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static rc_graph *g;
static void setup(void) {
    cr_assert_eq(rc_graph_new(&g), RC_OK);
}
static void teardown(void) {
    rc_graph_free(&g);
}
TestSuite(errors, .init = setup, .fini = teardown);

Test(errors, shape_mismatch_names_op_node_scope_and_shapes) {
    rc_var a = rc_full(g, RC_SHAPE(32, 128), 1.0f);
    rc_var b = rc_full(g, RC_SHAPE(32, 64), 1.0f);
    rc_scope_push(g, "t=%d", 3);
    rc_var y = rc_mul(a, b);
    rc_scope_pop(g);
    cr_assert_not(rc_ok(y));
    cr_assert_eq(rc_graph_status(g), RC_ERR_SHAPE);
    cr_assert_str_eq(rc_graph_errmsg(g),
                     "mul (node 2, scope t=3): shapes [32,128] and [32,64] are not broadcastable");
}

Test(errors, poison_passes_through_and_first_error_wins) {
    rc_var a = rc_full(g, RC_SHAPE(2, 3), 1.0f);
    rc_var bad = rc_matmul(a, a);
    rc_var y = rc_tanh(rc_add(bad, a));
    cr_assert_not(rc_ok(y));
    cr_assert_null(rc_value(y).data);
    cr_assert(isnan(rc_item(y)));
    cr_assert(strstr(rc_graph_errmsg(g), "matmul") && strstr(rc_graph_errmsg(g), "[2,3]"), "%s",
              rc_graph_errmsg(g));
    cr_assert_eq(rc_backward(y), RC_ERR_SHAPE, "backward reports the sticky error");
    rc_graph_reset(g);
    cr_assert_eq(rc_graph_status(g), RC_OK, "reset clears the error");
    cr_assert(rc_ok(rc_scalar(g, 1.0f)));
}

// The line of include/recur/base.h that documents status st ("    RC_ERR_SHAPE, // ...").
static void status_doc(const char *name, char *out, size_t len) {
    const char *root = getenv("RECUR_SOURCE_ROOT");
    char path[512];
    snprintf(path, sizeof path, "%s/include/recur/base.h", root ? root : ".");
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s (set RECUR_SOURCE_ROOT)", path);
    char line[256], want[64];
    snprintf(want, sizeof want, "    %s,", name);
    out[0] = '\0';
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, want, strlen(want)))
            snprintf(out, len, "%s", line);
    fclose(f);
    cr_assert(out[0], "%s not found in %s", name, path);
}

// Issue 11 fault 9c: backward of a loss with more than one element is RC_ERR_SHAPE (as
// autograd.h says and autograd/backward.c does), and base.h no longer calls it RC_ERR_STATE.
Test(errors, backward_of_a_non_scalar_is_a_shape_error_as_documented) {
    rc_var y = rc_full(g, RC_SHAPE(2, 3), 1.0f);
    cr_assert_eq(rc_backward(y), RC_ERR_SHAPE);
    cr_assert_str_eq(rc_graph_errmsg(g), "backward (node 0): the loss must have one element, it "
                                         "has shape [2,3]; reduce it with rc_sum_all or "
                                         "rc_mean_all");
    char doc[256];
    status_doc("RC_ERR_STATE", doc, sizeof doc);
    cr_assert_null(strstr(doc, "scalar"), "base.h: %s", doc);
    status_doc("RC_ERR_SHAPE", doc, sizeof doc);
    cr_assert(strstr(doc, "one element"), "base.h: %s", doc);
}

Test(errors, foreign_handle) {
    rc_graph *other;
    rc_graph_new(&other);
    rc_var a = rc_scalar(g, 1.0f), b = rc_scalar(other, 2.0f);
    rc_var y = rc_add(a, b);
    cr_assert_not(rc_ok(y));
    cr_assert_eq(rc_graph_status(g), RC_ERR_FOREIGN);
    cr_assert(strstr(rc_graph_errmsg(g), "input 1"), "%s", rc_graph_errmsg(g));
    rc_graph_free(&other);
}

Test(errors, finite_check_names_first_nonfinite_op) {
    rc_graph_set_check_finite(g, true);
    rc_var x = rc_input(g, RC_SHAPE(2), (float[]){1.0f, -1.0f});
    rc_var y = rc_sqrt(rc_tanh(x)); // sqrt of a negative: NaN
    cr_assert_not(rc_ok(y));
    cr_assert_eq(rc_graph_status(g), RC_ERR_NONFINITE);
    cr_assert(strstr(rc_graph_errmsg(g), "sqrt (node 2") && strstr(rc_graph_errmsg(g), "NaN"), "%s",
              rc_graph_errmsg(g));
    rc_graph_reset(g);
    rc_graph_set_check_finite(g, false);
    y = rc_sqrt(rc_input(g, RC_SHAPE(1), (float[]){-1.0f}));
    cr_assert(rc_ok(y), "without the check a NaN is just a value");
}

Test(errors, bad_leaf_shape) {
    rc_var x = rc_input(g, RC_SHAPE(2, 0), NULL);
    cr_assert_not(rc_ok(x));
    cr_assert_eq(rc_graph_status(g), RC_ERR_SHAPE);
    cr_assert(strstr(rc_graph_errmsg(g), "[2,0]"), "%s", rc_graph_errmsg(g));
}

Test(errors, linear_argument_shapes) {
    rc_var x = rc_full(g, RC_SHAPE(4, 3), 1.0f);
    rc_var w = rc_full(g, RC_SHAPE(5, 3), 1.0f);
    rc_var b = rc_full(g, RC_SHAPE(4), 1.0f);
    cr_assert_not(rc_ok(rc_linear(x, w, b)));
    cr_assert_str_eq(rc_graph_errmsg(g), "linear (node 3): b [4] must be [O] for W [5,3]");
}

Test(errors, scope_pop_without_push) {
    rc_scope_pop(g);
    cr_assert_eq(rc_graph_status(g), RC_ERR_STATE);
    cr_assert(strstr(rc_graph_errmsg(g), "no scope"), "%s", rc_graph_errmsg(g));
}

// A custom op with a wrong derivative: the gradient check must catch it.
static rc_status same(const rc_tensor *in, int n, const void *a, rc_shape *out, char *w, size_t l) {
    (void)n, (void)a, (void)w, (void)l;
    *out = in[0].shape;
    return RC_OK;
}
static void cube_fwd(const rc_tensor *in, int n, const void *a, rc_tensor *out, rc_opctx *c) {
    (void)n, (void)a, (void)c;
    for (int64_t i = 0; i < out->n; i++)
        out->data[i] = in[0].data[i] * in[0].data[i] * in[0].data[i];
}
static void cube_bwd_wrong(const rc_tensor *in, int n, const void *a, const rc_tensor *out,
                           const rc_tensor *gout, rc_tensor *gin, const rc_opctx *c) {
    (void)n, (void)a, (void)out, (void)c;
    for (int64_t i = 0; i < out->n; i++) // should be 3x^2
        gin[0].data[i] += 2 * in[0].data[i] * in[0].data[i] * gout->data[i];
}
static const rc_op_def cube_wrong = {.name = "cube_wrong",
                                     .n_in = 1,
                                     .shape = same,
                                     .forward = cube_fwd,
                                     .backward = cube_bwd_wrong,
                                     .test = {.n_in = 1, .shape = {{1, {5}}}, .lo = 0.5f, .hi = 2}};

Test(errors, gradcheck_catches_a_wrong_derivative) {
    rc_gradcheck_report rep;
    cr_assert_eq(rc_gradcheck_op(&cube_wrong, 1, &rep), RC_OK);
    cr_assert_eq(rep.failed, 5, "every entry is wrong, %lld flagged", (long long)rep.failed);
    cr_assert(strstr(rep.worst, "cube_wrong input 0"), "%s", rep.worst);
}
