// Private to text/: the string hash table, sorting and document terms that the vocabulary, the
// vectorizers, BM25 and the embeddings share. Built on the public API only; error messages,
// growable arrays and atomic files come from common/common.h.
#ifndef RECUR_TEXT_IMPL_H
#define RECUR_TEXT_IMPL_H

#include <stdio.h>
#include <string.h>

#include <recur/embed.h>

#include "common/common.h"

// Stable sort of ids by cmp(a, b, ctx) (negative: a first). False when out of memory.
typedef int (*rc_id_cmp)(int32_t a, int32_t b, const void *ctx);
bool rc_sort_ids(int32_t *ids, size_t n, rc_id_cmp cmp, const void *ctx);

// rc_line_reader (lines.c), beyond its public contract: a line returned whole (every line, unless
// RC_LONG_LINE_SPLIT cut it into pieces) is followed by a NUL byte, so readers of numbers (.vec
// files, evaluation files) can use strtod on it.

// A multiply-xorshift hash over 8-byte words: strings here are short tokens and n-grams, and the
// table compares a stored 32-bit hash before any bytes. Inline: it runs once per token.
static inline uint64_t rc_read4(const char *s) {
    uint32_t w;
    memcpy(&w, s, 4);
    return w;
}

static inline uint64_t rc_hash_bytes(const char *s, size_t len) {
    const uint64_t P = 0x9E3779B97F4A7C15ull;
    uint64_t h = 0x6A09E667F3BCC909ull ^ (len * P);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ (w * 0xBF58476D1CE4E5B9ull)) * P;
        h ^= h >> 29;
    }
    // The last 0-7 bytes without a byte loop: two overlapping 4-byte reads, or three single
    // bytes that between them cover every byte of a 1-3 byte tail (len is mixed in above).
    size_t r = len - i;
    const char *t = s + i;
    uint64_t w = r >= 4  ? rc_read4(t) << 32 | rc_read4(t + r - 4)
                 : r > 0 ? (uint64_t)(unsigned char)t[0] << 16 |
                               (uint64_t)(unsigned char)t[r >> 1] << 8 | (unsigned char)t[r - 1]
                         : 0;
    h = (h ^ (w * 0x94D049BB133111EBull)) * P;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    return h;
}

// Interned byte strings with dense ids 0..n-1 in order of first insertion. Open addressing with
// linear probing over a power-of-two slot array; each key is stored once, NUL-terminated.
typedef struct rc_strtab_slot {
    uint32_t id1;  // id + 1; 0 is an empty slot
    uint32_t hash; // low 32 bits of the key's hash
} rc_strtab_slot;

typedef struct rc_strkey {
    size_t off;   // offset of the key in bytes
    uint32_t len; // bytes, without the NUL
} rc_strkey;

typedef struct rc_strtab {
    rc_strtab_slot *slots;
    size_t mask;     // slot count - 1
    size_t n;        // keys
    rc_strkey *keys; // [n]
    size_t keys_cap;
    char *bytes;
    size_t bytes_len, bytes_cap;
} rc_strtab;

void rc_strtab_free(rc_strtab *t);
// The id of the key, or -1.
int32_t rc_strtab_find(const rc_strtab *t, const char *s, size_t len, uint64_t hash);
// The id of the key, added when absent (*added says which). -1 when out of memory or when the
// table holds INT32_MAX keys.
int32_t rc_strtab_intern(rc_strtab *t, const char *s, size_t len, uint64_t hash, bool *added);
static inline const char *rc_strtab_key(const rc_strtab *t, int32_t id, size_t *len) {
    *len = t->keys[id].len;
    return t->bytes + t->keys[id].off;
}
// Compares keys a and b as byte strings (memcmp, shorter first on a tie): the order of Python's
// str comparison, since UTF-8 preserves code point order.
int rc_strtab_cmp(const rc_strtab *t, int32_t a, int32_t b);

// The words of a stop set in order of insertion (for saving an index that uses it); i < count.
size_t rc_stopset_count(const rc_stopset *s);
const char *rc_stopset_word(const rc_stopset *s, size_t i, size_t *len);

