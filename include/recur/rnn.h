// recur: the recurrent cell interface, the PyTorch-compatible cells (RNN, LSTM, GRU) and the
// runners that work for any cell (unroll, stacked, bidirectional, variable lengths, TBPTT).
//
// A cell is a step function of public ops plus the parameters it reads; it has no backward code.
// Runners call the step once per time step and own everything around it: initial states,
// direction, padding of variable-length batches, stacking, dropout between layers and the hooks
// through which regularisers (variational dropout, zoneout, weight drop) reach any cell.
// docs/rnn.md walks through writing a cell.
#ifndef RECUR_RNN_H
#define RECUR_RNN_H

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RC_CELL_MAX_STATE 4    // state tensors per cell (h; h, c; ...)
#define RC_CELL_MAX_WEIGHTS 16 // parameters per cell

typedef struct rc_cell rc_cell;
typedef struct rc_cell_ctx rc_cell_ctx;
typedef struct rc_rnn_hooks rc_rnn_hooks;

// ---- the cell interface -----------------------------------------------------------------------

// One time step. x is the step's input [B,I], or [B,P] when the cell has a `project` function
// (then x is project(x_t)). prev[k] is state k [B,state_dim[k]]; the step writes next[k] for every
// k < n_state and returns the step's output [B,dim_out] (for most cells the new h, next[0]).
// Parameters are read through rc_cell_use(c, p), never rc_use, so that hooks can transform them.
typedef rc_var (*rc_cell_step_fn)(const rc_cell_ctx *c, rc_var x, const rc_var *prev, rc_var *next);
// Optional input projection, the part of a step that does not depend on the state: x [N,I] ->
// [N,P]. Runners apply it to all T steps at once ([T*B,I], one GEMM) and hand each step its rows.
typedef rc_var (*rc_cell_project_fn)(const rc_cell_ctx *c, rc_var x);

// ---- a cell's weights as a table --------------------------------------------------------------
// A cell type declares its weights as rows of rc_weight_spec, added in order by
// rc_cell_add_weights, and its sizes and functions as an rc_cell_layout; rc_cell_init_layout is
// then its whole init. docs/rnn.md "Writing a cell" walks through one.

// A length in multiples of the cell's sizes: h*H + i*I + out*dim_out. {0} is no length (a row with
// cols {0} is a vector [rows]).
typedef struct rc_weight_dim {
    int h, i, out;
} rc_weight_dim;

// How a weight starts. Every start but RC_START_DEFAULT and RC_START_UNIFORM draws nothing from
// the rng, so rows with them do not move the draws of the rows after them.
typedef enum rc_weight_start {
    RC_START_DEFAULT = 0, // U(-1/sqrt(H), 1/sqrt(H)), PyTorch's default
    RC_START_UNIFORM,     // U(-value, value)
    RC_START_ZERO,        // zeros
    RC_START_ONE,         // ones (layer-norm gains)
} rc_weight_start;

// The conditions a row may need (its `when`: every bit set there must hold; 0: always). The
// caller of rc_cell_add_weights says which hold; rc_cell_when gives the ones read from the
// options and sizes, and a type's own init adds RC_WHEN_PROJ or bits of its own.
enum {
    RC_WHEN_BIAS = 1u << 0,   // biases are on: the options' no_bias (rc_cell_layout.no_bias) unset
    RC_WHEN_I_IS_H = 1u << 1, // dim_in == dim_hidden
    RC_WHEN_I_NOT_H = 1u << 2,
    RC_WHEN_PROJ = 1u << 3, // the cell projects its output (the LSTM's proj_size > 0)
};
// Bit k (0..7) of a type's own conditions (the layer-normalised LSTM's placements).
#define RC_WHEN_OWN(k) (1u << (8 + (k)))

