// Optimizers, clipping and schedules against trajectories recorded from torch.optim 1.13
// (tests/fixtures/make_optim_fixtures.py); the options of each case come from the fixture's
// metadata, so the script is the one place that names them.
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "fixtures.h"

static rc_safetensors *fx;
static char err[512];

static void setup(void) {
    char p[512];
    cr_assert_eq(rc_safetensors_open(&fx, fixture_path("optim/optim.safetensors", p, sizeof p), err,
                                     sizeof err),
                 RC_OK, "%s", err);
}
static void teardown(void) {
    rc_safetensors_close(&fx);
}
TestSuite(optim, .init = setup, .fini = teardown);

static void fx_read(const char *name, float *out, int64_t n) {
    cr_assert_eq(rc_safetensors_read(fx, name, out, n, err, sizeof err), RC_OK, "%s", err);
}

static double jnum(json_t *o, const char *k, double dflt) {
    json_t *v = json_object_get(o, k);
    return v ? json_number_value(v) : dflt;
}

static bool jbool(json_t *o, const char *k) {
    return json_is_true(json_object_get(o, k));
}

static rc_optim_opts opts_from_json(const char *text) {
    json_t *o = json_loads(text, 0, NULL);
    cr_assert_not_null(o, "case JSON %s", text);
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const char *names[] = {"sgd", "adam", "adamw", "adagrad", "rmsprop"};
    int k = 0;
    while (k < 5 && strcmp(kind, names[k]))
        k++;
    cr_assert_lt(k, 5, "kind %s", kind);
    rc_optim_opts r = rc_optim_defaults((rc_optim_kind)k, jnum(o, "lr", 0));
    r.weight_decay = jnum(o, "weight_decay", r.weight_decay);
    r.momentum = jnum(o, "momentum", r.momentum);
    r.dampening = jnum(o, "dampening", r.dampening);
    r.beta1 = jnum(o, "beta1", r.beta1);
    r.beta2 = jnum(o, "beta2", r.beta2);
    r.eps = jnum(o, "eps", r.eps);
    r.lr_decay = jnum(o, "lr_decay", r.lr_decay);
    r.initial_accumulator_value = jnum(o, "initial_accumulator_value", 0);
    r.alpha = jnum(o, "alpha", r.alpha);
    r.nesterov = jbool(o, "nesterov");
    r.amsgrad = jbool(o, "amsgrad");
    r.centered = jbool(o, "centered");
    r.maximize = jbool(o, "maximize");
    json_decref(o);
    return r;
}

// Runs one case: params named in `names` (fixture init.<name>), gradients from `grad_fmt`
// ("grad.%s.%d"), touched rows from rows.<name>.<t> when sparse.
static void run_case(const char *casename, const char *const *names, int np, bool sparse) {
    char key[128];
    snprintf(key, sizeof key, "case.%s", casename);
    const char *text = rc_safetensors_metadata(fx, key);
    cr_assert_not_null(text, "%s", key);
    rc_optim_opts oo = opts_from_json(text);
    rc_params *ps;
    rc_optim *opt;
    rc_param *p[2];
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    for (int i = 0; i < np; i++) {
        snprintf(key, sizeof key, "init.%s", names[i]);
        const rc_safetensors_info *t = rc_safetensors_find(fx, key);
        cr_assert_eq(rc_params_add(ps, names[i], t->shape, &p[i]), RC_OK);
        fx_read(key, rc_param_value(p[i]).data, t->numel);
    }
    cr_assert_eq(rc_optim_new(&opt, ps, &oo, err, sizeof err), RC_OK, "%s: %s", casename, err);
    float want[64], rows[8];
    for (int step = 0; step < 5; step++) {
        rc_params_zero_grad(ps);
        for (int i = 0; i < np; i++) {
            rc_tensor g = rc_param_grad(p[i]);
            snprintf(key, sizeof key, sparse ? "sgrad.%s.%d" : "grad.%s.%d", names[i], step);
            fx_read(key, g.data, g.n);
            if (!sparse) {
                rc_param_mark_touched(p[i], -1);
                continue;
            }
            snprintf(key, sizeof key, "rows.%s.%d", names[i], step);
            fx_read(key, rows, g.shape.dim[0]);
            for (int r = 0; r < g.shape.dim[0]; r++)
                if (rows[r] != 0)
                    rc_param_mark_touched(p[i], r);
        }
        cr_assert_eq(rc_optim_step(opt), RC_OK);
        for (int i = 0; i < np; i++) {
            rc_tensor v = rc_param_value(p[i]);
            snprintf(key, sizeof key, "%s.%s.%d", casename, names[i], step);
            fx_read(key, want, v.n);
            char what[160];
            snprintf(what, sizeof what, "%s after step %d", key, step);
            tu_assert_close(v.data, want, v.n, 1e-6f, 1e-7f, what);
        }
    }
    cr_assert_eq(rc_optim_step_count(opt, p[0]), 5);
    rc_optim_free(&opt);
    rc_params_free(&ps);
}

