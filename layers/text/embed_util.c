// Small helpers of the word-embedding code: error messages, atomic file writes, UTF-8 checks.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embed_impl.h"

rc_status rc_embed_fail(char *err, size_t err_len, rc_status st, const char *fmt, ...) {
    if (err && err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return st;
}

// Length of the valid UTF-8 sequence at s (1-4), or 0 (overlong, surrogate, > U+10FFFF, cut).
static int utf8_seq(const unsigned char *s, size_t len) {
    const unsigned c = s[0];
    if (c < 0x80)
        return 1;
    int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (!n || c > 0xF4 || (size_t)n > len)
        return 0;
    for (int k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) ||
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
        return 0;
    return n;
}

bool rc_embed_utf8_ok(const char *s, size_t len, size_t *bad) {
    for (size_t i = 0; i < len;) {
        int n = utf8_seq((const unsigned char *)s + i, len - i);
        if (!n) {
            if (bad)
                *bad = i;
            return false;
        }
        i += (size_t)n;
    }
    return true;
}

rc_status rc_atomic_open(rc_atomic_file *af, const char *path, char *err, size_t err_len) {
    af->f = NULL;
    af->path = path;
    size_t n = strlen(path);
    af->tmp = malloc(n + 16);
    if (!af->tmp)
        return rc_embed_fail(err, err_len, RC_ERR_NOMEM, "%s: out of memory", path);
    memcpy(af->tmp, path, n);
    memcpy(af->tmp + n, ".tmp.XXXXXX", 12);
    int fd = mkstemp(af->tmp);
    if (fd < 0) {
        rc_status st = rc_embed_fail(err, err_len, RC_ERR_IO, "%s: %s", path, strerror(errno));
        free(af->tmp);
        af->tmp = NULL;
        return st;
    }
    af->f = fdopen(fd, "w");
    if (!af->f) {
        rc_status st = rc_embed_fail(err, err_len, RC_ERR_IO, "%s: %s", path, strerror(errno));
        close(fd);
        unlink(af->tmp);
        free(af->tmp);
        af->tmp = NULL;
        return st;
    }
    return RC_OK;
}

rc_status rc_atomic_commit(rc_atomic_file *af, bool ok, char *err, size_t err_len) {
    rc_status st = RC_OK;
    if (ok && (fflush(af->f) != 0 || ferror(af->f) || fsync(fileno(af->f)) != 0))
        st = rc_embed_fail(err, err_len, RC_ERR_IO, "%s: %s", af->path, strerror(errno));
    if (fclose(af->f) != 0 && ok && st == RC_OK)
        st = rc_embed_fail(err, err_len, RC_ERR_IO, "%s: %s", af->path, strerror(errno));
    if (ok && st == RC_OK && rename(af->tmp, af->path) != 0)
        st = rc_embed_fail(err, err_len, RC_ERR_IO, "%s: %s", af->path, strerror(errno));
    if (!ok || st != RC_OK)
        unlink(af->tmp);
    free(af->tmp);
    af->tmp = NULL;
    af->f = NULL;
    return ok ? st : RC_OK;
}
