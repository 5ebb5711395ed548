// Status names, shape helpers, the random number generator and the contract-violation abort.
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "graph_impl.h"

// One buffer per thread, so threads that fail at once do not overwrite each other's message.
static _Thread_local char last_error[512];

const char *rc_last_error(void) {
    return last_error;
}

rc_status rc_set_last_error(rc_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return st;
}

const char *rc_status_str(rc_status st) {
    switch (st) {
    case RC_OK: return "ok";
    case RC_ERR_SHAPE: return "shape error";
    case RC_ERR_RANGE: return "out of range";
    case RC_ERR_ARG: return "bad argument";
    case RC_ERR_STALE: return "stale handle";
    case RC_ERR_FOREIGN: return "handle from another graph";
    case RC_ERR_NONFINITE: return "non-finite value";
    case RC_ERR_STATE: return "call out of order";
    case RC_ERR_NOMEM: return "out of memory";
    case RC_ERR_IO: return "i/o error";
    case RC_ERR_FORMAT: return "malformed file";
    case RC_ERR_NOTFOUND: return "not found";
    }
    return "unknown status";
}

_Noreturn void rc_assert_fail(const char *what, const char *file, int line) {
    // A broken API contract (NULL graph, uninitialised handle) is a bug in the calling code.
    fprintf(stderr, "recur: %s:%d: contract violated: %s\n", file, line, what);
    abort();
}

rc_shape rc_shape_make(int ndim, const int64_t *dims) {
    rc_shape s = {0, {0}};
    if (ndim < 0 || ndim > RC_MAX_DIMS || (ndim && !dims)) {
        // An invalid shape that every leaf and op rejects with a shape error.
        rc_set_last_error(RC_ERR_SHAPE, "rc_shape_make: ndim %d%s; want 0 to %d dimensions", ndim,
                          ndim && !dims ? " with dims NULL" : "", RC_MAX_DIMS);
        s.ndim = -1;
        return s;
    }
    s.ndim = ndim;
    for (int i = 0; i < ndim; i++)
        s.dim[i] = dims[i];
    return s;
}

int64_t rc_shape_numel(rc_shape s) {
    // Checked: [2^32,2^32] would overflow int64 (undefined behaviour); -1 says "does not fit".
    int64_t n = 1;
    for (int i = 0; i < s.ndim && i < RC_MAX_DIMS; i++)
        if (__builtin_mul_overflow(n, s.dim[i], &n))
            return -1;
    return n;
}

bool rc_shape_size_ok(rc_shape s) {
    const int64_t n = rc_shape_numel(s);
    return n >= 0 && n <= RC_MAX_NUMEL && (uint64_t)n <= SIZE_MAX / (2 * sizeof(float));
}

bool rc_shape_eq(rc_shape a, rc_shape b) {
    if (a.ndim != b.ndim)
        return false;
    for (int i = 0; i < a.ndim; i++)
        if (a.dim[i] != b.dim[i])
            return false;
    return true;
}

char *rc_shape_str(rc_shape s, char *buf, size_t len) {
    if (!len)
        return buf;
    size_t at = 0;
    at += (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < s.ndim && i < RC_MAX_DIMS && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, i ? ",%lld" : "%lld", (long long)s.dim[i]);
    if (at < len)
        snprintf(buf + at, len - at, "]");
    return buf;
}

// ---- xoshiro256** seeded through splitmix64 -------------------------------------------------

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

void rc_rng_seed(rc_rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

uint64_t rc_rng_u64(rc_rng *r) {
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

uint32_t rc_rng_below(rc_rng *r, uint32_t n) {
    // Lemire's multiply-and-reject: unbiased without a division in the common case.
    uint64_t m = (uint64_t)(uint32_t)(rc_rng_u64(r) >> 32) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)-n % n;
        while (low < threshold) {
            m = (uint64_t)(uint32_t)(rc_rng_u64(r) >> 32) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double rc_rng_uniform(rc_rng *r) {
    return (double)(rc_rng_u64(r) >> 11) * 0x1.0p-53;
}

double rc_rng_normal(rc_rng *r) {
    double u1 = rc_rng_uniform(r), u2 = rc_rng_uniform(r);
    return sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
}

rc_rng rc_rng_split(rc_rng *r) {
    rc_rng child;
    rc_rng_seed(&child, rc_rng_u64(r));
    return child;
}