Test(optim, dense_trajectories_match_pytorch) {
    const char *names[] = {"w", "b"};
    int n = 0;
    for (int i = 0; i < rc_safetensors_metadata_count(fx); i++) {
        const char *k;
        rc_safetensors_metadata_at(fx, i, &k, NULL);
        if (strncmp(k, "case.", 5) || !strncmp(k, "case.sparse_", 12))
            continue;
        run_case(k + 5, names, 2, false);
        n++;
    }
    cr_assert_geq(n, 12, "every dense case ran");
}

Test(optim, sparse_rows_match_pytorch_sparse_optimizers) {
    const char *names[] = {"E"};
    run_case("sparse_sgd", names, 1, true);
    run_case("sparse_adam", names, 1, true); // torch.optim.SparseAdam
    run_case("sparse_adagrad", names, 1, true);
}

// Rows no gradient touched keep their values and their state; a parameter with no gradient
// at all, or frozen, is not stepped.
Test(optim, untouched_rows_frozen_and_unused_params_stay) {
    rc_params *ps;
    rc_param *e, *fz, *unused;
    rc_optim *opt;
    cr_assert_eq(rc_params_new(&ps), RC_OK);
    rc_params_add(ps, "E", RC_SHAPE(4, 2), &e);
    rc_params_add(ps, "frozen", RC_SHAPE(2), &fz);
    rc_params_add(ps, "unused", RC_SHAPE(2), &unused);
    for (int i = 0; i < 8; i++)
        rc_param_value(e).data[i] = (float)i;
    rc_param_set_frozen(fz, true);
    rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_ADAM, 0.1);
    oo.weight_decay = 0.5;
    cr_assert_eq(rc_optim_new(&opt, ps, &oo, err, sizeof err), RC_OK);
    for (int step = 0; step < 3; step++) {
        rc_params_zero_grad(ps);
        rc_param_grad(e).data[2] = 1, rc_param_grad(e).data[3] = -1; // row 1
        rc_param_mark_touched(e, 1);
        rc_param_grad(fz).data[0] = 1;
        rc_param_mark_touched(fz, -1);
        cr_assert_eq(rc_optim_step(opt), RC_OK);
    }
    const float *v = rc_param_value(e).data, *m = rc_param_state(e, 0);
    for (int i = 0; i < 8; i++) {
        if (i == 2 || i == 3) {
            cr_assert(v[i] != (float)i && m[i] != 0, "row 1 moves");
            continue;
        }
        cr_assert_eq(v[i], (float)i, "entry %d of an untouched row (weight decay too)", i);
        cr_assert_eq(m[i], 0.0f, "state of entry %d", i);
    }
    cr_assert_eq(rc_param_value(fz).data[0], 0.0f);
    cr_assert_eq(rc_optim_step_count(opt, fz), 0);
    cr_assert_eq(rc_optim_step_count(opt, unused), 0);
    cr_assert_eq(rc_optim_step_count(opt, e), 3);
    // A dense mark updates every row.
    rc_params_zero_grad(ps);
    rc_param_mark_touched(e, -1);
    cr_assert_eq(rc_optim_step(opt), RC_OK);
    cr_assert(v[0] != 0.0f || v[1] != 1.0f, "weight decay moves row 0 once the step is dense");
    cr_assert_eq(rc_optim_step_count(opt, e), 4);
    cr_assert_eq(rc_optim_set_step_count(opt, e, 7), RC_OK);
    cr_assert_eq(rc_optim_step_count(opt, e), 7);
    cr_assert_eq(rc_optim_set_step_count(opt, e, -1), RC_ERR_ARG);
    rc_params *other;
    rc_param *stranger;
    rc_params_new(&other);
    rc_params_add(other, "x", RC_SHAPE(1), &stranger);
    cr_assert_eq(rc_optim_set_step_count(opt, stranger, 1), RC_ERR_NOTFOUND);
    cr_assert_eq(rc_optim_step_count(opt, stranger), 0);
    rc_params_free(&other);
    rc_optim_free(&opt);
    cr_assert_null(opt);
    rc_optim_free(&opt);
    rc_params_free(&ps);
}

