// Word-vector evaluations: nearest neighbours, 3CosAdd analogies (as gensim's
// evaluate_word_analogies), word similarity (Spearman and Pearson), rank correlation.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embed_impl.h"

rc_eval_opts rc_eval_defaults(void) {
    return (rc_eval_opts){.restrict_vocab = 300000, .case_insensitive = true};
}

static double row_norm(const float *v, int32_t D) {
    double s = 0;
    for (int32_t d = 0; d < D; d++)
        s += (double)v[d] * v[d];
    return sqrt(s);
}

static bool excluded(int64_t i, const int64_t *ex, int64_t n) {
    for (int64_t k = 0; k < n; k++)
        if (ex[k] == i)
            return true;
    return false;
}

int64_t rc_wordvecs_nearest(const rc_wordvecs *wv, const float *q, int64_t k,
                            const int64_t *exclude, int64_t n_exclude, int64_t *ids, float *sims) {
    if (!wv || !q || k <= 0)
        return 0;
    const int32_t D = rc_wordvecs_dim(wv);
    const double qn = row_norm(q, D);
    if (!(qn > 0))
        return 0;
    int64_t got = 0;
    int64_t *best = malloc((size_t)k * sizeof *best);
    double *bs = malloc((size_t)k * sizeof *bs);
    if (!best || !bs) {
        free(best), free(bs);
        return 0;
    }
    for (int64_t i = 0; i < rc_wordvecs_count(wv); i++) {
        const float *v = rc_wordvecs_vec(wv, i);
        double n = row_norm(v, D);
        if (!(n > 0) || excluded(i, exclude, n_exclude))
            continue;
        double dot = 0;
        for (int32_t d = 0; d < D; d++)
            dot += (double)q[d] * v[d];
        double c = dot / (n * qn);
        if (got == k && c <= bs[k - 1])
            continue;
        int64_t at = got < k ? got++ : k - 1; // insertion into the sorted top-k
        while (at > 0 && bs[at - 1] < c) {
            bs[at] = bs[at - 1];
            best[at] = best[at - 1];
            at--;
        }
        bs[at] = c;
        best[at] = i;
    }
    for (int64_t j = 0; j < got; j++) {
        if (ids)
            ids[j] = best[j];
        if (sims)
            sims[j] = (float)bs[j];
    }
    free(best), free(bs);
    return got;
}

// ---- correlation ------------------------------------------------------------------------------

double rc_pearson(const double *x, const double *y, int64_t n) {
    if (n < 2)
        return NAN;
    double mx = 0, my = 0;
    for (int64_t i = 0; i < n; i++)
        mx += x[i], my += y[i];
    mx /= (double)n, my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int64_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (!(sxx > 0) || !(syy > 0))
        return NAN;
    return sxy / sqrt(sxx * syy);
}

typedef struct ranked {
    double v;
    int64_t i;
} ranked;

