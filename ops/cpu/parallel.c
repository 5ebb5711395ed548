// The thread-count setting, shared by OpenMP kernels and oneDNN (which runs on the same OpenMP).
#ifdef _OPENMP
#include <omp.h>
#endif

#include "recur/base.h"
#include "parallel.h"

static int thread_count; // 0: not set, use OpenMP's default

void rc_set_num_threads(int n) {
    if (n < 1)
        n = 1;
    thread_count = n;
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
}

int rc_get_num_threads(void) {
    if (thread_count)
        return thread_count;
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

int rc_threads(void) {
    return rc_get_num_threads();
}
