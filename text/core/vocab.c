// The vocabulary: counting in a string hash table, then finalize sorts (count desc, bytes asc),
// applies min_count / max_size, puts the specials first and re-interns in id order.
#include <stdlib.h>

#include "text/text_impl.h"

static const char *const special_names[3] = {"<pad>", "<unk>", "<eos>"};

struct rc_vocab {
    rc_strtab tab;
    int64_t *counts; // [tab.n]
    size_t counts_cap;
    bool final;
    int32_t special[3]; // ids of <pad>, <unk>, <eos>, or -1
    int64_t total;
};

rc_status rc_vocab_new(rc_vocab **out) {
    if (!out)
        return rc_err_null(NULL, 0, "rc_vocab_new", "v");
    rc_vocab *v = calloc(1, sizeof *v);
    if (!v)
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_vocab_new: out of memory for the vocabulary");
    v->special[0] = v->special[1] = v->special[2] = -1;
    *out = v;
    return RC_OK;
}

void rc_vocab_free(rc_vocab **pv) {
    if (!pv || !*pv)
        return;
    rc_strtab_free(&(*pv)->tab);
    free((*pv)->counts);
    free(*pv);
    *pv = NULL;
}

static bool token_ok(const char *tok, size_t len) {
    return len > 0 && !memchr(tok, '\t', len) && !memchr(tok, '\n', len) && !memchr(tok, '\r', len);
}

// Interns tok and adds count; the caller has checked the token. RC_ERR_RANGE when its count
// would pass INT64_MAX (the count is left as it was).
static rc_status add_checked(rc_vocab *v, const char *tok, size_t len, int64_t count) {
    bool added;
    int32_t id = rc_strtab_intern(&v->tab, tok, len, rc_hash_bytes(tok, len), &added);
    if (id < 0)
        return RC_ERR_NOMEM;
    if (added) {
        if (!rc_grow((void **)&v->counts, &v->counts_cap, v->tab.n, sizeof *v->counts))
            return RC_ERR_NOMEM;
        v->counts[id] = 0;
    }
    int64_t sum;
    if (__builtin_add_overflow(v->counts[id], count, &sum))
        return RC_ERR_RANGE;
    v->counts[id] = sum;
    return RC_OK;
}

// The message for token s[0..len) that add_checked or token_ok refused with st, after "fn: " when
// fn is non-NULL (the functions without an err buffer name themselves; count_file's caller adds
// the file and line).
static rc_status token_error(char *why, size_t why_len, rc_status st, const char *fn, const char *s,
                             size_t len) {
    const int n = (int)(len > 40 ? 40 : len);
    const char *pre = fn ? fn : "", *sep = fn ? ": " : "";
    if (st == RC_ERR_RANGE)
        return rc_errf(why, why_len, st, "%s%sthe count of '%.*s' would pass INT64_MAX", pre, sep,
                       n, s);
    if (st == RC_ERR_ARG && !len)
        return rc_errf(why, why_len, st, "%s%sthe token is empty", pre, sep);
    if (st == RC_ERR_ARG)
        return rc_errf(why, why_len, st, "%s%stoken '%.*s' holds a tab or newline", pre, sep, n, s);
    return rc_errf(why, why_len, st, "%s%sout of memory for token '%.*s'", pre, sep, n, s);
}

// RC_ERR_STATE once v is finalized: the counting functions without an err buffer say so.
static rc_status not_final(const rc_vocab *v, const char *fn) {
    return v->final ? rc_errf(NULL, 0, RC_ERR_STATE, "%s: called after rc_vocab_finalize", fn)
                    : RC_OK;
}

rc_status rc_vocab_add(rc_vocab *v, const char *tok, size_t len, int64_t count) {
    if (!v || !tok)
        return rc_err_null(NULL, 0, "rc_vocab_add", v ? "tok" : "v");
    rc_status st = not_final(v, "rc_vocab_add");
    if (st != RC_OK)
        return st;
    if (count < 0)
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_vocab_add: count must be >= 0, got %lld",
                       (long long)count);
    st = token_ok(tok, len) ? add_checked(v, tok, len, count) : RC_ERR_ARG;
    return st == RC_OK ? st : token_error(NULL, 0, st, "rc_vocab_add", tok, len);
}

// Counts the tokens of t; on failure *bad is the token that failed.
static rc_status add_tokens(rc_vocab *v, const rc_tokens *t, size_t *bad) {
    for (size_t i = 0; i < t->n; i++) {
        size_t len;
        const char *s = rc_token(t, i, &len);
        rc_status st = token_ok(s, len) ? add_checked(v, s, len, 1) : RC_ERR_ARG;
        if (st != RC_OK) {
            *bad = i;
            return st;
        }
    }
    return RC_OK;
}

rc_status rc_vocab_add_tokens(rc_vocab *v, const rc_tokens *t) {
    if (!v || !t)
        return rc_err_null(NULL, 0, "rc_vocab_add_tokens", v ? "t" : "v");
    rc_status st = not_final(v, "rc_vocab_add_tokens");
    size_t bad, len;
    if (st == RC_OK && (st = add_tokens(v, t, &bad)) != RC_OK) {
        const char *s = rc_token(t, bad, &len);
        token_error(NULL, 0, st, "rc_vocab_add_tokens", s, len);
    }
    return st;
}

