// Small helpers of the word-embedding code: initialisation, timing, a string map, case folding.
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "embed_impl.h"

void rc_embed_fill_uniform(float *x, int64_t n, float range, rc_rng *r) {
    const float scale = 2.0f * range / 16777216.0f;
    for (int64_t i = 0; i < n; i += 2) {
        uint64_t u = rc_rng_u64(r);
        x[i] = (float)(u >> 40) * scale - range;
        if (i + 1 < n)
            x[i + 1] = (float)((u >> 8) & 0xFFFFFF) * scale - range;
    }
}

double rc_embed_cpu_seconds(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

rc_status rc_strmap_init(rc_strmap *m, size_t expected) {
    memset(m, 0, sizeof *m);
    m->cap = 16;
    while (m->cap < expected * 2)
        m->cap *= 2;
    m->slot_val = malloc(m->cap * sizeof *m->slot_val);
    m->slot_key = malloc(m->cap * sizeof *m->slot_key);
    if (!m->slot_val || !m->slot_key) {
        rc_strmap_free(m);
        return RC_ERR_NOMEM;
    }
    for (size_t i = 0; i < m->cap; i++)
        m->slot_key[i] = -1;
    return RC_OK;
}

void rc_strmap_free(rc_strmap *m) {
    free(m->slot_val);
    free(m->slot_key);
    free(m->pool);
    memset(m, 0, sizeof *m);
}

static size_t strmap_slot(const rc_strmap *m, const char *key, size_t len) {
    size_t mask = m->cap - 1, s = rc_fasttext_hash(key, len) & mask;
    while (m->slot_key[s] >= 0) {
        const char *k = m->pool + m->slot_key[s];
        if (strlen(k) == len && !memcmp(k, key, len))
            break;
        s = (s + 1) & mask;
    }
    return s;
}

int64_t rc_strmap_get(const rc_strmap *m, const char *key, size_t len) {
    if (!m->cap)
        return -1;
    size_t s = strmap_slot(m, key, len);
    return m->slot_key[s] >= 0 ? m->slot_val[s] : -1;
}

static rc_status strmap_grow(rc_strmap *m) {
    rc_strmap bigger = *m;
    bigger.cap = m->cap * 2;
    bigger.slot_val = malloc(bigger.cap * sizeof *bigger.slot_val);
    bigger.slot_key = malloc(bigger.cap * sizeof *bigger.slot_key);
    if (!bigger.slot_val || !bigger.slot_key) {
        free(bigger.slot_val);
        free(bigger.slot_key);
        return RC_ERR_NOMEM;
    }
    for (size_t i = 0; i < bigger.cap; i++)
        bigger.slot_key[i] = -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slot_key[i] < 0)
            continue;
        const char *k = m->pool + m->slot_key[i];
        size_t s = strmap_slot(&bigger, k, strlen(k));
        bigger.slot_key[s] = m->slot_key[i];
        bigger.slot_val[s] = m->slot_val[i];
    }
    free(m->slot_val);
    free(m->slot_key);
    *m = bigger;
    return RC_OK;
}

rc_status rc_strmap_put(rc_strmap *m, const char *key, size_t len, int64_t val, bool *added) {
    if (added)
        *added = false;
    if ((m->n + 1) * 2 > m->cap && strmap_grow(m) != RC_OK)
        return RC_ERR_NOMEM;
    size_t s = strmap_slot(m, key, len);
    if (m->slot_key[s] >= 0)
        return RC_OK;
    if (m->pool_len + len + 1 > m->pool_cap) {
        size_t c = m->pool_cap ? m->pool_cap : 4096;
        while (c < m->pool_len + len + 1)
            c *= 2;
        char *p = realloc(m->pool, c);
        if (!p)
            return RC_ERR_NOMEM;
        m->pool = p;
        m->pool_cap = c;
    }
    memcpy(m->pool + m->pool_len, key, len);
    m->pool[m->pool_len + len] = '\0';
    m->slot_key[s] = (int64_t)m->pool_len;
    m->slot_val[s] = val;
    m->pool_len += len + 1;
    m->n++;
    if (added)
        *added = true;
    return RC_OK;
}

size_t rc_embed_fold(const char *s, size_t len, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = rc_utf8_decode(s + i, len - i, &cp, NULL);
        if (n <= 0) { // not UTF-8: the byte as it is
            out[o++] = s[i++];
            continue;
        }
        int m = rc_utf8_encode(rc_unicode_lower(cp), out + o);
        if (m <= 0) { // no encodable lower case: keep the original bytes
            memcpy(out + o, s + i, (size_t)n);
            m = n;
        }
        o += (size_t)m;
        i += (size_t)n;
    }
    return o;
}
