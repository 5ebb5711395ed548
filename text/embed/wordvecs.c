// A table of named word vectors: rows in insertion order, and the words in a string table whose
// ids are the rows.
#include <stdlib.h>
#include <string.h>

#include "embed_impl.h"

struct rc_wordvecs {
    int64_t n, cap;
    int32_t D;
    float *data;     // [cap, D]
    rc_strtab words; // word i is row i
};

void rc_wordvecs_free(rc_wordvecs **wv) {
    if (!wv || !*wv)
        return;
    free((*wv)->data);
    rc_strtab_free(&(*wv)->words);
    free(*wv);
    *wv = NULL;
}

rc_status rc_wordvecs_new(rc_wordvecs **out, int64_t cap, int32_t D) {
    if (!out)
        return rc_err_null(NULL, 0, "rc_wordvecs_new", "wv");
    *out = NULL;
    if (D < 1)
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_wordvecs_new: D must be >= 1, got %d", D);
    if (cap < 0 || cap > INT64_MAX / 4 / D)
        return rc_errf(NULL, 0, RC_ERR_ARG,
                       "rc_wordvecs_new: cap must be in [0, %lld] for D = %d, got %lld",
                       (long long)(INT64_MAX / 4 / D), D, (long long)cap);
    rc_wordvecs *wv = calloc(1, sizeof *wv);
    if (!wv)
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_wordvecs_new: out of memory for the table");
    wv->cap = cap;
    wv->D = D;
    wv->data = malloc((size_t)(cap ? cap : 1) * (size_t)D * sizeof(float));
    if (!wv->data) {
        rc_wordvecs_free(&wv);
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_wordvecs_new: out of memory for %lld rows of %d",
                       (long long)cap, D);
    }
    *out = wv;
    return RC_OK;
}

int64_t rc_wordvecs_find(const rc_wordvecs *wv, const char *word, size_t len) {
    if (!wv || !word)
        return -1;
    return rc_strtab_find(&wv->words, word, len, rc_hash_bytes(word, len));
}

static bool has_space(const char *w, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (w[i] == ' ' || w[i] == '\t' || w[i] == '\n' || w[i] == '\r' || w[i] == '\0' ||
            w[i] == '\v' || w[i] == '\f')
            return true;
    return false;
}

rc_status rc_wordvecs_add(rc_wordvecs *wv, const char *word, size_t len, const float *vec) {
    if (!wv || !word || !vec)
        return rc_err_null(NULL, 0, "rc_wordvecs_add", !wv ? "wv" : !word ? "word" : "vec");
    const int n = (int)(len > 40 ? 40 : len); // of the word in a message
    if (len == 0)
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_wordvecs_add: the word is empty");
    if (wv->n >= wv->cap)
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_wordvecs_add: the table is full (%lld rows)",
                       (long long)wv->cap);
    if (has_space(word, len))
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_wordvecs_add: word '%.*s' contains whitespace", n,
                       word);
    size_t at;
    rc_utf8_error why;
    if (!rc_utf8_validate(word, len, &at, &why))
        return rc_errf(NULL, 0, RC_ERR_FORMAT, "rc_wordvecs_add: invalid UTF-8 at byte %zu: %s", at,
                       rc_utf8_error_str(why));
    bool added;
    if (rc_strtab_intern(&wv->words, word, len, rc_hash_bytes(word, len), &added) < 0)
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_wordvecs_add: out of memory for word %lld",
                       (long long)wv->n);
    if (!added)
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_wordvecs_add: duplicate word '%.*s'", n, word);
    memcpy(wv->data + wv->n * wv->D, vec, (size_t)wv->D * sizeof(float));
    wv->n++;
    return RC_OK;
}

int64_t rc_wordvecs_count(const rc_wordvecs *wv) {
    return wv ? wv->n : 0;
}

int32_t rc_wordvecs_dim(const rc_wordvecs *wv) {
    return wv ? wv->D : 0;
}

const char *rc_wordvecs_word(const rc_wordvecs *wv, int64_t i) {
    size_t len;
    return wv && i >= 0 && i < wv->n ? rc_strtab_key(&wv->words, (int32_t)i, &len) : NULL;
}

const float *rc_wordvecs_vec(const rc_wordvecs *wv, int64_t i) {
    return wv && i >= 0 && i < wv->n ? wv->data + i * wv->D : NULL;
}

float *rc_wordvecs_data(rc_wordvecs *wv) {
    return wv ? wv->data : NULL;
}
