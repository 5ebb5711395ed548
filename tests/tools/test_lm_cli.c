// `recur lm`: train on a tiny corpus made here, resume gives the same bits, eval agrees with
// train's test figure, sample, JSON, malformed input and usage errors.
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "test_util.h"

#define HAS(s, sub) cr_assert(strstr((s), (sub)), "expected '%s' in:\n%s", (sub), (s))

static const char corpus[] = "the cat sat on the mat\n"
                             "the dog sat on the log\n"
                             "a cat and a dog\n"
                             "the mat and the log\n";

static void write_file(const char *dir, const char *name, const char *text, int copies) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (int i = 0; i < copies; i++)
        fputs(text, f);
    fclose(f);
}

static char *path_in(const char *dir, const char *name) {
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void setup_dir(char *dir) {
    cr_assert_not_null(tu_tmpdir(dir, 512));
    write_file(dir, "train.txt", corpus, 20);
    write_file(dir, "valid.txt", corpus, 2);
    write_file(dir, "test.txt", corpus, 3);
}

// Small and fast: hidden 8, 3 epochs.
#define TINY "--hidden", "8", "--bptt", "5", "--batch", "4", "--lr", "0.5", "--quiet"

static size_t file_size(const char *path, char **data) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s missing", path);
    fseek(f, 0, SEEK_END);
    const size_t n = (size_t)ftell(f);
    rewind(f);
    *data = malloc(n);
    cr_assert_eq(fread(*data, 1, n, f), n);
    fclose(f);
    return n;
}

Test(cli_lm, train_prints_epochs_and_a_resumed_run_ends_in_the_same_bits) {
    char dir[512], a[1024], b[1024];
    setup_dir(dir);
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    cli_result r = CLI_RUN("lm", "train", "--train", path_in(dir, "train.txt"), "--valid",
                           path_in(dir, "valid.txt"), "--test", path_in(dir, "test.txt"),
                           "--epochs", "3", "--out", a, TINY);
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "epoch   1  lr 0.5");
    HAS(r.out, "epoch   3");
    HAS(r.out, "test ppl");
    cr_assert_str_empty(r.err);
    cli_result_free(&r);
    // Two epochs, then a resumed third.
    r = CLI_RUN("lm", "train", "--train", path_in(dir, "train.txt"), "--valid",
                path_in(dir, "valid.txt"), "--epochs", "2", "--out", b, TINY);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_result_free(&r);
    char last_b[1100], last_a[1100];
    snprintf(last_b, sizeof last_b, "%s/last.safetensors", b);
    snprintf(last_a, sizeof last_a, "%s/last.safetensors", a);
    r = CLI_RUN("lm", "train", "--train", path_in(dir, "train.txt"), "--valid",
                path_in(dir, "valid.txt"), "--epochs", "3", "--out", b, "--resume", last_b, TINY);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "epoch   2"), "%s", r.out);
    HAS(r.out, "epoch   3");
    cli_result_free(&r);
    char *da, *db;
    const size_t na = file_size(last_a, &da), nb = file_size(last_b, &db);
    cr_assert_eq(na, nb);
    cr_assert(!memcmp(da, db, na), "the resumed checkpoint differs from the straight run");
    free(da);
    free(db);
}

Test(cli_lm, eval_agrees_with_train_and_sample_is_reproducible) {
    char dir[512], out[1024], best[1100];
    setup_dir(dir);
    snprintf(out, sizeof out, "%s/m", dir);
    snprintf(best, sizeof best, "%s/best.safetensors", out);
    cli_result r = CLI_RUN("lm", "train", "--train", path_in(dir, "train.txt"), "--valid",
                           path_in(dir, "valid.txt"), "--test", path_in(dir, "test.txt"),
                           "--epochs", "2", "--out", out, "--json", TINY);
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_error_t je;
    json_t *root = json_loads(r.out, 0, &je);
    cr_assert_not_null(root, "%s\n%s", je.text, r.out);
    cr_assert_eq(json_array_size(json_object_get(root, "epochs")), 2);
    const double test_ppl = json_real_value(json_object_get(root, "test_ppl"));
    cr_assert(test_ppl > 1 && test_ppl < 30, "test ppl %g", test_ppl);
    json_decref(root);
    cli_result_free(&r);
    r = CLI_RUN("lm", "eval", "--model", best, "--bptt", "5", "--json", path_in(dir, "test.txt"));
    cr_assert_eq(r.status, 0, "%s", r.err);
    root = json_loads(r.out, 0, &je);
    cr_assert_not_null(root, "%s", r.out);
    const double ppl = json_real_value(
        json_object_get(json_array_get(json_object_get(root, "files"), 0), "perplexity"));
    cr_assert_float_eq(ppl, test_ppl, 1e-9 * test_ppl);
    json_decref(root);
    cli_result_free(&r);
    cli_result s1 = CLI_RUN("lm", "sample", "--model", best, "--words", "12", "--seed", "4",
                            "--prime", "the cat"),
               s2 = CLI_RUN("lm", "sample", "--model", best, "--words", "12", "--seed", "4",
                            "--prime", "the cat");
    cr_assert_eq(s1.status, 0, "%s", s1.err);
    cr_assert_str_eq(s1.out, s2.out);
    cr_assert_gt(strlen(s1.out), 12);
    cli_result_free(&s1);
    cli_result_free(&s2);
}

