// rc_last_error: the calling thread's message of the last failing call (include/recur/base.h),
// set by rc_set_last_error, by every err-buffer message and by graph errors.
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"

Test(last_error, set_returns_the_status_and_keeps_the_message) {
    cr_assert_eq(rc_set_last_error(RC_ERR_RANGE, "my_cell: hidden must be > 0, got %d", -3),
                 RC_ERR_RANGE);
    cr_assert_str_eq(rc_last_error(), "my_cell: hidden must be > 0, got -3");
    // A successful call leaves it as it was.
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    cr_assert_str_eq(rc_last_error(), "my_cell: hidden must be > 0, got -3");
    rc_graph_free(&g);
}

Test(last_error, graph_errors_copy_their_message) {
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_var y = rc_mul(rc_full(g, RC_SHAPE(2, 3), 1.0f), rc_full(g, RC_SHAPE(4), 1.0f));
    cr_assert_not(rc_ok(y));
    cr_assert_str_eq(rc_last_error(), rc_graph_errmsg(g));
    cr_assert(strstr(rc_last_error(), "mul (node 2)"), "%s", rc_last_error());
    rc_graph_free(&g);
}

Test(last_error, set_error_without_a_graph_does_not_abort) {
    rc_graph_set_error(NULL, RC_ERR_ARG, "my_layer", "x is [%d]; want [T,B,I]", 3);
    cr_assert_str_eq(rc_last_error(), "my_layer: x is [3]; want [T,B,I]");
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_graph_set_error(g, RC_OK, "my_layer", "ok is not a failure status");
    cr_assert_eq(rc_graph_status(g), RC_ERR_ARG, "RC_OK is taken as RC_ERR_ARG");
    rc_graph_free(&g);
}

Test(last_error, err_buffer_and_last_error_hold_the_same_text) {
    char err[256] = "";
    rc_safetensors *f = NULL;
    cr_assert_eq(rc_safetensors_open(&f, "/nonexistent/x.safetensors", err, sizeof err), RC_ERR_IO);
    cr_assert(err[0]);
    cr_assert_str_eq(rc_last_error(), err);
    // With no buffer the message is still there.
    rc_set_last_error(RC_ERR_ARG, "cleared");
    cr_assert_eq(rc_safetensors_open(&f, "/nonexistent/x.safetensors", NULL, 0), RC_ERR_IO);
    cr_assert(strstr(rc_last_error(), "/nonexistent/x.safetensors"), "%s", rc_last_error());
}

static void *fail_in_thread(void *arg) {
    (void)arg;
    rc_set_last_error(RC_ERR_IO, "from the other thread");
    static char seen[64];
    snprintf(seen, sizeof seen, "%s", rc_last_error());
    return seen;
}

Test(last_error, is_per_thread) {
    rc_set_last_error(RC_ERR_ARG, "from the main thread");
    pthread_t t;
    void *seen;
    cr_assert_eq(pthread_create(&t, NULL, fail_in_thread, NULL), 0);
    cr_assert_eq(pthread_join(t, &seen), 0);
    cr_assert_str_eq((const char *)seen, "from the other thread");
    cr_assert_str_eq(rc_last_error(), "from the main thread");
}
