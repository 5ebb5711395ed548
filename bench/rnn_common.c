// The helpers shared by bench/rnn and bench/rnn_dnnl (see rnn_common.h).
#include "rnn_common.h"

#include "bench_stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// (T, B, I, H) from issue 10 for each cell, the two-layer small PTB model of Zaremba et al. and a
// two-layer bidirectional LSTM.
#define RNN_SHAPE(tag, T, B, I, H)                                                                 \
    {"lstm_" tag, "lstm", T, B, I, H, 1, false}, {"gru_" tag, "gru", T, B, I, H, 1, false}, {      \
        "rnn_" tag, "rnn", T, B, I, H, 1, false                                                    \
    }
const rnn_case rnn_cases[] = {
    RNN_SHAPE("h128", 50, 32, 64, 128),
    RNN_SHAPE("h512", 20, 64, 512, 512),
    RNN_SHAPE("t100_h64", 100, 16, 64, 64),
    RNN_SHAPE("t100_h256", 100, 64, 256, 256),
    RNN_SHAPE("t100_h512", 100, 64, 512, 512),
    {"lstm_ptb_small", "lstm", 35, 20, 200, 200, 2, false},
    {"lstm_bi_h128", "lstm", 50, 32, 64, 128, 2, true},
};
const int rnn_n_cases = (int)(sizeof rnn_cases / sizeof rnn_cases[0]);

_Noreturn void rnn_die(const char *what, const char *msg) {
    fprintf(stderr, "rnn: %s: %s\n", what, msg);
    exit(1);
}

static _Noreturn void usage(const char *prog) {
    fprintf(stderr,
            "usage: %s [--threads N] [--reps N] [--case NAME]... [--mode train|infer] "
            "[--impl NAME] [--check] [--list]\ncases:",
            prog);
    for (int i = 0; i < rnn_n_cases; i++)
        fprintf(stderr, " %s", rnn_cases[i].name);
    fprintf(stderr, "\n");
    exit(2);
}

static int int_arg(int argc, char **argv, int *i) {
    const int v = *i + 1 < argc ? atoi(argv[++*i]) : 0;
    if (v < 1)
        usage(argv[0]);
    return v;
}

static int case_index(const char *prog, const char *name) {
    for (int i = 0; i < rnn_n_cases; i++)
        if (!strcmp(rnn_cases[i].name, name))
            return i;
    usage(prog);
}

static const char *str_arg(int argc, char **argv, int *i) {
    if (*i + 1 >= argc)
        usage(argv[0]);
    return argv[++*i];
}

void rnn_parse_args(int argc, char **argv, rnn_opts *o) {
    static bool run[64];
    *o = (rnn_opts){.threads = 1, .reps = 11, .run = run};
    bool any = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--threads")) {
            o->threads = int_arg(argc, argv, &i);
        } else if (!strcmp(a, "--reps")) {
            o->reps = int_arg(argc, argv, &i);
        } else if (!strcmp(a, "--case")) {
            run[case_index(argv[0], str_arg(argc, argv, &i))] = any = true;
        } else if (!strcmp(a, "--mode")) {
            const char *m = str_arg(argc, argv, &i);
            if (strcmp(m, "train") && strcmp(m, "infer"))
                usage(argv[0]);
            o->infer = !strcmp(m, "infer");
        } else if (!strcmp(a, "--impl")) {
            o->impl = str_arg(argc, argv, &i);
        } else if (!strcmp(a, "--check")) {
            o->check = true;
        } else if (!strcmp(a, "--list")) {
            for (int k = 0; k < rnn_n_cases; k++)
                printf("%s\n", rnn_cases[k].name);
            exit(0);
        } else {
            usage(argv[0]);
        }
    }
    for (int k = 0; k < rnn_n_cases && !any; k++)
        run[k] = true;
}

float *rnn_random_floats(int64_t n, rc_rng *rng) {
    float *x = malloc(sizeof(float) * (size_t)n);
    if (!x)
        rnn_die("setup", "out of memory");
    for (int64_t i = 0; i < n; i++)
        x[i] = 2.0f * (float)rc_rng_uniform(rng) - 1.0f;
    return x;
}

double rnn_max_diff(const float *a, const float *b, int64_t n) {
    double m = 0;
    for (int64_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)a[i] - (double)b[i]));
    return m;
}

rc_rnn *rnn_builtin(const rnn_case *c, rc_params *ps, rc_rng *rng) {
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
        rnn_die(c->name, err);
    return r;
}

static double clock_ms(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

double rnn_wall_ms(void) {
    return clock_ms(CLOCK_MONOTONIC);
}

double rnn_cpu_ms(void) {
    return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

rnn_times rnn_times_new(int reps) {
    rnn_times t = {.reps = reps};
    double **lists[] = {&t.fwd, &t.bwd, &t.total, &t.cpu};
    for (int k = 0; k < 4; k++)
        if (!(*lists[k] = calloc((size_t)reps, sizeof(double))))
            rnn_die("setup", "out of memory");
    return t;
}

void rnn_times_record(rnn_times *t, int r, double t0, double t1, double t2, double c0, double c2) {
    if (r < 0)
        return;
    t->fwd[r] = t1 - t0;
    t->bwd[r] = t2 - t1;
    t->total[r] = t2 - t0;
    t->cpu[r] = c2 - c0;
}

// The peak resident set of this process in MB (VmHWM), or -1 where /proc is missing.
static double peak_mb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kb = atof(line + 6);
    if (f)
        fclose(f);
    return kb < 0 ? -1 : kb / 1024.0;
}

void rnn_times_report(rnn_times *t, const rnn_case *c, const rnn_opts *o, const char *impl,
                      double loss) {
    const double fwd = bench_median(t->fwd, t->reps), bwd = bench_median(t->bwd, t->reps);
    const double ms = bench_median(t->total, t->reps), cpu = bench_median(t->cpu, t->reps);
    // bench_median() sorted t->total: its first entry is the fastest step.
    printf("rnn impl=%s case=%s mode=%s threads=%d reps=%d fwd_ms=%.3f bwd_ms=%.3f ms=%.3f "
           "min_ms=%.3f cpu_ms=%.3f loss=%.5f peak_mb=%.1f\n",
           impl, c->name, o->infer ? "infer" : "train", o->threads, t->reps, fwd, bwd, ms,
           t->total[0], cpu, loss, peak_mb());
    fflush(stdout);
    free(t->fwd), free(t->bwd), free(t->total), free(t->cpu);
}
