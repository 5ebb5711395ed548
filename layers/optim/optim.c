// The optimizer driver: options, step counts, state slots, and the walk over a store's parameters
// that hands each one (or each of its touched rows) to its kind's update. A kind is a table of
// functions (optim_impl.h), one file each in this folder, picked once by rc_optim_new. Per
// element, the f32 operations run in the order of PyTorch 1.13's single-tensor kernels (add with
// alpha: a + alpha*b; addcmul: a + (v*b)*c; addcdiv: a + (v*b)/c), with the scalars computed in
// double and rounded to f32, so results agree with torch.optim to a few ulps.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "optim_impl.h"

// Every kind, by its rc_optim_kind value.
static const rc_optim_kind_def *const kinds[] = {
    [RC_OPTIM_SGD] = &rc_optim_sgd_def,         [RC_OPTIM_ADAM] = &rc_optim_adam_def,
    [RC_OPTIM_ADAMW] = &rc_optim_adamw_def,     [RC_OPTIM_ADAGRAD] = &rc_optim_adagrad_def,
    [RC_OPTIM_RMSPROP] = &rc_optim_rmsprop_def,
};
enum { N_KINDS = (int)(sizeof kinds / sizeof *kinds) };

static const rc_optim_kind_def *kind_def(int kind) {
    return kind >= 0 && kind < N_KINDS ? kinds[kind] : NULL;
}

const char *rc_optim_kind_name(rc_optim_kind kind) {
    const rc_optim_kind_def *k = kind_def((int)kind);
    return k ? k->name : NULL;
}

int rc_optim_kind_find(const char *name) {
    for (int i = 0; name && i < N_KINDS; i++)
        if (kinds[i] && !strcmp(kinds[i]->name, name))
            return i;
    return -1;
}

struct rc_optim {
    rc_params *ps;
    rc_optim_opts o;
    const rc_optim_kind_def *k; // kinds[o.kind]
    int64_t *steps;             // per parameter, by index in the store
    int n_steps;
};

rc_optim_opts rc_optim_defaults(rc_optim_kind kind, double lr) {
    rc_optim_opts o = {.kind = kind, .lr = lr};
    const rc_optim_kind_def *k = kind_def((int)kind);
    if (k && k->defaults)
        k->defaults(&o);
    return o;
}

static rc_status check_opts(const rc_optim_opts *o, char *err, size_t len) {
    const rc_optim_kind_def *k = kind_def((int)o->kind);
    if (!k)
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
            return rc_errf(err, len, RC_ERR_ARG,
                           "optimizer: invalid %s %g (must be finite and >= 0)", nonneg[i].name,
                           nonneg[i].v);
    if (!isfinite(o->dampening))
        return rc_errf(err, len, RC_ERR_ARG, "optimizer: invalid dampening %g", o->dampening);
    return k->check ? k->check(o, err, len) : RC_OK;
}

rc_status rc_optim_new(rc_optim **out, rc_params *ps, const rc_optim_opts *opts, char *err,
                       size_t err_len) {
    if (!out || !ps || !opts)
        return rc_err_null(err, err_len, "rc_optim_new", !out ? "out" : !ps ? "ps" : "opts");
    *out = NULL;
    rc_status st = check_opts(opts, err, err_len);
    if (st != RC_OK)
        return st;
    rc_optim *o = calloc(1, sizeof *o);
    if (!o)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_optim_new: out of memory");
    o->ps = ps;
    o->o = *opts;
    o->k = kind_def((int)opts->kind);
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
    return o ? o->o.lr : 0;
}

void rc_optim_set_lr(rc_optim *o, double lr) {
    if (o)
        o->o.lr = lr;
}

const rc_optim_opts *rc_optim_options(const rc_optim *o) {
    return o ? &o->o : NULL;
}

