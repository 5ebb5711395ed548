// fastText-style classifier: prediction (softmax, hierarchical-softmax path products, negative-
// sampling sigmoids) and fastText's `test` (precision and recall at k).
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ft_impl.h"

int32_t rc_ft_num_labels(const rc_ft *m) {
    return m ? m->C : 0;
}

const char *rc_ft_label(const rc_ft *m, int32_t i) {
    size_t len;
    return m ? rc_vocab_token(m->labels, i, &len) : NULL;
}

const rc_vocab *rc_ft_vocab(const rc_ft *m) {
    return m ? m->words : NULL;
}

rc_params *rc_ft_params(const rc_ft *m) {
    return m ? m->ps : NULL;
}

static float sigmoid(double x) {
    return (float)(x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)));
}

static double dot(const float *a, const float *b, int32_t D) {
    double s = 0;
    for (int32_t d = 0; d < D; d++)
        s += (double)a[d] * b[d];
    return s;
}

// prob[C] of every label given the hidden vector h.
static void label_probs(const rc_ft *m, const float *h, float *prob) {
    const int32_t D = m->o.dim, C = m->C;
    const float *out = rc_param_value(m->out).data;
    if (m->o.loss == RC_FT_SOFTMAX) {
        double mx = -INFINITY, z = 0;
        for (int32_t c = 0; c < C; c++) {
            prob[c] = (float)dot(h, out + (int64_t)c * D, D);
            mx = prob[c] > mx ? prob[c] : mx;
        }
        for (int32_t c = 0; c < C; c++)
            z += exp(prob[c] - mx);
        for (int32_t c = 0; c < C; c++)
            prob[c] = (float)(exp(prob[c] - mx) / z);
    } else if (m->o.loss == RC_FT_NS) {
        for (int32_t c = 0; c < C; c++)
            prob[c] = sigmoid(dot(h, out + (int64_t)c * D, D));
    } else {
        const rc_huffman *t = m->tree;
        for (int32_t c = 0; c < C; c++) {
            double p = 1;
            for (int64_t k = t->start[c]; k < t->start[c + 1]; k++) {
                double s = dot(h, out + (int64_t)t->point[k] * D, D);
                p *= sigmoid(t->code[k] ? -s : s);
            }
            prob[c] = (float)p;
        }
    }
}

// Mean of the feature rows; false when there is none.
static bool hidden(const rc_ft *m, const ft_ints *feats, float *h) {
    const int32_t D = m->o.dim;
    if (!feats->n)
        return false;
    const float *in = rc_param_value(m->in).data;
    memset(h, 0, (size_t)D * sizeof *h);
    for (int64_t k = 0; k < feats->n; k++)
        for (int32_t d = 0; d < D; d++)
            h[d] += in[(int64_t)feats->v[k] * D + d];
    for (int32_t d = 0; d < D; d++)
        h[d] /= (float)feats->n;
    return true;
}

// Top k of prob[C] at least threshold, best first (ties: lower label id first).
static int32_t top_k(const float *prob, int32_t C, int32_t k, float threshold, int32_t *labels,
                     float *probs) {
    int32_t n = 0;
    for (int32_t c = 0; c < C; c++) {
        if (prob[c] < threshold || (n == k && prob[c] <= probs[k - 1]))
            continue;
        int32_t at = n < k ? n++ : k - 1;
        while (at > 0 && probs[at - 1] < prob[c]) {
            probs[at] = probs[at - 1];
            labels[at] = labels[at - 1];
            at--;
        }
        probs[at] = prob[c];
        labels[at] = c;
    }
    return n;
}

typedef struct predictor {
    rc_tokens t;
    ft_ints feats, labels, hashes;
    float *h, *prob, *top_p;
    int32_t *top_l;
} predictor;

static void predictor_free(predictor *p) {
    rc_tokens_free(&p->t);
    free(p->feats.v), free(p->labels.v), free(p->hashes.v);
    free(p->h), free(p->prob), free(p->top_p), free(p->top_l);
}

