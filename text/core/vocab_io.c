// Vocabulary files: "token<TAB>count" per line, in id order.
#include <stdlib.h>

#include "text/text_impl.h"

rc_status rc_vocab_save(const rc_vocab *v, const char *path, char *err, size_t err_len) {
    if (!v || !path)
        return rc_err_null(err, err_len, "rc_vocab_save", v ? "path" : "v");
    if (!rc_vocab_finalized(v))
        return rc_errf(err, err_len, RC_ERR_STATE, "%s: finalize the vocabulary before saving it",
                       path);
    rc_afile a;
    rc_status st = rc_afile_open(&a, path, err, err_len);
    if (st != RC_OK)
        return st;
    for (int32_t id = 0; id < rc_vocab_size(v); id++) {
        size_t len;
        const char *s = rc_vocab_token(v, id, &len);
        fwrite(s, 1, len, a.f);
        fprintf(a.f, "\t%lld\n", (long long)rc_vocab_count(v, id));
    }
    return rc_afile_commit(&a, err, err_len);
}

bool rc_parse_count(const char *s, size_t len, int64_t *out) {
    if (len == 0 || len > 18)
        return false;
    int64_t c = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        c = c * 10 + (s[i] - '0');
    }
    *out = c;
    return true;
}

// Checks one line and adds its entry; the message names the problem (the caller adds file:line).
static rc_status load_line(rc_vocab *v, const char *line, size_t len, int64_t lineno,
                           const int64_t *first_line, char *why, size_t why_len) {
    const char *tab = memchr(line, '\t', len);
    if (!tab)
        return rc_errf(why, why_len, RC_ERR_FORMAT, "no tab between token and count");
    size_t tlen = (size_t)(tab - line), clen = len - tlen - 1;
    int64_t count;
    if (tlen == 0)
        return rc_errf(why, why_len, RC_ERR_FORMAT, "empty token");
    if (!rc_parse_count(tab + 1, clen, &count))
        return rc_errf(why, why_len, RC_ERR_FORMAT,
                       "bad count '%.*s' (want a non-negative integer)",
                       (int)(clen > 40 ? 40 : clen), tab + 1);
    int32_t dup = -1;
    rc_status st = rc_vocab_load_entry(v, line, tlen, count, &dup);
    if (st == RC_ERR_FORMAT)
        rc_errf(why, why_len, st, "duplicate token '%.*s' (first on line %lld)",
                (int)(tlen > 40 ? 40 : tlen), line, (long long)first_line[dup]);
    else if (st == RC_ERR_RANGE) // a file whose counts no int64 can sum: its contents are wrong
        st = rc_errf(why, why_len, RC_ERR_FORMAT,
                     "count %lld of '%.*s' takes the total past INT64_MAX", (long long)count,
                     (int)(tlen > 40 ? 40 : tlen), line);
    else if (st != RC_OK)
        rc_errf(why, why_len, st, "out of memory");
    (void)lineno;
    return st;
}

rc_status rc_vocab_load(rc_vocab **out, const char *path, char *err, size_t err_len) {
    if (out)
        *out = NULL;
    if (!out || !path)
        return rc_err_null(err, err_len, "rc_vocab_load", out ? "path" : "v");
    rc_vocab *v;
    if (rc_vocab_new(&v) != RC_OK)
        return rc_errf(err, err_len, RC_ERR_NOMEM,
                       "rc_vocab_load: out of memory for the vocabulary");
    rc_line_reader *r;
    const rc_line_opts lo = {.validate_utf8 = true};
    rc_status st = rc_line_reader_open(&r, path, &lo, err, err_len);
    int64_t *first_line = NULL; // line of each id, for duplicate messages
    size_t fl_cap = 0;
    const char *line;
    size_t len;
    while (st == RC_OK && (st = rc_line_reader_next(r, &line, &len, err, err_len)) == RC_OK &&
           line) {
        if (!len) // empty lines (a trailing blank line) are skipped
            continue;
        int64_t lineno = rc_line_reader_lineno(r);
        int32_t next = rc_vocab_size(v);
        if (!rc_grow((void **)&first_line, &fl_cap, (size_t)next + 1, sizeof *first_line)) {
            st = rc_errf(err, err_len, RC_ERR_NOMEM, "%s:%lld: out of memory for %d line numbers",
                         path, (long long)lineno, next + 1);
            break;
        }
        first_line[next] = lineno;
        char why[160];
        st = load_line(v, line, len, lineno, first_line, why, sizeof why);
        if (st != RC_OK)
            rc_errf(err, err_len, st, "%s:%lld: %s", path, (long long)lineno, why);
    }
    rc_line_reader_close(&r);
    free(first_line);
    if (st != RC_OK) {
        rc_vocab_free(&v);
        return st;
    }
    rc_vocab_mark_final(v);
    *out = v;
    return RC_OK;
}
