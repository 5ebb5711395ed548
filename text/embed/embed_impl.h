// Private helpers shared by the word-embedding files of text/embed (not exported).
#ifndef RECUR_EMBED_IMPL_H
#define RECUR_EMBED_IMPL_H

#include <string.h>

#include <recur/autograd.h>
#include <recur/embed.h>

#include "text/text_impl.h"

// Hot loops compiled for AVX2 and for the baseline; the loader picks one (same bits: the lane
// arithmetic is the same, without FMA contraction).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RC_EMBED_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define RC_EMBED_CLONES
#endif

// x[i] = U(-range, range) for n entries, two 24-bit draws from each 64-bit number (the input
// tables hold up to hundreds of millions of entries).
void rc_embed_fill_uniform(float *x, int64_t n, float range, rc_rng *r);

// Processor time of the whole process, and wall time (monotonic), in seconds.
double rc_embed_cpu_seconds(void);
double rc_embed_wall_seconds(void);

// Runs fn on each of n workers (worker t at (char *)workers + t * size): in this thread when n
// is 1, else one thread each. The library's kernels run single-threaded meanwhile: a batch's ops
// are small, the workers are the parallelism. *seconds and *cpu_seconds receive the wall and
// processor time of the run. False when a thread could not be started (the ones that did have
// finished).
bool rc_embed_run_workers(void *(*fn)(void *), void *workers, size_t size, int n, double *seconds,
                          double *cpu_seconds);

// The rows of a shared table that one batch touches (the workers of word2vec and of the
// classifier): a row is copied into the small parameter p on first use, so a batch's graph,
// gradients and zeroing scale with the batch, not with the table, and workers share the tables
// without sharing gradient buffers (Hogwild: each applies its own row deltas). Row 0 of p is a
// zero padding row.
typedef struct rc_rowset {
    rc_param *p;        // [cap, D] working rows, in the worker's parameter store
    float *data, *grad; // p's value and gradient
    float *table;       // [table rows, D] the shared table
    int32_t *slot;      // [table rows] the working row of each table row, or -1
    int32_t *rows;      // [cap] the table row of each working row
    int32_t n, cap, D;  // n: rows in use, the padding row included
} rc_rowset;
// Working rows for the table (a [rows, D] parameter): room for min(want, rows + 1), in a new
// parameter `name` of ps.
rc_status rc_rowset_init(rc_rowset *s, rc_params *ps, const char *name, const rc_param *table,
                         int64_t want);
void rc_rowset_free(rc_rowset *s);
// The working row of table row r, copying the row in on first use.
static inline int32_t rc_rowset_use(rc_rowset *s, int32_t r) {
    int32_t k = s->slot[r];
    if (k >= 0)
        return k;
    k = s->n++;
    s->slot[r] = k;
    s->rows[k] = r;
    memcpy(s->data + (int64_t)k * s->D, s->table + (int64_t)r * s->D, (size_t)s->D * sizeof(float));
    return k;
}
// Table rows -= lr * gradient for the working rows k0..n-1, whose gradients and slots are then
// cleared; n is 1 again.
void rc_rowset_apply(rc_rowset *s, int32_t k0, float lr);

// How the embedding code reads files. Text to train or test on (a corpus, labelled lines):
// lines up to 1 MiB, a longer one cut at a space, UTF-8 checked. Tables (.vec files, analogy
// questions, word pairs), whose parsers check UTF-8 themselves: lines up to 64 MiB (a vector of
// the largest dim fits), a longer one an error, so a damaged file with an endless line is an
// error, not an out-of-memory crash.
extern const rc_line_opts rc_embed_text_lines, rc_embed_table_lines;

// The words of a line of a corpus or of labelled text, as fastText reads them: the runs of
// non-space characters (rc_tokenize with RC_PUNCT_KEEP), a NUL byte also separating words (a
// word could not hold one: rc_wordvecs_add and the .vec format refuse it). Spans index line.
rc_status rc_embed_words(const char *line, size_t len, rc_tokens *t, char *why, size_t why_len);

// Unicode simple lower-casing of s[0..len) into out (room for 2*len bytes; invalid bytes are
// copied); returns the length written.
size_t rc_embed_fold(const char *s, size_t len, char *out);

// RC_ERR_ARG with fn's message when counts is NULL, n < min_n or a count is negative (the
// frequency tables of rc_huffman_new and rc_unigram_table_new).
rc_status rc_embed_check_counts(const char *fn, const int64_t *counts, int32_t n, int32_t min_n);

#endif