// A gradient reached through the graph marks the parameter, so the optimizer sees it.
Test(optim, gradient_from_backward_is_used) {
    rc_params *ps;
    rc_param *w;
    rc_graph *g;
    rc_optim *opt;
    rc_params_new(&ps);
    rc_graph_new(&g);
    rc_params_add(ps, "w", RC_SHAPE(2), &w);
    rc_param_value(w).data[0] = 1, rc_param_value(w).data[1] = -2;
    rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_SGD, 0.25);
    cr_assert_eq(rc_optim_new(&opt, ps, &oo, err, sizeof err), RC_OK);
    cr_assert_eq(rc_backward(rc_sum_all(rc_square(rc_use(g, w)))), RC_OK); // dw = 2w
    cr_assert_eq(rc_optim_step(opt), RC_OK);
    cr_assert_eq(rc_param_value(w).data[0], 0.5f);
    cr_assert_eq(rc_param_value(w).data[1], -1.0f);
    rc_optim_free(&opt);
    rc_graph_free(&g);
    rc_params_free(&ps);
}

Test(optim, slot_names_and_accessors) {
    rc_params *ps;
    rc_optim *opt;
    rc_params_new(&ps);
    rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_RMSPROP, 0.01);
    oo.centered = true;
    cr_assert_eq(rc_optim_new(&opt, ps, &oo, err, sizeof err), RC_OK);
    cr_assert_str_eq(rc_optim_slot_name(opt, 0), "square_avg");
    cr_assert_null(rc_optim_slot_name(opt, 1), "no momentum buffer without momentum");
    cr_assert_str_eq(rc_optim_slot_name(opt, 2), "grad_avg");
    cr_assert_eq(rc_optim_params(opt), ps);
    cr_assert_eq(rc_optim_options(opt)->alpha, 0.99);
    rc_optim_set_lr(opt, 0.5);
    cr_assert_eq(rc_optim_lr(opt), 0.5);
    rc_optim_free(&opt);
    oo = rc_optim_defaults(RC_OPTIM_ADAMW, 1e-3);
    cr_assert_eq(oo.weight_decay, 1e-2);
    oo.amsgrad = true;
    cr_assert_eq(rc_optim_new(&opt, ps, &oo, err, sizeof err), RC_OK);
    cr_assert_str_eq(rc_optim_slot_name(opt, 2), "max_exp_avg_sq");
    rc_optim_free(&opt);
    rc_params_free(&ps);
}

// Kinds by name, for the command line: the five names round trip, the kinds are 0..4 and nothing
// past them, the lookup is exact, and every kind the torch.optim fixture names is found.
Test(optim, kinds_by_name) {
    const char *names[] = {"sgd", "adam", "adamw", "adagrad", "rmsprop"};
    const rc_optim_kind kinds[] = {RC_OPTIM_SGD, RC_OPTIM_ADAM, RC_OPTIM_ADAMW, RC_OPTIM_ADAGRAD,
                                   RC_OPTIM_RMSPROP};
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(rc_optim_kind_find(names[i]), (int)kinds[i], "%s", names[i]);
        cr_assert_str_eq(rc_optim_kind_name(kinds[i]), names[i]);
        cr_assert_eq(rc_optim_defaults(kinds[i], 0.1).kind, kinds[i]);
    }
    int n = 0;
    while (rc_optim_kind_name((rc_optim_kind)n))
        n++;
    cr_assert_eq(n, 5, "the kinds are 0..4");
    cr_assert_null(rc_optim_kind_name((rc_optim_kind)-1));
    const char *bad[] = {"Adam", "", "adam ", "sparseadam", "sgdx", "rms"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(rc_optim_kind_find(bad[i]), -1, "\"%s\"", bad[i]);
    cr_assert_eq(rc_optim_kind_find(NULL), -1);
    for (int i = 0; i < rc_safetensors_metadata_count(fx); i++) {
        const char *k, *v;
        rc_safetensors_metadata_at(fx, i, &k, &v);
        if (strncmp(k, "case.", 5))
            continue;
        json_t *o = json_loads(v, 0, NULL);
        const char *kind = json_string_value(json_object_get(o, "kind"));
        cr_assert(kind && rc_optim_kind_find(kind) >= 0, "%s: kind %s", k, kind ? kind : "?");
        json_decref(o);
    }
}

