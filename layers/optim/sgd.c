// SGD as torch.optim.SGD 1.13: momentum with dampening, Nesterov, coupled weight decay.
//   d = g + wd*p;  buf = d on the first step, else mom*buf + (1 - dampening)*d;
//   d = nesterov ? d + mom*buf : buf (with momentum);  p = p - lr*d.
#include <stddef.h>

#include "common/common.h"
#include "optim_impl.h"

static rc_status sgd_check(const rc_optim_opts *o, char *err, size_t len) {
    if (o->nesterov && (o->momentum <= 0 || o->dampening != 0))
        return rc_errf(err, len, RC_ERR_ARG,
                       "optimizer: Nesterov momentum requires a momentum and zero "
                       "dampening (momentum %g, dampening %g)",
                       o->momentum, o->dampening);
    return RC_OK;
}

static const char *sgd_slot(const rc_optim_opts *o, int k) {
    return k == 0 && o->momentum != 0 ? "momentum_buffer" : NULL;
}

static void sgd_update(const rc_optim_coef *c, const rc_optim_bufs *b, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
        float d = rc_optim_grad(c, b, i);
        if (c->has_mom) {
            float *buf = &b->s0[i];
            *buf = c->first ? d : *buf * c->mom + c->one_minus_damp * d;
            d = c->nesterov ? d + c->mom * *buf : *buf;
        }
        b->p[i] = b->p[i] + c->neg_lr * d;
    }
}

const rc_optim_kind_def rc_optim_sgd_def = {
    .name = "sgd",
    .check = sgd_check,
    .slot_name = sgd_slot,
    .update = sgd_update,
};
