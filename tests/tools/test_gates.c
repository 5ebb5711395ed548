// `recur gates` on tiny settings: every option, the CSV and JSON contents, and bad input.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "test_util.h"

#define HAS(s, sub) cr_assert(strstr((s), (sub)), "expected '%s' in:\n%s", (sub), (s))

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static char *read_out(const char *dir, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return cli_slurp(path);
}

// Two cells, two seeds, 20 steps evaluated every 50 (so at 0 and 20): 2 * 2 * 2 curve rows.
Test(gates, tiny_adding_run_writes_the_table_csv_and_json) {
    char dir[512];
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    cli_result r = CLI_RUN("gates", "--task", "adding", "--length", "8", "--cells", "rnn,lstm",
                           "--seeds", "2", "--steps", "20", "--hidden", "4", "--batch", "4", "--lr",
                           "0.01", "--clip", "1", "--threads", "2", "--out", dir);
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "task adding, length 8, 2 seeds");
    HAS(r.out, "baseline (no memory): mse 0.1667");
    HAS(r.out, " rnn ");
    HAS(r.out, " lstm ");
    HAS(r.err, "index.html");
    char *csv = read_out(dir, "curves.csv");
    cr_assert_not_null(csv);
    HAS(csv, "cell,seed,step,train,heldout\n");
    HAS(csv, "lstm,2,20,");
    HAS(csv, "rnn,1,0,");
    cr_assert_eq(count_lines(csv), 1 + 2 * 2 * 2, "%s", csv);
    char *gf = read_out(dir, "gradflow.csv");
    cr_assert_eq(count_lines(gf), 1 + 2 * 2 * 8, "%s", gf);
    char *json = read_out(dir, "results.json");
    HAS(json, "\"task\": \"adding\"");
    HAS(json, "\"seeds\": 2");
    HAS(json, "\"gradflow_init\"");
    HAS(json, "\"cell\": \"lstm\"");
    char *html = read_out(dir, "index.html");
    HAS(html, "<table>");
    HAS(html, "lstm");
    free(csv), free(gf), free(json), free(html);
    cli_result_free(&r);
}

Test(gates, every_task_runs_with_json_equal_params_and_forget_bias) {
    const char *tasks[][2] = {{"copy", "2"}, {"reber", "12"}, {"order", "10"}};
    for (int i = 0; i < 3; i++) {
        char dir[512];
        cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
        cli_result r = CLI_RUN("gates", "--task", tasks[i][0], "--length", tasks[i][1], "--cells",
                               "lstm,lstm_cifg", "--seeds", "1", "--steps", "3", "--hidden", "4",
                               "--equal-params", "--forget-bias", "1", "--optimizer", "sgd",
                               "--json", "--quiet", "--out", dir);
        cr_assert_eq(r.status, 0, "%s: %s", tasks[i][0], r.err);
        cr_assert_str_empty(r.err);
        HAS(r.out, "\"cells\"");
        HAS(r.out, tasks[i][0]);
        // equal parameters: the LSTM keeps 4, CIFG (3 gate blocks) gets a larger hidden size
        HAS(r.out, "\"cell\": \"lstm\",\n      \"hidden\": 4,");
        HAS(r.out, "\"cell\": \"lstm_cifg\",\n      \"hidden\": 5,");
        cli_result_free(&r);
    }
}

Test(gates, forget_bias_on_a_cell_without_one_is_a_failed_run) {
    char dir[512];
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    cli_result r = CLI_RUN("gates", "--cells", "rnn", "--seeds", "1", "--steps", "2", "--length",
                           "4", "--forget-bias", "1", "--quiet", "--out", dir);
    cr_assert_eq(r.status, 1);
    HAS(r.err, "rnn");
    cli_result_free(&r);
}

Test(gates, bad_input_exits_2_naming_the_option) {
    const char *cases[][3] = {{"--task", "sorting", "unknown task 'sorting'"},
                              {"--cells", "lstm,nope", "unknown cell type 'nope'"},
                              {"--steps", "-3", "--steps"},
                              {"--hidden", "0", "--hidden"},
                              {"--lr", "abc", "--lr"},
                              {"--seeds", "0", "--seeds"},
                              {"--optimizer", "sgdx", "unknown optimizer 'sgdx'"},
                              {"--length", "3", "reber needs a length >= 12"}};
    for (int i = 0; i < 8; i++) {
        cli_result r = i == 7 ? CLI_RUN("gates", "--task", "reber", cases[i][0], cases[i][1])
                              : CLI_RUN("gates", cases[i][0], cases[i][1]);
        cr_assert_eq(r.status, 2, "%s %s: %d %s", cases[i][0], cases[i][1], r.status, r.err);
        HAS(r.err, cases[i][2]);
        cr_assert_str_empty(r.out);
        cli_result_free(&r);
    }
}

Test(gates, an_unwritable_out_folder_exits_1) {
    cli_result r = CLI_RUN("gates", "--steps", "1", "--out", "/proc/recur-gates-cannot");
    cr_assert_eq(r.status, 1);
    HAS(r.err, "--out");
    cli_result_free(&r);
}

Test(gates, help_prints_the_usage) {
    cli_result r = CLI_RUN("gates", "--help");
    cr_assert_eq(r.status, 0);
    HAS(r.out, "usage: recur gates");
    HAS(r.out, "--equal-params");
    cli_result_free(&r);
}
