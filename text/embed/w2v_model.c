// word2vec / fastText models: settings, reading the corpus into word ids, the tables and their
// initialisation, subword lists, and reading vectors out.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "w2v_impl.h"

rc_w2v_opts rc_w2v_defaults(void) {
    return (rc_w2v_opts){.arch = RC_W2V_SKIPGRAM,
                         .loss = RC_W2V_NEG,
                         .dim = 100,
                         .window = 5,
                         .negative = 5,
                         .ns_power = 0.75,
                         .sample = 1e-3,
                         .lr = 0.025f,
                         .epochs = 5,
                         .min_count = 5,
                         .minn = 0,
                         .maxn = 0,
                         .bucket = 2000000,
                         .threads = 1,
                         .seed = 1,
                         .max_sentence = 10000};
}

static rc_status check_opts(const rc_w2v_opts *o, char *err, size_t len) {
    const char *bad = NULL;
    if (o->arch != RC_W2V_SKIPGRAM && o->arch != RC_W2V_CBOW)
        bad = "arch must be RC_W2V_SKIPGRAM or RC_W2V_CBOW";
    else if (o->loss != RC_W2V_NEG && o->loss != RC_W2V_HS)
        bad = "loss must be RC_W2V_NEG or RC_W2V_HS";
    else if (o->dim < 1 || o->dim > 65536)
        bad = "dim must be in 1..65536";
    else if (o->window < 1 || o->window > 1000)
        bad = "window must be in 1..1000";
    else if (o->loss == RC_W2V_NEG && (o->negative < 1 || o->negative > 1000))
        bad = "negative must be in 1..1000 with negative sampling";
    else if (!isfinite(o->ns_power))
        bad = "ns_power must be finite";
    else if (!(o->sample >= 0) || !isfinite(o->sample))
        bad = "sample must be >= 0";
    else if (!(o->lr > 0) || !isfinite(o->lr))
        bad = "lr must be > 0";
    else if (o->epochs < 1)
        bad = "epochs must be >= 1";
    else if (o->max_vocab < 0)
        bad = "max_vocab must be >= 0";
    else if (o->maxn != 0 && (o->minn < 1 || o->maxn < o->minn || o->maxn > 100))
        bad = "subwords need 1 <= minn <= maxn <= 100 (maxn 0: none)";
    else if (o->maxn != 0 && (o->bucket < 1 || o->bucket > 100000000))
        bad = "bucket must be in 1..100000000 with subwords";
    else if (o->threads < 1 || o->threads > 256)
        bad = "threads must be in 1..256";
    else if (o->batch < 0)
        bad = "batch must be >= 0 (0: automatic)";
    else if (o->max_sentence < 1)
        bad = "max_sentence must be >= 1";
    return bad ? rc_errf(err, len, RC_ERR_ARG, "word2vec: %s", bad) : RC_OK;
}

void rc_w2v_free(rc_w2v **m) {
    if (!m || !*m)
        return;
    rc_w2v *w = *m;
    rc_vocab_free(&w->vocab);
    rc_params_free(&w->ps);
    free(w->counts);
    free(w->sub_start);
    free(w->sub_rows);
    free(w->keep);
    rc_unigram_table_free(&w->neg);
    rc_huffman_free(&w->tree);
    free(w);
    *m = NULL;
}

// ---- corpus --------------------------------------------------------------------------------

// The words of a corpus line (rc_vocab_count_lines' tokenizer).
static rc_status corpus_words(const void *ctx, const char *line, size_t len, rc_tokens *t,
                              char *why, size_t why_len) {
    (void)ctx;
    return rc_embed_words(line, len, t, why, why_len);
}

// Appends v to a[0..*n) (room for *cap entries).
static bool push_i32(int32_t **a, int64_t *n, size_t *cap, int32_t v) {
    if ((size_t)*n == *cap && !rc_grow((void **)a, cap, (size_t)*n + 1, sizeof **a))
        return false;
    (*a)[(*n)++] = v;
    return true;
}

