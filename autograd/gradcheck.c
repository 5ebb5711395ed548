// Gradient checks by central differences. Both the per-op check (walked over the registry by the
// tests) and the model-level check perturb a leaf in place and replay the tape, so a check costs
// one forward per perturbation and needs no rebuilding code from the caller.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../graph/graph_impl.h"
#include "recur/autograd.h"
#include "recur/ops.h"

#define OP_EPS 1e-3f
#define OP_RTOL 1e-2f
#define OP_ATOL 1e-3f

rc_gradcheck_opts rc_gradcheck_defaults(void) {
    return (rc_gradcheck_opts){
        .eps = 1e-2f, .rtol = 2e-2f, .atol = 1e-3f, .max_per_tensor = 0, .seed = 1};
}

static void report_init(rc_gradcheck_report *rep) {
    memset(rep, 0, sizeof *rep);
}

static void report_compare(rc_gradcheck_report *rep, const rc_gradcheck_opts *o, const char *what,
                           int64_t at, double analytic, double numeric) {
    double err = fabs(analytic - numeric);
    double scale = fmax(fabs(analytic), fabs(numeric));
    double rel = scale > 0 ? err / scale : 0;
    rep->checked++;
    bool bad = !(err <= o->atol + o->rtol * scale); // also catches NaN
    if (bad)
        rep->failed++;
    if (err > rep->max_abs_err || isnan(err))
        rep->max_abs_err = err;
    if (rel > rep->max_rel_err)
        rep->max_rel_err = rel;
    if (bad && rep->failed == 1)
        snprintf(rep->worst, sizeof rep->worst, "%s[%lld]: analytic %.6g numeric %.6g", what,
                 (long long)at, analytic, numeric);
}

// Which entries of a tensor of n entries to check: all of them, or `max` distinct ones visited as
// start, start + step, ... (mod n) with step coprime to n, both drawn from rng.
typedef struct entry_walk {
    int64_t count, start, step, n;
} entry_walk;

