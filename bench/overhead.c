// bench/overhead: what recur costs per graph node, and how fast its matrix product is.
//
//   chain   builds a long chain of elementwise ops on tiny tensors (a few elements, unary and
//           binary ops mixed), back-propagates it, resets the graph, and repeats; reports the
//           median microseconds per node for build (reset + leaves + ops) and backward.
//           bench/overhead_torch.py builds the same chain in PyTorch.
//   matmul  rc_matmul through the graph (forward only) against a direct dnnl_sgemm call on the
//           same buffers, interleaved rep by rep; reports the median GFLOP/s of each.
//
// Prints one `key=value` line per measurement; bench/run_overhead.sh turns them into a table.
// Not library code: it includes dnnl.h directly for the reference sgemm, which the library only
// does inside ops/dnnl/.
#include <dnnl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <recur/recur.h>

#include "bench_stats.h"

typedef struct opts {
    int threads, nodes, elems, reps, mm_reps;
    bool chain, matmul;
} opts;

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static void fill(float *x, int64_t n, float lo, float hi, rc_rng *rng) {
    for (int64_t i = 0; i < n; i++)
        x[i] = lo + (hi - lo) * (float)rc_rng_uniform(rng);
}

static void die(const char *what, rc_graph *g) {
    fprintf(stderr, "overhead: %s: %s\n", what, g ? rc_graph_errmsg(g) : "failed");
    exit(1);
}

// ---- chain -----------------------------------------------------------------------------------

// The op cycle; overhead_torch.py repeats it exactly. Values stay in a small range for any length.
static rc_var chain_op(int i, rc_var y, rc_var w, rc_var b) {
    switch (i % 8) {
    case 0: return rc_tanh(y);
    case 1: return rc_mul(y, w);
    case 2: return rc_add(y, b);
    case 3: return rc_sigmoid(y);
    case 4: return rc_sub(y, b);
    case 5: return rc_square(y);
    case 6: return rc_mul(y, w);
    default: return rc_exp(y);
    }
}

static void bench_chain(const opts *o) {
    rc_graph *g;
    rc_params *ps;
    rc_param *w, *b;
    if (rc_graph_new(&g) || rc_params_new(&ps) || rc_params_add(ps, "w", RC_SHAPE(o->elems), &w) ||
        rc_params_add(ps, "b", RC_SHAPE(o->elems), &b))
        die("setup", NULL);
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    float *x0 = malloc(sizeof(float) * (size_t)o->elems);
    fill(x0, o->elems, -1, 1, &rng);
    fill(rc_param_value(w).data, o->elems, 0.5f, 1.0f, &rng);
    fill(rc_param_value(b).data, o->elems, -0.5f, 0.5f, &rng);

    double *build = malloc(sizeof(double) * (size_t)o->reps);
    double *bwd = malloc(sizeof(double) * (size_t)o->reps);
    double *total = malloc(sizeof(double) * (size_t)o->reps);
    for (int r = -2; r < o->reps; r++) { // two warm-up rounds size the arenas and the tape
        rc_params_zero_grad(ps);
        const double t0 = now_us();
        rc_graph_reset(g);
        rc_var x = rc_requires_grad(rc_input(g, RC_SHAPE(o->elems), x0));
        rc_var wv = rc_use(g, w), bv = rc_use(g, b), y = x;
        for (int i = 0; i < o->nodes; i++)
            y = chain_op(i, y, wv, bv);
        rc_var loss = rc_sum_all(y);
        const double t1 = now_us();
        if (rc_backward(loss) != RC_OK)
            die("backward", g);
        const double t2 = now_us();
        if (!isfinite(rc_item(loss)) || !isfinite(rc_grad(x).data[0]))
            die("chain value is not finite", NULL);
        if (r >= 0) {
            build[r] = (t1 - t0) / o->nodes;
            bwd[r] = (t2 - t1) / o->nodes;
            total[r] = (t2 - t0) / o->nodes;
        }
    }
    printf("chain impl=recur threads=%d nodes=%d elems=%d reps=%d build_us=%.4f backward_us=%.4f "
           "total_us=%.4f\n",
           o->threads, o->nodes, o->elems, o->reps, bench_median(build, o->reps),
           bench_median(bwd, o->reps), bench_median(total, o->reps));
    free(build), free(bwd), free(total), free(x0);
    rc_params_free(&ps);
    rc_graph_free(&g);
}

// ---- matmul ----------------------------------------------------------------------------------

