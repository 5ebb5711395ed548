// Vectorised exp, tanh and sigmoid over arrays (accuracy and special values: vmath.h; the lane
// arithmetic: vmath_lanes.h).
#include "vmath.h"
#include "vmath_lanes.h"

// The array loop around BODY: full groups of eight, then the tail through a padded buffer.
#define ARRAY_KERNEL(NAME, BODY)                                                                   \
    VMATH_CLONES void NAME(const float *x, float *y, int64_t n) {                                  \
        int64_t i = 0;                                                                             \
        for (; i + VLANES <= n; i += VLANES) {                                                     \
            vf8 v;                                                                                 \
            memcpy(&v, x + i, sizeof v);                                                           \
            BODY(&v);                                                                              \
            memcpy(y + i, &v, sizeof v);                                                           \
        }                                                                                          \
        if (i < n) {                                                                               \
            float buf[VLANES] = {0};                                                               \
            memcpy(buf, x + i, (size_t)(n - i) * sizeof *buf);                                     \
            vf8 v;                                                                                 \
            memcpy(&v, buf, sizeof v);                                                             \
            BODY(&v);                                                                              \
            memcpy(buf, &v, sizeof v);                                                             \
            memcpy(y + i, buf, (size_t)(n - i) * sizeof *buf);                                     \
        }                                                                                          \
    }

ARRAY_KERNEL(rc_vexp, vexp_lanes)
ARRAY_KERNEL(rc_vtanh, vtanh_lanes)
ARRAY_KERNEL(rc_vsigmoid, vsigmoid_lanes)
