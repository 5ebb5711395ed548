// recur search's library side: a saved and loaded BM25 index scores exactly as the built one,
// damaged index files are errors; the SMART (Cranfield) and one-line-a-document readers and
// their file:line errors; rc_bm25_evaluate on a hand-computed toy collection; Cranfield and
// SciFact end to end (skipped without RECUR_DATA).
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "text/text_fixtures.h"

static const char *const toy_docs[] = {"the cat sat on the mat", "a dog and a cat",
                                       "fish swim in the sea", "the dog chased the cat home"};
static const char *const toy_ids[] = {"d1", "d2", "d3", "d4"};

static char *file_in(const char *dir, const char *name, const char *text) {
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    FILE *f = fopen(buf[k], "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return buf[k];
}

static rc_bm25 *toy_index(const rc_bm25_opts *o) {
    rc_bm25 *ix;
    cr_assert_eq(rc_bm25_new(&ix, o), RC_OK);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(rc_bm25_add(ix, toy_docs[i], strlen(toy_docs[i]), NULL, 0), RC_OK);
    cr_assert_eq(rc_bm25_build(ix), RC_OK);
    cr_assert_eq(rc_bm25_set_doc_ids(ix, toy_ids, 4, NULL, 0), RC_OK);
    return ix;
}

Test(text, bm25_saved_index_scores_the_same) {
    char dir[512], path[1024], err[512] = "";
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/toy.idx", dir);
    rc_stopset *stop;
    cr_assert_eq(rc_stopset_english(&stop), RC_OK);
    rc_bm25_opts o = rc_bm25_defaults();
    o.variant = RC_BM25_PLUS, o.delta = 0.5, o.k1 = 1.2, o.b = 0.75, o.stop = stop;
    rc_bm25 *ix = toy_index(&o), *back;
    cr_assert_eq(rc_bm25_save(ix, path, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_bm25_load(&back, path, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_bm25_num_docs(back), 4);
    cr_assert_eq(rc_bm25_num_terms(back), rc_bm25_num_terms(ix));
    cr_assert_eq(rc_bm25_avgdl(back), rc_bm25_avgdl(ix));
    cr_assert_eq(rc_bm25_options(back)->variant, RC_BM25_PLUS);
    cr_assert(rc_stopset_has(rc_bm25_options(back)->stop, "the", 3));
    cr_assert_str_eq(rc_bm25_doc_id(back, 3), "d4");
    const char *queries[] = {"cat", "the dog cats", "sea fish", "unknown"};
    for (int q = 0; q < 4; q++) {
        for (int32_t d = 0; d < 4; d++) {
            double a, b;
            cr_assert_eq(rc_bm25_score(ix, queries[q], strlen(queries[q]), d, &a, NULL, 0), RC_OK);
            cr_assert_eq(rc_bm25_score(back, queries[q], strlen(queries[q]), d, &b, NULL, 0),
                         RC_OK);
            cr_assert_eq(a, b, "query '%s' doc %d: %.17g vs %.17g", queries[q], d, a, b);
        }
    }
    rc_bm25_free(&ix);
    rc_stopset_free(&stop); // the loaded index owns a copy of its own
    cr_assert(rc_stopset_has(rc_bm25_options(back)->stop, "with", 4));
    rc_bm25_free(&back);
}

Test(text, bm25_load_rejects_damaged_files) {
    char dir[512], path[1024], cut[1024], err[512] = "";
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/toy.idx", dir);
    rc_bm25 *ix = toy_index(NULL), *back = NULL;
    cr_assert_eq(rc_bm25_save(ix, path, err, sizeof err), RC_OK, "%s", err);
    size_t len;
    char *bytes = tt_read_file(path, &len);
    cr_assert_not_null(bytes);
    snprintf(cut, sizeof cut, "%s/cut.idx", dir);
    for (size_t n = 0; n < len; n += 7) { // every truncation is an error, never a crash
        FILE *f = fopen(cut, "wb");
        fwrite(bytes, 1, n, f);
        fclose(f);
        cr_assert_eq(rc_bm25_load(&back, cut, err, sizeof err), RC_ERR_FORMAT, "%zu bytes", n);
        cr_assert_null(back);
        cr_assert(strstr(err, "not a recur BM25 index"), "%s", err);
    }
    cr_assert_eq(rc_bm25_load(&back, file_in(dir, "x.idx", "hello\n"), err, sizeof err),
                 RC_ERR_FORMAT);
    snprintf(cut, sizeof cut, "%s/missing.idx", dir);
    cr_assert_eq(rc_bm25_load(&back, cut, err, sizeof err), RC_ERR_IO);
    cr_assert(strstr(err, "missing.idx: No such file"), "%s", err);
    free(bytes);
    rc_bm25 *unbuilt;
    cr_assert_eq(rc_bm25_new(&unbuilt, NULL), RC_OK);
    cr_assert_eq(rc_bm25_save(unbuilt, path, err, sizeof err), RC_ERR_STATE);
    cr_assert_eq(rc_bm25_set_doc_ids(unbuilt, toy_ids, 0, err, sizeof err), RC_ERR_STATE);
    cr_assert_eq(rc_bm25_set_doc_ids(ix, toy_ids, 3, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "3 ids for an index of 4 documents"), "%s", err);
    rc_bm25_free(&unbuilt);
    rc_bm25_free(&ix);
}

// Three documents with gaps in the numbers; queries numbered 7 and 9 (ordinals 1 and 2).
static const char smart_docs[] = ".I 1\n.T\npear orchard\n.A\nsmith\n.B\nj. fruit 1\n.W\n"
                                 "banana and pear\n.I 02\n.T\napple\n.W\n.I 5\n.W\ncherry\n";
static const char smart_queries[] = ".I 007\n.W\napple\n.I 9\n.W\ncherry\n";
static const char smart_qrels[] = "1 2 1\n2 5 2\n2 1 1\n1 5 -1\n1 44 3\n";

static rc_beir *toy_collection(const char *dir) {
    char err[512] = "";
    rc_beir *b;
    cr_assert_eq(rc_smart_load(&b, file_in(dir, "docs", smart_docs),
                               file_in(dir, "q", smart_queries), file_in(dir, "r", smart_qrels),
                               err, sizeof err),
                 RC_OK, "%s", err);
    return b;
}

Test(text, smart_reader) {
    char dir[512];
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    rc_beir *b = toy_collection(dir);
    cr_assert_eq(b->n_docs, 3);
    cr_assert_str_eq(b->doc_id[1], "2");
    cr_assert_str_eq(b->doc_text[0], "pear orchard banana and pear");
    cr_assert_str_eq(b->doc_text[1], "apple");
    cr_assert_eq(b->n_queries, 2);
    cr_assert_str_eq(b->query_id[0], "1");
    cr_assert_str_eq(b->query_text[1], "cherry");
    cr_assert_eq(b->qrel_ptr[1], 3); // query 1: docs 2, 5 (grade -1 -> 0), 44 (not in the corpus)
    cr_assert_eq(b->qrel_doc[0], 1);
    cr_assert_eq(b->qrel_grade[1], 0);
    cr_assert_eq(b->qrel_doc[2], -1);
    cr_assert_eq(b->qrel_grade[3], 2);
    rc_beir_free(&b);
}

static void smart_error(const char *docs, const char *qrels, const char *want) {
    char dir[512], err[512] = "";
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    rc_beir *b = NULL;
    cr_assert_eq(rc_smart_load(&b, file_in(dir, "docs", docs), file_in(dir, "q", smart_queries),
                               file_in(dir, "r", qrels), err, sizeof err),
                 RC_ERR_FORMAT);
    cr_assert_null(b);
    cr_assert(strstr(err, want), "want '%s' in '%s'", want, err);
}

Test(text, smart_reader_errors_name_file_and_line) {
    smart_error("hello\n.I 1\n", smart_qrels, "docs:1: text before the first .I");
    smart_error(".I 1\n.W\nx\n.X\n", smart_qrels, "docs:4: unknown field '.X'");
    smart_error(".I 1\n.I\n", smart_qrels, "docs:2: .I needs a number");
    smart_error(".I 1\n.I 01\n", smart_qrels, "docs:2: duplicate .I 1");
    smart_error(smart_docs, "1 2 1\n1 2\n", "r:2: want 3 numbers 'query doc grade'");
    smart_error(smart_docs, "1 2 1\n\n3 2 1\n", "r:3: query 3 is not in the queries file");
    char err[512] = "";
    rc_beir *b;
    cr_assert_eq(rc_smart_load(&b, "/nonexistent/docs", NULL, NULL, err, sizeof err), RC_ERR_IO);
    cr_assert_eq(rc_smart_load(&b, "/nonexistent/docs", "q", NULL, err, sizeof err), RC_ERR_ARG);
}

Test(text, lines_reader) {
    char dir[512], err[512] = "";
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    rc_beir *b;
    cr_assert_eq(rc_lines_load(&b, file_in(dir, "l", "one doc\n\nthird\r\n"), err, sizeof err),
                 RC_OK, "%s", err);
    cr_assert_eq(b->n_docs, 3);
    cr_assert_str_eq(b->doc_id[2], "3");
    cr_assert_str_eq(b->doc_text[1], "");
    cr_assert_str_eq(b->doc_text[2], "third");
    cr_assert_eq(b->n_queries, 0);
    rc_beir_free(&b);
    cr_assert_eq(rc_lines_load(&b, file_in(dir, "bad", "ok\nbad \xff\n"), err, sizeof err),
                 RC_ERR_FORMAT);
    cr_assert(strstr(err, "bad:2: invalid UTF-8"), "%s", err);
}

// The toy collection of smart_reader: "apple" finds doc 2 only, "cherry" doc 5 only. Query 1:
// relevant doc 2 at rank 1: nDCG 1, AP 1, recall 1, P@10 0.1 (doc 44 is graded 3 but not in the
// corpus: it counts, so IDCG = 3 + 1/log2(3), DCG = 1). Query 2: relevant 5 (grade 2) at rank 1 and
// 1 (grade 1) not found: DCG 2, IDCG 2 + 1/log2 3; AP 1/2; recall 1/2; P@10 0.1.
Test(text, bm25_evaluate_toy_collection) {
    char dir[512], err[512] = "";
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    rc_beir *b = toy_collection(dir);
    rc_bm25 *ix;
    cr_assert_eq(rc_bm25_new(&ix, NULL), RC_OK);
    for (int64_t d = b->n_docs - 1; d >= 0; d--) // reversed: found by id, not by number
        cr_assert_eq(rc_bm25_add(ix, b->doc_text[d], strlen(b->doc_text[d]), NULL, 0), RC_OK);
    cr_assert_eq(rc_bm25_build(ix), RC_OK);
    const char *ids[] = {"5", "2", "1"};
    cr_assert_eq(rc_bm25_set_doc_ids(ix, ids, 3, NULL, 0), RC_OK);
    const double ideal3 = 1 / log2(3.0);
    const double q1_ndcg = 1 / (3 + ideal3), q1_ap = 1.0 / 2, q1_recall = 1.0 / 2;
    const double q2_ndcg = 2 / (2 + ideal3);
    for (int threads = 1; threads <= 3; threads++) {
        rc_retrieval_scores s;
        cr_assert_eq(rc_bm25_evaluate(ix, b, threads, &s, err, sizeof err), RC_OK, "%s", err);
        cr_assert_eq(s.n_queries, 2);
        cr_assert_float_eq(s.ndcg_at_10, (q1_ndcg + q2_ndcg) / 2, 1e-12);
        cr_assert_float_eq(s.map, (q1_ap + 0.5) / 2, 1e-12);
        cr_assert_float_eq(s.recall_at_100, (q1_recall + 0.5) / 2, 1e-12);
        cr_assert_float_eq(s.precision_at_10, 0.1, 1e-12);
    }
    rc_bm25_free(&ix);
    rc_beir_free(&b);
}

// Figures measured with this code (docs/cli.md "recur search"), defaults k1 0.9, b 0.4, Porter
// stems, no stop words.
static void expect_ndcg(rc_beir *b, double want) {
    rc_bm25 *ix;
    cr_assert_eq(rc_bm25_new(&ix, NULL), RC_OK);
    for (int64_t d = 0; d < b->n_docs; d++)
        cr_assert_eq(rc_bm25_add(ix, b->doc_text[d], strlen(b->doc_text[d]), NULL, 0), RC_OK);
    cr_assert_eq(rc_bm25_build(ix), RC_OK);
    rc_retrieval_scores s;
    cr_assert_eq(rc_bm25_evaluate(ix, b, 2, &s, NULL, 0), RC_OK);
    cr_assert(fabs(s.ndcg_at_10 - want) < 0.005, "nDCG@10 %.4f, want %.4f", s.ndcg_at_10, want);
    rc_bm25_free(&ix);
}

Test(text, bm25_evaluate_cranfield) {
    char docs[512], q[512], r[512], err[512] = "";
    tu_data_path("cranfield/cran.all.1400", docs, sizeof docs);
    tu_data_path("cranfield/cran.qry", q, sizeof q);
    tu_data_path("cranfield/cranqrel", r, sizeof r);
    rc_beir *b;
    cr_assert_eq(rc_smart_load(&b, docs, q, r, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(b->n_docs, 1400);
    cr_assert_eq(b->n_queries, 225);
    expect_ndcg(b, 0.3209);
    rc_beir_free(&b);
}

Test(text, bm25_evaluate_scifact) {
    char dir[512], err[512] = "";
    tu_data_path("beir-scifact/corpus.jsonl", dir, sizeof dir);
    *strrchr(dir, '/') = '\0';
    rc_beir *b;
    cr_assert_eq(rc_beir_load(&b, dir, "test", err, sizeof err), RC_OK, "%s", err);
    expect_ndcg(b, 0.6809);
    rc_beir_free(&b);
}
