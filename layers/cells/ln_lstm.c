// The layer-normalised LSTM of Ba et al. 2016 ("Layer normalization", section on recurrent
// networks), gate blocks [i|f|g|o] as PyTorch's LSTM. Layer normalisation with gain γ:
//   LN(z; γ) = γ * (z - mean(z)) / sqrt(var(z) + eps)
// with mean and (biased) variance over the last axis: all 4H pre-activations, or each gate's H
// with per_gate. Where it sits in the gates is an option:
//   SEPARATE (Ba et al.):  a = LN(W_ih x; γ_ih) + LN(W_hh h; γ_hh) + b
//   JOINT:                 a = LN(W_ih x + W_hh h; γ) + b
//   NONE:                  a = W_ih x + W_hh h + b
// then i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o), c' = f*c + i*g and
//   h' = o * tanh(LN(c'; γ_c) + β_c)            (h' = o * tanh(c') with no_cell_norm).
// Ba et al. give each LN its own bias β; the gates' β's and b add up, so one b stands for them.
// Layer norm is composed of public ops (mean, sub, square, pow), so it differentiates as any
// other graph. Parameters: weight_ih [4H,I], weight_hh [4H,H] from U(-1/sqrt(H), 1/sqrt(H));
// bias [4H] = 0; ln_ih_gain, ln_hh_gain [4H] (SEPARATE) or ln_gain [4H] (JOINT) = 1;
// ln_c_gain [H] = 1 and ln_c_bias [H] = 0 unless no_cell_norm. State [h, c]; output h'.
#include <math.h>

#include "cell_impl.h"

// LN(z; γ) over the last axis of [N, blocks*H] z, per block.
static rc_var layer_norm(rc_var z, rc_var gain, int blocks, float eps) {
    if (!rc_ok(z))
        return z;
    const rc_shape s = rc_shape_of(z);
    rc_var y = rc_reshape(z, RC_SHAPE(s.dim[0], blocks, s.dim[1] / blocks));
    rc_var d = rc_sub(y, rc_mean(y, -1, true));
    rc_var inv_std = rc_pow(rc_shift(rc_mean(rc_square(d), -1, true), eps), -0.5f);
    return rc_mul(rc_reshape(rc_mul(d, inv_std), s), gain);
}

static int blocks(const rc_ln_lstm_params *p) {
    return p->per_gate ? 4 : 1;
}

static rc_var project(const rc_cell_ctx *c, rc_var x) {
    const rc_ln_lstm_params *p = c->cell->params;
    rc_var wx = rc_matmul_nt(x, rc_cell_use(c, p->weight_ih));
    if (p->gates == RC_LN_LSTM_SEPARATE)
        wx = layer_norm(wx, rc_cell_use(c, p->ln_ih_gain), blocks(p), p->eps);
    return p->gates == RC_LN_LSTM_JOINT ? wx : rc_add(wx, rc_cell_use(c, p->bias));
}

static rc_var step(const rc_cell_ctx *c, rc_var xp, const rc_var *prev, rc_var *next) {
    const rc_ln_lstm_params *p = c->cell->params;
    rc_var uh = rc_matmul_nt(prev[0], rc_cell_use(c, p->weight_hh));
    if (p->gates == RC_LN_LSTM_SEPARATE)
        uh = layer_norm(uh, rc_cell_use(c, p->ln_hh_gain), blocks(p), p->eps);
    rc_var a = rc_add(xp, uh);
    if (p->gates == RC_LN_LSTM_JOINT)
        a = rc_add(layer_norm(a, rc_cell_use(c, p->ln_gain), blocks(p), p->eps),
                   rc_cell_use(c, p->bias));
    rc_var ifgo[4];
    rc_split(a, 1, 4, ifgo);
    rc_var i = rc_sigmoid(ifgo[0]), f = rc_sigmoid(ifgo[1]);
    rc_var g = rc_tanh(ifgo[2]), o = rc_sigmoid(ifgo[3]);
    next[1] = rc_add(rc_mul(f, prev[1]), rc_mul(i, g));
    rc_var cn = next[1];
    if (p->ln_c_gain)
        cn = rc_add(layer_norm(cn, rc_cell_use(c, p->ln_c_gain), 1, p->eps),
                    rc_cell_use(c, p->ln_c_bias));
    next[0] = rc_mul(o, rc_tanh(cn));
    return next[0];
}

// Which normalisations are on, as conditions of the weight table.
enum { SEPARATE = RC_WHEN_OWN(0), JOINT = RC_WHEN_OWN(1), CELL_NORM = RC_WHEN_OWN(2) };

#define AT(field) RC_WEIGHT_AT(rc_ln_lstm_params, field)
static const rc_weight_spec weights[] = {
    {AT(weight_ih), .rows = {.h = 4}, .cols = {.i = 1}},
    {AT(weight_hh), .rows = {.h = 4}, .cols = {.h = 1}},
    {AT(bias), .rows = {.h = 4}, .start = RC_START_ZERO},
    {AT(ln_ih_gain), .rows = {.h = 4}, .start = RC_START_ONE, .when = SEPARATE},
    {AT(ln_hh_gain), .rows = {.h = 4}, .start = RC_START_ONE, .when = SEPARATE},
    {AT(ln_gain), .rows = {.h = 4}, .start = RC_START_ONE, .when = JOINT},
    {AT(ln_c_gain), .rows = {.h = 1}, .start = RC_START_ONE, .when = CELL_NORM},
    {AT(ln_c_bias), .rows = {.h = 1}, .start = RC_START_ZERO, .when = CELL_NORM},
};

static const rc_cell_layout layout = {RC_CELL_LAYOUT(2, step, project, weights),
                                      .opts_name = "rc_ln_lstm_opts"};

static rc_status init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                      size_t err_len) {
    const rc_ln_lstm_opts *o = opts;
    if (rc_cell_check(cell,
                      o && o->dim_hidden > 0 && (int)o->gates >= (int)RC_LN_LSTM_SEPARATE &&
                          (int)o->gates <= (int)RC_LN_LSTM_NONE && o->eps >= 0 && !isinf(o->eps),
                      err, err_len,
                      "needs rc_ln_lstm_opts with dim_hidden > 0, gates SEPARATE, JOINT or NONE "
                      "and a finite eps >= 0, got dim_hidden %lld, gates %d, eps %g",
                      o ? (long long)o->dim_hidden : 0LL, o ? (int)o->gates : 0,
                      o ? (double)o->eps : 0.0) ||
        rc_cell_setup(cell, &layout, opts, err, err_len))
        return RC_ERR_ARG;
    rc_ln_lstm_params *p = cell->params;
    p->gates = o->gates;
    p->per_gate = o->per_gate;
    p->eps = o->eps > 0 ? o->eps : 1e-5f;
    const unsigned when = (o->gates == RC_LN_LSTM_SEPARATE ? SEPARATE : 0u) |
                          (o->gates == RC_LN_LSTM_JOINT ? JOINT : 0u) |
                          (o->no_cell_norm ? 0u : CELL_NORM);
    return rc_cell_add_weights(cell, ps, rng, weights, layout.n_weights, when, err, err_len);
}

static rc_status forget_bias(rc_cell *cell, float value, char *err, size_t err_len) {
    return rc_cell_fill_bias_block(cell, "bias", 1, value, err, err_len);
}

RC_CELL_TYPE_WITH_INIT(rc_ln_lstm_cell_type, "ln_lstm", "layer-normalised LSTM of Ba et al. 2016",
                       rc_ln_lstm_params, rc_ln_lstm_opts, init, layout, forget_bias);
