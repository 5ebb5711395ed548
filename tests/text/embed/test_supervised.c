// fastText-style classification: a toy separable set for every loss, prediction, fastText's
// precision/recall at k, bad files; SST-2 dev accuracy when the data is present.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

static char dir[256];
static void setup(void) {
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
}
TestSuite(ftsup, .init = setup);

static const char *write_file(const char *name, const char *text) {
    static char path[2][512];
    static int k;
    k ^= 1;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    FILE *f = fopen(path[k], "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path[k];
}

// Three topics, each with its own words plus shared filler; a line's label is its topic.
// Writes the file and returns its path (malloc'ed).
static char *toy_file(const char *name, int lines, uint64_t seed) {
    static const char *words[3][4] = {{"apple", "pear", "plum", "fig"},
                                      {"goal", "match", "team", "score"},
                                      {"code", "bug", "compile", "debug"}};
    static const char *filler[3] = {"the", "a", "of"};
    static const char *labels[3] = {"__label__fruit", "__label__sport", "__label__tech"};
    char *path = malloc(512);
    snprintf(path, 512, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    rc_rng r;
    rc_rng_seed(&r, seed);
    for (int i = 0; i < lines; i++) {
        int t = (int)rc_rng_below(&r, 3);
        fprintf(f, "%s", labels[t]);
        for (int k = 0; k < 6; k++)
            fprintf(f, " %s",
                    rc_rng_below(&r, 2) ? words[t][rc_rng_below(&r, 4)]
                                        : filler[rc_rng_below(&r, 3)]);
        fputc('\n', f);
    }
    fclose(f);
    return path;
}

static void toy_run(rc_ft_loss loss, int ngrams) {
    char *train = toy_file("train.txt", 600, 1), *test = toy_file("test.txt", 200, 2);
    rc_ft_opts o = rc_ft_defaults();
    o.dim = 10;
    o.loss = loss;
    o.word_ngrams = ngrams;
    o.bucket = 1000;
    o.epochs = 10;
    o.lr = 0.5f;
    rc_ft *m = NULL;
    rc_ft_stats s;
    char err[256] = "";
    cr_assert_eq(rc_ft_train_file(&m, train, &o, &s, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(s.lines, 600);
    cr_assert_eq(rc_ft_num_labels(m), 3);
    rc_ft_test_result r;
    cr_assert_eq(rc_ft_test_file(m, test, 1, &r, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(r.examples + r.skipped, 200);
    // Lines made only of filler carry no signal: at most ~1/64 of them; the rest must be right.
    cr_assert_geq(r.accuracy, 0.93, "loss %d accuracy %.3f", loss, r.accuracy);
    cr_assert_float_eq(r.precision_at_k, r.accuracy, 1e-12, "one label a line: P@1 = accuracy");
    cr_assert_float_eq(r.recall_at_k, r.accuracy, 1e-12);
    int32_t lab[3];
    float p[3];
    cr_assert_eq(rc_ft_predict(m, "pear fig plum", 13, 3, 0.0f, lab, p), 3);
    cr_assert_str_eq(rc_ft_label(m, lab[0]), "__label__fruit");
    cr_assert(p[0] >= p[1] && p[1] >= p[2]);
    if (loss == RC_FT_SOFTMAX)
        cr_assert_float_eq(p[0] + p[1] + p[2], 1.0f, 1e-5, "softmax probabilities sum to 1");
    cr_assert_eq(rc_ft_predict(m, "zebra", 5, 1, 0.0f, lab, p), 0, "no known feature");
    cr_assert_eq(rc_ft_predict(m, "pear fig", 8, 3, 0.99f, lab, p) <= 1, 1, "threshold");
    // P@3 over 3 labels: every gold label is among the 3 predictions (recall 1, precision 1/3).
    cr_assert_eq(rc_ft_test_file(m, test, 3, &r, err, sizeof err), RC_OK, "%s", err);
    cr_assert_float_eq(r.recall_at_k, 1.0, 1e-12);
    cr_assert_float_eq(r.precision_at_k, 1.0 / 3.0, 1e-12);
    rc_ft_free(&m);
    free(train), free(test);
}

Test(ftsup, toy_softmax) {
    toy_run(RC_FT_SOFTMAX, 1);
}
Test(ftsup, toy_softmax_bigrams) {
    toy_run(RC_FT_SOFTMAX, 2);
}
Test(ftsup, toy_hierarchical_softmax) {
    toy_run(RC_FT_HS, 1);
}
Test(ftsup, toy_negative_sampling) {
    toy_run(RC_FT_NS, 2);
}

Test(ftsup, skips_and_errors) {
    const char *p = write_file("s.txt", "__label__a x y\n\n__label__b\nno label here\n"
                                        "__label__a y z\n__label__b q r\n");
    rc_ft_opts o = rc_ft_defaults();
    o.dim = 4;
    rc_ft *m = NULL;
    rc_ft_stats s;
    char err[256] = "";
    cr_assert_eq(rc_ft_train_file(&m, p, &o, &s, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(s.lines, 3);
    cr_assert_eq(s.skipped_no_label, 2, "the empty line and the unlabelled one");
    cr_assert_eq(s.skipped_empty, 1, "a label without words");
    rc_ft_free(&m);
    p = write_file("bad.txt", "__label__a x\n__label__b \xc3\x28\n");
    cr_assert_eq(rc_ft_train_file(&m, p, &o, NULL, err, sizeof err), RC_ERR_FORMAT);
    char want[600];
    snprintf(want, sizeof want, "%s:2: invalid UTF-8 at byte 12: truncated sequence", p);
    cr_assert(strstr(err, ":2: invalid UTF-8"), "%s", err);
    p = write_file("nolabel.txt", "x y\nz\n");
    cr_assert_eq(rc_ft_train_file(&m, p, &o, NULL, err, sizeof err), RC_ERR_ARG);
    snprintf(want, sizeof want, "%s: no label found (labels start with the label prefix)", p);
    cr_assert_str_eq(err, want);
    o.word_ngrams = 0;
    cr_assert_eq(rc_ft_train_file(&m, p, &o, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "fasttext: word_ngrams must be in 1..10");
    cr_assert_null(m);
}

// First-token labels ("0 text", the SST files' layout) and a real-data figure: fastText's own
// `supervised -wordNgrams 2` reaches 0.71 on this dev set (bench/text_embed.sh).
Test(ftsup, sst2_dev_accuracy) {
    char tr[512], dv[512];
    if (!tu_data_path("sentence-classification/stsa.binary.train", tr, sizeof tr) ||
        !tu_data_path("sentence-classification/stsa.binary.dev", dv, sizeof dv))
        return;
    rc_ft_opts o = rc_ft_defaults();
    o.label_prefix = "";
    o.word_ngrams = 2;
    rc_ft *m = NULL;
    char err[256] = "";
    cr_assert_eq(rc_ft_train_file(&m, tr, &o, NULL, err, sizeof err), RC_OK, "%s", err);
    rc_ft_test_result r;
    cr_assert_eq(rc_ft_test_file(m, dv, 1, &r, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(r.examples, 872);
    cr_assert_geq(r.accuracy, 0.70, "SST-2 dev accuracy %.4f", r.accuracy);
    rc_ft_free(&m);
}

// Issue 11 fault 7: a NUL byte separates tokens (fastText's readWord), in training and in
// prediction alike.
Test(ftsup, nul_byte_separates_tokens) {
    char path[256], err[256] = "";
    tu_tmpfile(path, sizeof path, "nul-labels.txt");
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (int i = 0; i < 20; i++) {
        fwrite("__label__x\0apple pear\n", 1, 22, f);
        fwrite("__label__y code\0bug\n", 1, 20, f);
    }
    fclose(f);
    rc_ft_opts o = rc_ft_defaults();
    o.dim = 4;
    rc_ft *m = NULL;
    cr_assert_eq(rc_ft_train_file(&m, path, &o, NULL, err, sizeof err), RC_OK, "%s", err);
    unlink(path);
    cr_assert_eq(rc_ft_num_labels(m), 2);
    cr_assert_eq(rc_vocab_size(rc_ft_vocab(m)), 4); // apple pear code bug
    cr_assert_geq(rc_vocab_find(rc_ft_vocab(m), "bug", 3), 0);
    int32_t label;
    float prob;
    cr_assert_eq(rc_ft_predict(m, "code\0bug", 8, 1, 0, &label, &prob), 1);
    cr_assert_str_eq(rc_ft_label(m, label), "__label__y");
    rc_ft_free(&m);
}