// One weight: its role (the name between the cell's prefix and suffix), where its rc_param *
// goes (offsetof into the type's params struct), its shape, how it starts, and when it exists.
typedef struct rc_weight_spec {
    const char *role; // "weight_ih"
    size_t dest;      // offsetof(params struct, field of type rc_param *)
    rc_weight_dim rows, cols;
    rc_weight_start start;
    float value; // the bound of RC_START_UNIFORM
    unsigned when;
} rc_weight_spec;

// The designators of a row's role and destination, for a weight whose role is its field's name:
// {RC_WEIGHT_AT(rc_gru_params, weight_ih), .rows = {.h = 3}, .cols = {.i = 1}}.
#define RC_WEIGHT_AT(params_t, field) .role = #field, .dest = offsetof(params_t, field)

// What the generic init needs besides the table: the states, the functions and the options'
// no_bias. Write it as {RC_CELL_LAYOUT(n_state, step, project, table), more fields}.
typedef struct rc_cell_layout {
    int n_state;                    // 1 for [h], 2 for [h, c], ...
    int state_h[RC_CELL_MAX_STATE]; // width of state k in multiples of H; 0 reads as 1
    rc_cell_step_fn step;           // required
    rc_cell_project_fn project;     // may be NULL
    const rc_weight_spec *weights;  // for rc_cell_init_layout; may be NULL for an own init
    int n_weights;
    const char *opts_name; // the options struct, for messages; NULL: "options"
    size_t no_bias;        // offsetof(opts, bool no_bias), or 0 for no such option
} rc_cell_layout;
// The designators of a layout's first fields, the table's length counted from its array.
#define RC_CELL_LAYOUT(n_state_, step_, project_, table)                                           \
    .n_state = (n_state_), .step = (step_), .project = (project_), RC_CELL_WEIGHTS(table)
// The designators of a weight table and its length.
#define RC_CELL_WEIGHTS(table)                                                                     \
    .weights = (table), .n_weights = (int)(sizeof(table) / sizeof((table)[0]))

// What a cell type provides to rc_cell_new: the size of its parameter struct and an init that
// checks `opts` (the type's own options struct), sets n_state, dim_hidden, dim_out, state_dim,
// step and project, and creates the parameters (rc_cell_add_weights from a table, or
// rc_cell_add_weight one by one); rc_cell_init_layout is such an init for a type with a layout.
// On entry, cell->dim_in, prefix, suffix and params (params_size zeroed bytes) are set. Errors: a
// message into err.
typedef struct rc_cell_type {
    const char *name; // "lstm", "gru", "mgu", ...
    size_t params_size;
    rc_status (*init)(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng, char *err,
                      size_t err_len);
    // For tools that pick a cell by name (rc_cell_type_find, the `recur` command line); a type used
    // only from C may leave them 0. opts_size: the size of the options struct, which must begin
    // with `int64_t dim_hidden` and take zeroed fields as its defaults (rc_cell_opts_init).
    size_t opts_size;
    const char *summary; // one line for listings
    // Optional: sets the forget gate's bias to value after init (Jozefowicz et al. 2015's
    // forget-gate bias of 1); NULL for a type without a forget gate. See rc_cell_fill_bias_block.
    rc_status (*set_forget_bias)(rc_cell *cell, float value, char *err, size_t err_len);
    // The type's states, functions and weight table, for rc_cell_init_layout and rc_cell_setup;
    // NULL for a type whose init does everything itself.
    const rc_cell_layout *layout;
} rc_cell_type;

struct rc_cell {
    const rc_cell_type *type;
    const char *prefix, *suffix; // parameter names are prefix + role + suffix (owned by the cell)
    int n_state;                 // number of state tensors (1 for h; 2 for h, c)
    int64_t dim_in;              // I
    int64_t dim_hidden;          // H
    int64_t dim_out;             // width of the output (H, or the projection size)
    int64_t state_dim[RC_CELL_MAX_STATE];
    rc_cell_step_fn step;
    rc_cell_project_fn project; // NULL: the step reads x_t itself
    // Every parameter the cell reads, in creation order: runners bind them once per sequence and
    // hooks see them by index (rc_param_name tells which is which).
    int n_weights;
    rc_param *weight[RC_CELL_MAX_WEIGHTS];
    void *params; // the cell type's own parameter struct (for example rc_lstm_params)
};

