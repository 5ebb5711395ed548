// Sampling for word2vec and fastText: the negative-sampling distribution (Walker's alias
// method), frequent-word subsampling and the linearly decaying learning rate.
#include <math.h>
#include <stdlib.h>

#include "embed_impl.h"

// One alias slot: keep i when the low 32 bits of a draw are below `keep`, else take `alias`.
typedef struct alias_slot {
    uint32_t keep;
    int32_t alias;
} alias_slot;

struct rc_unigram_table {
    int32_t n;
    alias_slot *slot;
    double *prob;
};

void rc_unigram_table_free(rc_unigram_table **t) {
    if (!t || !*t)
        return;
    free((*t)->slot);
    free((*t)->prob);
    free(*t);
    *t = NULL;
}

static rc_status table_nomem(int32_t n) {
    return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_unigram_table_new: out of memory for %d entries", n);
}

// Vose's construction: scaled probabilities n*P(i) split into those below 1 ("small") and the
// rest; each small slot is topped up by one large entry, which becomes its alias.
static rc_status build_alias(rc_unigram_table *t) {
    const int32_t n = t->n;
    double *q = malloc((size_t)n * sizeof *q);
    int32_t *small = malloc((size_t)n * sizeof *small), *large = malloc((size_t)n * sizeof *large);
    if (!q || !small || !large) {
        free(q), free(small), free(large);
        return table_nomem(n);
    }
    int32_t ns = 0, nl = 0;
    for (int32_t i = 0; i < n; i++) {
        q[i] = t->prob[i] * n;
        if (q[i] < 1.0)
            small[ns++] = i;
        else
            large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
        int32_t s = small[--ns], l = large[nl - 1];
        t->slot[s].keep = (uint32_t)fmin(q[s] * 4294967296.0, 4294967295.0);
        t->slot[s].alias = l;
        q[l] -= 1.0 - q[s];
        if (q[l] < 1.0) {
            nl--;
            small[ns++] = l;
        }
    }
    // What is left has q == 1 up to rounding: always kept.
    while (nl > 0) {
        int32_t l = large[--nl];
        t->slot[l] = (alias_slot){UINT32_MAX, l};
    }
    while (ns > 0) {
        int32_t s = small[--ns];
        t->slot[s] = (alias_slot){UINT32_MAX, s};
    }
    free(q), free(small), free(large);
    return RC_OK;
}

rc_status rc_unigram_table_new(rc_unigram_table **out, const int64_t *counts, int32_t n,
                               double power) {
    if (!out)
        return rc_err_null(NULL, 0, "rc_unigram_table_new", "t");
    *out = NULL;
    rc_status st = rc_embed_check_counts("rc_unigram_table_new", counts, n, 1);
    if (st != RC_OK)
        return st;
    if (!isfinite(power))
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_unigram_table_new: power must be finite, got %g",
                       power);
    double z = 0;
    for (int32_t i = 0; i < n; i++)
        z += counts[i] ? pow((double)counts[i], power) : 0.0;
    if (!(z > 0))
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_unigram_table_new: every count is zero");
    if (!isfinite(z))
        return rc_errf(NULL, 0, RC_ERR_ARG,
                       "rc_unigram_table_new: the counts to the power %g sum past a double", power);
    rc_unigram_table *t = calloc(1, sizeof *t);
    if (!t)
        return table_nomem(n);
    t->n = n;
    t->slot = malloc((size_t)n * sizeof *t->slot);
    t->prob = malloc((size_t)n * sizeof *t->prob);
    if (!t->slot || !t->prob) {
        rc_unigram_table_free(&t);
        return table_nomem(n);
    }
    for (int32_t i = 0; i < n; i++)
        t->prob[i] = counts[i] ? pow((double)counts[i], power) / z : 0.0;
    st = build_alias(t);
    if (st != RC_OK) {
        rc_unigram_table_free(&t);
        return st;
    }
    *out = t;
    return RC_OK;
}

int32_t rc_unigram_table_sample(const rc_unigram_table *t, rc_rng *rng) {
    if (!t || !rng)
        return -1;
    uint64_t u = rc_rng_u64(rng);
    // High 32 bits pick the slot (multiply-shift: bias below n / 2^32), low 32 bits the side.
    int32_t i = (int32_t)(((u >> 32) * (uint64_t)t->n) >> 32);
    const alias_slot s = t->slot[i];
    return (uint32_t)u < s.keep ? i : s.alias;
}

double rc_unigram_table_prob(const rc_unigram_table *t, int32_t i) {
    return t && i >= 0 && i < t->n ? t->prob[i] : 0.0;
}

int32_t rc_unigram_table_size(const rc_unigram_table *t) {
    return t ? t->n : 0;
}

double rc_subsample_keep_prob(int64_t count, int64_t total, double t) {
    if (!(t > 0) || count <= 0 || total <= 0)
        return 1.0;
    const double tt = t * (double)total, c = (double)count;
    const double p = (sqrt(c / tt) + 1.0) * tt / c;
    return p < 1.0 ? p : 1.0;
}

float rc_linear_lr(float lr0, double progress) {
    double f = 1.0 - progress;
    if (f < 1e-4)
        f = 1e-4;
    return (float)(lr0 * f);
}
