// The command line's frame: the subcommand table, help, exit codes, bad options and values.
#include <criterion/criterion.h>
#include <string.h>

#include "cli_run.h"

#define HAS(s, sub) cr_assert(strstr((s), (sub)), "expected '%s' in:\n%s", (sub), (s))

Test(cli, no_arguments_lists_commands_and_exits_2) {
    cli_result r = CLI_RUN(NULL);
    cr_assert_eq(r.status, 2);
    HAS(r.err, "commands:");
    HAS(r.err, "demo");
    cr_assert_str_empty(r.out);
    cli_result_free(&r);
}

Test(cli, help_lists_every_command_on_stdout) {
    cli_result r = CLI_RUN("help");
    cr_assert_eq(r.status, 0);
    HAS(r.out, "cells");
    HAS(r.out, "demo");
    HAS(r.out, "help");
    cli_result_free(&r);
}

Test(cli, help_cmd_and_dash_dash_help_print_the_same_usage) {
    cli_result a = CLI_RUN("help", "cells"), b = CLI_RUN("cells", "--help");
    cr_assert_eq(a.status, 0);
    cr_assert_eq(b.status, 0);
    HAS(a.out, "usage: recur cells");
    cr_assert_str_eq(a.out, b.out);
    cli_result_free(&a), cli_result_free(&b);
}

Test(cli, unknown_command_and_unknown_help_topic_exit_2) {
    cli_result a = CLI_RUN("frobnicate"), b = CLI_RUN("help", "frobnicate");
    cr_assert_eq(a.status, 2);
    HAS(a.err, "'frobnicate' is not a recur command");
    cr_assert_eq(b.status, 2);
    HAS(b.err, "no command 'frobnicate'");
    cli_result_free(&a), cli_result_free(&b);
}

Test(cli, unknown_option_and_stray_argument_exit_2) {
    cli_result a = CLI_RUN("cells", "--frob"), b = CLI_RUN("cells", "extra");
    cr_assert_eq(a.status, 2);
    HAS(a.err, "frob");
    HAS(a.err, "recur help cells");
    cr_assert_eq(b.status, 2);
    HAS(b.err, "unexpected argument 'extra'");
    cli_result_free(&a), cli_result_free(&b);
}

Test(cli, numbers_out_of_range_or_not_numbers_exit_2_naming_the_option) {
    const char *bad[][2] = {{"--hidden", "0"},  {"--hidden", "abc"}, {"--hidden", "-3"},
                            {"--threads", "0"}, {"--input", "1e99"}, {"--hidden", ""}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cli_result r = CLI_RUN("cells", bad[i][0], bad[i][1]);
        cr_assert_eq(r.status, 2, "%s %s gave %d", bad[i][0], bad[i][1], r.status);
        HAS(r.err, bad[i][0]);
        cr_assert_str_empty(r.out);
        cli_result_free(&r);
    }
}

Test(cli, cells_lists_the_built_in_types) {
    cli_result r = CLI_RUN("cells", "--hidden", "16", "--input", "4");
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "lstm ");
    HAS(r.out, "gru ");
    HAS(r.out, "(20 cell types");
    // An LSTM of input 4 and hidden 16: 4H(I+H) + 8H = 64*20 + 128.
    HAS(r.out, "1408");
    cli_result_free(&r);
}

Test(cli, cells_json_is_parseable_and_complete) {
    cli_result r = CLI_RUN("cells", "--json");
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "\"cells\"");
    HAS(r.out, "\"name\": \"mgu\"");
    HAS(r.out, "\"hidden\": 32");
    cli_result_free(&r);
}

Test(cli, a_missing_plugin_is_a_failed_run_naming_the_file) {
    cli_result r = CLI_RUN("cells", "--plugin", "/nonexistent/x.so");
    cr_assert_eq(r.status, 1);
    HAS(r.err, "/nonexistent/x.so");
    cli_result_free(&r);
}

Test(cli, demo_refuses_an_output_folder_it_cannot_create) {
    cli_result r = CLI_RUN("demo", "--out", "/proc/recur-cannot-be-here");
    cr_assert_eq(r.status, 1);
    HAS(r.err, "--out");
    cli_result_free(&r);
}
