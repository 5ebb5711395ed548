// Helpers layers/ and text/ share (common/common.h): error messages, growable arrays and files
// written to a temporary name, flushed, fsync'ed and renamed.
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"

rc_status rc_verrf(char *err, size_t err_len, rc_status st, const char *fmt, va_list ap) {
    if (err && err_len)
        vsnprintf(err, err_len, fmt, ap);
    return st;
}

rc_status rc_errf(char *err, size_t err_len, rc_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rc_verrf(err, err_len, st, fmt, ap);
    va_end(ap);
    return st;
}

rc_status rc_err_null(char *err, size_t err_len, const char *fn, const char *arg) {
    return rc_errf(err, err_len, RC_ERR_ARG, "%s: %s is NULL", fn, arg);
}

bool rc_grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

rc_status rc_afile_open(rc_afile *a, const char *path, char *err, size_t err_len) {
    memset(a, 0, sizeof *a);
    const size_t n = strlen(path);
    a->tmp = malloc(n + 16);
    if (!a->tmp)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", path);
    snprintf(a->tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(a->tmp);
    if (fd < 0 || !(a->f = fdopen(fd, "wb"))) {
        rc_errf(err, err_len, RC_ERR_IO, "%s: cannot create a temporary file: %s", path,
                strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(a->tmp);
        }
        free(a->tmp);
        a->tmp = NULL;
        return RC_ERR_IO;
    }
    fchmod(fd, 0644); // mkstemp makes 0600; outputs are shared like any other file
    a->path = path;
    return RC_OK;
}

void rc_afile_abort(rc_afile *a) {
    if (a->f) {
        fclose(a->f);
        unlink(a->tmp);
    }
    free(a->tmp);
    memset(a, 0, sizeof *a);
}

// Directory entries become durable only when the directory itself is synced.
static void sync_dir(const char *path) {
    char *dir = strdup(path);
    if (!dir)
        return;
    char *slash = strrchr(dir, '/');
    const char *d = slash ? (slash == dir ? "/" : (*slash = 0, dir)) : ".";
    FILE *fp = fopen(d, "r");
    if (fp) {
        fsync(fileno(fp));
        fclose(fp);
    }
    free(dir);
}

rc_status rc_afile_commit(rc_afile *a, char *err, size_t err_len) {
    bool ok = !ferror(a->f) && fflush(a->f) == 0 && fsync(fileno(a->f)) == 0;
    int e = errno;
    if (fclose(a->f) != 0 && ok)
        ok = false, e = errno;
    a->f = NULL;
    if (ok && rename(a->tmp, a->path) != 0)
        ok = false, e = errno;
    if (ok) {
        sync_dir(a->path);
    } else {
        rc_errf(err, err_len, RC_ERR_IO, "%s: write failed: %s", a->path, strerror(e ? e : EIO));
        unlink(a->tmp);
    }
    free(a->tmp);
    a->tmp = NULL;
    return ok ? RC_OK : RC_ERR_IO;
}
