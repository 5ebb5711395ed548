// Files written the safe way: to a temporary name beside the target, flushed, fsync'ed, renamed.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "text_impl.h"

rc_status rc_afile_open(rc_afile *a, const char *path, char *err, size_t err_len) {
    memset(a, 0, sizeof *a);
    size_t n = strlen(path);
    a->tmp = malloc(n + 16);
    if (!a->tmp)
        return RC_ERR_NOMEM;
    memcpy(a->tmp, path, n);
    memcpy(a->tmp + n, ".tmp.XXXXXX", 12);
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

rc_status rc_afile_commit(rc_afile *a, char *err, size_t err_len) {
    bool ok = !ferror(a->f) && fflush(a->f) == 0 && fsync(fileno(a->f)) == 0;
    int e = errno;
    ok = fclose(a->f) == 0 && ok;
    a->f = NULL;
    if (ok && rename(a->tmp, a->path) != 0)
        ok = false, e = errno;
    if (!ok) {
        rc_errf(err, err_len, RC_ERR_IO, "%s: write failed: %s", a->path, strerror(e));
        unlink(a->tmp);
    }
    free(a->tmp);
    a->tmp = NULL;
    return ok ? RC_OK : RC_ERR_IO;
}
