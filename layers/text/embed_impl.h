// Private helpers shared by the word-embedding files of layers/text (not exported).
#ifndef RECUR_EMBED_IMPL_H
#define RECUR_EMBED_IMPL_H

#include <stdio.h>

#include <recur/recur.h>

#include "text_impl.h"

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

// Processor time of the whole process, in seconds.
double rc_embed_cpu_seconds(void);

// The longest line the .vec and evaluation readers take (rc_line_opts.max_line): a damaged file
// with an endless line is an error, not an out-of-memory crash.
#define RC_EMBED_MAX_LINE ((size_t)64 << 20)

// Unicode simple lower-casing of s[0..len) into out (room for 2*len bytes; invalid bytes are
// copied); returns the length written.
size_t rc_embed_fold(const char *s, size_t len, char *out);

#endif
