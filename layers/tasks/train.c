// The task driver: trains one cell type on one task under a fixed budget, evaluates on a fixed
// held-out batch, and measures the gradient flow ||dL/dh_t|| before and after training.
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "model_impl.h"

// The config with every 0 replaced by the task's default, checked.
static rc_status resolve(const rc_task_config *in, rc_task_config *c, char *err, size_t len) {
    if (!in)
        return rc_err_null(err, len, "rc_task_train", "cfg");
    if (!in->task || !in->cell)
        return rc_errf(err, len, RC_ERR_ARG, "rc_task_train: config, task and cell are required");
    *c = *in;
    const rc_task_defaults *d = &in->task->defaults;
    c->length = c->length ? c->length : d->length;
    c->batch = c->batch ? c->batch : d->batch;
    c->steps = c->steps ? c->steps : d->steps;
    c->hidden = c->hidden ? c->hidden : d->hidden;
    c->eval_every = c->eval_every ? c->eval_every : d->eval_every;
    c->eval_batch = c->eval_batch ? c->eval_batch : 256;
    c->lr = c->lr != 0 ? c->lr : d->lr;
    c->clip = c->clip != 0 ? c->clip : d->clip;
    c->optimizer = c->optimizer >= 0 ? c->optimizer : (int)d->optimizer;
    if (c->steps < 1 || c->hidden < 1 || c->batch < 1 || c->eval_every < 1 || c->eval_batch < 1)
        return rc_errf(err, len, RC_ERR_ARG,
                       "rc_task_train: steps %d, hidden %d, batch %d, eval_every %d, eval_batch "
                       "%d must all be >= 1",
                       c->steps, c->hidden, c->batch, c->eval_every, c->eval_batch);
    if (!(c->lr > 0) || c->lr > 10)
        return rc_errf(err, len, RC_ERR_ARG, "rc_task_train: lr %g outside (0, 10]", c->lr);
    if (!rc_optim_kind_name((rc_optim_kind)c->optimizer))
        return rc_errf(err, len, RC_ERR_ARG, "rc_task_train: unknown optimizer %d", c->optimizer);
    return RC_OK;
}

typedef struct run {
    rc_task_config c;
    rc_graph *g;
    rc_task_model m;
    rc_optim *opt;
    rc_task_batch train, held;
    rc_rng data;
} run;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// One optimizer step on a fresh batch; *loss is its training loss.
static rc_status train_step(run *r, double *loss) {
    r->c.task->generate(&r->data, &r->train);
    rc_graph_reset(r->g);
    rc_params_zero_grad(r->m.ps);
    rc_var l = r->c.task->loss(rc_task_model_logits(r->g, &r->m, &r->train), &r->train);
    *loss = rc_item(l);
    rc_status st = rc_backward(l);
    if (st == RC_OK && r->c.clip > 0)
        rc_clip_grad_norm(r->m.ps, r->c.clip, 2.0);
    return st == RC_OK ? rc_optim_step(r->opt) : st;
}

// The held-out score and loss, without recording for backward.
static rc_status evaluate(run *r, rc_task_score *sc, double *loss) {
    rc_graph_reset(r->g);
    const bool was = rc_graph_set_grad_enabled(r->g, false);
    rc_var logits = rc_task_model_logits(r->g, &r->m, &r->held);
    rc_var l = r->c.task->loss(logits, &r->held);
    rc_graph_set_grad_enabled(r->g, was);
    if (!rc_ok(l))
        return rc_graph_status(r->g);
    *loss = rc_item(l);
    *sc = r->c.task->score(rc_value(logits).data, &r->held);
    return RC_OK;
}

static rc_status record(run *r, rc_task_result *res, int step, double train) {
    rc_task_score sc;
    double held_loss = 0;
    rc_status st = evaluate(r, &sc, &held_loss);
    if (st != RC_OK)
        return st;
    res->curve[res->n_points++] =
        (rc_task_point){.step = step, .train = step ? train : held_loss, .heldout = sc.metric};
    res->final_heldout = sc.metric;
    res->final_accuracy = sc.accuracy;
    if (sc.success && res->success_step < 0)
        res->success_step = step;
    return RC_OK;
}

// The training loop: `steps` steps, a held-out point at 0, every eval_every steps and the end.
static rc_status loop(run *r, rc_task_result *res) {
    rc_status st = record(r, res, 0, 0);
    double sum = 0, ms = 0;
    int since = 0;
    for (int s = 1; st == RC_OK && s <= r->c.steps; s++) {
        double loss, t0 = now_ms();
        st = train_step(r, &loss);
        ms += now_ms() - t0;
        sum += loss;
        since++;
        if (st == RC_OK && !isfinite(loss))
            st = RC_ERR_NONFINITE;
        if (st == RC_OK && (s % r->c.eval_every == 0 || s == r->c.steps)) {
            st = record(r, res, s, sum / since);
            sum = 0;
            since = 0;
        }
    }
    res->ms_per_step = ms / r->c.steps;
    return st;
}

static rc_status alloc_result(const rc_task_config *c, int T, rc_task_result *res, char *err,
                              size_t len) {
    const int n = c->steps / c->eval_every + 2;
    res->curve = calloc((size_t)n, sizeof *res->curve);
    res->gradflow_init = calloc((size_t)T, sizeof *res->gradflow_init);
    res->gradflow_final = calloc((size_t)T, sizeof *res->gradflow_final);
    res->T = T;
    if (!res->curve || !res->gradflow_init || !res->gradflow_final)
        return rc_errf(err, len, RC_ERR_NOMEM, "rc_task_train: out of memory (%d points)", n);
    return RC_OK;
}

