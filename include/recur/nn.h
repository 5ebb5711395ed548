// recur: parameter initialisation and the basic layers (Linear, Embedding, Dropout).
#ifndef RECUR_NN_H
#define RECUR_NN_H

#include "ops.h"

#ifdef __cplusplus
extern "C" {
#endif

// ---- initialisation ---------------------------------------------------------------------------
// Initialisers fill a tensor (usually rc_param_value(p)) in place from an explicit generator, with
// PyTorch's torch.nn.init formulas. Fans follow PyTorch: for a tensor [O, I, k...],
// fan_in = I * prod(k), fan_out = O * prod(k); tensors of fewer than 2 dimensions have no fans.

typedef enum rc_init_kind {
    RC_INIT_ZEROS = 0,
    RC_INIT_CONSTANT,        // every entry = a
    RC_INIT_UNIFORM,         // U(a, b)
    RC_INIT_NORMAL,          // N(mean a, std b)
    RC_INIT_RNN_DEFAULT,     // U(-1/sqrt(H), 1/sqrt(H)) with H = hidden (PyTorch's RNN default)
    RC_INIT_XAVIER_UNIFORM,  // U(-c, c), c = gain * sqrt(6 / (fan_in + fan_out))
    RC_INIT_XAVIER_NORMAL,   // N(0, gain * sqrt(2 / (fan_in + fan_out)))
    RC_INIT_KAIMING_UNIFORM, // U(-c, c), c = sqrt(3) * gain(nonlinearity) / sqrt(fan)
    RC_INIT_KAIMING_NORMAL,  // N(0, gain(nonlinearity) / sqrt(fan))
    RC_INIT_ORTHOGONAL,      // a (semi-)orthogonal matrix [dim0, numel/dim0] times gain
} rc_init_kind;

// The nonlinearity whose gain Kaiming init uses (PyTorch's calculate_gain). LEAKY_RELU is first
// because it is PyTorch's Kaiming default (with slope 0 it is ReLU's gain sqrt(2)).
typedef enum rc_nonlinearity {
    RC_NONLINEARITY_LEAKY_RELU = 0, // sqrt(2 / (1 + slope^2))
    RC_NONLINEARITY_LINEAR,         // 1 (also conv and identity)
    RC_NONLINEARITY_SIGMOID,        // 1
    RC_NONLINEARITY_TANH,           // 5/3
    RC_NONLINEARITY_RELU,           // sqrt(2)
    RC_NONLINEARITY_SELU,           // 3/4
} rc_nonlinearity;

typedef enum rc_fan_mode { RC_FAN_IN = 0, RC_FAN_OUT } rc_fan_mode;

// An initialiser: a kind and its arguments; fields a kind does not name are ignored. Zeroed
// fields are PyTorch's defaults, so (rc_init){.kind = RC_INIT_KAIMING_UNIFORM} is
// torch.nn.init.kaiming_uniform_ with a=0, mode='fan_in', nonlinearity='leaky_relu'.
typedef struct rc_init {
    rc_init_kind kind;
    double a, b;                  // CONSTANT: value a; UNIFORM: [a, b); NORMAL: mean a, std b
    int64_t hidden;               // RNN_DEFAULT: H
    double gain;                  // XAVIER_*, ORTHOGONAL: 0 means 1
    rc_fan_mode mode;             // KAIMING_*
    rc_nonlinearity nonlinearity; // KAIMING_*
    double neg_slope;             // KAIMING_* with LEAKY_RELU: the slope (PyTorch's `a`)
} rc_init;

// Fills t in place. Normal draws use rc_rng_normal, uniform ones rc_rng_uniform, one per entry in
// memory order (orthogonal: a [dim0, numel/dim0] matrix of normals, row-major, then a Householder
// QR in double with R's diagonal made positive, transposed when dim0 < numel/dim0).
// RC_ERR_SHAPE: Xavier, Kaiming or orthogonal on a tensor of fewer than 2 dimensions;
// RC_ERR_ARG: t.data NULL, a > b, a negative std, hidden <= 0, a non-finite argument, an unknown
// kind; RC_ERR_NOMEM: orthogonal's workspace. On error t is left unchanged.
RC_API rc_status rc_init_tensor(rc_tensor t, const rc_init *init, rc_rng *rng);
// The same on a parameter's value.
RC_API rc_status rc_init_param(rc_param *p, const rc_init *init, rc_rng *rng);
// PyTorch's calculate_gain; `param` is the leaky ReLU slope (ignored by the others).
RC_API double rc_init_gain(rc_nonlinearity nl, double param);
// fan_in and fan_out of a shape as above (either may be NULL); RC_ERR_SHAPE for fewer than 2
// dimensions.
RC_API rc_status rc_init_fans(rc_shape s, int64_t *fan_in, int64_t *fan_out);
// Sets the forget-gate block of an LSTM-family bias [4H] laid out [i|f|g|o]: entries [H, 2H) =
// value, the others untouched. RC_ERR_SHAPE unless the bias is 1-D with a length divisible by 4.
RC_API rc_status rc_init_forget_bias(rc_tensor bias, float value);

// ---- layers -----------------------------------------------------------------------------------
// Layers mirror PyTorch's modules: parameters named "<prefix>.weight" / "<prefix>.bias" (prefix
// NULL or "": "weight", "bias"), PyTorch's layouts and default initialisation, so weights move
// between the two with a checkpoint. A layer struct only points into its store; it owns nothing
// and needs no free. Init returns RC_ERR_ARG when a name is taken (nothing is added then),
// RC_ERR_SHAPE for a dimension <= 0.

// Linear: y = x W^T + b, W "<prefix>.weight" [O,I], b "<prefix>.bias" [O] or none; both drawn
// from U(-1/sqrt(I), 1/sqrt(I)) (PyTorch's kaiming_uniform_(a=sqrt(5)) and bias rule), W first.
typedef struct rc_linear_layer {
    rc_param *weight, *bias; // bias NULL without one
    int64_t dim_in, dim_out; // I, O
} rc_linear_layer;

RC_API rc_status rc_linear_layer_init(rc_linear_layer *l, rc_params *ps, const char *prefix,
                                      int64_t dim_in, int64_t dim_out, bool bias, rc_rng *rng);
// x [N,I] or [B,T,I] -> [N,O] or [B,T,O], recorded in g.
RC_API rc_var rc_linear_layer_forward(const rc_linear_layer *l, rc_graph *g, rc_var x);

// Embedding: rows of "<prefix>.weight" [V,D] (N(0,1) at init, PyTorch's default) picked by ids.
// Backward adds only into the rows looked up, so optimizers update only those rows.
typedef struct rc_embedding_opts {
    bool has_padding;
    int64_t padding_idx; // with has_padding: in [-V, V), negative counts from the end; that row
                         // starts at zero and never receives gradient
    float max_norm;      // > 0: a looked-up row whose norm exceeds it is rescaled in place, before
                         // the gather, to max_norm / (norm + 1e-7) times itself (PyTorch's)
    float norm_type;     // p of that norm; 0 means 2
} rc_embedding_opts;

typedef struct rc_embedding_layer {
    rc_param *weight;
    int64_t num_embeddings, dim; // V, D
    int32_t padding_idx;         // in [0, V), or -1 for none
    float max_norm, norm_type;
} rc_embedding_layer;

// opts NULL: no padding, no max_norm. RC_ERR_RANGE: padding_idx outside [-V, V); RC_ERR_ARG: a
// negative or non-finite max_norm, a norm_type < 0, a name taken; RC_ERR_SHAPE: V or D <= 0 or
// V > INT32_MAX.
RC_API rc_status rc_embedding_layer_init(rc_embedding_layer *l, rc_params *ps, const char *prefix,
                                         int64_t num_embeddings, int64_t dim,
                                         const rc_embedding_opts *opts, rc_rng *rng);
// ids (shape S, up to 3 dims, copied) -> S + [D]. An id outside [0, V) is the graph's sticky
// RC_ERR_RANGE (the table is then not renormalised).
RC_API rc_var rc_embedding_layer_forward(const rc_embedding_layer *l, rc_graph *g,
                                         const int32_t *ids, rc_shape ids_shape);

// Dropout: inverted dropout with probability p in training mode, the identity in evaluation
// mode (PyTorch's nn.Dropout); p == 1 gives zeros.
typedef struct rc_dropout_layer {
    float p;
    bool training; // rc_dropout_layer_init sets it; flip it for evaluation
} rc_dropout_layer;

// RC_ERR_ARG unless 0 <= p <= 1. Starts in training mode.
RC_API rc_status rc_dropout_layer_init(rc_dropout_layer *l, float p);
// A fresh mask from rng in training mode (rng unused otherwise).
RC_API rc_var rc_dropout_layer_forward(const rc_dropout_layer *l, rc_var x, rc_rng *rng);

#ifdef __cplusplus
}
#endif

#endif