// The message of count_file for a token that could not be counted.
static void count_error(char *why, size_t why_len, rc_status st, const rc_tokens *t, size_t i) {
    size_t len;
    const char *s = rc_token(t, i, &len);
    token_error(why, why_len, st, NULL, s, len);
}

rc_status rc_tokenize_line(const void *topts, const char *line, size_t len, rc_tokens *t, char *why,
                           size_t why_len) {
    return rc_tokenize(topts, line, len, t, why, why_len);
}

rc_status rc_vocab_count_file(rc_vocab *v, const char *path, const rc_tok_opts *topts,
                              const rc_line_opts *lopts, bool eos, char *err, size_t err_len) {
    if (!v || !path)
        return rc_err_null(err, err_len, "rc_vocab_count_file", v ? "path" : "v");
    return rc_vocab_count_lines(v, path, rc_tokenize_line, topts, lopts, eos,
                                rc_tok_keeps_empty_lines(topts), err, err_len);
}

typedef struct count_ctx {
    rc_vocab *v;
    bool eos;
} count_ctx;

static rc_status count_line(void *ctx, const rc_tokens *t, char *why, size_t why_len) {
    const count_ctx *c = ctx;
    size_t bad;
    rc_status st = add_tokens(c->v, t, &bad);
    if (st != RC_OK)
        count_error(why, why_len, st, t, bad);
    else if (c->eos && (st = add_checked(c->v, "<eos>", 5, 1)) != RC_OK)
        rc_errf(why, why_len, st, "the count of '<eos>' would pass INT64_MAX");
    return st;
}

rc_status rc_vocab_count_lines(rc_vocab *v, const char *path, rc_line_tokenizer tok,
                               const void *ctx, const rc_line_opts *lopts, bool eos,
                               bool keep_empty, char *err, size_t err_len) {
    if (v->final)
        return rc_errf(err, err_len, RC_ERR_STATE, "%s: the vocabulary is already finalized", path);
    count_ctx c = {v, eos};
    return rc_each_token_line(path, lopts, keep_empty, tok, ctx, count_line, &c, err, err_len);
}

// ---- finalize ---------------------------------------------------------------------------------

static int by_count_then_bytes(int32_t a, int32_t b, const void *ctx) {
    const rc_vocab *v = ctx;
    int64_t ca = v->counts[a], cb = v->counts[b];
    if (ca != cb)
        return ca > cb ? -1 : 1;
    return rc_strtab_cmp(&v->tab, a, b);
}

static int special_index(const rc_strtab *t, int32_t id) {
    size_t len;
    const char *s = rc_strtab_key(t, id, &len);
    for (int k = 0; k < 3; k++)
        if (len == strlen(special_names[k]) && !memcmp(s, special_names[k], len))
            return k;
    return -1;
}

static rc_status finalize_nomem(size_t n) {
    return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_vocab_finalize: out of memory for %zu tokens", n);
}

// Re-interns the tokens order[0..n) with their counts as the final table.
static rc_status rebuild(rc_vocab *v, const int32_t *order, size_t n, const int64_t *counts) {
    rc_strtab tab = {0};
    int64_t *c = malloc((n ? n : 1) * sizeof *c);
    if (!c)
        return finalize_nomem(n);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *s =
            order[i] >= 0 ? rc_strtab_key(&v->tab, order[i], &len) : special_names[-order[i] - 1];
        if (order[i] < 0)
            len = strlen(s);
        bool added;
        if (rc_strtab_intern(&tab, s, len, rc_hash_bytes(s, len), &added) < 0) {
            rc_strtab_free(&tab);
            free(c);
            return finalize_nomem(n);
        }
        c[i] = counts[i];
    }
    rc_strtab_free(&v->tab);
    free(v->counts);
    v->tab = tab;
    v->counts = c;
    v->counts_cap = n;
    return RC_OK;
}

static rc_status finalize_check(const rc_vocab *v, const rc_vocab_opts *o) {
    if (!v)
        return rc_err_null(NULL, 0, "rc_vocab_finalize", "v");
    if (v->final)
        return rc_errf(NULL, 0, RC_ERR_STATE,
                       "rc_vocab_finalize: the vocabulary is already finalized");
    if (o->max_size < 0)
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_vocab_finalize: max_size must be >= 0, got %lld",
                       (long long)o->max_size);
    if (o->min_count < 0)
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_vocab_finalize: min_count must be >= 0, got %lld",
                       (long long)o->min_count);
    if (o->specials > 7)
        return rc_errf(NULL, 0, RC_ERR_ARG,
                       "rc_vocab_finalize: specials must be RC_SPECIAL_* flags (at most 7), got %u",
                       o->specials);
    return RC_OK;
}

