// Fused gate ops: the pointwise part of an LSTM or GRU step (everything after the gate GEMMs) in
// one pass and one node instead of a dozen, for any cell that wants them. Each computes exactly
// what the same formula written with rc_split, rc_sigmoid, rc_tanh, rc_mul, rc_add and rc_lerp
// computes, in the same order with the same roundings, so results and gradients are the same bits
// (tests/ops/test_rnn_gates.c checks that, ops by ops).
//
//   lstm_state(gates [B,4H] = [i|f|g|o], c [B,H]) -> c' [B,H]
//     c' = σ(f)*c + σ(i)*tanh(g)
//     di = G tanh(g) σ(i)(1-σ(i)),  df = G c σ(f)(1-σ(f)),  dg = G σ(i) (1-tanh²(g)),  dc = G σ(f)
//   lstm_output(gates [B,4H], c' [B,H]) -> h' [B,H]
//     h' = σ(o)*tanh(c')
//     do = G tanh(c') σ(o)(1-σ(o)),  dc' = G σ(o) (1-tanh²(c'))
//   gru_state(xp [B,3H] = W_ih x + b_ih, hp [B,3H] = W_hh h + b_hh, h [B,H]) -> h' [B,H],
//             blocks [r|z|n]
//     r = σ(x_r + h_r),  z = σ(x_z + h_z),  n = tanh(x_n + r*h_n),  h' = z*h + (1-z)*n
//     dn = G (1-z) (1-n²):  dx_n = dn,  dh_n = dn r;  dz = G (h-n) z(1-z):  dx_z = dh_z = dz;
//     dr = dn h_n r(1-r):  dx_r = dh_r = dr;  dh = G z
// The two LSTM ops split the work with nothing computed twice: lstm_state reads the i, f, g blocks
// and lstm_output the o block. Forward saves the activations for backward.
#include "cpu/vmath_lanes.h"
#include "ops_impl.h"

// ---- shape rules -------------------------------------------------------------------------------

// in[0..n_wide) are [B,k*H], the last input is [B,H]; out [B,H].
static rc_status gates_shape(const rc_tensor *in, int n_wide, int k, const char *names,
                             const char *form, rc_shape *out, char *why, size_t len) {
    const rc_shape *h = &in[n_wide].shape;
    bool ok = h->ndim == 2;
    for (int i = 0; ok && i < n_wide; i++)
        ok = in[i].shape.ndim == 2 && in[i].shape.dim[0] == h->dim[0] &&
             in[i].shape.dim[1] == k * h->dim[1];
    if (ok) {
        *out = *h;
        return RC_OK;
    }
    char s[3][64];
    for (int i = 0; i <= n_wide; i++)
        rc_shape_str(in[i].shape, s[i], sizeof s[i]);
    if (n_wide == 1)
        return rc_shape_error(why, len, RC_ERR_SHAPE, "%s %s and %s must be %s", names, s[0], s[1],
                              form);
    return rc_shape_error(why, len, RC_ERR_SHAPE, "%s %s, %s and %s must be %s", names, s[0], s[1],
                          s[2], form);
}

static rc_status lstm_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                            char *why, size_t len) {
    UNUSED(n_in), UNUSED(attr);
    return gates_shape(in, 1, 4, "gates and c:", "[B,4H] and [B,H]", out, why, len);
}

static rc_status gru_shape(const rc_tensor *in, int n_in, const void *attr, rc_shape *out,
                           char *why, size_t len) {
    UNUSED(n_in), UNUSED(attr);
    return gates_shape(in, 2, 3, "xp, hp and h:", "[B,3H], [B,3H] and [B,H]", out, why, len);
}

// ---- running lanes over a row ------------------------------------------------------------------

#define MAX_LANE_ARGS 8

// Writes the lanes v[k] to dst[k] + j (skipping NULL destinations), adding to what is there when
// `add`; only the first m lanes in a partial group. One destination after the other, so two
// gradients that are the same buffer (one tensor in two input slots) both arrive.
VINLINE void put_lanes(float *const *dst, int n, int64_t j, const vf8 *v, int64_t m, bool add) {
    for (int k = 0; k < n; k++) {
        if (!dst[k])
            continue;
        float *d = dst[k] + j;
        if (m == VLANES && add) {
            vf8 cur;
            memcpy(&cur, d, sizeof cur);
            cur += v[k];
            memcpy(d, &cur, sizeof cur);
        } else if (m == VLANES) {
            memcpy(d, &v[k], sizeof v[k]);
        } else {
            float part[VLANES];
            memcpy(part, &v[k], sizeof part);
            for (int64_t l = 0; l < m; l++)
                d[l] = add ? d[l] + part[l] : part[l];
        }
    }
}

