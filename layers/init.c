// Parameter initialisers with torch.nn.init's formulas, drawing from an explicit generator.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

double rc_init_gain(rc_nonlinearity nl, double param) {
    switch (nl) {
    case RC_NONLINEARITY_LEAKY_RELU: return sqrt(2.0 / (1.0 + param * param));
    case RC_NONLINEARITY_TANH: return 5.0 / 3.0;
    case RC_NONLINEARITY_RELU: return sqrt(2.0);
    case RC_NONLINEARITY_SELU: return 0.75;
    case RC_NONLINEARITY_LINEAR:
    case RC_NONLINEARITY_SIGMOID:
    default: return 1.0;
    }
}

rc_status rc_init_fans(rc_shape s, int64_t *fan_in, int64_t *fan_out) {
    if (s.ndim < 2) {
        char sb[96];
        return rc_set_last_error(RC_ERR_SHAPE,
                                 "rc_init_fans: shape %s has %d dimensions; fans need at least 2",
                                 rc_shape_str(s, sb, sizeof sb), s.ndim);
    }
    int64_t receptive = 1;
    for (int i = 2; i < s.ndim; i++)
        receptive *= s.dim[i];
    if (fan_in)
        *fan_in = s.dim[1] * receptive;
    if (fan_out)
        *fan_out = s.dim[0] * receptive;
    return RC_OK;
}

static void fill_uniform(rc_tensor t, double lo, double hi, rc_rng *rng) {
    for (int64_t i = 0; i < t.n; i++)
        t.data[i] = (float)(lo + (hi - lo) * rc_rng_uniform(rng));
}

static void fill_normal(rc_tensor t, double mean, double std, rc_rng *rng) {
    for (int64_t i = 0; i < t.n; i++)
        t.data[i] = (float)(mean + std * rc_rng_normal(rng));
}

// Householder QR of A [m, k] (m >= k, column-major: column j at a + j*m), overwritten by the thin
// Q with R's diagonal made positive, as PyTorch's orthogonal_ does with q * sign(diag(r)).
// v holds the k reflectors (column-major, m each).
static void householder_q(double *a, double *v, int64_t m, int64_t k) {
    double *rdiag = v + m * k;
    for (int64_t j = 0; j < k; j++) {
        double *x = a + j * m, *vj = v + j * m, norm = 0;
        for (int64_t i = j; i < m; i++)
            norm += x[i] * x[i];
        norm = sqrt(norm);
        memset(vj, 0, (size_t)m * sizeof *vj);
        rdiag[j] = 0;
        if (norm == 0)
            continue; // a zero column: the identity reflector, R_jj = 0
        // alpha has the sign opposite to x[j], so x[j] - alpha never cancels.
        double alpha = x[j] >= 0 ? -norm : norm, vnorm = 0;
        for (int64_t i = j; i < m; i++)
            vj[i] = x[i];
        vj[j] -= alpha;
        for (int64_t i = j; i < m; i++)
            vnorm += vj[i] * vj[i];
        vnorm = sqrt(vnorm);
        for (int64_t i = j; i < m; i++)
            vj[i] /= vnorm;
        for (int64_t c = j; c < k; c++) {
            double *col = a + c * m, s = 0;
            for (int64_t i = j; i < m; i++)
                s += vj[i] * col[i];
            for (int64_t i = j; i < m; i++)
                col[i] -= 2 * s * vj[i];
        }
        rdiag[j] = alpha;
    }
    // Q = H_0 H_1 ... H_{k-1} applied to the first k columns of the identity.
    memset(a, 0, (size_t)(m * k) * sizeof *a);
    for (int64_t c = 0; c < k; c++)
        a[c * m + c] = 1;
    for (int64_t j = k; j-- > 0;) {
        const double *vj = v + j * m;
        for (int64_t c = 0; c < k; c++) {
            double *col = a + c * m, s = 0;
            for (int64_t i = j; i < m; i++)
                s += vj[i] * col[i];
            for (int64_t i = j; i < m; i++)
                col[i] -= 2 * s * vj[i];
        }
    }
    for (int64_t c = 0; c < k; c++)
        if (rdiag[c] < 0)
            for (int64_t i = 0; i < m; i++)
                a[c * m + i] = -a[c * m + i];
}

static rc_status fill_orthogonal(rc_tensor t, double gain, rc_rng *rng) {
    const int64_t rows = t.shape.dim[0], cols = t.n / rows;
    const bool tall = rows >= cols;
    const int64_t m = tall ? rows : cols, k = tall ? cols : rows;
    double *a = malloc((size_t)(2 * m * k + k) * sizeof *a);
    if (!a)
        return rc_set_last_error(RC_ERR_NOMEM,
                                 "rc_init_tensor: out of memory for an orthogonal "
                                 "[%lld,%lld] matrix",
                                 (long long)rows, (long long)cols);
    // The normals of a [rows, cols] matrix in row-major order; A is it, or its transpose when
    // wide, so that A is always tall.
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++) {
            double z = rc_rng_normal(rng);
            if (tall)
                a[c * m + r] = z;
            else
                a[r * m + c] = z;
        }
    householder_q(a, a + m * k, m, k);
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++)
            t.data[r * cols + c] = (float)(gain * (tall ? a[c * m + r] : a[r * m + c]));
    free(a);
    return RC_OK;
}

static bool finite_args(const rc_init *in) {
    return isfinite(in->a) && isfinite(in->b) && isfinite(in->gain) && isfinite(in->neg_slope);
}

