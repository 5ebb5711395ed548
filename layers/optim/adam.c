// Adam and AdamW as torch.optim 1.13's single-tensor kernels, with amsgrad:
//   m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g*g;  v^ = amsgrad ? max(v^, v) : v;
//   p = p - (lr / (1 - b1^t)) * m / (sqrt(v^) / sqrt(1 - b2^t) + eps).
// Adam adds weight decay to the gradient (g + wd*p); AdamW decays the weight instead, first:
// p = p * (1 - lr*wd).
#include <math.h>

#include "common/common.h"
#include "optim_impl.h"

static void adam_defaults(rc_optim_opts *o) {
    o->beta1 = 0.9, o->beta2 = 0.999, o->eps = 1e-8;
}

static void adamw_defaults(rc_optim_opts *o) {
    adam_defaults(o);
    o->weight_decay = 1e-2;
}

static rc_status adam_check(const rc_optim_opts *o, char *err, size_t len) {
    if (!(o->beta1 >= 0 && o->beta1 < 1))
        return rc_errf(err, len, RC_ERR_ARG, "optimizer: invalid beta1 %g (must be in [0, 1))",
                       o->beta1);
    if (!(o->beta2 >= 0 && o->beta2 < 1))
        return rc_errf(err, len, RC_ERR_ARG, "optimizer: invalid beta2 %g (must be in [0, 1))",
                       o->beta2);
    return RC_OK;
}

static const char *adam_slot(const rc_optim_opts *o, int k) {
    return k == 0                 ? "exp_avg"
           : k == 1               ? "exp_avg_sq"
           : k == 2 && o->amsgrad ? "max_exp_avg_sq"
                                  : NULL;
}

static void adam_scalars(const rc_optim_opts *o, int64_t step, rc_optim_coef *c) {
    const double bc1 = 1 - pow(o->beta1, (double)step), bc2 = 1 - pow(o->beta2, (double)step);
    c->b1 = (float)o->beta1, c->one_minus_b1 = (float)(1 - o->beta1);
    c->b2 = (float)o->beta2, c->one_minus_b2 = (float)(1 - o->beta2);
    c->neg_step = (float)-(o->lr / bc1);
    c->bc2_sqrt = (float)sqrt(bc2);
}

static void adamw_scalars(const rc_optim_opts *o, int64_t step, rc_optim_coef *c) {
    adam_scalars(o, step, c);
    c->decay = (float)(1 - o->lr * o->weight_decay);
    c->has_wd = false;
}

static void adam_update(const rc_optim_coef *c, const rc_optim_bufs *b, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
        const float g = rc_optim_grad(c, b, i);
        float *m = &b->s0[i], *v = &b->s1[i];
        if (c->decay != 1.0f) // AdamW's decoupled decay (c->decay = 1 - lr * wd)
            b->p[i] = b->p[i] * c->decay;
        *m = *m * c->b1 + c->one_minus_b1 * g;
        *v = *v * c->b2 + (c->one_minus_b2 * g) * g;
        float vv = *v;
        if (c->amsgrad) {
            b->s2[i] = b->s2[i] > vv ? b->s2[i] : vv;
            vv = b->s2[i];
        }
        const float denom = sqrtf(vv) / c->bc2_sqrt + c->eps;
        b->p[i] = b->p[i] + (c->neg_step * *m) / denom;
    }
}

const rc_optim_kind_def rc_optim_adam_def = {
    .name = "adam",
    .defaults = adam_defaults,
    .check = adam_check,
    .slot_name = adam_slot,
    .scalars = adam_scalars,
    .update = adam_update,
};

const rc_optim_kind_def rc_optim_adamw_def = {
    .name = "adamw",
    .defaults = adamw_defaults,
    .check = adam_check,
    .slot_name = adam_slot,
    .scalars = adamw_scalars,
    .update = adam_update,
};