// Graph, model, optimizer and batches; the generators are split from one seeded generator.
static rc_status setup(run *r, rc_task_result *res, char *err, size_t len) {
    const rc_task_config *c = &r->c;
    rc_rng master, init, held;
    rc_rng_seed(&master, c->seed);
    init = rc_rng_split(&master);
    r->data = rc_rng_split(&master);
    held = rc_rng_split(&master);
    rc_status st = rc_task_batch_new(&r->train, c->task, c->length, c->batch, err, len);
    if (st == RC_OK)
        st = rc_task_batch_new(&r->held, c->task, c->length, c->eval_batch, err, len);
    if (st != RC_OK)
        return st;
    c->task->generate(&held, &r->held);
    if ((st = rc_graph_new(&r->g)) != RC_OK)
        return rc_errf(err, len, st, "rc_task_train: out of memory (graph)");
    st = rc_task_model_new(&r->m, c->task, c->cell, r->train.T, c->hidden, &init, err, len);
    if (st == RC_OK && c->forget_bias_set)
        st = rc_rnn_set_forget_bias(r->m.rnn, c->forget_bias, err, len);
    if (st != RC_OK)
        return st;
    res->n_params = rc_params_numel(r->m.ps);
    const rc_optim_opts o = rc_optim_defaults((rc_optim_kind)c->optimizer, c->lr);
    if ((st = rc_optim_new(&r->opt, r->m.ps, &o, err, len)) != RC_OK)
        return st;
    return alloc_result(c, r->train.T, res, err, len);
}

static void teardown(run *r) {
    rc_optim_free(&r->opt);
    rc_task_model_free(&r->m);
    rc_graph_free(&r->g);
    rc_task_batch_free(&r->train);
    rc_task_batch_free(&r->held);
}

rc_status rc_task_train(const rc_task_config *cfg, rc_task_result *res, char *err, size_t err_len) {
    run r = {0};
    if (!res)
        return rc_err_null(err, err_len, "rc_task_train", "res");
    *res = (rc_task_result){.success_step = -1};
    rc_status st = resolve(cfg, &r.c, err, err_len);
    if (st == RC_OK)
        st = setup(&r, res, err, err_len);
    if (st == RC_OK && (st = rc_task_gradflow(r.g, &r.m, &r.held, res->gradflow_init)) != RC_OK)
        rc_errf(err, err_len, st, "rc_task_train: %s on %s: gradient flow at init: %s",
                r.c.cell->name, r.c.task->name, rc_graph_errmsg(r.g));
    if (st == RC_OK && (st = loop(&r, res)) != RC_OK)
        rc_errf(err, err_len, st, "rc_task_train: %s on %s, seed %llu: training stopped: %s %s",
                r.c.cell->name, r.c.task->name, (unsigned long long)r.c.seed, rc_status_str(st),
                rc_graph_errmsg(r.g));
    if (st == RC_OK && (st = rc_task_gradflow(r.g, &r.m, &r.held, res->gradflow_final)) != RC_OK)
        rc_errf(err, err_len, st, "rc_task_train: %s on %s: gradient flow after training: %s",
                r.c.cell->name, r.c.task->name, rc_graph_errmsg(r.g));
    teardown(&r);
    if (st != RC_OK)
        rc_task_result_free(res);
    return st;
}

void rc_task_result_free(rc_task_result *res) {
    if (!res)
        return;
    free(res->curve);
    free(res->gradflow_init);
    free(res->gradflow_final);
    *res = (rc_task_result){.success_step = -1};
}

int64_t rc_task_param_count(const rc_task *task, const rc_cell_type *cell, int length, int H,
                            char *err, size_t err_len) {
    if (!task || !cell) {
        rc_err_null(err, err_len, "rc_task_param_count", !task ? "task" : "cell");
        return -1;
    }
    if (H < 1) {
        rc_errf(err, err_len, RC_ERR_ARG, "rc_task_param_count: H must be >= 1, got %d", H);
        return -1;
    }
    rc_task_model m;
    rc_rng rng; // the values are not used, only the count
    rc_rng_seed(&rng, 0);
    if (rc_task_model_new(&m, task, cell, length + task->extra_steps, H, &rng, err, err_len) !=
        RC_OK)
        return -1;
    const int64_t n = rc_params_numel(m.ps);
    rc_task_model_free(&m);
    return n;
}

int rc_task_equal_params_hidden(const rc_task *task, const rc_cell_type *cell,
                                const rc_cell_type *ref, int length, int target_H, char *err,
                                size_t err_len) {
    const int64_t want = rc_task_param_count(task, ref, length, target_H, err, err_len);
    if (want < 0)
        return -1;
    int best = -1;
    int64_t best_gap = INT64_MAX;
    for (int H = 1; H <= 4 * target_H; H++) {
        const int64_t n = rc_task_param_count(task, cell, length, H, err, err_len);
        if (n < 0)
            return -1;
        const int64_t gap = n > want ? n - want : want - n;
        if (gap < best_gap) {
            best_gap = gap;
            best = H;
        }
        if (n > want)
            break;
    }
    return best;
}
