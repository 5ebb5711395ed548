// BM25 over an inverted index. Adding a document analyzes it (tokenize, stop words, stem),
// counts its terms with a sparse accumulator and appends (term, tf) pairs to a row store; build
// transposes the rows into postings (a counting sort by term, so each term's documents come in
// order) and computes every term's idf. A search adds each query term's contributions into a
// per-document accumulator and keeps the best k in a heap.
#include <math.h>
#include <stdlib.h>

#include "text/retrieval/bm25_impl.h"

rc_bm25_opts rc_bm25_defaults(void) {
    rc_tok_opts tok = {
        .mode = RC_TOK_WORDS, .punct = RC_PUNCT_DROP, .lowercase = true, .min_chars = 1};
    return (rc_bm25_opts){.variant = RC_BM25_OKAPI,
                          .idf = RC_BM25_IDF_LUCENE,
                          .k1 = 0.9,
                          .b = 0.4,
                          .delta = 0,
                          .tok = tok,
                          .stop = NULL,
                          .stem = true};
}

static rc_status check_opts(const rc_bm25_opts *o) {
    if (!(o->k1 >= 0) || isinf(o->k1)) // NaN fails every comparison
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_bm25_new: k1 must be >= 0, got %g", o->k1);
    if (!(o->b >= 0 && o->b <= 1))
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_bm25_new: b must be in [0, 1], got %g", o->b);
    if (!(o->delta >= 0) || isinf(o->delta))
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_bm25_new: delta must be >= 0, got %g", o->delta);
    return RC_OK;
}

rc_status rc_bm25_new(rc_bm25 **out, const rc_bm25_opts *o) {
    if (!out)
        return rc_err_null(NULL, 0, "rc_bm25_new", "ix");
    *out = NULL;
    const rc_bm25_opts defaults = rc_bm25_defaults();
    if (!o)
        o = &defaults;
    rc_status st = check_opts(o);
    if (st != RC_OK)
        return st;
    rc_bm25 *ix = calloc(1, sizeof *ix);
    if (ix)
        ix->row_ptr = malloc(64 * sizeof *ix->row_ptr);
    if (!ix || !ix->row_ptr) {
        free(ix);
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_bm25_new: out of memory for the index");
    }
    ix->o = *o;
    ix->row_ptr_cap = 64;
    ix->row_ptr[0] = 0;
    *out = ix;
    return RC_OK;
}

static void free_rows(rc_bm25 *ix) {
    free(ix->row_term), free(ix->row_tf), free(ix->last_doc), free(ix->cnt), free(ix->touched);
    ix->row_term = ix->row_tf = ix->cnt = ix->touched = NULL;
    ix->last_doc = NULL;
    rc_tokens_free(&ix->tok);
}

void rc_bm25_free(rc_bm25 **pix) {
    if (!pix || !*pix)
        return;
    rc_bm25 *ix = *pix;
    free_rows(ix);
    rc_strtab_free(&ix->terms);
    free(ix->row_ptr), free(ix->doc_len), free(ix->post_ptr), free(ix->post_doc);
    free(ix->post_tf), free(ix->idf), free(ix->norm);
    for (int64_t d = 0; ix->doc_ids && d < ix->n_docs; d++)
        free(ix->doc_ids[d]);
    free(ix->doc_ids);
    rc_stopset_free(&ix->own_stop);
    free(ix);
    *pix = NULL;
}

int64_t rc_bm25_num_docs(const rc_bm25 *ix) {
    return ix ? ix->n_docs : 0;
}

int32_t rc_bm25_num_terms(const rc_bm25 *ix) {
    return ix ? (int32_t)ix->terms.n : 0;
}

double rc_bm25_avgdl(const rc_bm25 *ix) {
    return ix ? ix->avgdl : 0;
}

