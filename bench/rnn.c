// bench/rnn: one training step (forward, loss, backward; no optimizer) of recur's stacked RNN,
// LSTM and GRU (rc_rnn_forward with the built-in cells) on a few representative shapes.
// bench/rnn_torch.py runs the same cases with torch.nn.RNN / LSTM / GRU, and bench/run_rnn.sh
// runs both with the same thread count and prints one table.
//
// A step: reset the graph, copy x [T,B,I] in, run all layers, MSE against a fixed target
// [T,B,D*H], back-propagate into the parameters. Parameter gradients are zeroed before the clock
// starts. Prints one `key=value` line per case: the median and the minimum wall-clock
// milliseconds per step, the forward and backward parts, and the median processor time.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <recur/recur.h>

// The cases; bench/rnn_torch.py has the same table.
typedef struct rnn_case {
    const char *name, *cell; // cell: "lstm", "gru" or "rnn" (tanh)
    int T, B, I, H, L;
    bool bidirectional;
} rnn_case;

static const rnn_case cases[] = {
    {"lstm_h128", "lstm", 50, 32, 64, 128, 1, false},
    {"gru_h128", "gru", 50, 32, 64, 128, 1, false},
    {"rnn_h128", "rnn", 50, 32, 64, 128, 1, false},
    {"lstm_ptb_small", "lstm", 35, 20, 200, 200, 2, false}, // Zaremba et al.'s small PTB model
    {"lstm_h512", "lstm", 20, 64, 512, 512, 1, false},
    {"gru_h512", "gru", 20, 64, 512, 512, 1, false},
    {"lstm_bi_h128", "lstm", 50, 32, 64, 128, 2, true},
};
#define N_CASES (int)(sizeof cases / sizeof cases[0])

typedef struct opts {
    int threads, reps;
    bool run[N_CASES];
} opts;

