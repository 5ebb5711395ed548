// BEIR collections: JSON lines for the corpus and the queries (parsed with jansson), a TSV of
// relevance judgments. Every error names the file and the line.
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "text/retrieval/collection_impl.h"

#define MAX_JSON_LINE ((size_t)64 << 20)

void rc_beir_free(rc_beir **pb) {
    if (!pb || !*pb)
        return;
    rc_beir *b = *pb;
    for (int64_t i = 0; i < b->n_docs; i++)
        free(b->doc_id[i]), free(b->doc_text[i]);
    for (int64_t i = 0; i < b->n_queries; i++)
        free(b->query_id[i]), free(b->query_text[i]);
    free(b->doc_id), free(b->doc_text), free(b->query_id), free(b->query_text);
    free(b->qrel_ptr), free(b->qrel_doc), free(b->qrel_grade);
    free(b);
    *pb = NULL;
}

// One record of a JSON-lines file: its id and text (title + " " + text when with_title).
typedef struct jrec {
    char *id, *text;
} jrec;

static char *str_field(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static rc_status parse_record(const char *line, size_t len, bool with_title, jrec *r, char *why,
                              size_t why_len) {
    json_error_t je;
    json_t *o = json_loadb(line, len, 0, &je);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return rc_errf(why, why_len, RC_ERR_FORMAT, o ? "not a JSON object" : "invalid JSON: %s",
                       je.text);
    }
    rc_status st = RC_OK;
    json_t *id = json_object_get(o, "_id");
    json_t *title = json_object_get(o, "title"), *text = json_object_get(o, "text");
    if (!json_is_string(id)) {
        st = rc_errf(why, why_len, RC_ERR_FORMAT, "no string \"_id\"");
    } else if ((text && !json_is_string(text)) || (title && !json_is_string(title))) {
        st = rc_errf(why, why_len, RC_ERR_FORMAT, "\"title\" and \"text\" must be strings");
    } else {
        const char *ti = with_title && title ? json_string_value(title) : "";
        const char *te = text ? json_string_value(text) : "";
        size_t lt = strlen(ti), lx = strlen(te);
        r->id = str_field(o, "_id");
        r->text = malloc(lt + lx + 2);
        if (!r->id || !r->text) {
            st = rc_errf(why, why_len, RC_ERR_NOMEM, "out of memory");
        } else {
            memcpy(r->text, ti, lt);
            size_t at = lt;
            if (lt && lx)
                r->text[at++] = ' ';
            memcpy(r->text + at, te, lx + 1);
        }
    }
    json_decref(o);
    return st;
}

// Reads a JSON-lines file into ids[] and texts[] (grown), checking ids are unique through tab.
static rc_status read_jsonl(const char *path, bool with_title, char ***ids, char ***texts,
                            int64_t *n, rc_strtab *tab, char *err, size_t err_len) {
    rc_line_reader *r;
    const rc_line_opts lo = {.max_line = MAX_JSON_LINE, .validate_utf8 = true};
    rc_status st = rc_line_reader_open(&r, path, &lo, err, err_len);
    size_t cap_i = 0, cap_t = 0;
    const char *line;
    size_t len;
    while (st == RC_OK && (st = rc_line_reader_next(r, &line, &len, err, err_len)) == RC_OK &&
           line) {
        if (!len) // blank lines are skipped
            continue;
        char why[256];
        jrec rec = {0};
        bool added = false;
        st = parse_record(line, len, with_title, &rec, why, sizeof why);
        if (st == RC_OK && (!rc_grow((void **)ids, &cap_i, (size_t)*n + 1, sizeof **ids) ||
                            !rc_grow((void **)texts, &cap_t, (size_t)*n + 1, sizeof **texts) ||
                            rc_strtab_intern(tab, rec.id, strlen(rec.id),
                                             rc_hash_bytes(rec.id, strlen(rec.id)), &added) < 0)) {
            st = rc_errf(why, sizeof why, RC_ERR_NOMEM, "out of memory");
        } else if (st == RC_OK && !added) {
            st = rc_errf(why, sizeof why, RC_ERR_FORMAT, "duplicate _id '%.60s'", rec.id);
        }
        if (st != RC_OK) {
            free(rec.id), free(rec.text);
            rc_errf(err, err_len, st, "%s:%lld: %s", path, (long long)rc_line_reader_lineno(r),
                    why);
            break;
        }
        (*ids)[*n] = rec.id;
        (*texts)[(*n)++] = rec.text;
    }
    rc_line_reader_close(&r);
    return st;
}

