// recur: how an op is defined. Built-in ops and users' custom ops use the same struct and
// rc_apply; every registered op is gradient-checked by the test suite from its rc_op_test.
#ifndef RECUR_OP_H
#define RECUR_OP_H

#include "graph.h"

#ifdef __cplusplus
extern "C" {
#endif

// Per-node context. `saved` is state a forward keeps for its backward (allocate it with
// rc_ctx_alloc). Forward may run again on the same node (replay during gradient checks): it must
// be a pure function of inputs and attributes, and reuse `saved` when it is already set.
typedef struct rc_opctx {
    rc_graph *g;
    void *saved;
    // Backward only: when input 0 is a parameter and the op has RC_OP_ROW_SPARSE, a byte per row
    // of that parameter; set rows[r] = 1 for every row the backward adds into. Otherwise NULL.
    uint8_t *touched_rows;
} rc_opctx;

// Arena memory for saved state; lives until rc_graph_reset. NULL only when memory runs out.
RC_API void *rc_ctx_alloc(rc_opctx *ctx, size_t bytes);

enum {
    RC_OP_ROW_SPARSE = 1u << 0, // backward into input 0 touches only some rows (embedding gather)
};

#define RC_OP_TEST_MAX_IN 4

// How the automatic gradient check exercises an op.
typedef struct rc_op_test {
    int n_in;
    rc_shape shape[RC_OP_TEST_MAX_IN];
    float lo, hi;  // inputs are uniform in [lo, hi] ...
    float min_abs; // ... and at least this far from zero (ops with a kink at 0)
    // Builds the op from test inputs; NULL means rc_apply(op, in, n_in, attr, attr_size).
    rc_var (*build)(rc_graph *g, const rc_var *in);
    const void *attr;
    size_t attr_size;
    float tol; // relative tolerance of the check; 0 means the default (1e-2)
} rc_op_test;

typedef struct rc_op_def {
    const char *name;      // "mul"
    const char *dot_label; // "×"; NULL means name
    int n_in;              // -1: any number >= 1 (concat, stack)
    uint32_t flags;
    uint32_t nondiff; // bit i set: input i gets no gradient (masks, targets)
    // Output shape, or an error: write a message into why (it should name the argument and shapes).
    rc_status (*shape)(const rc_tensor *in, int n_in, const void *attr, rc_shape *out, char *why,
                       size_t why_len);
    void (*forward)(const rc_tensor *in, int n_in, const void *attr, rc_tensor *out, rc_opctx *ctx);
    // Adds (never assigns) into gin[i].data for every input with gin[i].data != NULL.
    void (*backward)(const rc_tensor *in, int n_in, const void *attr, const rc_tensor *out,
                     const rc_tensor *gout, rc_tensor *gin, const rc_opctx *ctx);
    rc_op_test test;
} rc_op_def;

// Validates handles and shapes, allocates the output in the graph's arena, runs forward and
// records a node. attr (attr_size bytes) is copied. On any error: sticky graph error, poisoned
// handle. Inputs must all come from one graph.
RC_API rc_var rc_apply(const rc_op_def *op, const rc_var *in, int n_in, const void *attr,
                       size_t attr_size);

// Copies n items of size bytes into the arena of v's graph (for arrays an attr points to, such
// as token ids). NULL on a bad handle.
RC_API void *rc_graph_copy(rc_graph *g, const void *data, size_t bytes);

// The built-in op registry, in a fixed order.
RC_API int rc_op_count(void);
RC_API const rc_op_def *rc_op_at(int i);
RC_API const rc_op_def *rc_op_find(const char *name);

#ifdef __cplusplus
}
#endif

#endif
