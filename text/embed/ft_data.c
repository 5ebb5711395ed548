// fastText-style classifier data: splitting a labelled line into words and labels, and the
// input rows of its features: word ids, character n-gram buckets, hashed word n-grams.
#include <stdlib.h>
#include <string.h>

#include "ft_impl.h"

// Room for `extra` more entries.
static bool reserve(ft_ints *a, int64_t extra) {
    const size_t need = (size_t)(a->n + extra);
    return need <= a->cap || rc_grow((void **)&a->v, &a->cap, need, sizeof *a->v);
}

bool rc_ft_push(ft_ints *a, int32_t x) {
    if (!reserve(a, 1))
        return false;
    a->v[a->n++] = x;
    return true;
}

static bool is_label(const rc_ft *m, const char *tok, size_t len, size_t i, bool text_only) {
    const size_t pl = strlen(m->prefix);
    if (!pl)
        return i == 0 && !text_only;
    return len >= pl && !memcmp(tok, m->prefix, pl);
}

// The input rows of one word token: its id (if known), its n-grams' buckets.
static bool word_rows(const rc_ft *m, const char *tok, size_t len, int32_t wid, ft_ints *feats) {
    if (wid >= 0 && !rc_ft_push(feats, wid))
        return false;
    if (m->o.maxn <= 0)
        return true;
    int64_t n = rc_fasttext_subwords(tok, len, m->o.minn, m->o.maxn, m->o.bucket, NULL, 0);
    if (!n)
        return true;
    if (!reserve(feats, n))
        return false;
    rc_fasttext_subwords(tok, len, m->o.minn, m->o.maxn, m->o.bucket, feats->v + feats->n, n);
    for (int64_t k = 0; k < n; k++)
        feats->v[feats->n + k] += m->V;
    feats->n += n;
    return true;
}

static rc_status add_ngram_rows(const rc_ft *m, ft_ints *feats, const ft_ints *hashes) {
    if (m->o.word_ngrams <= 1 || hashes->n == 0) // no words: no n-grams, and feats may be empty
        return RC_OK;
    int64_t n = rc_fasttext_word_ngrams((const uint32_t *)hashes->v, hashes->n, m->o.word_ngrams,
                                        m->o.bucket, NULL, 0);
    if (n == 0)
        return RC_OK;
    if (!reserve(feats, n))
        return RC_ERR_NOMEM;
    rc_fasttext_word_ngrams((const uint32_t *)hashes->v, hashes->n, m->o.word_ngrams, m->o.bucket,
                            feats->v + feats->n, n);
    for (int64_t k = 0; k < n; k++)
        feats->v[feats->n + k] += m->V;
    feats->n += n;
    return RC_OK;
}

rc_status rc_ft_line(rc_ft *m, const char *line, size_t len, bool text_only, rc_tokens *t,
                     ft_ints *feats, ft_ints *labels, ft_ints *hashes, int64_t *n_tokens, char *why,
                     size_t why_len) {
    rc_status st = rc_embed_words(line, len, t, why, why_len); // as fastText reads them
    if (st != RC_OK)
        return st;
    const bool counting = !rc_vocab_finalized(m->words);
    hashes->n = 0;
    *n_tokens = (int64_t)t->n;
    for (size_t i = 0; i < t->n; i++) {
        size_t tl;
        const char *tok = rc_token(t, i, &tl);
        if (is_label(m, tok, tl, i, text_only)) {
            if (!rc_vocab_finalized(m->labels)) {
                if ((st = rc_vocab_add(m->labels, tok, tl, 1)) != RC_OK)
                    return st;
            } else {
                int32_t lid = rc_vocab_find(m->labels, tok, tl);
                if (lid >= 0 && !rc_ft_push(labels, lid))
                    return RC_ERR_NOMEM;
            }
            continue;
        }
        if (counting) {
            if ((st = rc_vocab_add(m->words, tok, tl, 1)) != RC_OK)
                return st;
            continue;
        }
        if (!word_rows(m, tok, tl, rc_vocab_find(m->words, tok, tl), feats) ||
            !rc_ft_push(hashes, (int32_t)rc_fasttext_hash(tok, tl)))
            return RC_ERR_NOMEM;
    }
    return counting ? RC_OK : add_ngram_rows(m, feats, hashes);
}
