// Walks the op registry: every op is gradient-checked by central differences and gets the
// accumulation check (applied twice, gradients must double; multi-input ops also with one leaf in
// several slots), which catches a backward that assigns where it must add. Parameters are
// registry indices. Each op prints one line (without --verbose too), so a CI log lists them all.
#include <stdio.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "test_util.h"

#define MAX_OPS 256

static int *registry_indices(size_t *count) {
    int n = rc_op_count();
    cr_assert_leq(n, MAX_OPS);
    int *idx = cr_malloc(sizeof(int) * (size_t)n);
    size_t k = 0;
    for (int i = 0; i < n; i++)
        idx[k++] = i;
    *count = k;
    return idx;
}

static void free_params(struct criterion_test_params *p) {
    cr_free(p->params);
}

ParameterizedTestParameters(ops, gradcheck) {
    size_t n;
    int *idx = registry_indices(&n);
    return cr_make_param_array(int, idx, n, free_params);
}

ParameterizedTest(int *i, ops, gradcheck) {
    const rc_op_def *op = rc_op_at(*i);
    rc_gradcheck_report rep;
    rc_status st = rc_gradcheck_op(op, 1234 + (uint64_t)*i, &rep);
    cr_assert_eq(st, RC_OK, "%s: check could not run: %s", op->name, rep.worst);
    cr_assert_gt(rep.checked, 0, "%s: nothing was checked", op->name);
    fprintf(stderr, "[op  ] gradcheck    %-18s %4lld entries, max abs err %.2e, max rel err %.2e\n",
            op->name, (long long)rep.checked, rep.max_abs_err, rep.max_rel_err);
    cr_assert_eq(rep.failed, 0, "%s: %lld of %lld entries wrong; first: %s", op->name,
                 (long long)rep.failed, (long long)rep.checked, rep.worst);
}

ParameterizedTestParameters(ops, accumulation) {
    size_t n;
    int *idx = registry_indices(&n);
    return cr_make_param_array(int, idx, n, free_params);
}

ParameterizedTest(int *i, ops, accumulation) {
    const rc_op_def *op = rc_op_at(*i);
    rc_gradcheck_report rep;
    rc_status st = rc_gradcheck_op_accumulation(op, 99 + (uint64_t)*i, &rep);
    cr_assert_eq(st, RC_OK, "%s: check could not run: %s", op->name, rep.worst);
    cr_assert_gt(rep.checked, 0, "%s: nothing was checked", op->name);
    fprintf(stderr, "[op  ] accumulation %-18s %4lld entries\n", op->name, (long long)rep.checked);
    cr_assert_eq(rep.failed, 0, "%s: %s", op->name, rep.worst);
}

Test(ops, registry_names_unique_and_complete) {
    for (int i = 0; i < rc_op_count(); i++) {
        const rc_op_def *op = rc_op_at(i);
        cr_assert(op->name && op->shape && op->forward && op->backward, "op %d incomplete", i);
        cr_assert_eq(rc_op_find(op->name), op, "%s registered twice", op->name);
        cr_assert(op->test.n_in >= 1, "%s has no gradient-check spec", op->name);
    }
}
