// The thread-count setting, shared by OpenMP kernels and oneDNN (which runs on the same OpenMP).
#ifdef _OPENMP
#include <omp.h>
#endif

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

// ---- the adaptive team (parallel.h) ----------------------------------------------------------

enum { TEAM_UNSET, TEAM_ADAPTIVE, TEAM_FIXED };
static atomic_int team_mode; // TEAM_UNSET until the first loop reads RECUR_ADAPTIVE_THREADS
static _Thread_local rc_team_policy policy = {.backoff = RC_TEAM_BACKOFF_MIN};

static double seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void rc_team_times(const rc_team_clock *tc, double *wall, double *work) {
    const int n = tc->n < RC_TEAM_MAX ? tc->n : RC_TEAM_MAX;
    double last = tc->fork, sum = 0;
    for (int k = 0; k < n; k++) {
        last = tc->finish[k] > last ? tc->finish[k] : last;
        sum += tc->finish[k] - tc->begin[k];
    }
    *wall = last - tc->fork;
    *work = sum;
}

bool rc_team_policy_serial(const rc_team_policy *p, double now) {
    return now < p->serial_until;
}

bool rc_team_policy_feed(rc_team_policy *p, double now, double wall, double work) {
    if (p->backoff < RC_TEAM_BACKOFF_MIN)
        p->backoff = RC_TEAM_BACKOFF_MIN;
    p->loops++;
    p->wall += wall;
    p->work += work;
    if (p->loops < RC_TEAM_WINDOW)
        return rc_team_policy_serial(p, now);
    if (p->wall < RC_TEAM_PAYS * p->work) { // the team paid: the next back-off is short again
        p->backoff = RC_TEAM_BACKOFF_MIN;
        p->strikes = 0;
    } else if (++p->strikes >= RC_TEAM_STRIKES) { // it did not, again: serial for a while
        p->serial_until = now + p->backoff;
        p->backoff = p->backoff * 2 < RC_TEAM_BACKOFF_MAX ? p->backoff * 2 : RC_TEAM_BACKOFF_MAX;
    }
    p->loops = 0;
    p->wall = p->work = 0;
    return rc_team_policy_serial(p, now);
}

void rc_team_set_adaptive(bool on) {
    atomic_store(&team_mode, on ? TEAM_ADAPTIVE : TEAM_FIXED);
}

void rc_set_adaptive_threads(bool on) {
    rc_team_set_adaptive(on);
}

// RECUR_ADAPTIVE_THREADS=0 turns the adaptation off unless the program set it.
static bool team_fixed(void) {
    int mode = atomic_load_explicit(&team_mode, memory_order_relaxed);
    if (mode == TEAM_UNSET) {
        const char *env = getenv("RECUR_ADAPTIVE_THREADS");
        const int want = env && strcmp(env, "0") == 0 ? TEAM_FIXED : TEAM_ADAPTIVE;
        atomic_compare_exchange_strong(&team_mode, &mode, want);
        mode = atomic_load_explicit(&team_mode, memory_order_relaxed);
    }
    return mode == TEAM_FIXED;
}

int rc_team_size(void) {
    const int n = rc_threads();
    if (n > 1 && !team_fixed() && rc_team_policy_serial(&policy, seconds_now()))
        return 1;
    return n;
}

void rc_team_begin(rc_team_clock *tc) {
    tc->n = 0;
    tc->fork = seconds_now();
}

void rc_team_enter(rc_team_clock *tc) {
#ifdef _OPENMP
    const int k = omp_get_thread_num();
    if (k == 0)
        tc->n = omp_get_num_threads();
    if (k < RC_TEAM_MAX)
        tc->begin[k] = seconds_now();
#else
    (void)tc;
#endif
}

void rc_team_done(rc_team_clock *tc) {
#ifdef _OPENMP
    const int k = omp_get_thread_num();
    if (k < RC_TEAM_MAX)
        tc->finish[k] = seconds_now();
#else
    (void)tc;
#endif
}

bool rc_team_split(const rc_team_clock *tc, double work) {
    const int n = tc->n < RC_TEAM_MAX ? tc->n : RC_TEAM_MAX;
    double most = 0;
    for (int k = 0; k < n; k++)
        most = tc->finish[k] - tc->begin[k] > most ? tc->finish[k] - tc->begin[k] : most;
    return work > RC_TEAM_SPLIT * most;
}

// Called after the join, so every thread's times are written. A loop whose work one thread did
// nearly alone (fewer iterations than threads, one heavy row) says nothing about waiting: it is
// left out of the window.
void rc_team_end(rc_team_clock *tc) {
    if (tc->n < 2 || team_fixed())
        return;
    double wall, work;
    rc_team_times(tc, &wall, &work);
    if (rc_team_split(tc, work))
        rc_team_policy_feed(&policy, seconds_now(), wall, work);
}