Test(cli_lm, malformed_input_and_usage_errors) {
    char dir[512];
    setup_dir(dir);
    write_file(dir, "bad.txt", "the cat\nthe \xff mat\n", 1);
    cli_result r = CLI_RUN("lm", "train", "--train", path_in(dir, "bad.txt"), "--valid",
                           path_in(dir, "valid.txt"), "--out", path_in(dir, "o"), TINY);
    cr_assert_eq(r.status, 1);
    HAS(r.err, "bad.txt:2: invalid UTF-8");
    cli_result_free(&r);
    r = CLI_RUN("lm", "train", "--valid", "x");
    cr_assert_eq(r.status, 2);
    HAS(r.err, "train needs --train FILE and --valid FILE");
    cli_result_free(&r);
    r = CLI_RUN("lm", "train", "--train", "a", "--valid", "b", "--cell", "nope");
    cr_assert_eq(r.status, 2);
    HAS(r.err, "--cell: unknown cell type 'nope'");
    cli_result_free(&r);
    r = CLI_RUN("lm", "frob");
    cr_assert_eq(r.status, 2);
    cli_result_free(&r);
    r = CLI_RUN("lm", "eval", "--model", path_in(dir, "train.txt"), "x");
    cr_assert_eq(r.status, 1);
    HAS(r.err, "recur lm: ");
    cli_result_free(&r);
    r = CLI_RUN("lm", "train", "--train", "a", "--valid", "b", "--dropout", "2");
    cr_assert_eq(r.status, 2);
    HAS(r.err, "--dropout");
    cli_result_free(&r);
}

// --chars: every character a token (spaces too, <eos> for the newline), bits per character in
// train and eval, a sample made of characters, and a word-level checkpoint that cannot be
// resumed as a character-level one.
Test(cli_lm, chars_trains_a_character_model_and_reports_bits_per_character) {
    char dir[512], out[1024], best[1100], last[1100];
    setup_dir(dir);
    snprintf(out, sizeof out, "%s/c", dir);
    snprintf(best, sizeof best, "%s/best.safetensors", out);
    cli_result r =
        CLI_RUN("lm", "train", "--chars", "--train", path_in(dir, "train.txt"), "--valid",
                path_in(dir, "valid.txt"), "--epochs", "2", "--out", out, TINY);
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "valid bpc ");
    HAS(r.out, "(bpc ");
    cli_result_free(&r);
    char vocab_path[1100];
    snprintf(vocab_path, sizeof vocab_path, "%s/vocab.txt", out);
    char *vocab = cli_slurp(vocab_path);
    cr_assert_not_null(vocab);
    HAS(vocab, "t\t"); // a character of the corpus
    cr_assert_null(strstr(vocab, "cat\t"), "a word in a character vocabulary");
    free(vocab);
    r = CLI_RUN("lm", "eval", "--model", best, path_in(dir, "valid.txt"));
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "bits per character");
    cli_result_free(&r);
    r = CLI_RUN("lm", "sample", "--model", best, "--words", "30", "--prime", "the c", "--seed",
                "3");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_gt(strlen(r.out), 20, "%s", r.out);
    cli_result_free(&r);
    // A word-level run, resumed with --chars: the options differ, and the message says which.
    snprintf(out, sizeof out, "%s/w", dir);
    snprintf(last, sizeof last, "%s/last.safetensors", out);
    r = CLI_RUN("lm", "train", "--train", path_in(dir, "train.txt"), "--valid",
                path_in(dir, "valid.txt"), "--epochs", "1", "--out", out, TINY);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_result_free(&r);
    r = CLI_RUN("lm", "train", "--chars", "--train", path_in(dir, "train.txt"), "--valid",
                path_in(dir, "valid.txt"), "--epochs", "2", "--out", out, "--resume", last, TINY);
    cr_assert_eq(r.status, 1, "%s", r.err);
    HAS(r.err, "lm.");
    cli_result_free(&r);
}
