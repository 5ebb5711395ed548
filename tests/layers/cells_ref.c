// Scalar references for the gating variants: plain loops in double over the documented equations.
#include "cells_ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { GI, GF, GG, GO }; // the peephole LSTM's gates
enum { MAXH = 64 };

static double sig(double a) {
    return 1.0 / (1.0 + exp(-a));
}

static const float *val(const rc_param *p) {
    return p ? rc_param_value(p).data : NULL;
}

// Row j of block `blk` of a weight with `cols` columns, times v.
static double row(const float *w, int64_t blk, int64_t H, int64_t j, int64_t cols,
                  const double *v) {
    const float *r = w + (blk * H + j) * cols;
    double s = 0;
    for (int64_t k = 0; k < cols; k++)
        s += (double)r[k] * v[k];
    return s;
}

// ---- the peephole LSTM and Greff's variants: one reference, one change per variant -------------

typedef struct greff_view {
    int blk[4]; // block of each gate in weight_ih / weight_hh / bias, -1 when absent
    const float *wx, *wh, *b;
    const float *p[3]; // peepholes of i, f, o (NULL: none)
    const float *rg;   // FGR's [3H,3H]
    bool lin_g, lin_h, cifg;
} greff_view;

static void greff(const rc_cell *cell, const greff_view *v, const double *x,
                  const double *const *prev, double **next) {
    const int64_t H = cell->dim_hidden, I = cell->dim_in;
    const double *h = prev[0], *c = prev[1];
    for (int64_t j = 0; j < H; j++) {
        double a[4] = {0, 0, 0, 0}, e[3] = {0, 0, 0};
        for (int q = 0; q < 4; q++)
            if (v->blk[q] >= 0)
                a[q] = v->b[v->blk[q] * H + j] + row(v->wx, v->blk[q], H, j, I, x) +
                       row(v->wh, v->blk[q], H, j, H, h);
        for (int q = 0; v->rg && q < 3; q++)
            e[q] = row(v->rg, q, H, j, 3 * H, prev[2]);
        const double pi = v->p[0] ? v->p[0][j] : 0, pf = v->p[1] ? v->p[1][j] : 0;
        const double po = v->p[2] ? v->p[2][j] : 0;
        const double i = v->blk[GI] >= 0 ? sig(a[GI] + e[0] + pi * c[j]) : 1.0;
        double f = v->blk[GF] >= 0 ? sig(a[GF] + e[1] + pf * c[j]) : 1.0;
        if (v->cifg)
            f = 1.0 - i;
        const double g = v->lin_g ? a[GG] : tanh(a[GG]);
        const double cn = f * c[j] + i * g;
        const double o = v->blk[GO] >= 0 ? sig(a[GO] + e[2] + po * cn) : 1.0;
        next[1][j] = cn;
        next[0][j] = o * (v->lin_h ? cn : tanh(cn));
        if (v->rg) {
            next[2][j] = i;
            next[2][H + j] = f;
            next[2][2 * H + j] = o;
        }
    }
}

// The baseline layout: blocks [i|f|g|o], peepholes p_i, p_f, p_o.
static greff_view full_view(const rc_peephole_lstm_params *p) {
    return (greff_view){.blk = {0, 1, 2, 3},
                        .wx = val(p->weight_ih),
                        .wh = val(p->weight_hh),
                        .b = val(p->bias),
                        .p = {val(p->weight_ci), val(p->weight_cf), val(p->weight_co)}};
}

void cref_peephole(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    greff_view v = full_view(cell->params);
    greff(cell, &v, x, prev, next);
}

void cref_nig(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_lstm_nig_params *p = cell->params;
    greff_view v = {.blk = {-1, 0, 1, 2},
                    .wx = val(p->weight_ih),
                    .wh = val(p->weight_hh),
                    .b = val(p->bias),
                    .p = {NULL, val(p->weight_cf), val(p->weight_co)}};
    greff(cell, &v, x, prev, next);
}

