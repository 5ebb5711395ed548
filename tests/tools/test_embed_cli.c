// `recur embed`, `neighbours`, `analogy`, `similarity`: vectors trained on a corpus made here,
// written as a .vec file the other three read; JSON output; every bad input with its exit code
// and message.
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

static void write_file(const char *name, const char *text) {
    FILE *f = fopen(path_in(name), "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

// Two topics that never share a line: king/queen/royal and cat/dog/pet.
static void setup(void) {
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    FILE *f = fopen(path_in("corpus.txt"), "wb");
    cr_assert_not_null(f);
    for (int i = 0; i < 300; i++) {
        fputs("the king and the queen rule the royal land\n", f);
        fputs("the cat and the dog are a pet at home\n", f);
    }
    fclose(f);
    write_file("questions.txt", ": royal\nking queen king queen\n: pets\ncat dog cat dog\n"
                                "cat dog unicorn horn\n");
    write_file("sim.tsv", "# word1\tword2\tscore\nking\tqueen\t9\ncat\tdog\t8\nking\tdog\t1\n"
                          "queen\tcat\t2\nunicorn\thorn\t5\n");
}

TestSuite(cli_embed, .init = setup);

static void train(const char *out) {
    cli_result r = CLI_RUN("embed", path_in("corpus.txt"), "--out", out, "--dim", "16",
                           "--min-count", "1", "--epochs", "3", "--threads", "1", "--quiet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "words of dimension 16");
    cli_result_free(&r);
}

Test(cli_embed, trains_a_vec_file_the_queries_read) {
    char vec[1024];
    snprintf(vec, sizeof vec, "%s", path_in("v.vec"));
    train(vec);
    char *text = cli_slurp(vec);
    cr_assert_not_null(text);
    cr_assert(!strncmp(text, "14 16\n", 6), "header: %.20s", text); // 14 distinct words
    free(text);
    cli_result r = CLI_RUN("neighbours", "--vectors", vec, "--k", "3", "king", "cat");
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "king\n");
    HAS(r.out, "cat\n");
    cli_result_free(&r);
    r = CLI_RUN("similarity", "--vectors", vec, path_in("sim.tsv"));
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "over 4 pairs (1 skipped)");
    cli_result_free(&r);
    r = CLI_RUN("analogy", "--vectors", vec, path_in("questions.txt"));
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "royal");
    HAS(r.out, "skipped 1");
    cli_result_free(&r);
}

Test(cli_embed, one_thread_gives_the_same_vectors_twice) {
    train(path_in("a.vec"));
    train(path_in("b.vec"));
    char *a = cli_slurp(path_in("a.vec")), *b = cli_slurp(path_in("b.vec"));
    cr_assert(a && b && !strcmp(a, b), "two runs with --threads 1 differ");
    free(a);
    free(b);
}

Test(cli_embed, json_output_parses) {
    cli_result r = CLI_RUN("embed", path_in("corpus.txt"), "--out", path_in("j.vec"), "--dim", "8",
                           "--min-count", "1", "--epochs", "1", "--quiet", "--json", "--similarity",
                           path_in("sim.tsv"), "--analogies", path_in("questions.txt"));
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_error_t e;
    json_t *root = json_loads(r.out, 0, &e);
    cr_assert_not_null(root, "%s: %s", e.text, r.out);
    cr_assert_eq(json_integer_value(json_object_get(root, "vocab")), 14);
    cr_assert_not_null(json_object_get(json_object_get(root, "analogies"), "accuracy"));
    json_t *sim = json_array_get(json_object_get(root, "similarity"), 0);
    cr_assert_eq(json_integer_value(json_object_get(sim, "pairs")), 4);
    json_decref(root);
    cli_result_free(&r);
    r = CLI_RUN("neighbours", "--vectors", path_in("j.vec"), "--k", "2", "--json", "dog");
    cr_assert_eq(r.status, 0, "%s", r.err);
    root = json_loads(r.out, 0, &e);
    cr_assert_not_null(root, "%s: %s", e.text, r.out);
    cr_assert_eq(json_array_size(json_object_get(root, "dog")), 2);
    json_decref(root);
    cli_result_free(&r);
}

static void expect(cli_result r, int status, const char *msg) {
    cr_assert_eq(r.status, status, "exit %d, want %d; stderr: %s", r.status, status, r.err);
    HAS(r.err, msg);
    cli_result_free(&r);
}

Test(cli_embed, bad_input_is_a_clear_error) {
    char vec[1024];
    snprintf(vec, sizeof vec, "%s", path_in("e.vec"));
    train(vec);
    expect(CLI_RUN("embed", "--out", vec), 2, "which corpus?");
    expect(CLI_RUN("embed", path_in("corpus.txt")), 2, "--out FILE.vec is required");
    expect(CLI_RUN("embed", path_in("corpus.txt"), "--out", vec, "--bogus"), 2, "Try 'recur help");
    expect(CLI_RUN("embed", path_in("corpus.txt"), "--out", vec, "--minn", "3"), 2,
           "--minn and --maxn go together");
    expect(CLI_RUN("embed", path_in("corpus.txt"), "--out", vec, "--model", "glove"), 2,
           "--model: unknown 'glove'");
    expect(CLI_RUN("embed", path_in("corpus.txt"), "--out", vec, "--dim", "0"), 2, "--dim");
    expect(CLI_RUN("embed", path_in("missing.txt"), "--out", vec), 1, "missing.txt");
    expect(CLI_RUN("embed", path_in("corpus.txt"), "--out", "/nonexistent-dir/x.vec", "--min-count",
                   "1", "--epochs", "1", "--quiet"),
           1, "/nonexistent-dir/x.vec");
    expect(CLI_RUN("neighbours", "--vectors", vec, "unicorn"), 1,
           "'unicorn' is not in the vectors");
    expect(CLI_RUN("neighbours", "--vectors", vec), 2, "which words?");
    expect(CLI_RUN("similarity", "king"), 2, "--vectors FILE.vec is required");
    write_file("bad.tsv", "king\tqueen\t9\ncat\tdog\n");
    expect(CLI_RUN("similarity", "--vectors", vec, path_in("bad.tsv")), 1, "bad.tsv:2:");
    write_file("bad.vec", "2 3\nking 1 2 3\n");
    expect(CLI_RUN("analogy", "--vectors", path_in("bad.vec"), path_in("questions.txt")), 1,
           "bad.vec");
}
