// Word and character tokenization over UTF-8 text. One pass: each code point is decoded (ASCII
// through a table), classified as word (Python re's \w), space (\s) or punctuation (everything
// else), and tokens are recorded as spans. Without lower-casing the spans point into the input;
// with it, each token's lower-cased bytes are appended to the token list's own buffer. No
// allocation per token: the span array and the buffer grow geometrically and are reused.
#include <stdlib.h>
#include <string.h>

#include <recur/embed.h>

#include "text/text_impl.h"

enum { C_WORD, C_SPACE, C_PUNCT };

rc_tok_opts rc_tok_defaults(void) {
    return (rc_tok_opts){
        .mode = RC_TOK_WORDS, .punct = RC_PUNCT_SPLIT, .lowercase = false, .min_chars = 1};
}

rc_tok_opts rc_tok_sklearn(void) {
    return (rc_tok_opts){
        .mode = RC_TOK_WORDS, .punct = RC_PUNCT_DROP, .lowercase = true, .min_chars = 2};
}

void rc_tokens_free(rc_tokens *t) {
    if (!t)
        return;
    free(t->spans);
    free(t->buf);
    free(t->buf2);
    memset(t, 0, sizeof *t);
}

// ASCII classes: W word ([0-9A-Za-z_]), S space (Python's str.isspace(): \t \n \v \f \r, the
// separators 0x1C-0x1F and ' '), P punctuation and controls.
#define W C_WORD
#define S C_SPACE
#define P C_PUNCT
static const unsigned char ascii_class[128] = {
    P, P, P, P, P, P, P, P, P, S, S, S, S, S, P, P, // 0x00
    P, P, P, P, P, P, P, P, P, P, P, P, S, S, S, S, // 0x10
    S, P, P, P, P, P, P, P, P, P, P, P, P, P, P, P, // 0x20 ' ' !"#$%&'()*+,-./
    W, W, W, W, W, W, W, W, W, W, P, P, P, P, P, P, // 0x30 0-9 :;<=>?
    P, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, // 0x40 @A-O
    W, W, W, W, W, W, W, W, W, W, W, P, P, P, P, W, // 0x50 P-Z [\]^_
    P, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, // 0x60 `a-o
    W, W, W, W, W, W, W, W, W, W, W, P, P, P, P, P, // 0x70 p-z {|}~ DEL
};
#undef W
#undef S
#undef P

static inline int classify(uint32_t cp) {
    if (cp < 128)
        return ascii_class[cp];
    return rc_unicode_is_word(cp) ? C_WORD : rc_unicode_is_space(cp) ? C_SPACE : C_PUNCT;
}

// The state of one tokenization pass.
typedef struct tok_state {
    const rc_tok_opts *o;
    const char *s;
    rc_tokens *t;
    size_t start, buf_start; // current token: input offset and offset in t->buf
    size_t chars;            // code points in the current token; 0 when none is open
    size_t buf_len;
} tok_state;

static inline bool push_span(rc_tokens *t, size_t off, size_t len) {
    if (t->n == t->spans_cap &&
        !rc_grow((void **)&t->spans, &t->spans_cap, t->n + 1, sizeof *t->spans))
        return false;
    t->spans[t->n++] = (rc_span){(uint32_t)off, (uint32_t)len};
    return true;
}

// Appends code point cp (n input bytes at s) to the open token's buffer when lower-casing. The
// buffer was sized for the whole text up front (a lower-case form is at most 3/2 as long).
static inline void append_char(tok_state *st, size_t at, int n, uint32_t cp) {
    if (!st->o->lowercase)
        return;
    char *b = st->t->buf;
    if (cp < 0x80) {
        b[st->buf_len++] = (char)(cp - 'A' < 26 ? cp + 32 : cp);
        return;
    }
    uint32_t low = rc_unicode_lower(cp);
    if (low == cp) {
        memcpy(b + st->buf_len, st->s + at, (size_t)n);
        st->buf_len += (size_t)n;
    } else {
        st->buf_len += (size_t)rc_utf8_encode(low, b + st->buf_len);
    }
}

static inline void open_token(tok_state *st, size_t at) {
    st->start = at;
    st->buf_start = st->buf_len;
    st->chars = 0;
}