static void expect_bad_opts(rc_optim_opts oo, const char *needle) {
    rc_params *ps;
    rc_optim *opt = (rc_optim *)1;
    rc_params_new(&ps);
    err[0] = 0;
    cr_assert_eq(rc_optim_new(&opt, ps, &oo, err, sizeof err), RC_ERR_ARG, "%s", needle);
    cr_assert_null(opt);
    cr_assert(strstr(err, needle), "message \"%s\" lacks \"%s\"", err, needle);
    rc_params_free(&ps);
}

Test(optim, invalid_options_are_named) {
    rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_SGD, -1);
    expect_bad_opts(oo, "invalid lr -1");
    oo = rc_optim_defaults(RC_OPTIM_SGD, 0.1);
    oo.momentum = -0.5;
    expect_bad_opts(oo, "invalid momentum");
    oo = rc_optim_defaults(RC_OPTIM_SGD, 0.1);
    oo.nesterov = true;
    expect_bad_opts(oo, "Nesterov momentum requires");
    oo.momentum = 0.9, oo.dampening = 0.1;
    expect_bad_opts(oo, "Nesterov momentum requires");
    oo = rc_optim_defaults(RC_OPTIM_ADAM, 0.1);
    oo.beta2 = 1;
    expect_bad_opts(oo, "invalid beta2 1");
    oo = rc_optim_defaults(RC_OPTIM_ADAMW, 0.1);
    oo.beta1 = -0.1;
    expect_bad_opts(oo, "invalid beta1");
    oo.beta1 = 0.9, oo.eps = NAN;
    expect_bad_opts(oo, "invalid eps");
    oo = rc_optim_defaults(RC_OPTIM_ADAGRAD, 0.1);
    oo.initial_accumulator_value = -1;
    expect_bad_opts(oo, "invalid initial_accumulator_value");
    oo = rc_optim_defaults(RC_OPTIM_ADAGRAD, 0.1);
    oo.lr_decay = -1;
    expect_bad_opts(oo, "invalid lr_decay");
    oo = rc_optim_defaults(RC_OPTIM_RMSPROP, 0.1);
    oo.alpha = -1;
    expect_bad_opts(oo, "invalid alpha");
    oo.alpha = 0.9, oo.weight_decay = -1;
    expect_bad_opts(oo, "invalid weight_decay");
    oo.kind = (rc_optim_kind)9;
    expect_bad_opts(oo, "unknown kind 9");
}

// ---- clipping -----------------------------------------------------------------------------------

static void clip_case(const char *name, double max_norm, double norm_type, bool value) {
    rc_params *ps;
    rc_param *w, *b, *fz;
    rc_params_new(&ps);
    rc_params_add(ps, "w", RC_SHAPE(4, 3), &w);
    rc_params_add(ps, "b", RC_SHAPE(3), &b);
    rc_params_add(ps, "frozen", RC_SHAPE(2), &fz);
    fx_read("grad.w.0", rc_param_grad(w).data, 12);
    fx_read("grad.b.0", rc_param_grad(b).data, 3);
    rc_param_mark_touched(w, -1);
    rc_param_mark_touched(b, -1);
    rc_param_grad(fz).data[0] = 1000; // frozen: neither counted nor scaled
    rc_param_mark_touched(fz, -1);
    rc_param_set_frozen(fz, true);
    char key[64];
    float want[12], total;
    snprintf(key, sizeof key, "clip.%s.total", name);
    fx_read(key, &total, 1);
    if (value)
        rc_clip_grad_value(ps, max_norm);
    else {
        double got = rc_clip_grad_norm(ps, max_norm, norm_type);
        cr_assert(fabs(got - total) <= 1e-6 * fabs(total), "%s: total %.9g, torch %.9g", name, got,
                  (double)total);
    }
    snprintf(key, sizeof key, "clip.%s.w", name);
    fx_read(key, want, 12);
    tu_assert_close(rc_param_grad(w).data, want, 12, 1e-6f, 0, key);
    snprintf(key, sizeof key, "clip.%s.b", name);
    fx_read(key, want, 3);
    tu_assert_close(rc_param_grad(b).data, want, 3, 1e-6f, 0, key);
    cr_assert_eq(rc_param_grad(fz).data[0], 1000.0f);
    rc_params_free(&ps);
}

