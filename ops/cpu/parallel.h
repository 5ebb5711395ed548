// The one place that writes OpenMP pragmas. A kernel hands its loop to RC_PARALLEL_FOR:
//
//     RC_PARALLEL_FOR(n, for (int64_t i = 0; i < n; i++) y[i] = f(x[i]););
//
// The loop runs on the OpenMP team only when n reaches RC_PAR_MIN and more than one thread is set;
// otherwise the plain serial copy runs and libgomp is never entered. (An `if` clause on the
// pragma is not enough: a parallel region with a false `if` still allocates a team and wakes
// futexes, which costs more than a whole gate op on a small tensor.) Loops so marked must be free
// of cross-iteration dependences and must not accumulate into shared sums, so results are the
// same bits with any thread count and on either path.
#ifndef RECUR_PARALLEL_H
#define RECUR_PARALLEL_H

#include <stdint.h>

#define RC_PAR_MIN 32768
#define RC_PRAGMA(x) _Pragma(#x)

// Threads the library was told to use (rc_set_num_threads).
int rc_threads(void);
// Processors the machine has (configured, whatever the affinity mask or thread setting says).
int rc_cpu_count(void);
// Until rc_serial_end, OpenMP code called from this thread (oneDNN) runs on this thread alone.
// rc_serial_begin returns what rc_serial_end restores.
int rc_serial_begin(void);
void rc_serial_end(int saved);

#ifdef _OPENMP
// The loop (a `for` statement, commas allowed) is the variadic argument, written out twice.
#define RC_PARALLEL_FOR(n, ...)                                                                    \
    do {                                                                                           \
        if ((n) >= RC_PAR_MIN && rc_threads() > 1) {                                               \
            RC_PRAGMA(omp parallel for schedule(static))                                           \
            __VA_ARGS__                                                                            \
        } else {                                                                                   \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    } while (0)
#else
#define RC_PARALLEL_FOR(n, ...)                                                                    \
    do {                                                                                           \
        __VA_ARGS__                                                                                \
    } while (0)
#endif

// For loops whose iterations are each heavy (a row of a matrix): parallel from 2 iterations when
// the total work reaches RC_PAR_MIN.
#define RC_PARALLEL_FOR_WORK(work, ...) RC_PARALLEL_FOR(work, __VA_ARGS__)

#endif