// Runs GROUP(src, j, v) over columns j = 0, 8, ... of a row of H: it reads eight lanes at
// src[k] + j (k < N_SRC) and leaves the results in v[0..N_DST), which go to dst[k] + j (stored,
// or added with ADD). The last, partial group reads zero-padded copies.
#define ROW_LANES(GROUP, src, N_SRC, dst, N_DST, H, ADD)                                           \
    do {                                                                                           \
        vf8 v_[MAX_LANE_ARGS];                                                                     \
        int64_t j_ = 0;                                                                            \
        for (; j_ + VLANES <= (H); j_ += VLANES) {                                                 \
            GROUP(src, j_, v_);                                                                    \
            put_lanes(dst, N_DST, j_, v_, VLANES, ADD);                                            \
        }                                                                                          \
        if (j_ < (H)) {                                                                            \
            float pad_[MAX_LANE_ARGS][VLANES] = {{0}};                                             \
            const float *p_[MAX_LANE_ARGS];                                                        \
            for (int k_ = 0; k_ < (N_SRC); k_++) {                                                 \
                memcpy(pad_[k_], (src)[k_] + j_, (size_t)((H)-j_) * sizeof(float));                \
                p_[k_] = pad_[k_];                                                                 \
            }                                                                                      \
            GROUP(p_, 0, v_);                                                                      \
            put_lanes(dst, N_DST, j_, v_, (H)-j_, ADD);                                            \
        }                                                                                          \
    } while (0)

#define LOAD(v, p) memcpy(&(v), (p), sizeof(vf8))
#define ONE VSPLAT_F(1.0f)

// The work of one element, in units of a plain elementwise op (what RC_PAR_MIN counts): a forward
// element evaluates two or three nonlinearities in double, about 16 adds' worth. Rows go to
// threads once a step is worth it.
#define FWD_WORK 16

// ---- lstm_state ------------------------------------------------------------------------------
// Saved: σ(i), σ(f), tanh(g), each [B,H].

// src: i, f, g, c; v: c', σ(i), σ(f), tanh(g).
VINLINE void state_fwd_lanes(const float *const *src, int64_t j, vf8 *v) {
    vf8 i, f, g, c;
    LOAD(i, src[0] + j), LOAD(f, src[1] + j), LOAD(g, src[2] + j), LOAD(c, src[3] + j);
    vsigmoid_lanes(&i), vsigmoid_lanes(&f), vtanh_lanes(&g);
    v[0] = f * c + i * g, v[1] = i, v[2] = f, v[3] = g;
}

// src: G, c, σ(i), σ(f), tanh(g); v: di, df, dg, dc.
VINLINE void state_bwd_lanes(const float *const *src, int64_t j, vf8 *v) {
    vf8 G, c, si, sf, tg;
    LOAD(G, src[0] + j), LOAD(c, src[1] + j), LOAD(si, src[2] + j), LOAD(sf, src[3] + j);
    LOAD(tg, src[4] + j);
    v[0] = G * tg * si * (ONE - si);
    v[1] = G * c * sf * (ONE - sf);
    v[2] = G * si * (ONE - tg * tg);
    v[3] = G * sf;
}

VMATH_CLONES
static void state_fwd_row(const float *gates, const float *c, float *cn, float *const *act,
                          int64_t H) {
    const float *src[4] = {gates, gates + H, gates + 2 * H, c};
    float *dst[4] = {cn, act[0], act[1], act[2]};
    ROW_LANES(state_fwd_lanes, src, 4, dst, 4, H, false);
}

VMATH_CLONES
static void state_bwd_row(const float *G, const float *c, const float *const *act, float *dgates,
                          float *dc, int64_t H) {
    const float *src[5] = {G, c, act[0], act[1], act[2]};
    float *dst[4] = {dgates, dgates ? dgates + H : NULL, dgates ? dgates + 2 * H : NULL, dc};
    ROW_LANES(state_bwd_lanes, src, 5, dst, 4, H, true);
}

// The saved activations, n floats each: allocated on the first forward, reused on replays.
static float *saved_planes(rc_opctx *ctx, int planes, int64_t n) {
    if (!ctx->saved)
        ctx->saved = rc_ctx_alloc(ctx, (size_t)planes * (size_t)n * sizeof(float));
    return ctx->saved;
}

static void lstm_state_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                           rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr);
    const int64_t B = out->shape.dim[0], H = out->shape.dim[1];
    float *act = saved_planes(ctx, 3, B * H);
    if (!act)
        return; // out of memory: the graph carries the error
    const float *gates = in[0].data, *c = in[1].data;
    RC_PARALLEL_FOR_WORK(
        B * H * FWD_WORK, for (int64_t b = 0; b < B; b++) {
            float *const a[3] = {act + b * H, act + (B + b) * H, act + (2 * B + b) * H};
            state_fwd_row(gates + b * 4 * H, c + b * H, out->data + b * H, a, H);
        });
}

