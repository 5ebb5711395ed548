// UTF-8 decoding, character classes, lower-casing and the tokenizer's modes.
#include <string.h>

#include "test_util.h"

// Asserts that t holds exactly the tokens want[0..n).
static void assert_tokens(const rc_tokens *t, const char *const *want, size_t n) {
    cr_assert_eq(t->n, n, "got %zu tokens, want %zu", t->n, n);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *s = rc_token(t, i, &len);
        cr_assert(len == strlen(want[i]) && !memcmp(s, want[i], len),
                  "token %zu: '%.*s', want '%s'", i, (int)len, s, want[i]);
    }
}

static void tokenize_ok(const rc_tok_opts *o, const char *s, rc_tokens *t) {
    char err[128] = "";
    cr_assert_eq(rc_tokenize(o, s, strlen(s), t, err, sizeof err), RC_OK, "%s", err);
}

Test(text, utf8_errors_name_kind_and_offset) {
    const struct {
        const char *s;
        rc_utf8_error why;
    } bad[] = {
        {"\x80", RC_UTF8_CONTINUATION},         {"\xFF", RC_UTF8_LEAD},
        {"\xE2\x82", RC_UTF8_TRUNCATED},        {"\xE2\x82 x", RC_UTF8_TRUNCATED},
        {"\xC0\x80", RC_UTF8_OVERLONG},         {"\xE0\x80\xAF", RC_UTF8_OVERLONG},
        {"\xF0\x82\x82\xAC", RC_UTF8_OVERLONG}, {"\xED\xA0\x80", RC_UTF8_SURROGATE},
        {"\xF4\x90\x80\x80", RC_UTF8_TOO_BIG},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint32_t cp;
        rc_utf8_error why;
        cr_assert_eq(rc_utf8_decode(bad[i].s, strlen(bad[i].s), &cp, &why), 0, "case %zu", i);
        cr_assert_eq(why, bad[i].why, "case %zu: %s", i, rc_utf8_error_str(why));
    }
    size_t at = 0;
    rc_utf8_error why;
    const char *s = "plain ascii, then caf\xC3\xA9, then \xED\xA0\x80";
    cr_assert_not(rc_utf8_validate(s, strlen(s), &at, &why));
    cr_assert_eq(at, strlen(s) - 3);
    cr_assert_eq(why, RC_UTF8_SURROGATE);
    cr_assert(rc_utf8_validate(s, strlen(s) - 3, &at, &why));
    cr_assert_str_eq(rc_utf8_error_str(RC_UTF8_OVERLONG), "overlong encoding");
}

Test(text, utf8_round_trip_every_code_point) {
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        char b[4];
        int n = rc_utf8_encode(cp, b);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            cr_assert_eq(n, 0);
            continue;
        }
        cr_assert_eq(n, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
        uint32_t back;
        cr_assert_eq(rc_utf8_decode(b, (size_t)n, &back, NULL), n);
        cr_assert_eq(back, cp, "U+%04X", cp);
    }
    cr_assert_eq(rc_utf8_encode(0x110000, (char[4]){0}), 0);
}

Test(text, latin1_to_utf8) {
    const char in[] = "caf\xE9 \xA3"
                      "5";
    char out[2 * sizeof in];
    size_t n = rc_latin1_to_utf8(in, strlen(in), out);
    cr_assert_eq(n, 9);
    cr_assert(!memcmp(out,
                      "caf\xC3\xA9 \xC2\xA3"
                      "5",
                      n));
}

// Classes as Python's re sees them (checked with /usr/bin/python3: re.match(r'\w', c)).
Test(text, character_classes_follow_python) {
    const uint32_t word[] = {'a',
                             'Z',
                             '0',
                             '_',
                             0xE9,
                             0xAA,
                             0xB2,
                             0xBD,
                             0xB5,
                             0x3B1,
                             0x416,
                             0x4E2D,
                             0x0661 /* Arabic-Indic one */,
                             0x2160 /* Roman numeral one, Nl */};
    const uint32_t not_word[] = {'-',  '\'',   ' ',    0xD7,   0xF7,   0x301 /* combining acute */,
                                 0xB7, 0x2013, 0x2019, 0x20AC, 0x1F600};
    for (size_t i = 0; i < sizeof word / sizeof word[0]; i++)
        cr_assert(rc_unicode_is_word(word[i]), "U+%04X should be \\w", word[i]);
    for (size_t i = 0; i < sizeof not_word / sizeof not_word[0]; i++)
        cr_assert_not(rc_unicode_is_word(not_word[i]), "U+%04X should not be \\w", not_word[i]);
    const uint32_t space[] = {' ',  '\t', '\n', 0x0B, 0x0C,   '\r',
                              0x1C, 0x1F, 0x85, 0xA0, 0x2003, 0x3000};
    for (size_t i = 0; i < sizeof space / sizeof space[0]; i++)
        cr_assert(rc_unicode_is_space(space[i]), "U+%04X should be \\s", space[i]);
    cr_assert_not(rc_unicode_is_space(0x200B)); // zero-width space is not \s in Python
    cr_assert_not(rc_unicode_is_space('x'));
}

