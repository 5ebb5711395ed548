// The word2vec text format (".vec"): "V D" then one "word v1 ... vD" line per vector. Read line
// by line with a bounded buffer (rc_line_reader), so a damaged file with an endless line is an
// error, not an out-of-memory crash.
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "embed_impl.h"

static bool is_sep(char c) {
    return c == ' ' || c == '\t';
}

static bool blank(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (!is_sep(s[i]) && s[i] != '\r' && s[i] != '\v' && s[i] != '\f')
            return false;
    return true;
}

// Parses "V D".
static rc_status parse_header(const char *path, rc_line_reader *in, int64_t *V, int32_t *D,
                              char *err, size_t err_len) {
    const char *line;
    size_t len;
    rc_status st = rc_line_reader_next(in, &line, &len, err, err_len);
    if (st != RC_OK)
        return st;
    if (!line)
        return rc_errf(err, err_len, RC_ERR_FORMAT,
                       "%s:1: empty file, expected a header line \"count dim\"", path);
    char *end;
    errno = 0;
    long long v = strtoll(line, &end, 10);
    bool ok = end != line && errno == 0 && v >= 0;
    long long d = 0;
    if (ok) {
        char *d_at = end;
        d = strtoll(d_at, &end, 10);
        ok = end != d_at && errno == 0 && d >= 1 && d <= (1 << 20) && blank(end, strlen(end));
    }
    if (!ok)
        return rc_errf(err, err_len, RC_ERR_FORMAT,
                       "%s:1: bad header \"%.60s\", expected \"count dim\" with count >= 0 "
                       "and 1 <= dim <= 1048576",
                       path, line);
    *V = v;
    *D = (int32_t)d;
    return RC_OK;
}

// Splits one vector line (NUL-terminated, line ln) into the word and D values.
static rc_status parse_vector(const char *path, long long ln, const char *line, int32_t D,
                              float *vec, const char **word, size_t *wlen, char *err,
                              size_t err_len) {
    const char *s = line;
    while (is_sep(*s))
        s++;
    *word = s;
    while (*s && !is_sep(*s))
        s++;
    *wlen = (size_t)(s - *word);
    size_t bad;
    if (!rc_utf8_validate(*word, *wlen, &bad, NULL))
        return rc_errf(err, err_len, RC_ERR_FORMAT,
                       "%s:%lld: invalid UTF-8 in the word at byte %zu", path, ln,
                       (size_t)(*word - line) + bad + 1);
    int32_t k = 0;
    for (;;) {
        while (is_sep(*s))
            s++;
        if (!*s)
            break;
        if (k == D)
            return rc_errf(err, err_len, RC_ERR_FORMAT,
                           "%s:%lld: more than %d values after the word", path, ln, D);
        char *end;
        float x = strtof(s, &end);
        if (end == s || !(is_sep(*end) || !*end) || !isfinite(x))
            return rc_errf(err, err_len, RC_ERR_FORMAT,
                           "%s:%lld: value %d is not a finite number: \"%.32s\"", path, ln, k + 1,
                           s);
        vec[k++] = x;
        s = end;
    }
    if (k < D)
        return rc_errf(err, err_len, RC_ERR_FORMAT,
                       "%s:%lld: expected %d values after the word, found %d", path, ln, D, k);
    return RC_OK;
}

// Reads the body: up to `want` vectors, then checks that nothing but blank lines follows.
static rc_status read_body(const char *path, rc_line_reader *in, rc_wordvecs *wv, int64_t V,
                           int64_t want, bool skip_dup, rc_vec_load_stats *stats, float *vec,
                           char *err, size_t err_len) {
    const int32_t D = rc_wordvecs_dim(wv);
    int64_t seen = 0;
    const char *line = NULL;
    size_t len;
    rc_status st = RC_OK;
    while (seen < want && (st = rc_line_reader_next(in, &line, &len, err, err_len)) == RC_OK &&
           line) {
        if (blank(line, len))
            continue; // documented: blank lines are skipped
        const long long ln = (long long)rc_line_reader_lineno(in);
        const char *word;
        size_t wlen;
        st = parse_vector(path, ln, line, D, vec, &word, &wlen, err, err_len);
        if (st != RC_OK)
            return st;
        seen++;
        if (rc_wordvecs_find(wv, word, wlen) >= 0) {
            if (!skip_dup)
                return rc_errf(err, err_len, RC_ERR_FORMAT, "%s:%lld: duplicate word \"%.*s\"",
                               path, ln, (int)(wlen > 60 ? 60 : wlen), word);
            if (stats)
                stats->duplicates_skipped++;
            continue;
        }
        st = rc_wordvecs_add(wv, word, wlen, vec);
        if (st != RC_OK)
            return rc_errf(err, err_len, st, "%s:%lld: cannot add the word", path, ln);
    }
    if (st != RC_OK)
        return st;
    if (seen < want)
        return rc_errf(err, err_len, RC_ERR_FORMAT,
                       "%s:%lld: file ends after %lld of the %lld vectors the header announces",
                       path, (long long)rc_line_reader_lineno(in), (long long)seen, (long long)V);
    if (want < V)
        return RC_OK; // a limit was asked for: the rest is not read
    while ((st = rc_line_reader_next(in, &line, &len, err, err_len)) == RC_OK && line)
        if (!blank(line, len))
            return rc_errf(err, err_len, RC_ERR_FORMAT,
                           "%s:%lld: more vectors than the header's count %lld", path,
                           (long long)rc_line_reader_lineno(in), (long long)V);
    return st;
}

