// The thread-count setting, shared by OpenMP kernels and oneDNN (which runs on the same OpenMP).
#ifdef _OPENMP
#include <omp.h>
#endif

#include <stdatomic.h>
#include <unistd.h>

#include "parallel.h"
#include "recur/base.h"

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

int rc_cpu_count(void) {
    static atomic_int cached; // a property of the machine, read once
    int n = atomic_load_explicit(&cached, memory_order_relaxed);
    if (!n) {
        const long c = sysconf(_SC_NPROCESSORS_CONF);
        n = c >= 1 && c <= 4096 ? (int)c : 1;
        atomic_store_explicit(&cached, n, memory_order_relaxed);
    }
    return n;
}

int rc_serial_begin(void) {
#ifdef _OPENMP
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    return saved;
#else
    return 1;
#endif
}

void rc_serial_end(int saved) {
#ifdef _OPENMP
    omp_set_num_threads(saved);
#else
    (void)saved;
#endif
}
