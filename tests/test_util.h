// Helpers shared by the Criterion suites.
#ifndef RECUR_TEST_UTIL_H
#define RECUR_TEST_UTIL_H

#include <criterion/criterion.h>
#include <recur/recur.h>

// Asserts every |a[i] - b[i]| <= atol + rtol * |b[i]|, naming the first index that differs.
void tu_assert_close(const float *a, const float *b, int64_t n, float rtol, float atol,
                     const char *what);
// Fills x[n] with uniform values in [lo, hi) from a seeded generator.
void tu_fill_uniform(float *x, int64_t n, float lo, float hi, uint64_t seed);
// The path of a data file under RECUR_DATA; when it is absent the test is skipped with a message
// (the function does not return).
const char *tu_data_path(const char *rel, char *buf, size_t len);
// A fresh temporary directory for one test (removed by the OS, named uniquely).
const char *tu_tmpdir(char *buf, size_t len);
// "/tmp/recur-test-<pid>-<name>": a file of one test (each test runs in a process of its own),
// which the test removes when done.
const char *tu_tmpfile(char *buf, size_t len, const char *name);
// Writes bytes[len] to path, asserting that it worked; returns path.
const char *tu_write_file(const char *path, const void *bytes, size_t len);

#endif
