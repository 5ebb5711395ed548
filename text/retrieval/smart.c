// The SMART format of the Cranfield collection (cran.all.1400, cran.qry, cranqrel) read into an
// rc_beir, so BEIR and Cranfield share the evaluation code. A record starts at ".I n"; a line
// ".T", ".A", ".B" or ".W" starts a field and the lines after it are its text. Every error names
// the file and the line.
#include <stdlib.h>

#include "text/retrieval/collection_impl.h"

// The records of one SMART file: ids and texts (title, a space, the .W text).
typedef struct records {
    char **id, **text;
    int64_t n;
    size_t cap_id, cap_text;
    rc_strtab ids;
} records;

// A growable string.
typedef struct sbuf {
    char *s;
    size_t n, cap;
} sbuf;

static bool sbuf_add(sbuf *b, const char *s, size_t len) {
    if (!rc_grow((void **)&b->s, &b->cap, b->n + len + 2, 1))
        return false;
    if (b->n && len)
        b->s[b->n++] = ' ';
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = '\0';
    return true;
}

// The record being read: its fields so far, and which field the next lines belong to.
typedef struct record {
    bool open;
    char field; // 'T', 'A', 'B', 'W'
    sbuf title, body;
} record;

static void records_free(records *r) {
    for (int64_t i = 0; i < r->n; i++)
        free(r->id[i]), free(r->text[i]);
    free(r->id), free(r->text);
    rc_strtab_free(&r->ids);
}

// A decimal number of at most 9 digits, printed back without leading zeros ("001" -> "1").
static bool parse_number(const char *s, size_t len, char out[24]) {
    int64_t v;
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (!len || len > 9 || !rc_parse_count(s, len, &v))
        return false;
    snprintf(out, 24, "%lld", (long long)v);
    return true;
}

// Ends the open record: its text joins title and body; its id goes into the table.
static rc_status close_record(records *r, record *rec, char *why, size_t why_len) {
    if (!rec->open)
        return RC_OK;
    rec->open = false;
    sbuf text = {0};
    bool ok = sbuf_add(&text, "", 0) &&
              sbuf_add(&text, rec->title.s ? rec->title.s : "", rec->title.n) &&
              sbuf_add(&text, rec->body.s ? rec->body.s : "", rec->body.n);
    rec->title.n = rec->body.n = 0;
    if (!ok) {
        free(text.s);
        return rc_errf(why, why_len, RC_ERR_NOMEM, "out of memory");
    }
    r->text[r->n - 1] = text.s;
    return RC_OK;
}

// ".I n": closes the previous record and opens one with id n (or the ordinal for queries).
static rc_status open_record(records *r, record *rec, const char *line, size_t len, bool ordinal,
                             char *why, size_t why_len) {
    char id[24];
    if (!parse_number(line + 2, len - 2, id))
        return rc_errf(why, why_len, RC_ERR_FORMAT, ".I needs a number, got '%.*s'",
                       (int)(len > 40 ? 40 : len), line);
    rc_status st = close_record(r, rec, why, why_len);
    if (st != RC_OK)
        return st;
    if (ordinal)
        snprintf(id, sizeof id, "%lld", (long long)r->n + 1);
    bool added = false;
    if (!rc_grow((void **)&r->id, &r->cap_id, (size_t)r->n + 1, sizeof *r->id) ||
        !rc_grow((void **)&r->text, &r->cap_text, (size_t)r->n + 1, sizeof *r->text) ||
        rc_strtab_intern(&r->ids, id, strlen(id), rc_hash_bytes(id, strlen(id)), &added) < 0 ||
        !(r->id[r->n] = strdup(id)))
        return rc_errf(why, why_len, RC_ERR_NOMEM, "out of memory");
    r->text[r->n++] = NULL;
    if (!added)
        return rc_errf(why, why_len, RC_ERR_FORMAT, "duplicate .I %s", id);
    rec->open = true;
    rec->field = 0;
    return RC_OK;
}

