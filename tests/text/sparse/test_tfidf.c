// TF-IDF and count features: hand-computed cases, scikit-learn parity on real corpora (fixtures
// from tests/fixtures/make_tfidf_fixtures.py), options and errors.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/text_fixtures.h"

static void fit_ok(rc_tfidf *t, const char *const *docs, int64_t n, rc_csr *out) {
    size_t lens[16];
    cr_assert_leq(n, 16);
    for (int64_t i = 0; i < n; i++)
        lens[i] = strlen(docs[i]);
    char err[256] = "";
    cr_assert_eq(rc_tfidf_fit(t, docs, lens, n, out, err, sizeof err), RC_OK, "%s", err);
}

// The entry (r, term) of m, or 0 when absent.
static float entry(const rc_csr *m, const rc_features *f, int64_t r, const char *term) {
    int32_t j = rc_features_find(f, term, strlen(term));
    cr_assert_geq(j, 0, "term '%s' missing", term);
    for (int64_t k = m->indptr[r]; k < m->indptr[r + 1]; k++)
        if (m->indices[k] == j)
            return m->values[k];
    return 0;
}

// Three documents, sklearn defaults (lower-case, tokens of 2+ word characters):
//   d0 "the cat sat"          -> the, cat, sat
//   d1 "The cat, the hat!"    -> the x2, cat, hat
//   d2 "a dog"                -> dog ("a" is too short)
// df: cat 2, dog 1, hat 1, sat 1, the 2; n = 3.
// idf = ln((1+3)/(1+df)) + 1: df 2 -> ln(4/3) + 1 = 1.2876821; df 1 -> ln 2 + 1 = 1.6931472.
// d1 before the norm: the 2 * 1.2876821 = 2.5753641, cat 1.2876821, hat 1.6931472;
//   l2 norm sqrt(6.6325005 + 1.6581251 + 2.8667474) = sqrt(11.157373) = 3.3402654;
//   the 0.7710058, cat 0.3855029, hat 0.5068900.
// d2: dog alone -> 1.
Test(text, tfidf_hand_computed) {
    const char *docs[] = {"the cat sat", "The cat, the hat!", "a dog"};
    rc_tfidf_opts o = rc_tfidf_defaults();
    rc_tfidf *t;
    cr_assert_eq(rc_tfidf_new(&t, &o), RC_OK);
    rc_csr m = {0};
    fit_ok(t, docs, 3, &m);
    const rc_features *f = rc_tfidf_features(t);
    cr_assert_eq(rc_features_size(f), 5);
    const char *order[] = {"cat", "dog", "hat", "sat", "the"};
    for (int j = 0; j < 5; j++)
        cr_assert_str_eq(rc_features_term(f, j, NULL), order[j]);
    cr_assert_eq(m.rows, 3);
    cr_assert_eq(m.cols, 5);
    cr_assert_eq(rc_csr_nnz(&m), 3 + 3 + 1);
    cr_assert_eq(rc_csr_check(&m, NULL, 0), RC_OK);
    const double *idf = rc_tfidf_idf(t);
    cr_assert_float_eq(idf[0], 1.2876820724517809, 1e-12);
    cr_assert_float_eq(idf[1], 1.6931471805599454, 1e-12);
    cr_assert_float_eq(entry(&m, f, 1, "the"), 0.7710058f, 1e-6);
    cr_assert_float_eq(entry(&m, f, 1, "cat"), 0.3855029f, 1e-6);
    cr_assert_float_eq(entry(&m, f, 1, "hat"), 0.5068900f, 1e-6);
    cr_assert_float_eq(entry(&m, f, 2, "dog"), 1.0f, 1e-7);
    cr_assert_eq(rc_features_df(f, 4), 2);
    cr_assert_eq(rc_features_num_docs(f), 3);

    // transform: unknown words are ignored; an empty document is an empty row.
    const char *more[] = {"zebra cat", ""};
    size_t lens[] = {9, 0};
    rc_csr x = {0};
    cr_assert_eq(rc_tfidf_transform(t, more, lens, 2, &x, NULL, 0), RC_OK);
    cr_assert_eq(x.rows, 2);
    cr_assert_eq(x.indptr[1], 1);
    cr_assert_eq(x.indptr[2], 1);
    cr_assert_float_eq(x.values[0], 1.0f, 1e-7);
    rc_csr_free(&x);
    rc_csr_free(&m);
    rc_tfidf_free(&t);
    cr_assert_null(t);
}