// The vectors to make room for: the header's count (or the limit), but no more than the file's
// bytes can hold (a line of D values has at least 2 D + 1 bytes), so a header promising 10^16
// vectors allocates nothing huge before read_body reports the lines missing.
static int64_t room_for(const char *path, int64_t want, int32_t D) {
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return want; // a pipe: its size is unknown
    const int64_t most = (int64_t)sb.st_size / (2 * (int64_t)D + 1) + 1;
    return want < most ? want : most;
}

rc_status rc_wordvecs_load_vec(rc_wordvecs **out, const char *path, const rc_vec_load_opts *opts,
                               rc_vec_load_stats *stats, char *err, size_t err_len) {
    if (out)
        *out = NULL;
    if (!out || !path)
        return rc_err_null(err, err_len, "rc_wordvecs_load_vec", out ? "path" : "wv");
    if (stats)
        memset(stats, 0, sizeof *stats);
    rc_line_reader *in;
    rc_status st = rc_line_reader_open(&in, path, &rc_embed_table_lines, err, err_len);
    if (st != RC_OK)
        return st;
    int64_t V = 0;
    int32_t D = 0;
    rc_wordvecs *wv = NULL;
    float *vec = NULL;
    st = parse_header(path, in, &V, &D, err, err_len);
    if (st == RC_OK) {
        int64_t want = opts && opts->limit > 0 && opts->limit < V ? opts->limit : V;
        vec = malloc((size_t)D * sizeof *vec);
        st = vec ? rc_wordvecs_new(&wv, room_for(path, want, D), D) : RC_ERR_NOMEM;
        if (st != RC_OK)
            rc_errf(err, err_len, st, "%s: cannot hold %lld vectors of %d floats", path,
                    (long long)want, D);
        else
            st = read_body(path, in, wv, V, want, opts && opts->skip_duplicates, stats, vec, err,
                           err_len);
    }
    rc_line_reader_close(&in);
    free(vec);
    if (st != RC_OK) {
        rc_wordvecs_free(&wv);
        return st;
    }
    *out = wv;
    return RC_OK;
}

rc_status rc_wordvecs_save_vec(const rc_wordvecs *wv, const char *path, char *err, size_t err_len) {
    if (!wv || !path)
        return rc_err_null(err, err_len, "rc_wordvecs_save_vec", wv ? "path" : "wv");
    rc_afile af;
    rc_status st = rc_afile_open(&af, path, err, err_len);
    if (st != RC_OK)
        return st;
    const int64_t V = rc_wordvecs_count(wv);
    const int32_t D = rc_wordvecs_dim(wv);
    bool ok = fprintf(af.f, "%lld %d\n", (long long)V, D) > 0;
    for (int64_t i = 0; ok && i < V; i++) {
        const float *v = rc_wordvecs_vec(wv, i);
        ok = fputs(rc_wordvecs_word(wv, i), af.f) >= 0;
        for (int32_t d = 0; ok && d < D; d++)
            ok = fprintf(af.f, " %.9g", (double)v[d]) > 0;
        ok = ok && fputc('\n', af.f) != EOF;
    }
    if (!ok) {               // stopped at the first failed write
        const int e = errno; // before abort, which may set it
        rc_afile_abort(&af);
        return rc_errf(err, err_len, RC_ERR_IO, "%s: write failed: %s", path, strerror(e));
    }
    return rc_afile_commit(&af, err, err_len);
}
