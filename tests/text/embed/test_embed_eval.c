// Word vectors: the .vec format (round trip and every malformed-file error) and the evaluations.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static char dir[256];
static void setup(void) {
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
}
TestSuite(embed, .init = setup);

static const char *write_file(const char *name, const char *text) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

Test(embed, vec_round_trip) {
    rc_wordvecs *wv = NULL;
    cr_assert_eq(rc_wordvecs_new(&wv, 3, 4), RC_OK);
    const float v[3][4] = {{1.0f, -2.5f, 3.25e-7f, 0.1f},
                           {-0.333333343f, 1e20f, 7, 8},
                           {0, -0.0f, 1.17549435e-38f, 3.40282347e+38f}};
    cr_assert_eq(rc_wordvecs_add(wv, "the", 3, v[0]), RC_OK);
    cr_assert_eq(rc_wordvecs_add(wv, "caf\xc3\xa9", 5, v[1]), RC_OK);
    cr_assert_eq(rc_wordvecs_add(wv, "</s>", 4, v[2]), RC_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/a.vec", dir);
    char err[256] = "";
    cr_assert_eq(rc_wordvecs_save_vec(wv, path, err, sizeof err), RC_OK, "%s", err);
    rc_wordvecs *back = NULL;
    cr_assert_eq(rc_wordvecs_load_vec(&back, path, NULL, NULL, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_wordvecs_count(back), 3);
    cr_assert_eq(rc_wordvecs_dim(back), 4);
    for (int i = 0; i < 3; i++) {
        cr_assert_str_eq(rc_wordvecs_word(back, i), rc_wordvecs_word(wv, i));
        cr_assert_eq(memcmp(rc_wordvecs_vec(back, i), v[i], sizeof v[i]), 0,
                     "row %d is bit-identical after the round trip", i);
    }
    cr_assert_eq(rc_wordvecs_find(back, "caf\xc3\xa9", 5), 1);
    cr_assert_eq(rc_wordvecs_find(back, "cafe", 4), -1);
    rc_wordvecs_free(&back);
    rc_wordvecs_free(&wv);
    cr_assert_null(wv);
}

// fastText writes a trailing space on every line; gensim does not; CRLF and tabs also happen.
Test(embed, vec_reads_fasttext_and_gensim_layouts) {
    const char *p = write_file("ft.vec", "2 3\nthe 0.1 0.2 0.3 \r\nof\t-1 -2 -3\n\n");
    rc_wordvecs *wv = NULL;
    char err[256] = "";
    cr_assert_eq(rc_wordvecs_load_vec(&wv, p, NULL, NULL, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_wordvecs_count(wv), 2);
    cr_assert_float_eq(rc_wordvecs_vec(wv, 1)[2], -3.0f, 0);
    rc_wordvecs_free(&wv);
    rc_vec_load_opts o = {.limit = 1};
    cr_assert_eq(rc_wordvecs_load_vec(&wv, p, &o, NULL, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_wordvecs_count(wv), 1, "limit reads only the first vectors");
    rc_wordvecs_free(&wv);
}

static void expect_error(const char *name, const char *text, rc_status st, const char *msg) {
    const char *p = write_file(name, text);
    rc_wordvecs *wv = (rc_wordvecs *)1;
    char err[512] = "";
    cr_assert_eq(rc_wordvecs_load_vec(&wv, p, NULL, NULL, err, sizeof err), st, "%s: %s", name,
                 err);
    cr_assert_null(wv);
    char want[512];
    snprintf(want, sizeof want, "%s/%s", dir, msg);
    cr_assert_str_eq(err, want);
}

Test(embed, vec_malformed_files) {
    expect_error("e1.vec", "", RC_ERR_FORMAT,
                 "e1.vec:1: empty file, expected a header line \"count dim\"");
    expect_error("e2.vec", "two 3\n", RC_ERR_FORMAT,
                 "e2.vec:1: bad header \"two 3\", expected \"count dim\" with count >= 0 and 1 "
                 "<= dim <= 1048576");
    expect_error("e3.vec", "1 3 x\nthe 1 2 3\n", RC_ERR_FORMAT,
                 "e3.vec:1: bad header \"1 3 x\", expected \"count dim\" with count >= 0 and 1 "
                 "<= dim <= 1048576");
    expect_error("e4.vec", "2 3\nthe 1 2 3\nof 1 2\n", RC_ERR_FORMAT,
                 "e4.vec:3: expected 3 values after the word, found 2");
    expect_error("e5.vec", "1 3\nthe 1 2 3 4\n", RC_ERR_FORMAT,
                 "e5.vec:2: more than 3 values after the word");
    expect_error("e6.vec", "1 3\nthe 1 2x 3\n", RC_ERR_FORMAT,
                 "e6.vec:2: value 2 is not a finite number: \"2x 3\"");
    expect_error("e7.vec", "1 3\nthe 1 nan 3\n", RC_ERR_FORMAT,
                 "e7.vec:2: value 2 is not a finite number: \"nan 3\"");
    expect_error("e8.vec", "2 1\nthe 1\nthe 2\n", RC_ERR_FORMAT,
                 "e8.vec:3: duplicate word \"the\"");
    expect_error("e9.vec", "3 1\nthe 1\nof 2\n", RC_ERR_FORMAT,
                 "e9.vec:3: file ends after 2 of the 3 vectors the header announces");
    expect_error("e10.vec", "1 1\nthe 1\nof 2\n", RC_ERR_FORMAT,
                 "e10.vec:3: more vectors than the header's count 1");
    expect_error("e11.vec", "1 1\nth\xc3\x28 1\n", RC_ERR_FORMAT,
                 "e11.vec:2: invalid UTF-8 in the word at byte 3");
    rc_wordvecs *wv = NULL;
    char err[256];
    cr_assert_eq(rc_wordvecs_load_vec(&wv, "/nonexistent/x.vec", NULL, NULL, err, sizeof err),
                 RC_ERR_IO);
    cr_assert_str_eq(err, "/nonexistent/x.vec: No such file or directory");
}

Test(embed, vec_duplicates_can_be_skipped) {
    const char *p = write_file("dup.vec", "3 1\nthe 1\nof 2\nthe 3\n");
    rc_vec_load_opts o = {.skip_duplicates = true};
    rc_vec_load_stats s;
    rc_wordvecs *wv = NULL;
    char err[256] = "";
    cr_assert_eq(rc_wordvecs_load_vec(&wv, p, &o, &s, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_wordvecs_count(wv), 2);
    cr_assert_eq(s.duplicates_skipped, 1);
    cr_assert_float_eq(rc_wordvecs_vec(wv, 0)[0], 1.0f, 0, "the first one is kept");
    rc_wordvecs_free(&wv);
}

Test(embed, vec_huge_line_is_an_error) {
    char path[512];
    snprintf(path, sizeof path, "%s/huge.vec", dir);
    FILE *f = fopen(path, "wb");
    fputs("1 1\nw", f);
    static char chunk[1 << 16];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 1100; i++) // 72 MB without a newline
        fwrite(chunk, 1, sizeof chunk, f);
    fclose(f);
    rc_wordvecs *wv = NULL;
    char err[256] = "";
    cr_assert_eq(rc_wordvecs_load_vec(&wv, path, NULL, NULL, err, sizeof err), RC_ERR_FORMAT);
    cr_assert(strstr(err, "huge.vec:2: line longer than"), "%s", err);
    remove(path);
}

Test(embed, wordvecs_add_rejects_bad_words) {
    rc_wordvecs *wv = NULL;
    cr_assert_eq(rc_wordvecs_new(&wv, 2, 1), RC_OK);
    const float x = 1;
    cr_assert_eq(rc_wordvecs_add(wv, "", 0, &x), RC_ERR_ARG);
    cr_assert_eq(rc_wordvecs_add(wv, "a b", 3, &x), RC_ERR_ARG);
    cr_assert_eq(rc_wordvecs_add(wv, "\xff", 1, &x), RC_ERR_FORMAT);
    cr_assert_eq(rc_wordvecs_add(wv, "a", 1, &x), RC_OK);
    cr_assert_eq(rc_wordvecs_add(wv, "a", 1, &x), RC_ERR_ARG, "duplicate");
    cr_assert_eq(rc_wordvecs_add(wv, "b", 1, &x), RC_OK);
    cr_assert_eq(rc_wordvecs_add(wv, "c", 1, &x), RC_ERR_ARG, "full");
    rc_wordvecs_free(&wv);
}

// ---- evaluation -------------------------------------------------------------------------------

Test(embed, spearman_with_ties_by_hand) {
    // ranks x: 1 2.5 2.5 4, y: 1 3 2 4; Pearson of the ranks = 4.5 / sqrt(4.5 * 5).
    const double x[4] = {1, 2, 2, 3}, y[4] = {1, 3, 2, 4};
    cr_assert(fabs(rc_spearman(x, y, 4) - 4.5 / sqrt(22.5)) < 1e-12);
    const double z[4] = {10, 20, 30, 40}, w[4] = {4, 3, 2, 1};
    cr_assert(fabs(rc_spearman(z, w, 4) + 1.0) < 1e-12, "reversed order: -1");
    cr_assert(fabs(rc_pearson(x, x, 4) - 1.0) < 1e-12);
    cr_assert(isnan(rc_spearman(x, y, 1)));
    const double c[3] = {1, 1, 1};
    cr_assert(isnan(rc_pearson(c, x, 3)), "a constant side has no correlation");
}

// man (1,0,0) woman (1,1,0) king (1,0,1) queen (1,1,1) apple (0,0,1), and "WOMAN", a second
// spelling of woman placed before queen with queen's vector: case-insensitively it is woman, so
// it must never be the answer to a question that contains woman.
static rc_wordvecs *toy_vectors(void) {
    rc_wordvecs *wv = NULL;
    cr_assert_eq(rc_wordvecs_new(&wv, 6, 3), RC_OK);
    const char *w[6] = {"man", "woman", "king", "WOMAN", "queen", "apple"};
    const float v[6][3] = {{1, 0, 0}, {1, 1, 0}, {1, 0, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 1}};
    for (int i = 0; i < 6; i++)
        cr_assert_eq(rc_wordvecs_add(wv, w[i], strlen(w[i]), v[i]), RC_OK);
    return wv;
}

Test(embed, nearest_by_cosine) {
    rc_wordvecs *wv = toy_vectors();
    const float q[3] = {2, 2, 1.9f};
    int64_t ids[3];
    float sims[3];
    const int64_t ex[1] = {3};
    cr_assert_eq(rc_wordvecs_nearest(wv, q, 3, ex, 1, ids, sims), 3);
    cr_assert_eq(ids[0], 4, "queen (WOMAN excluded)");
    cr_assert_eq(ids[1], 1, "then woman");
    cr_assert_eq(ids[2], 2, "then king");
    cr_assert_float_eq(sims[0], (float)(5.9 / (sqrt(3) * sqrt(11.61))), 1e-6);
    cr_assert_geq(sims[0], sims[1]);
    rc_wordvecs_free(&wv);
}

Test(embed, analogies_3cosadd_sections_oov_and_case) {
    rc_wordvecs *wv = toy_vectors();
    const char *p = write_file("q.txt", ": royal\nman woman king queen\nMan Woman King Queen\n"
                                        "man woman king zebra\n: other\n\n"
                                        "woman man queen king\nman king woman apple\n");
    rc_analogy_result r;
    char err[256] = "";
    rc_eval_opts o = rc_eval_defaults();
    cr_assert_eq(rc_eval_analogies(wv, p, &o, &r, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(r.n_sections, 2);
    cr_assert_str_eq(r.sections[0].name, "royal");
    cr_assert_eq(r.sections[0].answered, 2);
    cr_assert_eq(r.sections[0].correct, 2, "woman - man + king = queen, not WOMAN");
    cr_assert_eq(r.sections[0].skipped, 1, "zebra is unknown");
    cr_assert_str_eq(r.sections[1].name, "other");
    cr_assert_eq(r.sections[1].answered, 2);
    // man:king::woman:? -> u(king) - u(man) + u(woman) is nearest queen, not apple: 1 of 2.
    cr_assert_eq(r.sections[1].correct, 1);
    cr_assert_eq(r.total.correct, 3);
    cr_assert_eq(r.total.answered, 4);
    cr_assert_float_eq(r.accuracy, 0.75, 1e-12);
    cr_assert_float_eq(r.coverage, 0.8, 1e-12);
    rc_analogy_result_free(&r);
    // Case-sensitive: "Man Woman King Queen" is unknown; restricted to 4 rows: queen is unknown.
    o.case_insensitive = false;
    cr_assert_eq(rc_eval_analogies(wv, p, &o, &r, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(r.sections[0].skipped, 2);
    rc_analogy_result_free(&r);
    o = rc_eval_defaults();
    o.restrict_vocab = 4;
    cr_assert_eq(rc_eval_analogies(wv, p, &o, &r, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(r.total.answered, 0);
    cr_assert_eq(r.total.skipped, 5);
    rc_analogy_result_free(&r);
    p = write_file("bad.txt", ": s\nman woman king\n");
    cr_assert_eq(rc_eval_analogies(wv, p, NULL, &r, err, sizeof err), RC_ERR_FORMAT);
    char want[512];
    snprintf(want, sizeof want, "%s/bad.txt:2: expected 4 words (a b c d), found 3", dir);
    cr_assert_str_eq(err, want);
    rc_wordvecs_free(&wv);
}

Test(embed, wordsim_spearman_and_errors) {
    rc_wordvecs *wv = toy_vectors();
    // cosines: man-woman 0.707, king-queen 0.816, man-apple 0, King-man 0.707 (a tie).
    const char *p = write_file("ws.tsv", "# comment\n# w1\tw2\tscore\nman\twoman\t3\n"
                                         "king\tqueen\t4.0\nman\tapple\t1\nKing\tman\t2\n"
                                         "man\tzebra\t5\n");
    rc_wordsim_result r;
    char err[256] = "";
    cr_assert_eq(rc_eval_wordsim(wv, p, NULL, &r, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(r.pairs, 4);
    cr_assert_eq(r.skipped, 1);
    // model ranks 2.5 4 1 2.5 against gold ranks 3 4 1 2: 4.5 / sqrt(4.5 * 5).
    cr_assert(fabs(r.spearman - 4.5 / sqrt(22.5)) < 1e-9, "spearman %g", r.spearman);
    p = write_file("ws2.tsv", "man\twoman\tx3\n");
    cr_assert_eq(rc_eval_wordsim(wv, p, NULL, &r, err, sizeof err), RC_ERR_FORMAT);
    char want[512];
    snprintf(want, sizeof want, "%s/ws2.tsv:1: score \"x3\" is not a number", dir);
    cr_assert_str_eq(err, want);
    p = write_file("ws3.tsv", "man woman 3\n");
    cr_assert_eq(rc_eval_wordsim(wv, p, NULL, &r, err, sizeof err), RC_ERR_FORMAT);
    snprintf(want, sizeof want, "%s/ws3.tsv:1: expected \"word1<TAB>word2<TAB>score\"", dir);
    cr_assert_str_eq(err, want);
    cr_assert_eq(rc_eval_wordsim(wv, "/nonexistent.tsv", NULL, &r, err, sizeof err), RC_ERR_IO);
    rc_wordvecs_free(&wv);
}

// The NULL policy (include/recur/base.h, issue 11 fault 3): RC_ERR_ARG with a message naming the
// function and the argument (these said "NULL argument" or "bad argument"), never a crash.
Test(embed, null_arguments_name_function_and_argument) {
    char err[256] = "";
    rc_wordvecs *wv = (rc_wordvecs *)&err; // not NULL: the loader must clear it
    cr_assert_eq(rc_wordvecs_load_vec(&wv, NULL, NULL, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_wordvecs_load_vec: path is NULL");
    cr_assert_null(wv);
    cr_assert_eq(rc_wordvecs_load_vec(NULL, "/tmp/v.vec", NULL, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_wordvecs_load_vec: wv is NULL");
    cr_assert_eq(rc_wordvecs_save_vec(NULL, "/tmp/v.vec", err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_wordvecs_save_vec: wv is NULL");
    rc_w2v *m = (rc_w2v *)&err;
    cr_assert_eq(rc_w2v_train_file(&m, NULL, NULL, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_w2v_train_file: path is NULL");
    cr_assert_null(m);
    rc_ft *ft = (rc_ft *)&err;
    cr_assert_eq(rc_ft_train_file(&ft, NULL, NULL, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_ft_train_file: path is NULL");
    cr_assert_null(ft);
    rc_ft_test_result tr;
    cr_assert_eq(rc_ft_test_file(NULL, "/tmp/t.txt", 1, &tr, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_ft_test_file: m is NULL");

    wv = toy_vectors();
    rc_analogy_result ar;
    rc_wordsim_result wr;
    cr_assert_eq(rc_eval_analogies(NULL, "/tmp/q.txt", NULL, &ar, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_eval_analogies: wv is NULL");
    cr_assert_eq(rc_eval_analogies(wv, NULL, NULL, &ar, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_eval_analogies: path is NULL");
    cr_assert_eq(rc_eval_wordsim(wv, "/tmp/ws.tsv", NULL, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_eval_wordsim: res is NULL");
    cr_assert_eq(rc_eval_wordsim(wv, NULL, NULL, &wr, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_eval_wordsim: path is NULL");
    cr_assert_eq(rc_wordvecs_save_vec(wv, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_wordvecs_save_vec: path is NULL");
    rc_wordvecs_free(&wv);

    rc_rng rng;
    rc_rng_seed(&rng, 1);
    cr_assert_eq(rc_unigram_table_sample(NULL, &rng), -1);
    cr_assert_eq(rc_fasttext_hash(NULL, 3), rc_fasttext_hash("", 0));
}
