#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void tu_assert_close(const float *a, const float *b, int64_t n, float rtol, float atol,
                     const char *what) {
    for (int64_t i = 0; i < n; i++) {
        float err = fabsf(a[i] - b[i]);
        if (!(err <= atol + rtol * fabsf(b[i])))
            cr_assert_fail("%s[%lld]: got %.9g, want %.9g (err %.3g)", what, (long long)i,
                           (double)a[i], (double)b[i], (double)err);
    }
}

void tu_fill_uniform(float *x, int64_t n, float lo, float hi, uint64_t seed) {
    rc_rng r;
    rc_rng_seed(&r, seed);
    for (int64_t i = 0; i < n; i++)
        x[i] = lo + (hi - lo) * (float)rc_rng_uniform(&r);
}

// A missing data set skips the test: the message goes to stderr (Criterion shows skip reasons only
// with --verbose) and cr_skip_test ends the test without failing the run. cr_log_warn would make
// the runner exit non-zero.
static _Noreturn void skip_for_data(const char *why) {
    fprintf(stderr, "[SKIP] %s\n", why);
    cr_skip_test("%s", why);
    abort(); // cr_skip_test does not return
}

const char *tu_data_path(const char *rel, char *buf, size_t len) {
    const char *root = getenv("RECUR_DATA");
    char why[600];
    if (!root || !*root) {
        snprintf(why, sizeof why, "RECUR_DATA is not set, so %s is not available", rel);
        skip_for_data(why);
    }
    snprintf(buf, len, "%s/%s", root, rel);
    if (access(buf, R_OK) != 0) {
        snprintf(why, sizeof why, "%s is absent", buf);
        skip_for_data(why);
    }
    return buf;
}

const char *tu_tmpdir(char *buf, size_t len) {
    const char *base = getenv("TMPDIR");
    snprintf(buf, len, "%s/recur-test-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(buf);
}

const char *tu_tmpfile(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "/tmp/recur-test-%ld-%s", (long)getpid(), name);
    return buf;
}

const char *tu_write_file(const char *path, const void *bytes, size_t len) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    return path;
}
