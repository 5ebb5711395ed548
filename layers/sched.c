// Learning-rate schedules with the chainable update rules of PyTorch 1.13's lr_scheduler.
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "layers_impl.h"

struct rc_sched {
    rc_optim *o;
    rc_sched_opts opts;
    rc_sched_state st;
};

rc_sched_opts rc_sched_defaults(rc_sched_kind kind) {
    return (rc_sched_opts){.kind = kind,
                           .step_size = 1,
                           .gamma = 0.1,
                           .start_factor = 1.0 / 3,
                           .end_factor = 1.0,
                           .total_iters = 5,
                           .mode = RC_PLATEAU_MIN,
                           .factor = 0.1,
                           .patience = 10,
                           .threshold = 1e-4,
                           .threshold_mode = RC_THRESHOLD_REL,
                           .cooldown = 0,
                           .min_lr = 0,
                           .eps = 1e-8};
}

static rc_status check(const rc_sched_opts *s, char *err, size_t len) {
    switch (s->kind) {
    case RC_SCHED_STEP:
        if (s->step_size < 1)
            return rc_errf(err, len, RC_ERR_ARG, "schedule: step_size %lld must be >= 1",
                           (long long)s->step_size);
        return isfinite(s->gamma) ? RC_OK
                                  : rc_errf(err, len, RC_ERR_ARG, "schedule: gamma %g", s->gamma);
    case RC_SCHED_EXPONENTIAL:
        return isfinite(s->gamma) ? RC_OK
                                  : rc_errf(err, len, RC_ERR_ARG, "schedule: gamma %g", s->gamma);
    case RC_SCHED_LINEAR:
        if (!(s->start_factor > 0 && s->start_factor <= 1))
            return rc_errf(err, len, RC_ERR_ARG, "schedule: start_factor %g must be in (0, 1]",
                           s->start_factor);
        if (!(s->end_factor >= 0 && s->end_factor <= 1))
            return rc_errf(err, len, RC_ERR_ARG, "schedule: end_factor %g must be in [0, 1]",
                           s->end_factor);
        if (s->total_iters < 0)
            return rc_errf(err, len, RC_ERR_ARG, "schedule: total_iters %lld must be >= 0",
                           (long long)s->total_iters);
        return RC_OK;
    case RC_SCHED_PLATEAU:
        if (!(s->factor < 1 && s->factor >= 0))
            return rc_errf(err, len, RC_ERR_ARG, "schedule: factor %g must be in [0, 1)",
                           s->factor);
        if ((unsigned)s->mode > RC_PLATEAU_MAX || (unsigned)s->threshold_mode > RC_THRESHOLD_ABS)
            return rc_errf(err, len, RC_ERR_ARG, "schedule: unknown mode or threshold mode");
        if (s->patience < 0 || s->cooldown < 0 || !(s->min_lr >= 0) || !(s->eps >= 0) ||
            !isfinite(s->threshold))
            return rc_errf(err, len, RC_ERR_ARG,
                           "schedule: patience, cooldown, min_lr and eps must be >= 0 "
                           "and threshold finite");
        return RC_OK;
    default: return rc_errf(err, len, RC_ERR_ARG, "schedule: unknown kind %d", (int)s->kind);
    }
}

// The lr for epoch st.last_epoch, from the current lr (PyTorch's get_lr).
static double chained_lr(const rc_sched *s, double lr) {
    const rc_sched_opts *o = &s->opts;
    const int64_t e = s->st.last_epoch;
    switch (o->kind) {
    case RC_SCHED_STEP: return e == 0 || e % o->step_size != 0 ? lr : lr * o->gamma;
    case RC_SCHED_EXPONENTIAL: return e == 0 ? lr : lr * o->gamma;
    case RC_SCHED_LINEAR:
        if (e == 0)
            return lr * o->start_factor;
        if (e > o->total_iters)
            return lr;
        return lr * (1.0 + (o->end_factor - o->start_factor) /
                               ((double)o->total_iters * o->start_factor +
                                (double)(e - 1) * (o->end_factor - o->start_factor)));
    default: return lr;
    }
}

