// Matrix products: matmul, matmul_nt, batched bmm / bmm_nt and linear (x W^T + b).
//   C = A B:     dA += G B^T,  dB += A^T G
//   C = A B^T:   dA += G B,    dB += G^T A
//   y = x W^T + b: dx += G W,  dW += G^T x,  db += column sums of G
#include "ops_impl.h"

// Below this many multiply-adds a call into oneDNN costs more than the plain loops (on AVX-512
// oneDNN wins from about 2,000).
#define GEMM_DNNL_MIN_WORK 4096

// oneDNN's own threading splits K across threads when M or N is too small to keep every thread
// busy, then adds the partial sums; which kernel it picks also depends on the thread count. Its
// results therefore change with the thread count (at [64,1024]x[2048,1024]^T, for one, with 1
// and 2 threads). So rc_gemm cuts C into tiles, gives each tile to oneDNN on one thread, and
// parallelises over the tiles itself. The tiling depends on the shape and on the number of
// processors the machine has, never on the thread setting, so every output element is summed in
// the same order with any thread count. Each tile repacks its slices of A and B, so tiles are few
// (one per processor) and never smaller than GEMM_TILE_MIN_WORK multiply-adds. At 2^19 (about
// 5 microseconds of one core) the per-step products of a recurrent layer with H = 128 to 200
// ([32,128]x[128,512], [20,200]x[200,800] and their backward) split in two: with 2 threads an
// LSTM training step at H = 128 takes 30% less time, and one thread running both tiles in turn
// measured no slower than one thread with one tile (bench/README.md, "rnn").
#define GEMM_TILE_MIN_WORK ((int64_t)1 << 19)
#define GEMM_TILE_MIN_SIDE 64

typedef struct gemm_tiles {
    int64_t rows, cols;       // of one tile (the last ones may be smaller)
    int64_t m_parts, n_parts; // tiles along M and along N
} gemm_tiles;

// The grid of at most `want` tiles whose sides are longest (repacking costs about
// 1/rows + 1/cols per multiply-add); columns come in multiples of 16 to keep rows aligned.
static gemm_tiles plan_tiles(int64_t M, int64_t N, int64_t K) {
    int64_t want = M * N * K / GEMM_TILE_MIN_WORK;
    if (want > rc_cpu_count())
        want = rc_cpu_count();
    for (; want > 1; want--) {
        gemm_tiles best = {0, 0, 0, 0};
        for (int64_t mp = 1; mp <= want; mp++) {
            if (want % mp)
                continue;
            const int64_t np = want / mp, rows = (M + mp - 1) / mp;
            const int64_t cols = ((N + np - 1) / np + 15) / 16 * 16;
            if ((mp > 1 && rows < GEMM_TILE_MIN_SIDE) || (np > 1 && cols < GEMM_TILE_MIN_SIDE))
                continue;
            if (!best.rows || 1.0 / rows + 1.0 / cols < 1.0 / best.rows + 1.0 / best.cols)
                best = (gemm_tiles){rows, cols, (M + rows - 1) / rows, (N + cols - 1) / cols};
        }
        if (best.rows)
            return best;
    }
    return (gemm_tiles){M, N, 1, 1};
}

// One tile of C: rows [i0, i0+m), columns [j0, j0+n).
static void gemm_tile(bool ta, bool tb, int64_t i0, int64_t j0, int64_t m, int64_t n, int64_t K,
                      float alpha, const float *A, int64_t lda, const float *B, int64_t ldb,
                      float beta, float *C, int64_t ldc) {
    const float *a = ta ? A + i0 : A + i0 * lda, *b = tb ? B + j0 * ldb : B + j0;
    float *c = C + i0 * ldc + j0;
    if (!rc_dnnl_gemm(ta, tb, m, n, K, alpha, a, lda, b, ldb, beta, c, ldc))
        rc_gemm_ref(ta, tb, m, n, K, alpha, a, lda, b, ldb, beta, c, ldc);
}

void rc_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
             int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    if (M * N * K < GEMM_DNNL_MIN_WORK) {
        rc_gemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    const gemm_tiles t = plan_tiles(M, N, K);
    const int64_t n_tiles = t.m_parts * t.n_parts;
    RC_PARALLEL_FOR_WORK(
        n_tiles > 1 ? M * N * K : 0, for (int64_t p = 0; p < n_tiles; p++) {
            const int64_t i0 = p / t.n_parts * t.rows, j0 = p % t.n_parts * t.cols;
            const int64_t m = M - i0 < t.rows ? M - i0 : t.rows,
                          n = N - j0 < t.cols ? N - j0 : t.cols;
            gemm_tile(ta, tb, i0, j0, m, n, K, alpha, A, lda, B, ldb, beta, C, ldc);
        });
}

