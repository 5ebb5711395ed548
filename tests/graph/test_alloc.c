// Steady-state training allocates nothing: after a warm-up step, building, back-propagating and
// resetting the same graph again neither grows the graph's arenas nor calls malloc.
//
// The test executable is linked with -Wl,--wrap for the allocation functions (tests/meson.build),
// so every call that the library's objects (linked statically) make lands in the counters below
// before reaching the real allocator: plain glibc, or AddressSanitizer's under the sanitizer
// build. Shared libraries (oneDNN, libgomp) are not wrapped; their net heap use is checked with
// glibc's mallinfo2() instead, except under AddressSanitizer, whose allocator bypasses it.
#include <malloc.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

static atomic_bool counting;
static atomic_long n_allocs;
static atomic_size_t largest; // the largest single request while counting

static void count_bytes(size_t n) {
    if (!atomic_load(&counting))
        return;
    atomic_fetch_add(&n_allocs, 1);
    size_t was = atomic_load(&largest);
    while (n > was && !atomic_compare_exchange_weak(&largest, &was, n))
        ;
}

// The wrappers (the linker routes the library's calls here; __real_* is the allocator itself).
void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);
char *__wrap_strdup(const char *s);

void *__wrap_malloc(size_t n) {
    count_bytes(n);
    return __real_malloc(n);
}
void *__wrap_calloc(size_t k, size_t n) {
    count_bytes(k * n);
    return __real_calloc(k, n);
}
void *__wrap_realloc(void *p, size_t n) {
    count_bytes(n);
    return __real_realloc(p, n);
}
void *__wrap_aligned_alloc(size_t a, size_t n) {
    count_bytes(n);
    return __real_aligned_alloc(a, n);
}
int __wrap_posix_memalign(void **p, size_t a, size_t n) {
    count_bytes(n);
    return __real_posix_memalign(p, a, n);
}
char *__wrap_strdup(const char *s) {
    count_bytes(strlen(s) + 1);
    return __real_strdup(s);
}

// Defined only when AddressSanitizer's runtime is linked in.
extern void __asan_init(void) __attribute__((weak));

static size_t heap_in_use(void) {
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

enum { B = 64, I = 96, H = 512, O = 32, STEPS = 20 };

// oneDNN allocates and frees packing buffers inside every sgemm call; the C library's per-thread
// caches of freed blocks, which mallinfo2 counts as in use, fill up over the first steps. A leak
// of a buffer per step would pass this bound within the STEPS steps.
#define HEAP_SLACK ((size_t)16 << 10)

typedef struct net {
    rc_params *ps;
    rc_param *w1, *b1, *w2;
    float x[B * I], t[B * O];
} net;

// One training step of a small two-layer model with broadcasting, reductions, scopes and names;
// the matrix products go through oneDNN and the [B,H] loops through the parallel path. Returns
// the loss, NaN when backward failed. (No Criterion assertion in here: they allocate.)
static float step(rc_graph *g, net *n) {
    rc_graph_reset(g);
    rc_params_zero_grad(n->ps);
    rc_scope_push(g, "layer%d", 1);
    rc_var x = rc_input(g, RC_SHAPE(B, I), n->x);
    rc_var h = rc_name(rc_tanh(rc_linear(x, rc_use(g, n->w1), rc_use(g, n->b1))), "h");
    rc_scope_pop(g);
    rc_var gate = rc_sigmoid(rc_mean(h, 1, true));              // [B,1]
    rc_var y = rc_matmul_nt(rc_mul(h, gate), rc_use(g, n->w2)); // [B,O]
    rc_var err = rc_sub(y, rc_input(g, RC_SHAPE(B, O), n->t));
    rc_var loss = rc_add(rc_mean_all(rc_square(err)), rc_scale(rc_l2norm_all(h), 1e-3f));
    if (rc_backward(loss) != RC_OK)
        return (float)NAN;
    const float value = rc_item(loss);
    rc_param *ps[] = {n->w1, n->b1, n->w2};
    for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) { // plain SGD, in place
        rc_tensor w = rc_param_value(ps[k]), gr = rc_param_grad(ps[k]);
        for (int64_t i = 0; i < w.n; i++)
            w.data[i] -= 0.05f * gr.data[i];
    }
    return value;
}

static void net_init(net *n) {
    cr_assert_eq(rc_params_new(&n->ps), RC_OK);
    cr_assert_eq(rc_params_add(n->ps, "w1", RC_SHAPE(H, I), &n->w1), RC_OK);
    cr_assert_eq(rc_params_add(n->ps, "b1", RC_SHAPE(H), &n->b1), RC_OK);
    cr_assert_eq(rc_params_add(n->ps, "w2", RC_SHAPE(O, H), &n->w2), RC_OK);
    tu_fill_uniform(rc_param_value(n->w1).data, H * I, -0.1f, 0.1f, 1);
    tu_fill_uniform(rc_param_value(n->w2).data, O * H, -0.05f, 0.05f, 2);
    tu_fill_uniform(n->x, B * I, -1, 1, 3);
    tu_fill_uniform(n->t, B * O, -0.5f, 0.5f, 4);
}

// What STEPS steady-state steps did, after one warm-up step (which sizes the arenas and the
// tape and starts the thread pool).
typedef struct steady {
    float first, last;  // losses
    long allocs;        // allocation calls the library made
    size_t reserved[2]; // rc_graph_bytes_reserved before and after
    size_t heap[2];     // mallinfo2 bytes in use before and after
} steady;