// Creates a cell of `type` whose parameters are added to ps as prefix + role + suffix
// ("enc." + "weight_ih" + "_l0"), initialised from rng (rng NULL: parameters start at zero, for
// a caller that loads weights). prefix and suffix may be NULL (""). The
// cell is freed with rc_cell_free; its parameters belong to ps. RC_ERR_ARG for bad options or a
// name already in ps, with a message in err (may be NULL). Parameters added before an error stay
// in ps.
RC_API rc_status rc_cell_new(rc_cell **out, const rc_cell_type *type, const void *opts,
                             int64_t dim_in, rc_params *ps, const char *prefix, const char *suffix,
                             rc_rng *rng, char *err, size_t err_len);
RC_API void rc_cell_free(rc_cell **cell);

// For a type's init: adds the parameter prefix + role + suffix of `shape`, filled from
// U(-bound, bound) drawn from rng (bound 0 or rng NULL: zeros), and appends it to cell->weight.
// RC_ERR_ARG (with a message) when the name is taken or the cell has RC_CELL_MAX_WEIGHTS weights
// already.
RC_API rc_status rc_cell_add_weight(rc_cell *cell, rc_params *ps, const char *role, rc_shape shape,
                                    float bound, rc_rng *rng, rc_param **out, char *err,
                                    size_t err_len);

// Adds the rows of specs[n] whose `when` bits are all in `when`, in order, as rc_cell_add_weight
// does (rows sized from cell->dim_hidden, dim_in, dim_out), storing each rc_param * at
// cell->params + dest. Returns the first error, its message naming the type and the role:
// RC_ERR_ARG for a row with no role, a dest outside the type's params_size, or a shape with a
// length < 0 or rows 0, and what rc_cell_add_weight returns.
RC_API rc_status rc_cell_add_weights(rc_cell *cell, rc_params *ps, rc_rng *rng,
                                     const rc_weight_spec *specs, int n, unsigned when, char *err,
                                     size_t err_len);
// For an init: checks that opts is non-NULL with dim_hidden > 0 (RC_ERR_ARG "<type>: needs
// <opts_name> with dim_hidden > 0, got ..."), then sets from layout n_state, dim_hidden, dim_out
// (H), state_dim, step and project. RC_ERR_ARG when layout is NULL or has no step.
RC_API rc_status rc_cell_setup(rc_cell *cell, const rc_cell_layout *layout, const void *opts,
                               char *err, size_t err_len);
// The conditions that hold for a cell set up from layout and opts: RC_WHEN_BIAS unless the
// options' no_bias is set, and RC_WHEN_I_IS_H or RC_WHEN_I_NOT_H.
RC_API unsigned rc_cell_when(const rc_cell *cell, const rc_cell_layout *layout, const void *opts);
// For an init's own rules: RC_OK when ok; else RC_ERR_ARG with "<type>: " and the formatted
// message in err.
RC_API rc_status rc_cell_check(const rc_cell *cell, bool ok, char *err, size_t err_len,
                               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
// An init from a layout: rc_cell_setup, then rc_cell_add_weights of the layout's table under
// rc_cell_when. The built-in types' inits are this with their own layout, so a type that wraps
// a built-in's init (and has no layout of its own) keeps working.
RC_API rc_status rc_cell_init_from(rc_cell *cell, const rc_cell_layout *layout, const void *opts,
                                   rc_params *ps, rc_rng *rng, char *err, size_t err_len);
// The whole init of a type whose rc_cell_type.layout is set: rc_cell_init_from that layout.
// RC_ERR_ARG when the type has no layout.
RC_API rc_status rc_cell_init_layout(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng,
                                     char *err, size_t err_len);

// Defines the cell type `var` from a layout the way the built-in types are: a static init that
// passes the layout itself (so a type wrapping that init keeps working) and the rc_cell_type with
// .layout set. forget_bias_: the type's set_forget_bias, or NULL.
#define RC_CELL_TYPE_FROM_LAYOUT(var, name_, summary_, params_t, opts_t, layout_, forget_bias_)    \
    static rc_status var##_init(rc_cell *cell, const void *opts, rc_params *ps, rc_rng *rng,       \
                                char *err, size_t err_len) {                                       \
        return rc_cell_init_from(cell, &(layout_), opts, ps, rng, err, err_len);                   \
    }                                                                                              \
    const rc_cell_type var = {.name = (name_),                                                     \
                              .params_size = sizeof(params_t),                                     \
                              .init = var##_init,                                                  \
                              .opts_size = sizeof(opts_t),                                         \
                              .summary = (summary_),                                               \
                              .set_forget_bias = (forget_bias_),                                   \
                              .layout = &(layout_)}

