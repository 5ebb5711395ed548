// Gradient clipping with PyTorch's formulas (torch.nn.utils.clip_grad_norm_ / _value_), over
// the gradients an optimizer step would read: non-frozen parameters, touched rows only.
#include <math.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "layers_impl.h"

typedef void (*visit_fn)(float *g, int64_t n, void *ctx);

// Calls fn on every run of gradient entries that counts: a whole gradient when every row is
// touched, else each touched row (an embedding table's untouched rows hold zeros anyway, and
// skipping them keeps clipping proportional to the batch, not to V).
static void visit_grads(rc_params *ps, visit_fn fn, void *ctx) {
    for (int i = 0; i < rc_params_count(ps); i++) {
        const rc_param *p = rc_params_at(ps, i);
        if (rc_param_frozen(p))
            continue;
        const rc_tensor g = rc_param_grad(p);
        const int64_t rows = g.shape.ndim ? g.shape.dim[0] : 1, width = g.n / rows;
        const uint8_t *touched = rc_param_touched_rows(p);
        if (!touched)
            fn(g.data, g.n, ctx);
        else
            for (int64_t r = 0; r < rows; r++)
                if (touched[r])
                    fn(g.data + r * width, width, ctx);
    }
}

typedef struct norm_acc {
    double p, total;
} norm_acc;

static void accumulate(float *g, int64_t n, void *ctx) {
    norm_acc *a = ctx;
    for (int64_t k = 0; k < n; k++) {
        const double v = fabs((double)g[k]);
        if (isinf(a->p))
            a->total = v > a->total || isnan(v) ? v : a->total;
        else
            a->total += a->p == 2 ? v * v : pow(v, a->p);
    }
}

static void scale_by(float *g, int64_t n, void *ctx) {
    const float s = *(const float *)ctx;
    for (int64_t k = 0; k < n; k++)
        g[k] *= s;
}

double rc_clip_grad_norm(rc_params *ps, double max_norm, double norm_type) {
    if (!ps)
        rc_err_null(NULL, 0, "rc_clip_grad_norm", "ps");
    if (!ps || !(norm_type > 0))
        return NAN;
    norm_acc a = {norm_type, 0};
    visit_grads(ps, accumulate, &a);
    double total = a.total;
    if (!isinf(norm_type))
        total = norm_type == 2 ? sqrt(total) : pow(total, 1.0 / norm_type);
    // PyTorch multiplies by the clamped coefficient even when it is 1 (a no-op) or NaN.
    const double ratio = max_norm / (total + 1e-6);
    float scale = (float)(ratio < 1 || isnan(ratio) ? ratio : 1.0);
    if (scale != 1.0f)
        visit_grads(ps, scale_by, &scale);
    return total;
}

static void clamp_to(float *g, int64_t n, void *ctx) {
    const float c = *(const float *)ctx;
    for (int64_t k = 0; k < n; k++)
        g[k] = g[k] > c ? c : g[k] < -c ? -c : g[k];
}

void rc_clip_grad_value(rc_params *ps, double clip) {
    if (!ps)
        return;
    float c = (float)clip;
    visit_grads(ps, clamp_to, &c);
}