static void lstm_state_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                           const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr);
    const int64_t B = out->shape.dim[0], H = out->shape.dim[1];
    const float *act = ctx->saved, *c = in[1].data, *G = gout->data;
    float *dgates = gin[0].data, *dc = gin[1].data;
    RC_PARALLEL_FOR_WORK(
        B * H, for (int64_t b = 0; b < B; b++) {
            const float *const a[3] = {act + b * H, act + (B + b) * H, act + (2 * B + b) * H};
            state_bwd_row(G + b * H, c + b * H, a, dgates ? dgates + b * 4 * H : NULL,
                          dc ? dc + b * H : NULL, H);
        });
}

const rc_op_def rc_op_lstm_state = {
    .name = "lstm_state",
    .dot_label = "LSTM c'",
    .n_in = 2,
    .shape = lstm_shape,
    .forward = lstm_state_fwd,
    .backward = lstm_state_bwd,
    .test = {.n_in = 2, .shape = {{2, {3, 44}}, {2, {3, 11}}}, .lo = -2, .hi = 2},
};

rc_var rc_lstm_state(rc_var gates, rc_var c) {
    const rc_var in[2] = {gates, c};
    return rc_apply(&rc_op_lstm_state, in, 2, NULL, 0);
}

// ---- lstm_output -----------------------------------------------------------------------------
// Saved: σ(o), tanh(c'), each [B,H].

// src: o, c'; v: h', σ(o), tanh(c').
VINLINE void output_fwd_lanes(const float *const *src, int64_t j, vf8 *v) {
    vf8 o, c;
    LOAD(o, src[0] + j), LOAD(c, src[1] + j);
    vsigmoid_lanes(&o), vtanh_lanes(&c);
    v[0] = o * c, v[1] = o, v[2] = c;
}

// src: G, σ(o), tanh(c'); v: do, dc'.
VINLINE void output_bwd_lanes(const float *const *src, int64_t j, vf8 *v) {
    vf8 G, so, tc;
    LOAD(G, src[0] + j), LOAD(so, src[1] + j), LOAD(tc, src[2] + j);
    v[0] = G * tc * so * (ONE - so);
    v[1] = G * so * (ONE - tc * tc);
}

VMATH_CLONES
static void output_fwd_row(const float *o, const float *c, float *h, float *so, float *tc,
                           int64_t H) {
    const float *src[2] = {o, c};
    float *dst[3] = {h, so, tc};
    ROW_LANES(output_fwd_lanes, src, 2, dst, 3, H, false);
}

VMATH_CLONES
static void output_bwd_row(const float *G, const float *so, const float *tc, float *d_o, float *dc,
                           int64_t H) {
    const float *src[3] = {G, so, tc};
    float *dst[2] = {d_o, dc};
    ROW_LANES(output_bwd_lanes, src, 3, dst, 2, H, true);
}

static void lstm_output_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                            rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr);
    const int64_t B = out->shape.dim[0], H = out->shape.dim[1];
    float *act = saved_planes(ctx, 2, B * H);
    if (!act)
        return;
    const float *gates = in[0].data, *c = in[1].data;
    RC_PARALLEL_FOR_WORK(
        B * H * FWD_WORK, for (int64_t b = 0; b < B; b++) {
            output_fwd_row(gates + b * 4 * H + 3 * H, c + b * H, out->data + b * H, act + b * H,
                           act + (B + b) * H, H);
        });
}

static void lstm_output_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                            const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(in), UNUSED(n_in), UNUSED(attr);
    const int64_t B = out->shape.dim[0], H = out->shape.dim[1];
    const float *act = ctx->saved, *G = gout->data;
    float *dgates = gin[0].data, *dc = gin[1].data;
    RC_PARALLEL_FOR_WORK(
        B * H, for (int64_t b = 0; b < B; b++) {
            output_bwd_row(G + b * H, act + b * H, act + (B + b) * H,
                           dgates ? dgates + b * 4 * H + 3 * H : NULL, dc ? dc + b * H : NULL, H);
        });
}

const rc_op_def rc_op_lstm_output = {
    .name = "lstm_output",
    .dot_label = "LSTM h'",
    .n_in = 2,
    .shape = lstm_shape,
    .forward = lstm_output_fwd,
    .backward = lstm_output_bwd,
    .test = {.n_in = 2, .shape = {{2, {3, 44}}, {2, {3, 11}}}, .lo = -2, .hi = 2},
};

rc_var rc_lstm_output(rc_var gates, rc_var c) {
    const rc_var in[2] = {gates, c};
    return rc_apply(&rc_op_lstm_output, in, 2, NULL, 0);
}

// ---- gru_state -------------------------------------------------------------------------------
// Saved: r, z, n, each [B,H].

