// recur: the gating variants of the literature, each a short cell of its own (layers/cells/*.c).
// Every variant is an rc_cell_type: create it with rc_cell_new or use it in rc_rnn_config.cell,
// with a pointer to its options struct (zero-initialised fields are the documented defaults).
// Steps read parameters through rc_cell_use only, so the regularisers of regularize.h reach them.
// Each source file's header comment states the equations exactly; docs/cells.md has the table.
// Weights are [out,in]; every recurrent matrix's name contains "weight_hh" (weight drop's default
// target). Unless a type says otherwise, parameters start from U(-1/sqrt(H), 1/sqrt(H)).
#ifndef RECUR_CELLS_H
#define RECUR_CELLS_H

#include "rnn.h"

#ifdef __cplusplus
extern "C" {
#endif

// ---- GRU of Cho et al. 2014 ---------------------------------------------------------------------
// The reset gate acts before the product with the recurrent weight (PyTorch's GRU: after it):
// r = σ(W_r x + U_r h + b_r), z = σ(W_z x + U_z h + b_z), n = tanh(W_n x + U_n (r*h) + b_n),
// h' = z*h + (1-z)*n. State [h].
typedef struct rc_gru_cho_opts {
    int64_t dim_hidden; // H
    bool no_bias;
} rc_gru_cho_opts;
typedef struct rc_gru_cho_params {
    rc_param *weight_ih;   // [3H,I] blocks [r|z|n]
    rc_param *weight_hh;   // [2H,H] blocks [r|z]
    rc_param *weight_hh_n; // [H,H], reads r*h
    rc_param *bias;        // [3H] blocks [r|z|n]; NULL with no_bias
} rc_gru_cho_params;
RC_API extern const rc_cell_type rc_gru_cho_cell_type;

// ---- the peephole LSTM (Gers et al.) and the eight variants of Greff et al. 2015 ----------------
// Baseline ("vanilla LSTM" of Greff et al.), gate blocks [i|f|g|o]:
//   i = σ(W_i x + R_i h + p_i*c + b_i),  f = σ(W_f x + R_f h + p_f*c + b_f)
//   g = tanh(W_g x + R_g h + b_g),        c' = f*c + i*g
//   o = σ(W_o x + R_o h + p_o*c' + b_o),  h' = o*tanh(c')
// State [h, c] ([h, c, gates] for FGR). Every Greff variant takes rc_peephole_lstm_opts and
// differs from the baseline only as its name says; blocks that a variant drops are absent.
typedef struct rc_peephole_lstm_opts {
    int64_t dim_hidden; // H
} rc_peephole_lstm_opts;

typedef struct rc_peephole_lstm_params {
    rc_param *weight_ih, *weight_hh, *bias;      // [4H,I], [4H,H], [4H], blocks [i|f|g|o]
    rc_param *weight_ci, *weight_cf, *weight_co; // peepholes p_i, p_f, p_o [H]
} rc_peephole_lstm_params;
RC_API extern const rc_cell_type rc_peephole_lstm_cell_type;

// NIG, no input gate: i = 1.
typedef struct rc_lstm_nig_params {
    rc_param *weight_ih, *weight_hh, *bias; // [3H,I], [3H,H], [3H], blocks [f|g|o]
    rc_param *weight_cf, *weight_co;        // [H]
} rc_lstm_nig_params;
RC_API extern const rc_cell_type rc_lstm_nig_cell_type;

// NFG, no forget gate: f = 1.
typedef struct rc_lstm_nfg_params {
    rc_param *weight_ih, *weight_hh, *bias; // [3H,I], [3H,H], [3H], blocks [i|g|o]
    rc_param *weight_ci, *weight_co;        // [H]
} rc_lstm_nfg_params;
RC_API extern const rc_cell_type rc_lstm_nfg_cell_type;

// NOG, no output gate: o = 1.
typedef struct rc_lstm_nog_params {
    rc_param *weight_ih, *weight_hh, *bias; // [3H,I], [3H,H], [3H], blocks [i|f|g]
    rc_param *weight_ci, *weight_cf;        // [H]
} rc_lstm_nog_params;
RC_API extern const rc_cell_type rc_lstm_nog_cell_type;

// NIAF, no input activation function: g = W_g x + R_g h + b_g (no tanh).
typedef struct rc_lstm_niaf_params {
    rc_param *weight_ih, *weight_hh, *bias;      // [4H,I], [4H,H], [4H], blocks [i|f|g|o]
    rc_param *weight_ci, *weight_cf, *weight_co; // [H]
} rc_lstm_niaf_params;
RC_API extern const rc_cell_type rc_lstm_niaf_cell_type;

// NOAF, no output activation function: h' = o*c'.
typedef struct rc_lstm_noaf_params {
    rc_param *weight_ih, *weight_hh, *bias;      // [4H,I], [4H,H], [4H], blocks [i|f|g|o]
    rc_param *weight_ci, *weight_cf, *weight_co; // [H]
} rc_lstm_noaf_params;
RC_API extern const rc_cell_type rc_lstm_noaf_cell_type;

// NP, no peepholes: p_i = p_f = p_o = 0 (absent).
typedef struct rc_lstm_np_params {
    rc_param *weight_ih, *weight_hh, *bias; // [4H,I], [4H,H], [4H], blocks [i|f|g|o]
} rc_lstm_np_params;
RC_API extern const rc_cell_type rc_lstm_np_cell_type;

// CIFG, coupled input and forget gate: f = 1 - i.
typedef struct rc_lstm_cifg_params {
    rc_param *weight_ih, *weight_hh, *bias; // [3H,I], [3H,H], [3H], blocks [i|g|o]
    rc_param *weight_ci, *weight_co;        // [H]
} rc_lstm_cifg_params;
RC_API extern const rc_cell_type rc_lstm_cifg_cell_type;

// FGR, full gate recurrence: the pre-activations of i, f, o also receive R_gates [i|f|o]_{t-1}
// (Greff's nine matrices R_ii .. R_oo as one [3H,3H] weight). State [h, c, gates [B,3H]],
// gates starting from zeros.
typedef struct rc_lstm_fgr_params {
    rc_param *weight_ih, *weight_hh, *bias;      // [4H,I], [4H,H], [4H], blocks [i|f|g|o]
    rc_param *weight_ci, *weight_cf, *weight_co; // [H]
    rc_param *weight_hh_gates;                   // [3H,3H]: rows [i|f|o]_t, columns [i|f|o]_{t-1}
} rc_lstm_fgr_params;
RC_API extern const rc_cell_type rc_lstm_fgr_cell_type;

// ---- MUT1, MUT2, MUT3 of Jozefowicz et al. 2015 -------------------------------------------------
// The three architectures found by their search; state [h]. Where an equation adds x itself to an
// H-wide vector (MUT1's tanh(x), MUT2's r), x is used as is when I == H; otherwise a learned map
// x̂ = W_x x (an extra [H,I] block at the end of weight_ih, no bias) stands in for it, so that the
// cells stack (layer l > 0 reads D*H). Every type takes rc_mut_opts.
typedef struct rc_mut_opts {
    int64_t dim_hidden; // H
} rc_mut_opts;

// z = σ(W_z x + b_z), r = σ(W_r x + U_r h + b_r), h' = z*tanh(U_n (r*h) + tanh(x̂) + b_n) + (1-z)*h
typedef struct rc_mut1_params {
    rc_param *weight_ih;   // [2H,I] blocks [z|r], or [3H,I] blocks [z|r|x̂] when I != H
    rc_param *weight_hh_r; // [H,H]
    rc_param *weight_hh_n; // [H,H], reads r*h
    rc_param *bias;        // [3H] blocks [z|r|n]
} rc_mut1_params;
RC_API extern const rc_cell_type rc_mut1_cell_type;

// z = σ(W_z x + U_z h + b_z), r = σ(x̂ + U_r h + b_r), h' = z*tanh(U_n (r*h) + W_n x + b_n) +
// (1-z)*h
typedef struct rc_mut2_params {
    rc_param *weight_ih;   // [2H,I] blocks [z|n], or [3H,I] blocks [z|n|x̂] when I != H
    rc_param *weight_hh;   // [2H,H] blocks [z|r]
    rc_param *weight_hh_n; // [H,H], reads r*h
    rc_param *bias;        // [3H] blocks [z|n|r]
} rc_mut2_params;
RC_API extern const rc_cell_type rc_mut2_cell_type;

// z = σ(W_z x + U_z tanh(h) + b_z), r = σ(W_r x + U_r h + b_r),
// h' = z*tanh(U_n (r*h) + W_n x + b_n) + (1-z)*h
typedef struct rc_mut3_params {
    rc_param *weight_ih;   // [3H,I] blocks [z|r|n]
    rc_param *weight_hh_z; // [H,H], reads tanh(h)
    rc_param *weight_hh_r; // [H,H]
    rc_param *weight_hh_n; // [H,H], reads r*h
    rc_param *bias;        // [3H] blocks [z|r|n]
} rc_mut3_params;
RC_API extern const rc_cell_type rc_mut3_cell_type;

// ---- minimal gated unit (Zhou et al. 2016) ------------------------------------------------------
// f = σ(W_f x + U_f h + b_f), n = tanh(W_n x + U_n (f*h) + b_n), h' = (1-f)*h + f*n. State [h].
typedef struct rc_mgu_opts {
    int64_t dim_hidden; // H
    bool no_bias;
} rc_mgu_opts;
typedef struct rc_mgu_params {
    rc_param *weight_ih;   // [2H,I] blocks [f|n]
    rc_param *weight_hh;   // [H,H], the forget gate's
    rc_param *weight_hh_n; // [H,H], reads f*h
    rc_param *bias;        // [2H] blocks [f|n]; NULL with no_bias
} rc_mgu_params;
RC_API extern const rc_cell_type rc_mgu_cell_type;

// ---- IndRNN (Li et al. 2018) --------------------------------------------------------------------
// h' = act(W x + u*h + b), one recurrent weight per unit; act relu (default) or tanh. With
// recurrent_max > 0 the step reads clamp(u, -recurrent_max, recurrent_max), and rc_indrnn_clip
// projects the stored u back into that range (call it after each optimizer step, as the paper
// clips). u starts from U(0, 1), or U(0, recurrent_max) when that is below 1; W and b from
// U(-1/sqrt(H), 1/sqrt(H)).
typedef struct rc_indrnn_opts {
    int64_t dim_hidden;  // H
    bool use_tanh;       // tanh instead of relu
    float recurrent_max; // 0: unconstrained; else > 0
    bool no_bias;
} rc_indrnn_opts;
typedef struct rc_indrnn_params {
    rc_param *weight_ih; // [H,I]
    rc_param *weight_hh; // [H], u
    rc_param *bias;      // [H]; NULL with no_bias
    bool use_tanh;
    float recurrent_max;
} rc_indrnn_params;
RC_API extern const rc_cell_type rc_indrnn_cell_type;
// Clamps the stored u of an IndRNN cell into [-recurrent_max, recurrent_max] (nothing to do when
// recurrent_max is 0). RC_ERR_ARG when cell is NULL or not an IndRNN cell.
RC_API rc_status rc_indrnn_clip(const rc_cell *cell);

// ---- SRU (Lei et al. 2018, the EMNLP version with the highway connection) -----------------------
// x̃ = W x, f = σ(W_f x + v_f*c + b_f), r = σ(W_r x + v_r*c + b_r), c' = f*c + (1-f)*x̃,
// h' = r*act(c') + (1-r)*x_hw with act the identity (default) or tanh and x_hw = α x when I == H,
// else W_hw x (a fourth block). α = sqrt(1 + 2 exp(highway_bias)) (1 with no_rescale). State
// [h, c]: c is the recurrence; h is carried only so that rc_rnn_result reports h_n (the step does
// not read it). Init as the authors' code: W from U(-sqrt(3/I), sqrt(3/I)) with the f and r blocks
// scaled by sqrt(1/2) and W_hw by α; v from U(-sqrt(3/2), sqrt(3/2)); b_f = 0, b_r = highway_bias.
typedef struct rc_sru_opts {
    int64_t dim_hidden; // H
    float highway_bias; // initial b_r (the authors suggest 0 or -1..-3 for deep stacks)
    bool no_rescale;    // α = 1
    bool use_tanh;      // act = tanh (the 2017 version's g)
} rc_sru_opts;
typedef struct rc_sru_params {
    rc_param *weight_ih; // [3H,I] blocks [x̃|f|r], or [4H,I] blocks [x̃|f|r|hw] if I != H
    rc_param *weight_cf, *weight_cr; // v_f, v_r [H]
    rc_param *bias_f, *bias_r;       // [H]
    float alpha;
    bool use_tanh;
} rc_sru_params;
RC_API extern const rc_cell_type rc_sru_cell_type;

// ---- layer-normalised LSTM (Ba et al. 2016) -----------------------------------------------------
// LN(z; γ) = γ*(z - mean(z))/sqrt(var(z) + eps) over the last axis (each of the 4 gate blocks
// separately with per_gate). Gate pre-activations, blocks [i|f|g|o]:
//   SEPARATE (Ba et al.):  a = LN(W_ih x; γ_ih) + LN(W_hh h; γ_hh) + b
//   JOINT:                 a = LN(W_ih x + W_hh h; γ) + b
//   NONE:                  a = W_ih x + W_hh h + b
// then i, f, o = σ(.), g = tanh(.), c' = f*c + i*g, h' = o*tanh(LN(c'; γ_c) + β_c) (no LN on c'
// with no_cell_norm). Ba's per-LN biases β are folded into the one b. State [h, c]. Gains start
// at 1, b and β_c at 0, weights from U(-1/sqrt(H), 1/sqrt(H)).
typedef enum rc_ln_lstm_norm {
    RC_LN_LSTM_SEPARATE = 0,
    RC_LN_LSTM_JOINT,
    RC_LN_LSTM_NONE,
} rc_ln_lstm_norm;
typedef struct rc_ln_lstm_opts {
    int64_t dim_hidden; // H
    rc_ln_lstm_norm gates;
    bool per_gate;     // statistics per gate block (H) instead of over all 4H
    bool no_cell_norm; // no LN on c' before the output tanh
    float eps;         // 0: 1e-5
} rc_ln_lstm_opts;
typedef struct rc_ln_lstm_params {
    rc_param *weight_ih, *weight_hh, *bias; // [4H,I], [4H,H], [4H]
    rc_param *ln_ih_gain, *ln_hh_gain;      // [4H], SEPARATE only
    rc_param *ln_gain;                      // [4H], JOINT only
    rc_param *ln_c_gain, *ln_c_bias;        // [H]; NULL with no_cell_norm
    rc_ln_lstm_norm gates;
    bool per_gate;
    float eps;
} rc_ln_lstm_params;
RC_API extern const rc_cell_type rc_ln_lstm_cell_type;

#ifdef __cplusplus
}
#endif

#endif
