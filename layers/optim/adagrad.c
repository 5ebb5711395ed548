// Adagrad as torch.optim.Adagrad 1.13: sum starts at initial_accumulator_value;
//   sum = sum + g*g;  p = p - (lr / (1 + (t-1)*lr_decay)) * g / (sqrt(sum) + eps).
#include <math.h>

#include "optim_impl.h"

static void adagrad_defaults(rc_optim_opts *o) {
    o->eps = 1e-10;
}

static const char *adagrad_slot(const rc_optim_opts *o, int k) {
    (void)o;
    return k == 0 ? "sum" : NULL;
}

static void adagrad_scalars(const rc_optim_opts *o, int64_t step, rc_optim_coef *c) {
    c->neg_step = (float)-(o->lr / (1 + (double)(step - 1) * o->lr_decay));
}

static void adagrad_first_state(const rc_optim_opts *o, const rc_optim_bufs *b, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        b->s0[i] = (float)o->initial_accumulator_value;
}

static void adagrad_update(const rc_optim_coef *c, const rc_optim_bufs *b, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
        const float g = rc_optim_grad(c, b, i);
        float *sum = &b->s0[i];
        *sum = *sum + (1.0f * g) * g;
        const float std = sqrtf(*sum) + c->eps;
        b->p[i] = b->p[i] + (c->neg_step * g) / std;
    }
}

const rc_optim_kind_def rc_optim_adagrad_def = {
    .name = "adagrad",
    .defaults = adagrad_defaults,
    .slot_name = adagrad_slot,
    .scalars = adagrad_scalars,
    .first_state = adagrad_first_state,
    .update = adagrad_update,
};