void cref_nfg(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_lstm_nfg_params *p = cell->params;
    greff_view v = {.blk = {0, -1, 1, 2},
                    .wx = val(p->weight_ih),
                    .wh = val(p->weight_hh),
                    .b = val(p->bias),
                    .p = {val(p->weight_ci), NULL, val(p->weight_co)}};
    greff(cell, &v, x, prev, next);
}

void cref_nog(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_lstm_nog_params *p = cell->params;
    greff_view v = {.blk = {0, 1, 2, -1},
                    .wx = val(p->weight_ih),
                    .wh = val(p->weight_hh),
                    .b = val(p->bias),
                    .p = {val(p->weight_ci), val(p->weight_cf), NULL}};
    greff(cell, &v, x, prev, next);
}

void cref_niaf(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    greff_view v = full_view(cell->params); // rc_lstm_niaf_params has the baseline's layout
    v.lin_g = true;
    greff(cell, &v, x, prev, next);
}

void cref_noaf(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    greff_view v = full_view(cell->params);
    v.lin_h = true;
    greff(cell, &v, x, prev, next);
}

void cref_np(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_lstm_np_params *p = cell->params;
    greff_view v = {
        .blk = {0, 1, 2, 3}, .wx = val(p->weight_ih), .wh = val(p->weight_hh), .b = val(p->bias)};
    greff(cell, &v, x, prev, next);
}

void cref_cifg(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_lstm_cifg_params *p = cell->params;
    greff_view v = {.blk = {0, -1, 1, 2},
                    .wx = val(p->weight_ih),
                    .wh = val(p->weight_hh),
                    .b = val(p->bias),
                    .p = {val(p->weight_ci), NULL, val(p->weight_co)},
                    .cifg = true};
    greff(cell, &v, x, prev, next);
}

void cref_fgr(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_lstm_fgr_params *p = cell->params;
    greff_view v = {.blk = {0, 1, 2, 3},
                    .wx = val(p->weight_ih),
                    .wh = val(p->weight_hh),
                    .b = val(p->bias),
                    .p = {val(p->weight_ci), val(p->weight_cf), val(p->weight_co)},
                    .rg = val(p->weight_hh_gates)};
    greff(cell, &v, x, prev, next);
}

// ---- GRU (Cho), MGU, MUT1-3 -------------------------------------------------------------------

void cref_gru_cho(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_gru_cho_params *p = cell->params;
    const int64_t H = cell->dim_hidden, I = cell->dim_in;
    const float *wx = val(p->weight_ih), *wh = val(p->weight_hh), *wn = val(p->weight_hh_n);
    const float *b = val(p->bias);
    const double *h = prev[0];
    double r[MAXH], z[MAXH], rh[MAXH];
    for (int64_t j = 0; j < H; j++) {
        r[j] = sig((b ? b[j] : 0) + row(wx, 0, H, j, I, x) + row(wh, 0, H, j, H, h));
        z[j] = sig((b ? b[H + j] : 0) + row(wx, 1, H, j, I, x) + row(wh, 1, H, j, H, h));
        rh[j] = r[j] * h[j];
    }
    for (int64_t j = 0; j < H; j++) {
        double n = tanh((b ? b[2 * H + j] : 0) + row(wx, 2, H, j, I, x) + row(wn, 0, H, j, H, rh));
        next[0][j] = z[j] * h[j] + (1 - z[j]) * n;
    }
}

void cref_mgu(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_mgu_params *p = cell->params;
    const int64_t H = cell->dim_hidden, I = cell->dim_in;
    const float *wx = val(p->weight_ih), *wh = val(p->weight_hh), *wn = val(p->weight_hh_n);
    const float *b = val(p->bias);
    const double *h = prev[0];
    double f[MAXH], fh[MAXH];
    for (int64_t j = 0; j < H; j++) {
        f[j] = sig((b ? b[j] : 0) + row(wx, 0, H, j, I, x) + row(wh, 0, H, j, H, h));
        fh[j] = f[j] * h[j];
    }
    for (int64_t j = 0; j < H; j++) {
        double n = tanh((b ? b[H + j] : 0) + row(wx, 1, H, j, I, x) + row(wn, 0, H, j, H, fh));
        next[0][j] = (1 - f[j]) * h[j] + f[j] * n;
    }
}