// The weight of `role` ("weight_hh", "bias_ih", ...: its name without the cell's prefix and
// suffix), or NULL when the cell has none.
RC_API rc_param *rc_cell_weight(const rc_cell *cell, const char *role);
// For a type's set_forget_bias: sets rows [block*H, (block+1)*H) of the cell's weight `role`
// (a bias of n*H entries, H = dim_hidden) to value. RC_ERR_NOTFOUND (with a message) when the cell
// has no such weight (for example with no_bias), RC_ERR_RANGE when the block is outside it.
RC_API rc_status rc_cell_fill_bias_block(rc_cell *cell, const char *role, int block, float value,
                                         char *err, size_t err_len);
// Calls the type's set_forget_bias. RC_ERR_ARG with a message naming the type when it has none.
RC_API rc_status rc_cell_set_forget_bias(rc_cell *cell, float value, char *err, size_t err_len);

// ---- cell types by name -----------------------------------------------------------------------
// A registry of every cell type: the 20 built-in ones (rnn, lstm, gru and the variants of
// cells.h) in a fixed order, then those registered at run time (plugins), in order of
// registration. Registration is not thread-safe: register before starting threads that look up.

// The type called name, or NULL (also for a NULL name).
RC_API const rc_cell_type *rc_cell_type_find(const char *name);
RC_API int rc_cell_type_count(void);
RC_API const rc_cell_type *rc_cell_type_at(int i); // NULL outside [0, count)
// Adds a type (not copied: it must outlive its use). RC_ERR_ARG with a message when the name is
// empty, taken, or not made of [a-z0-9_], or when init or opts_size (>= sizeof(int64_t)) is
// missing; RC_ERR_NOMEM.
RC_API rc_status rc_cell_type_register(const rc_cell_type *type, char *err, size_t err_len);
// Forgets the types registered at run time (the built-in ones stay).
RC_API void rc_cell_type_unregister_all(void);

// The largest options struct rc_cell_opts_init fills for a registered type.
#define RC_CELL_OPTS_MAX 256
// Default options of `type` with dim_hidden set, into opts[cap] (zeroed, then dim_hidden): for
// rc_cell_new or rc_rnn_config.cell_opts of a type found by name. RC_ERR_ARG with a message when
// the type has no opts_size, opts_size > cap, or dim_hidden <= 0.
RC_API rc_status rc_cell_opts_init(const rc_cell_type *type, int64_t dim_hidden, void *opts,
                                   size_t cap, char *err, size_t err_len);

// ---- running a cell ---------------------------------------------------------------------------

// What a step sees besides its input and state: the graph, the cell, where the runner is, and the
// cell's parameters bound for this sequence (after any weight hook).
struct rc_cell_ctx {
    rc_graph *g;
    const rc_cell *cell;
    int64_t batch; // B
    int t;         // the step's time index in input order (the reverse direction counts down)
    int layer;     // 0 for a lone rc_rnn_unroll
    int dir;       // 0 forward, 1 reverse
    rc_var weight[RC_CELL_MAX_WEIGHTS]; // leaves for cell->weight[k], maybe transformed
};