static bool push_i64(int64_t **a, int64_t *n, size_t *cap, int64_t v) {
    if ((size_t)*n == *cap && !rc_grow((void **)a, cap, (size_t)*n + 1, sizeof **a))
        return false;
    (*a)[(*n)++] = v;
    return true;
}

static void corpus_free(w2v_corpus *c) {
    free(c->tok);
    free(c->sent);
    memset(c, 0, sizeof *c);
}

// Second pass over the file: the ids of the vocabulary words, cut into sentences.
static rc_status read_ids(const rc_vocab *v, const char *path, int64_t max_sentence, w2v_corpus *c,
                          char *err, size_t err_len) {
    memset(c, 0, sizeof *c);
    rc_line_reader *r;
    rc_status st = rc_line_reader_open(&r, path, &rc_embed_text_lines, err, err_len);
    if (st != RC_OK)
        return st;
    rc_tokens t = {0};
    size_t tok_cap = 0, sent_cap = 0;
    int64_t n_sent1 = 0;
    const char *line;
    size_t len;
    char why[160];
    bool ok = push_i64(&c->sent, &n_sent1, &sent_cap, 0);
    while (ok && (st = rc_line_reader_next(r, &line, &len, err, err_len)) == RC_OK && line) {
        if ((st = rc_embed_words(line, len, &t, why, sizeof why)) != RC_OK) {
            rc_errf(err, err_len, st, "%s:%lld: %s", path, (long long)rc_line_reader_lineno(r),
                    why);
            break;
        }
        int64_t start = c->n_tok;
        for (size_t i = 0; ok && i < t.n; i++) {
            size_t tl;
            const char *tok = rc_token(&t, i, &tl);
            int32_t id = rc_vocab_find(v, tok, tl);
            if (id < 0)
                continue;
            ok = push_i32(&c->tok, &c->n_tok, &tok_cap, id);
            if (ok && c->n_tok - start == max_sentence) {
                ok = push_i64(&c->sent, &n_sent1, &sent_cap, c->n_tok);
                start = c->n_tok;
            }
        }
        if (ok && c->n_tok > start)
            ok = push_i64(&c->sent, &n_sent1, &sent_cap, c->n_tok);
    }
    rc_tokens_free(&t);
    rc_line_reader_close(&r);
    c->n_sent = n_sent1 - 1;
    if (!ok)
        st = rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory for the corpus", path);
    if (st != RC_OK)
        corpus_free(c);
    return st;
}

// ---- model ---------------------------------------------------------------------------------

static rc_status build_vocab(rc_w2v *m, const char *path, char *err, size_t err_len) {
    rc_status st = rc_vocab_new(&m->vocab);
    if (st != RC_OK)
        return rc_errf(err, err_len, st, "%s: out of memory", path);
    st = rc_vocab_count_lines(m->vocab, path, corpus_words, NULL, &rc_embed_text_lines, false,
                              false, err, err_len);
    if (st != RC_OK)
        return st;
    const rc_vocab_opts vo = {.min_count = m->o.min_count, .max_size = m->o.max_vocab};
    if ((st = rc_vocab_finalize(m->vocab, &vo)) != RC_OK)
        return rc_errf(err, err_len, st, "%s: cannot build the vocabulary", path);
    m->V = rc_vocab_size(m->vocab);
    if (m->V < 2)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: empty vocabulary: %d word(s) reach min_count %lld, training "
                       "needs at least 2",
                       path, m->V, (long long)m->o.min_count);
    m->counts = malloc((size_t)m->V * sizeof *m->counts);
    if (!m->counts)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", path);
    for (int32_t w = 0; w < m->V; w++)
        m->total += m->counts[w] = rc_vocab_count(m->vocab, w);
    return RC_OK;
}

