// The vocabulary (counting, ordering, specials, lookups, save/load and its errors) and the
// streaming line reader (long lines, CRLF, invalid UTF-8, errors naming file and line).
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

static char tmp_dir[256];

static const char *write_file(const char *name, const char *bytes, size_t len) {
    static char path[512];
    if (!tmp_dir[0])
        cr_assert_not_null(tu_tmpdir(tmp_dir, sizeof tmp_dir));
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    fclose(f);
    return path;
}

static rc_vocab *counted(const char *text) {
    rc_vocab *v;
    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    rc_tokens t = {0};
    rc_tok_opts o = rc_tok_defaults();
    o.punct = RC_PUNCT_KEEP; // "<unk>" stays one token
    cr_assert_eq(rc_tokenize(&o, text, strlen(text), &t, NULL, 0), RC_OK);
    cr_assert_eq(rc_vocab_add_tokens(v, &t), RC_OK);
    rc_tokens_free(&t);
    return v;
}

static void assert_token(const rc_vocab *v, int32_t id, const char *want, int64_t count) {
    size_t len;
    const char *s = rc_vocab_token(v, id, &len);
    cr_assert_not_null(s, "id %d missing", id);
    cr_assert_str_eq(s, want, "id %d", id);
    cr_assert_eq(len, strlen(want));
    cr_assert_eq(rc_vocab_count(v, id), count, "count of '%s'", want);
}

// Counts: c 4, a 3, b 3, d 2, e 1, <unk> 1 (literal in the text).
static const char *const sample = "c a b c d a b c e d a b c <unk>";

Test(text, vocab_order_specials_and_lookup) {
    rc_vocab *v = counted(sample);
    cr_assert_not(rc_vocab_finalized(v));
    const rc_vocab_opts o = {.min_count = 2,
                             .specials = RC_SPECIAL_PAD | RC_SPECIAL_UNK | RC_SPECIAL_EOS};
    cr_assert_eq(rc_vocab_finalize(v, &o), RC_OK);
    cr_assert_eq(rc_vocab_size(v), 7);
    assert_token(v, 0, "<pad>", 0);
    assert_token(v, 1, "<unk>", 1); // the literal <unk> counts for the special
    assert_token(v, 2, "<eos>", 0);
    assert_token(v, 3, "c", 4);
    assert_token(v, 4, "a", 3); // ties by bytes: a before b
    assert_token(v, 5, "b", 3);
    assert_token(v, 6, "d", 2); // e (count 1) is below min_count
    cr_assert_eq(rc_vocab_total(v), 1 + 4 + 3 + 3 + 2);
    cr_assert_eq(rc_vocab_find(v, "e", 1), -1);
    cr_assert_eq(rc_vocab_id(v, "e", 1), 1);
    cr_assert_eq(rc_vocab_id(v, "b", 1), 5);
    cr_assert_eq(rc_vocab_special_id(v, RC_SPECIAL_EOS), 2);
    cr_assert_null(rc_vocab_token(v, 7, NULL));
    cr_assert_null(rc_vocab_token(v, -1, NULL));
    cr_assert_eq(rc_vocab_add(v, "x", 1, 1), RC_ERR_STATE);
    cr_assert_eq(rc_vocab_finalize(v, &o), RC_ERR_STATE);

    rc_tokens t = {0};
    rc_tok_opts to = rc_tok_defaults();
    cr_assert_eq(rc_tokenize(&to, "a zz d", 6, &t, NULL, 0), RC_OK);
    int32_t ids[3];
    cr_assert_eq(rc_vocab_ids(v, &t, ids), 3);
    cr_assert(ids[0] == 4 && ids[1] == 1 && ids[2] == 6);
    rc_tokens_free(&t);
    rc_vocab_free(&v);
    cr_assert_null(v);
    rc_vocab_free(&v);
}

