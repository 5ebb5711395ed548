// Thread-count determinism: a composed model (linear layers, gates, broadcasting, reductions and
// matrix products large enough to go through oneDNN and through the parallel loops) computed
// forward and backward with 1 and with 2 threads must give the same bits in every value and every
// gradient. Also rc_gemm alone, at shapes where oneDNN's own threading splits K.
#include <stdlib.h>
#include <string.h>

#include "../../ops/ops_impl.h"
#include "test_util.h"

enum { B = 128, I = 256, H = 512, O = 256, P = 64, R = 1024, Q = 2048, KBIG = 8192 };

// Elementwise and broadcast loops over [B,H] must take the parallel path with 2 threads.
_Static_assert((int64_t)B *H >= RC_PAR_MIN, "the model is too small for the parallel loops");

#define MAX_KEPT 48

typedef struct snapshot {
    int n;
    const char *name[MAX_KEPT];
    int64_t size[MAX_KEPT];
    float *value[MAX_KEPT], *grad[MAX_KEPT]; // grad NULL when none reached the node
} snapshot;

typedef struct model {
    rc_params *ps;
    rc_param *w1, *b1, *w2, *b2, *c, *w3, *r, *v;
    float *x, *s, *p, *u; // inputs
} model;

static float *filled(int64_t n, float lo, float hi, uint64_t seed) {
    float *x = malloc(sizeof(float) * (size_t)n);
    cr_assert(x);
    tu_fill_uniform(x, n, lo, hi, seed);
    return x;
}

static rc_param *param(rc_params *ps, const char *name, rc_shape shape, float scale,
                       uint64_t seed) {
    rc_param *p;
    cr_assert_eq(rc_params_add(ps, name, shape, &p), RC_OK);
    rc_tensor t = rc_param_value(p);
    tu_fill_uniform(t.data, t.n, -scale, scale, seed);
    return p;
}

static void model_init(model *m) {
    cr_assert_eq(rc_params_new(&m->ps), RC_OK);
    m->w1 = param(m->ps, "w1", RC_SHAPE(H, I), 0.06f, 1);
    m->b1 = param(m->ps, "b1", RC_SHAPE(H), 0.1f, 2);
    m->w2 = param(m->ps, "w2", RC_SHAPE(H, I), 0.06f, 3);
    m->b2 = param(m->ps, "b2", RC_SHAPE(H), 0.1f, 4);
    m->c = param(m->ps, "c", RC_SHAPE(H), 0.5f, 5);
    m->w3 = param(m->ps, "w3", RC_SHAPE(H, O), 0.05f, 6);
    m->r = param(m->ps, "r", RC_SHAPE(R, Q), 0.02f, 7);
    m->v = param(m->ps, "v", RC_SHAPE(KBIG, 8), 0.02f, 8);
    m->x = filled(B * I, -1, 1, 11);
    m->s = filled(B, 0.5f, 1.5f, 12);
    m->p = filled(P * Q, -1, 1, 13);
    m->u = filled(16 * KBIG, -1, 1, 14);
}

static void model_free(model *m) {
    rc_params_free(&m->ps);
    free(m->x), free(m->s), free(m->p), free(m->u);
}

static rc_var keep(rc_var *kept, int *n, rc_var v) {
    cr_assert_lt(*n, MAX_KEPT);
    kept[(*n)++] = v;
    return v;
}

// Builds the model, back-propagates, and copies every kept value and gradient into s.
static void run(const model *m, int threads, snapshot *s) {
    rc_set_num_threads(threads);
    rc_params_zero_grad(m->ps);
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_var kept[MAX_KEPT];
    int n = 0;
#define K(expr) keep(kept, &n, (expr))
    rc_var x = K(rc_requires_grad(rc_input(g, RC_SHAPE(B, I), m->x)));
    rc_var sc = K(rc_requires_grad(rc_input(g, RC_SHAPE(B, 1), m->s)));
    rc_var p = K(rc_requires_grad(rc_input(g, RC_SHAPE(P, Q), m->p)));
    rc_var u = K(rc_requires_grad(rc_input(g, RC_SHAPE(16, KBIG), m->u)));
    rc_var w1 = K(rc_use(g, m->w1)), b1 = K(rc_use(g, m->b1)), w2 = K(rc_use(g, m->w2));
    rc_var b2 = K(rc_use(g, m->b2)), c = K(rc_use(g, m->c)), w3 = K(rc_use(g, m->w3));
    rc_var r = K(rc_use(g, m->r)), v = K(rc_use(g, m->v));

    rc_var h = K(rc_tanh(K(rc_linear(x, w1, b1))));       // [B,H]
    rc_var gate = K(rc_sigmoid(K(rc_linear(x, w2, b2)))); // [B,H]
    rc_var mixed = K(rc_add(K(rc_mul(h, gate)), c));      // + [H], broadcast
    mixed = K(rc_mul(mixed, sc));                         // * [B,1], broadcast
    rc_var y = K(rc_matmul(mixed, w3));                   // [B,O]
    rc_var q = K(rc_tanh(K(rc_matmul_nt(p, r))));         // [P,Q] x [R,Q]^T
    rc_var dots = K(rc_matmul(u, v));                     // K = KBIG
    rc_var terms[] = {
        K(rc_mean_all(K(rc_square(y)))),
        K(rc_scale(K(rc_sum_all(K(rc_logsumexp(y, 1, false)))), 0.01f)),
        K(rc_l2norm_all(h)),
        K(rc_mean_all(K(rc_sum(mixed, 0, false)))),
        K(rc_mean_all(K(rc_max(y, 1, false)))),
        K(rc_mean_all(q)),
        K(rc_sum_all(dots)),
    };
    rc_var loss = terms[0];
    for (size_t t = 1; t < sizeof terms / sizeof terms[0]; t++)
        loss = K(rc_add(loss, terms[t]));
#undef K
    cr_assert_eq(rc_backward(loss), RC_OK, "%s", rc_graph_errmsg(g));
    s->n = n;
    for (int k = 0; k < n; k++) {
        rc_tensor val = rc_value(kept[k]), gr = rc_grad(kept[k]);
        s->size[k] = val.n;
        s->value[k] = malloc(sizeof(float) * (size_t)val.n);
        memcpy(s->value[k], val.data, sizeof(float) * (size_t)val.n);
        s->grad[k] = NULL;
        if (gr.data) {
            s->grad[k] = malloc(sizeof(float) * (size_t)val.n);
            memcpy(s->grad[k], gr.data, sizeof(float) * (size_t)val.n);
        }
    }
    rc_graph_free(&g);
}

