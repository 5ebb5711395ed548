// The Dropout layer, PyTorch's torch.nn.Dropout: inverted dropout in training, identity in eval.
#include <math.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "layers_impl.h"

rc_status rc_dropout_layer_init(rc_dropout_layer *l, float p) {
    if (!l)
        return rc_set_last_error(RC_ERR_ARG, "rc_dropout_layer_init: l is NULL");
    if (!(p >= 0 && p <= 1))
        return rc_set_last_error(RC_ERR_ARG, "rc_dropout_layer_init: p = %g; want 0 <= p <= 1",
                                 (double)p);
    *l = (rc_dropout_layer){p, true};
    return RC_OK;
}

rc_var rc_dropout_layer_forward(const rc_dropout_layer *l, rc_var x, rc_rng *rng) {
    if (!l)
        return rc_layer_null(x.g, "rc_dropout_layer_forward", "l");
    if (!l->training || l->p == 0)
        return x;
    if (l->p == 1)
        return rc_scale(x, 0.0f); // every unit dropped; gradients are zero too
    if (!rng)
        return rc_layer_null(x.g, "rc_dropout_layer_forward", "rng");
    return rc_dropout(x, l->p, rng, NULL);
}
