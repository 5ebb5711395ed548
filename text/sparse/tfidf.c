// TF-IDF with scikit-learn's TfidfVectorizer semantics on top of the count features:
//   tf = count, or 1 + ln(count) when sublinear
//   idf = ln((1 + n) / (1 + df)) + 1 with smoothing, ln(n / df) + 1 without
//   row i: x_ij = tf_ij * idf_j, then x_i / ||x_i|| (l2 or l1); a zero row stays zero.
// Arithmetic in double, as scikit-learn's float64; stored as f32.
#include <math.h>
#include <stdlib.h>

#include "text/text_impl.h"

struct rc_tfidf {
    rc_tfidf_opts o;
    rc_features *f;
    double *idf;
};

rc_tfidf_opts rc_tfidf_defaults(void) {
    return (rc_tfidf_opts){.features = rc_features_defaults(),
                           .norm = RC_NORM_L2,
                           .use_idf = true,
                           .smooth_idf = true,
                           .sublinear_tf = false};
}

rc_status rc_tfidf_new(rc_tfidf **out, const rc_tfidf_opts *o) {
    if (!out)
        return rc_err_null(NULL, 0, "rc_tfidf_new", "t");
    *out = NULL;
    const rc_tfidf_opts defaults = rc_tfidf_defaults();
    if (!o)
        o = &defaults;
    if (o->norm < RC_NORM_L2 || o->norm > RC_NORM_NONE)
        return rc_errf(NULL, 0, RC_ERR_ARG,
                       "rc_tfidf_new: norm must be RC_NORM_L2, RC_NORM_L1 or RC_NORM_NONE, got %d",
                       (int)o->norm);
    rc_status st = rc_features_check_opts(&o->features, "rc_tfidf_new", "features.");
    if (st != RC_OK)
        return st;
    rc_tfidf *t = calloc(1, sizeof *t);
    if (!t)
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_tfidf_new: out of memory for the model");
    t->o = *o;
    st = rc_features_new(&t->f, &o->features); // now fails only for lack of memory
    if (st != RC_OK) {
        free(t);
        return st;
    }
    *out = t;
    return RC_OK;
}

void rc_tfidf_free(rc_tfidf **pt) {
    if (!pt || !*pt)
        return;
    rc_features_free(&(*pt)->f);
    free((*pt)->idf);
    free(*pt);
    *pt = NULL;
}

const rc_features *rc_tfidf_features(const rc_tfidf *t) {
    return t ? t->f : NULL;
}

const double *rc_tfidf_idf(const rc_tfidf *t) {
    return t ? t->idf : NULL;
}

static bool fit_idf(rc_tfidf *t) {
    int32_t V = rc_features_size(t->f);
    double *idf = malloc((size_t)(V ? V : 1) * sizeof *idf);
    if (!idf)
        return false;
    double s = t->o.smooth_idf ? 1.0 : 0.0, n = (double)rc_features_num_docs(t->f) + s;
    for (int32_t j = 0; j < V; j++)
        idf[j] = t->o.use_idf ? log(n / ((double)rc_features_df(t->f, j) + s)) + 1.0 : 1.0;
    free(t->idf);
    t->idf = idf;
    return true;
}

static inline double weight(double count, bool sublinear, double idf) {
    return (sublinear && count > 0 ? log(count) + 1.0 : count) * idf;
}

rc_status rc_tfidf_apply(const rc_tfidf *t, rc_csr *m) {
    if (!t || !m)
        return rc_err_null(NULL, 0, "rc_tfidf_apply", t ? "m" : "t");
    if (!t->idf)
        return rc_errf(NULL, 0, RC_ERR_STATE, "rc_tfidf_apply: called before rc_tfidf_fit");
    if (m->cols != rc_features_size(t->f))
        return rc_errf(NULL, 0, RC_ERR_SHAPE,
                       "rc_tfidf_apply: m has %lld columns, the model %d features",
                       (long long)m->cols, rc_features_size(t->f));
    const bool sub = t->o.sublinear_tf;
    const rc_norm norm = t->o.norm;
    const double *idf = t->idf;
    for (int64_t r = 0; r < m->rows; r++) {
        const int64_t lo = m->indptr[r], hi = m->indptr[r + 1];
        double acc = 0;
        for (int64_t k = lo; norm != RC_NORM_NONE && k < hi; k++) {
            double x = weight(m->values[k], sub, idf[m->indices[k]]);
            acc += norm == RC_NORM_L2 ? x * x : fabs(x);
        }
        double scale = norm == RC_NORM_L2 ? sqrt(acc) : norm == RC_NORM_L1 ? acc : 1.0;
        if (scale == 0)
            scale = 1.0; // an all-zero row stays zero
        for (int64_t k = lo; k < hi; k++)
            m->values[k] = (float)(weight(m->values[k], sub, idf[m->indices[k]]) / scale);
    }
    return RC_OK;
}

rc_status rc_tfidf_fit(rc_tfidf *t, const char *const *docs, const size_t *lens, int64_t n,
                       rc_csr *out, char *err, size_t err_len) {
    if (!t)
        return rc_err_null(err, err_len, "rc_tfidf_fit", "t");
    rc_csr counts = {0}, *m = out ? out : &counts;
    rc_status st = rc_features_fit(t->f, docs, lens, n, m, err, err_len);
    if (st != RC_OK)
        return st;
    if (!fit_idf(t)) {
        rc_csr_free(m);
        return rc_errf(err, err_len, RC_ERR_NOMEM, "out of memory");
    }
    st = rc_tfidf_apply(t, m);
    if (!out)
        rc_csr_free(m);
    return st;
}

rc_status rc_tfidf_transform(const rc_tfidf *t, const char *const *docs, const size_t *lens,
                             int64_t n, rc_csr *out, char *err, size_t err_len) {
    if (!t || !out)
        return rc_err_null(err, err_len, "rc_tfidf_transform", t ? "out" : "t");
    if (!t->idf)
        return rc_errf(err, err_len, RC_ERR_STATE, "transform before fit");
    rc_status st = rc_features_transform(t->f, docs, lens, n, out, err, err_len);
    return st == RC_OK ? rc_tfidf_apply(t, out) : st;
}