// order[] holds a counted token's id, or -(k+1) for special k that was never counted.
rc_status rc_vocab_finalize(rc_vocab *v, const rc_vocab_opts *o) {
    const rc_vocab_opts d = {0};
    rc_status st = finalize_check(v, o ? o : &d);
    if (st != RC_OK)
        return st;
    if (!o)
        o = &d;
    size_t n = v->tab.n;
    int32_t *ids = malloc((n + 3) * sizeof *ids);
    int32_t *order = malloc((n + 3) * sizeof *order);
    int64_t *counts = malloc((n + 3) * sizeof *counts);
    if (!ids || !order || !counts) {
        free(ids), free(order), free(counts);
        return finalize_nomem(n);
    }
    size_t m = 0, k = 0;
    int32_t spec_id[3] = {-1, -1, -1};
    for (size_t i = 0; i < n; i++) {
        int s = special_index(&v->tab, (int32_t)i);
        if (s >= 0 && (o->specials & (1u << s)))
            spec_id[s] = (int32_t)i;
        else
            ids[m++] = (int32_t)i;
    }
    if (!rc_sort_ids(ids, m, by_count_then_bytes, v)) {
        free(ids), free(order), free(counts);
        return finalize_nomem(n);
    }
    for (int s = 0; s < 3; s++) {
        if (!(o->specials & (1u << s)))
            continue;
        v->special[s] = (int32_t)k;
        counts[k] = spec_id[s] >= 0 ? v->counts[spec_id[s]] : 0;
        order[k++] = spec_id[s] >= 0 ? spec_id[s] : -(s + 1);
    }
    size_t cap = o->max_size > 0 ? (size_t)o->max_size : SIZE_MAX;
    for (size_t i = 0; i < m && k < cap && v->counts[ids[i]] >= o->min_count; i++) {
        counts[k] = v->counts[ids[i]];
        order[k++] = ids[i];
    }
    int64_t total = 0;
    for (size_t i = 0; i < k && st == RC_OK; i++)
        if (__builtin_add_overflow(total, counts[i], &total)) // nothing changes
            st = rc_errf(NULL, 0, RC_ERR_RANGE,
                         "rc_vocab_finalize: the kept counts sum past INT64_MAX");
    if (st == RC_OK)
        st = rebuild(v, order, k, counts);
    free(ids), free(order), free(counts);
    if (st != RC_OK)
        return st;
    v->total = total;
    v->final = true;
    return RC_OK;
}

bool rc_vocab_finalized(const rc_vocab *v) {
    return v && v->final;
}

// ---- lookups ------------------------------------------------------------------------------------

int32_t rc_vocab_size(const rc_vocab *v) {
    return v ? (int32_t)v->tab.n : 0;
}

int64_t rc_vocab_total(const rc_vocab *v) {
    return v ? v->total : 0;
}

int32_t rc_vocab_find(const rc_vocab *v, const char *tok, size_t len) {
    if (!v || (!tok && len))
        return -1;
    return rc_strtab_find(&v->tab, tok, len, rc_hash_bytes(tok, len));
}

int32_t rc_vocab_id(const rc_vocab *v, const char *tok, size_t len) {
    int32_t id = rc_vocab_find(v, tok, len);
    return id >= 0 || !v ? id : v->special[1];
}

size_t rc_vocab_ids(const rc_vocab *v, const rc_tokens *t, int32_t *ids) {
    if (!t || !ids)
        return 0;
    for (size_t i = 0; i < t->n; i++) {
        size_t len;
        const char *s = rc_token(t, i, &len);
        ids[i] = rc_vocab_id(v, s, len);
    }
    return t->n;
}

const char *rc_vocab_token(const rc_vocab *v, int32_t id, size_t *len) {
    if (!v || id < 0 || (size_t)id >= v->tab.n)
        return NULL;
    size_t l;
    const char *s = rc_strtab_key(&v->tab, id, &l);
    if (len)
        *len = l;
    return s;
}

int64_t rc_vocab_count(const rc_vocab *v, int32_t id) {
    return v && id >= 0 && (size_t)id < v->tab.n ? v->counts[id] : 0;
}

int32_t rc_vocab_special_id(const rc_vocab *v, unsigned special) {
    for (int k = 0; v && k < 3; k++)
        if (special == (1u << k))
            return v->special[k];
    return -1;
}

// ---- internal: used by vocab_io.c --------------------------------------------------------------

rc_status rc_vocab_load_entry(rc_vocab *v, const char *tok, size_t len, int64_t count,
                              int32_t *dup_of) {
    bool added;
    int32_t id = rc_strtab_intern(&v->tab, tok, len, rc_hash_bytes(tok, len), &added);
    if (id < 0)
        return RC_ERR_NOMEM;
    if (!added) {
        *dup_of = id;
        return RC_ERR_FORMAT;
    }
    if (!rc_grow((void **)&v->counts, &v->counts_cap, v->tab.n, sizeof *v->counts))
        return RC_ERR_NOMEM;
    v->counts[id] = count;
    int64_t total;
    if (__builtin_add_overflow(v->total, count, &total))
        return RC_ERR_RANGE;
    v->total = total;
    int s = special_index(&v->tab, id);
    if (s >= 0)
        v->special[s] = id;
    return RC_OK;
}

void rc_vocab_mark_final(rc_vocab *v) {
    v->final = true;
}
