// Optimizers with PyTorch 1.13's update rules. Per element, the f32 operations run in the order
// of PyTorch's single-tensor kernels (add with alpha: a + alpha*b; addcmul: a + (v*b)*c;
// addcdiv: a + (v*b)/c), with the scalars computed in double and rounded to f32, so results agree
// with torch.optim to a few ulps.
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "layers_impl.h"

struct rc_optim {
    rc_params *ps;
    rc_optim_opts o;
    int64_t *steps; // per parameter, by index in the store
    int n_steps;
};

rc_optim_opts rc_optim_defaults(rc_optim_kind kind, double lr) {
    rc_optim_opts o = {.kind = kind, .lr = lr};
    switch (kind) {
    case RC_OPTIM_ADAMW:
        o.weight_decay = 1e-2;
        // fall through
    case RC_OPTIM_ADAM:
        o.beta1 = 0.9, o.beta2 = 0.999, o.eps = 1e-8;
        break;
    case RC_OPTIM_ADAGRAD:
        o.eps = 1e-10;
        break;
    case RC_OPTIM_RMSPROP:
        o.alpha = 0.99, o.eps = 1e-8;
        break;
    case RC_OPTIM_SGD:
    default:
        break;
    }
    return o;
}

static rc_status check_opts(const rc_optim_opts *o, char *err, size_t len) {
    if ((unsigned)o->kind > RC_OPTIM_RMSPROP)
        return rc_errf(err, len, RC_ERR_ARG, "optimizer: unknown kind %d", (int)o->kind);
    const struct {
        const char *name;
        double v;
    } nonneg[] = {{"lr", o->lr},
                  {"weight_decay", o->weight_decay},
                  {"momentum", o->momentum},
                  {"eps", o->eps},
                  {"lr_decay", o->lr_decay},
                  {"initial_accumulator_value", o->initial_accumulator_value},
                  {"alpha", o->alpha}};
    for (size_t i = 0; i < sizeof nonneg / sizeof *nonneg; i++)
        if (!(nonneg[i].v >= 0) || isinf(nonneg[i].v))
            return rc_errf(err, len, RC_ERR_ARG, "optimizer: invalid %s %g (must be finite and >= 0)",
                             nonneg[i].name, nonneg[i].v);
    if (!isfinite(o->dampening))
        return rc_errf(err, len, RC_ERR_ARG, "optimizer: invalid dampening %g", o->dampening);
    if (o->kind == RC_OPTIM_ADAM || o->kind == RC_OPTIM_ADAMW) {
        if (!(o->beta1 >= 0 && o->beta1 < 1))
            return rc_errf(err, len, RC_ERR_ARG, "optimizer: invalid beta1 %g (must be in [0, 1))", o->beta1);
        if (!(o->beta2 >= 0 && o->beta2 < 1))
            return rc_errf(err, len, RC_ERR_ARG, "optimizer: invalid beta2 %g (must be in [0, 1))", o->beta2);
    }
    if (o->kind == RC_OPTIM_SGD && o->nesterov && (o->momentum <= 0 || o->dampening != 0))
        return rc_errf(err, len, RC_ERR_ARG, "optimizer: Nesterov momentum requires a momentum and zero "
                         "dampening (momentum %g, dampening %g)", o->momentum, o->dampening);
    return RC_OK;
}

rc_status rc_optim_new(rc_optim **out, rc_params *ps, const rc_optim_opts *opts, char *err,
                       size_t err_len) {
    if (!out || !ps || !opts)
        return rc_errf(err, err_len, RC_ERR_ARG, "optimizer: NULL argument");
    *out = NULL;
    rc_status st = check_opts(opts, err, err_len);
    if (st != RC_OK)
        return st;
    rc_optim *o = calloc(1, sizeof *o);
    if (!o)
        return RC_ERR_NOMEM;
    o->ps = ps;
    o->o = *opts;
    *out = o;
    return RC_OK;
}

void rc_optim_free(rc_optim **o) {
    if (!o || !*o)
        return;
    free((*o)->steps);
    free(*o);
    *o = NULL;
}

double rc_optim_lr(const rc_optim *o) {
    return o->o.lr;
}

void rc_optim_set_lr(rc_optim *o, double lr) {
    o->o.lr = lr;
}

const rc_optim_opts *rc_optim_options(const rc_optim *o) {
    return &o->o;
}

