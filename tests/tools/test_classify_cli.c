// `recur classify`: fastText's classifier on files written here (a test file and k folds, in
// two layouts), JSON output, --keep-files, and every bad input with its exit code and message.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli_run.h"
#include "test_util.h"

#define HAS(s, sub) cr_assert(strstr((s), (sub)), "expected '%s' in:\n%s", (sub), (s))

static char dir[512];

static const char *path_in(const char *name) {
    return cli_path_in(dir, name);
}

// Two classes told apart by their words; sorted by label, as the .all files are.
static void write_set(const char *name, int n, bool tsv) {
    FILE *f = fopen(path_in(name), "wb");
    cr_assert_not_null(f);
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < n; i++) {
            const char *text = c ? "great wonderful superb film" : "awful boring dull film";
            if (tsv)
                fprintf(f, "%s number %d\t%d\n", text, i, c);
            else
                fprintf(f, "%d %s number %d\n", c, text, i);
        }
    fclose(f);
}

static void setup(void) {
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    write_set("train.txt", 100, false);
    write_set("test.txt", 20, false);
    write_set("train.tsv", 100, true);
}

TestSuite(cli_classify, .init = setup);

Test(cli_classify, learns_a_separable_set_on_a_test_file_and_in_folds) {
    cli_result r = CLI_RUN("classify", "--train", path_in("train.txt"), "--test",
                           path_in("test.txt"), "--threads", "1", "--quiet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "accuracy 100.00% on 40 test examples (200 trained, 2 labels");
    cli_result_free(&r);
    r = CLI_RUN("classify", "--train", path_in("train.tsv"), "--layout", "tsv-last", "--folds", "4",
                "--threads", "1", "--quiet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "4-fold accuracy 100.00% +- 0.00 over 200 examples, 2 labels");
    cli_result_free(&r);
}

Test(cli_classify, json_and_kept_files) {
    cli_result r = CLI_RUN("classify", "--train", path_in("train.txt"), "--folds", "3", "--json",
                           "--quiet", "--keep-files", path_in("kept"));
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_error_t e;
    json_t *root = json_loads(r.out, 0, &e);
    cr_assert_not_null(root, "%s: %s", e.text, r.out);
    cr_assert_eq(json_integer_value(json_object_get(root, "folds")), 3);
    cr_assert_eq(json_integer_value(json_object_get(root, "examples")), 200);
    cr_assert_float_eq(json_real_value(json_object_get(root, "accuracy")), 1.0, 1e-9);
    json_decref(root);
    cli_result_free(&r);
    char *kept = cli_slurp(path_in("kept/fold2.test.txt"));
    cr_assert_not_null(kept, "fold files are kept");
    cr_assert(!strncmp(kept, "__label__", 9), "%.40s", kept);
    free(kept);
}

static void expect(cli_result r, int status, const char *msg) {
    cr_assert_eq(r.status, status, "exit %d, want %d; stderr: %s", r.status, status, r.err);
    HAS(r.err, msg);
    cli_result_free(&r);
}

Test(cli_classify, bad_input_is_a_clear_error) {
    const char *train = path_in("train.txt");
    expect(CLI_RUN("classify", "--train", train), 2, "one of --test FILE or --folds K");
    expect(CLI_RUN("classify", "--train", train, "--folds", "3", "--test", train), 2,
           "one of --test FILE or --folds K");
    expect(CLI_RUN("classify", "--train", train, "--folds", "1"), 2, "--folds");
    expect(CLI_RUN("classify", "--train", train, "--folds", "3", "--layout", "csv"), 2,
           "--layout: unknown 'csv'");
    expect(CLI_RUN("classify", "--train", train, "--folds", "3", "extra"), 2,
           "unexpected argument 'extra'");
    expect(CLI_RUN("classify", "--train", path_in("missing.txt"), "--folds", "3"), 1,
           "missing.txt");
    expect(CLI_RUN("classify", "--train", path_in("train.txt"), "--layout", "tsv-first", "--folds",
                   "3", "--quiet"),
           1, "train.txt:1: no label in the layout 'label<TAB>text'");
    expect(CLI_RUN("classify", "--train", train, "--folds", "500", "--quiet"), 1,
           "200 examples cannot fill 500 folds");
}
