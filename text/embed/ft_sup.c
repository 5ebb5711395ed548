// fastText-style supervised classification: the mean of a line's feature rows (words, n-gram
// buckets, hashed word n-grams) scored against the labels' output rows by a linear layer with
// softmax cross-entropy, hierarchical softmax or negative sampling, trained by SGD with
// fastText's linearly decaying learning rate. Each step is a graph of public ops; rows move
// through a per-worker working set as in word2vec (w2v_train.c).
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ft_impl.h"

rc_ft_opts rc_ft_defaults(void) {
    return (rc_ft_opts){.dim = 100,
                        .lr = 0.1f,
                        .epochs = 5,
                        .word_ngrams = 1,
                        .bucket = 2000000,
                        .min_count = 1,
                        .loss = RC_FT_SOFTMAX,
                        .negative = 5,
                        .threads = 1,
                        .seed = 1,
                        .batch = 1,
                        .label_prefix = "__label__"};
}

static rc_status check_opts(const rc_ft_opts *o, char *err, size_t len) {
    const char *bad = NULL;
    if (o->dim < 1 || o->dim > 65536)
        bad = "dim must be in 1..65536";
    else if (!(o->lr > 0) || !isfinite(o->lr))
        bad = "lr must be > 0";
    else if (o->epochs < 1)
        bad = "epochs must be >= 1";
    else if (o->word_ngrams < 1 || o->word_ngrams > 10)
        bad = "word_ngrams must be in 1..10";
    else if (o->maxn != 0 && (o->minn < 1 || o->maxn < o->minn || o->maxn > 100))
        bad = "subwords need 1 <= minn <= maxn <= 100 (maxn 0: none)";
    else if ((o->maxn || o->word_ngrams > 1) && (o->bucket < 1 || o->bucket > 100000000))
        bad = "bucket must be in 1..100000000";
    else if (o->loss != RC_FT_SOFTMAX && o->loss != RC_FT_HS && o->loss != RC_FT_NS)
        bad = "loss must be RC_FT_SOFTMAX, RC_FT_HS or RC_FT_NS";
    else if (o->loss == RC_FT_NS && (o->negative < 1 || o->negative > 1000))
        bad = "negative must be in 1..1000";
    else if (o->threads < 1 || o->threads > 256)
        bad = "threads must be in 1..256";
    else if (o->batch < 1 || o->batch > 65536)
        bad = "batch must be in 1..65536";
    return bad ? rc_errf(err, len, RC_ERR_ARG, "fasttext: %s", bad) : RC_OK;
}

void rc_ft_free(rc_ft **m) {
    if (!m || !*m)
        return;
    rc_ft *f = *m;
    free(f->prefix);
    rc_vocab_free(&f->words);
    rc_vocab_free(&f->labels);
    free(f->label_counts);
    rc_params_free(&f->ps);
    rc_huffman_free(&f->tree);
    rc_unigram_table_free(&f->neg);
    free(f);
    *m = NULL;
}

// ---- the data set ------------------------------------------------------------------------------

typedef struct ft_set {
    ft_ints feats, labels;
    int64_t *fstart, *lstart; // [n+1]
    int64_t *tokens;          // [n] tokens of each line (the lr schedule counts them)
    int64_t n, cap, total_tokens;
} ft_set;

static void set_free(ft_set *s) {
    free(s->feats.v), free(s->labels.v), free(s->fstart), free(s->lstart), free(s->tokens);
    memset(s, 0, sizeof *s);
}

static bool set_push(ft_set *s, int64_t ntok) {
    if (s->n + 1 >= s->cap) {
        int64_t c = s->cap ? s->cap * 2 : 1024;
        int64_t *a = realloc(s->fstart, (size_t)c * sizeof *a);
        if (a)
            s->fstart = a;
        int64_t *b = a ? realloc(s->lstart, (size_t)c * sizeof *b) : NULL;
        if (b)
            s->lstart = b;
        int64_t *t = b ? realloc(s->tokens, (size_t)c * sizeof *t) : NULL;
        if (!t)
            return false;
        s->tokens = t;
        s->cap = c;
    }
    s->tokens[s->n] = ntok;
    s->total_tokens += ntok;
    s->n++;
    s->fstart[s->n] = s->feats.n;
    s->lstart[s->n] = s->labels.n;
    return true;
}