// Tokenize, drop stop words, stem: the same for documents and queries.
static rc_status analyze(const rc_bm25_opts *o, const char *s, size_t len, rc_tokens *t, char *err,
                         size_t err_len) {
    rc_status st = rc_tokenize(&o->tok, s, len, t, err, err_len);
    if (st != RC_OK)
        return st;
    if (o->stop)
        rc_tokens_remove_stopwords(t, o->stop);
    if (o->stem && (st = rc_tokens_stem(t)) != RC_OK)
        rc_errf(err, err_len, st, "out of memory");
    return st;
}

static bool count_token(rc_bm25 *ix, const char *s, size_t len) {
    bool added;
    int32_t id = rc_strtab_intern(&ix->terms, s, len, rc_hash_bytes(s, len), &added);
    if (id < 0)
        return false;
    if (added) {
        size_t c1 = ix->last_cap, c2 = ix->cnt_cap;
        if (!rc_grow((void **)&ix->last_doc, &c1, ix->terms.n, sizeof *ix->last_doc) ||
            !rc_grow((void **)&ix->cnt, &c2, ix->terms.n, sizeof *ix->cnt))
            return false;
        ix->last_cap = c1, ix->cnt_cap = c2;
        ix->last_doc[id] = -1;
    }
    if (ix->last_doc[id] != ix->n_docs) {
        if (!rc_grow((void **)&ix->touched, &ix->touched_cap, ix->n_touched + 1,
                     sizeof *ix->touched))
            return false;
        ix->last_doc[id] = ix->n_docs;
        ix->cnt[id] = 0;
        ix->touched[ix->n_touched++] = id;
    }
    ix->cnt[id]++;
    return true;
}

static bool append_row(rc_bm25 *ix, int32_t length) {
    int64_t at = ix->row_ptr[ix->n_docs];
    size_t need = (size_t)at + ix->n_touched, c2 = ix->row_tf_cap;
    if (!rc_grow((void **)&ix->row_term, &ix->row_cap, need, sizeof *ix->row_term) ||
        !rc_grow((void **)&ix->row_tf, &c2, need, sizeof *ix->row_tf) ||
        !rc_grow((void **)&ix->row_ptr, &ix->row_ptr_cap, (size_t)ix->n_docs + 2,
                 sizeof *ix->row_ptr) ||
        !rc_grow((void **)&ix->doc_len, &ix->doc_len_cap, (size_t)ix->n_docs + 1,
                 sizeof *ix->doc_len))
        return false;
    ix->row_tf_cap = c2;
    for (size_t i = 0; i < ix->n_touched; i++) {
        ix->row_term[at] = ix->touched[i];
        ix->row_tf[at++] = ix->cnt[ix->touched[i]];
    }
    ix->n_touched = 0;
    ix->doc_len[ix->n_docs] = length;
    ix->row_ptr[++ix->n_docs] = at;
    return true;
}

rc_status rc_bm25_add(rc_bm25 *ix, const char *text, size_t len, char *err, size_t err_len) {
    if (!ix || (!text && len))
        return rc_err_null(err, err_len, "rc_bm25_add", ix ? "text" : "ix");
    if (ix->built)
        return rc_errf(err, err_len, RC_ERR_STATE,
                       "the index is built: add documents before rc_bm25_build");
    if (ix->n_docs >= INT32_MAX - 1)
        return rc_errf(err, err_len, RC_ERR_RANGE, "too many documents");
    rc_status st = analyze(&ix->o, text, len, &ix->tok, err, err_len);
    if (st != RC_OK)
        return st;
    for (size_t i = 0; i < ix->tok.n; i++) {
        size_t n;
        const char *s = rc_token(&ix->tok, i, &n);
        if (!count_token(ix, s, n)) {
            ix->n_touched = 0;
            return rc_errf(err, err_len, RC_ERR_NOMEM, "out of memory");
        }
    }
    if (!append_row(ix, (int32_t)ix->tok.n))
        return rc_errf(err, err_len, RC_ERR_NOMEM, "out of memory");
    return RC_OK;
}