// The input rows of every word: itself, then its n-grams' buckets.
static rc_status build_subwords(rc_w2v *m) {
    const int32_t V = m->V;
    const bool sub = m->o.maxn > 0;
    m->sub_start = malloc(((size_t)V + 1) * sizeof *m->sub_start);
    if (!m->sub_start)
        return RC_ERR_NOMEM;
    m->sub_start[0] = 0;
    for (int32_t w = 0; w < V; w++) {
        size_t len;
        const char *s = rc_vocab_token(m->vocab, w, &len);
        int64_t n = sub ? rc_fasttext_ngrams(s, len, m->o.minn, m->o.maxn, NULL, NULL) : 0;
        m->sub_start[w + 1] = m->sub_start[w] + 1 + n;
        if (1 + n > m->max_rows)
            m->max_rows = (int32_t)(1 + n);
    }
    m->sub_rows = malloc((size_t)m->sub_start[V] * sizeof *m->sub_rows);
    if (!m->sub_rows)
        return RC_ERR_NOMEM;
    for (int32_t w = 0; w < V; w++) {
        int32_t *rows = m->sub_rows + m->sub_start[w];
        rows[0] = w;
        int64_t n = m->sub_start[w + 1] - m->sub_start[w] - 1;
        if (!n)
            continue;
        size_t len;
        const char *s = rc_vocab_token(m->vocab, w, &len);
        rc_fasttext_subwords(s, len, m->o.minn, m->o.maxn, m->o.bucket, rows + 1, n);
        for (int64_t k = 1; k <= n; k++)
            rows[k] += V;
    }
    return RC_OK;
}

static rc_status build_tables(rc_w2v *m) {
    const int32_t D = m->o.dim, V = m->V;
    const int64_t rows_in = (int64_t)V + (m->o.maxn > 0 ? m->o.bucket : 0);
    const int64_t rows_out = m->o.loss == RC_W2V_HS ? V - 1 : V;
    rc_status st = rc_params_new(&m->ps);
    if (st == RC_OK)
        st = rc_params_add(m->ps, "input", RC_SHAPE(rows_in, D), &m->in);
    if (st == RC_OK)
        st = rc_params_add(m->ps, "output", RC_SHAPE(rows_out, D), &m->out);
    if (st != RC_OK)
        return st;
    // Input rows U(-1/dim, 1/dim), as gensim 4 and fastText start them (word2vec.c used half
    // that range); output rows 0.
    const float range = 1.0f / (float)D;
    rc_rng r;
    rc_rng_seed(&r, m->o.seed ^ 0x9e3779b97f4a7c15ull);
    rc_embed_fill_uniform(rc_param_value(m->in).data, rows_in * D, range, &r);
    if (m->o.loss == RC_W2V_HS)
        st = rc_huffman_new(&m->tree, m->counts, V);
    else
        st = rc_unigram_table_new(&m->neg, m->counts, V, m->o.ns_power);
    if (st != RC_OK)
        return st;
    m->keep = malloc((size_t)V * sizeof *m->keep);
    if (!m->keep)
        return RC_ERR_NOMEM;
    for (int32_t i = 0; i < V; i++) {
        double p = rc_subsample_keep_prob(m->counts[i], m->total, m->o.sample);
        m->keep[i] = p >= 1.0 ? UINT32_MAX : (uint32_t)(p * 4294967296.0);
    }
    return build_subwords(m);
}

rc_status rc_w2v_train_file(rc_w2v **out, const char *path, const rc_w2v_opts *o,
                            rc_w2v_stats *stats, char *err, size_t err_len) {
    if (out)
        *out = NULL;
    if (!out || !path)
        return rc_err_null(err, err_len, "rc_w2v_train_file", out ? "path" : "m");
    rc_w2v_opts def = rc_w2v_defaults();
    if (!o)
        o = &def;
    rc_status st = check_opts(o, err, err_len);
    if (st != RC_OK)
        return st;
    rc_w2v *m = calloc(1, sizeof *m);
    if (!m)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "word2vec: out of memory");
    m->o = *o;
    rc_w2v_stats s = {0};
    double t0 = rc_embed_wall_seconds();
    w2v_corpus c = {0};
    st = build_vocab(m, path, err, err_len);
    if (st == RC_OK && (st = build_tables(m)) != RC_OK)
        rc_errf(err, err_len, st, "%s: out of memory for the tables", path);
    if (st == RC_OK)
        st = read_ids(m->vocab, path, o->max_sentence, &c, err, err_len);
    s.read_seconds = rc_embed_wall_seconds() - t0;
    s.words = c.n_tok;
    if (st == RC_OK)
        st = rc_w2v_run(m, &c, &s, err, err_len);
    corpus_free(&c);
    if (stats)
        *stats = s;
    if (st != RC_OK) {
        rc_w2v_free(&m);
        return st;
    }
    *out = m;
    return RC_OK;
}