// x̂: x itself when I == H, else block `blk` of weight_ih times x.
static void x_hat(const rc_cell *cell, const float *wx, int blk, const double *x, double *out) {
    const int64_t H = cell->dim_hidden, I = cell->dim_in;
    for (int64_t j = 0; j < H; j++)
        out[j] = I == H ? x[j] : row(wx, blk, H, j, I, x);
}

void cref_mut1(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_mut1_params *p = cell->params;
    const int64_t H = cell->dim_hidden, I = cell->dim_in;
    const float *wx = val(p->weight_ih), *ur = val(p->weight_hh_r), *un = val(p->weight_hh_n);
    const float *b = val(p->bias);
    const double *h = prev[0];
    double z[MAXH], rh[MAXH], xh[MAXH];
    x_hat(cell, wx, 2, x, xh);
    for (int64_t j = 0; j < H; j++) {
        z[j] = sig(row(wx, 0, H, j, I, x) + b[j]);
        rh[j] = sig(row(wx, 1, H, j, I, x) + row(ur, 0, H, j, H, h) + b[H + j]) * h[j];
    }
    for (int64_t j = 0; j < H; j++) {
        double n = tanh(row(un, 0, H, j, H, rh) + tanh(xh[j]) + b[2 * H + j]);
        next[0][j] = n * z[j] + h[j] * (1 - z[j]);
    }
}

void cref_mut2(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_mut2_params *p = cell->params;
    const int64_t H = cell->dim_hidden, I = cell->dim_in;
    const float *wx = val(p->weight_ih), *uh = val(p->weight_hh), *un = val(p->weight_hh_n);
    const float *b = val(p->bias); // blocks [z|n|r]
    const double *h = prev[0];
    double z[MAXH], rh[MAXH], xh[MAXH];
    x_hat(cell, wx, 2, x, xh);
    for (int64_t j = 0; j < H; j++) {
        z[j] = sig(row(wx, 0, H, j, I, x) + row(uh, 0, H, j, H, h) + b[j]);
        rh[j] = sig(xh[j] + row(uh, 1, H, j, H, h) + b[2 * H + j]) * h[j];
    }
    for (int64_t j = 0; j < H; j++) {
        double n = tanh(row(un, 0, H, j, H, rh) + row(wx, 1, H, j, I, x) + b[H + j]);
        next[0][j] = n * z[j] + h[j] * (1 - z[j]);
    }
}

void cref_mut3(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_mut3_params *p = cell->params;
    const int64_t H = cell->dim_hidden, I = cell->dim_in;
    const float *wx = val(p->weight_ih), *uz = val(p->weight_hh_z), *ur = val(p->weight_hh_r);
    const float *un = val(p->weight_hh_n), *b = val(p->bias);
    const double *h = prev[0];
    double z[MAXH], rh[MAXH], th[MAXH];
    for (int64_t j = 0; j < H; j++)
        th[j] = tanh(h[j]);
    for (int64_t j = 0; j < H; j++) {
        z[j] = sig(row(wx, 0, H, j, I, x) + row(uz, 0, H, j, H, th) + b[j]);
        rh[j] = sig(row(wx, 1, H, j, I, x) + row(ur, 0, H, j, H, h) + b[H + j]) * h[j];
    }
    for (int64_t j = 0; j < H; j++) {
        double n = tanh(row(un, 0, H, j, H, rh) + row(wx, 2, H, j, I, x) + b[2 * H + j]);
        next[0][j] = n * z[j] + h[j] * (1 - z[j]);
    }
}

// ---- IndRNN, SRU, LN-LSTM ---------------------------------------------------------------------

