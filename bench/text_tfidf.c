// Text benchmark, recur side: TF-IDF fit + transform on SST-2 train and the Lee corpus (the
// documents bench/text_tfidf.py gives scikit-learn), and BM25 on BEIR SciFact (index + the 300
// test queries, nDCG@10). Prints one "key value" line per measure; run through bench/text_bench.sh.
// Usage: text_tfidf [repeats [tfidf|bm25]]   (data from $RECUR_DATA; both parts by default)
#include <recur/recur.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_s(clockid_t which) {
    struct timespec ts;
    clock_gettime(which, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void) {
    return clock_s(CLOCK_MONOTONIC);
}

// CPU time of the process: on a shared machine it varies far less than wall time.
static double cpu_now(void) {
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n * 2 + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

typedef struct docs {
    char *text;
    const char **doc;
    size_t *len;
    int64_t n;
} docs;

// Documents are lines; with tsv, the header is skipped and each line cut at its last tab.
static int load_lines(docs *d, const char *path, bool latin1, bool tsv) {
    size_t n;
    char *raw = read_file(path, &n);
    if (!raw) {
        fprintf(stderr, "cannot read %s\n", path);
        return -1;
    }
    if (latin1) {
        d->text = malloc(2 * n + 1);
        n = rc_latin1_to_utf8(raw, n, d->text);
        free(raw);
    } else {
        d->text = raw;
    }
    d->doc = malloc((n + 1) * sizeof *d->doc);
    d->len = malloc((n + 1) * sizeof *d->len);
    d->n = 0;
    size_t start = 0;
    bool header = tsv;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && d->text[i] != '\n')
            continue;
        size_t len = i - start;
        if (len > 0 && !header) {
            if (tsv)
                while (len > 0 && d->text[start + len - 1] != '\t')
                    len--;
            d->doc[d->n] = d->text + start;
            d->len[d->n++] = tsv && len ? len - 1 : len;
        }
        header = false;
        start = i + 1;
    }
    return 0;
}

static int bench_tfidf(const char *name, const docs *d, int repeats) {
    double best = 1e30, best_cpu = 1e30;
    int64_t nnz = 0, terms = 0;
    for (int r = 0; r < repeats; r++) {
        rc_tfidf_opts o = rc_tfidf_defaults();
        rc_tfidf *t;
        rc_csr m = {0};
        char err[256];
        double t0 = now(), c0 = cpu_now();
        if (rc_tfidf_new(&t, &o) != RC_OK ||
            rc_tfidf_fit(t, d->doc, d->len, d->n, &m, err, sizeof err) != RC_OK) {
            fprintf(stderr, "%s: %s\n", name, err);
            return -1;
        }
        double dt = now() - t0, dc = cpu_now() - c0;
        best = dt < best ? dt : best;
        best_cpu = dc < best_cpu ? dc : best_cpu;
        nnz = rc_csr_nnz(&m);
        terms = m.cols;
        rc_csr_free(&m);
        rc_tfidf_free(&t);
    }
    printf("tfidf_%s_docs %lld\ntfidf_%s_terms %lld\ntfidf_%s_nnz %lld\n", name, (long long)d->n,
           name, (long long)terms, name, (long long)nnz);
    printf("tfidf_%s_seconds %.6f\ntfidf_%s_cpu_seconds %.6f\n", name, best, name, best_cpu);
    return 0;
}

static int bench_bm25(const char *root, int repeats) {
    char dir[1024], err[512];
    snprintf(dir, sizeof dir, "%s/beir-scifact", root);
    rc_beir *b;
    double t0 = now();
    if (rc_beir_load(&b, dir, "test", err, sizeof err) != RC_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    printf("bm25_scifact_load_seconds %.6f\n", now() - t0);
    rc_stopset *stop;
    rc_stopset_english(&stop);
    double best = 1e30, ndcg = 0, map = 0;
    enum { K = 100 };
    int32_t hits[K];
    float scores[K];
    for (int r = 0; r < repeats; r++) {
        rc_bm25_opts o = rc_bm25_defaults();
        o.stop = stop;
        rc_bm25 *ix;
        t0 = now();
        rc_bm25_new(&ix, &o);
        for (int64_t d = 0; d < b->n_docs; d++)
            rc_bm25_add(ix, b->doc_text[d], strlen(b->doc_text[d]), NULL, 0);
        rc_bm25_build(ix);
        ndcg = map = 0;
        for (int64_t q = 0; q < b->n_queries; q++) {
            int n;
            rc_bm25_search(ix, b->query_text[q], strlen(b->query_text[q]), K, hits, scores, &n,
                           NULL, 0);
            int64_t lo = b->qrel_ptr[q];
            int nr = (int)(b->qrel_ptr[q + 1] - lo);
            ndcg += rc_ndcg_at_k(hits, n, b->qrel_doc + lo, b->qrel_grade + lo, nr, 10);
            map += rc_average_precision(hits, n, b->qrel_doc + lo, b->qrel_grade + lo, nr);
        }
        double dt = now() - t0;
        best = dt < best ? dt : best;
        rc_bm25_free(&ix);
    }
    printf("bm25_scifact_queries %lld\nbm25_scifact_index_and_queries_seconds %.6f\n"
           "bm25_scifact_ndcg10 %.4f\nbm25_scifact_map100 %.4f\n",
           (long long)b->n_queries, best, ndcg / (double)b->n_queries, map / (double)b->n_queries);
    rc_stopset_free(&stop);
    rc_beir_free(&b);
    return 0;
}

int main(int argc, char **argv) {
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    const char *root = getenv("RECUR_DATA");
    if (!root || !*root) {
        fprintf(stderr, "set RECUR_DATA to the shared data folder\n");
        return 2;
    }
    char path[1024];
    docs sst = {0}, lee = {0};
    snprintf(path, sizeof path, "%s/sst2-glue/train.tsv", root);
    if (load_lines(&sst, path, false, true))
        return 1;
    snprintf(path, sizeof path, "%s/lee-corpus/lee_background.cor", root);
    if (load_lines(&lee, path, true, false))
        return 1;
    const char *only = argc > 2 ? argv[2] : "";
    if (strcmp(only, "bm25") &&
        (bench_tfidf("sst2_train", &sst, repeats) || bench_tfidf("lee", &lee, repeats)))
        return 1;
    if (strcmp(only, "tfidf") && bench_bm25(root, repeats))
        return 1;
    return 0;
}