// An integer of at most 9 characters, sign included.
static bool parse_int(const char *s, size_t len, int32_t *out) {
    const size_t neg = len > 0 && s[0] == '-';
    int64_t v;
    if (len > 9 || !rc_parse_count(s + neg, len - neg, &v))
        return false;
    *out = (int32_t)(neg ? -v : v);
    return true;
}

// One qrels line "query-id<TAB>corpus-id<TAB>score" into j; a message in why on failure.
static rc_status parse_qrel(const char *line, size_t len, const rc_strtab *queries,
                            const rc_strtab *docs, rc_judgment *j, char *why, size_t why_len) {
    const char *f[3];
    size_t fl[3], n = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && line[i] != '\t')
            continue;
        if (n < 3)
            f[n] = line + start, fl[n] = i - start;
        n++;
        start = i + 1;
    }
    if (n != 3)
        return rc_errf(why, why_len, RC_ERR_FORMAT, "want 3 tab-separated fields, found %zu", n);
    if (!parse_int(f[2], fl[2], &j->grade))
        return rc_errf(why, why_len, RC_ERR_FORMAT, "bad score '%.*s'",
                       (int)(fl[2] > 40 ? 40 : fl[2]), f[2]);
    j->query = rc_strtab_find(queries, f[0], fl[0], rc_hash_bytes(f[0], fl[0]));
    if (j->query < 0)
        return rc_errf(why, why_len, RC_ERR_FORMAT, "query '%.*s' is not in queries.jsonl",
                       (int)(fl[0] > 40 ? 40 : fl[0]), f[0]);
    j->doc = rc_strtab_find(docs, f[1], fl[1], rc_hash_bytes(f[1], fl[1]));
    return RC_OK;
}

static rc_status read_qrels(const char *path, const rc_strtab *queries, const rc_strtab *docs,
                            rc_judgment **js, int64_t *n, char *err, size_t err_len) {
    rc_line_reader *r;
    rc_status st = rc_line_reader_open(&r, path, NULL, err, err_len);
    size_t cap = 0;
    const char *line;
    size_t len;
    while (st == RC_OK && (st = rc_line_reader_next(r, &line, &len, err, err_len)) == RC_OK &&
           line) {
        if (rc_line_reader_lineno(r) == 1 || !len) // the header; blank lines
            continue;
        char why[200];
        rc_judgment j;
        st = parse_qrel(line, len, queries, docs, &j, why, sizeof why);
        if (st == RC_OK && !rc_grow((void **)js, &cap, (size_t)*n + 1, sizeof **js)) {
            st = rc_errf(why, sizeof why, RC_ERR_NOMEM, "out of memory");
        }
        if (st != RC_OK) {
            rc_errf(err, err_len, st, "%s:%lld: %s", path, (long long)rc_line_reader_lineno(r),
                    why);
            break;
        }
        (*js)[(*n)++] = j;
    }
    rc_line_reader_close(&r);
    return st;
}