Test(optim, clipping_matches_pytorch) {
    clip_case("norm2", 0.5, 2, false);
    clip_case("norm1", 2.0, 1, false);
    clip_case("norminf", 0.3, INFINITY, false);
    clip_case("norm2_big", 100, 2, false); // below max_norm: unchanged
    clip_case("value", 0.4, 0, true);
}

Test(optim, clipping_nonfinite_and_bad_norm_type) {
    rc_params *ps;
    rc_param *w;
    rc_params_new(&ps);
    rc_params_add(ps, "w", RC_SHAPE(2), &w);
    rc_param_grad(w).data[0] = 3, rc_param_grad(w).data[1] = 4;
    cr_assert_float_eq(rc_clip_grad_norm(ps, 1, 2), 0.0, 0, "no row touched: nothing counts");
    cr_assert_eq(rc_param_grad(w).data[0], 3.0f);
    rc_param_mark_touched(w, -1);
    cr_assert(isnan(rc_clip_grad_norm(ps, 1, 0)), "norm_type 0");
    cr_assert_eq(rc_param_grad(w).data[0], 3.0f, "untouched by a rejected call");
    const double total = rc_clip_grad_norm(ps, 1, 2);
    cr_assert_float_eq(total, 5.0, 1e-12);
    cr_assert_float_eq(rc_param_grad(w).data[1], (float)(4 * (1 / (5 + 1e-6))), 1e-7);
    rc_param_grad(w).data[0] = INFINITY;
    cr_assert(isinf(rc_clip_grad_norm(ps, 1, 2)));
    rc_param_grad(w).data[0] = NAN;
    cr_assert(isnan(rc_clip_grad_norm(ps, 1, INFINITY)), "NaN propagates through the max");
    rc_params_free(&ps);
    // A row-sparse gradient: only touched rows count and are scaled.
    rc_params_new(&ps);
    rc_params_add(ps, "E", RC_SHAPE(3, 2), &w);
    float *g = rc_param_grad(w).data;
    g[0] = 3, g[1] = 4, g[4] = 100, g[5] = 100; // row 2 holds junk nobody marked
    rc_param_mark_touched(w, 0);
    const double t2 = rc_clip_grad_norm(ps, 2.5, 2);
    cr_assert_float_eq(t2, 5.0, 1e-12);
    cr_assert_float_eq(g[0], 3 * (float)(2.5 / (5 + 1e-6)), 1e-6);
    cr_assert_eq(g[4], 100.0f, "untouched rows are not scaled");
    rc_clip_grad_value(ps, 1);
    cr_assert(g[0] == 1 && g[1] == 1 && g[4] == 100);
    rc_params_free(&ps);
}

// ---- schedules ----------------------------------------------------------------------------------

