// UTF-8, the tokenizer, stemming, TF-IDF and BM25 on arbitrary bytes. The first byte picks the
// tokenizer's options; the rest is split at newlines into documents.
#include <stdlib.h>
#include <string.h>

#include <recur/recur.h>

#include "fuzz_util.h"

#define MAX_DOCS 64

static rc_tok_opts tok_options(uint8_t b) {
    rc_tok_opts o = (b & 1) ? rc_tok_sklearn() : rc_tok_defaults();
    o.mode = (b & 2) ? RC_TOK_CHARS : RC_TOK_WORDS;
    o.punct = (rc_punct)((b >> 2) % 3);
    o.lowercase = (b & 16) != 0;
    o.keep_space = (b & 32) != 0;
    o.min_chars = (b >> 6);
    return o;
}

static void utf8_roundtrip(const char *s, size_t len) {
    size_t bad;
    rc_utf8_error why;
    bool valid = rc_utf8_validate(s, len, &bad, &why);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = rc_utf8_decode(s + i, len - i, &cp, &why);
        if (n <= 0) {
            if (valid)
                __builtin_trap(); // validate and decode must agree
            break;
        }
        char enc[4];
        if (rc_utf8_encode(cp, enc) != n || memcmp(enc, s + i, (size_t)n))
            __builtin_trap();
        i += (size_t)n;
    }
}

static void tokenize(const rc_tok_opts *o, const char *s, size_t len) {
    rc_tokens t = {0};
    char err[256];
    if (rc_tokenize(o, s, len, &t, err, sizeof err) == RC_OK) {
        rc_tokens_stem(&t);
    }
    rc_tokens_free(&t);
}

static void tfidf(const char *const *docs, const size_t *lens, int n) {
    rc_tfidf_opts o = rc_tfidf_defaults();
    o.features.ngram_max = 2;
    rc_tfidf *t;
    rc_csr m = {0};
    char err[256];
    if (rc_tfidf_new(&t, &o))
        return;
    if (rc_tfidf_fit(t, docs, lens, n, &m, err, sizeof err) == RC_OK &&
        rc_csr_check(&m, err, sizeof err) != RC_OK)
        __builtin_trap(); // what TF-IDF builds must be a valid CSR matrix
    rc_csr_free(&m);
    rc_tfidf_free(&t);
}

static void bm25(const char *const *docs, const size_t *lens, int n) {
    rc_bm25_opts o = rc_bm25_defaults();
    rc_bm25 *ix;
    char err[256];
    if (rc_bm25_new(&ix, &o))
        return;
    for (int i = 0; i < n; i++)
        rc_bm25_add(ix, docs[i], lens[i], err, sizeof err);
    if (rc_bm25_build(ix) == RC_OK && n > 0) {
        int32_t found[5];
        float scores[5];
        int k;
        rc_bm25_search(ix, docs[0], lens[0], 5, found, scores, &k, err, sizeof err);
    }
    rc_bm25_free(&ix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    rc_tok_opts o = tok_options(data[0]);
    const char *s = (const char *)data + 1;
    size_t len = size - 1;
    utf8_roundtrip(s, len);
    tokenize(&o, s, len);
    const char *docs[MAX_DOCS];
    size_t lens[MAX_DOCS];
    int n = 0;
    for (size_t start = 0, i = 0; i <= len && n < MAX_DOCS; i++)
        if (i == len || s[i] == '\n') {
            docs[n] = s + start, lens[n++] = i - start;
            start = i + 1;
        }
    tfidf(docs, lens, n);
    bm25(docs, lens, n);
    return 0;
}
