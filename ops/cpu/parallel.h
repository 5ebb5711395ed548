// The one place that writes OpenMP pragmas. Kernels mark a loop with RC_PARALLEL_FOR(n): it runs
// on the team only when n reaches RC_PAR_MIN, because starting a parallel region costs more than a
// small gate op. Loops so marked must be free of cross-iteration dependences and must not
// accumulate into shared sums, so results are the same bits with any thread count.
#ifndef RECUR_PARALLEL_H
#define RECUR_PARALLEL_H

#include <stdint.h>

#define RC_PAR_MIN 32768
#define RC_PRAGMA(x) _Pragma(#x)

#ifdef _OPENMP
#define RC_PARALLEL_FOR(n) RC_PRAGMA(omp parallel for schedule(static) if ((n) >= RC_PAR_MIN))
// For loops whose iterations are each heavy (a row of a matrix): parallel from 2 iterations when
// the total work reaches RC_PAR_MIN.
#define RC_PARALLEL_FOR_WORK(work) RC_PRAGMA(omp parallel for schedule(static) if ((work) >= RC_PAR_MIN))
#else
#define RC_PARALLEL_FOR(n)
#define RC_PARALLEL_FOR_WORK(work)
#endif

// Threads the library was told to use (rc_set_num_threads).
int rc_threads(void);

#endif