// src: x_r, x_z, x_n, h_r, h_z, h_n, h; v: h', r, z, n.
VINLINE void gru_fwd_lanes(const float *const *src, int64_t j, vf8 *v) {
    vf8 xr, xz, xn, hr, hz, hn, h;
    LOAD(xr, src[0] + j), LOAD(xz, src[1] + j), LOAD(xn, src[2] + j);
    LOAD(hr, src[3] + j), LOAD(hz, src[4] + j), LOAD(hn, src[5] + j), LOAD(h, src[6] + j);
    vf8 r = xr + hr, z = xz + hz;
    vsigmoid_lanes(&r), vsigmoid_lanes(&z);
    vf8 n = xn + r * hn;
    vtanh_lanes(&n);
    v[0] = z * h + (ONE - z) * n, v[1] = r, v[2] = z, v[3] = n;
}

// src: G, h, h_n, r, z, n; v: dx_r, dx_z, dx_n, dh_r, dh_z, dh_n, dh.
VINLINE void gru_bwd_lanes(const float *const *src, int64_t j, vf8 *v) {
    vf8 G, h, hn, r, z, n;
    LOAD(G, src[0] + j), LOAD(h, src[1] + j), LOAD(hn, src[2] + j);
    LOAD(r, src[3] + j), LOAD(z, src[4] + j), LOAD(n, src[5] + j);
    const vf8 dn = G * (ONE - z) * (ONE - n * n);
    const vf8 dz = G * (h - n) * z * (ONE - z);
    const vf8 dr = dn * hn * r * (ONE - r);
    v[0] = dr, v[1] = dz, v[2] = dn, v[3] = dr, v[4] = dz, v[5] = dn * r, v[6] = G * z;
}

VMATH_CLONES
static void gru_fwd_row(const float *xp, const float *hp, const float *h, float *out,
                        float *const *act, int64_t H) {
    const float *src[7] = {xp, xp + H, xp + 2 * H, hp, hp + H, hp + 2 * H, h};
    float *dst[4] = {out, act[0], act[1], act[2]};
    ROW_LANES(gru_fwd_lanes, src, 7, dst, 4, H, false);
}

VMATH_CLONES
static void gru_bwd_row(const float *G, const float *h, const float *hp, const float *const *act,
                        float *dxp, float *dhp, float *dh, int64_t H) {
    const float *src[6] = {G, h, hp + 2 * H, act[0], act[1], act[2]};
    float *dst[7] = {dxp, dxp ? dxp + H : NULL, dxp ? dxp + 2 * H : NULL,
                     dhp, dhp ? dhp + H : NULL, dhp ? dhp + 2 * H : NULL,
                     dh};
    ROW_LANES(gru_bwd_lanes, src, 6, dst, 7, H, true);
}

static void gru_state_fwd(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out,
                          rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr);
    const int64_t B = out->shape.dim[0], H = out->shape.dim[1];
    float *act = saved_planes(ctx, 3, B * H);
    if (!act)
        return;
    const float *xp = in[0].data, *hp = in[1].data, *h = in[2].data;
    RC_PARALLEL_FOR_WORK(
        B * H * FWD_WORK, for (int64_t b = 0; b < B; b++) {
            float *const a[3] = {act + b * H, act + (B + b) * H, act + (2 * B + b) * H};
            gru_fwd_row(xp + b * 3 * H, hp + b * 3 * H, h + b * H, out->data + b * H, a, H);
        });
}

static void gru_state_bwd(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                          const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx) {
    UNUSED(n_in), UNUSED(attr);
    const int64_t B = out->shape.dim[0], H = out->shape.dim[1];
    const float *act = ctx->saved, *hp = in[1].data, *h = in[2].data, *G = gout->data;
    float *dxp = gin[0].data, *dhp = gin[1].data, *dh = gin[2].data;
    RC_PARALLEL_FOR_WORK(
        B * H, for (int64_t b = 0; b < B; b++) {
            const float *const a[3] = {act + b * H, act + (B + b) * H, act + (2 * B + b) * H};
            gru_bwd_row(G + b * H, h + b * H, hp + b * 3 * H, a, dxp ? dxp + b * 3 * H : NULL,
                        dhp ? dhp + b * 3 * H : NULL, dh ? dh + b * H : NULL, H);
        });
}

const rc_op_def rc_op_gru_state = {
    .name = "gru_state",
    .dot_label = "GRU h'",
    .n_in = 3,
    .shape = gru_shape,
    .forward = gru_state_fwd,
    .backward = gru_state_bwd,
    .test = {.n_in = 3, .shape = {{2, {3, 33}}, {2, {3, 33}}, {2, {3, 11}}}, .lo = -2, .hi = 2},
};

rc_var rc_gru_state(rc_var xp, rc_var hp, rc_var h) {
    const rc_var in[3] = {xp, hp, h};
    return rc_apply(&rc_op_gru_state, in, 3, NULL, 0);
}
