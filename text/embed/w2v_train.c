// word2vec / fastText training. Each worker thread walks its share of the sentences and gathers
// a batch of examples; the batch's loss is one small graph of public ops (embedding gathers, the
// centre bags' means, rowdot scores, log-sigmoid), and after backward the gradients of the rows
// the batch touched are applied to the shared tables with the decayed learning rate.
//
// Working set: a batch copies the rows it needs from the shared tables into two small
// parameters ("bag rows" and "output rows", row 0 a zero padding row; rc_rowset), so its graph,
// gradients and zeroing scale with the batch, not with the vocabulary, and several workers can
// share the tables without sharing gradient buffers (Hogwild: each applies its own row deltas).
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "w2v_impl.h"

typedef struct shared_run {
    rc_w2v *m;
    const w2v_corpus *c;
    int64_t total_words; // words over all epochs, for the lr schedule
    atomic_llong seen;   // words processed so far, all workers
    atomic_llong next_report;
    pthread_mutex_t report_lock;
    double loss_sum; // under report_lock: last epoch's loss and examples of every worker
    int64_t loss_n;
} shared_run;

typedef struct worker {
    shared_run *run;
    int index;
    rc_rng rng;
    rc_graph *g;
    rc_params *ps;
    rc_rowset in, out; // "bag rows" and "output rows" (see rc_rowset)
    // The batch: W bags of up to R input rows; P examples of L output rows each.
    int32_t W, R, P, L, max_W, max_P, max_bag;
    int32_t *bag_len;  // [max_W] rows in each bag
    int32_t *bag;      // [max_W * max_bag] working-set ids, bag-major
    int32_t *pair_bag; // [max_P] the bag of each example (skip-gram)
    int32_t *out_ids;  // [max_P * Lmax] working-set ids
    float *sign;       // [max_P * Lmax]: +1 positive, -1 negative, 0 padding
    int32_t *ids_tmp;  // the bags' ids, one after the other
    int64_t *offsets;  // [max_W + 1] where each bag starts in ids_tmp
    float *inv_n;      // [max_W]
    int32_t *sent;     // kept words of the current sentence
    int64_t kept, examples, pads;
    double loss, epoch_loss;
    int64_t epoch_examples;
    rc_status st;
    char err[256];
} worker;

static int32_t out_len(const rc_w2v *m) {
    return m->o.loss == RC_W2V_HS ? m->tree->max_len : 1 + m->o.negative;
}

static void worker_free(worker *w) {
    rc_graph_free(&w->g);
    rc_params_free(&w->ps);
    rc_rowset_free(&w->in);
    rc_rowset_free(&w->out);
    free(w->bag_len), free(w->bag), free(w->pair_bag), free(w->out_ids), free(w->sign);
    free(w->ids_tmp), free(w->offsets), free(w->inv_n), free(w->sent);
}

static rc_status worker_init(worker *w, shared_run *run, int index, rc_rng *master) {
    const rc_w2v *m = run->m;
    const rc_w2v_opts *o = &m->o;
    memset(w, 0, sizeof *w);
    w->run = run;
    w->index = index;
    w->rng = rc_rng_split(master);
    const bool sg = o->arch == RC_W2V_SKIPGRAM;
    // Examples in a batch all see the tables as they were when it started, and a frequent row's
    // gradients add up within it: with a small vocabulary the automatic batch shrinks so that
    // no row gathers too many stale contributions at once.
    int32_t batch = o->batch;
    if (!batch) {
        const int32_t cap = sg ? 512 : 128, by_vocab = m->V / 8 > 16 ? m->V / 8 : 16;
        batch = by_vocab < cap ? by_vocab : cap;
    }
    // Skip-gram: a centre gives up to 2*window examples; the batch closes once it holds `batch`.
    w->max_P = sg ? batch + 2 * o->window : batch;
    w->max_W = sg ? w->max_P : batch;
    w->max_bag = sg ? m->max_rows : 2 * o->window * m->max_rows;
    const int32_t L = out_len(m);
    w->bag_len = malloc((size_t)w->max_W * sizeof(int32_t));
    w->bag = malloc((size_t)w->max_W * w->max_bag * sizeof(int32_t));
    w->ids_tmp = malloc((size_t)w->max_W * w->max_bag * sizeof(int32_t));
    w->inv_n = malloc((size_t)w->max_W * sizeof(float));
    w->offsets = malloc(((size_t)w->max_W + 1) * sizeof(int64_t));
    w->pair_bag = malloc((size_t)w->max_P * sizeof(int32_t));
    w->out_ids = malloc((size_t)w->max_P * L * sizeof(int32_t));
    w->sign = malloc((size_t)w->max_P * L * sizeof(float));
    w->sent = malloc((size_t)o->max_sentence * sizeof(int32_t));
    if (!w->bag_len || !w->bag || !w->ids_tmp || !w->offsets || !w->inv_n || !w->pair_bag ||
        !w->out_ids || !w->sign || !w->sent)
        return RC_ERR_NOMEM;
    rc_status st = rc_graph_new(&w->g);
    if (st == RC_OK)
        st = rc_params_new(&w->ps);
    if (st == RC_OK)
        st = rc_rowset_init(&w->in, w->ps, "bag rows", m->in, (int64_t)w->max_W * w->max_bag + 1);
    if (st == RC_OK)
        st = rc_rowset_init(&w->out, w->ps, "output rows", m->out, (int64_t)w->max_P * L + 1);
    return st;
}