// Binds a cell for one sequence in g: rc_use on every weight, then the hooks' weight function
// (hooks may be NULL). Runners do this; call it yourself to drive cell->step by hand.
RC_API void rc_cell_begin(rc_cell_ctx *c, rc_graph *g, const rc_cell *cell, int64_t batch,
                          const rc_rnn_hooks *hooks, int layer, int dir);
// The leaf a step reads for parameter p: the bound one when p is one of the cell's weights,
// rc_use(g, p) otherwise; RC_NONE when p is NULL (an absent bias), which rc_linear accepts.
RC_API rc_var rc_cell_use(const rc_cell_ctx *c, rc_param *p);

// Hooks let a regulariser change what a runner does around every step of every cell, with no
// change to the cells. Any function may be NULL. Called in this order for each layer and
// direction of a sequence: begin, weight (k = 0..n_weights-1); then for every step t: input,
// state_in, the cell's step, state_out, output. `user` is passed back unchanged.
struct rc_rnn_hooks {
    void *user;
    // Once per sequence, layer and direction, before anything else (draw per-sequence masks);
    // c->weight is not bound yet.
    void (*begin)(void *user, const rc_cell_ctx *c);
    // Once per sequence for weight k: returns what the steps read instead of w (weight drop:
    // w times a mask drawn per sequence). Must keep w's shape.
    rc_var (*weight)(void *user, const rc_cell_ctx *c, int k, rc_var w);
    // The step's input x_t [B,I] before the cell (and its projection) sees it. With the fused
    // projection this runs for every t before the first step.
    rc_var (*input)(void *user, const rc_cell_ctx *c, rc_var x);
    // May replace read[k], the states the step reads (a mask on h_{t-1}); the carried state is
    // not changed.
    void (*state_in)(void *user, const rc_cell_ctx *c, rc_var *read);
    // After the step: may replace next[k], knowing the carried prev[k], and the step's output *y
    // (zoneout mixes next with prev and, for a cell whose output is h, sets *y = next[0]).
    void (*state_out)(void *user, const rc_cell_ctx *c, const rc_var *prev, rc_var *next,
                      rc_var *y);
    // The step's output [B,dim_out], before padded steps are zeroed.
    rc_var (*output)(void *user, const rc_cell_ctx *c, rc_var y);
};

typedef struct rc_unroll_opts {
    bool reverse;           // run t = T-1 down to 0
    const int32_t *lengths; // [B] in [0,T], or NULL: every sequence has T steps
    const rc_rnn_hooks *hooks;
    int layer, dir;           // reported to hooks through rc_cell_ctx
    bool per_step_projection; // project each x_t alone instead of all T steps in one GEMM
} rc_unroll_opts;

// Runs one layer in one direction over xs[T] (each [B,I]) from state0[n_state] (NULL, or any
// entry RC_NONE: zeros; else [B,state_dim[k]]). Writes ys[T] (may be NULL), the outputs in input
// order, and state_n[n_state] (may be NULL), the states after the last step run: for the reverse
// direction that is t = 0. With lengths, steps t >= lengths[b] leave sequence b's state unchanged
// and output zeros, so the reverse direction starts at each sequence's own last element. Padding
// in xs must be finite. opts may be NULL. Returns the graph's status; a bad argument sets the
// graph's error, naming rc_rnn_unroll.
RC_API rc_status rc_rnn_unroll(rc_graph *g, const rc_cell *cell, const rc_var *xs, int T,
                               const rc_var *state0, rc_var *ys, rc_var *state_n,
                               const rc_unroll_opts *opts);