static int by_value(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

// Ranks 1..n with ties given their average rank.
static bool average_ranks(const double *x, int64_t n, double *rank) {
    ranked *r = malloc((size_t)n * sizeof *r);
    if (!r)
        return false;
    for (int64_t i = 0; i < n; i++)
        r[i] = (ranked){x[i], i};
    qsort(r, (size_t)n, sizeof *r, by_value);
    for (int64_t a = 0; a < n;) {
        int64_t b = a;
        while (b + 1 < n && r[b + 1].v == r[a].v)
            b++;
        double avg = (double)(a + b) / 2.0 + 1.0;
        for (int64_t k = a; k <= b; k++)
            rank[r[k].i] = avg;
        a = b + 1;
    }
    free(r);
    return true;
}

double rc_spearman(const double *x, const double *y, int64_t n) {
    if (n < 2)
        return NAN;
    double *rx = malloc((size_t)n * sizeof *rx), *ry = malloc((size_t)n * sizeof *ry);
    double rho = NAN;
    if (rx && ry && average_ranks(x, n, rx) && average_ranks(y, n, ry))
        rho = rc_pearson(rx, ry, n);
    free(rx), free(ry);
    return rho;
}

// ---- the restricted, optionally case-folded vocabulary ------------------------------------------

typedef struct eval_vocab {
    const rc_wordvecs *wv;
    int64_t V; // restricted rows
    int32_t D;
    bool fold;
    rc_strtab map;  // the (folded) words of the restricted rows
    int64_t *first; // [map.n] the first row of each (folded) word
    int64_t *canon; // [V] the row its (folded) word maps to: itself, or a more frequent spelling
    rc_params *ps;  // holds the unit rows as a parameter, so scoring is one rc_matmul_nt
    float *unit;    // [V, D] unit rows (zero rows stay zero), the parameter's value
    char *tmp;
    size_t tmp_cap;
} eval_vocab;

static void eval_vocab_free(eval_vocab *ev) {
    rc_strtab_free(&ev->map);
    free(ev->first);
    free(ev->canon);
    rc_params_free(&ev->ps);
    free(ev->tmp);
}

// The folded form of a word (or the word itself) in ev->tmp; NULL when out of memory.
static const char *fold_word(eval_vocab *ev, const char *w, size_t len, size_t *out_len) {
    if (!ev->fold) {
        *out_len = len;
        return w;
    }
    if (!rc_grow((void **)&ev->tmp, &ev->tmp_cap, 2 * len + 1, 1))
        return NULL;
    *out_len = rc_embed_fold(w, len, ev->tmp);
    return ev->tmp;
}

static rc_status eval_vocab_init(eval_vocab *ev, const rc_wordvecs *wv, const rc_eval_opts *o) {
    memset(ev, 0, sizeof *ev);
    rc_eval_opts def = rc_eval_defaults();
    if (!o)
        o = &def;
    ev->wv = wv;
    ev->D = rc_wordvecs_dim(wv);
    ev->V = rc_wordvecs_count(wv);
    if (o->restrict_vocab > 0 && o->restrict_vocab < ev->V)
        ev->V = o->restrict_vocab;
    ev->fold = o->case_insensitive;
    rc_param *p;
    if (rc_params_new(&ev->ps) != RC_OK ||
        rc_params_add(ev->ps, "unit", RC_SHAPE(ev->V ? ev->V : 1, ev->D), &p) != RC_OK)
        return RC_ERR_NOMEM;
    rc_param_set_frozen(p, true);
    ev->unit = rc_param_value(p).data;
    ev->canon = malloc((size_t)(ev->V ? ev->V : 1) * sizeof *ev->canon);
    ev->first = malloc((size_t)(ev->V ? ev->V : 1) * sizeof *ev->first);
    if (!ev->canon || !ev->first)
        return RC_ERR_NOMEM;
    for (int64_t i = 0; i < ev->V; i++) {
        const float *v = rc_wordvecs_vec(wv, i);
        double n = row_norm(v, ev->D);
        for (int32_t d = 0; d < ev->D; d++)
            ev->unit[i * ev->D + d] = n > 0 ? (float)(v[d] / n) : 0.0f;
        const char *w = rc_wordvecs_word(wv, i);
        size_t fl;
        const char *f = fold_word(ev, w, strlen(w), &fl);
        bool added;
        int32_t id = f ? rc_strtab_intern(&ev->map, f, fl, rc_hash_bytes(f, fl), &added) : -1;
        if (id < 0)
            return RC_ERR_NOMEM;
        if (added)
            ev->first[id] = i;
        ev->canon[i] = ev->first[id];
    }
    return RC_OK;
}

// The row of a question word, or -1 when it is outside the restricted vocabulary.
static int64_t eval_lookup(eval_vocab *ev, const char *w, size_t len) {
    size_t fl;
    const char *f = fold_word(ev, w, len, &fl);
    int32_t id = f ? rc_strtab_find(&ev->map, f, fl, rc_hash_bytes(f, fl)) : -1;
    return id < 0 ? -1 : ev->first[id];
}

// ---- analogies ----------------------------------------------------------------------------------

#define ANALOGY_BATCH 256

typedef struct question {
    int64_t row[4]; // a b c d
    int section;
} question;

typedef struct analogy_run {
    eval_vocab ev;
    rc_graph *g;
    question batch[ANALOGY_BATCH];
    int n;
    float *target; // [ANALOGY_BATCH, D]
    rc_analogy_result *res;
} analogy_run;

// The best row for one question: highest score whose word is none of a, b, c (in any spelling).
static int64_t answer(const analogy_run *run, const question *q, const float *score) {
    int64_t best = -1;
    float bs = -INFINITY;
    for (int64_t j = 0; j < run->ev.V; j++) {
        if (!(score[j] > bs))
            continue;
        int64_t c = run->ev.canon[j];
        if (c == q->row[0] || c == q->row[1] || c == q->row[2])
            continue;
        bs = score[j];
        best = j;
    }
    return best;
}

static rc_status flush_batch(analogy_run *run) {
    if (!run->n)
        return RC_OK;
    const int32_t D = run->ev.D;
    for (int k = 0; k < run->n; k++) {
        const question *q = &run->batch[k];
        const float *a = run->ev.unit + q->row[0] * D, *b = run->ev.unit + q->row[1] * D,
                    *c = run->ev.unit + q->row[2] * D;
        for (int32_t d = 0; d < D; d++)
            run->target[k * D + d] = b[d] - a[d] + c[d];
    }
    rc_graph_reset(run->g);
    rc_var q = rc_input(run->g, RC_SHAPE(run->n, D), run->target);
    rc_var s = rc_matmul_nt(q, rc_use(run->g, rc_params_at(run->ev.ps, 0)));
    if (!rc_ok(s))
        return rc_graph_status(run->g);
    const float *score = rc_value(s).data;
    for (int k = 0; k < run->n; k++) {
        const question *qk = &run->batch[k];
        int64_t got = answer(run, qk, score + k * run->ev.V);
        bool ok = got >= 0 && run->ev.canon[got] == qk->row[3];
        rc_analogy_section *sec = &run->res->sections[qk->section];
        sec->answered++;
        sec->correct += ok;
    }
    run->n = 0;
    return RC_OK;
}

static rc_status add_section(rc_analogy_result *res, const char *name, size_t len) {
    rc_analogy_section *s = realloc(res->sections, (size_t)(res->n_sections + 1) * sizeof *s);
    if (!s)
        return RC_ERR_NOMEM;
    res->sections = s;
    rc_analogy_section *sec = &s[res->n_sections++];
    memset(sec, 0, sizeof *sec);
    if (len >= sizeof sec->name)
        len = sizeof sec->name - 1;
    memcpy(sec->name, name, len);
    sec->name[len] = '\0';
    return RC_OK;
}

// Splits a line into at most `max` whitespace-separated words; returns how many there are.
static int split_words(const char *s, const char **w, size_t *wl, int max) {
    int n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        const char *b = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        if (n < max) {
            w[n] = b;
            wl[n] = (size_t)(s - b);
        }
        n++;
    }
    return n;
}

