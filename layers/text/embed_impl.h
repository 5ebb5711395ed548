// Private helpers shared by the word-embedding files of layers/text (not exported).
#ifndef RECUR_EMBED_IMPL_H
#define RECUR_EMBED_IMPL_H

#include <stdarg.h>
#include <stdio.h>

#include <recur/recur.h>

// Formats a message into err (when err is not NULL) and returns st.
rc_status rc_embed_fail(char *err, size_t err_len, rc_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

// Writes a file through a temporary name in the same folder: open gives a FILE to write,
// commit flushes, fsyncs and renames it over path (or removes it when ok is false).
typedef struct rc_atomic_file {
    FILE *f;
    char *tmp;
    const char *path;
} rc_atomic_file;
rc_status rc_atomic_open(rc_atomic_file *af, const char *path, char *err, size_t err_len);
rc_status rc_atomic_commit(rc_atomic_file *af, bool ok, char *err, size_t err_len);

// True when s[0..len) is valid UTF-8; else *bad (if not NULL) is the offset of the first bad byte.
bool rc_embed_utf8_ok(const char *s, size_t len, size_t *bad);

#endif
