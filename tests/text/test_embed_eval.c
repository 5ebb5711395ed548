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
    cr_assert_eq(rc_wordvecs_load_vec(&back, path, NULL, NULL, err, sizeof err), RC_OK, "%s",
                 err);
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
