// Classification accuracy and trec_eval's retrieval measures for one query.
#include <math.h>
#include <stdlib.h>

#include "text/text_impl.h"

double rc_accuracy(const int32_t *pred, const int32_t *gold, int64_t n) {
    if (n <= 0)
        return 0;
    int64_t ok = 0;
    for (int64_t i = 0; i < n; i++)
        ok += pred[i] == gold[i];
    return (double)ok / (double)n;
}

// The grade of doc in the judgments (0 when unjudged).
static int32_t grade_of(int32_t doc, const int32_t *rel_docs, const int32_t *grades, int n_rel) {
    for (int i = 0; i < n_rel; i++)
        if (rel_docs[i] == doc)
            return grades[i];
    return 0;
}

static int n_relevant(const int32_t *grades, int n_rel) {
    int n = 0;
    for (int i = 0; i < n_rel; i++)
        n += grades[i] > 0;
    return n;
}

static int hits_at(const int32_t *ranked, int n_ranked, const int32_t *rel_docs,
                   const int32_t *grades, int n_rel, int k) {
    int hits = 0;
    for (int i = 0; i < n_ranked && i < k; i++)
        hits += grade_of(ranked[i], rel_docs, grades, n_rel) > 0;
    return hits;
}

double rc_precision_at_k(const int32_t *ranked, int n_ranked, const int32_t *rel_docs,
                         const int32_t *grades, int n_rel, int k) {
    if (k <= 0 || n_relevant(grades, n_rel) == 0)
        return 0;
    return (double)hits_at(ranked, n_ranked, rel_docs, grades, n_rel, k) / k;
}

double rc_recall_at_k(const int32_t *ranked, int n_ranked, const int32_t *rel_docs,
                      const int32_t *grades, int n_rel, int k) {
    int r = n_relevant(grades, n_rel);
    if (k <= 0 || r == 0)
        return 0;
    return (double)hits_at(ranked, n_ranked, rel_docs, grades, n_rel, k) / r;
}

static int by_grade_desc(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x < y) - (x > y);
}

double rc_ndcg_at_k(const int32_t *ranked, int n_ranked, const int32_t *rel_docs,
                    const int32_t *grades, int n_rel, int k) {
    if (k <= 0 || n_relevant(grades, n_rel) == 0)
        return 0;
    double dcg = 0, idcg = 0;
    for (int i = 0; i < n_ranked && i < k; i++) {
        int32_t g = grade_of(ranked[i], rel_docs, grades, n_rel);
        if (g > 0)
            dcg += g / log2(i + 2.0);
    }
    int32_t *ideal = malloc((size_t)n_rel * sizeof *ideal);
    if (!ideal)
        return NAN;
    memcpy(ideal, grades, (size_t)n_rel * sizeof *ideal);
    qsort(ideal, (size_t)n_rel, sizeof *ideal, by_grade_desc);
    for (int i = 0; i < n_rel && i < k && ideal[i] > 0; i++)
        idcg += ideal[i] / log2(i + 2.0);
    free(ideal);
    return dcg / idcg;
}

double rc_average_precision(const int32_t *ranked, int n_ranked, const int32_t *rel_docs,
                            const int32_t *grades, int n_rel) {
    int r = n_relevant(grades, n_rel);
    if (r == 0)
        return 0;
    double sum = 0;
    int hits = 0;
    for (int i = 0; i < n_ranked; i++) {
        if (grade_of(ranked[i], rel_docs, grades, n_rel) > 0) {
            hits++;
            sum += (double)hits / (i + 1);
        }
    }
    return sum / r;
}
