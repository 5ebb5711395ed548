// Helpers shared by op families: shape messages, axes, broadcasting and its gradient reduction.
#include <stdarg.h>
#include <string.h>

#include "ops_impl.h"

rc_status rc_shape_error(char *why, size_t len, rc_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return st;
}

int rc_norm_axis(int axis, int ndim) {
    if (axis < 0)
        axis += ndim;
    return axis >= 0 && axis < ndim ? axis : -1;
}

static void pad4(rc_shape s, int64_t d[4]) {
    int pad = 4 - s.ndim;
    for (int i = 0; i < 4; i++)
        d[i] = i < pad ? 1 : s.dim[i - pad];
}

rc_status rc_bcast_shape(const rc_tensor *in, int n, rc_shape *out, char *why, size_t len) {
    int ndim = 0;
    for (int k = 0; k < n; k++)
        if (in[k].shape.ndim > ndim)
            ndim = in[k].shape.ndim;
    out->ndim = ndim;
    for (int i = 0; i < ndim; i++) {
        int64_t d = 1;
        for (int k = 0; k < n; k++) {
            const rc_shape *s = &in[k].shape;
            int j = i - (ndim - s->ndim);
            int64_t dk = j >= 0 ? s->dim[j] : 1;
            if (dk == 1 || dk == d) {
                continue;
            } else if (d == 1) {
                d = dk;
            } else {
                size_t at = (size_t)snprintf(why, len, "shapes");
                for (int m = 0; m < n && at < len; m++) {
                    char sb[96];
                    at += (size_t)snprintf(why + at, len - at, "%s %s",
                                           m ? (m + 1 == n ? " and" : ",") : "",
                                           rc_shape_str(in[m].shape, sb, sizeof sb));
                }
                if (at < len)
                    snprintf(why + at, len - at, " are not broadcastable");
                return RC_ERR_SHAPE;
            }
        }
        out->dim[i] = d;
    }
    return RC_OK;
}

void rc_bcast_init(rc_bcast *b, const rc_tensor *in, int n, rc_shape out) {
    pad4(out, b->dim);
    b->n_in = n;
    for (int k = 0; k < n; k++) {
        int64_t d[4];
        pad4(in[k].shape, d);
        int64_t stride = 1;
        for (int i = 3; i >= 0; i--) {
            b->stride[k][i] = (d[i] == 1 && b->dim[i] != 1) ? 0 : stride;
            stride *= d[i];
        }
    }
    b->inner = b->dim[3];
    b->rows = b->dim[0] * b->dim[1] * b->dim[2];
}

float *rc_grad_scratch(const rc_opctx *ctx, int64_t n) {
    float *p = rc_arena_alloc(&ctx->g->grads, (size_t)n * sizeof(float));
    if (!p)
        rc_graph_fail(ctx->g, RC_ERR_NOMEM, "backward", -1, "out of memory for scratch");
    return p;
}

static bool rows_injective(const rc_bcast *b) {
    for (int i = 0; i < 3; i++)
        if (b->dim[i] > 1 && b->stride[0][i] == 0)
            return false;
    return true;
}

#define REDUCE_COLUMN_CHUNK 256

void rc_reduce_to(float *dst, rc_shape dst_shape, const float *src, rc_shape src_shape) {
    rc_tensor d = {NULL, dst_shape, 0};
    rc_bcast b;
    rc_bcast_init(&b, &d, 1, src_shape);
    const int64_t rows = b.rows, inner = b.inner;
    if (b.stride[0][3] == 0 && inner > 1) { // the last dim is summed away
        // Rows that land on one destination entry are added serially, in order.
        const int64_t work = rows_injective(&b) ? rows * inner : 0;
        RC_PARALLEL_FOR(
            work, for (int64_t r = 0; r < rows; r++) {
                float s = 0;
                for (int64_t j = 0; j < inner; j++)
                    s += src[r * inner + j];
                dst[rc_bcast_row_offset(&b, 0, r)] += s;
            });
        return;
    }
    if (rows_injective(&b)) {
        RC_PARALLEL_FOR(
            rows * inner, for (int64_t r = 0; r < rows; r++) {
                float *o = dst + rc_bcast_row_offset(&b, 0, r);
                const float *s = src + r * inner;
                for (int64_t j = 0; j < inner; j++)
                    o[j] += s[j];
            });
        return;
    }
    // Several source rows land on one destination row: each thread owns a band of columns and
    // walks all rows in order, so every sum has one fixed order.
    const int64_t chunks = (inner + REDUCE_COLUMN_CHUNK - 1) / REDUCE_COLUMN_CHUNK;
    RC_PARALLEL_FOR_WORK(
        rows * inner, for (int64_t c = 0; c < chunks; c++) {
            int64_t j0 = c * REDUCE_COLUMN_CHUNK;
            int64_t j1 = j0 + REDUCE_COLUMN_CHUNK < inner ? j0 + REDUCE_COLUMN_CHUNK : inner;
            for (int64_t r = 0; r < rows; r++) {
                float *o = dst + rc_bcast_row_offset(&b, 0, r);
                const float *s = src + r * inner;
                for (int64_t j = j0; j < j1; j++)
                    o[j] += s[j];
            }
        });
}