// Same documents, sublinear tf, l1 norm, no smoothing:
//   idf = ln(3/df) + 1: df 2 -> 1.4054651, df 1 -> 2.0986123.
//   d1: the (1 + ln 2) * 1.4054651 = 2.3796593, cat 1.4054651, hat 2.0986123; l1 sum 5.8837367;
//   the 0.4044469, cat 0.2388729, hat 0.3566802.
Test(text, tfidf_sublinear_l1_unsmoothed) {
    const char *docs[] = {"the cat sat", "The cat, the hat!", "a dog"};
    rc_tfidf_opts o = rc_tfidf_defaults();
    o.sublinear_tf = true;
    o.norm = RC_NORM_L1;
    o.smooth_idf = false;
    rc_tfidf *t;
    cr_assert_eq(rc_tfidf_new(&t, &o), RC_OK);
    rc_csr m = {0};
    fit_ok(t, docs, 3, &m);
    const rc_features *f = rc_tfidf_features(t);
    cr_assert_float_eq(entry(&m, f, 1, "the"), 0.4044469f, 1e-6);
    cr_assert_float_eq(entry(&m, f, 1, "cat"), 0.2388729f, 1e-6);
    cr_assert_float_eq(entry(&m, f, 1, "hat"), 0.3566802f, 1e-6);
    rc_csr_free(&m);
    rc_tfidf_free(&t);
}