static void bench_matmul_shape(const opts *o, int64_t M, int64_t K, int64_t N) {
    const size_t na = (size_t)(M * K), nb = (size_t)(K * N), nc = (size_t)(M * N);
    float *A = aligned_alloc(64, na * sizeof(float)), *B = aligned_alloc(64, nb * sizeof(float));
    float *C = aligned_alloc(64, nc * sizeof(float));
    if (!A || !B || !C)
        die("out of memory", NULL);
    rc_rng rng;
    rc_rng_seed(&rng, 2);
    fill(A, (int64_t)na, -1, 1, &rng);
    fill(B, (int64_t)nb, -1, 1, &rng);
    memset(C, 0, nc * sizeof(float));
    rc_graph *g;
    if (rc_graph_new(&g))
        die("setup", NULL);
    rc_graph_set_grad_enabled(g, false);
    double *gf_rc = malloc(sizeof(double) * (size_t)o->mm_reps);
    double *gf_dn = malloc(sizeof(double) * (size_t)o->mm_reps);
    const double flop = 2.0 * (double)M * (double)N * (double)K;
    for (int r = -1; r < o->mm_reps; r++) { // one warm-up round
        rc_graph_reset(g);
        rc_var a = rc_input(g, RC_SHAPE(M, K), A), b = rc_input(g, RC_SHAPE(K, N), B);
        // Both read the same copies of A and B (in the arena); which runs first alternates, so
        // neither always inherits the other's cache state.
        const float *ga = rc_value(a).data, *gb = rc_value(b).data;
        double t_rc = 0, t_dn = 0;
        rc_var c = RC_NONE;
        for (int which = 0; which < 2; which++) {
            const double t0 = now_us();
            if ((which + r) % 2 == 0)
                c = rc_matmul(a, b);
            else if (dnnl_sgemm('N', 'N', M, N, K, 1.0f, ga, K, gb, N, 0.0f, C, N) != dnnl_success)
                die("dnnl_sgemm", NULL);
            *((which + r) % 2 == 0 ? &t_rc : &t_dn) = now_us() - t0;
        }
        if (!rc_ok(c))
            die("matmul", g);
        const float got = rc_value(c).data[nc - 1], want = C[nc - 1];
        if (!(fabsf(got - want) <= 1e-4f * (float)K)) // the same product, summed in another order
            die("rc_matmul and dnnl_sgemm disagree", NULL);
        if (r >= 0) {
            gf_rc[r] = flop / (t_rc * 1e3);
            gf_dn[r] = flop / (t_dn * 1e3);
        }
    }
    printf("matmul impl=recur threads=%d M=%lld K=%lld N=%lld reps=%d gflops=%.2f\n", o->threads,
           (long long)M, (long long)K, (long long)N, o->mm_reps, bench_median(gf_rc, o->mm_reps));
    printf("matmul impl=dnnl_sgemm threads=%d M=%lld K=%lld N=%lld reps=%d gflops=%.2f\n",
           o->threads, (long long)M, (long long)K, (long long)N, o->mm_reps,
           bench_median(gf_dn, o->mm_reps));
    free(gf_rc), free(gf_dn), free(A), free(B), free(C);
    rc_graph_free(&g);
}

static void bench_matmul(const opts *o) {
    static const int64_t shapes[][3] = {{64, 1024, 2048}, {6400, 512, 2048}, {1024, 1024, 1024}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        bench_matmul_shape(o, shapes[s][0], shapes[s][1], shapes[s][2]);
}

// ---- main ------------------------------------------------------------------------------------

static void usage(void) {
    fprintf(stderr, "usage: overhead [--threads N] [--nodes N] [--elems N] [--reps N] "
                    "[--mm-reps N] [--only chain|matmul]\n");
    exit(2);
}

static int int_arg(int argc, char **argv, int *i) {
    if (*i + 1 >= argc)
        usage();
    int v = atoi(argv[++*i]);
    if (v < 1)
        usage();
    return v;
}

int main(int argc, char **argv) {
    opts o = {.threads = 1,
              .nodes = 10000,
              .elems = 4,
              .reps = 21,
              .mm_reps = 9,
              .chain = true,
              .matmul = true};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads"))
            o.threads = int_arg(argc, argv, &i);
        else if (!strcmp(argv[i], "--nodes"))
            o.nodes = int_arg(argc, argv, &i);
        else if (!strcmp(argv[i], "--elems"))
            o.elems = int_arg(argc, argv, &i);
        else if (!strcmp(argv[i], "--reps"))
            o.reps = int_arg(argc, argv, &i);
        else if (!strcmp(argv[i], "--mm-reps"))
            o.mm_reps = int_arg(argc, argv, &i);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc && !strcmp(argv[i + 1], "chain"))
            o.matmul = false, i++;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc && !strcmp(argv[i + 1], "matmul"))
            o.chain = false, i++;
        else
            usage();
    }
    rc_set_num_threads(o.threads);
    if (o.chain)
        bench_chain(&o);
    if (o.matmul)
        bench_matmul(&o);
    return 0;
}