// Opens a bag and adds the input rows of word `word` to it.
static void bag_add_word(worker *w, int32_t b, int32_t word) {
    const rc_w2v *m = w->run->m;
    int32_t *dst = w->bag + (int64_t)b * w->max_bag;
    for (int64_t k = m->sub_start[word]; k < m->sub_start[word + 1]; k++)
        dst[w->bag_len[b]++] = rc_rowset_use(&w->in, m->sub_rows[k]);
}

// Output rows and signs of one example predicting `target`.
static void add_targets(worker *w, int32_t p, int32_t target) {
    const rc_w2v *m = w->run->m;
    const int32_t Lmax = out_len(m);
    int32_t *ids = w->out_ids + (int64_t)p * Lmax;
    float *sg = w->sign + (int64_t)p * Lmax;
    if (m->o.loss == RC_W2V_NEG) {
        ids[0] = rc_rowset_use(&w->out, target);
        sg[0] = 1.0f;
        for (int32_t k = 1; k < Lmax; k++) {
            int32_t neg;
            do // as fastText: a negative equal to the target is drawn again
                neg = rc_unigram_table_sample(m->neg, &w->rng);
            while (neg == target);
            ids[k] = rc_rowset_use(&w->out, neg);
            sg[k] = -1.0f;
        }
        return;
    }
    // Hierarchical softmax: branch 0 is the positive side (word2vec.c's label 1 - code).
    const rc_huffman *t = m->tree;
    const int64_t s = t->start[target], len = t->start[target + 1] - s;
    for (int64_t d = 0; d < Lmax; d++) {
        ids[d] = d < len ? rc_rowset_use(&w->out, t->point[s + d]) : 0;
        sg[d] = d < len ? (t->code[s + d] ? -1.0f : 1.0f) : 0.0f;
    }
    if (len > w->L)
        w->L = (int32_t)len;
}

// ---- the graph of one batch ------------------------------------------------------------------

// The bags' vectors [W,D]: mean of each bag's rows. As word2vec.c and fastText, every row of a
// bag receives the bag's whole gradient (not divided by the bag size): the value is
// detach(mean) and the gradient path is sum - detach(sum), which is zero in value.
static rc_var bag_vectors(worker *w, rc_var table) {
    rc_graph *g = w->g;
    if (w->R == 1) {
        for (int32_t b = 0; b < w->W; b++)
            w->ids_tmp[b] = w->bag[(int64_t)b * w->max_bag];
        return rc_embedding(table, w->ids_tmp, RC_SHAPE(w->W));
    }
    int64_t at = 0;
    for (int32_t b = 0; b < w->W; b++) {
        w->offsets[b] = at;
        memcpy(w->ids_tmp + at, w->bag + (int64_t)b * w->max_bag,
               (size_t)w->bag_len[b] * sizeof(int32_t));
        at += w->bag_len[b];
        w->inv_n[b] = 1.0f / (float)w->bag_len[b];
    }
    w->offsets[w->W] = at;
    rc_var sum = rc_embedding_bag(table, w->ids_tmp, w->offsets, w->W);
    rc_var mean = rc_mul(sum, rc_input(g, RC_SHAPE(w->W, 1), w->inv_n));
    return rc_add(rc_detach(mean), rc_sub(sum, rc_detach(sum)));
}

// Repacks the example rows from stride Lmax to the batch's L.
static void pack_outputs(worker *w) {
    const int32_t Lmax = out_len(w->run->m);
    if (w->L == Lmax)
        return;
    for (int32_t p = 0; p < w->P; p++) {
        memmove(w->out_ids + (int64_t)p * w->L, w->out_ids + (int64_t)p * Lmax,
                (size_t)w->L * sizeof(int32_t));
        memmove(w->sign + (int64_t)p * w->L, w->sign + (int64_t)p * Lmax,
                (size_t)w->L * sizeof(float));
    }
}