// The message of line ln when its batch could not be scored or its section not be added.
static rc_status analogy_fail(const analogy_run *run, rc_status st, const char *path, long long ln,
                              char *err, size_t err_len) {
    if (rc_graph_status(run->g) != RC_OK)
        return rc_errf(err, err_len, st, "%s:%lld: scoring failed: %s", path, ln,
                       rc_graph_errmsg(run->g));
    return rc_errf(err, err_len, st, "%s:%lld: out of memory for the sections", path, ln);
}

static rc_status analogy_line(analogy_run *run, const char *path, long long ln, const char *s,
                              size_t len, char *err, size_t err_len) {
    rc_analogy_result *res = run->res;
    size_t bad;
    if (!rc_utf8_validate(s, len, &bad, NULL))
        return rc_errf(err, err_len, RC_ERR_FORMAT, "%s:%lld: invalid UTF-8 at byte %zu", path, ln,
                       bad + 1);
    if (s[0] == ':') {
        const char *name = s + 1;
        while (*name == ' ')
            name++;
        rc_status st = flush_batch(run);
        if (st == RC_OK)
            st = add_section(res, name, strlen(name));
        return st == RC_OK ? st : analogy_fail(run, st, path, ln, err, err_len);
    }
    const char *w[4];
    size_t wl[4];
    int n = split_words(s, w, wl, 4);
    if (n == 0)
        return RC_OK; // blank line
    if (n != 4)
        return rc_errf(err, err_len, RC_ERR_FORMAT, "%s:%lld: expected 4 words (a b c d), found %d",
                       path, ln, n);
    if (!res->n_sections && add_section(res, "(no section)", 12) != RC_OK)
        return analogy_fail(run, RC_ERR_NOMEM, path, ln, err, err_len);
    question q = {.section = res->n_sections - 1};
    bool known = true;
    for (int k = 0; k < 4; k++)
        known = (q.row[k] = eval_lookup(&run->ev, w[k], wl[k])) >= 0 && known;
    if (!known) {
        res->sections[q.section].skipped++;
        return RC_OK;
    }
    run->batch[run->n++] = q;
    rc_status st = run->n == ANALOGY_BATCH ? flush_batch(run) : RC_OK;
    return st == RC_OK ? st : analogy_fail(run, st, path, ln, err, err_len);
}

