// Shared by the recurrent benchmarks bench/rnn (recur, built-in and composed cells) and
// bench/rnn_dnnl (oneDNN's fused RNN primitives): the cases, the options, the clock, the summary
// statistics and the one `key=value` line per case that bench/run_rnn.sh reads.
#ifndef RECUR_BENCH_RNN_COMMON_H
#define RECUR_BENCH_RNN_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <recur/recur.h>

// One case; bench/rnn_torch.py has the same table.
typedef struct rnn_case {
    const char *name, *cell; // cell: "lstm", "gru" or "rnn" (tanh)
    int T, B, I, H, L;
    bool bidirectional;
} rnn_case;

extern const rnn_case rnn_cases[];
extern const int rnn_n_cases;

// The command line: [--threads N] [--reps N] [--case NAME]... [--mode train|infer] [--impl NAME]
// [--check] [--list]. impl is the program's own choice (NULL when not given).
typedef struct rnn_opts {
    int threads, reps;
    bool infer; // forward only, without gradients
    bool check; // a correctness check on a tiny case instead of timing
    const char *impl;
    bool *run; // run[i]: case i was asked for (all when none was)
} rnn_opts;

void rnn_parse_args(int argc, char **argv, rnn_opts *o);
_Noreturn void rnn_die(const char *what, const char *msg);
float *rnn_random_floats(int64_t n, rc_rng *rng);
// max |a[i] - b[i]| over n entries, for the checks.
double rnn_max_diff(const float *a, const float *b, int64_t n);
// The rnn of a case built with recur's own cell of the case's kind.
rc_rnn *rnn_builtin(const rnn_case *c, rc_params *ps, rc_rng *rng);

// Wall-clock and processor milliseconds.
double rnn_wall_ms(void);
double rnn_cpu_ms(void);

// Per-step times of one case: two warm-up steps (r < 0) are not recorded.
typedef struct rnn_times {
    int reps;
    double *fwd, *bwd, *total, *cpu;
} rnn_times;

rnn_times rnn_times_new(int reps);
// Records step r (nothing for r < 0) from the clock readings: start (wall t0, cpu c0), the end of
// the forward part (t1) and the end of the step (t2, c2).
void rnn_times_record(rnn_times *t, int r, double t0, double t1, double t2, double c0, double c2);
// Prints the case's line: impl, case, mode, threads, medians, minimum, loss and peak resident
// memory of the process so far (VmHWM), then frees t.
void rnn_times_report(rnn_times *t, const rnn_case *c, const rnn_opts *o, const char *impl,
                      double loss);

#endif