static double clock_ms(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static double now_ms(void) {
    return clock_ms(CLOCK_MONOTONIC);
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double minimum(const double *v, int n) {
    double m = v[0];
    for (int i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

static void die(const char *what, const char *msg) {
    fprintf(stderr, "rnn: %s: %s\n", what, msg);
    exit(1);
}

static float *random_floats(int64_t n, rc_rng *rng) {
    float *x = malloc(sizeof(float) * (size_t)n);
    if (!x)
        die("setup", "out of memory");
    for (int64_t i = 0; i < n; i++)
        x[i] = 2.0f * (float)rc_rng_uniform(rng) - 1.0f;
    return x;
}

// The rnn, built with the cell's own options struct (they must outlive rc_rnn_new only).
static rc_rnn *make_rnn(const rnn_case *c, rc_params *ps, rc_rng *rng) {
    rc_lstm_opts lstm = {.dim_hidden = c->H};
    rc_gru_opts gru = {.dim_hidden = c->H};
    rc_rnn_cell_opts rnn = {.dim_hidden = c->H, .nonlinearity = RC_RNN_TANH};
    rc_rnn_config cfg = {.dim_in = c->I, .num_layers = c->L, .bidirectional = c->bidirectional};
    if (!strcmp(c->cell, "lstm"))
        cfg.cell = &rc_lstm_cell_type, cfg.cell_opts = &lstm;
    else if (!strcmp(c->cell, "gru"))
        cfg.cell = &rc_gru_cell_type, cfg.cell_opts = &gru;
    else
        cfg.cell = &rc_rnn_cell_type, cfg.cell_opts = &rnn;
    rc_rnn *r;
    char err[256];
    if (rc_rnn_new(&r, &cfg, ps, "", rng, err, sizeof err) != RC_OK)
        die(c->name, err);
    return r;
}

static void bench_case(const rnn_case *c, const opts *o) {
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_params *ps;
    rc_graph *g;
    if (rc_params_new(&ps) || rc_graph_new(&g))
        die(c->name, "setup failed");
    rc_rnn *rnn = make_rnn(c, ps, &rng);
    const int D = c->bidirectional ? 2 : 1;
    float *x = random_floats((int64_t)c->T * c->B * c->I, &rng);
    float *target = random_floats((int64_t)c->T * c->B * D * c->H, &rng);
    double *fwd = malloc(sizeof(double) * (size_t)o->reps);
    double *bwd = malloc(sizeof(double) * (size_t)o->reps);
    double *total = malloc(sizeof(double) * (size_t)o->reps);
    double *cpu = malloc(sizeof(double) * (size_t)o->reps);
    float loss_value = 0;
    for (int r = -2; r < o->reps; r++) { // two warm-up steps size the arenas
        rc_params_zero_grad(ps);
        const double c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID), t0 = now_ms();
        rc_graph_reset(g);
        rc_var xv = rc_input(g, RC_SHAPE(c->T, c->B, c->I), x);
        rc_rnn_result out;
        rc_rnn_forward(g, rnn, xv, &(rc_rnn_run){.training = true}, &out);
        rc_var tv = rc_input(g, RC_SHAPE(c->T, c->B, D * c->H), target);
        rc_var loss = rc_mse(out.output, tv, RC_REDUCE_MEAN);
        const double t1 = now_ms();
        if (rc_backward(loss) != RC_OK)
            die(c->name, rc_graph_errmsg(g));
        const double t2 = now_ms(), c2 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
        loss_value = rc_item(loss);
        if (!isfinite(loss_value))
            die(c->name, "loss is not finite");
        if (r >= 0) {
            fwd[r] = t1 - t0;
            bwd[r] = t2 - t1;
            total[r] = t2 - t0;
            cpu[r] = c2 - c0;
        }
    }
    const double min_ms = minimum(total, o->reps);
    printf("rnn impl=recur case=%s threads=%d reps=%d fwd_ms=%.3f bwd_ms=%.3f ms=%.3f "
           "min_ms=%.3f cpu_ms=%.3f loss=%.5f\n",
           c->name, o->threads, o->reps, median(fwd, o->reps), median(bwd, o->reps),
           median(total, o->reps), min_ms, median(cpu, o->reps), (double)loss_value);
    fflush(stdout);
    free(fwd), free(bwd), free(total), free(cpu), free(x), free(target);
    rc_rnn_free(&rnn);
    rc_graph_free(&g);
    rc_params_free(&ps);
}

static void usage(void) {
    fprintf(stderr, "usage: rnn [--threads N] [--reps N] [--case NAME]... [--list]\ncases:");
    for (int i = 0; i < N_CASES; i++)
        fprintf(stderr, " %s", cases[i].name);
    fprintf(stderr, "\n");
    exit(2);
}

static int int_arg(int argc, char **argv, int *i) {
    if (*i + 1 >= argc)
        usage();
    const int v = atoi(argv[++*i]);
    if (v < 1)
        usage();
    return v;
}

static int case_index(const char *name) {
    for (int i = 0; i < N_CASES; i++)
        if (!strcmp(cases[i].name, name))
            return i;
    usage();
    return -1;
}

int main(int argc, char **argv) {
    opts o = {.threads = 1, .reps = 11};
    bool any = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads")) {
            o.threads = int_arg(argc, argv, &i);
        } else if (!strcmp(argv[i], "--reps")) {
            o.reps = int_arg(argc, argv, &i);
        } else if (!strcmp(argv[i], "--case") && i + 1 < argc) {
            o.run[case_index(argv[++i])] = any = true;
        } else if (!strcmp(argv[i], "--list")) {
            for (int k = 0; k < N_CASES; k++)
                printf("%s\n", cases[k].name);
            return 0;
        } else {
            usage();
        }
    }
    rc_set_num_threads(o.threads);
    for (int i = 0; i < N_CASES; i++)
        if (o.run[i] || !any)
            bench_case(&cases[i], &o);
    return 0;
}