rc_params *rc_optim_params(const rc_optim *o) {
    return o ? o->ps : NULL;
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
    for (int i = 0; o && i < rc_params_count(o->ps); i++)
        if (rc_params_at(o->ps, i) == p)
            return i;
    return -1;
}

int64_t rc_optim_step_count(const rc_optim *o, const rc_param *p) {
    int i = param_index(o, p);
    return i >= 0 && i < o->n_steps ? o->steps[i] : 0;
}

rc_status rc_optim_set_step_count(rc_optim *o, const rc_param *p, int64_t steps) {
    const char *fn = "rc_optim_set_step_count";
    if (!o || !p)
        return rc_err_null(NULL, 0, fn, !o ? "o" : "p");
    int i = param_index(o, p);
    if (i < 0)
        return rc_errf(NULL, 0, RC_ERR_NOTFOUND, "%s: parameter '%s' is not in the store", fn,
                       rc_param_name(p));
    if (steps < 0)
        return rc_errf(NULL, 0, RC_ERR_ARG, "%s: steps = %lld; want >= 0", fn, (long long)steps);
    if (!grow_steps(o))
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "%s: out of memory", fn);
    o->steps[i] = steps;
    return RC_OK;
}

const char *rc_optim_slot_name(const rc_optim *o, int k) {
    return o && k >= 0 && k < RC_PARAM_STATE_SLOTS ? o->k->slot_name(&o->o, k) : NULL;
}

// ---- one step -------------------------------------------------------------------------------

// Scalars for the step that brings a parameter's count to `step` (1 on the first update).
static rc_optim_coef make_coef(const rc_optim *o, int64_t step) {
    const rc_optim_opts *p = &o->o;
    rc_optim_coef c = {.neg_lr = (float)-p->lr,
                       .wd = (float)p->weight_decay,
                       .mom = (float)p->momentum,
                       .one_minus_damp = (float)(1 - p->dampening),
                       .eps = (float)p->eps,
                       .decay = 1.0f,
                       .first = step == 1,
                       .maximize = p->maximize,
                       .has_wd = p->weight_decay != 0,
                       .has_mom = p->momentum != 0,
                       .nesterov = p->nesterov,
                       .amsgrad = p->amsgrad,
                       .centered = p->centered};
    if (o->k->scalars)
        o->k->scalars(p, step, &c);
    return c;
}

// The state slots of p that its kind uses, allocated (zeroed) on first use; on p's first step
// they start from the kind's initial state. False when memory runs out.
static bool state_bufs(const rc_optim *o, rc_param *p, bool first, rc_optim_bufs *b) {
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
    if (o->k->first_state)
        o->k->first_state(&o->o, b, n);
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
        return rc_err_null(NULL, 0, "rc_optim_step", "o");
    if (!grow_steps(o))
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_optim_step: out of memory");
    for (int i = 0; i < rc_params_count(o->ps); i++) {
        rc_param *p = rc_params_at(o->ps, i);
        if (rc_param_frozen(p))
            continue;
        const rc_tensor v = rc_param_value(p);
        const int64_t rows = v.shape.ndim ? v.shape.dim[0] : 1, width = v.n / rows;
        const uint8_t *touched = rc_param_touched_rows(p);
        if (touched && !any_row(touched, rows))
            continue; // no gradient reached p since zero_grad
        rc_optim_bufs b = {.p = v.data, .g = rc_param_grad(p).data};
        if (!state_bufs(o, p, o->steps[i] == 0, &b))
            return rc_errf(NULL, 0, RC_ERR_NOMEM,
                           "rc_optim_step: out of memory for the state "
                           "of '%s'",
                           rc_param_name(p));
        const rc_optim_coef c = make_coef(o, ++o->steps[i]);
        if (!touched)
            o->k->update(&c, &b, 0, v.n);
        else
            for (int64_t r = 0; r < rows; r++)
                if (touched[r])
                    o->k->update(&c, &b, r * width, (r + 1) * width);
    }
    return RC_OK;
}