typedef struct mm_attr {
    bool tb; // B is transposed (the _nt forms)
    bool batched;
} mm_attr;

typedef enum mm_problem { MM_RANK, MM_BATCH, MM_INNER } mm_problem;

// The shape error message; formatted only when there is an error (this runs on every matmul).
static rc_status mm_shape_error(const mm_attr *p, const rc_shape *a, const rc_shape *b,
                                mm_problem problem, char *why, size_t len) {
    char sa[96], sb[96];
    rc_shape_str(*a, sa, sizeof sa);
    rc_shape_str(*b, sb, sizeof sb);
    const char *form = p->batched ? (p->tb ? "[B,M,K] and [B,N,K]" : "[B,M,K] and [B,K,N]")
                                  : (p->tb ? "[M,K] and [N,K]" : "[M,K] and [K,N]");
    if (problem == MM_RANK)
        return rc_shape_error(why, len, RC_ERR_SHAPE, "a %s and b %s must be %s", sa, sb, form);
    if (problem == MM_BATCH)
        return rc_shape_error(why, len, RC_ERR_SHAPE, "a %s and b %s: batch sizes differ", sa, sb);
    const int o = p->batched ? 1 : 0;
    const int64_t kb = p->tb ? b->dim[o + 1] : b->dim[o];
    return rc_shape_error(why, len, RC_ERR_SHAPE,
                          "a %s and b %s: inner dimensions %lld and %lld differ (want %s)", sa, sb,
                          (long long)a->dim[o + 1], (long long)kb, form);
}

static rc_status mm_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out, char *why,
                          size_t len) {
    UNUSED(n_in);
    const mm_attr *p = attr;
    const rc_shape *a = &in[0].shape, *b = &in[1].shape;
    int nd = p->batched ? 3 : 2;
    if (a->ndim != nd || b->ndim != nd)
        return mm_shape_error(p, a, b, MM_RANK, why, len);
    int o = nd - 2;
    if (p->batched && a->dim[0] != b->dim[0])
        return mm_shape_error(p, a, b, MM_BATCH, why, len);
    int64_t kb = p->tb ? b->dim[o + 1] : b->dim[o];
    int64_t nb = p->tb ? b->dim[o] : b->dim[o + 1];
    if (a->dim[o + 1] != kb)
        return mm_shape_error(p, a, b, MM_INNER, why, len);
    *out = *a;
    out->dim[o + 1] = nb;
    return RC_OK;
}

static void mm_dims(const rc_tensor *in, const mm_attr *p, int64_t *nb, int64_t *M, int64_t *K,
                    int64_t *N) {
    int o = p->batched ? 1 : 0;
    *nb = p->batched ? in[0].shape.dim[0] : 1;
    *M = in[0].shape.dim[o];
    *K = in[0].shape.dim[o + 1];
    *N = p->tb ? in[1].shape.dim[o] : in[1].shape.dim[o + 1];
}

static void mm_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out, rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(ctx);
    const mm_attr *p = attr;
    int64_t nb, M, K, N;
    mm_dims(in, p, &nb, &M, &K, &N);
    for (int64_t b = 0; b < nb; b++)
        rc_gemm(false, p->tb, M, N, K, 1.0f, in[0].data + b * M * K, K, in[1].data + b * K * N,
                p->tb ? K : N, 0.0f, out->data + b * M * N, N);
}

static void mm_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                   const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(out), UNUSED(ctx);
    const mm_attr *p = attr;
    int64_t nb, M, K, N;
    mm_dims(in, p, &nb, &M, &K, &N);
    for (int64_t b = 0; b < nb; b++) {
        const float *A = in[0].data + b * M * K, *B = in[1].data + b * K * N;
        const float *G = gout->data + b * M * N;
        if (gin[0].data) // dA[M,K] += G[M,N] op(B)^T
            rc_gemm(false, !p->tb, M, K, N, 1.0f, G, N, B, p->tb ? K : N, 1.0f,
                    gin[0].data + b * M * K, K);
        if (gin[1].data && !p->tb) // dB[K,N] += A^T G
            rc_gemm(true, false, K, N, M, 1.0f, A, K, G, N, 1.0f, gin[1].data + b * K * N, N);
        if (gin[1].data && p->tb) // dB[N,K] += G^T A
            rc_gemm(true, false, N, K, M, 1.0f, G, N, A, K, 1.0f, gin[1].data + b * K * N, K);
    }
}

