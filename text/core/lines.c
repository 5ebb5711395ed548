// A line reader with bounded memory: a buffer that starts at two read chunks and doubles while a
// line without its newline fills it, up to max_line bytes plus one read chunk. Lines are returned
// in place (no copy) when they lie in the buffer, which they always do, since a line longer than
// max_line is an error or is split before the buffer reaches its bound. A reader opened with a
// 64 MiB bound for the rare huge line (.vec, BEIR) so costs 128 KiB on files of short lines.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "text/text_impl.h"

#define READ_CHUNK 65536
#define DEFAULT_MAX_LINE ((size_t)1 << 20)
#define FIRST_CAP ((size_t)2 * READ_CHUNK)

struct rc_line_reader {
    FILE *f;
    char *path;
    rc_line_opts o;
    char *buf;
    size_t cap, start, end; // unread data is buf[start..end)
    size_t max_cap;         // max_line + '\r' + a free byte + one read chunk
    bool eof;
    bool discard;    // skipping the rest of a line that was reported as too long
    bool continuing; // the last piece returned was not the end of its line (split mode)
    size_t line_off; // offset of the next piece within its line (split mode)
    int64_t lineno;
};

rc_status rc_line_reader_open(rc_line_reader **out, const char *path, const rc_line_opts *opts,
                              char *err, size_t err_len) {
    if (out)
        *out = NULL;
    if (!out || !path)
        return rc_err_null(err, err_len, "rc_line_reader_open", out ? "path" : "r");
    rc_line_reader *r = calloc(1, sizeof *r);
    if (!r)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory for a line reader", path);
    r->o = opts ? *opts : (rc_line_opts){0};
    if (!r->o.max_line)
        r->o.max_line = DEFAULT_MAX_LINE;
    r->max_cap = r->o.max_line + 2 + READ_CHUNK;
    r->cap = r->max_cap < FIRST_CAP ? r->max_cap : FIRST_CAP;
    r->buf = malloc(r->cap);
    r->path = strdup(path);
    if (!r->buf || !r->path) {
        size_t cap = r->cap; // read before close, which frees r
        rc_line_reader_close(&r);
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory for a %zu-byte line buffer",
                       path, cap);
    }
    r->f = fopen(path, "rb");
    if (!r->f) {
        rc_status st = rc_errf(err, err_len, RC_ERR_IO, "%s: %s", path, strerror(errno));
        rc_line_reader_close(&r);
        return st;
    }
    *out = r;
    return RC_OK;
}

void rc_line_reader_close(rc_line_reader **pr) {
    if (!pr || !*pr)
        return;
    rc_line_reader *r = *pr;
    if (r->f)
        fclose(r->f);
    free(r->buf);
    free(r->path);
    free(r);
    *pr = NULL;
}

int64_t rc_line_reader_lineno(const rc_line_reader *r) {
    return r ? r->lineno : 0;
}

const char *rc_line_reader_path(const rc_line_reader *r) {
    return r ? r->path : NULL;
}

// Doubles the buffer (up to max_cap) when unread data fills it.
static rc_status grow(rc_line_reader *r, char *err, size_t err_len) {
    size_t cap = r->cap > r->max_cap / 2 ? r->max_cap : 2 * r->cap;
    char *buf = realloc(r->buf, cap);
    if (!buf)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s:%lld: out of memory for a %zu-byte line",
                       r->path, (long long)r->lineno + 1, cap);
    r->buf = buf;
    r->cap = cap;
    return RC_OK;
}

// Moves unread data to the front and reads one more chunk (sets eof when none is left).
static rc_status fill(rc_line_reader *r, char *err, size_t err_len) {
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->end == r->cap) { // never at max_cap: next() reports the line before it is that long
        rc_status st = grow(r, err, err_len);
        if (st != RC_OK)
            return st;
    }
    size_t got = fread(r->buf + r->end, 1, r->cap - r->end, r->f);
    r->end += got;
    if (got == 0) {
        if (ferror(r->f))
            return rc_errf(err, err_len, RC_ERR_IO, "%s:%lld: read error: %s", r->path,
                           (long long)r->lineno + 1, strerror(errno));
        r->eof = true;
    }
    return RC_OK;
}

static bool continuation(char c) {
    return ((unsigned char)c & 0xC0) == 0x80;
}

// Where to cut a piece of at most max bytes from s[0..n) (n > max): after the last space or tab
// (*skip = 1 to drop it), else at a code point boundary. A character longer than max at the start
// (max < 4) goes whole into a piece of up to max + 3 bytes, so valid UTF-8 stays valid.
static size_t split_point(const char *s, size_t n, size_t max, size_t *skip) {
    for (size_t i = max; i > 0; i--) {
        if (s[i] == ' ' || s[i] == '\t') {
            *skip = 1;
            return i;
        }
    }
    *skip = 0;
    size_t i = max;
    for (int k = 0; k < 3 && i > 0 && continuation(s[i]); k++)
        i--;
    if (i > 0 || (unsigned char)s[0] < 0xC0) // not a multi-byte character: cut anywhere
        return i > 0 ? i : max;
    for (i = max; i < n && i < max + 3 && continuation(s[i]); i++)
        ;
    return i;
}

// Whether the line s[0..m) is too long to return whole: longer than max_line, unless in split
// mode its last piece would be all of it (one character longer than max_line).
static bool too_long_whole(const rc_line_reader *r, const char *s, size_t m) {
    size_t skip;
    return m > r->o.max_line &&
           (r->o.long_line != RC_LONG_LINE_SPLIT || split_point(s, m, r->o.max_line, &skip) < m);
}

