// The only file that includes oneDNN. dnnl_sgemm has the same signature in oneDNN 2.6 and 3.x.
// It runs on the calling thread only: oneDNN's own threading splits K across threads for some
// shapes and adds the partial sums afterwards, which makes results depend on the thread count.
// rc_gemm (ops/matmul.c) parallelises over tiles of C instead.
#include <dnnl.h>

#include "../ops_impl.h"

bool rc_dnnl_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                  int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    const int saved = rc_serial_begin();
    dnnl_status_t st =
        dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    rc_serial_end(saved);
    return st == dnnl_success;
}