rc_params *rc_optim_params(const rc_optim *o) {
    return o->ps;
}

// The steps array covers every parameter of the store (parameters may be added later).
static bool grow_steps(rc_optim *o) {
    const int n = rc_params_count(o->ps);
    if (n <= o->n_steps)
        return true;
    int64_t *s = realloc(o->steps, (size_t)n * sizeof *s);
    if (!s)
        return false;
    memset(s + o->n_steps, 0, (size_t)(n - o->n_steps) * sizeof *s);
    o->steps = s;
    o->n_steps = n;
    return true;
}

static int param_index(const rc_optim *o, const rc_param *p) {
    for (int i = 0; i < rc_params_count(o->ps); i++)
        if (rc_params_at(o->ps, i) == p)
            return i;
    return -1;
}

int64_t rc_optim_step_count(const rc_optim *o, const rc_param *p) {
    int i = param_index(o, p);
    return i >= 0 && i < o->n_steps ? o->steps[i] : 0;
}

rc_status rc_optim_set_step_count(rc_optim *o, const rc_param *p, int64_t steps) {
    int i = param_index(o, p);
    if (i < 0)
        return RC_ERR_NOTFOUND;
    if (steps < 0)
        return RC_ERR_ARG;
    if (!grow_steps(o))
        return RC_ERR_NOMEM;
    o->steps[i] = steps;
    return RC_OK;
}

const char *rc_optim_slot_name(const rc_optim *o, int k) {
    const rc_optim_opts *p = &o->o;
    switch (p->kind) {
    case RC_OPTIM_SGD:
        return k == 0 && p->momentum != 0 ? "momentum_buffer" : NULL;
    case RC_OPTIM_ADAM:
    case RC_OPTIM_ADAMW:
        return k == 0 ? "exp_avg" : k == 1 ? "exp_avg_sq" : k == 2 && p->amsgrad ? "max_exp_avg_sq"
                                                                                  : NULL;
    case RC_OPTIM_ADAGRAD:
        return k == 0 ? "sum" : NULL;
    case RC_OPTIM_RMSPROP:
        return k == 0 ? "square_avg" : k == 1 && p->momentum > 0 ? "momentum_buffer"
                                   : k == 2 && p->centered ? "grad_avg" : NULL;
    default:
        return NULL;
    }
}

// ---- the update rules, on entries [lo, hi) -------------------------------------------------------

// Per-step scalars, rounded to f32 as PyTorch's kernels round Python numbers.
typedef struct coef {
    float neg_lr, wd, mom, one_minus_damp, b1, one_minus_b1, b2, one_minus_b2, bc2_sqrt, eps,
        neg_step, decay, alpha, one_minus_alpha;
    bool first, nesterov, amsgrad, centered, maximize, has_wd, has_mom;
} coef;

typedef struct bufs {
    float *p;
    const float *g;
    float *s0, *s1, *s2;
} bufs;

// The gradient with maximize and (coupled) weight decay applied.
static inline float grad_at(const coef *c, const bufs *b, int64_t i) {
    float g = c->maximize ? -b->g[i] : b->g[i];
    return c->has_wd ? g + c->wd * b->p[i] : g;
}

static void sgd_range(const coef *c, const bufs *b, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
        float d = grad_at(c, b, i);
        if (c->has_mom) {
            float *buf = &b->s0[i];
            *buf = c->first ? d : *buf * c->mom + c->one_minus_damp * d;
            d = c->nesterov ? d + c->mom * *buf : *buf;
        }
        b->p[i] = b->p[i] + c->neg_lr * d;
    }
}

static void adam_range(const coef *c, const bufs *b, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
        const float g = grad_at(c, b, i);
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

static void adagrad_range(const coef *c, const bufs *b, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
        const float g = grad_at(c, b, i);
        float *sum = &b->s0[i];
        *sum = *sum + (1.0f * g) * g;
        const float std = sqrtf(*sum) + c->eps;
        b->p[i] = b->p[i] + (c->neg_step * g) / std;
    }
}