// Ends the open token at input offset end. min_chars applies to word runs only (force: a single
// punctuation or CHARS-mode token is always kept).
static inline bool close_token(tok_state *st, size_t end, bool force) {
    if (st->chars == 0)
        return true;
    size_t chars = st->chars;
    st->chars = 0;
    if (!force && st->o->min_chars > 0 && chars < (size_t)st->o->min_chars) {
        st->buf_len = st->buf_start;
        return true;
    }
    if (st->o->lowercase)
        return push_span(st->t, st->buf_start, st->buf_len - st->buf_start);
    return push_span(st->t, st->start, end - st->start);
}

// One code point of class cls at [at, at+n): extends, closes or opens tokens.
static inline bool step(tok_state *st, size_t at, int n, uint32_t cp, int cls) {
    const rc_tok_opts *o = st->o;
    bool joins; // whether this code point belongs to a multi-character token
    if (o->mode == RC_TOK_CHARS)
        joins = false;
    else if (o->punct == RC_PUNCT_KEEP)
        joins = cls != C_SPACE;
    else
        joins = cls == C_WORD;
    if (joins) {
        if (st->chars == 0)
            open_token(st, at);
        st->chars++;
        append_char(st, at, n, cp);
        return true;
    }
    if (!close_token(st, at, false))
        return false;
    bool single = o->mode == RC_TOK_CHARS ? (cls != C_SPACE || o->keep_space)
                                          : (cls == C_PUNCT && o->punct == RC_PUNCT_SPLIT);
    if (!single)
        return true;
    open_token(st, at);
    st->chars = 1;
    append_char(st, at, n, cp);
    return close_token(st, at + (size_t)n, true);
}

// Extends (or opens) the token with the ASCII word characters from i on; returns where they end.
static size_t ascii_word_run(tok_state *st, size_t i, size_t len) {
    const unsigned char *s = (const unsigned char *)st->s;
    if (st->chars == 0)
        open_token(st, i);
    size_t j = i;
    if (st->o->lowercase) {
        char *b = st->t->buf + st->buf_len;
        for (; j < len && s[j] < 0x80 && ascii_class[s[j]] == C_WORD; j++)
            *b++ = (char)((unsigned)(s[j] - 'A') < 26u ? s[j] + 32 : s[j]);
        st->buf_len = (size_t)(b - st->t->buf);
    } else {
        while (j < len && s[j] < 0x80 && ascii_class[s[j]] == C_WORD)
            j++;
    }
    st->chars += j - i;
    return j;
}

rc_status rc_tokenize(const rc_tok_opts *o, const char *s, size_t len, rc_tokens *t, char *err,
                      size_t err_len) {
    if (!t)
        return rc_err_null(err, err_len, "rc_tokenize", "t");
    t->n = 0;
    t->text = NULL;
    if (!s && len)
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_tokenize: s is NULL with len %zu", len);
    const rc_tok_opts defaults = rc_tok_defaults();
    if (!o)
        o = &defaults;
    if (len > UINT32_MAX)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "text of %zu bytes is longer than the 4 GiB a span can index", len);
    if (o->lowercase && !rc_grow((void **)&t->buf, &t->buf_cap, len + len / 2 + 4, 1))
        goto nomem;
    tok_state st = {.o = o, .s = s, .t = t};
    const bool runs = o->mode == RC_TOK_WORDS && o->punct != RC_PUNCT_KEEP;
    size_t i = 0;
    while (i < len) {
        if (runs && (unsigned char)s[i] < 0x80 && ascii_class[(unsigned char)s[i]] == C_WORD) {
            i = ascii_word_run(&st, i, len); // the common case, in one tight loop
            continue;
        }
        uint32_t cp = (unsigned char)s[i];
        int n = 1;
        if (cp >= 0x80) {
            rc_utf8_error why;
            n = rc_utf8_decode(s + i, len - i, &cp, &why);
            if (!n) {
                t->n = 0;
                return rc_errf(err, err_len, RC_ERR_FORMAT, "invalid UTF-8 at byte %zu: %s", i,
                               rc_utf8_error_str(why));
            }
        }
        if (!step(&st, i, n, cp, classify(cp)))
            goto nomem;
        i += (size_t)n;
    }
    if (!close_token(&st, len, false))
        goto nomem;
    t->text = o->lowercase ? t->buf : s;
    return RC_OK;
nomem:
    t->n = 0;
    return rc_errf(err, err_len, RC_ERR_NOMEM, "out of memory for tokens");
}