// ---- reading vectors out ---------------------------------------------------------------------

const rc_vocab *rc_w2v_vocab(const rc_w2v *m) {
    return m ? m->vocab : NULL;
}

rc_params *rc_w2v_params(const rc_w2v *m) {
    return m ? m->ps : NULL;
}

const rc_w2v_opts *rc_w2v_options(const rc_w2v *m) {
    return m ? &m->o : NULL;
}

// out = mean of the input rows rows[0..n).
static void mean_rows(const rc_w2v *m, const int32_t *rows, int64_t n, float *out) {
    const int32_t D = m->o.dim;
    const float *w = rc_param_value(m->in).data;
    memset(out, 0, (size_t)D * sizeof *out);
    for (int64_t k = 0; k < n; k++)
        for (int32_t d = 0; d < D; d++)
            out[d] += w[(int64_t)rows[k] * D + d];
    for (int32_t d = 0; d < D; d++)
        out[d] /= (float)n;
}

rc_status rc_w2v_word_vector(const rc_w2v *m, const char *word, size_t len, float *out) {
    if (!m || !word || !out)
        return rc_err_null(NULL, 0, "rc_w2v_word_vector", !m ? "m" : !word ? "word" : "out");
    const int wn = (int)(len > 40 ? 40 : len); // of the word in a message
    int32_t id = rc_vocab_find(m->vocab, word, len);
    if (id >= 0) {
        mean_rows(m, m->sub_rows + m->sub_start[id], m->sub_start[id + 1] - m->sub_start[id], out);
        return RC_OK;
    }
    if (m->o.maxn <= 0)
        return rc_errf(NULL, 0, RC_ERR_NOTFOUND,
                       "rc_w2v_word_vector: word '%.*s' is not in the vocabulary (no subwords)", wn,
                       word);
    int64_t n = rc_fasttext_ngrams(word, len, m->o.minn, m->o.maxn, NULL, NULL);
    if (n == 0)
        return rc_errf(NULL, 0, RC_ERR_NOTFOUND,
                       "rc_w2v_word_vector: word '%.*s' is not in the vocabulary and has no "
                       "n-grams of %d to %d characters",
                       wn, word, m->o.minn, m->o.maxn);
    int32_t *rows = malloc((size_t)n * sizeof *rows);
    if (!rows)
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_w2v_word_vector: out of memory for %lld rows",
                       (long long)n);
    rc_fasttext_subwords(word, len, m->o.minn, m->o.maxn, m->o.bucket, rows, n);
    for (int64_t k = 0; k < n; k++)
        rows[k] += m->V;
    mean_rows(m, rows, n, out);
    free(rows);
    return RC_OK;
}

rc_status rc_w2v_to_wordvecs(const rc_w2v *m, rc_wordvecs **wv) {
    if (!m || !wv)
        return rc_err_null(NULL, 0, "rc_w2v_to_wordvecs", m ? "wv" : "m");
    rc_status st = rc_wordvecs_new(wv, m->V, m->o.dim); // says why it failed
    float *vec = st == RC_OK ? malloc((size_t)m->o.dim * sizeof *vec) : NULL;
    if (st == RC_OK && !vec)
        st = rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_w2v_to_wordvecs: out of memory for a vector of %d",
                     m->o.dim);
    for (int32_t w = 0; st == RC_OK && w < m->V; w++) {
        size_t len;
        const char *s = rc_vocab_token(m->vocab, w, &len);
        mean_rows(m, m->sub_rows + m->sub_start[w], m->sub_start[w + 1] - m->sub_start[w], vec);
        st = rc_wordvecs_add(*wv, s, len, vec);
    }
    free(vec);
    if (st != RC_OK)
        rc_wordvecs_free(wv);
    return st;
}