// One pass over the file: counting (vocabularies not finalized) or building the set.
static rc_status read_pass(rc_ft *m, const char *path, ft_set *set, rc_ft_stats *stats, char *err,
                           size_t err_len) {
    rc_line_reader *r;
    rc_status st = rc_line_reader_open(&r, path, &rc_embed_text_lines, err, err_len);
    if (st != RC_OK)
        return st;
    rc_tokens t = {0};
    ft_ints hashes = {0};
    const char *line;
    size_t len;
    char why[160] = "";
    while ((st = rc_line_reader_next(r, &line, &len, err, err_len)) == RC_OK && line) {
        int64_t ntok, f0 = set ? set->feats.n : 0, l0 = set ? set->labels.n : 0;
        st = rc_ft_line(m, line, len, false, &t, set ? &set->feats : NULL,
                        set ? &set->labels : NULL, &hashes, &ntok, why, sizeof why);
        if (st != RC_OK) {
            rc_errf(err, err_len, st, "%s:%lld: %s", path, (long long)rc_line_reader_lineno(r),
                    why[0] ? why : rc_status_str(st));
            break;
        }
        if (!set)
            continue;
        if (set->labels.n == l0 || set->feats.n == f0) { // documented skips
            stats->skipped_no_label += set->labels.n == l0;
            stats->skipped_empty += set->labels.n != l0;
            set->feats.n = f0, set->labels.n = l0;
            continue;
        }
        if (!set_push(set, ntok)) {
            st = rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", path);
            break;
        }
    }
    rc_tokens_free(&t);
    free(hashes.v);
    rc_line_reader_close(&r);
    return st;
}

// ---- model -------------------------------------------------------------------------------------

static rc_status build_model(rc_ft *m, const char *path, char *err, size_t err_len) {
    const rc_vocab_opts wo = {.min_count = m->o.min_count};
    const rc_vocab_opts lo = {0};
    if (rc_vocab_finalize(m->words, &wo) != RC_OK || rc_vocab_finalize(m->labels, &lo) != RC_OK)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", path);
    m->V = rc_vocab_size(m->words);
    m->C = rc_vocab_size(m->labels);
    if (m->C < 1 || m->V < 1)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: %s", path,
                       m->C < 1 ? "no label found (labels start with the label prefix)"
                                : "no word reaches min_count");
    if (m->o.loss != RC_FT_SOFTMAX && m->C < 2)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: hierarchical softmax and negative sampling need 2 labels", path);
    m->label_counts = malloc((size_t)m->C * sizeof *m->label_counts);
    if (!m->label_counts)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory for %d label counts", path,
                       m->C);
    for (int32_t c = 0; c < m->C; c++)
        m->label_counts[c] = rc_vocab_count(m->labels, c);
    m->buckets = m->o.maxn > 0 || m->o.word_ngrams > 1;
    const int64_t rows_in = (int64_t)m->V + (m->buckets ? m->o.bucket : 0);
    const int64_t rows_out = m->o.loss == RC_FT_HS ? m->C - 1 : m->C;
    rc_status st = rc_params_new(&m->ps);
    if (st == RC_OK)
        st = rc_params_add(m->ps, "input", RC_SHAPE(rows_in, m->o.dim), &m->in);
    if (st == RC_OK)
        st = rc_params_add(m->ps, "output", RC_SHAPE(rows_out, m->o.dim), &m->out);
    if (st == RC_OK && m->o.loss == RC_FT_HS)
        st = rc_huffman_new(&m->tree, m->label_counts, m->C);
    if (st == RC_OK && m->o.loss == RC_FT_NS)
        st = rc_unigram_table_new(&m->neg, m->label_counts, m->C, 0.5);
    if (st != RC_OK)
        return rc_errf(err, err_len, st, "%s: out of memory for the tables", path);
    // fastText: input U(-1/dim, 1/dim), output zero.
    rc_rng r;
    rc_rng_seed(&r, m->o.seed ^ 0x9e3779b97f4a7c15ull);
    rc_embed_fill_uniform(rc_param_value(m->in).data, rows_in * m->o.dim, 1.0f / (float)m->o.dim,
                          &r);
    return RC_OK;
}

// ---- training ----------------------------------------------------------------------------------