void cref_indrnn(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_indrnn_params *p = cell->params;
    const int64_t H = cell->dim_hidden, I = cell->dim_in;
    const float *w = val(p->weight_ih), *u = val(p->weight_hh), *b = val(p->bias);
    const double m = p->recurrent_max;
    for (int64_t j = 0; j < H; j++) {
        double uj = m > 0 ? fmin(fmax(u[j], -m), m) : u[j];
        double a = row(w, 0, H, j, I, x) + uj * prev[0][j] + (b ? b[j] : 0);
        next[0][j] = p->use_tanh ? tanh(a) : fmax(a, 0.0);
    }
}

void cref_sru(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_sru_params *p = cell->params;
    const int64_t H = cell->dim_hidden, I = cell->dim_in;
    const float *w = val(p->weight_ih), *vf = val(p->weight_cf), *vr = val(p->weight_cr);
    const float *bf = val(p->bias_f), *br = val(p->bias_r);
    const double *c = prev[1];
    for (int64_t j = 0; j < H; j++) {
        double xt = row(w, 0, H, j, I, x);
        double f = sig(row(w, 1, H, j, I, x) + vf[j] * c[j] + bf[j]);
        double r = sig(row(w, 2, H, j, I, x) + vr[j] * c[j] + br[j]);
        double cn = f * c[j] + (1 - f) * xt;
        double hw = I == H ? p->alpha * x[j] : row(w, 3, H, j, I, x);
        next[1][j] = cn;
        next[0][j] = r * (p->use_tanh ? tanh(cn) : cn) + (1 - r) * hw;
    }
}

// LN over n consecutive entries of z, in place, times gain (may be NULL: 1).
static void ln(double *z, int64_t n, const float *gain, double eps) {
    double mu = 0, var = 0;
    for (int64_t k = 0; k < n; k++)
        mu += z[k] / (double)n;
    for (int64_t k = 0; k < n; k++)
        var += (z[k] - mu) * (z[k] - mu) / (double)n;
    for (int64_t k = 0; k < n; k++)
        z[k] = (gain ? gain[k] : 1.0) * (z[k] - mu) / sqrt(var + eps);
}

static void ln_blocks(double *z, int64_t H, bool per_gate, const float *gain, double eps) {
    for (int q = 0; q < (per_gate ? 4 : 1); q++)
        ln(z + q * (per_gate ? H : 0), per_gate ? H : 4 * H, gain + q * (per_gate ? H : 0), eps);
}

void cref_ln_lstm(const rc_cell *cell, const double *x, const double *const *prev, double **next) {
    const rc_ln_lstm_params *p = cell->params;
    const int64_t H = cell->dim_hidden, I = cell->dim_in;
    const float *wx = val(p->weight_ih), *wh = val(p->weight_hh), *b = val(p->bias);
    double ax[4 * MAXH], ah[4 * MAXH], a[4 * MAXH], cn[MAXH];
    for (int64_t j = 0; j < 4 * H; j++) {
        ax[j] = row(wx, 0, 4 * H, j, I, x);
        ah[j] = row(wh, 0, 4 * H, j, H, prev[0]);
    }
    if (p->gates == RC_LN_LSTM_SEPARATE) {
        ln_blocks(ax, H, p->per_gate, val(p->ln_ih_gain), p->eps);
        ln_blocks(ah, H, p->per_gate, val(p->ln_hh_gain), p->eps);
    }
    for (int64_t j = 0; j < 4 * H; j++)
        a[j] = ax[j] + ah[j];
    if (p->gates == RC_LN_LSTM_JOINT)
        ln_blocks(a, H, p->per_gate, val(p->ln_gain), p->eps);
    for (int64_t j = 0; j < 4 * H; j++)
        a[j] += b[j];
    for (int64_t j = 0; j < H; j++)
        cn[j] = next[1][j] = sig(a[H + j]) * prev[1][j] + sig(a[j]) * tanh(a[2 * H + j]);
    if (p->ln_c_gain) {
        ln(cn, H, val(p->ln_c_gain), p->eps);
        for (int64_t j = 0; j < H; j++)
            cn[j] += val(p->ln_c_bias)[j];
    }
    for (int64_t j = 0; j < H; j++)
        next[0][j] = sig(a[3 * H + j]) * tanh(cn[j]);
}