// The same over one time-major tensor x [T,B,I]. With the fused projection the cell projects x
// as it is (no per-step copies); otherwise step t reads rows t of x.
RC_API rc_status rc_rnn_unroll_seq(rc_graph *g, const rc_cell *cell, rc_var x, const rc_var *state0,
                                   rc_var *ys, rc_var *state_n, const rc_unroll_opts *opts);

// ---- stacked, bidirectional layers (torch.nn.RNN / LSTM / GRU) ----------------------------------

typedef struct rc_rnn_config {
    const rc_cell_type *cell; // any cell type: rc_lstm_cell_type, a gating variant, your own
    const void *cell_opts;    // that type's options (rc_lstm_opts, ...)
    int64_t dim_in;           // I of layer 0; layer l > 0 reads D * dim_out
    int num_layers;           // L >= 1
    bool bidirectional;       // D = 2 when set
    float dropout;            // on the outputs of every layer but the last, in training, [0,1)
} rc_rnn_config;

// L*D cells, cells[l*D + d], with PyTorch's parameter names: prefix + "weight_ih_l0",
// "..._l0_reverse", ... (suffix "_l{l}" and "_reverse" for d = 1).
typedef struct rc_rnn {
    rc_rnn_config config;
    int num_dirs; // D
    rc_cell **cells;
} rc_rnn;

// Creates the cells and their parameters in ps. rng NULL: parameters start at zero, for a caller
// that loads weights. RC_ERR_ARG with a message for a bad config.
RC_API rc_status rc_rnn_new(rc_rnn **out, const rc_rnn_config *config, rc_params *ps,
                            const char *prefix, rc_rng *rng, char *err, size_t err_len);
RC_API void rc_rnn_free(rc_rnn **rnn);
RC_API int64_t rc_rnn_dim_out(const rc_rnn *rnn); // D * dim_out of the last layer
// rc_cell_set_forget_bias on every cell (every layer and direction); the first error returned.
RC_API rc_status rc_rnn_set_forget_bias(rc_rnn *rnn, float value, char *err, size_t err_len);

typedef struct rc_rnn_run {
    const int32_t *lengths; // [B] in [0,T], sorted or not; NULL: all T
    // Initial states in PyTorch's layout: state0[k] is [L*D,B,state_dim[k]] (h0, then c0 for an
    // LSTM). NULL, or an entry RC_NONE: zeros.
    const rc_var *state0;
    bool batch_first; // the input tensor is [B,T,I] and the output [B,T,D*H_out]
    bool training;    // enables dropout between layers
    rc_rng *rng;      // draws the dropout masks; needed when training with dropout > 0
    const rc_rnn_hooks *hooks;
    bool per_step_projection; // see rc_unroll_opts
} rc_rnn_run;

typedef struct rc_rnn_result {
    rc_var output; // [T,B,D*H_out] ([B,T,...] when batch_first); RC_NONE from rc_rnn_forward_steps
    // Final states in PyTorch's layout [L*D,B,state_dim[k]] (h_n, c_n): for d = 1 the state
    // after t = 0; for a sequence of length n < T the state after its own last step.
    rc_var state[RC_CELL_MAX_STATE];
    int n_state;
} rc_rnn_result;

// Runs all layers over x, a [T,B,I] tensor ([B,T,I] when run->batch_first). run may be NULL.
// Returns the graph's status; bad arguments set the graph's error, naming rc_rnn_forward.
RC_API rc_status rc_rnn_forward(rc_graph *g, const rc_rnn *rnn, rc_var x, const rc_rnn_run *run,
                                rc_rnn_result *out);
// The same over per-step inputs xs[T] (each [B,I]); ys[T] (may be NULL) receives the last layer's
// per-step outputs [B,D*H_out]; out->output is RC_NONE (batch_first is ignored).
RC_API rc_status rc_rnn_forward_steps(rc_graph *g, const rc_rnn *rnn, const rc_var *xs, int T,
                                      const rc_rnn_run *run, rc_var *ys, rc_rnn_result *out);

// ---- truncated back-propagation through time --------------------------------------------------

