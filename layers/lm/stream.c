// A token stream laid out in columns for truncated back-propagation through time
// (include/recur/lm.h), and the learning rate of a "flat, then decay" schedule.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <recur/lm.h>

#include "common/common.h"

rc_status rc_lm_stream_new(rc_lm_stream *s, const int32_t *ids, int64_t n, int batch, char *err,
                           size_t err_len) {
    if (!s)
        return rc_err_null(err, err_len, "rc_lm_stream_new", "s");
    *s = (rc_lm_stream){0};
    if (!ids && n > 0)
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_lm_stream_new: ids is NULL, n = %lld",
                       (long long)n);
    if (batch < 1 || n < 2 * (int64_t)batch)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_lm_stream_new: %lld tokens cannot fill %d columns of at least 2 "
                       "(batch must be >= 1 and at most n / 2)",
                       (long long)n, batch);
    const int64_t steps = n / batch;
    s->data = malloc((size_t)(steps * batch) * sizeof *s->data);
    if (!s->data)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_lm_stream_new: out of memory (%lld ids)",
                       (long long)(steps * batch));
    for (int64_t t = 0; t < steps; t++)
        for (int b = 0; b < batch; b++)
            s->data[t * batch + b] = ids[b * steps + t];
    s->steps = steps;
    s->batch = batch;
    return RC_OK;
}

rc_status rc_lm_stream_columns(const rc_lm_stream *s, int first, int count, rc_lm_stream *out,
                               char *err, size_t err_len) {
    if (!s || !s->data || !out)
        return rc_err_null(err, err_len, "rc_lm_stream_columns", !out ? "out" : "s");
    *out = (rc_lm_stream){0};
    if (first < 0 || count < 1 || first > s->batch - count)
        return rc_errf(err, err_len, RC_ERR_RANGE,
                       "rc_lm_stream_columns: columns [%d, %d) of a stream of %d", first,
                       first + count, s->batch);
    out->data = malloc((size_t)(s->steps * count) * sizeof *out->data);
    if (!out->data)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_lm_stream_columns: out of memory");
    for (int64_t t = 0; t < s->steps; t++)
        memcpy(out->data + t * count, s->data + t * s->batch + first,
               (size_t)count * sizeof *out->data);
    out->steps = s->steps;
    out->batch = count;
    return RC_OK;
}

void rc_lm_stream_free(rc_lm_stream *s) {
    if (!s)
        return;
    free(s->data);
    *s = (rc_lm_stream){0};
}

int64_t rc_lm_stream_segments(const rc_lm_stream *s, int bptt) {
    if (!s || !s->data || bptt < 1 || s->steps < 2)
        return 0;
    return (s->steps - 1 + bptt - 1) / bptt;
}

int rc_lm_stream_segment(const rc_lm_stream *s, int bptt, int64_t k, const int32_t **x,
                         const int32_t **y) {
    if (!x || !y) {
        rc_err_null(NULL, 0, "rc_lm_stream_segment", !x ? "x" : "y");
        return 0;
    }
    if (k < 0 || k >= rc_lm_stream_segments(s, bptt))
        return 0;
    const int64_t start = k * bptt;
    const int64_t left = s->steps - 1 - start;
    const int len = left < bptt ? (int)left : bptt;
    *x = s->data + start * s->batch;
    *y = s->data + (start + 1) * s->batch;
    return len;
}

double rc_lm_epoch_lr(double lr, int flat, double decay, int epoch) {
    const int decays = epoch > flat ? epoch - flat : 0;
    return lr * pow(decay, decays);
}
