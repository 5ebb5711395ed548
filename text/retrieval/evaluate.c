// Evaluating a BM25 index on a test collection: every query ranked to RC_EVAL_DEPTH, trec_eval's
// measures per query (metrics.c), then their means. Queries are split among threads by index;
// the per-query values are summed in query order afterwards, so the means never depend on the
// thread count.
#include <pthread.h>
#include <stdlib.h>

#include "text/text_impl.h"

// The measures of one query: nDCG@10, AP, recall@100, P@10.
enum { M_NDCG, M_AP, M_RECALL, M_P10, N_MEASURES };

typedef struct eval_job {
    const rc_bm25 *ix;
    const rc_beir *b;
    const int32_t *doc_map; // b's document -> ix's document (-1: not in the index)
    int64_t first, step;    // this worker's queries: first, first + step, ...
    double *values;         // [n_queries][N_MEASURES]
    rc_status st;
    char err[256];
} eval_job;

static rc_status eval_query(const eval_job *j, int64_t q, int32_t *docs, float *scores,
                            int32_t *rel, char *err, size_t err_len) {
    const rc_beir *b = j->b;
    const char *text = b->query_text[q];
    int found;
    rc_status st = rc_bm25_search(j->ix, text, strlen(text), RC_EVAL_DEPTH, docs, scores, &found,
                                  err, err_len);
    if (st != RC_OK)
        return st;
    const int64_t lo = b->qrel_ptr[q], n_rel = b->qrel_ptr[q + 1] - lo;
    for (int64_t i = 0; i < n_rel; i++) {
        const int32_t d = b->qrel_doc[lo + i];
        rel[i] = d < 0 ? -1 : j->doc_map[d];
    }
    const int32_t *grades = b->qrel_grade + lo;
    double *v = j->values + q * N_MEASURES;
    v[M_NDCG] = rc_ndcg_at_k(docs, found, rel, grades, (int)n_rel, 10);
    v[M_AP] = rc_average_precision(docs, found, rel, grades, (int)n_rel);
    v[M_RECALL] = rc_recall_at_k(docs, found, rel, grades, (int)n_rel, 100);
    v[M_P10] = rc_precision_at_k(docs, found, rel, grades, (int)n_rel, 10);
    return RC_OK;
}

static int64_t most_judgments(const rc_beir *b) {
    int64_t most = 1;
    for (int64_t q = 0; q < b->n_queries; q++)
        if (b->qrel_ptr[q + 1] - b->qrel_ptr[q] > most)
            most = b->qrel_ptr[q + 1] - b->qrel_ptr[q];
    return most;
}

static void *eval_worker(void *arg) {
    eval_job *j = arg;
    int32_t *docs = malloc(RC_EVAL_DEPTH * sizeof *docs);
    float *scores = malloc(RC_EVAL_DEPTH * sizeof *scores);
    int32_t *rel = malloc((size_t)most_judgments(j->b) * sizeof *rel);
    j->st = docs && scores && rel ? RC_OK
                                  : rc_errf(j->err, sizeof j->err, RC_ERR_NOMEM, "out of memory");
    for (int64_t q = j->first; j->st == RC_OK && q < j->b->n_queries; q += j->step)
        j->st = eval_query(j, q, docs, scores, rel, j->err, sizeof j->err);
    free(docs), free(scores), free(rel);
    return NULL;
}

// b's documents found in ix by id (when ix has ids), else by number.
static int32_t *map_documents(const rc_bm25 *ix, const rc_beir *b) {
    int32_t *map = malloc((size_t)(b->n_docs ? b->n_docs : 1) * sizeof *map);
    rc_strtab tab = {0};
    const int32_t n_ix = (int32_t)rc_bm25_num_docs(ix);
    bool ok = map != NULL;
    for (int32_t d = 0; ok && rc_bm25_doc_id(ix, 0) && d < n_ix; d++) {
        const char *id = rc_bm25_doc_id(ix, d);
        bool added;
        ok = rc_strtab_intern(&tab, id, strlen(id), rc_hash_bytes(id, strlen(id)), &added) >= 0;
    }
    for (int64_t d = 0; ok && d < b->n_docs; d++) {
        const char *id = b->doc_id[d];
        if (rc_bm25_doc_id(ix, 0))
            map[d] = rc_strtab_find(&tab, id, strlen(id), rc_hash_bytes(id, strlen(id)));
        else
            map[d] = d < n_ix ? (int32_t)d : -1;
    }
    rc_strtab_free(&tab);
    if (!ok)
        free(map);
    return ok ? map : NULL;
}

// Runs the jobs on threads (the first on the caller's), then returns the first failure.
static rc_status run_jobs(eval_job *jobs, int n, char *err, size_t err_len) {
    pthread_t *tid = malloc((size_t)n * sizeof *tid);
    int started = 0;
    for (int t = 1; tid && t < n; t++, started++)
        if (pthread_create(&tid[t], NULL, eval_worker, &jobs[t]))
            break;
    eval_worker(&jobs[0]);
    for (int t = started + 1; t < n; t++) // threads that did not start: run here
        eval_worker(&jobs[t]);
    for (int t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    free(tid);
    for (int t = 0; t < n; t++)
        if (jobs[t].st != RC_OK)
            return rc_errf(err, err_len, jobs[t].st, "rc_bm25_evaluate: %s", jobs[t].err);
    return RC_OK;
}

rc_status rc_bm25_evaluate(const rc_bm25 *ix, const rc_beir *b, int threads,
                           rc_retrieval_scores *out, char *err, size_t err_len) {
    if (out)
        *out = (rc_retrieval_scores){0};
    if (!ix || !b || !out)
        return rc_err_null(err, err_len, "rc_bm25_evaluate", !ix ? "ix" : !b ? "b" : "out");
    const int n = threads > 1 ? (threads > 64 ? 64 : threads) : 1;
    int32_t *map = map_documents(ix, b);
    double *values = calloc((size_t)(b->n_queries ? b->n_queries : 1) * N_MEASURES, sizeof *values);
    eval_job *jobs = calloc((size_t)n, sizeof *jobs);
    rc_status st = map && values && jobs
                       ? RC_OK
                       : rc_errf(err, err_len, RC_ERR_NOMEM, "rc_bm25_evaluate: out of memory");
    for (int t = 0; st == RC_OK && t < n; t++)
        jobs[t] =
            (eval_job){.ix = ix, .b = b, .doc_map = map, .first = t, .step = n, .values = values};
    if (st == RC_OK)
        st = run_jobs(jobs, n, err, err_len);
    double sum[N_MEASURES] = {0};
    for (int64_t q = 0; st == RC_OK && q < b->n_queries; q++)
        for (int m = 0; m < N_MEASURES; m++)
            sum[m] += values[q * N_MEASURES + m];
    const double nq = b->n_queries ? (double)b->n_queries : 1;
    if (st == RC_OK)
        *out = (rc_retrieval_scores){sum[M_NDCG] / nq, sum[M_AP] / nq, sum[M_RECALL] / nq,
                                     sum[M_P10] / nq, b->n_queries};
    free(map), free(values), free(jobs);
    return st;
}