static void sched_case(const char *name, rc_sched_opts so) {
    rc_params *ps;
    rc_optim *opt;
    rc_sched *s;
    rc_params_new(&ps);
    rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_SGD, 0.1);
    cr_assert_eq(rc_optim_new(&opt, ps, &oo, err, sizeof err), RC_OK);
    cr_assert_eq(rc_sched_new(&s, opt, &so, err, sizeof err), RC_OK, "%s: %s", name, err);
    char key[64];
    float lrs[13], metrics[12];
    snprintf(key, sizeof key, "sched.%s.lr", name);
    fx_read(key, lrs, 13);
    snprintf(key, sizeof key, "sched.%s.metrics", name);
    const bool plateau = so.kind == RC_SCHED_PLATEAU;
    if (plateau)
        fx_read(key, metrics, 12);
    for (int e = 0; e <= 12; e++) {
        if (e > 0)
            cr_assert_eq(plateau ? rc_sched_step_metric(s, metrics[e - 1]) : rc_sched_step(s),
                         RC_OK);
        const double lr = rc_optim_lr(opt);
        cr_assert(fabs(lr - lrs[e]) <= 1e-6 * lrs[e], "%s epoch %d: lr %.9g, torch %.9g", name, e,
                  lr, (double)lrs[e]);
    }
    cr_assert_eq(rc_sched_get_state(s).last_epoch, 12);
    cr_assert_eq(plateau ? rc_sched_step(s) : rc_sched_step_metric(s, 1), RC_ERR_STATE);
    rc_sched_free(&s);
    cr_assert_null(s);
    rc_sched_free(&s);
    rc_optim_free(&opt);
    rc_params_free(&ps);
}

Test(optim, schedules_match_pytorch) {
    rc_sched_opts so = rc_sched_defaults(RC_SCHED_STEP);
    so.step_size = 3, so.gamma = 0.5;
    sched_case("step", so);
    so = rc_sched_defaults(RC_SCHED_EXPONENTIAL);
    so.gamma = 0.9;
    sched_case("exponential", so);
    so = rc_sched_defaults(RC_SCHED_LINEAR);
    so.start_factor = 0.25, so.end_factor = 1, so.total_iters = 4;
    sched_case("linear_warmup", so);
    so.start_factor = 1, so.end_factor = 0.1, so.total_iters = 10;
    sched_case("linear_decay", so);
    so = rc_sched_defaults(RC_SCHED_PLATEAU);
    so.factor = 0.5, so.patience = 2, so.threshold = 0.01, so.cooldown = 1;
    sched_case("plateau_min_rel", so);
    so = rc_sched_defaults(RC_SCHED_PLATEAU);
    so.mode = RC_PLATEAU_MAX, so.factor = 0.1, so.patience = 1, so.threshold = 0.02;
    so.threshold_mode = RC_THRESHOLD_ABS, so.min_lr = 0.002;
    sched_case("plateau_max_abs", so);
}

static void expect_bad_sched(rc_sched_opts so, const char *needle) {
    rc_params *ps;
    rc_optim *opt;
    rc_sched *s = (rc_sched *)1;
    rc_params_new(&ps);
    rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_SGD, 0.1);
    rc_optim_new(&opt, ps, &oo, NULL, 0);
    err[0] = 0;
    cr_assert_eq(rc_sched_new(&s, opt, &so, err, sizeof err), RC_ERR_ARG, "%s", needle);
    cr_assert_null(s);
    cr_assert(strstr(err, needle), "message \"%s\" lacks \"%s\"", err, needle);
    cr_assert_eq(rc_optim_lr(opt), 0.1, "a rejected schedule leaves lr alone");
    rc_optim_free(&opt);
    rc_params_free(&ps);
}

Test(optim, invalid_schedules_are_named) {
    rc_sched_opts so = rc_sched_defaults(RC_SCHED_STEP);
    so.step_size = 0;
    expect_bad_sched(so, "step_size 0 must be >= 1");
    so = rc_sched_defaults(RC_SCHED_LINEAR);
    so.start_factor = 0;
    expect_bad_sched(so, "start_factor 0 must be in (0, 1]");
    so.start_factor = 0.5, so.end_factor = 1.5;
    expect_bad_sched(so, "end_factor 1.5");
    so.end_factor = 1, so.total_iters = -1;
    expect_bad_sched(so, "total_iters -1");
    so = rc_sched_defaults(RC_SCHED_PLATEAU);
    so.factor = 1;
    expect_bad_sched(so, "factor 1 must be in [0, 1)");
    so.factor = 0.1, so.patience = -1;
    expect_bad_sched(so, "patience, cooldown");
    so.patience = 1, so.mode = (rc_plateau_mode)5;
    expect_bad_sched(so, "unknown mode");
    so = rc_sched_defaults((rc_sched_kind)11);
    expect_bad_sched(so, "unknown kind 11");
}