typedef struct ft_run {
    rc_ft *m;
    const ft_set *set;
    int64_t total; // tokens over all epochs
    atomic_llong seen;
} ft_run;

typedef struct ft_worker {
    ft_run *run;
    int index;
    rc_rng rng;
    rc_graph *g;
    rc_params *ps;
    rc_rowset in, out; // "bag rows", "output rows" (softmax: every label's row, in label order)
    int32_t *ids, *targets, *out_ids;
    int64_t *offsets; // [batch + 1] where each example's rows start in ids
    float *inv_n, *sign;
    int32_t B, L;
    double loss;
    int64_t examples;
    rc_status st;
    char err[256];
} ft_worker;

static int32_t ft_out_len(const rc_ft *m) {
    return m->o.loss == RC_FT_HS   ? m->tree->max_len
           : m->o.loss == RC_FT_NS ? 1 + m->o.negative
                                   : m->C;
}

static void ftw_free(ft_worker *w) {
    rc_graph_free(&w->g);
    rc_params_free(&w->ps);
    rc_rowset_free(&w->in);
    rc_rowset_free(&w->out);
    free(w->ids), free(w->offsets), free(w->targets), free(w->out_ids), free(w->inv_n),
        free(w->sign);
}

static rc_status ftw_init(ft_worker *w, ft_run *run, int index, rc_rng *master, int32_t max_r) {
    const rc_ft *m = run->m;
    memset(w, 0, sizeof *w);
    w->run = run;
    w->index = index;
    w->rng = rc_rng_split(master);
    const int32_t B = m->o.batch, L = ft_out_len(m);
    w->ids = malloc((size_t)B * max_r * sizeof(int32_t));
    w->targets = malloc((size_t)B * sizeof(int32_t));
    w->offsets = malloc(((size_t)B + 1) * sizeof(int64_t));
    w->out_ids = malloc((size_t)B * L * sizeof(int32_t));
    w->inv_n = malloc((size_t)B * sizeof(float));
    w->sign = malloc((size_t)B * L * sizeof(float));
    if (!w->ids || !w->targets || !w->offsets || !w->out_ids || !w->inv_n || !w->sign)
        return RC_ERR_NOMEM;
    rc_status st = rc_graph_new(&w->g);
    if (st == RC_OK)
        st = rc_params_new(&w->ps);
    if (st == RC_OK)
        st = rc_rowset_init(&w->in, w->ps, "bag rows", m->in, (int64_t)B * max_r + 1);
    if (st == RC_OK) // softmax: every label's row, in label order, no padding row
        st = rc_rowset_init(&w->out, w->ps, "output rows", m->out,
                            m->o.loss == RC_FT_SOFTMAX ? m->C : (int64_t)B * L + 1);
    return st;
}

// Example b of the batch: its bag of input rows and its target (one of its labels at random,
// as fastText picks one per example).
static void add_example(ft_worker *w, int32_t b, int64_t e) {
    const rc_ft *m = w->run->m;
    const ft_set *s = w->run->set;
    const int64_t f0 = s->fstart[e], nf = s->fstart[e + 1] - f0;
    const int64_t l0 = s->lstart[e], nl = s->lstart[e + 1] - l0;
    int32_t *dst = w->ids + w->offsets[b];
    for (int64_t k = 0; k < nf; k++)
        dst[k] = rc_rowset_use(&w->in, s->feats.v[f0 + k]);
    w->offsets[b + 1] = w->offsets[b] + nf;
    w->inv_n[b] = 1.0f / (float)nf;
    const int32_t target = s->labels.v[l0 + (nl > 1 ? rc_rng_below(&w->rng, (uint32_t)nl) : 0)];
    w->targets[b] = target;
    const int32_t L = w->L;
    int32_t *ids = w->out_ids + (int64_t)b * L;
    float *sg = w->sign + (int64_t)b * L;
    if (m->o.loss == RC_FT_NS) {
        ids[0] = rc_rowset_use(&w->out, target), sg[0] = 1.0f;
        for (int32_t k = 1; k < L; k++) {
            int32_t neg;
            do
                neg = rc_unigram_table_sample(m->neg, &w->rng);
            while (neg == target);
            ids[k] = rc_rowset_use(&w->out, neg), sg[k] = -1.0f;
        }
    } else if (m->o.loss == RC_FT_HS) {
        const int64_t st = m->tree->start[target], len = m->tree->start[target + 1] - st;
        for (int64_t d = 0; d < L; d++) {
            ids[d] = d < len ? rc_rowset_use(&w->out, m->tree->point[st + d]) : 0;
            sg[d] = d < len ? (m->tree->code[st + d] ? -1.0f : 1.0f) : 0.0f;
        }
    }
}

