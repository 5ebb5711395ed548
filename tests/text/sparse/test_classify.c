// Logistic regression on TF-IDF features through rc_sparse_matmul, trained with plain SGD
// written here: a separable toy problem, and SMS spam on a fixed 80/20 split.
#include <math.h>
#include <string.h>

#include "text/text_fixtures.h"

typedef struct logreg {
    rc_params *ps;
    rc_param *w, *b; // w [V,1], b [1]
} logreg;

static void logreg_init(logreg *m, int64_t V) {
    cr_assert_eq(rc_params_new(&m->ps), RC_OK);
    cr_assert_eq(rc_params_add(m->ps, "w", RC_SHAPE(V, 1), &m->w), RC_OK);
    cr_assert_eq(rc_params_add(m->ps, "b", RC_SHAPE(1), &m->b), RC_OK);
}

// Logits [B,1] of the rows of x.
static rc_var logits(rc_graph *g, const logreg *m, const rc_csr *x) {
    return rc_add(rc_sparse_matmul(x, rc_use(g, m->w)), rc_use(g, m->b));
}

// One SGD step on the rows of x with labels y (0/1): binary cross-entropy with logits,
// mean(softplus(z) - y z). Returns the loss.
static float sgd_step(rc_graph *g, logreg *m, const rc_csr *x, const float *y, float lr) {
    rc_var z = logits(g, m, x);
    rc_var t = rc_input(g, RC_SHAPE(x->rows, 1), y);
    rc_var loss = rc_mean_all(rc_sub(rc_softplus(z), rc_mul(t, z)));
    cr_assert_eq(rc_backward(loss), RC_OK, "%s", rc_graph_errmsg(g));
    float l = rc_item(loss);
    for (int i = 0; i < rc_params_count(m->ps); i++) {
        rc_param *p = rc_params_at(m->ps, i);
        rc_tensor v = rc_param_value(p), gr = rc_param_grad(p);
        for (int64_t k = 0; k < v.n; k++)
            v.data[k] -= lr * gr.data[k];
    }
    rc_params_zero_grad(m->ps);
    rc_graph_reset(g);
    return l;
}

// Predicted labels (logit > 0) for every row of x.
static void predict(rc_graph *g, const logreg *m, const rc_csr *x, int32_t *pred) {
    bool was = rc_graph_set_grad_enabled(g, false);
    rc_var z = logits(g, m, x);
    cr_assert(rc_ok(z), "%s", rc_graph_errmsg(g));
    rc_tensor v = rc_value(z);
    for (int64_t i = 0; i < x->rows; i++)
        pred[i] = v.data[i] > 0;
    rc_graph_reset(g);
    rc_graph_set_grad_enabled(g, was);
}

static void tfidf_fit(rc_tfidf **t, const char *const *docs, const size_t *lens, int64_t n,
                      rc_csr *x) {
    rc_tfidf_opts o = rc_tfidf_defaults();
    cr_assert_eq(rc_tfidf_new(t, &o), RC_OK);
    char err[256] = "";
    cr_assert_eq(rc_tfidf_fit(*t, docs, lens, n, x, err, sizeof err), RC_OK, "%s", err);
}

Test(text, logreg_learns_separable_toy) {
    const char *docs[] = {"good great fun",   "great movie good", "fun and good",
                          "bad awful boring", "boring bad movie", "awful and bad"};
    const float y[] = {1, 1, 1, 0, 0, 0};
    const int32_t gold[] = {1, 1, 1, 0, 0, 0};
    size_t lens[6];
    for (int i = 0; i < 6; i++)
        lens[i] = strlen(docs[i]);
    rc_tfidf *t;
    rc_csr x = {0};
    tfidf_fit(&t, docs, lens, 6, &x);
    logreg m;
    logreg_init(&m, x.cols);
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    float first = sgd_step(g, &m, &x, y, 2.0f), last = first;
    for (int step = 0; step < 200; step++)
        last = sgd_step(g, &m, &x, y, 2.0f);
    cr_assert_float_eq(first, logf(2.0f), 1e-6, "zero weights give loss ln 2");
    cr_assert_lt(last, 0.05f, "loss %.4f after 200 steps", (double)last);
    int32_t pred[6];
    predict(g, &m, &x, pred);
    cr_assert_float_eq(rc_accuracy(pred, gold, 6), 1.0, 0);
    rc_graph_free(&g);
    rc_params_free(&m.ps);
    rc_csr_free(&x);
    rc_tfidf_free(&t);
}