// Builds the loss -sum log sigmoid(sign * score) and back-propagates it.
static rc_status batch_backward(worker *w, double *loss) {
    rc_graph *g = w->g;
    rc_graph_reset(g);
    pack_outputs(w);
    const bool sg = w->run->m->o.arch == RC_W2V_SKIPGRAM;
    rc_var h = bag_vectors(w, rc_use(g, w->in.p));
    if (sg)
        h = rc_index_select(h, 0, w->pair_bag, w->P);
    // Scores against the output rows read straight from the working set (padding reads row 0,
    // which stays zero, and gets no gradient through its zero sign).
    rc_var score = rc_embedding_rowdot(rc_use(g, w->out.p), w->out_ids, w->P, w->L, h);
    rc_var sign = w->run->m->o.loss == RC_W2V_NEG ? rc_input(g, RC_SHAPE(1, w->L), w->sign)
                                                  : rc_input(g, RC_SHAPE(w->P, w->L), w->sign);
    rc_var l = rc_neg(rc_sum_all(rc_log_sigmoid(rc_mul(score, sign))));
    rc_status st = rc_backward(l);
    *loss = rc_item(l);
    return st;
}

static float current_lr(const shared_run *run) {
    const double done = (double)atomic_load_explicit(&run->seen, memory_order_relaxed) /
                        (double)(run->total_words + 1);
    return rc_linear_lr(run->m->o.lr, done);
}

static void batch_clear(worker *w) {
    w->W = w->P = 0;
    w->R = 1;
    w->L = w->run->m->o.loss == RC_W2V_NEG ? out_len(w->run->m) : 1;
}

// Trains on the gathered batch and applies its gradients.
static rc_status flush(worker *w) {
    if (!w->P)
        return RC_OK;
    const rc_w2v *m = w->run->m;
    double loss = 0;
    rc_status st = batch_backward(w, &loss);
    if (st != RC_OK) {
        rc_errf(w->err, sizeof w->err, st, "word2vec: %s", rc_graph_errmsg(w->g));
        return st;
    }
    if (!isfinite(loss)) {
        rc_errf(w->err, sizeof w->err, RC_ERR_NONFINITE,
                "word2vec: the loss is not finite after %lld examples; lower lr or batch",
                (long long)w->examples);
        return RC_ERR_NONFINITE;
    }
    const float lr = current_lr(w->run);
    rc_rowset_apply(&w->in, 1, lr);
    rc_rowset_apply(&w->out, 1, lr);
    // Padding of hierarchical-softmax paths scores 0 with sign 0: log(2) each, not a real loss.
    int64_t pads = 0;
    if (m->o.loss == RC_W2V_HS)
        for (int64_t i = 0; i < (int64_t)w->P * w->L; i++)
            pads += w->sign[i] == 0.0f;
    w->epoch_loss += loss - (double)pads * log(2.0);
    w->epoch_examples += w->P;
    w->examples += w->P;
    batch_clear(w);
    return RC_OK;
}

// The examples of one sentence. Each centre word draws a shrunk window, as word2vec.c does.
// Skip-gram: the centre's bag predicts each other word of the window; CBOW: the bag of the
// window's other words predicts the centre.
static rc_status sentence_examples(worker *w, const int32_t *s, int32_t n) {
    const bool sg = w->run->m->o.arch == RC_W2V_SKIPGRAM;
    const int32_t window = w->run->m->o.window;
    // A skip-gram centre adds up to 2 * window examples: the batch closes while they still fit.
    const int32_t full = sg ? w->max_P - 2 * window : w->max_P;
    for (int32_t i = 0; i < n; i++) {
        const int32_t b = window - (int32_t)rc_rng_below(&w->rng, (uint32_t)window);
        const int32_t lo = i - b < 0 ? 0 : i - b, hi = i + b >= n ? n - 1 : i + b;
        if (hi == lo)
            continue;
        const int32_t bag = w->W++;
        w->bag_len[bag] = 0;
        if (sg)
            bag_add_word(w, bag, s[i]);
        else
            for (int32_t j = lo; j <= hi; j++)
                if (j != i)
                    bag_add_word(w, bag, s[j]);
        if (w->bag_len[bag] > w->R)
            w->R = w->bag_len[bag];
        if (sg) {
            for (int32_t j = lo; j <= hi; j++) {
                if (j == i)
                    continue;
                w->pair_bag[w->P] = bag;
                add_targets(w, w->P++, s[j]);
            }
        } else {
            add_targets(w, w->P++, s[i]);
        }
        if (w->P >= full) {
            rc_status st = flush(w);
            if (st != RC_OK)
                return st;
        }
    }
    return RC_OK;
}