// A field marker: '.' and an upper-case letter alone on the line (trailing spaces allowed).
static bool is_marker(const char *line, size_t len) {
    while (len > 2 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    return len == 2 && line[0] == '.' && line[1] >= 'A' && line[1] <= 'Z';
}

static rc_status smart_line(records *r, record *rec, const char *line, size_t len, bool ordinal,
                            char *why, size_t why_len) {
    if (len >= 2 && line[0] == '.' && line[1] == 'I' && (len == 2 || line[2] == ' '))
        return open_record(r, rec, line, len, ordinal, why, why_len);
    if (is_marker(line, len)) {
        if (!strchr("TABW", line[1]))
            return rc_errf(why, why_len, RC_ERR_FORMAT, "unknown field '.%c'", line[1]);
        if (!rec->open)
            return rc_errf(why, why_len, RC_ERR_FORMAT, "field '.%c' before the first .I", line[1]);
        rec->field = line[1];
        return RC_OK;
    }
    if (!rec->open) {
        for (size_t i = 0; i < len; i++)
            if (line[i] != ' ' && line[i] != '\t')
                return rc_errf(why, why_len, RC_ERR_FORMAT, "text before the first .I");
        return RC_OK;
    }
    sbuf *to = rec->field == 'T' ? &rec->title : rec->field == 'W' ? &rec->body : NULL;
    if (to && !sbuf_add(to, line, len))
        return rc_errf(why, why_len, RC_ERR_NOMEM, "out of memory");
    return RC_OK;
}

static rc_status read_smart(const char *path, bool ordinal, records *r, char *err, size_t err_len) {
    rc_line_reader *lr;
    const rc_line_opts lo = {.validate_utf8 = true};
    rc_status st = rc_line_reader_open(&lr, path, &lo, err, err_len);
    record rec = {0};
    const char *line;
    size_t len;
    char why[200];
    while (st == RC_OK && (st = rc_line_reader_next(lr, &line, &len, err, err_len)) == RC_OK &&
           line)
        if ((st = smart_line(r, &rec, line, len, ordinal, why, sizeof why)) != RC_OK)
            rc_errf(err, err_len, st, "%s:%lld: %s", path, (long long)rc_line_reader_lineno(lr),
                    why);
    if (st == RC_OK && (st = close_record(r, &rec, why, sizeof why)) != RC_OK)
        rc_errf(err, err_len, st, "%s: %s", path, why);
    free(rec.title.s), free(rec.body.s);
    rc_line_reader_close(&lr);
    return st;
}

// "query doc grade" separated by spaces or tabs into j; a message in why on failure.
static rc_status parse_judgment(const char *line, size_t len, const records *q, const records *d,
                                rc_judgment *j, char *why, size_t why_len) {
    const char *f[4];
    size_t fl[4], n = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        size_t start = i;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        if (i > start && n < 4)
            f[n] = line + start, fl[n++] = i - start;
    }
    char qid[24], did[24];
    int64_t g;
    const bool neg = n == 3 && fl[2] > 1 && f[2][0] == '-';
    if (n != 3 || !parse_number(f[0], fl[0], qid) || !parse_number(f[1], fl[1], did) || fl[2] > 9 ||
        !rc_parse_count(f[2] + neg, fl[2] - neg, &g))
        return rc_errf(why, why_len, RC_ERR_FORMAT, "want 3 numbers 'query doc grade'");
    j->grade = neg ? 0 : (int32_t)g; // -1: not relevant
    j->query = rc_strtab_find(&q->ids, qid, strlen(qid), rc_hash_bytes(qid, strlen(qid)));
    if (j->query < 0)
        return rc_errf(why, why_len, RC_ERR_FORMAT, "query %s is not in the queries file", qid);
    j->doc = rc_strtab_find(&d->ids, did, strlen(did), rc_hash_bytes(did, strlen(did)));
    return RC_OK;
}

static rc_status read_judgments(const char *path, const records *q, const records *d,
                                rc_judgment **js, int64_t *n, char *err, size_t err_len) {
    rc_line_reader *lr;
    rc_status st = rc_line_reader_open(&lr, path, NULL, err, err_len);
    size_t cap = 0, len;
    const char *line;
    char why[200];
    while (st == RC_OK && (st = rc_line_reader_next(lr, &line, &len, err, err_len)) == RC_OK &&
           line) {
        rc_judgment j;
        if (strspn(line, " \t") == len) // blank
            continue;
        st = parse_judgment(line, len, q, d, &j, why, sizeof why);
        if (st == RC_OK && !rc_grow((void **)js, &cap, (size_t)*n + 1, sizeof **js))
            st = rc_errf(why, sizeof why, RC_ERR_NOMEM, "out of memory");
        if (st != RC_OK)
            rc_errf(err, err_len, st, "%s:%lld: %s", path, (long long)rc_line_reader_lineno(lr),
                    why);
        else
            (*js)[(*n)++] = j;
    }
    rc_line_reader_close(&lr);
    return st;
}

// Moves the documents into b, and the judged queries grouped with their judgments.
static rc_status assemble(rc_beir *b, records *d, records *q, const rc_judgment *js, int64_t n_js) {
    b->n_docs = d->n, b->doc_id = d->id, b->doc_text = d->text;
    d->id = d->text = NULL, d->n = 0;
    rc_status st = rc_beir_group(b, q->id, q->text, q->n, js, n_js);
    free(q->id), free(q->text);
    q->id = q->text = NULL, q->n = 0;
    return st;
}

rc_status rc_smart_load(rc_beir **out, const char *docs, const char *queries, const char *qrels,
                        char *err, size_t err_len) {
    if (out)
        *out = NULL;
    if (!out || !docs)
        return rc_err_null(err, err_len, "rc_smart_load", out ? "docs" : "b");
    if (!queries != !qrels)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_smart_load: queries and qrels go together (both or neither)");
    rc_beir *b = calloc(1, sizeof *b);
    if (!b)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", docs);
    records d = {0}, q = {0};
    rc_judgment *js = NULL;
    int64_t n_js = 0;
    rc_status st = read_smart(docs, false, &d, err, err_len);
    if (st == RC_OK && queries)
        st = read_smart(queries, true, &q, err, err_len);
    if (st == RC_OK && qrels)
        st = read_judgments(qrels, &q, &d, &js, &n_js, err, err_len);
    if (st == RC_OK && (st = assemble(b, &d, &q, js, n_js)) != RC_OK)
        rc_errf(err, err_len, st, "%s: out of memory", docs);
    records_free(&d), records_free(&q);
    free(js);
    if (st != RC_OK)
        rc_beir_free(&b);
    *out = b;
    return st;
}
