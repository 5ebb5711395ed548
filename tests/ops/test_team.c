// The adaptive team (ops/cpu/parallel.h): the back-off policy fed synthetic loop times, the
// times a team clock yields, and the full team when the adaptation is off.
#ifdef _OPENMP
#include <omp.h>
#endif

#include <criterion/criterion.h>

#include "../../ops/cpu/parallel.h"
#include "recur/base.h"

// Feeds one window of loops ending at time now, each with the given wall time and work.
static bool feed_window(rc_team_policy *p, double now, double wall, double work) {
    bool serial = false;
    for (int k = 0; k < RC_TEAM_WINDOW; k++)
        serial = rc_team_policy_feed(p, now, wall, work);
    return serial;
}

Test(team, a_team_that_pays_never_backs_off) {
    rc_team_policy p = {0};
    for (int w = 0; w < 100; w++) // 2 threads halving the time
        cr_assert_not(feed_window(&p, w * 0.01, 50e-6, 100e-6), "window %d", w);
    cr_assert_float_eq(p.backoff, RC_TEAM_BACKOFF_MIN, 1e-12);
}

Test(team, a_team_that_waits_backs_off_then_tries_again) {
    rc_team_policy p = {0};
    // A window shorter than RC_TEAM_WINDOW decides nothing, however bad its loops.
    for (int k = 0; k < RC_TEAM_WINDOW - 1; k++)
        cr_assert_not(rc_team_policy_feed(&p, 1.0, 3e-3, 100e-6));
    // The 32nd loop closes a window whose wall time exceeded its work: one such window is
    // forgiven; the second in a row backs off, serial for 0.5 s.
    cr_assert_not(rc_team_policy_feed(&p, 1.0, 3e-3, 100e-6));
    cr_assert(feed_window(&p, 1.0, 3e-3, 100e-6));
    cr_assert(rc_team_policy_serial(&p, 1.0 + 0.49));
    cr_assert_not(rc_team_policy_serial(&p, 1.0 + 0.51));
    // Each failing window after the back-off doubles it, up to 8 s.
    const double expect[] = {1.0, 2.0, 4.0, 8.0, 8.0, 8.0};
    double now = 2.0;
    for (int w = 0; w < 6; w++) {
        cr_assert(feed_window(&p, now, 3e-3, 100e-6));
        cr_assert(rc_team_policy_serial(&p, now + expect[w] - 0.01), "window %d", w);
        cr_assert_not(rc_team_policy_serial(&p, now + expect[w] + 0.01), "window %d", w);
        now += expect[w] + 0.02;
    }
    // A window that pays resets the back-off and the strikes: one failure is forgiven again,
    // the second costs 0.5 s.
    cr_assert_not(feed_window(&p, now, 50e-6, 100e-6));
    cr_assert_not(feed_window(&p, now + 1, 3e-3, 100e-6));
    cr_assert(feed_window(&p, now + 1, 3e-3, 100e-6));
    cr_assert_not(rc_team_policy_serial(&p, now + 1 + RC_TEAM_BACKOFF_MIN + 0.01));
}

Test(team, the_threshold_is_wall_against_work) {
    rc_team_policy p = {0};
    // Wall at 80% of work (a team of 2 saving 20%) pays; at 90% it does not.
    cr_assert_not(feed_window(&p, 1.0, 80e-6, 100e-6));
    cr_assert_not(feed_window(&p, 2.0, 90e-6, 100e-6));
    cr_assert(feed_window(&p, 2.0, 90e-6, 100e-6));
}

// Found measuring issue 10's benchmark: at T=100 B=64 H=256 an LSTM step makes few, large
// parallel loops (about ten windows a second), and one window at the start (the team's threads
// starting) that did not pay put the whole run on one thread (180 ms a step against 107).
// The 1.00 windows of that run were loops with fewer iterations than threads: one thread did
// all the work, so wall equalled work however quiet the machine. They are left out.
Test(team, a_loop_one_thread_ran_alone_is_not_counted) {
    rc_team_clock tc = {.fork = 1.0, .n = 2};
    tc.begin[0] = 1.0, tc.finish[0] = 1.004;  // all the work
    tc.begin[1] = 1.0, tc.finish[1] = 1.0001; // no iteration
    double wall, work;
    rc_team_times(&tc, &wall, &work);
    cr_assert_not(rc_team_split(&tc, work));
    tc.finish[1] = 1.003; // a real split
    rc_team_times(&tc, &wall, &work);
    cr_assert(rc_team_split(&tc, work));
}

Test(team, one_bad_window_among_paying_ones_never_backs_off) {
    rc_team_policy p = {0};
    for (int w = 0; w < 50; w++) {
        const bool bad = w % 5 == 0;
        cr_assert_not(feed_window(&p, w * 0.1, bad ? 100e-6 : 50e-6, 100e-6), "window %d", w);
    }
}

Test(team, clock_times_are_fork_to_last_end_and_sum_of_shares) {
    rc_team_clock tc = {.fork = 10.0, .n = 3};
    const double begin[] = {10.001, 10.004, 10.0015}, finish[] = {10.003, 10.009, 10.002};
    for (int k = 0; k < 3; k++)
        tc.begin[k] = begin[k], tc.finish[k] = finish[k];
    double wall, work;
    rc_team_times(&tc, &wall, &work);
    cr_assert_float_eq(wall, 0.009, 1e-9);
    cr_assert_float_eq(work, 0.002 + 0.005 + 0.0005, 1e-9);
    // A thread with an empty share (begin == finish) adds no work and still ends the wall.
    tc.begin[2] = tc.finish[2] = 10.012;
    rc_team_times(&tc, &wall, &work);
    cr_assert_float_eq(wall, 0.012, 1e-9);
    cr_assert_float_eq(work, 0.007, 1e-9);
}

#ifdef _OPENMP
enum { N_FIXED = 4 * RC_PAR_MIN };
static unsigned char seen[N_FIXED];
static int used[2];

static void visit(int64_t i) {
    seen[i]++;
    const int t = omp_get_thread_num();
    if (t < 2)
        __atomic_store_n(&used[t], 1, __ATOMIC_RELAXED);
}

// With the adaptation off, a large loop runs on the whole team and every iteration once.
Test(team, fixed_team_forks_every_thread) {
    const int before = rc_get_num_threads();
    rc_set_adaptive_threads(false);
    rc_set_num_threads(2);
    RC_PARALLEL_FOR(N_FIXED, for (int64_t i = 0; i < N_FIXED; i++) visit(i););
    rc_set_num_threads(before);
    rc_set_adaptive_threads(true);
    for (int i = 0; i < N_FIXED; i++)
        cr_assert_eq(seen[i], 1, "iteration %d ran %d times", i, seen[i]);
    cr_assert(used[0] && used[1], "threads used: %d %d", used[0], used[1]);
}
#endif