rc_status rc_sched_new(rc_sched **out, rc_optim *o, const rc_sched_opts *opts, char *err,
                       size_t err_len) {
    if (!out || !o || !opts)
        return rc_err_null(err, err_len, "rc_sched_new", !out ? "out" : !o ? "o" : "opts");
    *out = NULL;
    rc_status st = check(opts, err, err_len);
    if (st != RC_OK)
        return st;
    rc_sched *s = calloc(1, sizeof *s);
    if (!s)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_sched_new: out of memory");
    s->o = o;
    s->opts = *opts;
    s->st.best = opts->mode == RC_PLATEAU_MIN ? INFINITY : -INFINITY;
    // PyTorch's constructor takes the first step: epoch 0.
    if (opts->kind != RC_SCHED_PLATEAU)
        rc_optim_set_lr(o, chained_lr(s, rc_optim_lr(o)));
    *out = s;
    return RC_OK;
}

void rc_sched_free(rc_sched **s) {
    if (!s || !*s)
        return;
    free(*s);
    *s = NULL;
}

rc_status rc_sched_step(rc_sched *s) {
    if (!s)
        return rc_err_null(NULL, 0, "rc_sched_step", "s");
    if (s->opts.kind == RC_SCHED_PLATEAU)
        return rc_errf(NULL, 0, RC_ERR_STATE,
                       "rc_sched_step: a plateau schedule steps with the "
                       "metric it watches: call rc_sched_step_metric");
    s->st.last_epoch++;
    rc_optim_set_lr(s->o, chained_lr(s, rc_optim_lr(s->o)));
    return RC_OK;
}

static bool is_better(const rc_sched_opts *o, double a, double best) {
    if (o->mode == RC_PLATEAU_MIN)
        return o->threshold_mode == RC_THRESHOLD_REL ? a < best * (1.0 - o->threshold)
                                                     : a < best - o->threshold;
    return o->threshold_mode == RC_THRESHOLD_REL ? a > best * (o->threshold + 1.0)
                                                 : a > best + o->threshold;
}

rc_status rc_sched_step_metric(rc_sched *s, double metric) {
    if (!s)
        return rc_err_null(NULL, 0, "rc_sched_step_metric", "s");
    if (s->opts.kind != RC_SCHED_PLATEAU)
        return rc_errf(NULL, 0, RC_ERR_STATE,
                       "rc_sched_step_metric: only a plateau schedule "
                       "takes a metric: call rc_sched_step");
    rc_sched_state *st = &s->st;
    st->last_epoch++;
    if (is_better(&s->opts, metric, st->best)) {
        st->best = metric;
        st->num_bad_epochs = 0;
    } else
        st->num_bad_epochs++;
    if (st->cooldown_counter > 0) {
        st->cooldown_counter--;
        st->num_bad_epochs = 0; // bad epochs in cooldown do not count
    }
    if (st->num_bad_epochs > s->opts.patience) {
        const double old = rc_optim_lr(s->o);
        const double lr = fmax(old * s->opts.factor, s->opts.min_lr);
        if (old - lr > s->opts.eps)
            rc_optim_set_lr(s->o, lr);
        st->cooldown_counter = s->opts.cooldown;
        st->num_bad_epochs = 0;
    }
    return RC_OK;
}

rc_sched_state rc_sched_get_state(const rc_sched *s) {
    return s ? s->st : (rc_sched_state){0};
}

void rc_sched_set_state(rc_sched *s, const rc_sched_state *st) {
    if (!s || !st)
        rc_err_null(NULL, 0, "rc_sched_set_state", !s ? "s" : "st");
    else
        s->st = *st;
}

const rc_sched_opts *rc_sched_options(const rc_sched *s) {
    return s ? &s->opts : NULL;
}