static void analogy_totals(rc_analogy_result *res) {
    memset(&res->total, 0, sizeof res->total);
    strcpy(res->total.name, "total");
    for (int i = 0; i < res->n_sections; i++) {
        res->total.correct += res->sections[i].correct;
        res->total.answered += res->sections[i].answered;
        res->total.skipped += res->sections[i].skipped;
    }
    const rc_analogy_section *t = &res->total;
    res->accuracy = t->answered ? (double)t->correct / (double)t->answered : 0.0;
    res->coverage =
        t->answered + t->skipped ? (double)t->answered / (double)(t->answered + t->skipped) : 0.0;
}

void rc_analogy_result_free(rc_analogy_result *r) {
    if (!r)
        return;
    free(r->sections);
    memset(r, 0, sizeof *r);
}

rc_status rc_eval_analogies(const rc_wordvecs *wv, const char *path, const rc_eval_opts *o,
                            rc_analogy_result *res, char *err, size_t err_len) {
    if (!wv || !path || !res)
        return rc_err_null(err, err_len, "rc_eval_analogies", !wv ? "wv" : !path ? "path" : "res");
    memset(res, 0, sizeof *res);
    rc_line_reader *in;
    rc_status st = rc_line_reader_open(&in, path, &rc_embed_table_lines, err, err_len);
    if (st != RC_OK)
        return st;
    analogy_run *run = calloc(1, sizeof *run);
    st = run ? RC_OK : rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", path);
    if (st == RC_OK) {
        run->res = res;
        st = eval_vocab_init(&run->ev, wv, o);
        run->target = malloc((size_t)ANALOGY_BATCH * (size_t)run->ev.D * sizeof(float));
        if (st == RC_OK && (!run->target || rc_graph_new(&run->g) != RC_OK))
            st = RC_ERR_NOMEM;
        if (st == RC_OK)
            rc_graph_set_grad_enabled(run->g, false);
        if (st != RC_OK)
            rc_errf(err, err_len, st, "%s: out of memory", path);
    }
    const char *line = NULL;
    size_t len;
    while (st == RC_OK && (st = rc_line_reader_next(in, &line, &len, err, err_len)) == RC_OK &&
           line)
        st = analogy_line(run, path, (long long)rc_line_reader_lineno(in), line, len, err, err_len);
    if (st == RC_OK && (st = flush_batch(run)) != RC_OK)
        rc_errf(err, err_len, st, "%s: scoring failed: %s", path, rc_graph_errmsg(run->g));
    if (run) {
        rc_graph_free(&run->g);
        free(run->target);
        eval_vocab_free(&run->ev);
        free(run);
    }
    rc_line_reader_close(&in);
    if (st != RC_OK) {
        rc_analogy_result_free(res);
        return st;
    }
    analogy_totals(res);
    return RC_OK;
}

// ---- word similarity ----------------------------------------------------------------------------

