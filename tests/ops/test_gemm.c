// The oneDNN matrix product against the reference kernel, for every transpose combination and
// for shapes on both sides of the dispatch threshold.
#include "../../ops/ops_impl.h"
#include "test_util.h"

static void check_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float beta) {
    int64_t lda = ta ? M : K, ldb = tb ? K : N;
    float *A = malloc(sizeof(float) * (size_t)(M * K)),
          *B = malloc(sizeof(float) * (size_t)(K * N));
    float *C1 = malloc(sizeof(float) * (size_t)(M * N)),
          *C2 = malloc(sizeof(float) * (size_t)(M * N));
    tu_fill_uniform(A, M * K, -1, 1, 11);
    tu_fill_uniform(B, K * N, -1, 1, 12);
    tu_fill_uniform(C1, M * N, -1, 1, 13);
    memcpy(C2, C1, sizeof(float) * (size_t)(M * N));
    cr_assert(rc_dnnl_gemm(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, beta, C1, N),
              "oneDNN declined %lldx%lldx%lld", (long long)M, (long long)N, (long long)K);
    rc_gemm_ref(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, beta, C2, N);
    char what[64];
    snprintf(what, sizeof what, "gemm %c%c %lldx%lldx%lld", ta ? 'T' : 'N', tb ? 'T' : 'N',
             (long long)M, (long long)N, (long long)K);
    tu_assert_close(C1, C2, M * N, 1e-4f, 1e-5f * (float)K, what);
    free(A), free(B), free(C1), free(C2);
}

Test(gemm, dnnl_matches_reference) {
    const int64_t shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {64, 48, 33}, {130, 257, 64}, {7, 300, 129}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int t = 0; t < 4; t++)
            check_gemm(t & 1, t & 2, shapes[s][0], shapes[s][1], shapes[s][2],
                       t == 3 ? 1.0f : 0.0f);
}

Test(gemm, dispatcher_matches_reference_with_accumulation) {
    enum { M = 96, N = 80, K = 72 };
    float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N);
    float *C1 = calloc(M * N, sizeof(float)), *C2 = calloc(M * N, sizeof(float));
    tu_fill_uniform(A, M * K, -1, 1, 21);
    tu_fill_uniform(B, K * N, -1, 1, 22);
    for (int rep = 0; rep < 2; rep++) { // beta = 1: the second call adds to the first
        rc_gemm(false, false, M, N, K, 1.0f, A, K, B, N, 1.0f, C1, N);
        rc_gemm_ref(false, false, M, N, K, 1.0f, A, K, B, N, 1.0f, C2, N);
    }
    tu_assert_close(C1, C2, M * N, 1e-4f, 1e-4f, "rc_gemm");
    free(A), free(B), free(C1), free(C2);
}