// Checks arguments and shape for init kinds that need fans; writes the scale (bound or std).
static rc_status fan_scale(rc_tensor t, const rc_init *in, double *scale) {
    int64_t fan_in, fan_out;
    if (rc_init_fans(t.shape, &fan_in, &fan_out) != RC_OK)
        return RC_ERR_SHAPE; // rc_init_fans said why
    const double gain = in->gain == 0 ? 1.0 : in->gain;
    switch (in->kind) {
    case RC_INIT_XAVIER_UNIFORM:
        *scale = gain * sqrt(6.0 / (double)(fan_in + fan_out));
        return RC_OK;
    case RC_INIT_XAVIER_NORMAL:
        *scale = gain * sqrt(2.0 / (double)(fan_in + fan_out));
        return RC_OK;
    default: {
        if (in->mode != RC_FAN_IN && in->mode != RC_FAN_OUT)
            return rc_set_last_error(RC_ERR_ARG,
                                     "rc_init_tensor: Kaiming mode %d is neither "
                                     "RC_FAN_IN nor RC_FAN_OUT",
                                     (int)in->mode);
        const double fan = (double)(in->mode == RC_FAN_IN ? fan_in : fan_out);
        const double std = rc_init_gain(in->nonlinearity, in->neg_slope) / sqrt(fan);
        *scale = in->kind == RC_INIT_KAIMING_UNIFORM ? sqrt(3.0) * std : std;
        return RC_OK;
    }
    }
}

// The arguments every kind needs, and the bounds of the kinds with a range.
static rc_status check_init(rc_tensor t, const rc_init *in, const rc_rng *rng) {
    const char *fn = "rc_init_tensor";
    if (!in || !rng || !t.data)
        return rc_set_last_error(RC_ERR_ARG, "%s: %s is NULL", fn,
                                 !in    ? "init"
                                 : !rng ? "rng"
                                        : "t.data");
    if (t.n != rc_shape_numel(t.shape))
        return rc_set_last_error(RC_ERR_ARG, "%s: t.n = %lld does not match its shape", fn,
                                 (long long)t.n);
    if (!finite_args(in))
        return rc_set_last_error(RC_ERR_ARG, "%s: a, b, gain and neg_slope must be finite", fn);
    if (in->kind == RC_INIT_UNIFORM && in->a > in->b)
        return rc_set_last_error(RC_ERR_ARG, "%s: uniform bounds a = %g > b = %g", fn, in->a,
                                 in->b);
    if (in->kind == RC_INIT_NORMAL && in->b < 0)
        return rc_set_last_error(RC_ERR_ARG, "%s: normal std b = %g must be >= 0", fn, in->b);
    if (in->kind == RC_INIT_RNN_DEFAULT && in->hidden <= 0)
        return rc_set_last_error(RC_ERR_ARG, "%s: RC_INIT_RNN_DEFAULT needs hidden > 0, got %lld",
                                 fn, (long long)in->hidden);
    if (in->kind == RC_INIT_ORTHOGONAL && t.shape.ndim < 2)
        return rc_set_last_error(RC_ERR_SHAPE, "%s: orthogonal needs 2 or more dimensions, got %d",
                                 fn, t.shape.ndim);
    return RC_OK;
}

rc_status rc_init_tensor(rc_tensor t, const rc_init *in, rc_rng *rng) {
    rc_status st = check_init(t, in, rng);
    if (st != RC_OK)
        return st;
    double scale = 0;
    switch (in->kind) {
    case RC_INIT_ZEROS: memset(t.data, 0, (size_t)t.n * sizeof *t.data); return RC_OK;
    case RC_INIT_CONSTANT:
        for (int64_t i = 0; i < t.n; i++)
            t.data[i] = (float)in->a;
        return RC_OK;
    case RC_INIT_UNIFORM: fill_uniform(t, in->a, in->b, rng); return RC_OK;
    case RC_INIT_NORMAL: fill_normal(t, in->a, in->b, rng); return RC_OK;
    case RC_INIT_RNN_DEFAULT:
        scale = 1.0 / sqrt((double)in->hidden);
        fill_uniform(t, -scale, scale, rng);
        return RC_OK;
    case RC_INIT_XAVIER_UNIFORM:
    case RC_INIT_XAVIER_NORMAL:
    case RC_INIT_KAIMING_UNIFORM:
    case RC_INIT_KAIMING_NORMAL: {
        st = fan_scale(t, in, &scale);
        if (st != RC_OK)
            return st;
        if (in->kind == RC_INIT_XAVIER_UNIFORM || in->kind == RC_INIT_KAIMING_UNIFORM)
            fill_uniform(t, -scale, scale, rng);
        else
            fill_normal(t, 0.0, scale, rng);
        return RC_OK;
    }
    case RC_INIT_ORTHOGONAL: return fill_orthogonal(t, in->gain == 0 ? 1.0 : in->gain, rng);
    default:
        return rc_set_last_error(RC_ERR_ARG, "rc_init_tensor: unknown init kind %d", (int)in->kind);
    }
}

rc_status rc_init_param(rc_param *p, const rc_init *init, rc_rng *rng) {
    if (!p)
        return rc_set_last_error(RC_ERR_ARG, "rc_init_param: p is NULL");
    return rc_init_tensor(rc_param_value(p), init, rng);
}

rc_status rc_init_forget_bias(rc_tensor bias, float value) {
    if (!bias.data)
        return rc_set_last_error(RC_ERR_ARG, "rc_init_forget_bias: bias.data is NULL");
    if (bias.shape.ndim != 1 || bias.n % 4 != 0) {
        char sb[96];
        return rc_set_last_error(RC_ERR_SHAPE,
                                 "rc_init_forget_bias: bias is %s; want [4H] laid out [i|f|g|o]",
                                 rc_shape_str(bias.shape, sb, sizeof sb));
    }
    const int64_t H = bias.n / 4;
    for (int64_t i = H; i < 2 * H; i++)
        bias.data[i] = value;
    return RC_OK;
}
