// Stop-word sets: a string table looked up by the bytes of each token.
#include <stdlib.h>

#include "text/text_impl.h"

struct rc_stopset {
    rc_strtab tab;
};

// Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, the set Anserini's BM25 runs use.
static const char *const english[] = {
    "a",   "an",    "and",  "are",   "as",    "at",   "be",   "but", "by",  "for",  "if",
    "in",  "into",  "is",   "it",    "no",    "not",  "of",   "on",  "or",  "such", "that",
    "the", "their", "then", "there", "these", "they", "this", "to",  "was", "will", "with",
};

rc_status rc_stopset_new(rc_stopset **out, const char *const *words, size_t n) {
    if (!out)
        return rc_err_null(NULL, 0, "rc_stopset_new", "s");
    *out = NULL;
    if (n && !words)
        return rc_err_null(NULL, 0, "rc_stopset_new", "words");
    for (size_t i = 0; i < n; i++)
        if (!words[i])
            return rc_errf(NULL, 0, RC_ERR_ARG, "rc_stopset_new: words[%zu] is NULL", i);
    rc_stopset *s = calloc(1, sizeof *s);
    if (!s)
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_stopset_new: out of memory for the set");
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(words[i]);
        bool added;
        if (rc_strtab_intern(&s->tab, words[i], len, rc_hash_bytes(words[i], len), &added) < 0) {
            rc_stopset_free(&s);
            return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_stopset_new: out of memory for %zu words", n);
        }
    }
    *out = s;
    return RC_OK;
}

rc_status rc_stopset_english(rc_stopset **out) {
    return rc_stopset_new(out, english, sizeof english / sizeof english[0]);
}

void rc_stopset_free(rc_stopset **ps) {
    if (!ps || !*ps)
        return;
    rc_strtab_free(&(*ps)->tab);
    free(*ps);
    *ps = NULL;
}

bool rc_stopset_has(const rc_stopset *s, const char *w, size_t len) {
    if (!s || (!w && len))
        return false;
    return rc_strtab_find(&s->tab, w, len, rc_hash_bytes(w, len)) >= 0;
}

void rc_tokens_remove_stopwords(rc_tokens *t, const rc_stopset *s) {
    if (!t || !s)
        return;
    size_t w = 0;
    for (size_t i = 0; i < t->n; i++) {
        size_t len;
        const char *tok = rc_token(t, i, &len);
        if (!rc_stopset_has(s, tok, len))
            t->spans[w++] = t->spans[i];
    }
    t->n = w;
}

size_t rc_stopset_count(const rc_stopset *s) {
    return s ? s->tab.n : 0;
}

const char *rc_stopset_word(const rc_stopset *s, size_t i, size_t *len) {
    return rc_strtab_key(&s->tab, (int32_t)i, len);
}
