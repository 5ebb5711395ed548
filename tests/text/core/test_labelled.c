// Labelled files (include/recur/text.h, rc_labelled_*): the four layouts, headers, ISO-8859-1,
// errors naming file and line, the fastText rewrite, k folds and their splits.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

static const char *file_with(const char *name, const char *text) {
    static char path[8][256];
    static int k;
    k = (k + 1) % 8;
    tu_write_file(tu_tmpfile(path[k], sizeof path[k], name), text, strlen(text));
    return path[k];
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    char *buf = calloc(1, 1 << 16);
    cr_assert_not_null(buf);
    fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

typedef struct seen {
    char text[1024];
    int64_t n;
} seen;

static rc_status collect(void *ctx, int64_t i, const char *label, size_t label_len,
                         const char *text, size_t text_len) {
    seen *s = ctx;
    size_t at = strlen(s->text);
    snprintf(s->text + at, sizeof s->text - at, "%lld[%.*s|%.*s]", (long long)i, (int)label_len,
             label, (int)text_len, text);
    s->n = i + 1;
    return RC_OK;
}

static void expect_layout(rc_labelled_opts o, const char *body, const char *want) {
    seen s = {0};
    char err[256] = "";
    cr_assert_eq(rc_labelled_each(file_with("l.txt", body), &o, collect, &s, err, sizeof err),
                 RC_OK, "%s", err);
    cr_assert_str_eq(s.text, want);
}

Test(labelled, the_four_layouts_and_a_header) {
    expect_layout((rc_labelled_opts){.layout = RC_LABEL_FIRST}, "1 good film\n\n0 bad\n",
                  "0[1|good film]1[0|bad]");
    expect_layout((rc_labelled_opts){.layout = RC_LABEL_PREFIX}, "__label__pos good film\n",
                  "0[pos|good film]");
    expect_layout((rc_labelled_opts){.layout = RC_LABEL_TSV_LAST, .header = true},
                  "sentence\tlabel\na good\tfilm\t1\n", "0[1|a good\tfilm]");
    expect_layout((rc_labelled_opts){.layout = RC_LABEL_TSV_FIRST}, "spam\tWIN now\nham\thi\n",
                  "0[spam|WIN now]1[ham|hi]");
}

Test(labelled, latin1_is_decoded_and_bad_lines_name_file_and_line) {
    expect_layout((rc_labelled_opts){.latin1 = true}, "1 caf\xe9 cr\xe8me\n",
                  "0[1|caf\xc3\xa9 cr\xc3\xa8me]");
    char err[256] = "";
    seen s = {0};
    const char *p = file_with("bad.tsv", "a\t1\nno tab here\n");
    const rc_labelled_opts o = {.layout = RC_LABEL_TSV_LAST};
    cr_assert_eq(rc_labelled_each(p, &o, collect, &s, err, sizeof err), RC_ERR_FORMAT);
    char want[400];
    snprintf(want, sizeof want, "%s:2: no label in the layout 'text<TAB>label'", p);
    cr_assert_str_eq(err, want);
    p = file_with("notutf8.txt", "1 caf\xe9\n");
    cr_assert_eq(rc_labelled_each(p, NULL, collect, &s, err, sizeof err), RC_ERR_FORMAT);
    cr_assert(strstr(err, ":1: invalid UTF-8"), "%s", err);
}

Test(labelled, fasttext_rewrite_skips_labels_without_text_and_can_shuffle) {
    char out[256], err[256] = "";
    tu_tmpfile(out, sizeof out, "ft.txt");
    const char *in = file_with("in.txt", "1 a\tb\n0\n0 c\n1 d\n0 e\n");
    int64_t n = 0;
    cr_assert_eq(rc_labelled_to_fasttext(in, NULL, out, &n, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(n, 4);
    char *text = slurp(out);
    cr_assert_str_eq(text, "__label__1 a b\n__label__0 c\n__label__1 d\n__label__0 e\n");
    free(text);
    const rc_labelled_opts shuffled = {.shuffle_seed = 3};
    cr_assert_eq(rc_labelled_to_fasttext(in, &shuffled, out, &n, err, sizeof err), RC_OK);
    char *a = slurp(out);
    cr_assert_eq(rc_labelled_to_fasttext(in, &shuffled, out, &n, err, sizeof err), RC_OK);
    char *b = slurp(out);
    cr_assert_str_eq(a, b, "the same seed gives the same order");
    cr_assert_str_neq(a, "__label__1 a b\n__label__0 c\n__label__1 d\n__label__0 e\n");
    cr_assert_eq(strlen(a), strlen("__label__1 a b\n__label__0 c\n__label__1 d\n__label__0 e\n"));
    free(a);
    free(b);
    unlink(out);
}

Test(labelled, folds_are_balanced_and_splits_cover_every_example_once) {
    char body[2048] = "";
    for (int i = 0; i < 23; i++)
        snprintf(body + strlen(body), sizeof body - strlen(body), "%d w%d\n", i % 2, i);
    const char *in = file_with("folds.txt", body);
    int32_t *fold;
    int64_t n;
    char err[256] = "";
    cr_assert_eq(rc_labelled_folds(in, NULL, 5, 7, &fold, &n, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(n, 23);
    int size[5] = {0};
    for (int64_t i = 0; i < n; i++)
        size[fold[i]]++;
    for (int k = 0; k < 5; k++)
        cr_assert(size[k] == 4 || size[k] == 5, "fold %d holds %d", k, size[k]);
    char tr[256], te[256];
    tu_tmpfile(tr, sizeof tr, "tr.txt");
    tu_tmpfile(te, sizeof te, "te.txt");
    int64_t lines = 0;
    for (int k = 0; k < 5; k++) {
        cr_assert_eq(rc_labelled_split(in, NULL, fold, n, k, tr, te, err, sizeof err), RC_OK);
        char *a = slurp(tr), *b = slurp(te);
        int64_t na = 0, nb = 0;
        for (char *p = a; *p; p++)
            na += *p == '\n';
        for (char *p = b; *p; p++)
            nb += *p == '\n';
        cr_assert_eq(nb, size[k]);
        cr_assert_eq(na + nb, 23);
        lines += nb;
        free(a);
        free(b);
    }
    cr_assert_eq(lines, 23, "every example is tested once");
    int32_t *again;
    cr_assert_eq(rc_labelled_folds(in, NULL, 5, 7, &again, &n, err, sizeof err), RC_OK);
    cr_assert(!memcmp(fold, again, 23 * sizeof *fold), "the same seed gives the same folds");
    cr_assert_eq(rc_labelled_folds(in, NULL, 30, 7, &again, &n, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "23 examples cannot fill 30 folds"), "%s", err);
    free(fold);
    free(again);
    unlink(tr);
    unlink(te);
}
