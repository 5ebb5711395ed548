// Small helpers of the word-embedding code: initialisation, timing, case folding.
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "embed_impl.h"

void rc_embed_fill_uniform(float *x, int64_t n, float range, rc_rng *r) {
    const float scale = 2.0f * range / 16777216.0f;
    for (int64_t i = 0; i < n; i += 2) {
        uint64_t u = rc_rng_u64(r);
        x[i] = (float)(u >> 40) * scale - range;
        if (i + 1 < n)
            x[i + 1] = (float)((u >> 8) & 0xFFFFFF) * scale - range;
    }
}

double rc_embed_cpu_seconds(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

size_t rc_embed_fold(const char *s, size_t len, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = rc_utf8_decode(s + i, len - i, &cp, NULL);
        if (n <= 0) { // not UTF-8: the byte as it is
            out[o++] = s[i++];
            continue;
        }
        int m = rc_utf8_encode(rc_unicode_lower(cp), out + o);
        if (m <= 0) { // no encodable lower case: keep the original bytes
            memcpy(out + o, s + i, (size_t)n);
            m = n;
        }
        o += (size_t)m;
        i += (size_t)n;
    }
    return o;
}
