// Term-count features (scikit-learn's CountVectorizer). Fit interns every term in order of first
// sight, counts per document with a sparse accumulator (the list of terms the document touched),
// then sorts the terms by bytes, drops those outside [min_df, max_df] and beyond max_features, and
// renumbers the columns with two counting-sort passes (rows -> columns -> rows), which leaves
// every row's columns ascending without a comparison sort.
#include <math.h>
#include <stdlib.h>

#include "text/text_impl.h"

struct rc_features {
    rc_features_opts o;
    rc_strtab terms; // final terms, id = column
    int64_t *df;
    int64_t n_docs;
    bool fitted;
};

rc_features_opts rc_features_defaults(void) {
    return (rc_features_opts){
        .tok = rc_tok_sklearn(), .analyzer = RC_ANALYZER_WORD, .ngram_min = 1, .ngram_max = 1};
}

rc_status rc_features_check_opts(const rc_features_opts *o, const char *fn, const char *opt) {
    if (o->ngram_min < 1)
        return rc_errf(NULL, 0, RC_ERR_ARG, "%s: %sngram_min must be >= 1, got %d", fn, opt,
                       o->ngram_min);
    if (o->ngram_max < o->ngram_min)
        return rc_errf(NULL, 0, RC_ERR_ARG, "%s: %sngram_max must be >= ngram_min (%d), got %d", fn,
                       opt, o->ngram_min, o->ngram_max);
    if (o->max_features < 0)
        return rc_errf(NULL, 0, RC_ERR_ARG, "%s: %smax_features must be >= 0, got %lld", fn, opt,
                       (long long)o->max_features);
    return RC_OK;
}

rc_status rc_features_new(rc_features **out, const rc_features_opts *o) {
    if (!out)
        return rc_err_null(NULL, 0, "rc_features_new", "f");
    *out = NULL;
    const rc_features_opts defaults = rc_features_defaults();
    if (!o)
        o = &defaults;
    rc_status st = rc_features_check_opts(o, "rc_features_new", "");
    if (st != RC_OK)
        return st;
    rc_features *f = calloc(1, sizeof *f);
    if (!f)
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_features_new: out of memory for the vectorizer");
    f->o = *o;
    *out = f;
    return RC_OK;
}

void rc_features_free(rc_features **pf) {
    if (!pf || !*pf)
        return;
    rc_strtab_free(&(*pf)->terms);
    free((*pf)->df);
    free(*pf);
    *pf = NULL;
}

int32_t rc_features_size(const rc_features *f) {
    return f ? (int32_t)f->terms.n : 0;
}

const char *rc_features_term(const rc_features *f, int32_t j, size_t *len) {
    if (!f || j < 0 || (size_t)j >= f->terms.n)
        return NULL;
    size_t l;
    const char *s = rc_strtab_key(&f->terms, j, &l);
    if (len)
        *len = l;
    return s;
}

int32_t rc_features_find(const rc_features *f, const char *term, size_t len) {
    if (!f || (!term && len))
        return -1;
    return rc_strtab_find(&f->terms, term, len, rc_hash_bytes(term, len));
}

int64_t rc_features_df(const rc_features *f, int32_t j) {
    return f && j >= 0 && (size_t)j < f->terms.n ? f->df[j] : 0;
}

int64_t rc_features_num_docs(const rc_features *f) {
    return f ? f->n_docs : 0;
}

// ---- per-document counting
// ------------------------------------------------------------------------

// What the counter keeps per term, together so that a token touches one cache line.
typedef struct term_stat {
    int64_t last_doc; // last document that touched the term
    int64_t df;       // documents containing it (fit)
    int64_t total;    // its total count (fit; for max_features)
    float cnt;        // its count in document last_doc
} term_stat;

