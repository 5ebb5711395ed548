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

#include <stdbool.h>
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

// The team a parallel loop gets: rc_threads(), or 1 while the adaptive back-off holds (below).
int rc_team_size(void);

// Adaptive team. On a machine where another job holds a core, a team thread that waits on that
// core for its time slice holds up the whole loop at the join, and a step of many short parallel
// loops then takes longer with 2 threads than with 1 (a thread that waits a 3 ms slice costs more
// than a 50 us loop gains). So every parallel loop times its threads: each notes when it began and
// ended its share. Over a window of loops the calling thread compares the loops' wall time (fork
// to last end) with their work (the sum of the shares, about what one thread would have taken);
// when the team saved too little, that thread runs its loops serially for a back-off period, then
// tries the team again. The period doubles while the team keeps failing and resets after a window
// that paid. All of it is per calling thread (thread-local), and a loop gives the same bits on
// either path.
#define RC_TEAM_MAX 64 // threads whose times are kept; more still run, unmeasured

typedef struct rc_team_clock {
    double fork;                // seconds (CLOCK_MONOTONIC), before the team forks
    double begin[RC_TEAM_MAX];  // each thread's start of its share
    double finish[RC_TEAM_MAX]; // and its end
    int n;                      // threads in the team
} rc_team_clock;

void rc_team_begin(rc_team_clock *tc);
void rc_team_enter(rc_team_clock *tc); // called by each team thread before its share
void rc_team_done(rc_team_clock *tc);  // and after it
void rc_team_end(rc_team_clock *tc);
// The wall time of the loop (fork to the last end) and its work (the sum of the shares).
void rc_team_times(const rc_team_clock *tc, double *wall, double *work);
// Whether the work was really shared: more than RC_TEAM_SPLIT times the largest share. A loop one
// thread ran alone (its wall equal to its work whatever the machine does) does not count.
bool rc_team_split(const rc_team_clock *tc, double work);
#define RC_TEAM_SPLIT 1.25

// The back-off policy, a pure function of what it is fed (tests/ops/test_team.c).
typedef struct rc_team_policy {
    int loops;           // in the current window
    double wall, work;   // summed over the window, seconds
    double serial_until; // serial while now < serial_until
    double backoff;      // seconds of the next back-off
    int strikes;         // windows in a row that did not pay
} rc_team_policy;
#define RC_TEAM_WINDOW 32 // loops per window
// Windows in a row that must fail before the first back-off: one bad window (the team's threads
// starting, first-touch page faults, a moment of load) is forgiven. Once backed off, the next
// failing window backs off again at once, until one pays.
#define RC_TEAM_STRIKES 2
#define RC_TEAM_PAYS 0.85 // the team pays when a window's wall time is below this of its work
#define RC_TEAM_BACKOFF_MIN 0.5
#define RC_TEAM_BACKOFF_MAX 8.0
// Feeds one loop that ended at time now; returns whether the loops that follow run serially.
bool rc_team_policy_feed(rc_team_policy *p, double now, double wall, double work);
// Whether the loops at time now run serially (a back-off holds).
bool rc_team_policy_serial(const rc_team_policy *p, double now);
// Turns the adaptation off (always the full team) or on (the default), for the whole process.
void rc_team_set_adaptive(bool on);

#ifdef _OPENMP
// The loop (a `for` statement, commas allowed) is the variadic argument, written out twice. The
// parallel copy is `omp for schedule(static) nowait` inside `omp parallel`: the same split of
// iterations as `omp parallel for schedule(static)`, with room for each thread to note its end.
#define RC_PARALLEL_FOR(n, ...)                                                                    \
    do {                                                                                           \
        if ((n) >= RC_PAR_MIN && rc_team_size() > 1) {                                             \
            rc_team_clock tc_;                                                                     \
            rc_team_begin(&tc_);                                                                   \
            RC_PRAGMA(omp parallel) {                                                              \
                rc_team_enter(&tc_);                                                               \
                RC_PRAGMA(omp for schedule(static) nowait)                                         \
                __VA_ARGS__                                                                        \
                rc_team_done(&tc_);                                                                \
            }                                                                                      \
            rc_team_end(&tc_);                                                                     \
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