// ---- the CSR builder (csr.c, features.c)
// rc_csr carries no capacities. Every indptr, indices and values array the builder allocates for
// n elements has room for rc_grow's size from empty (64, doubled until >= n), so the room follows
// from the count alone. Grows *p, which the builder allocated for at least `used` elements (or is
// NULL), to hold `need`; false when out of memory.
bool rc_csr_grow(void **p, size_t used, size_t need, size_t elem);
// Grows indices and values together from `used` to `need` entries.
bool rc_csr_grow_nnz(rc_csr *m, int64_t used, int64_t need);

// ---- document terms for the vectorizers
// ----------------------------------------------------------

// Buffers reused from one document to the next.
typedef struct rc_term_scratch {
    rc_tokens tok;
    char *buf;
    size_t buf_cap;
    size_t *cps;
    size_t cps_cap;
} rc_term_scratch;

// Receives one term (valid only during the call); false aborts (out of memory).
typedef bool (*rc_term_fn)(void *ctx, const char *term, size_t len);
// Calls fn for every term of doc under o's analyzer, n-gram range and stop words.
rc_status rc_doc_terms(const rc_features_opts *o, const char *doc, size_t len, rc_term_scratch *sc,
                       rc_term_fn fn, void *ctx, char *err, size_t err_len);
void rc_term_scratch_free(rc_term_scratch *sc);
// RC_ERR_ARG with the message "fn: <opt><field> ..." when o's n-gram range or max_features is
// invalid (opt names where the options sit, "" or "features.").
rc_status rc_features_check_opts(const rc_features_opts *o, const char *fn, const char *opt);

// A count: decimal digits only, no sign, at most 18 digits (no overflow); false otherwise.
bool rc_parse_count(const char *s, size_t len, int64_t *out);

// rc_vocab_count_file with another tokenizer: tok(ctx, ...) fills t with the tokens of a line
// (RC_ERR_FORMAT with a message in why for a bad line). v and path are not NULL.
typedef rc_status (*rc_line_tokenizer)(const void *ctx, const char *line, size_t len, rc_tokens *t,
                                       char *why, size_t why_len);
rc_status rc_vocab_count_lines(rc_vocab *v, const char *path, rc_line_tokenizer tok,
                               const void *ctx, const rc_line_opts *lopts, bool eos,
                               bool keep_empty, char *err, size_t err_len);
// Whether a tokenizer keeps newlines as tokens: characters with whitespace kept. Then an empty
// line is a line too (its <eos> is the newline), where otherwise it has no tokens and no <eos>.
static inline bool rc_tok_keeps_empty_lines(const rc_tok_opts *o) {
    return o && o->mode == RC_TOK_CHARS && o->keep_space;
}
// rc_tokenize as an rc_line_tokenizer (ctx is the rc_tok_opts).
rc_status rc_tokenize_line(const void *topts, const char *line, size_t len, rc_tokens *t, char *why,
                           size_t why_len);
// Reads path line by line, tokenizes each non-empty line with tok(tok_ctx, ...) and hands the
// tokens to fn(ctx, t, why); the first failure stops the loop as "path:line: why" in err.
typedef rc_status (*rc_token_line_fn)(void *ctx, const rc_tokens *t, char *why, size_t why_len);
rc_status rc_each_token_line(const char *path, const rc_line_opts *lopts, bool keep_empty,
                             rc_line_tokenizer tok, const void *tok_ctx, rc_token_line_fn fn,
                             void *ctx, char *err, size_t err_len);

// Loading a vocabulary file: appends a token with its count as the next id (RC_ERR_FORMAT with
// *dup_of set for a duplicate; RC_ERR_RANGE when the total would pass INT64_MAX), then marks
// the table final.
rc_status rc_vocab_load_entry(rc_vocab *v, const char *tok, size_t len, int64_t count,
                              int32_t *dup_of);
void rc_vocab_mark_final(rc_vocab *v);

#endif