#define MM_DEF(NAME, LABEL, TB, BATCHED, ...)                                                      \
    static const mm_attr NAME##_attr = {TB, BATCHED};                                              \
    const rc_op_def rc_op_##NAME = {                                                               \
        .name = #NAME,                                                                             \
        .dot_label = LABEL,                                                                        \
        .n_in = 2,                                                                                 \
        .shape = mm_shape,                                                                         \
        .forward = mm_fwd,                                                                         \
        .backward = mm_bwd,                                                                        \
        .test = {.n_in = 2,                                                                        \
                 .shape = {__VA_ARGS__},                                                           \
                 .lo = -1,                                                                         \
                 .hi = 1,                                                                          \
                 .attr = &NAME##_attr,                                                             \
                 .attr_size = sizeof(mm_attr)},                                                    \
    };                                                                                             \
    rc_var rc_##NAME(rc_var a, rc_var b) {                                                         \
        const rc_var in[2] = {a, b};                                                               \
        return rc_apply(&rc_op_##NAME, in, 2, &NAME##_attr, sizeof(mm_attr));                      \
    }

MM_DEF(matmul, "matmul", false, false, {2, {3, 4}}, {2, {4, 5}})
MM_DEF(matmul_nt, "matmul Bᵀ", true, false, {2, {3, 4}}, {2, {5, 4}})
MM_DEF(bmm, "bmm", false, true, {3, {2, 3, 4}}, {3, {2, 4, 5}})
MM_DEF(bmm_nt, "bmm Bᵀ", true, true, {3, {2, 3, 4}}, {3, {2, 5, 4}})

// ---- linear ----------------------------------------------------------------------------------

static rc_status linear_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                              char *why, size_t len) {
    UNUSED(attr);
    if (n_in != 2 && n_in != 3)
        return rc_shape_error(why, len, RC_ERR_ARG, "takes x, W and an optional b, got %d inputs",
                              n_in);
    const rc_shape *x = &in[0].shape, *w = &in[1].shape;
    char sx[96], sw[96], sb[96]; // formatted only on the error paths
    if (x->ndim < 2 || x->ndim > 3 || w->ndim != 2 || x->dim[x->ndim - 1] != w->dim[1])
        return rc_shape_error(why, len, RC_ERR_SHAPE,
                              "x %s and W %s must be [N,I] (or [B,T,I]) and [O,I]",
                              rc_shape_str(*x, sx, sizeof sx), rc_shape_str(*w, sw, sizeof sw));
    if (n_in == 3 && (in[2].shape.ndim != 1 || in[2].shape.dim[0] != w->dim[0]))
        return rc_shape_error(why, len, RC_ERR_SHAPE, "b %s must be [O] for W %s",
                              rc_shape_str(in[2].shape, sb, sizeof sb),
                              rc_shape_str(*w, sw, sizeof sw));
    *out = *x;
    out->dim[x->ndim - 1] = w->dim[0];
    return RC_OK;
}

static void linear_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                       rc_opctx *ctx) {
    UNUSED(attr), UNUSED(ctx);
    const int64_t O = in[1].shape.dim[0], I = in[1].shape.dim[1], N = in[0].n / I;
    float *y = out->data;
    if (n_in == 3) {
        const float *b = in[2].data;
        RC_PARALLEL_FOR(
            N * O, for (int64_t r = 0; r < N; r++) {
                for (int64_t o = 0; o < O; o++)
                    y[r * O + o] = b[o];
            });
    }
    rc_gemm(false, true, N, O, I, 1.0f, in[0].data, I, in[1].data, I, n_in == 3 ? 1.0f : 0.0f, y,
            O);
}

static void linear_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                       const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(attr), UNUSED(ctx);
    const int64_t O = in[1].shape.dim[0], I = in[1].shape.dim[1], N = in[0].n / I;
    const float *G = gout->data;
    if (gin[0].data)
        rc_gemm(false, false, N, I, O, 1.0f, G, O, in[1].data, I, 1.0f, gin[0].data, I);
    if (gin[1].data)
        rc_gemm(true, false, O, I, N, 1.0f, G, O, in[0].data, I, 1.0f, gin[1].data, I);
    if (n_in == 3 && gin[2].data)
        rc_reduce_to(gin[2].data, in[2].shape, G, (rc_shape){2, {N, O}});
    UNUSED(out);
}

const rc_op_def rc_op_linear = {
    .name = "linear",
    .dot_label = "x Wᵀ + b",
    .n_in = -1,
    .shape = linear_shape,
    .forward = linear_fwd,
    .backward = linear_bwd,
    .test = {.n_in = 3, .shape = {{3, {2, 3, 4}}, {2, {5, 4}}, {1, {5}}}, .lo = -1, .hi = 1},
};

rc_var rc_linear(rc_var x, rc_var w, rc_var b) {
    const rc_var in[3] = {x, w, b};
    return rc_apply(&rc_op_linear, in, b.g ? 3 : 2, NULL, 0);
}
