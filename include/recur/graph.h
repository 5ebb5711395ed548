// recur: the graph (a tape of nodes in an arena), value handles, leaves, parameters, name scopes,
// sticky errors and DOT export.
#ifndef RECUR_GRAPH_H
#define RECUR_GRAPH_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rc_graph rc_graph;

// A handle to one value recorded in a graph. 16 bytes, passed by value. A handle becomes stale
// at rc_graph_reset; a poisoned handle (idx == RC_VAR_POISON) is what a failed op returns.
typedef struct rc_var {
    rc_graph *g;
    uint32_t idx;
    uint32_t gen;
} rc_var;

#define RC_VAR_POISON UINT32_MAX
// "No value" for optional arguments (a missing bias): a handle with no graph. C and C++.
#ifdef __cplusplus
#define RC_NONE (rc_var{NULL, RC_VAR_POISON, 0})
#else
#define RC_NONE ((rc_var){NULL, RC_VAR_POISON, 0})
#endif

// ---- graph lifetime -------------------------------------------------------------------------

RC_API rc_status rc_graph_new(rc_graph **g);
RC_API void rc_graph_free(rc_graph **g); // accepts NULL and *g == NULL; nulls *g
// Empties the tape and rewinds the arenas (memory kept), clears the error and the backward flag,
// and makes every earlier handle stale. Settings (grad mode, finite check) are kept.
RC_API void rc_graph_reset(rc_graph *g);
RC_API int64_t rc_graph_num_nodes(const rc_graph *g);
RC_API size_t rc_graph_bytes_reserved(const rc_graph *g); // arena memory held, values and grads