Test(text, counts_ngrams_and_limits) {
    const char *docs[] = {"new york is big", "new york new york", "big apple"};
    size_t lens[3];
    for (int i = 0; i < 3; i++)
        lens[i] = strlen(docs[i]);
    rc_features_opts o = rc_features_defaults();
    o.ngram_min = 1, o.ngram_max = 2;
    rc_features *f;
    cr_assert_eq(rc_features_new(&f, &o), RC_OK);
    rc_csr m = {0};
    char err[256] = "";
    cr_assert_eq(rc_features_fit(f, docs, lens, 3, &m, err, sizeof err), RC_OK, "%s", err);
    // Terms: apple big "big apple" is "is big" new "new york" york "york is" "york new"
    cr_assert_eq(rc_features_size(f), 10);
    cr_assert_str_eq(rc_features_term(f, 2, NULL), "big apple");
    cr_assert_str_eq(rc_features_term(f, 9, NULL), "york new");
    cr_assert_float_eq(entry(&m, f, 1, "new york"), 2.0f, 0);
    cr_assert_float_eq(entry(&m, f, 1, "york new"), 1.0f, 0);
    cr_assert_float_eq(entry(&m, f, 1, "new"), 2.0f, 0);
    rc_features_free(&f);

    // min_df 2 keeps the terms of two or more documents; max_features 2 the two most frequent.
    o.min_df = 2;
    cr_assert_eq(rc_features_new(&f, &o), RC_OK);
    cr_assert_eq(rc_features_fit(f, docs, lens, 3, &m, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_features_size(f), 4); // big new "new york" york
    cr_assert_str_eq(rc_features_term(f, 0, NULL), "big");
    cr_assert_eq(m.cols, 4);
    cr_assert_eq(rc_csr_check(&m, err, sizeof err), RC_OK, "%s", err);
    rc_features_free(&f);
    o.min_df = 0, o.max_features = 2, o.binary = true;
    cr_assert_eq(rc_features_new(&f, &o), RC_OK);
    cr_assert_eq(rc_features_fit(f, docs, lens, 3, &m, err, sizeof err), RC_OK, "%s", err);
    // Binary totals: big 2, new 2, "new york" 2, york 2: ties go to the first in byte order.
    cr_assert_eq(rc_features_size(f), 2);
    cr_assert_str_eq(rc_features_term(f, 0, NULL), "big");
    cr_assert_str_eq(rc_features_term(f, 1, NULL), "new");
    cr_assert_float_eq(entry(&m, f, 1, "new"), 1.0f, 0);
    rc_features_free(&f);
    // max_df 0.5 drops the terms of more than 1.5 documents.
    o.max_features = 0, o.binary = false, o.max_df = 0.5;
    cr_assert_eq(rc_features_new(&f, &o), RC_OK);
    cr_assert_eq(rc_features_fit(f, docs, lens, 3, &m, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_features_size(f), 6);
    cr_assert_eq(rc_features_find(f, "big", 3), -1);
    rc_csr_free(&m);
    rc_features_free(&f);
}

Test(text, counts_stop_words_and_char_analyzers) {
    rc_stopset *stop;
    cr_assert_eq(rc_stopset_english(&stop), RC_OK);
    cr_assert(rc_stopset_has(stop, "the", 3));
    cr_assert_not(rc_stopset_has(stop, "cat", 3));
    const char *docs[] = {"The cat and the hat"};
    size_t lens[] = {strlen(docs[0])};
    rc_features_opts o = rc_features_defaults();
    o.stop = stop, o.ngram_max = 2;
    rc_features *f;
    rc_csr m = {0};
    cr_assert_eq(rc_features_new(&f, &o), RC_OK);
    cr_assert_eq(rc_features_fit(f, docs, lens, 1, &m, NULL, 0), RC_OK);
    cr_assert_eq(rc_features_size(f), 3); // cat, "cat hat", hat: bigrams form after removal
    cr_assert_str_eq(rc_features_term(f, 1, NULL), "cat hat");
    rc_features_free(&f);
    rc_stopset_free(&stop);
    cr_assert_null(stop);

    // char_wb (2,3) of "Ab c": " ab " -> " a" "ab" "b " " ab" "ab "; " c " -> " c" "c " " c ".
    const char *d2[] = {"Ab  c"};
    size_t l2[] = {5};
    o = rc_features_defaults();
    o.analyzer = RC_ANALYZER_CHAR_WB, o.ngram_min = 2, o.ngram_max = 3;
    cr_assert_eq(rc_features_new(&f, &o), RC_OK);
    cr_assert_eq(rc_features_fit(f, d2, l2, 1, &m, NULL, 0), RC_OK);
    const char *wb[] = {" a", " ab", " c", " c ", "ab", "ab ", "b ", "c "};
    cr_assert_eq(rc_features_size(f), 8);
    for (int j = 0; j < 8; j++)
        cr_assert_str_eq(rc_features_term(f, j, NULL), wb[j]);
    rc_features_free(&f);
    // char (1,2): "ab  c" -> "ab c" (the double space made one): a b ' ' c, "ab" "b " " c".
    o.analyzer = RC_ANALYZER_CHAR, o.ngram_min = 1, o.ngram_max = 2;
    cr_assert_eq(rc_features_new(&f, &o), RC_OK);
    cr_assert_eq(rc_features_fit(f, d2, l2, 1, &m, NULL, 0), RC_OK);
    const char *ch[] = {" ", " c", "a", "ab", "b", "b ", "c"};
    cr_assert_eq(rc_features_size(f), 7);
    for (int j = 0; j < 7; j++)
        cr_assert_str_eq(rc_features_term(f, j, NULL), ch[j]);
    rc_csr_free(&m);
    rc_features_free(&f);
}

Test(text, tfidf_errors) {
    rc_tfidf_opts o = rc_tfidf_defaults();
    rc_tfidf *t;
    cr_assert_eq(rc_tfidf_new(&t, &o), RC_OK);
    char err[256];
    rc_csr m = {0};
    const char *docs[] = {"fine text", "bad \xC3 byte"};
    size_t lens[] = {9, 10};
    cr_assert_eq(rc_tfidf_transform(t, docs, lens, 1, &m, err, sizeof err), RC_ERR_STATE);
    cr_assert_str_eq(err, "transform before fit");
    cr_assert_eq(rc_tfidf_fit(t, docs, lens, 2, &m, err, sizeof err), RC_ERR_FORMAT);
    cr_assert_str_eq(err, "document 1: invalid UTF-8 at byte 4: truncated sequence");
    cr_assert_eq(m.indptr, NULL);
    const char *empty[] = {"", "a ! ?"};
    size_t elens[] = {0, 5};
    cr_assert_eq(rc_tfidf_fit(t, empty, elens, 2, &m, err, sizeof err), RC_ERR_FORMAT);
    cr_assert_str_eq(err, "empty vocabulary: the documents have no terms");
    rc_tfidf_free(&t);
    o.features.min_df = 5;
    cr_assert_eq(rc_tfidf_new(&t, &o), RC_OK);
    cr_assert_eq(rc_tfidf_fit(t, docs, lens, 1, &m, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "no terms are left after min_df, max_df and max_features");
    rc_tfidf_free(&t);
    o = rc_tfidf_defaults();
    o.features.ngram_min = 2, o.features.ngram_max = 1;
    cr_assert_eq(rc_tfidf_new(&t, &o), RC_ERR_ARG);
    cr_assert_null(t);
}

// The NULL policy (include/recur/base.h, issue 11 fault 3): RC_ERR_ARG naming function and
// argument, never a crash; NULL options are rc_features_defaults() / rc_tfidf_defaults().
Test(text, features_and_tfidf_reject_null_arguments) {
    char err[256] = "";
    rc_csr m = {0};
    const char *docs[] = {"the cat sat", "The cat, the hat!", "a dog"};
    size_t lens[] = {11, 17, 5};
    cr_assert_eq(rc_features_new(NULL, NULL), RC_ERR_ARG);
    cr_assert_eq(rc_tfidf_new(NULL, NULL), RC_ERR_ARG);
    cr_assert_eq(rc_features_fit(NULL, docs, lens, 3, &m, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_features_fit: f is NULL");
    cr_assert_eq(rc_features_transform(NULL, docs, lens, 3, &m, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_features_transform: f is NULL");
    cr_assert_eq(rc_tfidf_fit(NULL, docs, lens, 3, &m, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_tfidf_fit: t is NULL");
    cr_assert_eq(rc_tfidf_transform(NULL, docs, lens, 3, &m, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_tfidf_transform: t is NULL");
    cr_assert_eq(rc_tfidf_apply(NULL, &m), RC_ERR_ARG);
    cr_assert_eq(rc_features_size(NULL), 0);
    cr_assert_null(rc_features_term(NULL, 0, NULL));
    cr_assert_eq(rc_features_find(NULL, "cat", 3), -1);
    cr_assert_eq(rc_features_df(NULL, 0), 0);
    cr_assert_eq(rc_features_num_docs(NULL), 0);
    cr_assert_null(rc_tfidf_features(NULL));
    cr_assert_null(rc_tfidf_idf(NULL));

    rc_tfidf *t;
    cr_assert_eq(rc_tfidf_new(&t, NULL), RC_OK); // scikit-learn's defaults
    fit_ok(t, docs, 3, &m);
    cr_assert_eq(rc_features_size(rc_tfidf_features(t)), 5); // cat dog hat sat the
    cr_assert_float_eq(entry(&m, rc_tfidf_features(t), 1, "hat"), 0.5068900f, 1e-6);
    cr_assert_eq(rc_tfidf_apply(t, NULL), RC_ERR_ARG);
    cr_assert_eq(rc_tfidf_transform(t, docs, lens, 3, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_tfidf_transform: out is NULL");
    cr_assert_eq(rc_tfidf_transform(t, NULL, NULL, 3, &m, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "transform needs documents and their lengths");
    const char *holes[] = {"cat", NULL};
    size_t hlens[] = {3, 4};
    cr_assert_eq(rc_tfidf_transform(t, holes, hlens, 2, &m, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "document 1 is NULL with length 4");
    rc_tfidf_free(&t);
    rc_csr_free(&m);

    rc_features *f;
    cr_assert_eq(rc_features_new(&f, NULL), RC_OK);
    cr_assert_eq(rc_features_fit(f, holes, hlens, 2, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "document 1 is NULL with length 4");
    cr_assert_eq(rc_features_fit(f, docs, lens, 3, NULL, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_features_transform(f, docs, lens, 3, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_features_transform: counts is NULL");
    rc_features_free(&f);
}

// ---- scikit-learn parity -------------------------------------------------------------------

typedef struct fixture {
    char *text;
    char **term;
    int64_t n_terms, rows, nnz;
    rc_csr m;
} fixture;

static void load_fixture(const char *name, fixture *fx) {
    char path[512];
    size_t len;
    fx->text = tt_read_file(tt_fixture_path(name, path, sizeof path), &len);
    cr_assert_not_null(fx->text, "%s", path);
    char *p = strchr(fx->text, '\n') + 1; // the description
    long long n;
    cr_assert_eq(sscanf(p, "terms %lld", &n), 1);
    fx->n_terms = n;
    p = strchr(p, '\n') + 1;
    fx->term = malloc((size_t)n * sizeof *fx->term);
    for (int64_t j = 0; j < n; j++) {
        char *e = strchr(p, '\n');
        *e = '\0';
        fx->term[j] = p;
        p = e + 1;
    }
    long long rows, nnz;
    cr_assert_eq(sscanf(p, "rows %lld nnz %lld", &rows, &nnz), 2);
    p = strchr(p, '\n') + 1;
    fx->m = (rc_csr){.rows = rows, .cols = n};
    fx->m.indptr = malloc((size_t)(rows + 1) * sizeof(int64_t));
    fx->m.indices = malloc((size_t)(nnz ? nnz : 1) * sizeof(int32_t));
    fx->m.values = malloc((size_t)(nnz ? nnz : 1) * sizeof(float));
    int64_t k = 0;
    fx->m.indptr[0] = 0;
    for (int64_t r = 0; r < rows; r++) {
        int32_t col = 0;
        while (*p != '\n') {
            char *end;
            col += (int32_t)strtol(p, &end, 10);
            cr_assert_eq(*end, ':');
            fx->m.indices[k] = col;
            fx->m.values[k++] = strtof(end + 1, &p);
            if (*p == ' ')
                p++;
        }
        p++;
        fx->m.indptr[r + 1] = k;
    }
    cr_assert_eq(k, nnz);
}

static void free_fixture(fixture *fx) {
    free(fx->text);
    free(fx->term);
    rc_csr_free(&fx->m);
}

static void check_parity(const tt_docs *d, const rc_tfidf_opts *o, const char *name) {
    fixture fx;
    load_fixture(name, &fx);
    rc_tfidf *t;
    cr_assert_eq(rc_tfidf_new(&t, o), RC_OK);
    rc_csr m = {0};
    char err[256] = "";
    cr_assert_eq(rc_tfidf_fit(t, d->doc, d->len, d->n, &m, err, sizeof err), RC_OK, "%s", err);
    const rc_features *f = rc_tfidf_features(t);
    cr_assert_eq(rc_features_size(f), fx.n_terms, "%s: %d terms, sklearn %lld", name,
                 rc_features_size(f), (long long)fx.n_terms);
    for (int64_t j = 0; j < fx.n_terms; j++)
        cr_assert_str_eq(rc_features_term(f, (int32_t)j, NULL), fx.term[j], "%s: term %lld", name,
                         (long long)j);
    cr_assert_eq(m.rows, fx.m.rows);
    cr_assert_eq(rc_csr_nnz(&m), rc_csr_nnz(&fx.m), "%s: nnz", name);
    double worst = 0;
    for (int64_t r = 0; r < m.rows; r++) {
        cr_assert_eq(m.indptr[r + 1], fx.m.indptr[r + 1], "%s: row %lld length", name,
                     (long long)r);
        for (int64_t k = m.indptr[r]; k < m.indptr[r + 1]; k++) {
            cr_assert_eq(m.indices[k], fx.m.indices[k], "%s: row %lld", name, (long long)r);
            // 1e-6, relative above 1 (norm "none"): an f32 near 16 is only good to 1e-6.
            double ref = fabs((double)fx.m.values[k]);
            double e = fabs((double)m.values[k] - (double)fx.m.values[k]) / (ref > 1 ? ref : 1);
            worst = e > worst ? e : worst;
            cr_assert_leq(e, 1e-6, "%s: row %lld column %d: %.9g, sklearn %.9g", name, (long long)r,
                          m.indices[k], (double)m.values[k], (double)fx.m.values[k]);
        }
    }
    cr_log_info("%s: %lld x %lld, %lld entries equal, max diff %.2e", name, (long long)m.rows,
                (long long)m.cols, (long long)rc_csr_nnz(&m), worst);
    rc_csr_free(&m);
    rc_tfidf_free(&t);
    free_fixture(&fx);
}

Test(text, tfidf_matches_sklearn_on_lee) {
    tt_docs d;
    if (!tt_load_lee(&d))
        return;
    cr_assert_eq(d.n, 300);
    rc_tfidf_opts o = rc_tfidf_defaults();
    check_parity(&d, &o, "tfidf_lee_default.txt");
    o.sublinear_tf = true, o.norm = RC_NORM_L1;
    check_parity(&d, &o, "tfidf_lee_sublinear_l1.txt");
    tt_docs_free(&d);
}

Test(text, tfidf_matches_sklearn_on_sst2) {
    tt_docs d;
    if (!tt_load_sst2(&d, "dev.tsv"))
        return;
    cr_assert_eq(d.n, 872);
    rc_tfidf_opts o = rc_tfidf_defaults();
    check_parity(&d, &o, "tfidf_sst2_default.txt");
    o.sublinear_tf = true, o.norm = RC_NORM_L1;
    check_parity(&d, &o, "tfidf_sst2_sublinear_l1.txt");
    o = rc_tfidf_defaults();
    o.features.ngram_max = 2;
    check_parity(&d, &o, "tfidf_sst2_bigrams.txt");
    o = rc_tfidf_defaults();
    o.features.analyzer = RC_ANALYZER_CHAR_WB;
    o.features.ngram_min = 2, o.features.ngram_max = 4;
    o.norm = RC_NORM_NONE, o.smooth_idf = false;
    d.n = 150;
    check_parity(&d, &o, "tfidf_sst2head_charwb_raw.txt");
    tt_docs_free(&d);
}
