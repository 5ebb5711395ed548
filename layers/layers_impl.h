// Private to layers/: helpers the layers share. The helpers layers/ and text/ both use are in
// common/common.h.
#ifndef RECUR_LAYERS_IMPL_H
#define RECUR_LAYERS_IMPL_H

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "common/common.h"

// "<prefix>.<leaf>", or "<leaf>" for a NULL or empty prefix; malloc'ed (NULL: out of memory).
char *rc_layer_name(const char *prefix, const char *leaf);
// Adds n (<= 4) parameters "<prefix>.<leaf[i]>" of shape[i] into out[i]; when any name is taken,
// RC_ERR_ARG and nothing is added.
rc_status rc_layer_add_params(rc_params *ps, const char *prefix, int n, const char *const *leaf,
                              const rc_shape *shape, rc_param **out);

// The NULL policy of a layer's forward: the sticky error "fn: arg is NULL" in g (with g NULL,
// rc_last_error only); returns RC_NONE.
rc_var rc_layer_null(rc_graph *g, const char *fn, const char *arg);

#endif
