// A table of named word vectors: rows in insertion order, words in one string pool, and a map
// from word to row.
#include <stdlib.h>
#include <string.h>

#include "embed_impl.h"

struct rc_wordvecs {
    int64_t n, cap;
    int32_t D;
    float *data;       // [cap, D]
    int64_t *word_off; // [cap] offsets into pool
    char *pool;
    size_t pool_len, pool_cap;
    rc_strmap index;
};

void rc_wordvecs_free(rc_wordvecs **wv) {
    if (!wv || !*wv)
        return;
    free((*wv)->data);
    free((*wv)->word_off);
    free((*wv)->pool);
    rc_strmap_free(&(*wv)->index);
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
    wv->word_off = malloc((size_t)(cap ? cap : 1) * sizeof *wv->word_off);
    if (!wv->data || !wv->word_off || rc_strmap_init(&wv->index, (size_t)cap) != RC_OK) {
        rc_wordvecs_free(&wv);
        return RC_ERR_NOMEM;
    }
    *out = wv;
    return RC_OK;
}

int64_t rc_wordvecs_find(const rc_wordvecs *wv, const char *word, size_t len) {
    if (!wv || !word)
        return -1;
    return rc_strmap_get(&wv->index, word, len);
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
    if (rc_strmap_get(&wv->index, word, len) >= 0)
        return RC_ERR_ARG;
    if (wv->pool_len + len + 1 > wv->pool_cap) {
        size_t c = wv->pool_cap ? wv->pool_cap : 1024;
        while (c < wv->pool_len + len + 1)
            c *= 2;
        char *p = realloc(wv->pool, c);
        if (!p)
            return RC_ERR_NOMEM;
        wv->pool = p;
        wv->pool_cap = c;
    }
    bool added;
    if (rc_strmap_put(&wv->index, word, len, wv->n, &added) != RC_OK)
        return RC_ERR_NOMEM;
    memcpy(wv->pool + wv->pool_len, word, len);
    wv->pool[wv->pool_len + len] = '\0';
    wv->word_off[wv->n] = (int64_t)wv->pool_len;
    wv->pool_len += len + 1;
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
    return wv && i >= 0 && i < wv->n ? wv->pool + wv->word_off[i] : NULL;
}

const float *rc_wordvecs_vec(const rc_wordvecs *wv, int64_t i) {
    return wv && i >= 0 && i < wv->n ? wv->data + i * wv->D : NULL;
}

float *rc_wordvecs_data(rc_wordvecs *wv) {
    return wv ? wv->data : NULL;
}
