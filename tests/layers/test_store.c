// The parameter store's touched-rows bookkeeping for gradients written by hand.
#include "test_util.h"

Test(params_store, mark_touched_rows_then_dense) {
    rc_params *ps;
    rc_param *w;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    cr_assert_eq(rc_params_add(ps, "w", RC_SHAPE(4, 2), &w), RC_OK);
    const uint8_t *rows = rc_param_touched_rows(w);
    cr_assert_not_null(rows, "no gradient yet: a sparse map with no row set");
    for (int r = 0; r < 4; r++)
        cr_assert_eq(rows[r], 0);
    cr_assert_eq(rc_param_mark_touched(w, 2), RC_OK);
    rows = rc_param_touched_rows(w);
    cr_assert(rows && rows[2] == 1 && rows[0] == 0 && rows[1] == 0 && rows[3] == 0);
    cr_assert_eq(rc_param_mark_touched(w, 4), RC_ERR_RANGE, "row 4 of 4 rows");
    cr_assert_eq(rc_param_mark_touched(w, -1), RC_OK);
    cr_assert_null(rc_param_touched_rows(w), "dense after marking every row");
    rc_params_zero_grad(ps);
    rows = rc_param_touched_rows(w);
    cr_assert(rows && rows[2] == 0, "zero_grad clears the marks");
    rc_params_free(&ps);
}