static double idf_of(const rc_bm25_opts *o, double N, double df) {
    double x = (N - df + 0.5) / (df + 0.5);
    return o->idf == RC_BM25_IDF_LUCENE ? log(1.0 + x) : log(x);
}

rc_status rc_bm25_build(rc_bm25 *ix) {
    if (!ix)
        return rc_err_null(NULL, 0, "rc_bm25_build", "ix");
    if (ix->built)
        return rc_errf(NULL, 0, RC_ERR_STATE, "rc_bm25_build: the index is already built");
    const size_t T = ix->terms.n;
    const int64_t N = ix->n_docs, nnz = ix->row_ptr[N];
    ix->post_ptr = calloc(T + 1, sizeof *ix->post_ptr);
    ix->post_doc = malloc((size_t)(nnz ? nnz : 1) * sizeof *ix->post_doc);
    ix->post_tf = malloc((size_t)(nnz ? nnz : 1) * sizeof *ix->post_tf);
    if (!ix->post_ptr || !ix->post_doc || !ix->post_tf)
        return rc_errf(NULL, 0, RC_ERR_NOMEM,
                       "rc_bm25_build: out of memory for %lld postings of %zu terms",
                       (long long)nnz, T);
    for (int64_t k = 0; k < nnz; k++)
        ix->post_ptr[ix->row_term[k] + 1]++;
    for (size_t t = 0; t < T; t++)
        ix->post_ptr[t + 1] += ix->post_ptr[t];
    for (int64_t d = 0; d < N; d++) {
        for (int64_t k = ix->row_ptr[d]; k < ix->row_ptr[d + 1]; k++) {
            int64_t at = ix->post_ptr[ix->row_term[k]]++;
            ix->post_doc[at] = (int32_t)d;
            ix->post_tf[at] = ix->row_tf[k];
        }
    }
    for (size_t t = T; t > 0; t--) // the fill moved each start to the next term's start
        ix->post_ptr[t] = ix->post_ptr[t - 1];
    ix->post_ptr[0] = 0;
    free_rows(ix);
    return rc_bm25_finish(ix);
}

rc_status rc_bm25_finish(rc_bm25 *ix) {
    const size_t T = ix->terms.n;
    const int64_t N = ix->n_docs;
    if (!ix->idf)
        ix->idf = malloc((T ? T : 1) * sizeof *ix->idf);
    if (!ix->norm)
        ix->norm = malloc((size_t)(N ? N : 1) * sizeof *ix->norm);
    if (!ix->idf || !ix->norm)
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_bm25_build: out of memory for %zu terms", T);
    double total = 0;
    for (int64_t d = 0; d < N; d++)
        total += ix->doc_len[d];
    ix->avgdl = N ? total / (double)N : 0;
    const double k1 = ix->o.k1, b = ix->o.b;
    for (int64_t d = 0; d < N; d++) {
        double rel = ix->avgdl > 0 ? ix->doc_len[d] / ix->avgdl : 0;
        // BM25L divides tf by (1 - b + b dl/avgdl); the others multiply it by k1.
        ix->norm[d] = (ix->o.variant == RC_BM25_L ? 1 - b + b * rel : k1 * (1 - b + b * rel));
    }
    for (size_t t = 0; t < T; t++)
        ix->idf[t] = idf_of(&ix->o, (double)N, (double)(ix->post_ptr[t + 1] - ix->post_ptr[t]));
    ix->built = true;
    return RC_OK;
}

// The contribution of a term with this idf and frequency tf to document d.
static double term_score(const rc_bm25 *ix, double idf, double tf, int32_t d) {
    const double k1 = ix->o.k1, delta = ix->o.delta, norm = ix->norm[d];
    switch (ix->o.variant) {
    case RC_BM25_L: {
        double c = tf / norm;
        return idf * (k1 + 1) * (c + delta) / (k1 + c + delta);
    }
    case RC_BM25_PLUS: return idf * (tf * (k1 + 1) / (tf + norm) + delta);
    default: return idf * tf * (k1 + 1) / (tf + norm);
    }
}

