// rc_vocab_read_ids: a text file as one stream of ids for a language model (<eos> per line,
// <unk> for unknown words, errors naming file and line).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static const rc_tok_opts words = {.mode = RC_TOK_WORDS, .punct = RC_PUNCT_KEEP};

static const char *write_text(char *dir, const char *name, const char *text) {
    static char path[600];
    cr_assert_not_null(tu_tmpdir(dir, 256));
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static rc_vocab *vocab_of(const char *path, unsigned specials) {
    rc_vocab *v;
    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    cr_assert_eq(rc_vocab_count_file(v, path, &words, NULL, true, NULL, 0), RC_OK);
    const rc_vocab_opts o = {.specials = specials};
    cr_assert_eq(rc_vocab_finalize(v, &o), RC_OK);
    return v;
}

static int32_t id(const rc_vocab *v, const char *w) {
    return rc_vocab_find(v, w, strlen(w));
}

Test(read_ids, lines_end_with_eos_and_empty_lines_are_skipped) {
    char dir[256];
    const char *path = write_text(dir, "a.txt", " the cat <unk>\n\nthe n't\n");
    rc_vocab *v = vocab_of(path, RC_SPECIAL_UNK | RC_SPECIAL_EOS);
    int32_t *ids;
    int64_t n;
    char err[256];
    cr_assert_eq(rc_vocab_read_ids(v, path, &words, NULL, true, &ids, &n, err, sizeof err), RC_OK,
                 "%s", err);
    const int32_t eos = rc_vocab_special_id(v, RC_SPECIAL_EOS);
    const int32_t want[] = {id(v, "the"), id(v, "cat"), id(v, "<unk>"), eos, id(v, "the"),
                            id(v, "n't"), eos};
    cr_assert_eq(n, 7);
    for (int i = 0; i < 7; i++)
        cr_assert_eq(ids[i], want[i], "id %d: %d, want %d", i, ids[i], want[i]);
    cr_assert_eq(id(v, "<unk>"), rc_vocab_special_id(v, RC_SPECIAL_UNK)); // one entry, not two
    free(ids);
    rc_vocab_free(&v);
}

Test(read_ids, unknown_words_are_unk_or_an_error_naming_the_line) {
    char dir[256], err[256];
    const char *train = write_text(dir, "train.txt", "a b\n");
    rc_vocab *with_unk = vocab_of(train, RC_SPECIAL_UNK | RC_SPECIAL_EOS);
    rc_vocab *without = vocab_of(train, RC_SPECIAL_EOS);
    char other[600];
    snprintf(other, sizeof other, "%s/other.txt", dir);
    FILE *f = fopen(other, "wb");
    fputs("a b\nb zebra a\n", f);
    fclose(f);
    int32_t *ids;
    int64_t n;
    cr_assert_eq(rc_vocab_read_ids(with_unk, other, &words, NULL, true, &ids, &n, err, sizeof err),
                 RC_OK);
    cr_assert_eq(n, 7);
    cr_assert_eq(ids[4], rc_vocab_special_id(with_unk, RC_SPECIAL_UNK));
    free(ids);
    cr_assert_eq(rc_vocab_read_ids(without, other, &words, NULL, true, &ids, &n, err, sizeof err),
                 RC_ERR_FORMAT);
    cr_assert(strstr(err, "other.txt:2: token 'zebra' is not in the vocabulary"), "%s", err);
    cr_assert_null(ids);
    rc_vocab_free(&with_unk);
    rc_vocab_free(&without);
}

Test(read_ids, bad_utf8_and_bad_arguments_are_reported) {
    char dir[256], err[256];
    const char *path = write_text(dir, "bad.txt", "a b\na \xff b\n");
    rc_vocab *v;
    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    cr_assert_eq(rc_vocab_add(v, "a", 1, 1), RC_OK);
    int32_t *ids;
    int64_t n;
    // Not finalized yet.
    cr_assert_eq(rc_vocab_read_ids(v, path, &words, NULL, true, &ids, &n, err, sizeof err),
                 RC_ERR_ARG);
    cr_assert(strstr(err, "rc_vocab_read_ids"), "%s", err);
    const rc_vocab_opts o = {.specials = RC_SPECIAL_UNK | RC_SPECIAL_EOS};
    cr_assert_eq(rc_vocab_finalize(v, &o), RC_OK);
    cr_assert_eq(rc_vocab_read_ids(v, path, &words, NULL, true, &ids, &n, err, sizeof err),
                 RC_ERR_FORMAT);
    cr_assert(strstr(err, "bad.txt:2: invalid UTF-8"), "%s", err);
    cr_assert_eq(rc_vocab_read_ids(v, NULL, &words, NULL, true, &ids, &n, err, sizeof err),
                 RC_ERR_ARG);
    rc_vocab_free(&v);
}

// Characters with whitespace kept (recur lm --chars): spaces are tokens and an empty line is a
// line, its <eos> the newline, so "\n\n" in a play survives; words skip empty lines.
Test(read_ids, characters_keep_spaces_and_empty_lines) {
    char dir[256];
    const char *path = write_text(dir, "play.txt", "ab a\n\nb\n");
    const rc_tok_opts chars = {.mode = RC_TOK_CHARS, .keep_space = true};
    rc_vocab *v;
    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    cr_assert_eq(rc_vocab_count_file(v, path, &chars, NULL, true, NULL, 0), RC_OK);
    const rc_vocab_opts o = {.specials = RC_SPECIAL_EOS};
    cr_assert_eq(rc_vocab_finalize(v, &o), RC_OK);
    const int32_t eos = rc_vocab_special_id(v, RC_SPECIAL_EOS);
    cr_assert_eq(rc_vocab_count(v, eos), 3, "three lines, one of them empty");
    int32_t *ids;
    int64_t n;
    char err[256] = "";
    cr_assert_eq(rc_vocab_read_ids(v, path, &chars, NULL, true, &ids, &n, err, sizeof err), RC_OK,
                 "%s", err);
    cr_assert_eq(n, 8, "a b space a <eos> <eos> b <eos>");
    const int32_t a = rc_vocab_id(v, "a", 1), b = rc_vocab_id(v, "b", 1),
                  sp = rc_vocab_id(v, " ", 1);
    const int32_t want[8] = {a, b, sp, a, eos, eos, b, eos};
    cr_assert(!memcmp(ids, want, sizeof want));
    free(ids);
    rc_vocab_free(&v);
}
