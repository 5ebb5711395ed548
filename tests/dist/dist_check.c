// The data-parallel checks, run under mpirun by tests/dist/run.sh (and alone, as one rank).
//
//   dist_check train STEPS OUT [RESUME]  trains a small model (a row-sparse embedding, a tanh
//       layer, a read-out; Adam) for STEPS steps of batch 12, each rank on its shard of the rows,
//       from RESUME's checkpoint when given; rank 0 writes OUT (parameters, optimizer state, the
//       step) and prints "hash H". Without RESUME, rank 0 also trains the same model on the
//       whole batch alone and prints "maxdiff D" between the two.
//   dist_check compare A B                 prints "maxdiff D" between two checkpoints' params.
//   dist_check die STEP | hang STEP        rank 1 kills itself (SIGKILL) or stops answering at
//       STEP; the run must end with an error (mpirun's, or the watchdog's).
//   dist_check mismatch                    rank 1 holds one parameter more: the broadcast must
//       fail on every rank with a message, not hang.
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <recur/recur.h>

enum { V = 50, E = 8, H = 16, C = 5, B = 12 };

typedef struct model {
    rc_params *ps;
    rc_param *emb, *w1, *b1, *w2, *b2;
    rc_optim *opt;
    rc_graph *g;
} model;

static void die(const char *what, const char *err) {
    fprintf(stderr, "dist_check: %s: %s\n", what, err);
    exit(1);
}

static void model_new(model *m) {
    rc_rng rng;
    rc_rng_seed(&rng, 7);
    if (rc_params_new(&m->ps) != RC_OK || rc_graph_new(&m->g) != RC_OK)
        die("setup", rc_last_error());
    rc_params_add(m->ps, "emb", RC_SHAPE(V, E), &m->emb);
    rc_params_add(m->ps, "w1", RC_SHAPE(H, E), &m->w1);
    rc_params_add(m->ps, "b1", RC_SHAPE(H), &m->b1);
    rc_params_add(m->ps, "w2", RC_SHAPE(C, H), &m->w2);
    rc_params_add(m->ps, "b2", RC_SHAPE(C), &m->b2);
    const rc_init u = {.kind = RC_INIT_UNIFORM, .a = -0.5, .b = 0.5};
    rc_param *all[] = {m->emb, m->w1, m->b1, m->w2, m->b2};
    for (int i = 0; i < 5; i++)
        if (!all[i] || rc_init_param(all[i], &u, &rng) != RC_OK)
            die("init", rc_last_error());
    char err[512];
    const rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_ADAM, 0.01);
    if (rc_optim_new(&m->opt, m->ps, &oo, err, sizeof err) != RC_OK)
        die("optimizer", err);
}

static void model_free(model *m) {
    rc_optim_free(&m->opt);
    rc_graph_free(&m->g);
    rc_params_free(&m->ps);
}

// Batch `step`: ids and classes of B rows, the same on every rank.
static void batch(int step, int32_t *ids, int32_t *cls) {
    rc_rng r;
    rc_rng_seed(&r, 1000 + (uint64_t)step);
    for (int i = 0; i < B; i++) {
        ids[i] = (int32_t)rc_rng_below(&r, V);
        cls[i] = ids[i] % C;
    }
}

// One step on rows [b0, b1) of the batch: the mean loss over those rows, backward, the average
// over ranks (d may be NULL: alone), Adam.
static void step(model *m, rc_dist *d, int s, int64_t b0, int64_t b1) {
    int32_t ids[B], cls[B];
    batch(s, ids, cls);
    rc_graph_reset(m->g);
    rc_params_zero_grad(m->ps);
    rc_graph *g = m->g;
    const int64_t n = b1 - b0;
    rc_var x = rc_embedding(rc_use(g, m->emb), ids + b0, RC_SHAPE(n));
    rc_var h = rc_tanh(rc_linear(x, rc_use(g, m->w1), rc_use(g, m->b1)));
    rc_var y = rc_linear(h, rc_use(g, m->w2), rc_use(g, m->b2));
    rc_var loss = rc_cross_entropy(y, cls + b0, RC_REDUCE_MEAN, -100);
    char err[512];
    if (rc_backward(loss) != RC_OK)
        die("backward", rc_graph_errmsg(g));
    if (d && rc_dist_average_grads(d, m->ps, err, sizeof err) != RC_OK)
        die("average", err);
    if (rc_optim_step(m->opt) != RC_OK)
        die("step", rc_last_error());
}

static double maxdiff(const rc_params *a, const rc_params *b) {
    double worst = 0;
    for (int i = 0; i < rc_params_count(a); i++) {
        rc_tensor x = rc_param_value(rc_params_at(a, i)), y = rc_param_value(rc_params_at(b, i));
        for (int64_t k = 0; k < x.n; k++)
            worst = fmax(worst, fabs((double)x.data[k] - (double)y.data[k]));
    }
    return worst;
}