static void rmsprop_range(const coef *c, const bufs *b, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) {
        const float g = grad_at(c, b, i);
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

typedef void (*range_fn)(const coef *c, const bufs *b, int64_t lo, int64_t hi);

// Scalars for the step that brings parameter's count to `step` (1 on the first update).
static coef make_coef(const rc_optim_opts *o, int64_t step) {
    coef c = {.neg_lr = (float)-o->lr, .wd = (float)o->weight_decay, .mom = (float)o->momentum,
              .one_minus_damp = (float)(1 - o->dampening), .eps = (float)o->eps,
              .first = step == 1, .nesterov = o->nesterov, .amsgrad = o->amsgrad,
              .centered = o->centered, .maximize = o->maximize, .decay = 1.0f,
              .has_wd = o->weight_decay != 0, .has_mom = o->momentum != 0};
    switch (o->kind) {
    case RC_OPTIM_ADAMW:
        c.decay = (float)(1 - o->lr * o->weight_decay);
        c.has_wd = false;
        // fall through
    case RC_OPTIM_ADAM: {
        const double bc1 = 1 - pow(o->beta1, (double)step), bc2 = 1 - pow(o->beta2, (double)step);
        c.b1 = (float)o->beta1, c.one_minus_b1 = (float)(1 - o->beta1);
        c.b2 = (float)o->beta2, c.one_minus_b2 = (float)(1 - o->beta2);
        c.neg_step = (float)-(o->lr / bc1);
        c.bc2_sqrt = (float)sqrt(bc2);
        break;
    }
    case RC_OPTIM_ADAGRAD:
        c.neg_step = (float)-(o->lr / (1 + (double)(step - 1) * o->lr_decay));
        break;
    case RC_OPTIM_RMSPROP:
        c.alpha = (float)o->alpha, c.one_minus_alpha = (float)(1 - o->alpha);
        c.has_mom = o->momentum > 0;
        break;
    default:
        break;
    }
    return c;
}

static const range_fn kernels[] = {
    [RC_OPTIM_SGD] = sgd_range,         [RC_OPTIM_ADAM] = adam_range,
    [RC_OPTIM_ADAMW] = adam_range,      [RC_OPTIM_ADAGRAD] = adagrad_range,
    [RC_OPTIM_RMSPROP] = rmsprop_range,
};

// The state slots of p, allocated (zeroed) on first use; Adagrad's sum starts at its initial
// accumulator value. False when memory runs out.
static bool state_bufs(const rc_optim *o, rc_param *p, bool first, bufs *b) {
    float **slot[3] = {&b->s0, &b->s1, &b->s2};
    for (int k = 0; k < 3; k++) {
        *slot[k] = NULL;
        if (rc_optim_slot_name(o, k) && !(*slot[k] = rc_param_state(p, k)))
            return false;
    }
    if (!first)
        return true;
    // A first step starts from fresh state even if the slots hold another run's values (a step
    // count reset by a checkpoint, another optimizer before this one).
    const int64_t n = rc_param_value(p).n;
    for (int k = 0; k < 3; k++)
        if (*slot[k])
            memset(*slot[k], 0, (size_t)n * sizeof(float));
    if (o->o.kind == RC_OPTIM_ADAGRAD)
        for (int64_t i = 0; i < n; i++)
            b->s0[i] = (float)o->o.initial_accumulator_value;
    return true;
}

static bool any_row(const uint8_t *rows, int64_t n) {
    for (int64_t r = 0; r < n; r++)
        if (rows[r])
            return true;
    return false;
}

rc_status rc_optim_step(rc_optim *o) {
    if (!o)
        return RC_ERR_ARG;
    if (!grow_steps(o))
        return RC_ERR_NOMEM;
    const range_fn run = kernels[o->o.kind];
    for (int i = 0; i < rc_params_count(o->ps); i++) {
        rc_param *p = rc_params_at(o->ps, i);
        if (rc_param_frozen(p))
            continue;
        const rc_tensor v = rc_param_value(p);
        const int64_t rows = v.shape.ndim ? v.shape.dim[0] : 1, width = v.n / rows;
        const uint8_t *touched = rc_param_touched_rows(p);
        if (touched && !any_row(touched, rows))
            continue; // no gradient reached p since zero_grad
        bufs b = {.p = v.data, .g = rc_param_grad(p).data};
        if (!state_bufs(o, p, o->steps[i] == 0, &b))
            return RC_ERR_NOMEM;
        const coef c = make_coef(&o->o, ++o->steps[i]);
        if (!touched)
            run(&c, &b, 0, v.n);
        else
            for (int64_t r = 0; r < rows; r++)
                if (touched[r])
                    run(&c, &b, r * width, (r + 1) * width);
    }
    return RC_OK;
}