// Final states copied out of a graph, to start the next segment's graph without carrying
// gradients across segments. Zero-initialise it ({0}); free with rc_rnn_carry_free.
typedef struct rc_rnn_carry {
    int n_state;
    rc_shape shape[RC_CELL_MAX_STATE];
    float *data[RC_CELL_MAX_STATE];
    size_t cap[RC_CELL_MAX_STATE]; // floats allocated
} rc_rnn_carry;

// Copies the values of state[0..n_state) (for example rc_rnn_result.state) into carry, reusing
// its memory. RC_ERR_ARG for a bad handle, RC_ERR_NOMEM.
RC_API rc_status rc_rnn_carry_save(rc_rnn_carry *carry, const rc_var *state, int n_state);
// Makes leaves in g holding the saved values, for rc_rnn_run.state0 or rc_rnn_unroll's state0:
// writes state0[RC_CELL_MAX_STATE], entries past n_state (all, for an empty carry) RC_NONE, which
// runners read as zeros. The leaves need no gradient, so none flows back into the old segment.
// A NULL carry is an empty one.
RC_API void rc_rnn_carry_load(const rc_rnn_carry *carry, rc_graph *g, rc_var *state0);
// Forgets the saved states (a new sequence starts from zeros); memory is kept.
RC_API void rc_rnn_carry_clear(rc_rnn_carry *carry);
RC_API void rc_rnn_carry_free(rc_rnn_carry *carry);

// ---- the PyTorch-compatible cells -------------------------------------------------------------
// Weights are [out,in] as in PyTorch; default init U(-1/sqrt(H), 1/sqrt(H)) for every parameter.
// Options are zero-initialised to PyTorch's defaults (bias on, tanh, no projection).

// Elman RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh), act tanh or relu.
typedef enum rc_rnn_nonlinearity { RC_RNN_TANH = 0, RC_RNN_RELU } rc_rnn_nonlinearity;
typedef struct rc_rnn_cell_opts {
    int64_t dim_hidden; // H
    rc_rnn_nonlinearity nonlinearity;
    bool no_bias;
} rc_rnn_cell_opts;
typedef struct rc_rnn_cell_params {
    rc_param *weight_ih, *weight_hh; // [H,I], [H,H]
    rc_param *bias_ih, *bias_hh;     // [H], NULL with no_bias
    rc_rnn_nonlinearity nonlinearity;
} rc_rnn_cell_params;
RC_API extern const rc_cell_type rc_rnn_cell_type;

// LSTM with gate blocks [i|f|g|o]: c' = f*c + i*g, h' = o*tanh(c'), then h' = W_hr h' when
// proj_size > 0. State [h, c]: h [B,P or H], c [B,H]; output h'.
typedef struct rc_lstm_opts {
    int64_t dim_hidden; // H
    int64_t proj_size;  // P in [0,H); 0: no projection
    bool no_bias;
} rc_lstm_opts;
typedef struct rc_lstm_params {
    rc_param *weight_ih, *weight_hh; // [4H,I], [4H,P or H]
    rc_param *bias_ih, *bias_hh;     // [4H]
    rc_param *weight_hr;             // [P,H], NULL without projection
} rc_lstm_params;
RC_API extern const rc_cell_type rc_lstm_cell_type;

// GRU with blocks [r|z|n]: r = σ(.), z = σ(.), n = tanh(W_in x + b_in + r*(W_hn h + b_hn)),
// h' = (1-z)*n + z*h.
typedef struct rc_gru_opts {
    int64_t dim_hidden; // H
    bool no_bias;
} rc_gru_opts;
typedef struct rc_gru_params {
    rc_param *weight_ih, *weight_hh; // [3H,I], [3H,H]
    rc_param *bias_ih, *bias_hh;     // [3H]
} rc_gru_params;
RC_API extern const rc_cell_type rc_gru_cell_type;

#ifdef __cplusplus
}
#endif

#endif
