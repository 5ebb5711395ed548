// BM25: scores against the textbook formulas on a hand-computed collection, the variants and idf
// forms, top-k order, errors; retrieval measures on hand-made rankings; BEIR SciFact end to end.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "text/text_fixtures.h"

// No stemming, no stop words: the terms are the lower-cased words.
static rc_bm25 *index_of(const char *const *docs, int n, rc_bm25_opts o) {
    o.stem = false;
    rc_bm25 *ix;
    cr_assert_eq(rc_bm25_new(&ix, &o), RC_OK);
    for (int i = 0; i < n; i++)
        cr_assert_eq(rc_bm25_add(ix, docs[i], strlen(docs[i]), NULL, 0), RC_OK);
    cr_assert_eq(rc_bm25_build(ix), RC_OK);
    return ix;
}

static double score(const rc_bm25 *ix, const char *q, int32_t doc) {
    double s;
    char err[128] = "";
    cr_assert_eq(rc_bm25_score(ix, q, strlen(q), doc, &s, err, sizeof err), RC_OK, "%s", err);
    return s;
}

// Four documents; lengths 4, 2, 3, 1; N = 4, avgdl = 10/4 = 2.5.
//   d0 "cat cat dog fish"   d1 "dog bird"   d2 "cat fish fish"   d3 "emu"
// df: cat 2, dog 2, fish 2, bird 1, emu 1.
// Lucene idf ln(1 + (N - df + .5)/(df + .5)): df 2 -> ln(1 + 2.5/2.5) = ln 2 = 0.6931472;
//                                             df 1 -> ln(1 + 3.5/1.5) = ln(10/3) = 1.2039728.
// RSJ idf ln((N - df + .5)/(df + .5)): df 2 -> ln 1 = 0; df 1 -> ln(7/3) = 0.8472979.
// k1 = 1.2, b = 0.75: K(d) = k1 (1 - b + b dl/avgdl) = 1.2 (0.25 + 0.3 dl):
//   K0 = 1.2 * 1.45 = 1.74, K1 = 1.2 * 0.85 = 1.02, K2 = 1.2 * 1.15 = 1.38, K3 = 1.2 * 0.55 = 0.66.
// Okapi, query "cat fish":
//   d0: cat tf 2: 0.6931472 * 2 * 2.2 / (2 + 1.74) = 0.8154673; fish tf 1: 0.6931472 * 2.2 / 2.74
//       = 0.5565415; total 1.3720088.
//   d2: cat tf 1: 0.6931472 * 2.2 / 2.38 = 0.6407243; fish tf 2: 0.6931472 * 4.4 / 3.38
//       = 0.9023218; total 1.5430461.
// Okapi, query "bird dog": d1: bird 1.2039728 * 2.2 / 2.02 = 1.3112575; dog 0.6931472 * 2.2 /
//   2.02 = 0.7549128; total 2.0661703.
static const char *const hand_docs[] = {"cat cat dog fish", "Dog, bird!", "cat fish fish", "EMU"};

