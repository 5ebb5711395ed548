// recur: status codes, shapes, tensors, the random number generator and the thread setting.
// Every other public header builds on this one. Only C standard headers are included.
//
// NULL policy (every public function):
// - A NULL where a pointer is required: the function returns RC_ERR_ARG (or the status its header
//   names, as rc_safetensors_read's RC_ERR_SHAPE for a NULL buffer) and, where it takes
//   `char *err`, writes a message naming the function and the argument. A graph function given
//   a NULL where it needs a pointer sets the graph's sticky error instead.
// - Every `_free` function accepts NULL (and a pointer to NULL).
// - An options pointer (`const rc_*_opts *`) documented as optional may be NULL: the defaults.
//   In text.h and embed.h every options pointer is optional. So may outputs and carries documented
//   as optional (rc_init_fans's fans, a load report, an rc_rnn_carry).
// - Getters given a NULL object return 0, -1, false or NULL; setters do nothing.
// - Ops given RC_NONE, a zeroed, stale, foreign or poisoned handle return a poisoned handle and
//   never crash; the error is recorded in the graph of another input. With no graph at all (every
//   input RC_NONE) the result is RC_NONE, and rc_backward of it returns RC_ERR_ARG.
// - Functions without an err buffer, and graph functions given no graph at all, say why in
//   rc_last_error(): "rc_params_add: name is NULL".
#ifndef RECUR_BASE_H
#define RECUR_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define RC_API
#else
#define RC_API __attribute__((visibility("default")))
#endif

#define RC_MAX_DIMS 4

typedef enum rc_status {
    RC_OK = 0,
    RC_ERR_SHAPE,     // shapes do not fit the op; rc_backward of a loss of more than one element
    RC_ERR_RANGE,     // an index, id, axis or probability out of range
    RC_ERR_ARG,       // an argument that makes no sense (count <= 0, NULL data where needed)
    RC_ERR_STALE,     // a handle from before rc_graph_reset
    RC_ERR_FOREIGN,   // a handle from another graph
    RC_ERR_NONFINITE, // NaN or Inf under the opt-in finite check
    RC_ERR_STATE,     // call out of order (a second backward on one graph)
    RC_ERR_NOMEM,
    RC_ERR_IO,       // a file could not be opened, read or written
    RC_ERR_FORMAT,   // a file's contents are malformed
    RC_ERR_NOTFOUND, // a name that does not exist
} rc_status;

// A short constant name for a status ("shape error", "stale handle", ...).
RC_API const char *rc_status_str(rc_status st);

// Why the last failing call failed, on the calling thread: every function that returns an error
// status records its message here ("rc_bm25_new: k1 must be >= 0, got -1"), those with an err
// buffer write the same text there too, and graph errors copy their rc_graph_errmsg. "" before
// the first error. A successful call leaves it as it was, as errno does; the text stays valid
// until the next error on this thread.
RC_API const char *rc_last_error(void);
// Records a message as the calling thread's last error and returns st, so user code (a cell type,
// a plugin, a loader) reports the way the library does: `return rc_set_last_error(RC_ERR_ARG,
// "my_cell: hidden must be > 0, got %d", h);`.
RC_API rc_status rc_set_last_error(rc_status st, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

// Shape in numpy order: dim[ndim-1] is contiguous. ndim 0 is a scalar with one element.
typedef struct rc_shape {
    int32_t ndim;
    int64_t dim[RC_MAX_DIMS];
} rc_shape;

// A contiguous f32 tensor view. `n` is the number of elements. Who owns `data` is said by the
// function that returns the view.
typedef struct rc_tensor {
    float *data;
    rc_shape shape;
    int64_t n;
} rc_tensor;

// rc_shape_make(2, (int64_t[]){B, H}); the macro RC_SHAPE(B, H) counts the dimensions for you.
// C and C++ alike: C++, which has no compound literals, gets RC_SHAPE through the inline template
// rc_shape_dims(B, H) and RC_SCALAR_SHAPE as rc_shape{0, {0}} (end of this header). An ndim
// outside 0..RC_MAX_DIMS gives ndim -1, a shape every leaf and op rejects (rc_last_error says why).
RC_API rc_shape rc_shape_make(int ndim, const int64_t *dims);
#ifndef __cplusplus
#define RC_SHAPE(...)                                                                              \
    rc_shape_make((int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)),                       \
                  (int64_t[]){__VA_ARGS__})
#define RC_SCALAR_SHAPE ((rc_shape){0, {0}})
#endif
// The number of entries (1 for a scalar); -1 when the product of the dims overflows int64.
RC_API int64_t rc_shape_numel(rc_shape s);
RC_API bool rc_shape_eq(rc_shape a, rc_shape b);
// Writes "[32,128]" into buf (always NUL-terminated); returns buf.
RC_API char *rc_shape_str(rc_shape s, char *buf, size_t len);

// A small, fast, seedable generator (xoshiro256**, seeded through splitmix64): the same seed gives
// the same numbers on every machine. Each user of randomness owns its rc_rng; there is no global.
typedef struct rc_rng {
    uint64_t s[4];
} rc_rng;

RC_API void rc_rng_seed(rc_rng *r, uint64_t seed);
RC_API uint64_t rc_rng_u64(rc_rng *r);
RC_API uint32_t rc_rng_below(rc_rng *r, uint32_t n); // uniform integer in [0, n), unbiased
RC_API double rc_rng_uniform(rc_rng *r);             // uniform in [0, 1), 53 bits
RC_API double rc_rng_normal(rc_rng *r);              // standard normal (Box-Muller)
// A generator derived from r for a sub-stream (for example one per thread), r advances once.
RC_API rc_rng rc_rng_split(rc_rng *r);

// Threads used inside kernels (OpenMP and oneDNN). Default: what OpenMP reports at start. Results
// are the same bits with any count. Leave libgomp's wait policy at its default (idle workers spin
// between kernels): with OMP_WAIT_POLICY=passive each parallel kernel waits for a sleeping thread,
// which costs recurrent layers more than the second thread gains (bench/README.md, "rnn").
RC_API void rc_set_num_threads(int n);
RC_API int rc_get_num_threads(void);
// Adaptive threads (on by default): each parallel kernel times its threads, and while a team of
// several saves too little (another job holds a core, so a team thread waits for its time slice),
// the calling thread runs its kernels on one thread for a back-off of 0.5 s, doubling up to 8 s
// while it keeps failing. Same bits either way. Off: always rc_get_num_threads() threads. The
// environment variable RECUR_ADAPTIVE_THREADS=0 turns it off unless the program calls this.
RC_API void rc_set_adaptive_threads(bool on);

#ifdef __cplusplus
}

// The C++ forms of RC_SHAPE and RC_SCALAR_SHAPE (a template cannot have C linkage, hence
// extern "C++", which also holds when this header is included inside an extern "C" block).
extern "C++" {
// rc_shape_dims(B, H): the shape [B,H]; any integer types, up to RC_MAX_DIMS of them.
template <typename... Dims> inline rc_shape rc_shape_dims(Dims... dims) {
    static_assert(sizeof...(Dims) <= RC_MAX_DIMS, "a shape has at most RC_MAX_DIMS dimensions");
    const int64_t d[] = {static_cast<int64_t>(dims)..., 0}; // the 0 keeps the array non-empty
    return rc_shape_make(static_cast<int>(sizeof...(Dims)), d);
}
}
#define RC_SHAPE(...) rc_shape_dims(__VA_ARGS__)
#define RC_SCALAR_SHAPE (rc_shape{0, {0}})
#endif

#endif
