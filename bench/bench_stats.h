// Summary statistics shared by the benchmark programs.
#ifndef RECUR_BENCH_STATS_H
#define RECUR_BENCH_STATS_H

// The median of v[0..n) (n >= 1); sorts v in place, so v[0] is then the minimum.
double bench_median(double *v, int n);

#endif
