// Private to the library: the layout of graphs, nodes and parameters, shared by graph/, ops/ and
// autograd/. Nothing here is exported.
#ifndef RECUR_GRAPH_IMPL_H
#define RECUR_GRAPH_IMPL_H

#include <stdarg.h>

#include "recur/op.h"

#define RC_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            rc_assert_fail(#cond, __FILE__, __LINE__);                                             \
    } while (0)
_Noreturn void rc_assert_fail(const char *what, const char *file, int line);

// The NULL policy (include/recur/base.h) at a public function's entry, where RC_ASSERT would
// abort on a caller's mistake: a NULL the function needs returns `ret` (RC_ERR_ARG, NULL, 0,
// RC_NONE, ...) with rc_last_error "rc_params_add: name is NULL".
#define RC_NEED(ptr, ret)                                                                          \
    do {                                                                                           \
        if (!(ptr)) {                                                                              \
            rc_set_last_error(RC_ERR_ARG, "%s: %s is NULL", __func__, #ptr);                       \
            return ret;                                                                            \
        }                                                                                          \
    } while (0)
// The same for a handle that must belong to a graph (RC_NONE or a zeroed handle has none).
#define RC_NEED_VAR(v, ret)                                                                        \
    do {                                                                                           \
        if (!(v).g) {                                                                              \
            rc_set_last_error(RC_ERR_ARG, "%s: %s is RC_NONE or an uninitialised handle",          \
                              __func__, #v);                                                       \
            return ret;                                                                            \
        }                                                                                          \
    } while (0)

// ---- arena: chained blocks, never moved, rewound on reset ----------------------------------
typedef struct rc_arena_block rc_arena_block;
typedef struct rc_arena {
    rc_arena_block *head, *cur;
    size_t reserved;
} rc_arena;

void *rc_arena_alloc(rc_arena *a, size_t bytes); // 64-byte aligned; NULL when out of memory
void rc_arena_rewind(rc_arena *a);
void rc_arena_release(rc_arena *a);

// ---- nodes -------------------------------------------------------------------------------------
typedef enum rc_node_kind { RC_NODE_INPUT, RC_NODE_PARAM, RC_NODE_OP } rc_node_kind;

typedef struct rc_node {
    const rc_op_def *op; // NULL for leaves
    const uint32_t *in;  // input node indices (arena)
    const void *attr;    // copy of the op's attributes (arena)
    rc_tensor value;
    float *grad; // NULL until a gradient reaches the node
    rc_opctx ctx;
    const char *name, *scope;
    rc_param *param; // for RC_NODE_PARAM
    int32_t n_in;
    uint8_t kind;
    bool needs_grad;
} rc_node;

#define RC_PAGE_BITS 10
#define RC_PAGE_SIZE (1u << RC_PAGE_BITS)
#define RC_MAX_SCOPE_DEPTH 32

struct rc_graph {
    rc_arena values, grads;
    rc_node **pages;
    uint32_t n_pages, cap_pages;
    uint32_t n_nodes;
    uint32_t gen;
    rc_status status;
    bool grad_enabled, check_finite, backward_done;
    int scope_depth;
    const char *scope_stack[RC_MAX_SCOPE_DEPTH + 1]; // [0] is "" ; full path at each depth
    char errmsg[768];
};

static inline rc_node *rc_node_at(const rc_graph *g, uint32_t idx) {
    return &g->pages[idx >> RC_PAGE_BITS][idx & (RC_PAGE_SIZE - 1)];
}

// Appends a zeroed node; NULL (and sticky RC_ERR_NOMEM) when memory runs out.
rc_node *rc_graph_push_node(rc_graph *g, uint32_t *idx);
rc_var rc_graph_handle(rc_graph *g, uint32_t idx);
rc_var rc_graph_poison(rc_graph *g);
// Checks a handle against its graph; on failure sets the sticky error naming `who`.
bool rc_graph_check_var(rc_graph *g, rc_var v, const char *who, int slot);
// Sets the sticky error (the first one wins). `op` may be NULL; node < 0 means no node.
// The most entries one tensor may hold (2^40 floats, 4 TiB): its byte size, and twice that for
// a value and its gradient, then fit in size_t and int64 without overflow.
#define RC_MAX_NUMEL ((int64_t)1 << 40)
// True when the shape's entry count is known (no int64 overflow) and at most RC_MAX_NUMEL.
bool rc_shape_size_ok(rc_shape s);

void rc_graph_fail(rc_graph *g, rc_status st, const char *op, int64_t node, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
// Allocates a zeroed gradient buffer for node (or returns the parameter's gradient).
float *rc_graph_grad_buffer(rc_graph *g, rc_node *n);
const char *rc_graph_scope(const rc_graph *g);

// ---- parameters ------------------------------------------------------------------------------
struct rc_param {
    char *name;
    rc_tensor value, grad;
    float *state[RC_PARAM_STATE_SLOTS];
    uint8_t *touched; // one byte per row, for row-sparse gradients
    bool dense_touch; // some op wrote a dense gradient since zero_grad
    bool frozen;
    // rc_use cache: the leaf made for this parameter in graph `used_g` at generation `used_gen`.
    const rc_graph *used_g;
    uint32_t used_gen, used_idx;
};

void *rc_aligned_calloc(size_t bytes);
void rc_aligned_free(void *p);

#endif
