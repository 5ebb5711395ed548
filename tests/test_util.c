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

const char *tu_data_path(const char *rel, char *buf, size_t len) {
    const char *root = getenv("RECUR_DATA");
    if (!root || !*root) {
        cr_log_warn("skipped: RECUR_DATA is not set, so %s is not available", rel);
        return NULL;
    }
    snprintf(buf, len, "%s/%s", root, rel);
    if (access(buf, R_OK) != 0) {
        cr_log_warn("skipped: %s is absent", buf);
        return NULL;
    }
    return buf;
}

const char *tu_tmpdir(char *buf, size_t len) {
    const char *base = getenv("TMPDIR");
    snprintf(buf, len, "%s/recur-test-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(buf);
}
