// Private helpers that layers/ and text/ share (not exported): error messages, growable arrays
// and files written whole or not at all. Included by its path from the project root:
// #include "common/common.h".
#ifndef RECUR_COMMON_H
#define RECUR_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <recur/base.h>

// Writes a formatted message into err (when err is non-NULL and err_len > 0) and the thread's
// last error (rc_last_error), and returns st, so error paths read
// `return rc_errf(err, len, RC_ERR_ARG, "...", ...);`. Functions without an err buffer pass
// NULL, 0.
rc_status rc_errf(char *err, size_t err_len, rc_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
// The same with a va_list, for helpers that add a prefix or take their own arguments.
rc_status rc_verrf(char *err, size_t err_len, rc_status st, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
// RC_ERR_ARG "fn: arg is NULL", the message of the NULL policy (include/recur/base.h).
rc_status rc_err_null(char *err, size_t err_len, const char *fn, const char *arg);

// A file written to a temporary name beside path, "<path>.recur-tmp.<pid>.<n>", then flushed,
// fsync'ed and renamed over path (and the folder synced) by commit, so path never holds half a
// file. A file already at path keeps its permission bits; a new one gets what open() with 0666
// gives under the umask. A symlink at path is written through: the temporary file is made beside
// the file it names (which need not exist yet) and renamed onto that, so the link stays. Open
// first removes the temporary files that saves to the same file left when they were killed (of
// a pid that no longer exists).
typedef struct rc_afile {
    FILE *f; // write here
    char *tmp;
    char *target; // path, or the file the symlink at path names
    const char *path;
} rc_afile;
// RC_ERR_IO "path: cannot create a temporary file: <reason>".
rc_status rc_afile_open(rc_afile *a, const char *path, char *err, size_t err_len);
// Fails with RC_ERR_IO "path: write failed: <reason>" when any write failed (ferror) or flush,
// fsync or rename fail; then removes the temporary file. Cleans up in every case.
rc_status rc_afile_commit(rc_afile *a, char *err, size_t err_len);
// Closes and removes the temporary file (the caller's own error).
void rc_afile_abort(rc_afile *a);

// Grows *p (capacity *cap elements of elem bytes) to hold at least need elements, doubling.
bool rc_grow(void **p, size_t *cap, size_t need, size_t elem);

#endif