static uint64_t hash(const rc_params *ps) {
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < rc_params_count(ps); i++) {
        rc_tensor t = rc_param_value(rc_params_at(ps, i));
        const unsigned char *p = (const unsigned char *)t.data;
        for (size_t k = 0; k < (size_t)t.n * sizeof(float); k++)
            h = (h ^ p[k]) * 1099511628211ull;
    }
    return h;
}

static int first_step(model *m, const char *resume) {
    if (!resume)
        return 0;
    char err[512];
    const rc_checkpoint_extra x = {.optim = m->opt};
    if (rc_checkpoint_load(resume, m->ps, &x, true, NULL, err, sizeof err) != RC_OK)
        die("resume", err);
    rc_safetensors *f;
    if (rc_safetensors_open(&f, resume, err, sizeof err) != RC_OK)
        die("resume", err);
    const char *s = rc_safetensors_metadata(f, "check.step");
    const int k = s ? atoi(s) : 0;
    rc_safetensors_close(&f);
    return k;
}

static void save(const model *m, const char *out, int steps) {
    char val[32], err[512];
    snprintf(val, sizeof val, "%d", steps);
    const char *meta[] = {"check.step", val, NULL};
    const rc_checkpoint_extra x = {.optim = m->opt, .meta = meta};
    if (rc_checkpoint_save(out, m->ps, &x, err, sizeof err) != RC_OK)
        die("save", err);
}

static int train(rc_dist *d, int steps, const char *out, const char *resume, const char *fault,
                 int fault_step) {
    model m = {0};
    model_new(&m);
    char err[512];
    const int from = first_step(&m, resume);
    if (rc_dist_broadcast(d, m.ps, m.opt, err, sizeof err) != RC_OK)
        die("broadcast", err);
    int64_t b0, b1;
    rc_dist_shard(d, B, &b0, &b1);
    for (int s = from; s < steps; s++) {
        if (fault && rc_dist_rank(d) == 1 && s == fault_step) {
            if (!strcmp(fault, "die"))
                raise(SIGKILL);
            sleep(1000); // hangs: the other ranks' watchdog must end the job
        }
        step(&m, d, s, b0, b1);
    }
    if (rc_dist_rank(d) == 0 && out) {
        save(&m, out, steps);
        printf("hash %016llx\n", (unsigned long long)hash(m.ps));
    }
    if (rc_dist_rank(d) == 0 && !resume) { // the same steps on the whole batch, alone
        model ref = {0};
        model_new(&ref);
        for (int s = 0; s < steps; s++)
            step(&ref, NULL, s, 0, B);
        printf("maxdiff %.3g\n", maxdiff(m.ps, ref.ps));
        model_free(&ref);
    }
    printf("rank %d: %lld collectives, %.4f s\n", rc_dist_rank(d), (long long)rc_dist_comm_calls(d),
           rc_dist_comm_seconds(d));
    model_free(&m);
    return 0;
}

static int compare(const char *a, const char *b) {
    model x = {0}, y = {0};
    model_new(&x);
    model_new(&y);
    char err[512];
    if (rc_checkpoint_load(a, x.ps, NULL, true, NULL, err, sizeof err) != RC_OK ||
        rc_checkpoint_load(b, y.ps, NULL, true, NULL, err, sizeof err) != RC_OK)
        die("compare", err);
    printf("maxdiff %.3g\n", maxdiff(x.ps, y.ps));
    model_free(&x);
    model_free(&y);
    return 0;
}

static int mismatch(rc_dist *d) {
    model m = {0};
    model_new(&m);
    rc_param *extra;
    if (rc_dist_rank(d) == 1)
        rc_params_add(m.ps, "extra", RC_SHAPE(3), &extra);
    char err[512] = "";
    const rc_status st = rc_dist_broadcast(d, m.ps, m.opt, err, sizeof err);
    printf("rank %d: %s\n", rc_dist_rank(d), st == RC_OK ? "broadcast accepted" : err);
    model_free(&m);
    return st == RC_ERR_SHAPE ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc >= 4 && !strcmp(argv[1], "compare"))
        return compare(argv[2], argv[3]);
    rc_dist *d;
    char err[512];
    if (rc_dist_init(&d, NULL, err, sizeof err) != RC_OK)
        die("init", err);
    setvbuf(stdout, NULL, _IOLBF, 0);
    int rc = 2;
    if (argc >= 4 && !strcmp(argv[1], "train"))
        rc = train(d, atoi(argv[2]), argv[3], argc >= 5 ? argv[4] : NULL, NULL, -1);
    else if (argc >= 2 && !strcmp(argv[1], "mismatch"))
        rc = mismatch(d);
    else if (argc >= 3 && (!strcmp(argv[1], "die") || !strcmp(argv[1], "hang")))
        rc = train(d, 1000000, NULL, NULL, argv[1], atoi(argv[2]));
    else
        fprintf(stderr, "usage: dist_check train STEPS OUT [RESUME] | compare A B | die STEP | "
                        "hang STEP\n");
    rc_dist_free(&d);
    return rc;
}