Test(text, vocab_max_size_counts_specials) {
    rc_vocab *v = counted(sample);
    const rc_vocab_opts o = {.max_size = 3, .specials = RC_SPECIAL_UNK};
    cr_assert_eq(rc_vocab_finalize(v, &o), RC_OK);
    cr_assert_eq(rc_vocab_size(v), 3);
    assert_token(v, 0, "<unk>", 1);
    assert_token(v, 1, "c", 4);
    assert_token(v, 2, "a", 3);
    cr_assert_eq(rc_vocab_special_id(v, RC_SPECIAL_PAD), -1);
    rc_vocab_free(&v);
}

Test(text, vocab_without_specials_has_no_unk) {
    rc_vocab *v = counted(sample);
    cr_assert_eq(rc_vocab_finalize(v, NULL), RC_OK);
    cr_assert_eq(rc_vocab_size(v), 6);
    assert_token(v, 0, "c", 4);
    assert_token(v, 5, "e", 1);
    assert_token(v, 4, "<unk>", 1); // an ordinary token now: '<' sorts before 'e'
    cr_assert_eq(rc_vocab_id(v, "zz", 2), -1);
    rc_vocab_free(&v);
}

Test(text, vocab_rejects_tokens_the_file_cannot_hold) {
    rc_vocab *v;
    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    cr_assert_eq(rc_vocab_add(v, "a\tb", 3, 1), RC_ERR_ARG);
    cr_assert_eq(rc_vocab_add(v, "a\nb", 3, 1), RC_ERR_ARG);
    cr_assert_eq(rc_vocab_add(v, "", 0, 1), RC_ERR_ARG);
    cr_assert_eq(rc_vocab_add(v, "a", 1, -1), RC_ERR_ARG);
    cr_assert_eq(rc_vocab_add(v, "a", 1, 5), RC_OK);
    cr_assert_eq(rc_vocab_finalize(v, &(rc_vocab_opts){.max_size = -1}), RC_ERR_ARG);
    rc_vocab_free(&v);
}

Test(text, vocab_save_load_round_trip) {
    rc_vocab *v = counted("z y y x x x caf\xC3\xA9");
    cr_assert_eq(rc_vocab_finalize(v, &(rc_vocab_opts){.specials = RC_SPECIAL_UNK}), RC_OK);
    char dir[256], path[300], err[256] = "";
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/vocab.txt", dir);
    cr_assert_eq(rc_vocab_save(v, path, err, sizeof err), RC_OK, "%s", err);
    FILE *f = fopen(path, "rb");
    char text[128] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cr_assert_str_eq(text, "<unk>\t0\nx\t3\ny\t2\ncaf\xC3\xA9\t1\nz\t1\n");
    rc_vocab *w;
    cr_assert_eq(rc_vocab_load(&w, path, err, sizeof err), RC_OK, "%s", err);
    cr_assert(rc_vocab_finalized(w));
    cr_assert_eq(rc_vocab_size(w), rc_vocab_size(v));
    for (int32_t id = 0; id < rc_vocab_size(v); id++)
        assert_token(w, id, rc_vocab_token(v, id, NULL), rc_vocab_count(v, id));
    cr_assert_eq(rc_vocab_special_id(w, RC_SPECIAL_UNK), 0);
    cr_assert_eq(rc_vocab_id(w, "nope", 4), 0);
    cr_assert_eq(rc_vocab_total(w), 7);
    rc_vocab_free(&v);
    rc_vocab_free(&w);
}

static void expect_load_error(const char *name, const char *body, size_t len, rc_status want,
                              const char *msg_suffix) {
    const char *path = write_file(name, body, len);
    rc_vocab *v = (rc_vocab *)1;
    char err[256] = "";
    cr_assert_eq(rc_vocab_load(&v, path, err, sizeof err), want, "%s: %s", name, err);
    cr_assert_null(v);
    char want_msg[512];
    snprintf(want_msg, sizeof want_msg, "%s%s", path, msg_suffix);
    cr_assert_str_eq(err, want_msg);
}

