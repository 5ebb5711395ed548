// `recur gradcheck`: the table and the JSON on tiny selections, a plugin's cell, bad selections.
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli_run.h"

#define HAS(s, sub) cr_assert(strstr((s), (sub)), "expected '%s' in:\n%s", (sub), (s))

Test(cli_gradcheck, two_ops_and_one_cell_give_a_passing_table) {
    cli_result r = CLI_RUN("gradcheck", "--ops", "tanh,matmul", "--cells", "gru", "--quiet");
    cr_assert_eq(r.status, 0, "stderr:\n%s\nstdout:\n%s", r.err, r.out);
    HAS(r.out, "max abs");
    HAS(r.out, "tanh");
    HAS(r.out, "matmul");
    HAS(r.out, "bi, lengths");
    HAS(r.out, "(6 checks, 0 failed)");
    cr_assert_null(strstr(r.out, "FAILED"));
    cr_assert_str_empty(r.err);
    cli_result_free(&r);
}

Test(cli_gradcheck, json_lists_every_check_with_its_errors) {
    cli_result r = CLI_RUN("gradcheck", "--ops", "none", "--cells", "lstm,rnn", "--json", "-q");
    cr_assert_eq(r.status, 0, "stderr:\n%s", r.err);
    json_error_t je;
    json_t *root = json_loads(r.out, 0, &je);
    cr_assert_not_null(root, "bad JSON: %s\n%s", je.text, r.out);
    json_t *checks = json_object_get(root, "checks");
    cr_assert_eq(json_array_size(checks), 8);
    cr_assert_eq(json_integer_value(json_object_get(root, "failed")), 0);
    for (size_t i = 0; i < json_array_size(checks); i++) {
        json_t *c = json_array_get(checks, i);
        cr_assert(json_is_true(json_object_get(c, "ok")));
        cr_assert_gt(json_integer_value(json_object_get(c, "checked")), 0);
        double abs_err = json_real_value(json_object_get(c, "max_abs_err"));
        cr_assert(abs_err >= 0 && abs_err < 1e-2, "max_abs_err %g", abs_err);
    }
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(checks, 4), "name")), "rnn");
    json_decref(root);
    cli_result_free(&r);
}

Test(cli_gradcheck, the_janet_plugin_cell_is_checked) {
    char plugin[4096];
    snprintf(plugin, sizeof plugin, "%s/janet_plugin.so", cli_examples_dir());
    cli_result r =
        CLI_RUN("gradcheck", "--plugin", plugin, "--ops", "none", "--cells", "janet", "--quiet");
    cr_assert_eq(r.status, 0, "stderr:\n%s", r.err);
    HAS(r.out, "janet");
    HAS(r.out, "(4 checks, 0 failed)");
    cli_result_free(&r);
}

// Progress (a line every few seconds when stderr is not a terminal) never reaches stdout.
Test(cli_gradcheck, stdout_is_the_same_with_and_without_quiet) {
    cli_result a = CLI_RUN("gradcheck", "--ops", "sigmoid", "--cells", "none"),
               b = CLI_RUN("gradcheck", "--ops", "sigmoid", "--cells", "none", "--quiet");
    cr_assert_eq(a.status, 0);
    cr_assert_eq(b.status, 0);
    cr_assert_str_eq(a.out, b.out);
    cli_result_free(&a), cli_result_free(&b);
}

Test(cli_gradcheck, unknown_names_and_bad_sizes_exit_2) {
    const char *bad[][3] = {{"--cells", "nosuchcell", "no cell type named 'nosuchcell'"},
                            {"--ops", "tanh,frob", "no op named 'frob'"},
                            {"--hidden", "0", "--hidden"},
                            {"--steps", "-3", "--steps"},
                            {"--batch", "abc", "--batch"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cli_result r = CLI_RUN("gradcheck", bad[i][0], bad[i][1]);
        cr_assert_eq(r.status, 2, "%s %s gave %d", bad[i][0], bad[i][1], r.status);
        HAS(r.err, bad[i][2]);
        cr_assert_str_empty(r.out);
        cli_result_free(&r);
    }
    cli_result r = CLI_RUN("gradcheck", "--ops", "none", "--cells", "none");
    cr_assert_eq(r.status, 2);
    HAS(r.err, "nothing to check");
    cli_result_free(&r);
}

Test(cli_gradcheck, a_missing_plugin_exits_1) {
    cli_result r = CLI_RUN("gradcheck", "--plugin", "/nonexistent/janet.so");
    cr_assert_eq(r.status, 1);
    HAS(r.err, "/nonexistent/janet.so");
    cli_result_free(&r);
}

// A plugin cell built on an op whose backward is wrong: every setting fails, exit 1, and the
// table names the worst entry.
Test(cli_gradcheck, a_wrong_gradient_fails_with_exit_1) {
    char plugin[4096];
    snprintf(plugin, sizeof plugin, "%s/plugin_wrong_grad.so", cli_test_plugins_dir());
    cli_result r = CLI_RUN("gradcheck", "--plugin", plugin, "--ops", "tanh", "--cells",
                           "tiny_wrong", "--quiet");
    cr_assert_eq(r.status, 1, "stdout:\n%s\nstderr:\n%s", r.out, r.err);
    HAS(r.out, "tanh");
    HAS(r.out, "FAILED (wrong gradient): ");
    HAS(r.out, "(5 checks, 4 failed)");
    HAS(r.err, "4 of 5 checks failed");
    cli_result_free(&r);
}
