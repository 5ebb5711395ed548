// The reference matrix product: plain loops, row-parallel, used for small problems, as the
// fallback when oneDNN declines, and as the oracle the oneDNN path is tested against.
#include "../ops_impl.h"

static inline float at(const float *X, int64_t ld, bool trans, int64_t r, int64_t c) {
    return trans ? X[c * ld + r] : X[r * ld + c];
}

void rc_gemm_ref(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                 int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    RC_PARALLEL_FOR_WORK(
        M * N * K, for (int64_t i = 0; i < M; i++) {
            float *c = C + i * ldc;
            for (int64_t j = 0; j < N; j++)
                c[j] = beta == 0.0f ? 0.0f : beta * c[j];
            if (!tb) {
                // i-k-j order: the innermost loop runs along contiguous rows of B and C.
                for (int64_t k = 0; k < K; k++) {
                    const float aik = alpha * at(A, lda, ta, i, k);
                    const float *b = B + k * ldb;
                    for (int64_t j = 0; j < N; j++)
                        c[j] += aik * b[j];
                }
            } else {
                for (int64_t j = 0; j < N; j++) {
                    const float *b = B + j * ldb;
                    float s = 0;
                    for (int64_t k = 0; k < K; k++)
                        s += at(A, lda, ta, i, k) * b[k];
                    c[j] += alpha * s;
                }
            }
        });
}
