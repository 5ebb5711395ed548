// Helpers every part of layers/ shares (layers_impl.h): error messages.
#include <stdarg.h>
#include <stdio.h>

#include "layers_impl.h"

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