static int64_t gcd64(int64_t a, int64_t b) {
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static entry_walk entry_walk_new(rc_rng *rng, int64_t n, int max) {
    entry_walk w = {n, 0, 1, n};
    if (max > 0 && max < n) {
        w.count = max;
        w.start = (int64_t)(rc_rng_uniform(rng) * (double)n);
        do
            w.step = 1 + (int64_t)(rc_rng_uniform(rng) * (double)(n - 1));
        while (gcd64(w.step, n) != 1);
    }
    return w;
}

// The next entry: start first, then one step further each call (no overflow for any n < 2^62).
static int64_t entry_walk_next(entry_walk *w) {
    int64_t j = w->start;
    w->start = (w->start + w->step) % w->n;
    return j;
}

// ---- shared perturbation loop ---------------------------------------------------------------

typedef double (*objective_fn)(const void *ctx);

static double perturbed(rc_graph *g, float *x, float delta, objective_fn f, const void *ctx) {
    float saved = *x;
    *x = saved + delta;
    rc_graph_replay(g);
    double v = f(ctx);
    *x = saved;
    return v;
}

static void check_leaf(rc_graph *g, float *value, const float *analytic, int64_t n,
                       const char *what, const rc_gradcheck_opts *o, rc_rng *rng, objective_fn f,
                       const void *ctx, rc_gradcheck_report *rep) {
    entry_walk walk = entry_walk_new(rng, n, o->max_per_tensor);
    for (int64_t k = 0; k < walk.count; k++) {
        int64_t j = entry_walk_next(&walk);
        double plus = perturbed(g, &value[j], o->eps, f, ctx);
        double minus = perturbed(g, &value[j], -o->eps, f, ctx);
        double numeric = (plus - minus) / (2.0 * (double)o->eps);
        report_compare(rep, o, what, j, analytic ? analytic[j] : 0.0, numeric);
    }
    rc_graph_replay(g);
}

// ---- per-op check -----------------------------------------------------------------------------

typedef struct weighted_out {
    rc_tensor out;
    const float *w;
} weighted_out;

static double weighted_sum(const void *ctx) {
    const weighted_out *wo = ctx;
    double s = 0;
    for (int64_t i = 0; i < wo->out.n; i++)
        s += (double)wo->w[i] * (double)wo->out.data[i];
    return s;
}

static float draw(rc_rng *rng, const rc_op_test *t) {
    for (int tries = 0; tries < 1000; tries++) {
        float v = t->lo + (t->hi - t->lo) * (float)rc_rng_uniform(rng);
        if (fabsf(v) >= t->min_abs)
            return v;
    }
    return t->hi;
}

static bool slot_diff(const rc_op_def *op, int i) {
    return !(op->nondiff & (1u << i));
}

// Leaves for the op's test inputs. share[i] = j means slot i reuses slot j's leaf.
static bool make_leaves(rc_graph *g, const rc_op_def *op, rc_rng *rng, const int *share,
                        const rc_shape *shapes, rc_var *in) {
    const rc_op_test *t = &op->test;
    for (int i = 0; i < t->n_in; i++) {
        if (share && share[i] != i) {
            in[i] = in[share[i]];
            continue;
        }
        in[i] = rc_input(g, shapes[i], NULL);
        rc_tensor v = rc_value(in[i]);
        if (!v.data)
            return false;
        for (int64_t k = 0; k < v.n; k++)
            v.data[k] = draw(rng, t);
        if (slot_diff(op, i))
            rc_requires_grad(in[i]);
    }
    return true;
}

static rc_var build_op(rc_graph *g, const rc_op_def *op, const rc_var *in) {
    const rc_op_test *t = &op->test;
    return t->build ? t->build(g, in) : rc_apply(op, in, t->n_in, t->attr, t->attr_size);
}

static rc_status fail_from_graph(rc_graph *g, rc_gradcheck_report *rep) {
    rc_status st = rc_graph_status(g);
    snprintf(rep->worst, sizeof rep->worst, "%s", rc_graph_errmsg(g));
    return st ? st : RC_ERR_ARG;
}

static rc_gradcheck_opts op_opts(const rc_op_def *op) {
    rc_gradcheck_opts o = {.eps = OP_EPS,
                           .rtol = op->test.tol > 0 ? op->test.tol : OP_RTOL,
                           .atol = OP_ATOL,
                           .max_per_tensor = 0,
                           .seed = 0};
    return o;
}

static float *random_weights(rc_rng *rng, int64_t n) {
    float *w = malloc((size_t)(n ? n : 1) * sizeof *w);
    if (w)
        for (int64_t i = 0; i < n; i++)
            w[i] = (float)(2.0 * rc_rng_uniform(rng) - 1.0);
    return w;
}

static rc_status check_op_numeric(const rc_op_def *op, uint64_t seed, const int *share,
                                  const rc_shape *shapes, rc_gradcheck_report *rep) {
    rc_graph *g;
    if (rc_graph_new(&g) != RC_OK)
        return RC_ERR_NOMEM; // rc_graph_new said so in rc_last_error
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    rc_var in[RC_OP_TEST_MAX_IN];
    rc_status st = RC_OK;
    float *w = NULL;
    if (!make_leaves(g, op, &rng, share, shapes, in)) {
        st = fail_from_graph(g, rep);
        goto done;
    }
    rc_var out = build_op(g, op, in);
    if (!rc_ok(out)) {
        st = fail_from_graph(g, rep);
        goto done;
    }
    weighted_out wo = {rc_value(out), NULL};
    w = random_weights(&rng, wo.out.n);
    if (!w) {
        st = RC_ERR_NOMEM;
        goto done;
    }
    wo.w = w;
    if ((st = rc_backward_seeded(out, w)) != RC_OK) {
        fail_from_graph(g, rep);
        goto done;
    }
    rc_gradcheck_opts o = op_opts(op);
    for (int i = 0; i < op->test.n_in; i++) {
        if (!slot_diff(op, i) || (share && share[i] != i))
            continue;
        char what[64];
        snprintf(what, sizeof what, "%s input %d", op->name, i);
        rc_tensor v = rc_value(in[i]), gr = rc_grad(in[i]);
        check_leaf(g, v.data, gr.data, v.n, what, &o, &rng, weighted_sum, &wo, rep);
    }
done:
    free(w);
    rc_graph_free(&g);
    return st;
}

// An op with no test inputs (a custom op registered without its `test` spec) cannot be checked.
static rc_status check_test_spec(const rc_op_def *op, const char *who) {
    if (op->test.n_in >= 1 && op->test.n_in <= RC_OP_TEST_MAX_IN)
        return RC_OK;
    return rc_set_last_error(RC_ERR_ARG, "%s: op '%s' has test.n_in = %d; want 1 to %d", who,
                             op->name ? op->name : "?", op->test.n_in, RC_OP_TEST_MAX_IN);
}

rc_status rc_gradcheck_op(const rc_op_def *op, uint64_t seed, rc_gradcheck_report *rep) {
    RC_NEED(op, RC_ERR_ARG);
    RC_NEED(rep, RC_ERR_ARG);
    report_init(rep);
    if (check_test_spec(op, "rc_gradcheck_op") != RC_OK)
        return RC_ERR_ARG;
    return check_op_numeric(op, seed, NULL, op->test.shape, rep);
}

// Gradients of the op applied twice to the same leaves must be exactly twice those of once.
static rc_status check_twice(const rc_op_def *op, uint64_t seed, rc_gradcheck_report *rep) {
    float *once[RC_OP_TEST_MAX_IN] = {0};
    rc_status st = RC_OK;
    for (int pass = 1; pass <= 2 && st == RC_OK; pass++) {
        rc_graph *g;
        if (rc_graph_new(&g) != RC_OK)
            return RC_ERR_NOMEM; // rc_graph_new said so in rc_last_error
        rc_rng rng;
        rc_rng_seed(&rng, seed);
        rc_var in[RC_OP_TEST_MAX_IN];
        rc_var out = RC_NONE;
        if (make_leaves(g, op, &rng, NULL, op->test.shape, in)) {
            out = build_op(g, op, in);
            if (pass == 2)
                out = rc_add(out, build_op(g, op, in));
        }
        float *w = rc_ok(out) ? random_weights(&rng, rc_value(out).n) : NULL;
        if (!rc_ok(out) || !w || rc_backward_seeded(out, w) != RC_OK) {
            st = fail_from_graph(g, rep);
        } else {
            for (int i = 0; i < op->test.n_in; i++) {
                rc_tensor gr = rc_grad(in[i]);
                if (!slot_diff(op, i) || !gr.data)
                    continue;
                if (pass == 1) {
                    once[i] = malloc((size_t)gr.n * sizeof(float));
                    if (once[i])
                        memcpy(once[i], gr.data, (size_t)gr.n * sizeof(float));
                    continue;
                }
                char what[64];
                snprintf(what, sizeof what, "%s twice, input %d", op->name, i);
                rc_gradcheck_opts exact = {.atol = 1e-6f, .rtol = 1e-6f};
                for (int64_t k = 0; k < gr.n && once[i]; k++)
                    report_compare(rep, &exact, what, k, gr.data[k], 2.0 * once[i][k]);
            }
        }
        free(w);
        rc_graph_free(&g);
    }
    for (int i = 0; i < RC_OP_TEST_MAX_IN; i++)
        free(once[i]);
    return st;
}

// share[i] = the first differentiable slot j <= i with the same shape; true if any i != j.
static bool share_slots(const rc_op_def *op, const rc_shape *shapes, int *share) {
    bool shared = false;
    for (int i = 0; i < op->test.n_in; i++) {
        share[i] = i;
        for (int j = 0; j < i && slot_diff(op, i); j++) {
            if (slot_diff(op, j) && share[j] == j && rc_shape_eq(shapes[i], shapes[j])) {
                share[i] = j;
                shared = true;
                break;
            }
        }
    }
    return shared;
}

// Whether the op's shape rule accepts inputs of these shapes.
static bool op_accepts(const rc_op_def *op, const rc_shape *shapes) {
    rc_tensor t[RC_OP_TEST_MAX_IN];
    for (int i = 0; i < op->test.n_in; i++)
        t[i] = (rc_tensor){NULL, shapes[i], rc_shape_numel(shapes[i])};
    rc_shape out;
    char why[256];
    return op->shape(t, op->test.n_in, op->test.attr, &out, why, sizeof why) == RC_OK;
}

rc_status rc_gradcheck_op_accumulation(const rc_op_def *op, uint64_t seed,
                                       rc_gradcheck_report *rep) {
    RC_NEED(op, RC_ERR_ARG);
    RC_NEED(rep, RC_ERR_ARG);
    report_init(rep);
    const rc_op_test *t = &op->test;
    if (check_test_spec(op, "rc_gradcheck_op_accumulation") != RC_OK)
        return RC_ERR_ARG;
    rc_status st = check_twice(op, seed, rep);
    if (st != RC_OK)
        return st;
    // One leaf in every differentiable slot of the same shape: d f(x, x) / dx sums both slots.
    // When no two slots share a shape (a broadcasting test), try every slot at slot 0's shape.
    rc_shape shapes[RC_OP_TEST_MAX_IN];
    int share[RC_OP_TEST_MAX_IN];
    memcpy(shapes, t->shape, sizeof shapes);
    if (!share_slots(op, shapes, share)) {
        for (int i = 1; i < t->n_in; i++)
            if (slot_diff(op, i))
                shapes[i] = t->shape[0];
        if (!share_slots(op, shapes, share) || !op_accepts(op, shapes))
            return RC_OK;
    }
    rc_gradcheck_report same;
    report_init(&same);
    st = check_op_numeric(op, seed + 1, share, shapes, &same);
    rep->checked += same.checked;
    rep->failed += same.failed;
    rep->max_abs_err = fmax(rep->max_abs_err, same.max_abs_err);
    rep->max_rel_err = fmax(rep->max_rel_err, same.max_rel_err);
    if (same.failed && !rep->worst[0])
        snprintf(rep->worst, sizeof rep->worst, "shared slots: %.240s", same.worst);
    return st;
}

// ---- model-level check -----------------------------------------------------------------------

static double loss_value(const void *ctx) {
    return (double)((const rc_tensor *)ctx)->data[0];
}

static bool is_checked_leaf(const rc_node *n) {
    return n->kind != RC_NODE_OP && n->needs_grad;
}

rc_status rc_gradcheck_loss(rc_var loss, const rc_gradcheck_opts *opts, rc_gradcheck_report *rep) {
    RC_NEED(rep, RC_ERR_ARG);
    RC_NEED_VAR(loss, RC_ERR_ARG);
    report_init(rep);
    rc_graph *g = loss.g;
    rc_gradcheck_opts o = opts ? *opts : rc_gradcheck_defaults();
    if (!rc_ok(loss) || g->status != RC_OK)
        return fail_from_graph(g, rep);
    for (uint32_t k = 0; k < g->n_nodes; k++) {
        rc_node *n = rc_node_at(g, k);
        if (n->kind == RC_NODE_PARAM)
            memset(n->param->grad.data, 0, (size_t)n->param->grad.n * sizeof(float));
    }
    rc_status st = rc_backward(loss);
    if (st != RC_OK)
        return fail_from_graph(g, rep);
    rc_rng rng;
    rc_rng_seed(&rng, o.seed);
    rc_tensor lv = rc_value(loss);
    for (uint32_t k = 0; k < g->n_nodes && k <= loss.idx; k++) {
        rc_node *n = rc_node_at(g, k);
        if (!is_checked_leaf(n))
            continue;
        float *analytic = malloc((size_t)n->value.n * sizeof(float));
        if (!analytic)
            return rc_set_last_error(RC_ERR_NOMEM, "rc_gradcheck_loss: out of memory");
        if (n->grad)
            memcpy(analytic, n->grad, (size_t)n->value.n * sizeof(float));
        else
            memset(analytic, 0, (size_t)n->value.n * sizeof(float));
        char what[160];
        snprintf(what, sizeof what, "%s", n->name ? n->name : "input");
        if (!n->name)
            snprintf(what, sizeof what, "input node %u", k);
        check_leaf(g, n->value.data, analytic, n->value.n, what, &o, &rng, loss_value, &lv, rep);
        free(analytic);
    }
    return g->status;
}
