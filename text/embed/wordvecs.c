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
        return RC_ERR_ARG;
    *out = NULL;
    if (cap < 0 || D < 1 || cap > INT64_MAX / 4 / D)
        return RC_ERR_ARG;
    rc_wordvecs *wv = calloc(1, sizeof *wv);
    if (!wv)
        return RC_ERR_NOMEM;
    wv->cap = cap;
    wv->D = D;
    wv->data = malloc((size_t)(cap ? cap : 1) * (size_t)D * sizeof(float));
    if (!wv->data) {
        rc_wordvecs_free(&wv);
        return RC_ERR_NOMEM;
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
    if (!wv || !word || !vec || len == 0 || wv->n >= wv->cap || has_space(word, len))
        return RC_ERR_ARG;
    if (!rc_utf8_validate(word, len, NULL, NULL))
        return RC_ERR_FORMAT;
    bool added;
    if (rc_strtab_intern(&wv->words, word, len, rc_hash_bytes(word, len), &added) < 0)
        return RC_ERR_NOMEM;
    if (!added)
        return RC_ERR_ARG; // a duplicate
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