static rc_status ft_step(ft_worker *w, double *loss) {
    const rc_ft *m = w->run->m;
    rc_graph *g = w->g;
    rc_graph_reset(g);
    rc_var sum = rc_embedding_bag(rc_use(g, w->in.p), w->ids, w->offsets, w->B);
    rc_var h = rc_mul(sum, rc_input(g, RC_SHAPE(w->B, 1), w->inv_n));
    rc_var l;
    if (m->o.loss == RC_FT_SOFTMAX) {
        rc_var logits = rc_matmul_nt(h, rc_use(g, w->out.p));
        l = rc_cross_entropy(logits, w->targets, RC_REDUCE_SUM, -100);
    } else {
        rc_var score = rc_embedding_rowdot(rc_use(g, w->out.p), w->out_ids, w->B, w->L, h);
        rc_var sign = rc_input(g, RC_SHAPE(w->B, w->L), w->sign);
        l = rc_neg(rc_sum_all(rc_log_sigmoid(rc_mul(score, sign))));
    }
    rc_status st = rc_backward(l);
    *loss = rc_item(l);
    if (st == RC_OK && m->o.loss == RC_FT_HS) // padding scored log(2) each
        for (int64_t i = 0; i < (int64_t)w->B * w->L; i++)
            *loss -= w->sign[i] == 0.0f ? log(2.0) : 0.0;
    return st;
}

// Trains on examples [e0, e1) of the set as one batch.
static rc_status ft_batch(ft_worker *w, int64_t e0, int64_t e1) {
    const rc_ft *m = w->run->m;
    const ft_set *s = w->run->set;
    w->B = (int32_t)(e1 - e0);
    w->L = ft_out_len(m);
    w->offsets[0] = 0;
    if (m->o.loss == RC_FT_SOFTMAX) // the output working set is every label, in label order
        memcpy(w->out.data, w->out.table, (size_t)m->C * (size_t)m->o.dim * sizeof(float));
    for (int64_t e = e0; e < e1; e++)
        add_example(w, (int32_t)(e - e0), e);
    double loss = 0;
    rc_status st = ft_step(w, &loss);
    if (st == RC_OK && !isfinite(loss))
        st = RC_ERR_NONFINITE;
    if (st != RC_OK) {
        rc_errf(w->err, sizeof w->err, st, "fasttext: %s",
                st == RC_ERR_NONFINITE ? "the loss is not finite; lower lr"
                                       : rc_graph_errmsg(w->g));
        return st;
    }
    int64_t tok = 0;
    for (int64_t e = e0; e < e1; e++)
        tok += s->tokens[e];
    const double done = (double)atomic_fetch_add(&w->run->seen, tok) / (double)w->run->total;
    const float lr = rc_linear_lr(m->o.lr, done);
    rc_rowset_apply(&w->in, 1, lr);
    if (m->o.loss == RC_FT_SOFTMAX) { // every label's row, from row 0
        for (int32_t c = 0; c < m->C; c++)
            w->out.rows[c] = c;
        w->out.n = m->C;
        rc_rowset_apply(&w->out, 0, lr);
    } else {
        rc_rowset_apply(&w->out, 1, lr);
    }
    w->loss += loss;
    w->examples += w->B;
    return RC_OK;
}

static void *ft_worker_main(void *arg) {
    ft_worker *w = arg;
    const rc_ft *m = w->run->m;
    const int64_t n = w->run->set->n, T = m->o.threads;
    const int64_t e0 = n * w->index / T, e1 = n * (w->index + 1) / T;
    for (int32_t ep = 0; ep < m->o.epochs && w->st == RC_OK; ep++) {
        w->loss = 0;
        w->examples = 0;
        for (int64_t e = e0; e < e1 && w->st == RC_OK; e += m->o.batch)
            w->st = ft_batch(w, e, e + m->o.batch < e1 ? e + m->o.batch : e1);
    }
    return NULL;
}