static steady train_steady(int threads) {
    const int before = rc_get_num_threads();
    rc_set_num_threads(threads);
    net *n = malloc(sizeof *n);
    cr_assert(n);
    net_init(n);
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    steady r;
    r.first = step(g, n);
    cr_assert(isfinite(r.first), "%s", rc_graph_errmsg(g));
    r.reserved[0] = rc_graph_bytes_reserved(g), r.heap[0] = heap_in_use();
    atomic_store(&n_allocs, 0);
    atomic_store(&counting, true);
    for (int s = 0; s < STEPS; s++)
        r.last = step(g, n);
    atomic_store(&counting, false);
    r.allocs = atomic_load(&n_allocs);
    r.reserved[1] = rc_graph_bytes_reserved(g), r.heap[1] = heap_in_use();
    cr_assert(isfinite(r.last), "%s", rc_graph_errmsg(g));
    rc_graph_free(&g);
    rc_params_free(&n->ps);
    free(n);
    rc_set_num_threads(before);
    return r;
}

Test(alloc, steady_state_training_step_makes_no_allocation_call) {
    for (int threads = 1; threads <= 2; threads++) {
        const steady r = train_steady(threads);
        cr_assert_lt(r.last, r.first, "training should make progress (%g then %g)", (double)r.first,
                     (double)r.last);
        cr_assert_eq(r.allocs, 0, "%d thread(s): %ld allocation calls in %d steady-state steps",
                     threads, r.allocs, STEPS);
        cr_assert_eq(r.reserved[1], r.reserved[0], "%d thread(s): the graph grew from %zu to %zu",
                     threads, r.reserved[0], r.reserved[1]);
    }
}

// The shared libraries the library calls (oneDNN, libgomp) are not wrapped; they may allocate
// and free inside a call, but must not hold more memory step after step.
Test(alloc, steady_state_training_heap_does_not_grow) {
    if (__asan_init)
        cr_skip_test("AddressSanitizer's allocator bypasses mallinfo2(), so the heap cannot be "
                     "measured here (the plain build runs this test)");
    const steady r = train_steady(2);
    cr_assert_leq(r.heap[1], r.heap[0] + HEAP_SLACK, "heap in use went from %zu to %zu bytes",
                  r.heap[0], r.heap[1]);
}

// The counters see the library's calls (so the test above can fail): a graph's first node
// allocates its tape page and arena block.
Test(alloc, wrappers_count_library_allocations) {
    atomic_store(&n_allocs, 0);
    atomic_store(&counting, true);
    rc_graph *g;
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    rc_scalar(g, 1.0f);
    atomic_store(&counting, false);
    cr_assert_geq(atomic_load(&n_allocs), 3, "graph, tape page and arena block: %ld calls",
                  atomic_load(&n_allocs));
    rc_graph_free(&g);
}

// Issue 11.9f: the .vec, BEIR and evaluation readers allow 64 MiB lines, and every open
// allocated a 64 MiB line buffer whatever the file held. The buffer now grows with the longest
// line: a small .vec file costs no large request, a 2.7 MB line still loads.
static size_t largest_request_loading_vec(const char *path, int32_t *dim) {
    char err[256] = "";
    rc_wordvecs *wv = NULL;
    atomic_store(&largest, 0);
    atomic_store(&counting, true);
    rc_status st = rc_wordvecs_load_vec(&wv, path, NULL, NULL, err, sizeof err);
    atomic_store(&counting, false);
    cr_assert_eq(st, RC_OK, "%s", err);
    *dim = rc_wordvecs_dim(wv);
    rc_wordvecs_free(&wv);
    return atomic_load(&largest);
}

Test(alloc, vec_reader_buffer_grows_with_its_lines) {
    char path[256];
    const char small[] = "2 3\nthe 0.1 0.2 0.3\nof -1 0 1\n";
    tu_write_file(tu_tmpfile(path, sizeof path, "small.vec"), small, strlen(small));
    int32_t dim;
    size_t big = largest_request_loading_vec(path, &dim);
    cr_assert_eq(dim, 3);
    cr_assert_leq(big, (size_t)1 << 20, "a 3-dimensional .vec file asked for %zu bytes at once",
                  big);
    enum { D = 300000 }; // one line of 2.7 MB: the buffer must grow past its first size
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fprintf(f, "1 %d\nword", D);
    for (int i = 0; i < D; i++)
        fprintf(f, " 0.%07d", i);
    fputc('\n', f);
    fclose(f);
    big = largest_request_loading_vec(path, &dim);
    cr_assert_eq(dim, D);
    cr_assert_geq(big, (size_t)D * 9, "the buffer held a %d-byte line in %zu bytes", D * 9, big);
    unlink(path);
}

// Found by fuzz_vec: a header promising 88888888888888 vectors of 3 floats made the loader ask
// for 10^15 bytes before reading a line (AddressSanitizer: allocation-size-too-big). Room is now
// what the file's bytes can hold, and the missing lines are the error.
Test(alloc, vec_header_count_does_not_size_the_table) {
    char path[256], err[256] = "";
    const char body[] = "88888888888888 3\nthe 0.1 0.2 0.3\n";
    tu_write_file(tu_tmpfile(path, sizeof path, "huge-count.vec"), body, strlen(body));
    rc_wordvecs *wv = NULL;
    atomic_store(&largest, 0);
    atomic_store(&counting, true);
    rc_status st = rc_wordvecs_load_vec(&wv, path, NULL, NULL, err, sizeof err);
    atomic_store(&counting, false);
    cr_assert_eq(st, RC_ERR_FORMAT, "%s", err);
    cr_assert(strstr(err, "huge-count.vec"), "%s", err);
    cr_assert_leq(atomic_load(&largest), (size_t)1 << 20, "asked for %zu bytes at once",
                  atomic_load(&largest));
    cr_assert_null(wv);
    unlink(path);
}