// Sticky error: the first failure while building or back-propagating. Later ops return poisoned
// handles until rc_graph_reset. The message names op, node, scope and shapes.
RC_API rc_status rc_graph_status(const rc_graph *g);
RC_API const char *rc_graph_errmsg(const rc_graph *g); // "" when status is RC_OK
// Sets the sticky error from code outside the ops (a layer rejecting its arguments): the message
// reads "who (scope s): ...". The first error wins; st must not be RC_OK (RC_OK is taken as
// RC_ERR_ARG). With g NULL only the thread's last error (rc_last_error) records it.
RC_API void rc_graph_set_error(rc_graph *g, rc_status st, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

// Grad mode: when disabled, new nodes record nothing for backward (inference, evaluation).
// Returns the previous setting so callers can restore it.
RC_API bool rc_graph_set_grad_enabled(rc_graph *g, bool enabled);
RC_API bool rc_graph_grad_enabled(const rc_graph *g);
// Opt-in check: every op's output is scanned; the first NaN or Inf becomes RC_ERR_NONFINITE.
RC_API void rc_graph_set_check_finite(rc_graph *g, bool on);

// Name scopes ("t=3", "layer0/fwd") label nodes and become clusters in DOT. Scopes nest with '/'.
RC_API void rc_scope_push(rc_graph *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
RC_API void rc_scope_pop(rc_graph *g);

// ---- leaves -----------------------------------------------------------------------------------

// A leaf holding a copy of `data` (NULL: zeros) in the graph's arena. No gradient unless
// rc_requires_grad is called on it.
RC_API rc_var rc_input(rc_graph *g, rc_shape shape, const float *data);
RC_API rc_var rc_full(rc_graph *g, rc_shape shape, float value);
RC_API rc_var rc_scalar(rc_graph *g, float value);
// Marks a leaf as needing a gradient (read it with rc_grad after backward). Returns v.
RC_API rc_var rc_requires_grad(rc_var v);
// A leaf that shares v's value but stops gradients (no copy).
RC_API rc_var rc_detach(rc_var v);
// Names a node for DOT and error messages (copied). Returns v.
RC_API rc_var rc_name(rc_var v, const char *name);

// ---- reading values ---------------------------------------------------------------------------

RC_API bool rc_ok(rc_var v); // false for poisoned, stale, foreign or RC_NONE handles
RC_API rc_shape rc_shape_of(rc_var v);
// Borrowed views, valid until rc_graph_reset. A bad handle gives data == NULL.
RC_API rc_tensor rc_value(rc_var v);
// The gradient after rc_backward; data == NULL if no gradient reached v.
RC_API rc_tensor rc_grad(rc_var v);
RC_API float rc_item(rc_var v); // the value of a one-element tensor; NaN for a bad handle

// ---- parameters -------------------------------------------------------------------------------

// A parameter store owns named parameters: value, gradient and optimizer state (64-byte aligned)
// until rc_params_free. Parameters are never moved once added.
typedef struct rc_params rc_params;
typedef struct rc_param rc_param;

RC_API rc_status rc_params_new(rc_params **ps);
RC_API void rc_params_free(rc_params **ps);
// Adds a zero-initialised parameter. RC_ERR_ARG if the name is taken or the shape is empty.
RC_API rc_status rc_params_add(rc_params *ps, const char *name, rc_shape shape, rc_param **out);
RC_API rc_param *rc_params_find(const rc_params *ps, const char *name); // NULL if absent
RC_API int rc_params_count(const rc_params *ps);
RC_API rc_param *rc_params_at(const rc_params *ps, int i); // in order of addition
RC_API void rc_params_zero_grad(rc_params *ps);
RC_API int64_t rc_params_numel(const rc_params *ps); // total number of scalars

RC_API const char *rc_param_name(const rc_param *p);
RC_API rc_tensor rc_param_value(const rc_param *p);
RC_API rc_tensor rc_param_grad(const rc_param *p);
// Optimizer state slot k (k < RC_PARAM_STATE_SLOTS), zeroed on first use, same shape as the value.
#define RC_PARAM_STATE_SLOTS 3
RC_API float *rc_param_state(rc_param *p, int k);
// Rows (first dimension) that received gradient since the last zero_grad: a row-sparse op (an
// embedding gather) marks only the rows it touched; any other op marks all rows.
// Returns NULL when every row counts as touched.
RC_API const uint8_t *rc_param_touched_rows(const rc_param *p);
// For gradients written by hand into rc_param_grad: marks row `row` as touched, as a row-sparse
// op's backward does, or every row when row < 0, as a dense op's does (rc_param_touched_rows then
// returns NULL until zero_grad). RC_ERR_RANGE if row >= the first dimension.
RC_API rc_status rc_param_mark_touched(rc_param *p, int64_t row);
// Frozen parameters get no gradient and are skipped by optimizers.
RC_API void rc_param_set_frozen(rc_param *p, bool frozen);
RC_API bool rc_param_frozen(const rc_param *p);

// A leaf in g whose value and gradient alias p's buffers; made once per graph and reused.
RC_API rc_var rc_use(rc_graph *g, rc_param *p);

// ---- DOT export -------------------------------------------------------------------------------

enum {
    RC_DOT_VALUES = 1u << 0,     // print up to 6 values of each node
    RC_DOT_GRAD_NORMS = 1u << 1, // print the L2 norm of value and gradient
    RC_DOT_NO_SCOPES = 1u << 2,  // do not group scopes into clusters
    // Fill every node that has a gradient by its norm on a heat scale (pale: smallest, dark red:
    // largest, logarithmic between the graph's extremes) instead of by kind; nodes without a
    // gradient stay white. Combine with RC_DOT_GRAD_NORMS to print the norms.
    RC_DOT_GRAD_HEAT = 1u << 3,
    // Draw every innermost scope (one with no scopes inside, such as an unrolled step "t=3") as a
    // single box naming the scope and its node count, with one edge per pair of boxes or nodes
    // linked by the nodes inside. With RC_DOT_GRAD_NORMS the box shows its largest gradient norm.
    RC_DOT_COLLAPSE = 1u << 4,
};
// Writes the graph as Graphviz DOT to `path` (temporary name, then rename). RC_ERR_IO on failure.
RC_API rc_status rc_graph_dump_dot(const rc_graph *g, const char *path, unsigned flags);
// The same text into a caller's FILE-like sink: returns the number of bytes the full text needs
// (like snprintf); writes at most len bytes including the NUL.
RC_API size_t rc_graph_dot_string(const rc_graph *g, unsigned flags, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