// The query's term ids (unknown terms dropped) into *ids (malloc'ed), *n of them.
static rc_status query_terms(const rc_bm25 *ix, const char *q, size_t len, int32_t **ids,
                             int64_t *n, char *err, size_t err_len) {
    *ids = NULL;
    *n = 0;
    if (!ix->built)
        return rc_errf(err, err_len, RC_ERR_STATE, "search before rc_bm25_build");
    rc_tokens t = {0};
    rc_status st = analyze(&ix->o, q, len, &t, err, err_len);
    if (st == RC_OK && !(*ids = malloc((t.n ? t.n : 1) * sizeof **ids)))
        st = rc_errf(err, err_len, RC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == RC_OK && i < t.n; i++) {
        size_t l;
        const char *s = rc_token(&t, i, &l);
        int32_t id = rc_strtab_find(&ix->terms, s, l, rc_hash_bytes(s, l));
        if (id >= 0)
            (*ids)[(*n)++] = id;
    }
    rc_tokens_free(&t);
    return st;
}

rc_status rc_bm25_score(const rc_bm25 *ix, const char *q, size_t len, int32_t doc, double *score,
                        char *err, size_t err_len) {
    if (score)
        *score = 0;
    if (!ix || (!q && len) || !score)
        return rc_err_null(err, err_len, "rc_bm25_score", !ix ? "ix" : !score ? "score" : "q");
    if (ix->built && (doc < 0 || doc >= ix->n_docs))
        return rc_errf(err, err_len, RC_ERR_RANGE, "document %d is outside [0,%lld)", doc,
                       (long long)ix->n_docs);
    int32_t *ids;
    int64_t n;
    rc_status st = query_terms(ix, q, len, &ids, &n, err, err_len);
    if (st != RC_OK)
        return st;
    double s = 0;
    for (int64_t i = 0; i < n; i++) {
        const int32_t id = ids[i];
        for (int64_t k = ix->post_ptr[id]; k < ix->post_ptr[id + 1]; k++)
            if (ix->post_doc[k] == doc)
                s += term_score(ix, ix->idf[id], ix->post_tf[k], doc);
    }
    free(ids);
    *score = s;
    return RC_OK;
}

// A min-heap of the best documents so far: the root is the worst (lowest score, and among equal
// scores the highest document number).
typedef struct hit {
    double score;
    int32_t doc;
} hit;

static bool worse(hit a, hit b) {
    return a.score < b.score || (a.score == b.score && a.doc > b.doc);
}

static void sift_down(hit *h, int n, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(h[l], h[m]))
            m = l;
        if (r < n && worse(h[r], h[m]))
            m = r;
        if (m == i)
            return;
        hit t = h[i];
        h[i] = h[m], h[m] = t;
        i = m;
    }
}