Test(text, simple_lowercase_mapping) {
    const uint32_t pairs[][2] = {
        {'A', 'a'},     {'z', 'z'},      {0xC0, 0xE0},       {0xDE, 0xFE},   {0xDF, 0xDF},
        {0xD7, 0xD7},   {0x100, 0x101},  {0x101, 0x101},     {0x130, 'i'},   {0x178, 0xFF},
        {0x39E, 0x3BE}, {0x3A3, 0x3C3},  {0x386, 0x3AC},     {0x416, 0x436}, {0x401, 0x451},
        {0x1E9E, 0xDF}, {0x2126, 0x3C9}, {0x10400, 0x10428},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        cr_assert_eq(rc_unicode_lower(pairs[i][0]), pairs[i][1], "U+%04X -> U+%04X, got U+%04X",
                     pairs[i][0], pairs[i][1], rc_unicode_lower(pairs[i][0]));
}

Test(text, words_punctuation_split_keep_drop) {
    rc_tokens t = {0};
    const char *s = "Don't stop, h\xC3\xA9llo!";
    rc_tok_opts o = rc_tok_defaults();
    tokenize_ok(&o, s, &t);
    assert_tokens(&t, (const char *[]){"Don", "'", "t", "stop", ",", "h\xC3\xA9llo", "!"}, 7);
    cr_assert_eq(t.text, s, "without lower-casing, spans point into the input");
    cr_assert_eq(t.spans[3].off, 6);
    o.punct = RC_PUNCT_DROP;
    tokenize_ok(&o, s, &t);
    assert_tokens(&t, (const char *[]){"Don", "t", "stop", "h\xC3\xA9llo"}, 4);
    o.punct = RC_PUNCT_KEEP;
    tokenize_ok(&o, "  Don't\tstop,\n now  ", &t);
    assert_tokens(&t, (const char *[]){"Don't", "stop,", "now"}, 3);
    tokenize_ok(&o, "", &t);
    cr_assert_eq(t.n, 0);
    tokenize_ok(&o, " \t\n ", &t);
    cr_assert_eq(t.n, 0);
    rc_tokens_free(&t);
    cr_assert_null(t.spans);
}

Test(text, lowercase_greek_cyrillic_latin) {
    rc_tokens t = {0};
    rc_tok_opts o = rc_tok_defaults();
    o.lowercase = true;
    tokenize_ok(&o,
                "\xCE\x91\xCE\x92\xCE\x93 \xD0\x96\xD1\x83\xD0\xBA \xC3\x89"
                "COLE \xC4\x80x",
                &t);
    assert_tokens(&t,
                  (const char *[]){"\xCE\xB1\xCE\xB2\xCE\xB3", "\xD0\xB6\xD1\x83\xD0\xBA",
                                   "\xC3\xA9"
                                   "cole",
                                   "\xC4\x81x"},
                  4);
    cr_assert_neq(t.text, NULL);
    rc_tokens_free(&t);
}

// Expected tokens from /usr/bin/python3:
//   re.findall(r"(?u)\b\w\w+\b", s.lower())
//   -> ['ab', 'x_y', '½½', 'café', 'té', 'αβγ', 'жук', 'école', 'naïve', '14', 'don']
Test(text, sklearn_mode_matches_python_regex) {
    const char *s =
        "A 1 ab x_y a-b \xC2\xBD\xC2\xBD caf\xC3\xA9 e\xCC\x81t\xC3\xA9 \xC3\x97\xC3\x97 "
        "\xCE\x91\xCE\x92\xCE\x93 \xD0\x96\xD1\x83\xD0\xBA \xC3\x89"
        "COLE na\xC3\xAFve "
        "3.14 don't";
    rc_tokens t = {0};
    rc_tok_opts o = rc_tok_sklearn();
    tokenize_ok(&o, s, &t);
    assert_tokens(&t,
                  (const char *[]){"ab", "x_y", "\xC2\xBD\xC2\xBD", "caf\xC3\xA9", "t\xC3\xA9",
                                   "\xCE\xB1\xCE\xB2\xCE\xB3", "\xD0\xB6\xD1\x83\xD0\xBA",
                                   "\xC3\xA9"
                                   "cole",
                                   "na\xC3\xAFve", "14", "don"},
                  11);
    rc_tokens_free(&t);
}

Test(text, characters_by_code_point) {
    rc_tokens t = {0};
    rc_tok_opts o = {.mode = RC_TOK_CHARS};
    tokenize_ok(&o, "ab \xC3\xA9!", &t);
    assert_tokens(&t, (const char *[]){"a", "b", "\xC3\xA9", "!"}, 4);
    o.keep_space = true;
    o.lowercase = true;
    tokenize_ok(&o, "A \xC3\x89", &t);
    assert_tokens(&t, (const char *[]){"a", " ", "\xC3\xA9"}, 3);
    rc_tokens_free(&t);
}

Test(text, min_chars_drops_short_words_only) {
    rc_tokens t = {0};
    rc_tok_opts o = rc_tok_defaults();
    o.min_chars = 3;
    tokenize_ok(&o, "a bb ccc, dddd", &t);
    assert_tokens(&t, (const char *[]){"ccc", ",", "dddd"}, 3);
    rc_tokens_free(&t);
}

Test(text, invalid_utf8_is_an_error_with_offset) {
    rc_tokens t = {0};
    rc_tok_opts o = rc_tok_defaults();
    char err[128];
    const char s[] = "ok caf\xC0\xA9 more";
    cr_assert_eq(rc_tokenize(&o, s, strlen(s), &t, err, sizeof err), RC_ERR_FORMAT);
    cr_assert_str_eq(err, "invalid UTF-8 at byte 6: overlong encoding");
    cr_assert_eq(t.n, 0);
    // The list stays usable after an error.
    tokenize_ok(&o, "fine now", &t);
    assert_tokens(&t, (const char *[]){"fine", "now"}, 2);
    rc_tokens_free(&t);
}

Test(text, token_buffers_are_reused) {
    rc_tokens t = {0};
    rc_tok_opts o = rc_tok_sklearn();
    tokenize_ok(&o, "The Quick Brown Fox Jumps Over The Lazy Dog", &t);
    const rc_span *spans = t.spans;
    const char *buf = t.buf;
    tokenize_ok(&o, "Hello World Again", &t);
    assert_tokens(&t, (const char *[]){"hello", "world", "again"}, 3);
    cr_assert_eq(t.spans, spans, "a smaller input must not reallocate the spans");
    cr_assert_eq(t.buf, buf, "a smaller input must not reallocate the buffer");
    rc_tokens_free(&t);
}

// The NULL policy (include/recur/base.h, issue 11 fault 3): RC_ERR_ARG with a message, never a
// crash; NULL options are rc_tok_defaults().
Test(text, tokenizer_stop_words_and_stems_reject_null_arguments) {
    char err[128] = "";
    const rc_tok_opts o = rc_tok_defaults();
    cr_assert_eq(rc_tokenize(&o, "a", 1, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_tokenize: t is NULL");
    rc_tokens t = {0};
    cr_assert_eq(rc_tokenize(&o, NULL, 3, &t, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_tokenize: s is NULL with len 3");
    cr_assert_eq(rc_tokenize(&o, NULL, 0, &t, err, sizeof err), RC_OK);
    cr_assert_eq(t.n, 0);
    tokenize_ok(NULL, "Don't stop", &t);
    assert_tokens(&t, (const char *const[]){"Don", "'", "t", "stop"}, 4);

    rc_stopset *s = (rc_stopset *)&t;
    const char *const words[] = {"t", NULL};
    cr_assert_eq(rc_stopset_new(NULL, words, 1), RC_ERR_ARG);
    cr_assert_eq(rc_stopset_new(&s, NULL, 2), RC_ERR_ARG);
    cr_assert_null(s);
    cr_assert_eq(rc_stopset_new(&s, words, 2), RC_ERR_ARG); // words[1] is NULL
    cr_assert_null(s);
    cr_assert_not(rc_stopset_has(NULL, "t", 1));
    rc_tokens_remove_stopwords(NULL, NULL);
    rc_tokens_remove_stopwords(&t, NULL); // no stop words: every token stays
    cr_assert_eq(t.n, 4);
    cr_assert_eq(rc_tokens_stem(NULL), RC_ERR_ARG);
    rc_tokens_free(&t);
    rc_tokens_free(NULL);
}
