// The terms of one document for the vectorizers: word n-grams joined by one space, character
// n-grams within word boundaries (scikit-learn's char_wb) or across the text (char). Terms are
// handed to a callback as byte slices of the tokens or of a scratch buffer, never allocated.
#include <stdlib.h>

#include "text/text_impl.h"

// Word n-grams as scikit-learn's _word_ngrams makes them: for each n in [lo, hi] (n at most the
// number of tokens), every run of n consecutive tokens joined with one space.
static bool word_ngrams(const rc_features_opts *o, rc_term_scratch *sc, rc_term_fn fn, void *ctx) {
    const rc_tokens *t = &sc->tok;
    for (int n = o->ngram_min; n <= o->ngram_max && (size_t)n <= t->n; n++) {
        for (size_t i = 0; i + (size_t)n <= t->n; i++) {
            size_t len;
            const char *s = rc_token(t, i, &len);
            if (n == 1) {
                if (!fn(ctx, s, len))
                    return false;
                continue;
            }
            size_t total = (size_t)n - 1;
            for (int k = 0; k < n; k++)
                total += t->spans[i + (size_t)k].len;
            if (!rc_grow((void **)&sc->buf, &sc->buf_cap, total, 1))
                return false;
            size_t at = 0;
            for (int k = 0; k < n; k++) {
                const char *w = rc_token(t, i + (size_t)k, &len);
                if (k)
                    sc->buf[at++] = ' ';
                memcpy(sc->buf + at, w, len);
                at += len;
            }
            if (!fn(ctx, sc->buf, at))
                return false;
        }
    }
    return true;
}

// Byte offsets of the code points of s[0..len) into sc->cps (len+1 entries, the last is len).
static bool code_points(rc_term_scratch *sc, const char *s, size_t len, size_t *n_cp) {
    if (!rc_grow((void **)&sc->cps, &sc->cps_cap, len + 1, sizeof *sc->cps))
        return false;
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) // s is valid UTF-8: skip continuation bytes
            sc->cps[n++] = i;
    sc->cps[n] = len;
    *n_cp = n;
    return true;
}

// n-grams of code points [i, i+n) of s, whose code point offsets are in sc->cps.
static bool emit_window(rc_term_scratch *sc, const char *s, size_t i, size_t n, rc_term_fn fn,
                        void *ctx) {
    return fn(ctx, s + sc->cps[i], sc->cps[i + n] - sc->cps[i]);
}

// scikit-learn's _char_wb_ngrams: each whitespace-separated word w becomes " w "; for each n, its
// n-grams; a padded word no longer than n is one term, and the larger n are skipped for it.
static bool char_wb_ngrams(const rc_features_opts *o, rc_term_scratch *sc, rc_term_fn fn,
                           void *ctx) {
    const rc_tokens *t = &sc->tok;
    for (size_t w = 0; w < t->n; w++) {
        size_t len;
        const char *word = rc_token(t, w, &len);
        if (!rc_grow((void **)&sc->buf, &sc->buf_cap, len + 2, 1))
            return false;
        sc->buf[0] = ' ';
        memcpy(sc->buf + 1, word, len);
        sc->buf[len + 1] = ' ';
        size_t n_cp;
        if (!code_points(sc, sc->buf, len + 2, &n_cp))
            return false;
        for (size_t n = (size_t)o->ngram_min; n <= (size_t)o->ngram_max; n++) {
            if (n_cp <= n) {
                if (!emit_window(sc, sc->buf, 0, n_cp, fn, ctx))
                    return false;
                break;
            }
            for (size_t i = 0; i + n <= n_cp; i++)
                if (!emit_window(sc, sc->buf, i, n, fn, ctx))
                    return false;
        }
    }
    return true;
}

// The text for scikit-learn's _char_ngrams: lower-cased (if asked) and every run of two or more
// whitespace characters replaced by one space (a single whitespace character stays as it is).
static rc_status char_text(const rc_features_opts *o, const char *doc, size_t len,
                           rc_term_scratch *sc, size_t *out_len, char *err, size_t err_len) {
    if (!rc_grow((void **)&sc->buf, &sc->buf_cap, 4 * len + 4, 1))
        return rc_errf(err, err_len, RC_ERR_NOMEM, "out of memory for a %zu-byte document", len);
    size_t at = 0, i = 0;
    while (i < len) {
        uint32_t cp;
        rc_utf8_error why;
        int n = rc_utf8_decode(doc + i, len - i, &cp, &why);
        if (!n)
            return rc_errf(err, err_len, RC_ERR_FORMAT, "invalid UTF-8 at byte %zu: %s", i,
                           rc_utf8_error_str(why));
        if (rc_unicode_is_space(cp)) {
            size_t j = i + (size_t)n, run = 1;
            uint32_t c2;
            int n2;
            while (j < len && (n2 = rc_utf8_decode(doc + j, len - j, &c2, NULL)) &&
                   rc_unicode_is_space(c2))
                j += (size_t)n2, run++;
            if (run > 1) {
                sc->buf[at++] = ' ';
                i = j;
                continue;
            }
        }
        uint32_t low = o->tok.lowercase ? rc_unicode_lower(cp) : cp;
        at += (size_t)rc_utf8_encode(low, sc->buf + at);
        i += (size_t)n;
    }
    *out_len = at;
    return RC_OK;
}

static bool char_ngrams(const rc_features_opts *o, rc_term_scratch *sc, size_t len, rc_term_fn fn,
                        void *ctx) {
    size_t n_cp;
    if (!code_points(sc, sc->buf, len, &n_cp))
        return false;
    for (size_t n = (size_t)o->ngram_min; n <= (size_t)o->ngram_max && n <= n_cp; n++)
        for (size_t i = 0; i + n <= n_cp; i++)
            if (!emit_window(sc, sc->buf, i, n, fn, ctx))
                return false;
    return true;
}

rc_status rc_doc_terms(const rc_features_opts *o, const char *doc, size_t len, rc_term_scratch *sc,
                       rc_term_fn fn, void *ctx, char *err, size_t err_len) {
    rc_status st;
    bool ok;
    if (o->analyzer == RC_ANALYZER_CHAR) {
        size_t n = 0;
        if ((st = char_text(o, doc, len, sc, &n, err, err_len)) != RC_OK)
            return st;
        ok = char_ngrams(o, sc, n, fn, ctx);
    } else if (o->analyzer == RC_ANALYZER_CHAR_WB) {
        // Words are the whitespace-separated runs (str.split()), lower-cased if asked.
        const rc_tok_opts wo = {.mode = RC_TOK_WORDS,
                                .punct = RC_PUNCT_KEEP,
                                .lowercase = o->tok.lowercase,
                                .min_chars = 1};
        if ((st = rc_tokenize(&wo, doc, len, &sc->tok, err, err_len)) != RC_OK)
            return st;
        ok = char_wb_ngrams(o, sc, fn, ctx);
    } else {
        if ((st = rc_tokenize(&o->tok, doc, len, &sc->tok, err, err_len)) != RC_OK)
            return st;
        if (o->stop)
            rc_tokens_remove_stopwords(&sc->tok, o->stop);
        ok = word_ngrams(o, sc, fn, ctx);
    }
    if (!ok)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "out of memory");
    return RC_OK;
}

void rc_term_scratch_free(rc_term_scratch *sc) {
    rc_tokens_free(&sc->tok);
    free(sc->buf);
    free(sc->cps);
    memset(sc, 0, sizeof *sc);
}