typedef struct counter {
    rc_strtab *tab; // fit: the table terms are added to; transform: the fitted one
    bool grow;      // fit (intern) or transform (look up)
    term_stat *st;  // [terms]
    size_t cap;
    bool fit;         // also count document frequencies and totals
    int32_t *touched; // terms of the current document, in order of first sight
    size_t n_touched, touched_cap;
    int64_t doc;
    bool binary;
    bool sort; // emit each row's columns ascending (transform; fit renumbers instead)
} counter;

static bool counter_fit_room(counter *c) {
    return rc_grow((void **)&c->st, &c->cap, c->tab->n, sizeof *c->st);
}

static bool count_term(void *ctx, const char *s, size_t len) {
    counter *c = ctx;
    int32_t id;
    if (c->grow) {
        bool added;
        id = rc_strtab_intern(c->tab, s, len, rc_hash_bytes(s, len), &added);
        if (id < 0 || (added && !counter_fit_room(c)))
            return false;
        if (added)
            c->st[id] = (term_stat){.last_doc = -1};
    } else if ((id = rc_strtab_find(c->tab, s, len, rc_hash_bytes(s, len))) < 0) {
        return true; // unknown term
    }
    term_stat *t = &c->st[id];
    if (t->last_doc != c->doc) {
        if (!rc_grow((void **)&c->touched, &c->touched_cap, c->n_touched + 1, sizeof *c->touched))
            return false;
        t->last_doc = c->doc;
        t->cnt = 0;
        c->touched[c->n_touched++] = id;
        t->df += c->fit;
    }
    t->cnt += 1;
    return true;
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void sort_touched(counter *c) {
    int32_t *t = c->touched;
    size_t n = c->n_touched;
    if (n > 32) {
        qsort(t, n, sizeof *t, cmp_i32);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        int32_t x = t[i];
        size_t j = i;
        for (; j > 0 && t[j - 1] > x; j--)
            t[j] = t[j - 1];
        t[j] = x;
    }
}

// Appends the current document's (term, count) entries as row `doc` of m.
static bool emit_row(counter *c, rc_csr *m) {
    if (c->sort)
        sort_touched(c);
    int64_t at = m->indptr[m->rows];
    if (!rc_csr_grow_nnz(m, at, at + (int64_t)c->n_touched))
        return false;
    for (size_t i = 0; i < c->n_touched; i++) {
        int32_t id = c->touched[i];
        float v = c->binary ? 1.0f : c->st[id].cnt;
        if (c->fit)
            c->st[id].total += (int64_t)v;
        m->indices[at] = id;
        m->values[at++] = v;
    }
    m->indptr[++m->rows] = at;
    c->n_touched = 0;
    return true;
}

// Counts docs[0..n) into m (rows n, columns = terms as numbered by c).
static rc_status count_docs(const rc_features_opts *o, counter *c, const char *const *docs,
                            const size_t *lens, int64_t n, rc_csr *m, char *err, size_t err_len) {
    rc_csr_free(m);
    if (!rc_csr_grow((void **)&m->indptr, 0, (size_t)n + 2, sizeof *m->indptr))
        return rc_errf(err, err_len, RC_ERR_NOMEM, "out of memory for %lld rows", (long long)n);
    m->indptr[0] = 0;
    rc_term_scratch sc = {0};
    rc_status st = RC_OK;
    char why[200];
    for (int64_t d = 0; d < n && st == RC_OK; d++) {
        c->doc = d;
        if (!docs[d] && lens[d]) {
            st = rc_errf(err, err_len, RC_ERR_ARG, "document %lld is NULL with length %zu",
                         (long long)d, lens[d]);
            break;
        }
        st = rc_doc_terms(o, docs[d], lens[d], &sc, count_term, c, why, sizeof why);
        if (st == RC_OK && !emit_row(c, m))
            st = RC_ERR_NOMEM;
        if (st != RC_OK)
            rc_errf(err, err_len, st, "document %lld: %s", (long long)d,
                    st == RC_ERR_NOMEM ? "out of memory" : why);
    }
    rc_term_scratch_free(&sc);
    m->indptr[n + 1] = m->indptr[n]; // room for the builder's open row
    return st;
}

static void counter_free(counter *c) {
    free(c->st);
    free(c->touched);
}

// ---- fit: choose, order and renumber the terms
// ----------------------------------------------------

// Sorting terms by bytes: a radix sort on the first 8 bytes of each term read as a big-endian
// number (a pass is skipped when all keys share its byte), then each run of equal prefixes is
// sorted by the full bytes.
typedef struct keyed {
    uint64_t key;
    int32_t id;
} keyed;

static uint64_t prefix_key(const rc_strtab *tab, int32_t id) {
    size_t len;
    const unsigned char *s = (const unsigned char *)rc_strtab_key(tab, id, &len);
    uint64_t p = 0;
    for (size_t k = 0; k < 8; k++)
        p = (p << 8) | (k < len ? s[k] : 0);
    return p;
}

static void radix_pass(const keyed *src, keyed *dst, size_t n, int shift) {
    size_t count[257] = {0};
    for (size_t i = 0; i < n; i++)
        count[((src[i].key >> shift) & 255) + 1]++;
    for (int b = 0; b < 256; b++)
        count[b + 1] += count[b];
    for (size_t i = 0; i < n; i++)
        dst[count[(src[i].key >> shift) & 255]++] = src[i];
}

static bool same_byte(const keyed *a, size_t n, int shift) {
    for (size_t i = 1; i < n; i++)
        if (((a[i].key ^ a[0].key) >> shift) & 255)
            return false;
    return true;
}

static int by_bytes(int32_t a, int32_t b, const void *tab) {
    return rc_strtab_cmp(tab, a, b);
}

static bool sort_by_bytes(const rc_strtab *tab, int32_t *order, size_t n) {
    keyed *a = malloc((n ? n : 1) * sizeof *a), *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!a || !tmp) {
        free(a), free(tmp);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        a[i] = (keyed){prefix_key(tab, order[i]), order[i]};
    for (int shift = 0; shift < 64; shift += 8) {
        if (n < 2 || same_byte(a, n, shift))
            continue;
        radix_pass(a, tmp, n, shift);
        keyed *t = a;
        a = tmp, tmp = t;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = a[i].id;
    bool ok = true;
    for (size_t lo = 0, hi; lo < n && ok; lo = hi) { // runs sharing all 8 prefix bytes
        for (hi = lo + 1; hi < n && a[hi].key == a[lo].key; hi++)
            ;
        if (hi - lo > 1)
            ok = rc_sort_ids(order + lo, hi - lo, by_bytes, tab);
    }
    free(a), free(tmp);
    return ok;
}

static int by_total_desc(int32_t a, int32_t b, const void *ctx) {
    const term_stat *st = ctx;
    return (st[a].total < st[b].total) - (st[a].total > st[b].total);
}

// newid[t] for each provisional term t: its column, or -1 when dropped. Returns the column count
// or -1 with a message.
static int64_t choose_terms(const rc_features_opts *o, const counter *c, int64_t n_docs,
                            int32_t *newid, char *err, size_t err_len) {
    size_t n = c->tab->n;
    int32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) {
        rc_errf(err, err_len, RC_ERR_NOMEM, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (int32_t)i, newid[i] = -1;
    double max_docs = o->max_df > 0 && o->max_df < 1 ? o->max_df * (double)n_docs : INFINITY;
    size_t kept = 0;
    if (!sort_by_bytes(c->tab, order, n))
        goto nomem;
    for (size_t i = 0; i < n; i++) { // the kept terms, still in byte order
        int32_t t = order[i];
        if (c->st[t].df >= o->min_df && (double)c->st[t].df <= max_docs)
            order[kept++] = t;
    }
    if (o->max_features > 0 && kept > (size_t)o->max_features) {
        int32_t *by_total = malloc(kept * sizeof *by_total);
        if (!by_total)
            goto nomem;
        memcpy(by_total, order, kept * sizeof *order);
        if (!rc_sort_ids(by_total, kept, by_total_desc, c->st)) {
            free(by_total);
            goto nomem;
        }
        for (size_t i = 0; i < (size_t)o->max_features; i++)
            newid[by_total[i]] = 0; // mark; numbered below in byte order
        free(by_total);
        size_t w = 0;
        for (size_t i = 0; i < kept; i++)
            if (newid[order[i]] == 0)
                order[w++] = order[i];
        kept = w;
    }
    for (size_t i = 0; i < kept; i++)
        newid[order[i]] = (int32_t)i;
    free(order);
    if (kept == 0)
        rc_errf(err, err_len, RC_ERR_ARG,
                n ? "no terms are left after min_df, max_df and max_features"
                  : "empty vocabulary: the documents have no terms");
    return kept ? (int64_t)kept : -1;
nomem:
    free(order);
    rc_errf(err, err_len, RC_ERR_NOMEM, "out of memory");
    return -1;
}

// Renumbers m's columns through newid (dropping -1) and leaves each row's columns ascending:
// rows -> columns by a counting sort on the new column, then columns -> rows likewise.
static bool renumber(rc_csr *m, const int32_t *newid, int64_t cols) {
    int64_t nnz = m->indptr[m->rows];
    int64_t *colptr = calloc((size_t)cols + 1, sizeof *colptr);
    int64_t *crow = malloc((size_t)(nnz ? nnz : 1) * sizeof *crow);
    float *cval = malloc((size_t)(nnz ? nnz : 1) * sizeof *cval);
    if (!colptr || !crow || !cval) {
        free(colptr), free(crow), free(cval);
        return false;
    }
    for (int64_t k = 0; k < nnz; k++)
        if (newid[m->indices[k]] >= 0)
            colptr[newid[m->indices[k]] + 1]++;
    for (int64_t j = 0; j < cols; j++)
        colptr[j + 1] += colptr[j];
    for (int64_t r = 0; r < m->rows; r++) {
        for (int64_t k = m->indptr[r]; k < m->indptr[r + 1]; k++) {
            int32_t j = newid[m->indices[k]];
            if (j < 0)
                continue;
            int64_t at = colptr[j]++;
            crow[at] = r;
            cval[at] = m->values[k];
        }
    }
    // colptr[j] is now the end of column j. Count the kept entries per row, then refill the rows
    // column by column.
    for (int64_t r = 0; r <= m->rows; r++)
        m->indptr[r] = 0;
    for (int64_t j = 0; j < cols; j++) {
        for (int64_t k = j ? colptr[j - 1] : 0; k < colptr[j]; k++)
            m->indptr[crow[k] + 1]++;
    }
    for (int64_t r = 0; r < m->rows; r++)
        m->indptr[r + 1] += m->indptr[r];
    int64_t *fill = malloc((size_t)(m->rows + 1) * sizeof *fill);
    if (!fill) {
        free(colptr), free(crow), free(cval);
        return false;
    }
    memcpy(fill, m->indptr, (size_t)(m->rows + 1) * sizeof *fill);
    for (int64_t j = 0; j < cols; j++) {
        for (int64_t k = j ? colptr[j - 1] : 0; k < colptr[j]; k++) {
            int64_t at = fill[crow[k]]++;
            m->indices[at] = (int32_t)j;
            m->values[at] = cval[k];
        }
    }
    m->indptr[m->rows + 1] = m->indptr[m->rows];
    m->cols = cols;
    free(colptr), free(crow), free(cval), free(fill);
    return true;
}

// The final table: terms in column order with their document frequencies.
static bool install_terms(rc_features *f, const counter *c, const int32_t *newid, int64_t cols) {
    int32_t *at_col = malloc((size_t)cols * sizeof *at_col);
    int64_t *df = malloc((size_t)cols * sizeof *df);
    rc_strtab tab = {0};
    bool ok = at_col && df;
    for (size_t t = 0; ok && t < c->tab->n; t++)
        if (newid[t] >= 0)
            at_col[newid[t]] = (int32_t)t;
    for (int64_t j = 0; ok && j < cols; j++) {
        size_t len;
        const char *s = rc_strtab_key(c->tab, at_col[j], &len);
        bool added;
        ok = rc_strtab_intern(&tab, s, len, rc_hash_bytes(s, len), &added) == (int32_t)j;
        df[j] = c->st[at_col[j]].df;
    }
    free(at_col);
    if (!ok) {
        free(df);
        rc_strtab_free(&tab);
        return false;
    }
    rc_strtab_free(&f->terms);
    free(f->df);
    f->terms = tab;
    f->df = df;
    return true;
}

rc_status rc_features_fit(rc_features *f, const char *const *docs, const size_t *lens, int64_t n,
                          rc_csr *counts, char *err, size_t err_len) {
    if (!f)
        return rc_err_null(err, err_len, "rc_features_fit", "f");
    if (n < 0 || (n > 0 && (!docs || !lens)))
        return rc_errf(err, err_len, RC_ERR_ARG, "fit needs documents and their lengths");
    rc_strtab tab = {0};
    counter c = {.tab = &tab, .grow = true, .binary = f->o.binary, .fit = true};
    rc_csr local = {0}, *m = counts ? counts : &local;
    int32_t *newid = NULL;
    rc_status st = count_docs(&f->o, &c, docs, lens, n, m, err, err_len);
    int64_t cols = 0;
    if (st == RC_OK) {
        newid = malloc((tab.n ? tab.n : 1) * sizeof *newid);
        st = newid ? RC_OK : RC_ERR_NOMEM;
    }
    if (st == RC_OK && (cols = choose_terms(&f->o, &c, n, newid, err, err_len)) < 0)
        st = tab.n ? RC_ERR_ARG : RC_ERR_FORMAT;
    if (st == RC_OK &&
        (!install_terms(f, &c, newid, cols) || (counts && !renumber(m, newid, cols))))
        st = RC_ERR_NOMEM;
    if (st == RC_OK) {
        f->n_docs = n;
        f->fitted = true;
    } else if (st == RC_ERR_NOMEM) {
        rc_errf(err, err_len, st, "out of memory");
    }
    if (st != RC_OK || !counts)
        rc_csr_free(m);
    free(newid);
    counter_free(&c);
    rc_strtab_free(&tab);
    return st;
}

// ---- transform ----------------------------------------------------------------------------------

rc_status rc_features_transform(const rc_features *f, const char *const *docs, const size_t *lens,
                                int64_t n, rc_csr *counts, char *err, size_t err_len) {
    if (!f || !counts)
        return rc_err_null(err, err_len, "rc_features_transform", f ? "counts" : "f");
    if (n < 0 || (n > 0 && (!docs || !lens)))
        return rc_errf(err, err_len, RC_ERR_ARG, "transform needs documents and their lengths");
    if (!f->fitted)
        return rc_errf(err, err_len, RC_ERR_STATE, "transform before fit");
    size_t V = f->terms.n;
    counter c = {.tab = (rc_strtab *)&f->terms, .grow = false, .binary = f->o.binary, .sort = true};
    c.st = malloc((V ? V : 1) * sizeof *c.st);
    if (!c.st) {
        counter_free(&c);
        return rc_errf(err, err_len, RC_ERR_NOMEM,
                       "rc_features_transform: out of memory for %zu terms", V);
    }
    for (size_t j = 0; j < V; j++)
        c.st[j].last_doc = -1;
    rc_status st = count_docs(&f->o, &c, docs, lens, n, counts, err, err_len);
    counter_free(&c);
    if (st != RC_OK) {
        rc_csr_free(counts);
        return st;
    }
    counts->cols = (int64_t)V;
    return RC_OK;
}