static void snapshot_free(snapshot *s) {
    for (int k = 0; k < s->n; k++)
        free(s->value[k]), free(s->grad[k]);
}

static void assert_same_bits(const float *a, const float *b, int64_t n, const char *what, int k) {
    for (int64_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof(float)) != 0)
            cr_assert_fail("%s of kept node %d differs at %lld: %.9g with 1 thread, %.9g with 2",
                           what, k, (long long)i, (double)a[i], (double)b[i]);
}

// The adaptive team could run a 2-thread step serially on a loaded machine; these tests want the
// 2-thread path for real.
Test(threads, model_forward_and_backward_bit_identical) {
    rc_set_adaptive_threads(false);
    int before = rc_get_num_threads();
    model m;
    model_init(&m);
    snapshot one, two;
    run(&m, 1, &one);
    run(&m, 2, &two);
    rc_set_num_threads(before);
    cr_assert_eq(one.n, two.n);
    int grads = 0;
    for (int k = 0; k < one.n; k++) {
        assert_same_bits(one.value[k], two.value[k], one.size[k], "value", k);
        cr_assert_eq(!one.grad[k], !two.grad[k], "kept node %d has a gradient in one run only", k);
        if (one.grad[k]) {
            assert_same_bits(one.grad[k], two.grad[k], one.size[k], "gradient", k);
            grads++;
        }
    }
    cr_assert_eq(grads, one.n, "every kept node should have received a gradient");
    snapshot_free(&one), snapshot_free(&two);
    model_free(&m);
}

// rc_gemm with 1 and 2 threads at shapes where oneDNN's own threading (before rc_gemm tiled C)
// changed results: matrix-vector products and long K with a small M or N, every transpose form.
Test(threads, gemm_bit_identical) {
    rc_set_adaptive_threads(false);
    const int64_t shapes[][3] = {{64, 1024, 2048},
                                 {1, 64, 4096},
                                 {64, 1, 4096},
                                 {16, 200, 4096},
                                 {200, 200, 1024},
                                 {512, 512, 1024},
                                 {4096, 200, 1024},
                                 {1, 1, 8192},
                                 {256, 1024, 1024},
                                 // an LSTM step at B = 32, H = 128: forward, dh, dW_hh
                                 {32, 512, 128},
                                 {32, 128, 512},
                                 {512, 128, 32}};
    int before = rc_get_num_threads();
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        float *A = filled(M * K, -1, 1, 21), *Bm = filled(K * N, -1, 1, 22);
        float *C0 = filled(M * N, -1, 1, 23); // beta = 0.5 reads C too
        float *C1 = malloc(sizeof(float) * (size_t)(M * N)),
              *C2 = malloc(sizeof(float) * (size_t)(M * N));
        for (int t = 0; t < 4; t++) {
            const bool ta = t & 1, tb = t & 2;
            const int64_t lda = ta ? M : K, ldb = tb ? K : N;
            memcpy(C1, C0, sizeof(float) * (size_t)(M * N));
            memcpy(C2, C0, sizeof(float) * (size_t)(M * N));
            rc_set_num_threads(1);
            rc_gemm(ta, tb, M, N, K, 1.0f, A, lda, Bm, ldb, 0.5f, C1, N);
            rc_set_num_threads(2);
            rc_gemm(ta, tb, M, N, K, 1.0f, A, lda, Bm, ldb, 0.5f, C2, N);
            char what[96];
            snprintf(what, sizeof what, "gemm %c%c %lldx%lldx%lld", ta ? 'T' : 'N', tb ? 'T' : 'N',
                     (long long)M, (long long)N, (long long)K);
            for (int64_t i = 0; i < M * N; i++)
                if (memcmp(&C1[i], &C2[i], sizeof(float)) != 0)
                    cr_assert_fail("%s differs at %lld: %.9g with 1 thread, %.9g with 2", what,
                                   (long long)i, (double)C1[i], (double)C2[i]);
        }
        free(A), free(Bm), free(C0), free(C1), free(C2);
    }
    rc_set_num_threads(before);
}