// A whole line (last) is NUL-terminated in place (text_impl.h): the byte after it is its '\r' or
// '\n', or at the end of the file the free byte after the data (end < cap: the last fill asked
// for cap - end > 0 bytes and got none).
static rc_status emit(rc_line_reader *r, char *s, size_t len, bool last, const char **line,
                      size_t *out_len, char *err, size_t err_len) {
    if (!r->continuing)
        r->lineno++, r->line_off = 0;
    size_t off = r->line_off;
    r->continuing = !last;
    r->line_off += len;
    size_t bad;
    rc_utf8_error why;
    if (r->o.validate_utf8 && !rc_utf8_validate(s, len, &bad, &why))
        return rc_errf(err, err_len, RC_ERR_FORMAT, "%s:%lld: invalid UTF-8 at byte %zu: %s",
                       r->path, (long long)r->lineno, off + bad, rc_utf8_error_str(why));
    if (last)
        s[len] = '\0';
    *line = s;
    *out_len = len;
    return RC_OK;
}

// The line at the read position, of which n > max_line bytes are in the buffer, is longer than
// max_line: cut a piece off it (split mode), or report it and skip to its end (error mode).
static rc_status too_long(rc_line_reader *r, size_t n, const char **line, size_t *len, char *err,
                          size_t err_len) {
    const size_t max = r->o.max_line;
    char *s = r->buf + r->start;
    if (r->o.long_line == RC_LONG_LINE_SPLIT) {
        size_t skip, cut = split_point(s, n, max, &skip);
        r->start += cut + skip;
        rc_status st = emit(r, s, cut, false, line, len, err, err_len);
        r->line_off += skip; // a dropped space still counts for byte offsets
        return st;
    }
    if (!r->continuing)
        r->lineno++;
    r->continuing = false;
    // Skip the rest of this line only: the lines buffered after it are still to be returned.
    const char *nl = memchr(s, '\n', r->end - r->start);
    r->start = nl ? (size_t)(nl + 1 - r->buf) : r->end;
    r->discard = !nl;
    return rc_errf(err, err_len, RC_ERR_FORMAT, "%s:%lld: line longer than %zu bytes", r->path,
                   (long long)r->lineno, max);
}

rc_status rc_line_reader_next(rc_line_reader *r, const char **line, size_t *len, char *err,
                              size_t err_len) {
    if (!r || !line || !len) {
        if (line)
            *line = NULL;
        return rc_err_null(err, err_len, "rc_line_reader_next", !r ? "r" : !line ? "line" : "len");
    }
    *line = NULL;
    *len = 0;
    const size_t max = r->o.max_line;
    // Bytes to look at before deciding that a line without a newline in sight is too long:
    // max + '\r' + one more, and in split mode up to 3 bytes of a character that ends a piece.
    const size_t look = max + (r->o.long_line == RC_LONG_LINE_SPLIT ? 3 : 2);
    for (;;) {
        char *s = r->buf + r->start;
        size_t avail = r->end - r->start;
        char *nl = memchr(s, '\n', avail);
        if (r->discard) { // the rest of a line already reported as too long
            r->start = nl ? (size_t)(nl + 1 - r->buf) : r->end;
            r->discard = !nl;
            if (nl)
                continue;
        } else if (nl) {
            size_t n = (size_t)(nl - s), m = n && s[n - 1] == '\r' ? n - 1 : n;
            if (too_long_whole(r, s, m))
                return too_long(r, m, line, len, err, err_len);
            r->start += n + 1;
            return emit(r, s, m, true, line, len, err, err_len);
        } else if (avail >= look) { // no newline within max + '\r' bytes
            return too_long(r, avail, line, len, err, err_len);
        } else if (r->eof) {
            if (!avail)
                return RC_OK;
            size_t m = s[avail - 1] == '\r' ? avail - 1 : avail;
            if (too_long_whole(r, s, m))
                return too_long(r, m, line, len, err, err_len);
            r->start = r->end;
            return emit(r, s, m, true, line, len, err, err_len);
        }
        if (r->eof)
            return RC_OK; // discarding to the end of the file
        rc_status st = fill(r, err, err_len);
        if (st != RC_OK)
            return st;
    }
}

rc_status rc_each_token_line(const char *path, const rc_line_opts *lopts, bool keep_empty,
                             rc_line_tokenizer tok, const void *tok_ctx, rc_token_line_fn fn,
                             void *ctx, char *err, size_t err_len) {
    rc_line_reader *r;
    rc_status st = rc_line_reader_open(&r, path, lopts, err, err_len);
    if (st != RC_OK)
        return st;
    rc_tokens t = {0};
    const char *line;
    size_t len;
    char why[200];
    while ((st = rc_line_reader_next(r, &line, &len, err, err_len)) == RC_OK && line) {
        if (!len && !keep_empty) // an empty line has no tokens
            continue;
        st = tok(tok_ctx, line, len, &t, why, sizeof why);
        if (st == RC_OK)
            st = fn(ctx, &t, why, sizeof why);
        if (st != RC_OK) {
            rc_errf(err, err_len, st, "%s:%lld: %s", path, (long long)rc_line_reader_lineno(r),
                    why);
            break;
        }
    }
    rc_tokens_free(&t);
    rc_line_reader_close(&r);
    return st;
}