Test(text, bm25_okapi_hand_computed) {
    rc_bm25_opts o = rc_bm25_defaults();
    o.k1 = 1.2, o.b = 0.75;
    rc_bm25 *ix = index_of(hand_docs, 4, o);
    cr_assert_eq(rc_bm25_num_docs(ix), 4);
    cr_assert_eq(rc_bm25_num_terms(ix), 5);
    cr_assert_float_eq(rc_bm25_avgdl(ix), 2.5, 1e-12);
    cr_assert_float_eq(score(ix, "cat fish", 0), 1.3720088, 1e-6);
    cr_assert_float_eq(score(ix, "cat fish", 2), 1.5430461, 1e-6);
    cr_assert_float_eq(score(ix, "CAT fish", 1), 0.0, 0);
    cr_assert_float_eq(score(ix, "bird dog", 1), 2.0661703, 1e-6);
    cr_assert_float_eq(score(ix, "bird bird", 1), 2 * 1.3112575, 1e-6); // repeated terms add
    cr_assert_float_eq(score(ix, "unknown words", 1), 0.0, 0);

    int32_t docs[4];
    float scores[4];
    int n;
    char err[128] = "";
    cr_assert_eq(rc_bm25_search(ix, "cat fish", 8, 3, docs, scores, &n, err, sizeof err), RC_OK);
    cr_assert_eq(n, 2, "only documents sharing a term are returned");
    cr_assert(docs[0] == 2 && docs[1] == 0);
    cr_assert_float_eq(scores[0], 1.5430461f, 1e-6);
    cr_assert_eq(rc_bm25_search(ix, "cat fish", 8, 1, docs, scores, &n, err, sizeof err), RC_OK);
    cr_assert(n == 1 && docs[0] == 2);
    cr_assert_eq(rc_bm25_search(ix, "", 0, 3, docs, scores, &n, err, sizeof err), RC_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(rc_bm25_search(ix, "cat", 3, 0, docs, scores, &n, err, sizeof err), RC_OK);
    cr_assert_eq(n, 0);
    rc_bm25_free(&ix);
    cr_assert_null(ix);
}

// RSJ idf (no +1): cat, dog and fish are in half the documents, so idf 0 and they score 0;
// bird: 0.8472979 * 2.2 / 2.02 = 0.9227996.
// BM25+ (delta 1, Lucene idf), query "cat", d2: 0.6931472 * (2.2 / 2.38 + 1) = 1.3338715.
// BM25L (delta 0.5, Lucene idf), query "cat", c = tf / (0.25 + 0.3 dl):
//   d0: c = 2 / 1.45 = 1.3793103; 0.6931472 * 2.2 * 1.8793103 / (1.2 + 1.8793103) = 0.9306646.
Test(text, bm25_variants_and_idf_forms) {
    rc_bm25_opts o = rc_bm25_defaults();
    o.k1 = 1.2, o.b = 0.75, o.idf = RC_BM25_IDF_RSJ;
    rc_bm25 *ix = index_of(hand_docs, 4, o);
    cr_assert_float_eq(score(ix, "cat fish", 0), 0.0, 1e-12);
    cr_assert_float_eq(score(ix, "bird", 1), 0.9227996, 1e-6);
    rc_bm25_free(&ix);
    o.idf = RC_BM25_IDF_LUCENE, o.variant = RC_BM25_PLUS, o.delta = 1.0;
    ix = index_of(hand_docs, 4, o);
    cr_assert_float_eq(score(ix, "cat", 2), 1.3338715, 1e-6);
    rc_bm25_free(&ix);
    o.variant = RC_BM25_L, o.delta = 0.5;
    ix = index_of(hand_docs, 4, o);
    cr_assert_float_eq(score(ix, "cat", 0), 0.9306646, 1e-6);
    rc_bm25_free(&ix);
}

Test(text, bm25_ties_break_by_document_number) {
    const char *docs[] = {"x y", "y x", "z", "x y"};
    rc_bm25 *ix = index_of(docs, 4, rc_bm25_defaults());
    int32_t got[4];
    float s[4];
    int n;
    cr_assert_eq(rc_bm25_search(ix, "x", 1, 4, got, s, &n, NULL, 0), RC_OK);
    cr_assert_eq(n, 3);
    cr_assert(got[0] == 0 && got[1] == 1 && got[2] == 3);
    cr_assert_eq(s[0], s[2]);
    rc_bm25_free(&ix);
}

Test(text, bm25_stop_words_and_stemming) {
    rc_stopset *stop;
    cr_assert_eq(rc_stopset_english(&stop), RC_OK);
    rc_bm25_opts o = rc_bm25_defaults();
    o.stop = stop;
    rc_bm25 *ix;
    cr_assert_eq(rc_bm25_new(&ix, &o), RC_OK);
    const char *docs[] = {"The running of the dogs", "A runner runs"};
    for (int i = 0; i < 2; i++)
        cr_assert_eq(rc_bm25_add(ix, docs[i], strlen(docs[i]), NULL, 0), RC_OK);
    cr_assert_eq(rc_bm25_build(ix), RC_OK);
    // Terms: run dog runner (the, of, a are stop words; running/runs -> run).
    cr_assert_eq(rc_bm25_num_terms(ix), 3);
    cr_assert_float_eq(rc_bm25_avgdl(ix), 2.0, 1e-12);
    int32_t got[2];
    float s[2];
    int n;
    cr_assert_eq(rc_bm25_search(ix, "dog", 3, 2, got, s, &n, NULL, 0), RC_OK);
    cr_assert(n == 1 && got[0] == 0);
    cr_assert_eq(rc_bm25_search(ix, "the runs", 8, 2, got, s, &n, NULL, 0), RC_OK);
    cr_assert_eq(n, 2);
    rc_bm25_free(&ix);
    rc_stopset_free(&stop);
}

Test(text, bm25_errors) {
    rc_bm25_opts o = rc_bm25_defaults();
    rc_bm25 *ix;
    o.b = 1.5;
    cr_assert_eq(rc_bm25_new(&ix, &o), RC_ERR_ARG);
    o = rc_bm25_defaults();
    cr_assert_eq(rc_bm25_new(&ix, &o), RC_OK);
    char err[128];
    int32_t d[1];
    float s[1];
    int n;
    cr_assert_eq(rc_bm25_search(ix, "x", 1, 1, d, s, &n, err, sizeof err), RC_ERR_STATE);
    cr_assert_str_eq(err, "search before rc_bm25_build");
    cr_assert_eq(rc_bm25_add(ix, "ok \xF0\x9F", 5, err, sizeof err), RC_ERR_FORMAT);
    cr_assert_str_eq(err, "invalid UTF-8 at byte 3: truncated sequence");
    cr_assert_eq(rc_bm25_add(ix, "", 0, err, sizeof err), RC_OK); // an empty document
    cr_assert_eq(rc_bm25_build(ix), RC_OK);
    cr_assert_eq(rc_bm25_num_docs(ix), 1);
    cr_assert_eq(rc_bm25_build(ix), RC_ERR_STATE);
    cr_assert_eq(rc_bm25_add(ix, "late", 4, err, sizeof err), RC_ERR_STATE);
    cr_assert_str_eq(err, "the index is built: add documents before rc_bm25_build");
    cr_assert_eq(rc_bm25_search(ix, "x", 1, -1, d, s, &n, err, sizeof err), RC_ERR_ARG);
    cr_assert_eq(rc_bm25_search(ix, "\xFF", 1, 1, d, s, &n, err, sizeof err), RC_ERR_FORMAT);
    double sc;
    cr_assert_eq(rc_bm25_score(ix, "x", 1, 5, &sc, err, sizeof err), RC_ERR_RANGE);
    cr_assert_str_eq(err, "document 5 is outside [0,1)");
    rc_bm25_free(&ix);
}

// Judgments: doc 7 grade 2, doc 3 grade 1, doc 9 grade 1 (not retrieved), doc 5 grade 0.
// Ranking: 3, 5, 7, 1.
//   P@2 = 1/2; P@4 = 2/4; recall@2 = 1/3; recall@4 = 2/3.
//   DCG@4 = 1/log2(2) + 2/log2(4) = 1 + 1 = 2; IDCG@4 = 2/1 + 1/log2(3) + 1/2 = 3.1309298;
//   nDCG@4 = 0.6387878. nDCG@1 = 1 / 2 = 0.5.
//   AP = (1/1 + 2/3) / 3 = 0.5555556.
// The NULL policy (include/recur/base.h, issue 11 fault 3): RC_ERR_ARG naming function and
// argument, never a crash; NULL options are rc_bm25_defaults().
Test(text, bm25_and_beir_reject_null_arguments) {
    char err[256] = "";
    rc_beir *b = (rc_beir *)&err; // not NULL: the loader must clear it
    cr_assert_eq(rc_beir_load(&b, NULL, "test", err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_beir_load: dir is NULL");
    cr_assert_null(b);
    cr_assert_eq(rc_beir_load(&b, "/tmp", NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_beir_load: split is NULL");
    cr_assert_eq(rc_beir_load(NULL, "/tmp", "test", err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_beir_load: b is NULL");
    rc_beir_free(NULL);

    cr_assert_eq(rc_bm25_new(NULL, NULL), RC_ERR_ARG);
    cr_assert_eq(rc_bm25_add(NULL, "a", 1, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_bm25_add: ix is NULL");
    cr_assert_eq(rc_bm25_build(NULL), RC_ERR_ARG);
    cr_assert_eq(rc_bm25_num_docs(NULL), 0);
    cr_assert_eq(rc_bm25_num_terms(NULL), 0);
    cr_assert_eq(rc_bm25_avgdl(NULL), 0);
    rc_bm25 *ix;
    cr_assert_eq(rc_bm25_new(&ix, NULL), RC_OK); // the defaults: stemmed, lower-cased words
    cr_assert_eq(rc_bm25_add(ix, NULL, 3, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_bm25_add: text is NULL");
    cr_assert_eq(rc_bm25_add(ix, "Running cats", 12, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_bm25_add(ix, "dogs", 4, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_bm25_build(ix), RC_OK);
    int32_t docs[2];
    float scores[2];
    int n = -1;
    cr_assert_eq(rc_bm25_search(ix, "cat", 3, 2, docs, scores, &n, err, sizeof err), RC_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(docs[0], 0);
    cr_assert_eq(rc_bm25_search(NULL, "cat", 3, 2, docs, scores, &n, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_bm25_search: ix is NULL");
    cr_assert_eq(n, 0);
    cr_assert_eq(rc_bm25_search(ix, NULL, 3, 2, docs, scores, &n, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_bm25_search: q is NULL");
    cr_assert_eq(rc_bm25_search(ix, "cat", 3, 2, docs, scores, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_bm25_search: n_found is NULL");
    cr_assert_eq(rc_bm25_search(ix, "cat", 3, 2, NULL, scores, &n, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_bm25_search: docs is NULL with k = 2");
    double s = -1;
    cr_assert_eq(rc_bm25_score(NULL, "cat", 3, 0, &s, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_bm25_score: ix is NULL");
    cr_assert_eq(s, 0);
    cr_assert_eq(rc_bm25_score(ix, "cat", 3, 0, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert_str_eq(err, "rc_bm25_score: score is NULL");
    rc_bm25_free(&ix);
}

Test(text, retrieval_measures_hand_computed) {
    const int32_t ranked[] = {3, 5, 7, 1};
    const int32_t rel[] = {7, 3, 9, 5}, grade[] = {2, 1, 1, 0};
    cr_assert_float_eq(rc_precision_at_k(ranked, 4, rel, grade, 4, 2), 0.5, 1e-12);
    cr_assert_float_eq(rc_precision_at_k(ranked, 4, rel, grade, 4, 4), 0.5, 1e-12);
    cr_assert_float_eq(rc_precision_at_k(ranked, 4, rel, grade, 4, 10), 0.2, 1e-12);
    cr_assert_float_eq(rc_recall_at_k(ranked, 4, rel, grade, 4, 2), 1.0 / 3, 1e-12);
    cr_assert_float_eq(rc_recall_at_k(ranked, 4, rel, grade, 4, 4), 2.0 / 3, 1e-12);
    cr_assert_float_eq(rc_ndcg_at_k(ranked, 4, rel, grade, 4, 4), 0.6387878, 1e-6);
    cr_assert_float_eq(rc_ndcg_at_k(ranked, 4, rel, grade, 4, 1), 0.5, 1e-12);
    cr_assert_float_eq(rc_average_precision(ranked, 4, rel, grade, 4), 0.5555556, 1e-6);
    const int32_t none[] = {0};
    cr_assert_float_eq(rc_ndcg_at_k(ranked, 4, rel, none, 1, 10), 0.0, 0);
    cr_assert_float_eq(rc_average_precision(ranked, 0, rel, grade, 4), 0.0, 0);
    const int32_t pred[] = {1, 0, 1, 1}, gold[] = {1, 1, 1, 0};
    cr_assert_float_eq(rc_accuracy(pred, gold, 4), 0.5, 1e-12);
    cr_assert_float_eq(rc_accuracy(pred, gold, 0), 0.0, 0);
}

// BEIR SciFact, test split (300 queries): BM25 over title + text must reach the BEIR paper's
// nDCG@10 of 0.665.
Test(text, bm25_scifact_ndcg) {
    char dir[512];
    if (!tu_data_path("beir-scifact/corpus.jsonl", dir, sizeof dir))
        return;
    *strrchr(dir, '/') = '\0';
    rc_beir *b;
    char err[512] = "";
    cr_assert_eq(rc_beir_load(&b, dir, "test", err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(b->n_docs, 5183);
    cr_assert_eq(b->n_queries, 300);
    cr_assert_eq(b->qrel_ptr[300], 339);
    rc_stopset *stop;
    cr_assert_eq(rc_stopset_english(&stop), RC_OK);
    rc_bm25_opts o = rc_bm25_defaults();
    o.stop = stop;
    rc_bm25 *ix;
    cr_assert_eq(rc_bm25_new(&ix, &o), RC_OK);
    for (int64_t d = 0; d < b->n_docs; d++)
        cr_assert_eq(rc_bm25_add(ix, b->doc_text[d], strlen(b->doc_text[d]), err, sizeof err),
                     RC_OK, "%s", err);
    cr_assert_eq(rc_bm25_build(ix), RC_OK);
    double ndcg = 0, map = 0, r100 = 0;
    enum { K = 100 };
    int32_t docs[K];
    float scores[K];
    for (int64_t q = 0; q < b->n_queries; q++) {
        int n;
        cr_assert_eq(rc_bm25_search(ix, b->query_text[q], strlen(b->query_text[q]), K, docs, scores,
                                    &n, err, sizeof err),
                     RC_OK, "%s", err);
        int64_t lo = b->qrel_ptr[q];
        int nr = (int)(b->qrel_ptr[q + 1] - lo);
        ndcg += rc_ndcg_at_k(docs, n, b->qrel_doc + lo, b->qrel_grade + lo, nr, 10);
        map += rc_average_precision(docs, n, b->qrel_doc + lo, b->qrel_grade + lo, nr);
        r100 += rc_recall_at_k(docs, n, b->qrel_doc + lo, b->qrel_grade + lo, nr, 100);
    }
    ndcg /= (double)b->n_queries, map /= (double)b->n_queries, r100 /= (double)b->n_queries;
    cr_log_info("SciFact test: nDCG@10 %.4f, MAP@100 %.4f, recall@100 %.4f", ndcg, map, r100);
    cr_assert_geq(ndcg, 0.665, "nDCG@10 %.4f is below the BEIR paper's BM25 (0.665)", ndcg);
    rc_bm25_free(&ix);
    rc_stopset_free(&stop);
    rc_beir_free(&b);
    cr_assert_null(b);
}