static rc_status ft_run_workers(rc_ft *m, const ft_set *set, rc_ft_stats *stats, char *err,
                                size_t err_len) {
    const int T = m->o.threads;
    ft_run run = {.m = m, .set = set, .total = set->total_tokens * m->o.epochs};
    atomic_init(&run.seen, 0);
    int32_t max_r = 1;
    for (int64_t e = 0; e < set->n; e++)
        if (set->fstart[e + 1] - set->fstart[e] > max_r)
            max_r = (int32_t)(set->fstart[e + 1] - set->fstart[e]);
    ft_worker *ws = calloc((size_t)T, sizeof *ws);
    rc_status st =
        ws ? RC_OK
           : rc_errf(err, err_len, RC_ERR_NOMEM, "fasttext: out of memory for %d workers", T);
    rc_rng master;
    rc_rng_seed(&master, m->o.seed);
    for (int t = 0; t < T && st == RC_OK; t++)
        if ((st = ftw_init(&ws[t], &run, t, &master, max_r)) != RC_OK)
            rc_errf(err, err_len, st, "fasttext: cannot set up worker %d: %s", t,
                    rc_status_str(st));
    if (st == RC_OK && !rc_embed_run_workers(ft_worker_main, ws, sizeof *ws, T, &stats->seconds,
                                             &stats->cpu_seconds))
        st = rc_errf(err, err_len, RC_ERR_NOMEM, "fasttext: cannot start %d threads", T);
    double loss = 0;
    int64_t ex = 0;
    for (int t = 0; ws && t < T; t++) {
        if (st == RC_OK && ws[t].st != RC_OK) {
            st = ws[t].st;
            rc_errf(err, err_len, st, "%s", ws[t].err);
        }
        loss += ws[t].loss;
        ex += ws[t].examples;
        ftw_free(&ws[t]);
    }
    free(ws);
    stats->loss = ex ? loss / (double)ex : 0;
    if (st == RC_ERR_NOMEM && err && !*err)
        rc_errf(err, err_len, st, "fasttext: out of memory");
    return st;
}

rc_status rc_ft_train_file(rc_ft **out, const char *path, const rc_ft_opts *o, rc_ft_stats *stats,
                           char *err, size_t err_len) {
    if (out)
        *out = NULL;
    if (!out || !path)
        return rc_err_null(err, err_len, "rc_ft_train_file", out ? "path" : "m");
    rc_ft_opts def = rc_ft_defaults();
    if (!o)
        o = &def;
    rc_status st = check_opts(o, err, err_len);
    if (st != RC_OK)
        return st;
    rc_ft *m = calloc(1, sizeof *m);
    rc_ft_stats s = {0};
    ft_set set = {0};
    if (!m)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "fasttext: out of memory");
    m->o = *o;
    const char *pfx = o->label_prefix ? o->label_prefix : "";
    m->prefix = malloc(strlen(pfx) + 1);
    if (!m->prefix || rc_vocab_new(&m->words) != RC_OK || rc_vocab_new(&m->labels) != RC_OK)
        st = rc_errf(err, err_len, RC_ERR_NOMEM, "fasttext: out of memory");
    if (st == RC_OK) {
        strcpy(m->prefix, pfx);
        m->o.label_prefix = m->prefix;
        st = read_pass(m, path, NULL, &s, err, err_len);
    }
    if (st == RC_OK)
        st = build_model(m, path, err, err_len);
    if (st == RC_OK) {
        set.fstart = calloc(1, sizeof *set.fstart);
        set.lstart = calloc(1, sizeof *set.lstart);
        set.cap = 1;
        st = set.fstart && set.lstart
                 ? read_pass(m, path, &set, &s, err, err_len)
                 : rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory for the examples", path);
    }
    if (st == RC_OK && set.n == 0)
        st = rc_errf(err, err_len, RC_ERR_ARG, "%s: no line has both a label and a word", path);
    s.lines = set.n;
    s.tokens = set.total_tokens;
    if (st == RC_OK)
        st = ft_run_workers(m, &set, &s, err, err_len);
    set_free(&set);
    if (stats)
        *stats = s;
    if (st != RC_OK) {
        rc_ft_free(&m);
        return st;
    }
    *out = m;
    return RC_OK;
}