// SMS Spam Collection: a fixed shuffle (seed 2024), the first 80% to train, the rest to test.
// TF-IDF fitted on the training part; logistic regression, 8 epochs of SGD, batch 32, lr 4.
Test(text, logreg_sms_spam) {
    tt_docs d;
    if (!tt_load_sms(&d))
        return;
    cr_assert_eq(d.n, 5574);
    int64_t *perm = malloc((size_t)d.n * sizeof *perm);
    rc_rng r;
    rc_rng_seed(&r, 2024);
    for (int64_t i = 0; i < d.n; i++)
        perm[i] = i;
    for (int64_t i = d.n - 1; i > 0; i--) {
        int64_t j = rc_rng_below(&r, (uint32_t)i + 1), t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
    const int64_t n_train = d.n * 8 / 10, n_test = d.n - n_train;
    const char **docs = malloc((size_t)d.n * sizeof *docs);
    size_t *lens = malloc((size_t)d.n * sizeof *lens);
    int32_t *label = malloc((size_t)d.n * sizeof *label);
    for (int64_t i = 0; i < d.n; i++)
        docs[i] = d.doc[perm[i]], lens[i] = d.len[perm[i]], label[i] = d.label[perm[i]];
    rc_tfidf *t;
    rc_csr xtr = {0}, xte = {0}, batch = {0};
    tfidf_fit(&t, docs, lens, n_train, &xtr);
    char err[256] = "";
    cr_assert_eq(
        rc_tfidf_transform(t, docs + n_train, lens + n_train, n_test, &xte, err, sizeof err), RC_OK,
        "%s", err);
    logreg m;
    logreg_init(&m, xtr.cols);
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    enum { B = 32 };
    int64_t idx[B];
    float y[B];
    int64_t *order = malloc((size_t)n_train * sizeof *order);
    for (int64_t i = 0; i < n_train; i++)
        order[i] = i;
    for (int epoch = 0; epoch < 8; epoch++) {
        for (int64_t i = n_train - 1; i > 0; i--) { // a fresh order of the training rows
            int64_t j = rc_rng_below(&r, (uint32_t)i + 1), tmp = order[i];
            order[i] = order[j], order[j] = tmp;
        }
        for (int64_t at = 0; at + B <= n_train; at += B) {
            for (int k = 0; k < B; k++)
                idx[k] = order[at + k], y[k] = (float)label[order[at + k]];
            cr_assert_eq(rc_csr_gather_rows(&xtr, idx, B, &batch), RC_OK);
            sgd_step(g, &m, &batch, y, 4.0f);
        }
    }
    free(order);
    int32_t *pred = malloc((size_t)n_test * sizeof *pred);
    predict(g, &m, &xte, pred);
    double acc = rc_accuracy(pred, label + n_train, n_test);
    int64_t spam = 0;
    for (int64_t i = 0; i < n_test; i++)
        spam += label[n_train + i];
    cr_log_info("SMS spam: test accuracy %.4f on %lld messages (%.4f are ham)", acc,
                (long long)n_test, 1.0 - (double)spam / (double)n_test);
    cr_assert_geq(acc, 0.95, "test accuracy %.4f", acc);
    free(pred), free(perm), free(docs), free(lens), free(label);
    rc_graph_free(&g);
    rc_params_free(&m.ps);
    rc_csr_free(&xtr), rc_csr_free(&xte), rc_csr_free(&batch);
    rc_tfidf_free(&t);
    tt_docs_free(&d);
}
