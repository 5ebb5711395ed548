// The only file that includes oneDNN. dnnl_sgemm has the same signature in oneDNN 2.6 and 3.x.
// It is called outside OpenMP regions (inside one it would run single-threaded).
#include <dnnl.h>

#include "../ops_impl.h"

bool rc_dnnl_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                  int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, alpha, A, lda, B, ldb,
                                  beta, C, ldc);
    return st == dnnl_success;
}
