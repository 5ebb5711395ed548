// Private to layers/: helpers the layers share.
#ifndef RECUR_LAYERS_IMPL_H
#define RECUR_LAYERS_IMPL_H

#include <stdarg.h>

#include <recur/recur.h>

// Writes a formatted message into err (when err is non-NULL and err_len > 0) and returns st, so
// error paths read `return rc_errf(err, len, RC_ERR_ARG, "...", ...);`.
rc_status rc_errf(char *err, size_t err_len, rc_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
// The same with a va_list, for helpers that add a prefix or take their own arguments.
rc_status rc_verrf(char *err, size_t err_len, rc_status st, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

// "<prefix>.<leaf>", or "<leaf>" for a NULL or empty prefix; malloc'ed (NULL: out of memory).
char *rc_layer_name(const char *prefix, const char *leaf);
// Adds n (<= 4) parameters "<prefix>.<leaf[i]>" of shape[i] into out[i]; when any name is taken,
// RC_ERR_ARG and nothing is added.
rc_status rc_layer_add_params(rc_params *ps, const char *prefix, int n, const char *const *leaf,
                              const rc_shape *shape, rc_param **out);

#endif