static void report(worker *w, int64_t seen_now) {
    shared_run *run = w->run;
    const rc_w2v_opts *o = &run->m->o;
    long long next = atomic_load(&run->next_report);
    if (!o->progress || seen_now < next ||
        !atomic_compare_exchange_strong(&run->next_report, &next, next + 100000))
        return;
    pthread_mutex_lock(&run->report_lock);
    double loss = w->epoch_examples ? w->epoch_loss / (double)w->epoch_examples : 0.0;
    o->progress((double)seen_now / (double)run->total_words, current_lr(run), loss, o->user);
    pthread_mutex_unlock(&run->report_lock);
}

// One epoch over sentences [s0, s1): subsampling, then the examples of each sentence.
static rc_status worker_epoch(worker *w, int64_t s0, int64_t s1) {
    const rc_w2v *m = w->run->m;
    const w2v_corpus *c = w->run->c;
    w->epoch_loss = 0;
    w->epoch_examples = 0;
    int64_t pending = 0;
    for (int64_t s = s0; s < s1; s++) {
        int32_t n = 0;
        for (int64_t t = c->sent[s]; t < c->sent[s + 1]; t++) {
            const int32_t id = c->tok[t];
            if (m->keep[id] == UINT32_MAX || (uint32_t)rc_rng_u64(&w->rng) < m->keep[id])
                w->sent[n++] = id;
        }
        w->kept += n;
        rc_status st = sentence_examples(w, w->sent, n);
        if (st != RC_OK)
            return st;
        pending += c->sent[s + 1] - c->sent[s];
        if (pending >= 10000 || s + 1 == s1) {
            long long now = atomic_fetch_add(&w->run->seen, pending) + pending;
            pending = 0;
            report(w, now);
        }
    }
    return flush(w);
}

static void *worker_main(void *arg) {
    worker *w = arg;
    const shared_run *run = w->run;
    const int T = run->m->o.threads;
    const int64_t n = run->c->n_sent;
    const int64_t s0 = n * w->index / T, s1 = n * (w->index + 1) / T;
    batch_clear(w);
    for (int32_t e = 0; e < run->m->o.epochs && w->st == RC_OK; e++)
        w->st = worker_epoch(w, s0, s1);
    return NULL;
}

rc_status rc_w2v_run(rc_w2v *m, const w2v_corpus *c, rc_w2v_stats *stats, char *err,
                     size_t err_len) {
    const int T = m->o.threads;
    shared_run run = {.m = m, .c = c, .total_words = c->n_tok * m->o.epochs};
    atomic_init(&run.seen, 0);
    atomic_init(&run.next_report, 100000);
    pthread_mutex_init(&run.report_lock, NULL);
    worker *ws = calloc((size_t)T, sizeof *ws);
    rc_status st =
        ws ? RC_OK
           : rc_errf(err, err_len, RC_ERR_NOMEM, "word2vec: out of memory for %d workers", T);
    rc_rng master;
    rc_rng_seed(&master, m->o.seed);
    for (int t = 0; t < T && st == RC_OK; t++)
        if ((st = worker_init(&ws[t], &run, t, &master)) != RC_OK)
            rc_errf(err, err_len, st, "word2vec: cannot set up worker %d: %s", t,
                    rc_status_str(st));
    if (st == RC_OK &&
        !rc_embed_run_workers(worker_main, ws, sizeof *ws, T, &stats->seconds, &stats->cpu_seconds))
        st = rc_errf(err, err_len, RC_ERR_NOMEM, "word2vec: cannot start %d threads", T);
    stats->words_seen = atomic_load(&run.seen);
    double loss = 0;
    int64_t ex = 0;
    for (int t = 0; ws && t < T; t++) {
        if (st == RC_OK && ws[t].st != RC_OK) {
            st = ws[t].st;
            rc_errf(err, err_len, st, "%s", ws[t].err);
        }
        stats->words_kept += ws[t].kept;
        stats->examples += ws[t].examples;
        loss += ws[t].epoch_loss;
        ex += ws[t].epoch_examples;
    }
    stats->loss = ex ? loss / (double)ex : 0.0;
    for (int t = 0; ws && t < T; t++)
        worker_free(&ws[t]);
    free(ws);
    pthread_mutex_destroy(&run.report_lock);
    if (st == RC_ERR_NOMEM && err && !*err)
        rc_errf(err, err_len, st, "word2vec: out of memory");
    return st;
}