static void sift_up(hit *h, int i) {
    while (i > 0 && worse(h[i], h[(i - 1) / 2])) {
        hit t = h[i];
        h[i] = h[(i - 1) / 2], h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

// Keeps the k best of the touched documents' scores in h; returns how many.
static int top_k(const double *acc, const int32_t *touched, int64_t n_touched, int k, hit *h) {
    int n = 0;
    if (k == 0)
        return 0;
    for (int64_t i = 0; i < n_touched; i++) {
        hit x = {acc[touched[i]], touched[i]};
        if (n < k) {
            h[n] = x;
            sift_up(h, n++);
        } else if (worse(h[0], x)) {
            h[0] = x;
            sift_down(h, n, 0);
        }
    }
    return n;
}

rc_status rc_bm25_search(const rc_bm25 *ix, const char *q, size_t len, int k, int32_t *docs,
                         float *scores, int *n_found, char *err, size_t err_len) {
    if (n_found)
        *n_found = 0;
    if (!ix || (!q && len) || !n_found)
        return rc_err_null(err, err_len, "rc_bm25_search", !ix ? "ix" : !n_found ? "n_found" : "q");
    if (k > 0 && (!docs || !scores))
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_bm25_search: %s is NULL with k = %d",
                       docs ? "scores" : "docs", k);
    if (k < 0)
        return rc_errf(err, err_len, RC_ERR_ARG, "k is %d", k);
    int32_t *ids;
    int64_t n;
    rc_status st = query_terms(ix, q, len, &ids, &n, err, err_len);
    if (st != RC_OK)
        return st;
    double *acc = calloc((size_t)(ix->n_docs ? ix->n_docs : 1), sizeof *acc);
    int32_t *touched = malloc((size_t)(ix->n_docs ? ix->n_docs : 1) * sizeof *touched);
    uint8_t *seen = calloc((size_t)(ix->n_docs ? ix->n_docs : 1), 1);
    hit *h = malloc((size_t)(k ? k : 1) * sizeof *h);
    if (!acc || !touched || !seen || !h) {
        free(ids), free(acc), free(touched), free(seen), free(h);
        return rc_errf(err, err_len, RC_ERR_NOMEM, "out of memory");
    }
    int64_t n_touched = 0;
    for (int64_t i = 0; i < n; i++) {
        const int32_t id = ids[i];
        for (int64_t p = ix->post_ptr[id]; p < ix->post_ptr[id + 1]; p++) {
            int32_t d = ix->post_doc[p];
            double s = term_score(ix, ix->idf[id], ix->post_tf[p], d);
            if (!seen[d]) {
                seen[d] = 1;
                touched[n_touched++] = d;
            }
            acc[d] += s;
        }
    }
    int m = top_k(acc, touched, n_touched, k, h);
    for (int i = m - 1; i >= 0; i--) { // pop the worst first, fill from the back
        docs[i] = h[0].doc;
        scores[i] = (float)h[0].score;
        h[0] = h[i];
        sift_down(h, i, 0);
    }
    *n_found = m;
    free(ids), free(acc), free(touched), free(seen), free(h);
    return RC_OK;
}

const rc_bm25_opts *rc_bm25_options(const rc_bm25 *ix) {
    return ix ? &ix->o : NULL;
}

rc_status rc_bm25_set_doc_ids(rc_bm25 *ix, const char *const *ids, int64_t n, char *err,
                              size_t err_len) {
    if (!ix || !ids)
        return rc_err_null(err, err_len, "rc_bm25_set_doc_ids", ix ? "ids" : "ix");
    if (!ix->built)
        return rc_errf(err, err_len, RC_ERR_STATE, "rc_bm25_set_doc_ids: build the index first");
    if (n != ix->n_docs)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_bm25_set_doc_ids: %lld ids for an index of %lld documents", (long long)n,
                       (long long)ix->n_docs);
    char **copy = calloc((size_t)(n ? n : 1), sizeof *copy);
    for (int64_t d = 0; copy && d < n; d++) {
        if (!ids[d] || !(copy[d] = strdup(ids[d]))) {
            for (int64_t i = 0; i < d; i++)
                free(copy[i]);
            free(copy);
            return ids[d]
                       ? rc_errf(err, err_len, RC_ERR_NOMEM, "rc_bm25_set_doc_ids: out of memory")
                       : rc_errf(err, err_len, RC_ERR_ARG, "rc_bm25_set_doc_ids: ids[%lld] is NULL",
                                 (long long)d);
        }
    }
    if (!copy)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_bm25_set_doc_ids: out of memory");
    for (int64_t d = 0; ix->doc_ids && d < ix->n_docs; d++)
        free(ix->doc_ids[d]);
    free(ix->doc_ids);
    ix->doc_ids = copy;
    return RC_OK;
}

const char *rc_bm25_doc_id(const rc_bm25 *ix, int32_t doc) {
    if (!ix || !ix->doc_ids || doc < 0 || doc >= ix->n_docs)
        return NULL;
    return ix->doc_ids[doc];
}