static bool predictor_init(const rc_ft *m, predictor *p, int32_t k) {
    memset(p, 0, sizeof *p);
    p->h = malloc((size_t)m->o.dim * sizeof(float));
    p->prob = malloc((size_t)m->C * sizeof(float));
    p->top_p = malloc((size_t)(k > 0 ? k : 1) * sizeof(float));
    p->top_l = malloc((size_t)(k > 0 ? k : 1) * sizeof(int32_t));
    return p->h && p->prob && p->top_p && p->top_l;
}

// Features and gold labels of one line, then its top k; returns the count, or -1 on error.
static int32_t predict_line(const rc_ft *m, predictor *p, const char *s, size_t len, bool text_only,
                            int32_t k, float threshold, char *why, size_t why_len) {
    p->feats.n = p->labels.n = 0;
    int64_t ntok;
    // rc_ft_line only reads the finalized vocabularies here.
    if (rc_ft_line((rc_ft *)m, s, len, text_only, &p->t, &p->feats, &p->labels, &p->hashes, &ntok,
                   why, why_len) != RC_OK)
        return -1;
    if (!hidden(m, &p->feats, p->h))
        return 0;
    label_probs(m, p->h, p->prob);
    return top_k(p->prob, m->C, k, threshold, p->top_l, p->top_p);
}

int32_t rc_ft_predict(const rc_ft *m, const char *text, size_t len, int32_t k, float threshold,
                      int32_t *labels, float *probs) {
    if (!m || !text || k < 1 || !labels || !probs)
        return 0;
    predictor p;
    int32_t n = 0;
    char why[160];
    if (predictor_init(m, &p, k)) {
        n = predict_line(m, &p, text, len, true, k, threshold, why, sizeof why);
        if (n < 0)
            n = 0;
        memcpy(labels, p.top_l, (size_t)n * sizeof *labels);
        memcpy(probs, p.top_p, (size_t)n * sizeof *probs);
    }
    predictor_free(&p);
    return n;
}

rc_status rc_ft_test_file(const rc_ft *m, const char *path, int32_t k, rc_ft_test_result *res,
                          char *err, size_t err_len) {
    if (!m || !path || !res)
        return rc_err_null(err, err_len, "rc_ft_test_file", !m ? "m" : !path ? "path" : "res");
    if (k < 1)
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_ft_test_file: k must be >= 1, got %d", k);
    memset(res, 0, sizeof *res);
    rc_line_reader *r;
    rc_status st = rc_line_reader_open(&r, path, &rc_embed_text_lines, err, err_len);
    if (st != RC_OK)
        return st;
    predictor p;
    if (!predictor_init(m, &p, k))
        st = rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", path);
    int64_t predicted = 0, gold = 0, hits = 0, top1 = 0;
    const char *line;
    size_t len;
    char why[160] = "";
    while (st == RC_OK && (st = rc_line_reader_next(r, &line, &len, err, err_len)) == RC_OK &&
           line) {
        int32_t n = predict_line(m, &p, line, len, false, k, 0.0f, why, sizeof why);
        if (n < 0) {
            st = rc_errf(err, err_len, RC_ERR_FORMAT, "%s:%lld: %s", path,
                         (long long)rc_line_reader_lineno(r), why);
            break;
        }
        if (!p.labels.n || !p.feats.n) {
            res->skipped++;
            continue;
        }
        res->examples++;
        gold += p.labels.n;
        predicted += n;
        for (int32_t j = 0; j < n; j++)
            for (int64_t g = 0; g < p.labels.n; g++)
                if (p.labels.v[g] == p.top_l[j]) {
                    hits++;
                    top1 += j == 0;
                    break;
                }
    }
    predictor_free(&p);
    rc_line_reader_close(&r);
    if (st != RC_OK)
        return st;
    res->precision_at_k = predicted ? (double)hits / (double)predicted : 0;
    res->recall_at_k = gold ? (double)hits / (double)gold : 0;
    res->accuracy = res->examples ? (double)top1 / (double)res->examples : 0;
    return RC_OK;
}
