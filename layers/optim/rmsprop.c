// RMSprop as torch.optim.RMSprop 1.13, centered and with momentum:
//   sq = alpha*sq + (1-alpha)*g*g;  centered: ga = alpha*ga + (1-alpha)*g, avg = sqrt(sq - ga*ga)
//   else avg = sqrt(sq);  avg = avg + eps;
//   momentum: buf = mom*buf + g/avg, p = p - lr*buf;  else p = p - lr*g/avg.
#include <math.h>

#include "optim_impl.h"

static void rmsprop_defaults(rc_optim_opts *o) {
    o->alpha = 0.99, o->eps = 1e-8;
}

static const char *rmsprop_slot(const rc_optim_opts *o, int k) {
    return k == 0                      ? "square_avg"
           : k == 1 && o->momentum > 0 ? "momentum_buffer"
           : k == 2 && o->centered     ? "grad_avg"
                                       : NULL;
}

static void rmsprop_scalars(const rc_optim_opts *o, int64_t step, rc_optim_coef *c) {
    (void)step;
    c->alpha = (float)o->alpha, c->one_minus_alpha = (float)(1 - o->alpha);
    c->has_mom = o->momentum > 0;
}

static void rmsprop_update(const rc_optim_coef *c, const rc_optim_bufs *b, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
        const float g = rc_optim_grad(c, b, i);
        float *sq = &b->s0[i];
        *sq = *sq * c->alpha + (c->one_minus_alpha * g) * g;
        float avg;
        if (c->centered) {
            float *ga = &b->s2[i];
            *ga = *ga * c->alpha + c->one_minus_alpha * g;
            avg = sqrtf(*sq + (-1.0f * *ga) * *ga);
        } else
            avg = sqrtf(*sq);
        avg = avg + c->eps;
        if (c->has_mom) {
            float *buf = &b->s1[i];
            *buf = *buf * c->mom + (1.0f * g) / avg;
            b->p[i] = b->p[i] + c->neg_lr * *buf;
        } else
            b->p[i] = b->p[i] + (c->neg_lr * g) / avg;
    }
}

const rc_optim_kind_def rc_optim_rmsprop_def = {
    .name = "rmsprop",
    .defaults = rmsprop_defaults,
    .slot_name = rmsprop_slot,
    .scalars = rmsprop_scalars,
    .update = rmsprop_update,
};
