// Small helpers of the word-embedding code: initialisation, timing, the working rows of a
// batch, case folding.
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "embed_impl.h"

const rc_line_opts rc_embed_text_lines = {
    .max_line = (size_t)1 << 20, .long_line = RC_LONG_LINE_SPLIT, .validate_utf8 = true};
const rc_line_opts rc_embed_table_lines = {.max_line = (size_t)64 << 20};

// Splits t's tokens at their NUL bytes, dropping the empty pieces.
static rc_status split_at_nul(rc_tokens *t, char *why, size_t why_len) {
    const size_t n = t->n;
    rc_span *old = malloc((n ? n : 1) * sizeof *old);
    if (!old)
        return rc_errf(why, why_len, RC_ERR_NOMEM, "out of memory for tokens");
    memcpy(old, t->spans, n * sizeof *old);
    t->n = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = t->text + old[i].off;
        for (uint32_t a = 0, b = 0; b <= old[i].len; b++) {
            if (b < old[i].len && s[b] != '\0')
                continue;
            if (b > a && !rc_grow((void **)&t->spans, &t->spans_cap, t->n + 1, sizeof *t->spans)) {
                free(old);
                t->n = 0;
                return rc_errf(why, why_len, RC_ERR_NOMEM, "out of memory for tokens");
            }
            if (b > a)
                t->spans[t->n++] = (rc_span){old[i].off + a, b - a};
            a = b + 1;
        }
    }
    free(old);
    return RC_OK;
}

rc_status rc_embed_words(const char *line, size_t len, rc_tokens *t, char *why, size_t why_len) {
    rc_tok_opts o = rc_tok_defaults();
    o.punct = RC_PUNCT_KEEP;
    rc_status st = rc_tokenize(&o, line, len, t, why, why_len);
    if (st != RC_OK || !memchr(line, '\0', len))
        return st;
    return split_at_nul(t, why, why_len);
}

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

double rc_embed_wall_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

bool rc_embed_run_workers(void *(*fn)(void *), void *workers, size_t size, int n, double *seconds,
                          double *cpu_seconds) {
    const double t0 = rc_embed_wall_seconds(), c0 = rc_embed_cpu_seconds();
    const int saved = rc_get_num_threads();
    rc_set_num_threads(1);
    int started = 0;
    if (n == 1) {
        fn(workers);
        started = 1;
    } else {
        pthread_t *tid = calloc((size_t)n, sizeof *tid);
        for (; tid && started < n; started++)
            if (pthread_create(&tid[started], NULL, fn, (char *)workers + (size_t)started * size))
                break;
        for (int t = 0; t < started; t++)
            pthread_join(tid[t], NULL);
        free(tid);
    }
    rc_set_num_threads(saved);
    *seconds = rc_embed_wall_seconds() - t0;
    *cpu_seconds = rc_embed_cpu_seconds() - c0;
    return started == n;
}

rc_status rc_rowset_init(rc_rowset *s, rc_params *ps, const char *name, const rc_param *table,
                         int64_t want) {
    memset(s, 0, sizeof *s);
    const rc_tensor t = rc_param_value(table);
    const int64_t rows = t.shape.dim[0];
    s->table = t.data;
    s->D = (int32_t)t.shape.dim[1];
    s->cap = (int32_t)(want < rows + 1 ? want : rows + 1);
    s->slot = malloc((size_t)rows * sizeof *s->slot);
    s->rows = malloc((size_t)s->cap * sizeof *s->rows);
    if (!s->slot || !s->rows)
        return RC_ERR_NOMEM;
    memset(s->slot, 0xff, (size_t)rows * sizeof *s->slot);
    rc_status st = rc_params_add(ps, name, RC_SHAPE(s->cap, s->D), &s->p);
    if (st != RC_OK)
        return st;
    s->data = rc_param_value(s->p).data;
    s->grad = rc_param_grad(s->p).data;
    s->n = 1; // row 0: padding, always zero
    return RC_OK;
}

void rc_rowset_free(rc_rowset *s) {
    free(s->slot);
    free(s->rows);
    memset(s, 0, sizeof *s);
}

// dst -= lr * g over D entries, 8 lanes at a time (a GCC vector: SSE or AVX registers).
typedef float lanes8 __attribute__((vector_size(32)));

static inline void sub_scaled(float *restrict dst, const float *restrict g, float lr, int32_t D) {
    const lanes8 l = {lr, lr, lr, lr, lr, lr, lr, lr};
    int32_t d = 0;
    for (; d + 8 <= D; d += 8) {
        lanes8 a, b;
        memcpy(&a, dst + d, sizeof a);
        memcpy(&b, g + d, sizeof b);
        a -= l * b;
        memcpy(dst + d, &a, sizeof a);
    }
    for (; d < D; d++)
        dst[d] -= lr * g[d];
}

RC_EMBED_CLONES
void rc_rowset_apply(rc_rowset *s, int32_t k0, float lr) {
    const int32_t D = s->D;
    for (int32_t k = k0; k < s->n; k++) {
        float *gk = s->grad + (int64_t)k * D;
        sub_scaled(s->table + (int64_t)s->rows[k] * D, gk, lr, D);
        memset(gk, 0, (size_t)D * sizeof(float));
        s->slot[s->rows[k]] = -1;
    }
    s->n = 1;
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

rc_status rc_embed_check_counts(const char *fn, const int64_t *counts, int32_t n, int32_t min_n) {
    if (!counts)
        return rc_err_null(NULL, 0, fn, "counts");
    if (n < min_n)
        return rc_errf(NULL, 0, RC_ERR_ARG, "%s: n must be >= %d, got %d", fn, min_n, n);
    for (int32_t i = 0; i < n; i++)
        if (counts[i] < 0)
            return rc_errf(NULL, 0, RC_ERR_ARG, "%s: counts[%d] must be >= 0, got %lld", fn, i,
                           (long long)counts[i]);
    return RC_OK;
}