Test(text, vocab_load_errors_name_file_and_line) {
    const char bad_count[] = "a\t3\nb\t2x\n";
    expect_load_error("count.txt", bad_count, strlen(bad_count), RC_ERR_FORMAT,
                      ":2: bad count '2x' (want a non-negative integer)");
    const char neg[] = "a\t-3\n";
    expect_load_error("neg.txt", neg, strlen(neg), RC_ERR_FORMAT,
                      ":1: bad count '-3' (want a non-negative integer)");
    const char no_count[] = "a\t3\n\nb\t\n";
    expect_load_error("nocount.txt", no_count, strlen(no_count), RC_ERR_FORMAT,
                      ":3: bad count '' (want a non-negative integer)");
    const char no_tab[] = "a 3\n";
    expect_load_error("notab.txt", no_tab, strlen(no_tab), RC_ERR_FORMAT,
                      ":1: no tab between token and count");
    const char empty_tok[] = "a\t1\r\n\t4\r\n";
    expect_load_error("empty.txt", empty_tok, strlen(empty_tok), RC_ERR_FORMAT, ":2: empty token");
    const char dup[] = "a\t1\nb\t1\na\t1\n";
    expect_load_error("dup.txt", dup, strlen(dup), RC_ERR_FORMAT,
                      ":3: duplicate token 'a' (first on line 1)");
    const char utf[] = "a\t1\nb\xE2\x82\t1\n";
    expect_load_error("utf.txt", utf, strlen(utf), RC_ERR_FORMAT,
                      ":2: invalid UTF-8 at byte 1: truncated sequence");
    const char huge[] = "99999999999999999999\t1\nx\t99999999999999999999\n";
    expect_load_error("huge.txt", huge, strlen(huge), RC_ERR_FORMAT,
                      ":2: bad count '99999999999999999999' (want a non-negative integer)");
    char err[256];
    rc_vocab *v;
    cr_assert_eq(rc_vocab_load(&v, "/nonexistent/vocab.txt", err, sizeof err), RC_ERR_IO);
    cr_assert_str_eq(err, "/nonexistent/vocab.txt: No such file or directory");
}

Test(text, vocab_save_needs_finalize_and_a_writable_place) {
    rc_vocab *v = counted("a b");
    char err[256];
    cr_assert_eq(rc_vocab_save(v, "/tmp/x.txt", err, sizeof err), RC_ERR_STATE);
    cr_assert_str_eq(err, "/tmp/x.txt: finalize the vocabulary before saving it");
    cr_assert_eq(rc_vocab_finalize(v, NULL), RC_OK);
    cr_assert_eq(rc_vocab_save(v, "/nonexistent/dir/v.txt", err, sizeof err), RC_ERR_IO);
    cr_assert(strstr(err, "/nonexistent/dir/v.txt: cannot create a temporary file"), "%s", err);
    rc_vocab_free(&v);
}