static double unit_cos(const eval_vocab *ev, int64_t a, int64_t b) {
    double s = 0;
    for (int32_t d = 0; d < ev->D; d++)
        s += (double)ev->unit[a * ev->D + d] * ev->unit[b * ev->D + d];
    return s;
}

// Parses one "w1<TAB>w2<TAB>score" line; *row1 < 0 or *row2 < 0 means an unknown word.
static rc_status wordsim_line(eval_vocab *ev, const char *path, long long ln, const char *s,
                              size_t len, int64_t *r1, int64_t *r2, double *score, char *err,
                              size_t err_len) {
    const char *t1 = strchr(s, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    size_t bad;
    if (!rc_utf8_validate(s, len, &bad, NULL))
        return rc_errf(err, err_len, RC_ERR_FORMAT, "%s:%lld: invalid UTF-8 at byte %zu", path, ln,
                       bad + 1);
    if (!t2 || t1 == s || t2 == t1 + 1)
        return rc_errf(err, err_len, RC_ERR_FORMAT,
                       "%s:%lld: expected \"word1<TAB>word2<TAB>score\"", path, ln);
    char *end;
    *score = strtod(t2 + 1, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == t2 + 1 || *end || !isfinite(*score))
        return rc_errf(err, err_len, RC_ERR_FORMAT, "%s:%lld: score \"%.32s\" is not a number",
                       path, ln, t2 + 1);
    *r1 = eval_lookup(ev, s, (size_t)(t1 - s));
    *r2 = eval_lookup(ev, t1 + 1, (size_t)(t2 - t1 - 1));
    return RC_OK;
}

static bool push_pair(double **gold, double **model, int64_t *n, int64_t *cap, double g, double m) {
    if (*n == *cap) {
        int64_t c = *cap ? *cap * 2 : 256;
        double *a = realloc(*gold, (size_t)c * sizeof *a);
        if (a)
            *gold = a;
        double *b = a ? realloc(*model, (size_t)c * sizeof *b) : NULL;
        if (!a || !b)
            return false;
        *model = b;
        *cap = c;
    }
    (*gold)[*n] = g;
    (*model)[(*n)++] = m;
    return true;
}

rc_status rc_eval_wordsim(const rc_wordvecs *wv, const char *path, const rc_eval_opts *o,
                          rc_wordsim_result *res, char *err, size_t err_len) {
    if (!wv || !path || !res)
        return rc_err_null(err, err_len, "rc_eval_wordsim", !wv ? "wv" : !path ? "path" : "res");
    memset(res, 0, sizeof *res);
    rc_line_reader *in;
    rc_status st = rc_line_reader_open(&in, path, &rc_embed_table_lines, err, err_len);
    if (st != RC_OK)
        return st;
    eval_vocab ev;
    st = eval_vocab_init(&ev, wv, o);
    if (st != RC_OK)
        rc_errf(err, err_len, st, "%s: out of memory", path);
    double *gold = NULL, *model = NULL;
    int64_t n = 0, cap = 0;
    const char *line = NULL;
    size_t len;
    while (st == RC_OK && (st = rc_line_reader_next(in, &line, &len, err, err_len)) == RC_OK &&
           line) {
        const char *s = line;
        while (*s == ' ')
            s++;
        if (*s == '#' || !*s)
            continue;
        int64_t a = -1, b = -1;
        double score = 0;
        st = wordsim_line(&ev, path, (long long)rc_line_reader_lineno(in), line, len, &a, &b,
                          &score, err, err_len);
        if (st != RC_OK)
            break;
        if (a < 0 || b < 0)
            res->skipped++;
        else if (!push_pair(&gold, &model, &n, &cap, score, unit_cos(&ev, a, b)))
            st = rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", path);
    }
    if (st == RC_OK) {
        res->pairs = n;
        res->spearman = rc_spearman(gold, model, n);
        res->pearson = rc_pearson(gold, model, n);
    }
    free(gold), free(model);
    eval_vocab_free(&ev);
    rc_line_reader_close(&in);
    return st;
}