// Keeps the judged queries (in queries.jsonl order) and groups the judgments by query.
rc_status rc_beir_group(rc_beir *b, char **qid, char **qtext, int64_t n_all, const rc_judgment *js,
                        int64_t n_js) {
    int64_t *count = calloc((size_t)n_all + 1, sizeof *count);
    int32_t *newq = malloc((size_t)(n_all ? n_all : 1) * sizeof *newq);
    b->query_id = malloc((size_t)(n_all ? n_all : 1) * sizeof *b->query_id);
    b->query_text = malloc((size_t)(n_all ? n_all : 1) * sizeof *b->query_text);
    b->qrel_doc = malloc((size_t)(n_js ? n_js : 1) * sizeof *b->qrel_doc);
    b->qrel_grade = malloc((size_t)(n_js ? n_js : 1) * sizeof *b->qrel_grade);
    if (!count || !newq || !b->query_id || !b->query_text || !b->qrel_doc || !b->qrel_grade) {
        free(count), free(newq);
        return RC_ERR_NOMEM;
    }
    for (int64_t i = 0; i < n_js; i++)
        count[js[i].query]++;
    for (int64_t q = 0; q < n_all; q++) {
        newq[q] = count[q] ? (int32_t)b->n_queries : -1;
        if (count[q]) {
            b->query_id[b->n_queries] = qid[q];
            b->query_text[b->n_queries++] = qtext[q];
        } else {
            free(qid[q]), free(qtext[q]);
        }
    }
    b->qrel_ptr = calloc((size_t)b->n_queries + 1, sizeof *b->qrel_ptr);
    if (!b->qrel_ptr) {
        free(count), free(newq);
        return RC_ERR_NOMEM;
    }
    for (int64_t i = 0; i < n_js; i++)
        b->qrel_ptr[newq[js[i].query] + 1]++;
    for (int64_t q = 0; q < b->n_queries; q++)
        b->qrel_ptr[q + 1] += b->qrel_ptr[q];
    memset(count, 0, (size_t)n_all * sizeof *count);
    for (int64_t i = 0; i < n_js; i++) { // stable: each query keeps the file's order
        int32_t q = newq[js[i].query];
        int64_t at = b->qrel_ptr[q] + count[q]++;
        b->qrel_doc[at] = js[i].doc;
        b->qrel_grade[at] = js[i].grade;
    }
    free(count), free(newq);
    return RC_OK;
}

rc_status rc_beir_load(rc_beir **out, const char *dir, const char *split, char *err,
                       size_t err_len) {
    if (out)
        *out = NULL;
    if (!out || !dir || !split)
        return rc_err_null(err, err_len, "rc_beir_load", !out ? "b" : !dir ? "dir" : "split");
    rc_beir *b = calloc(1, sizeof *b);
    if (!b)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", dir);
    size_t plen = strlen(dir) + strlen(split) + 32;
    char *path = malloc(plen);
    rc_strtab dtab = {0}, qtab = {0};
    char **qid = NULL, **qtext = NULL;
    int64_t n_all = 0, n_js = 0;
    rc_judgment *js = NULL;
    rc_status st = path ? RC_OK : RC_ERR_NOMEM;
    if (st == RC_OK) {
        snprintf(path, plen, "%s/corpus.jsonl", dir);
        st = read_jsonl(path, true, &b->doc_id, &b->doc_text, &b->n_docs, &dtab, err, err_len);
    }
    if (st == RC_OK) {
        snprintf(path, plen, "%s/queries.jsonl", dir);
        st = read_jsonl(path, false, &qid, &qtext, &n_all, &qtab, err, err_len);
    }
    if (st == RC_OK) {
        snprintf(path, plen, "%s/qrels/%s.tsv", dir, split);
        st = read_qrels(path, &qtab, &dtab, &js, &n_js, err, err_len);
    }
    if (st == RC_OK) {
        st = rc_beir_group(b, qid, qtext, n_all, js, n_js);
        n_all = 0; // the strings now belong to b, or were freed
    }
    for (int64_t i = 0; i < n_all; i++)
        free(qid[i]), free(qtext[i]);
    free(qid), free(qtext), free(js), free(path);
    rc_strtab_free(&dtab);
    rc_strtab_free(&qtab);
    if (st == RC_ERR_NOMEM)
        rc_errf(err, err_len, st, "%s: out of memory", dir);
    if (st != RC_OK) {
        rc_beir_free(&b);
        return st;
    }
    *out = b;
    return RC_OK;
}