Test(text, vocab_count_file_streams_lines) {
    const char body[] = "the cat\r\n\n  \nthe dog\nthe end"; // CRLF, empty lines, no final \n
    const char *path = write_file("corpus.txt", body, strlen(body));
    rc_vocab *v;
    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    rc_tok_opts o = rc_tok_defaults();
    char err[256] = "";
    cr_assert_eq(rc_vocab_count_file(v, path, &o, NULL, true, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_vocab_finalize(v, &(rc_vocab_opts){.specials = RC_SPECIAL_EOS}), RC_OK);
    assert_token(v, 0, "<eos>", 4); // one per non-empty line ("  " has no token but counts)
    assert_token(v, 1, "the", 3);
    assert_token(v, 2, "cat", 1);
    assert_token(v, 3, "dog", 1);
    assert_token(v, 4, "end", 1);
    cr_assert_eq(rc_vocab_size(v), 5);
    rc_vocab_free(&v);
}

Test(text, vocab_count_file_errors) {
    const char body[] = "ok line\nbad \xFF byte\n";
    const char *path = write_file("bad.txt", body, strlen(body));
    rc_vocab *v;
    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    rc_tok_opts o = rc_tok_defaults();
    char err[256], want[512];
    cr_assert_eq(rc_vocab_count_file(v, path, &o, NULL, false, err, sizeof err), RC_ERR_FORMAT);
    snprintf(want, sizeof want, "%s:2: invalid UTF-8 at byte 4: invalid lead byte", path);
    cr_assert_str_eq(err, want);
    const char longer[] = "short\nthis line is much too long\nok\n";
    path = write_file("long.txt", longer, strlen(longer));
    rc_line_opts lo = {.max_line = 10};
    cr_assert_eq(rc_vocab_count_file(v, path, &o, &lo, false, err, sizeof err), RC_ERR_FORMAT);
    snprintf(want, sizeof want, "%s:2: line longer than 10 bytes", path);
    cr_assert_str_eq(err, want);
    cr_assert_eq(rc_vocab_count_file(v, "/nonexistent", &o, NULL, false, err, sizeof err),
                 RC_ERR_IO);
    cr_assert_str_eq(err, "/nonexistent: No such file or directory");
    rc_vocab_free(&v);
}

// Reads every line of path with opts; returns them joined with '|' as "lineno:text".
static void read_all(const char *path, const rc_line_opts *opts, char *out, size_t out_len,
                     rc_status *last, char *err, size_t err_len) {
    rc_line_reader *r;
    cr_assert_eq(rc_line_reader_open(&r, path, opts, err, err_len), RC_OK);
    size_t at = 0;
    out[0] = '\0';
    const char *line;
    size_t len;
    rc_status st;
    while (((st = rc_line_reader_next(r, &line, &len, err, err_len)) == RC_OK && line) ||
           st == RC_ERR_FORMAT) {
        if (st == RC_ERR_FORMAT) {
            if (at < out_len)
                at += (size_t)snprintf(out + at, out_len - at, "%s[error %lld]", at ? "|" : "",
                                       (long long)rc_line_reader_lineno(r));
            *last = st;
            continue;
        }
        if (at < out_len) // the output is cut at out_len - 1 bytes
            at += (size_t)snprintf(out + at, out_len - at, "%s%lld:%.*s", at ? "|" : "",
                                   (long long)rc_line_reader_lineno(r), (int)len, line);
    }
    cr_assert_str_eq(rc_line_reader_path(r), path);
    rc_line_reader_close(&r);
    cr_assert_null(r);
}

Test(text, line_reader_splits_long_lines_at_spaces) {
    const char body[] = "one two three four five\nabcdefghijklmnop\r\nshort\n";
    const char *path = write_file("split.txt", body, strlen(body));
    rc_line_opts o = {.max_line = 8, .long_line = RC_LONG_LINE_SPLIT};
    char out[512], err[256];
    rc_status last = RC_OK;
    read_all(path, &o, out, sizeof out, &last, err, sizeof err);
    cr_assert_str_eq(out, "1:one two|1:three|1:four|1:five|2:abcdefgh|2:ijklmnop|3:short");
    cr_assert_eq(last, RC_OK);
}

Test(text, line_reader_split_keeps_code_points_whole) {
    // "ééééé" is 10 bytes; pieces of at most 5 bytes must end on a character boundary.
    const char body[] = "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\n";
    const char *path = write_file("utf8split.txt", body, strlen(body));
    rc_line_opts o = {.max_line = 5, .long_line = RC_LONG_LINE_SPLIT, .validate_utf8 = true};
    char out[512], err[256];
    rc_status last = RC_OK;
    read_all(path, &o, out, sizeof out, &last, err, sizeof err);
    cr_assert_str_eq(out, "1:\xC3\xA9\xC3\xA9|1:\xC3\xA9\xC3\xA9|1:\xC3\xA9");
}

Test(text, line_reader_skips_past_a_line_it_reports) {
    // A line of 200 kB (longer than the read chunk) between two short ones.
    size_t n = 200000;
    char *body = malloc(n + 32);
    memcpy(body, "first\n", 6);
    memset(body + 6, 'x', n);
    memcpy(body + 6 + n, "\nlast", 6);
    const char *path = write_file("huge.txt", body, n + 11);
    free(body);
    rc_line_opts o = {.max_line = 1000};
    char out[512], err[256];
    rc_status last = RC_OK;
    read_all(path, &o, out, sizeof out, &last, err, sizeof err);
    cr_assert_str_eq(out, "1:first|[error 2]|3:last");
    char want[512];
    snprintf(want, sizeof want, "%s:2: line longer than 1000 bytes", path);
    cr_assert_str_eq(err, want);
    o.max_line = 0; // the default (1 MiB) takes the whole line
    read_all(path, &o, out, 12, &last, err, sizeof err);
    cr_assert_str_eq(out, "1:first|2:x"); // cut at 12 bytes by read_all
}

Test(text, line_reader_empty_file_and_exact_limit) {
    const char *path = write_file("empty.txt", "", 0);
    rc_line_opts o = {.max_line = 3};
    char out[64], err[256];
    rc_status last = RC_OK;
    read_all(path, &o, out, sizeof out, &last, err, sizeof err);
    cr_assert_str_eq(out, "");
    path = write_file("exact.txt", "abc\r\nabc\nabcd", 13);
    read_all(path, &o, out, sizeof out, &last, err, sizeof err);
    cr_assert_str_eq(out, "1:abc|2:abc|[error 3]");
}

// The NULL policy (include/recur/base.h): a NULL the function needs is RC_ERR_ARG with a message
// naming the function and the argument, never a crash (issue 11, fault 3); NULL options are the
// defaults.
Test(text, line_reader_and_vocab_reject_null_arguments) {
    char err[256] = "";
    rc_line_reader *r = (rc_line_reader *)&err; // not NULL: open must clear it
    cr_assert_eq(rc_line_reader_open(&r, NULL, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_line_reader_open: path is NULL");
    cr_assert_null(r);
    cr_assert_eq(rc_line_reader_open(NULL, "/tmp/x", NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_line_reader_open: r is NULL");
    const char *line = "x";
    size_t len = 1;
    cr_assert_eq(rc_line_reader_next(NULL, &line, &len, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_line_reader_next: r is NULL");
    cr_assert_null(line);
    cr_assert_eq(rc_line_reader_lineno(NULL), 0);
    cr_assert_null(rc_line_reader_path(NULL));
    rc_line_reader_close(NULL);

    rc_vocab *v = (rc_vocab *)&err;
    cr_assert_eq(rc_vocab_load(&v, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_vocab_load: path is NULL");
    cr_assert_null(v);
    cr_assert_eq(rc_vocab_load(NULL, "/tmp/v.txt", err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_vocab_load: v is NULL");
    cr_assert_eq(rc_vocab_save(NULL, "/tmp/v.txt", err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_vocab_save: v is NULL");
    cr_assert_eq(rc_vocab_count_file(NULL, "/tmp/c.txt", NULL, NULL, false, err, sizeof err),
                 RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_vocab_count_file: v is NULL");
    cr_assert_eq(rc_vocab_new(NULL), RC_ERR_ARG);
    cr_assert_eq(rc_vocab_add(NULL, "a", 1, 1), RC_ERR_ARG);
    cr_assert_eq(rc_vocab_add_tokens(NULL, &(rc_tokens){0}), RC_ERR_ARG);
    cr_assert_eq(rc_vocab_finalize(NULL, NULL), RC_ERR_ARG);
    cr_assert_not(rc_vocab_finalized(NULL));
    cr_assert_eq(rc_vocab_size(NULL), 0);
    cr_assert_eq(rc_vocab_total(NULL), 0);
    cr_assert_eq(rc_vocab_find(NULL, "a", 1), -1);
    cr_assert_eq(rc_vocab_id(NULL, "a", 1), -1);
    cr_assert_null(rc_vocab_token(NULL, 0, &len));
    cr_assert_eq(rc_vocab_count(NULL, 0), 0);
    cr_assert_eq(rc_vocab_special_id(NULL, RC_SPECIAL_UNK), -1);
    rc_vocab_free(NULL);

    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    cr_assert_eq(rc_vocab_add(v, NULL, 1, 1), RC_ERR_ARG);
    cr_assert_eq(rc_vocab_add_tokens(v, NULL), RC_ERR_ARG);
    cr_assert_eq(rc_vocab_count_file(v, NULL, NULL, NULL, false, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_vocab_count_file: path is NULL");
    char path[256];
    tu_write_file(tu_tmpfile(path, sizeof path, "null-opts.txt"), "b a, a\n", 7);
    // NULL tokenizer and line options: rc_tok_defaults() and the line reader's defaults.
    cr_assert_eq(rc_vocab_count_file(v, path, NULL, NULL, false, err, sizeof err), RC_OK, "%s",
                 err);
    unlink(path);
    cr_assert_eq(rc_vocab_finalize(v, NULL), RC_OK);
    cr_assert_eq(rc_vocab_size(v), 3);
    assert_token(v, 0, "a", 2);
    assert_token(v, 1, ",", 1); // punctuation split off, as rc_tok_defaults() has it
    assert_token(v, 2, "b", 1);
    cr_assert_eq(rc_vocab_save(v, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_vocab_save: path is NULL");
    rc_vocab_free(&v);
}

// Issue 11 fault 4: after a too-long line, the lines already read into the buffer with it are
// returned, not dropped ("a caller may report it and read on").
Test(text, line_reader_reads_on_after_a_long_line) {
    char path[256];
    const char body[] = "one\nthis line is too long\nthree\nfour\nfive\n";
    tu_write_file(tu_tmpfile(path, sizeof path, "five.txt"), body, strlen(body));
    rc_line_opts o = {.max_line = 10};
    char out[512], err[256];
    rc_status last = RC_OK;
    read_all(path, &o, out, sizeof out, &last, err, sizeof err);
    cr_assert_str_eq(out, "1:one|[error 2]|3:three|4:four|5:five");
    cr_assert_eq(last, RC_ERR_FORMAT);
    char want[512];
    snprintf(want, sizeof want, "%s:2: line longer than 10 bytes", path);
    cr_assert_str_eq(err, want);
    // The same with the long line last and no newline after it.
    tu_write_file(path, "one\ntwo\nthis line is too long", 29);
    read_all(path, &o, out, sizeof out, &last, err, sizeof err);
    cr_assert_str_eq(out, "1:one|2:two|[error 3]");
    unlink(path);
}

// Issue 11 fault 5: with max_line below 4, a character longer than max_line is not cut in two
// (that made valid UTF-8 invalid); its piece holds the whole character, max_line + 3 bytes at
// most.
Test(text, line_reader_split_below_four_bytes_keeps_characters_whole) {
    char path[256];
    // "€" is 3 bytes (E2 82 AC), "𝄞" 4 (F0 9D 84 9E).
    const char body[] = "\xE2\x82\xAC\xE2\x82\xAC\na\xE2\x82\xAC"
                        "b\n\xF0\x9D\x84\x9E"
                        "c\n";
    tu_write_file(tu_tmpfile(path, sizeof path, "split-small.txt"), body, strlen(body));
    char out[512], err[256] = "";
    rc_status last = RC_OK;
    rc_line_opts o = {.max_line = 2, .long_line = RC_LONG_LINE_SPLIT, .validate_utf8 = true};
    read_all(path, &o, out, sizeof out, &last, err, sizeof err);
    cr_assert_eq(last, RC_OK, "%s", err);
    cr_assert_str_eq(out, "1:\xE2\x82\xAC|1:\xE2\x82\xAC|2:a|2:\xE2\x82\xAC|2:b|"
                          "3:\xF0\x9D\x84\x9E|3:c");
    o.max_line = 1;
    read_all(path, &o, out, sizeof out, &last, err, sizeof err);
    cr_assert_eq(last, RC_OK, "%s", err);
    cr_assert_str_eq(out, "1:\xE2\x82\xAC|1:\xE2\x82\xAC|2:a|2:\xE2\x82\xAC|2:b|"
                          "3:\xF0\x9D\x84\x9E|3:c");
    o.max_line = 3;
    read_all(path, &o, out, sizeof out, &last, err, sizeof err);
    cr_assert_eq(last, RC_OK, "%s", err);
    cr_assert_str_eq(out, "1:\xE2\x82\xAC|1:\xE2\x82\xAC|2:a|2:\xE2\x82\xAC|2:b|"
                          "3:\xF0\x9D\x84\x9E|3:c");
    unlink(path);
}

// Issue 11 fault 6: counts never overflow int64. Ten 18-digit counts in a file pass INT64_MAX
// (the total went negative); adding to a count of INT64_MAX wrapped it, and finalize dropped the
// token.
Test(text, vocab_counts_never_overflow) {
    char path[256], err[256] = "", want[512], body[512];
    size_t at = 0;
    for (int i = 0; i < 10; i++)
        at += (size_t)snprintf(body + at, sizeof body - at, "%c\t999999999999999999\n", 'a' + i);
    tu_write_file(tu_tmpfile(path, sizeof path, "big-counts.txt"), body, at);
    rc_vocab *v;
    cr_assert_eq(rc_vocab_load(&v, path, err, sizeof err), RC_ERR_FORMAT);
    snprintf(want, sizeof want,
             "%s:10: count 999999999999999999 of 'j' takes the total past INT64_MAX", path);
    cr_assert_str_eq(err, want);
    cr_assert_null(v);
    // Nine fit: 8999999999999999991.
    tu_write_file(path, body, at - strlen("j\t999999999999999999\n"));
    cr_assert_eq(rc_vocab_load(&v, path, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_vocab_total(v), 8999999999999999991LL);
    rc_vocab_free(&v);

    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    cr_assert_eq(rc_vocab_add(v, "a", 1, INT64_MAX), RC_OK);
    cr_assert_eq(rc_vocab_add(v, "a", 1, 1), RC_ERR_RANGE);
    tu_write_file(path, "b a\n", 4);
    cr_assert_eq(rc_vocab_count_file(v, path, NULL, NULL, false, err, sizeof err), RC_ERR_RANGE);
    snprintf(want, sizeof want, "%s:1: the count of 'a' would pass INT64_MAX", path);
    cr_assert_str_eq(err, want);
    cr_assert_eq(rc_vocab_count(v, rc_vocab_find(v, "b", 1)), 1); // counted before the failure
    cr_assert_eq(rc_vocab_finalize(v, &(rc_vocab_opts){.min_count = 2}), RC_OK);
    assert_token(v, 0, "a", INT64_MAX); // kept, its count unchanged
    cr_assert_eq(rc_vocab_size(v), 1);
    rc_vocab_free(&v);

    // Two tokens whose total would pass INT64_MAX: finalize refuses, the counts stay.
    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    cr_assert_eq(rc_vocab_add(v, "a", 1, INT64_MAX), RC_OK);
    cr_assert_eq(rc_vocab_add(v, "b", 1, 1), RC_OK);
    cr_assert_eq(rc_vocab_finalize(v, NULL), RC_ERR_RANGE);
    cr_assert_not(rc_vocab_finalized(v));
    cr_assert_eq(rc_vocab_finalize(v, &(rc_vocab_opts){.min_count = 2}), RC_OK); // "b" left out
    assert_token(v, 0, "a", INT64_MAX);
    cr_assert_eq(rc_vocab_total(v), INT64_MAX);
    rc_vocab_free(&v);
    unlink(path);
}
