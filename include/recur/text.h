// recur: tokenizer, vocabulary, sparse features (bag-of-words, n-grams, TF-IDF), BM25 and
// retrieval / classification metrics.
//
// Text is UTF-8 throughout. Functions that can fail return rc_status and write a message into
// `err` (err_len bytes, always NUL-terminated; err may be NULL). Messages about files name the
// file and the line: "corpus.txt:17: invalid UTF-8 at byte 5: overlong encoding".
//
// NULL arguments (base.h's policy, the same in embed.h): a NULL where a pointer is required is
// RC_ERR_ARG, with the message "rc_vocab_load: path is NULL" where the function takes err. An
// options pointer (rc_*_opts) may be NULL everywhere: the defaults (its rc_*_defaults(), or all
// zeros where there is none). Getters given a NULL object return 0, -1, false or NULL.
#ifndef RECUR_TEXT_H
#define RECUR_TEXT_H

#include "ops.h"

#ifdef __cplusplus
extern "C" {
#endif

// ---- UTF-8 and character classes ----------------------------------------------------------------

typedef enum rc_utf8_error {
    RC_UTF8_OK = 0,
    RC_UTF8_CONTINUATION, // a continuation byte (10xxxxxx) where a character should start
    RC_UTF8_LEAD,         // a byte that never starts a character (0xF8..0xFF)
    RC_UTF8_TRUNCATED,    // a multi-byte sequence cut short
    RC_UTF8_OVERLONG,     // a code point encoded in more bytes than it needs
    RC_UTF8_SURROGATE,    // U+D800..U+DFFF
    RC_UTF8_TOO_BIG,      // above U+10FFFF
} rc_utf8_error;

RC_API const char *rc_utf8_error_str(rc_utf8_error e); // "overlong encoding", ...
// Decodes the code point at s (len bytes available): returns its length in bytes (1-4), or 0 for
// an invalid sequence (why, if not NULL, says which kind).
RC_API int rc_utf8_decode(const char *s, size_t len, uint32_t *cp, rc_utf8_error *why);
// Writes cp's UTF-8 form (1-4 bytes); 0 for a surrogate or a value above U+10FFFF.
RC_API int rc_utf8_encode(uint32_t cp, char out[4]);
// True when s[0..len) is valid UTF-8; otherwise the byte offset of the first bad sequence.
RC_API bool rc_utf8_validate(const char *s, size_t len, size_t *bad_offset, rc_utf8_error *why);
// Latin-1 (ISO 8859-1) to UTF-8; out needs room for 2*len bytes. Returns the bytes written.
RC_API size_t rc_latin1_to_utf8(const char *in, size_t len, char *out);

// Character classes as Python's `re` defines them for str patterns (Unicode 14): \w is a letter
// (L*), a digit or numeric character (Nd, Nl, No) or '_'; \s is str.isspace(). Combining marks
// are not word characters (as in Python).
RC_API bool rc_unicode_is_word(uint32_t cp);
RC_API bool rc_unicode_is_space(uint32_t cp);
// Simple (one-to-one) lower-case mapping for all of Unicode: ASCII, Latin-1, Latin Extended,
// Greek, Cyrillic, Armenian, ... U+0130 maps to 'i'. No context rules (final sigma stays σ).
RC_API uint32_t rc_unicode_lower(uint32_t cp);

// ---- tokenizer --------------------------------------------------------------------------------

typedef enum rc_tok_mode {
    RC_TOK_WORDS = 0, // words: maximal runs of word characters (\w), punctuation per rc_punct
    RC_TOK_CHARS,     // one token per code point
} rc_tok_mode;

// What happens to punctuation (a code point that is neither \w nor \s) in RC_TOK_WORDS mode.
typedef enum rc_punct {
    RC_PUNCT_SPLIT = 0, // each punctuation character is a token of its own: "don't" -> don ' t
    RC_PUNCT_DROP,      // punctuation separates words and is dropped: "don't" -> don t
    RC_PUNCT_KEEP,      // tokens are maximal runs of non-space characters: "don't," -> don't,
} rc_punct;

typedef struct rc_tok_opts {
    rc_tok_mode mode;
    rc_punct punct;
    bool lowercase;  // simple lower-case mapping (rc_unicode_lower) of every token
    int min_chars;   // word runs shorter than this many code points are dropped
    bool keep_space; // RC_TOK_CHARS: whitespace characters are tokens too (else skipped)
} rc_tok_opts;

// Words, punctuation split off, case kept, every word kept.
RC_API rc_tok_opts rc_tok_defaults(void);
// scikit-learn's default analyzer: lower-case, then token_pattern r"(?u)\b\w\w+\b", which keeps
// the runs of two or more word characters (punctuation dropped, min_chars 2). Equal to Python's
// tokens except where str.lower() uses a context or one-to-many rule (final sigma, U+0130).
RC_API rc_tok_opts rc_tok_sklearn(void);

// A token is `len` bytes at `text + off`.
typedef struct rc_span {
    uint32_t off, len;
} rc_span;

// A reusable token list: zero-initialise it (rc_tokens t = {0}), pass it to rc_tokenize as often
// as needed (its buffers are reused, so steady-state tokenization allocates nothing), and
// rc_tokens_free it once. `text` is what the spans index: the input itself, or this list's own
// buffer when tokens were lower-cased or stemmed. Valid until the next call that fills the list.
typedef struct rc_tokens {
    const char *text;
    rc_span *spans;
    size_t n;
    // private: owned buffers
    size_t spans_cap;
    char *buf, *buf2;
    size_t buf_cap, buf2_cap;
} rc_tokens;

// Tokenizes s[0..len) into t (replacing its tokens). Invalid UTF-8 is RC_ERR_FORMAT: "invalid
// UTF-8 at byte 17: truncated sequence" (the offset counts from s). len must be below 4 GiB.
// o may be NULL (rc_tok_defaults()); s may be NULL when len is 0.
RC_API rc_status rc_tokenize(const rc_tok_opts *o, const char *s, size_t len, rc_tokens *t,
                             char *err, size_t err_len);
RC_API void rc_tokens_free(rc_tokens *t); // frees the buffers and zeroes *t
static inline const char *rc_token(const rc_tokens *t, size_t i, size_t *len) {
    *len = t->spans[i].len;
    return t->text + t->spans[i].off;
}

// ---- stop words and stemming ------------------------------------------------------------------

// A set of stop words (UTF-8, compared byte for byte after the tokenizer's lower-casing).
typedef struct rc_stopset rc_stopset;
// words[n] copied; NUL-terminated strings (RC_ERR_ARG when words or one of them is NULL).
RC_API rc_status rc_stopset_new(rc_stopset **s, const char *const *words, size_t n);
// The 33 English stop words of Lucene's EnglishAnalyzer (a, an, and, are, as, at, be, but, by,
// for, if, in, into, is, it, no, not, of, on, or, such, that, the, their, then, there, these,
// they, this, to, was, will, with).
RC_API rc_status rc_stopset_english(rc_stopset **s);
RC_API void rc_stopset_free(rc_stopset **s);
RC_API bool rc_stopset_has(const rc_stopset *s, const char *w, size_t len);
// Removes the stop words from t, in place, keeping the order of the others.
RC_API void rc_tokens_remove_stopwords(rc_tokens *t, const rc_stopset *s);

// The Porter stemmer as published (M.F. Porter, "An algorithm for suffix stripping", 1980):
// steps 1a-5b on lower-case ASCII words. Writes the stem of w[0..len) to out (room for len
// bytes; a stem is never longer than its word) and returns its length. Words with a byte outside
// a-z, and words of one or two letters, are returned unchanged.
RC_API size_t rc_porter_stem(const char *w, size_t len, char *out);
// Stems every token of t (t->text then points into t's own buffer).
RC_API rc_status rc_tokens_stem(rc_tokens *t);

// ---- line reader ------------------------------------------------------------------------------

// What to do with a line longer than max_line bytes.
typedef enum rc_long_line {
    RC_LONG_LINE_ERROR = 0, // RC_ERR_FORMAT "file:line: line longer than N bytes"
    RC_LONG_LINE_SPLIT,     // cut it into pieces of at most max_line bytes, at the last space
                            // before the limit when there is one, else at a code point boundary;
                            // each piece is returned as a line of its own (same line number).
                            // Characters are never cut: with max_line < 4, a piece holding one
                            // longer character has up to max_line + 3 bytes, so valid UTF-8 in
                            // gives valid UTF-8 pieces
} rc_long_line;

typedef struct rc_line_opts {
    size_t max_line; // bytes, without the newline; 0 means 1 MiB
    rc_long_line long_line;
    bool validate_utf8; // invalid UTF-8 is RC_ERR_FORMAT "file:line: invalid UTF-8 at byte B"
} rc_line_opts;

// Reads a file line by line with memory bounded by max_line (plus a 64 KiB read buffer), so a
// corpus larger than memory streams through; the buffer starts at 128 KiB and grows only as far
// as the longest line needs. Lines end at '\n'; a '\r' before it is removed;
// the last line needs no newline. Lines are returned without the newline and are valid until
// the next call.
typedef struct rc_line_reader rc_line_reader;
// opts may be NULL (defaults). RC_ERR_IO "path: No such file or directory" when it cannot open.
RC_API rc_status rc_line_reader_open(rc_line_reader **r, const char *path, const rc_line_opts *opts,
                                     char *err, size_t err_len);
RC_API void rc_line_reader_close(rc_line_reader **r);
// The next line: RC_OK with *line set, or RC_OK with *line == NULL at the end of the file;
// RC_ERR_FORMAT / RC_ERR_IO with a message naming file and line. After RC_ERR_FORMAT the bad
// line has been skipped, so a caller may report it and read on.
RC_API rc_status rc_line_reader_next(rc_line_reader *r, const char **line, size_t *len, char *err,
                                     size_t err_len);
RC_API int64_t rc_line_reader_lineno(const rc_line_reader *r); // 1-based number of the last line
RC_API const char *rc_line_reader_path(const rc_line_reader *r);

// ---- vocabulary ---------------------------------------------------------------------------------

// Token -> id with counts. Build it by counting (rc_vocab_add*, rc_vocab_count_file), then
// rc_vocab_finalize assigns ids: the special tokens first, in the order <pad>, <unk>, <eos> (only
// those asked for), then every other token with count >= min_count ordered by count (descending)
// and then by bytes (ascending), cut to max_size entries in all. Lookups need a finalized
// vocabulary; a loaded one is finalized with the file's order.
typedef struct rc_vocab rc_vocab;

enum {
    RC_SPECIAL_PAD = 1u << 0, // "<pad>"
    RC_SPECIAL_UNK = 1u << 1, // "<unk>"
    RC_SPECIAL_EOS = 1u << 2, // "<eos>"
};

typedef struct rc_vocab_opts {
    int64_t min_count; // tokens seen fewer times are left out (<= 1: all kept)
    int64_t max_size;  // at most this many entries, specials included (0: no limit)
    unsigned specials; // RC_SPECIAL_* flags
} rc_vocab_opts;

RC_API rc_status rc_vocab_new(rc_vocab **v);
RC_API void rc_vocab_free(rc_vocab **v);
// Counts a token `count` times (RC_ERR_STATE after finalize; RC_ERR_ARG for an empty token or
// one containing a tab or newline, which the text format could not hold; RC_ERR_RANGE when its
// count would pass INT64_MAX, which leaves the count as it was).
RC_API rc_status rc_vocab_add(rc_vocab *v, const char *tok, size_t len, int64_t count);
RC_API rc_status rc_vocab_add_tokens(rc_vocab *v, const rc_tokens *t);
// Tokenizes every line of a file and counts its tokens, streaming (see rc_line_reader; lopts may
// be NULL). Errors name the file and line. Empty lines are skipped, except by a tokenizer that
// keeps newlines (RC_TOK_CHARS with keep_space), for which an empty line is its <eos>. With eos,
// each line also counts one "<eos>". topts may be NULL (rc_tok_defaults()).
RC_API rc_status rc_vocab_count_file(rc_vocab *v, const char *path, const rc_tok_opts *topts,
                                     const rc_line_opts *lopts, bool eos, char *err,
                                     size_t err_len);
// o may be NULL (all zeros: every token kept, no specials). RC_ERR_RANGE, nothing changed, when
// the kept counts sum past INT64_MAX (rc_vocab_total could not hold it).
RC_API rc_status rc_vocab_finalize(rc_vocab *v, const rc_vocab_opts *o);
RC_API bool rc_vocab_finalized(const rc_vocab *v);

RC_API int32_t rc_vocab_size(const rc_vocab *v);
RC_API int64_t rc_vocab_total(const rc_vocab *v); // sum of the counts of the kept tokens
// The id of a token, or -1 when absent.
RC_API int32_t rc_vocab_find(const rc_vocab *v, const char *tok, size_t len);
// The id of a token, or the <unk> id when absent (-1 when there is no <unk>).
RC_API int32_t rc_vocab_id(const rc_vocab *v, const char *tok, size_t len);
// ids[i] = rc_vocab_id for every token of t; returns the number written (t->n).
RC_API size_t rc_vocab_ids(const rc_vocab *v, const rc_tokens *t, int32_t *ids);
// Reads a file as one stream of ids (for a language model), tokenizing each line as
// rc_vocab_count_file does: empty lines are skipped, and with eos each line ends with <eos>. A
// token absent from v is <unk>; without <unk> it is RC_ERR_FORMAT "file:line: token 'x' is not in
// the vocabulary, which has no <unk>". *ids (malloc'ed, the caller frees) holds *n ids. v must be
// finalized (and have <eos> when eos is set): RC_ERR_ARG otherwise.
RC_API rc_status rc_vocab_read_ids(const rc_vocab *v, const char *path, const rc_tok_opts *topts,
                                   const rc_line_opts *lopts, bool eos, int32_t **ids, int64_t *n,
                                   char *err, size_t err_len);
// The token with this id (NUL-terminated, owned by v) or NULL when out of range.
RC_API const char *rc_vocab_token(const rc_vocab *v, int32_t id, size_t *len);
RC_API int64_t rc_vocab_count(const rc_vocab *v, int32_t id);
RC_API int32_t rc_vocab_special_id(const rc_vocab *v, unsigned special); // -1 when absent

// Text format: one "token<TAB>count" line per id, in id order. Save writes a temporary file,
// fsyncs and renames. Load checks every line: "vocab.txt:17: bad count 'x1'", missing tab,
// empty or duplicate token, invalid UTF-8, counts summing past INT64_MAX; a token named <pad>,
// <unk> or <eos> is that special.
RC_API rc_status rc_vocab_save(const rc_vocab *v, const char *path, char *err, size_t err_len);
RC_API rc_status rc_vocab_load(rc_vocab **v, const char *path, char *err, size_t err_len);

// ---- CSR matrices -----------------------------------------------------------------------------
// rc_csr itself is declared in ops.h (rc_sparse_matmul takes one). These functions own its memory.

// Frees the arrays and zeroes *m except cols (ready to build rows again); accepts a zeroed matrix.
RC_API void rc_csr_free(rc_csr *m);
// Builder: zero-initialise a rc_csr with the number of columns set, then for each row push its
// entries and end the row. end_row sorts the row's entries by column and sums duplicates. Rows
// append to a matrix these functions made (the builder, gather_rows, the vectorizers), never to
// arrays of the caller's own: the builder's room follows from its counts.
RC_API rc_status rc_csr_push(rc_csr *m, int32_t col, float value);
RC_API rc_status rc_csr_end_row(rc_csr *m);
RC_API int64_t rc_csr_nnz(const rc_csr *m);
// dst = the rows idx[0..n) of src, in that order (a mini-batch); dst is overwritten (freed first)
// and must not be src (RC_ERR_ARG).
RC_API rc_status rc_csr_gather_rows(const rc_csr *src, const int64_t *idx, int64_t n, rc_csr *dst);
// Checks the invariants rc_sparse_matmul relies on (RC_ERR_FORMAT with a message).
RC_API rc_status rc_csr_check(const rc_csr *m, char *err, size_t err_len);

// ---- bag of words, n-grams and TF-IDF -----------------------------------------------------------

typedef enum rc_analyzer {
    RC_ANALYZER_WORD = 0, // word n-grams of the tokenizer's tokens, joined by one space
    RC_ANALYZER_CHAR_WB,  // character n-grams within words: each whitespace-separated word is
                          // padded with a space on both sides (scikit-learn's "char_wb")
    RC_ANALYZER_CHAR,     // character n-grams over the text, runs of two or more whitespace
                          // characters made one space (scikit-learn's "char")
} rc_analyzer;

typedef struct rc_features_opts {
    rc_tok_opts tok; // tokenization (word analyzer); its lowercase applies to all
    rc_analyzer analyzer;
    int ngram_min, ngram_max; // n-gram sizes, inclusive (words or code points)
    const rc_stopset *stop;   // removed before word n-grams are formed; NULL: none (borrowed)
    int64_t min_df;           // drop terms found in fewer documents (<= 1: keep all)
    double max_df;            // drop terms found in more than this fraction of documents (>= 1
                              // or <= 0: keep all)
    int64_t max_features;     // keep the terms with the largest total counts (0: all); ties go
                              // to the term that sorts first
    bool binary;              // counts clipped to 1
} rc_features_opts;

// scikit-learn's CountVectorizer defaults: the rc_tok_sklearn tokenizer, unigrams, no limits.
RC_API rc_features_opts rc_features_defaults(void);

// A fitted term vocabulary (scikit-learn's CountVectorizer). Terms are numbered in byte order of
// their UTF-8 (Python's sort of str), so column j matches scikit-learn's column j.
typedef struct rc_features rc_features;
// o may be NULL (rc_features_defaults()).
RC_API rc_status rc_features_new(rc_features **f, const rc_features_opts *o);
RC_API void rc_features_free(rc_features **f);
// Learns the terms of docs[0..n) (lens[i] bytes each) and, if counts is not NULL, writes the
// term counts [n, terms] (freed first). A failing document is named: "document 17: invalid
// UTF-8 at byte 5: truncated sequence". Empty documents give empty rows. RC_ERR_FORMAT "empty
// vocabulary: the documents have no terms"; RC_ERR_ARG when min_df, max_df and max_features
// leave no term, or for a NULL document with a length ("document 3 is NULL with length 5").
RC_API rc_status rc_features_fit(rc_features *f, const char *const *docs, const size_t *lens,
                                 int64_t n, rc_csr *counts, char *err, size_t err_len);
// Term counts of new documents with the fitted terms; unknown terms are ignored.
RC_API rc_status rc_features_transform(const rc_features *f, const char *const *docs,
                                       const size_t *lens, int64_t n, rc_csr *counts, char *err,
                                       size_t err_len);
RC_API int32_t rc_features_size(const rc_features *f);
RC_API const char *rc_features_term(const rc_features *f, int32_t j, size_t *len);   // NULL: no j
RC_API int32_t rc_features_find(const rc_features *f, const char *term, size_t len); // -1: none
RC_API int64_t rc_features_df(const rc_features *f, int32_t j); // documents containing term j
RC_API int64_t rc_features_num_docs(const rc_features *f);      // documents seen by fit

typedef enum rc_norm { RC_NORM_L2 = 0, RC_NORM_L1, RC_NORM_NONE } rc_norm;

typedef struct rc_tfidf_opts {
    rc_features_opts features;
    rc_norm norm;
    bool use_idf;
    bool smooth_idf;   // idf = ln((1 + n) / (1 + df)) + 1; otherwise ln(n / df) + 1
    bool sublinear_tf; // tf = 1 + ln(count)
} rc_tfidf_opts;

// scikit-learn's TfidfVectorizer defaults: l2 norm, idf with smoothing, raw counts.
RC_API rc_tfidf_opts rc_tfidf_defaults(void);

// TF-IDF with scikit-learn's semantics: row i, term j: tf(i,j) * idf(j), then each row scaled
// to unit l2 or l1 norm (an all-zero row stays zero). Computed in double, stored as f32.
typedef struct rc_tfidf rc_tfidf;
// o may be NULL (rc_tfidf_defaults()).
RC_API rc_status rc_tfidf_new(rc_tfidf **t, const rc_tfidf_opts *o);
RC_API void rc_tfidf_free(rc_tfidf **t);
// Learns terms and idf from docs; out (may be NULL) receives their TF-IDF matrix [n, terms].
RC_API rc_status rc_tfidf_fit(rc_tfidf *t, const char *const *docs, const size_t *lens, int64_t n,
                              rc_csr *out, char *err, size_t err_len);
RC_API rc_status rc_tfidf_transform(const rc_tfidf *t, const char *const *docs, const size_t *lens,
                                    int64_t n, rc_csr *out, char *err, size_t err_len);
RC_API const rc_features *rc_tfidf_features(const rc_tfidf *t);
RC_API const double *rc_tfidf_idf(const rc_tfidf *t); // [terms]; NULL before fit
// Turns a count matrix into TF-IDF in place with the fitted idf (counts [n, terms]).
RC_API rc_status rc_tfidf_apply(const rc_tfidf *t, rc_csr *counts);

// ---- BM25 ---------------------------------------------------------------------------------------

typedef enum rc_bm25_variant {
    RC_BM25_OKAPI = 0, // idf * tf (k1+1) / (tf + k1 (1 - b + b dl/avgdl))
    RC_BM25_L,         // Lv & Zhai 2011: c = tf / (1 - b + b dl/avgdl);
                       //   idf * (k1+1) (c + delta) / (k1 + c + delta)
    RC_BM25_PLUS,      // Lv & Zhai 2011: idf * (tf (k1+1) / (tf + k1 (1 - b + b dl/avgdl)) + delta)
} rc_bm25_variant;

typedef enum rc_bm25_idf {
    RC_BM25_IDF_LUCENE = 0, // ln(1 + (N - df + 0.5) / (df + 0.5)): Robertson-Sparck Jones with
                            // +1 inside the log as Lucene has it; never negative
    RC_BM25_IDF_RSJ,        // ln((N - df + 0.5) / (df + 0.5)): the plain form, negative for
                            // terms in more than half the documents
} rc_bm25_idf;

typedef struct rc_bm25_opts {
    rc_bm25_variant variant;
    rc_bm25_idf idf;
    double k1, b, delta;    // delta is used by BM25L and BM25+ only
    rc_tok_opts tok;        // analysis of documents and queries alike ...
    const rc_stopset *stop; // ... then stop words removed (NULL: none; borrowed, must outlive) ...
    bool stem;              // ... then Porter stems
} rc_bm25_opts;

// Okapi BM25 with k1 0.9, b 0.4 (Anserini's defaults), Lucene's idf, delta 0; words lower-cased
// with punctuation dropped, no stop words, Porter stemming.
RC_API rc_bm25_opts rc_bm25_defaults(void);

// An inverted index: for every term its postings (document, term frequency) in document order,
// and every document's length in terms after analysis. Documents are numbered in order of
// addition. A query term that occurs twice counts twice (as Lucene's query parser does).
// Scores use the textbook (k1+1) factor, which Lucene 8+ leaves out; the ranking is the same.
typedef struct rc_bm25 rc_bm25;
// o may be NULL (rc_bm25_defaults()); RC_ERR_ARG for a negative k1, delta or b outside [0, 1].
RC_API rc_status rc_bm25_new(rc_bm25 **ix, const rc_bm25_opts *o);
RC_API void rc_bm25_free(rc_bm25 **ix);
// Adds a document (RC_ERR_FORMAT for invalid UTF-8; RC_ERR_STATE after build).
RC_API rc_status rc_bm25_add(rc_bm25 *ix, const char *text, size_t len, char *err, size_t err_len);
// Builds the postings; after this the index is read-only and searches may run concurrently.
RC_API rc_status rc_bm25_build(rc_bm25 *ix);
RC_API int64_t rc_bm25_num_docs(const rc_bm25 *ix);
RC_API int32_t rc_bm25_num_terms(const rc_bm25 *ix);
RC_API double rc_bm25_avgdl(const rc_bm25 *ix);
// The k best documents for a query: docs[k] and scores[k] (descending; ties by document
// number), *n_found <= k of them (only documents sharing a term with the query). docs and
// scores may be NULL only when k is 0.
RC_API rc_status rc_bm25_search(const rc_bm25 *ix, const char *q, size_t len, int k, int32_t *docs,
                                float *scores, int *n_found, char *err, size_t err_len);
// The score of one document for a query (0 when it shares no term).
RC_API rc_status rc_bm25_score(const rc_bm25 *ix, const char *q, size_t len, int32_t doc,
                               double *score, char *err, size_t err_len);

RC_API const rc_bm25_opts *rc_bm25_options(const rc_bm25 *ix); // a loaded index's stop words
                                                               // belong to the index
// Names the documents (a collection's ids, printed with results and saved with the index):
// ids[n] copied, n must be rc_bm25_num_docs. RC_ERR_STATE before build.
RC_API rc_status rc_bm25_set_doc_ids(rc_bm25 *ix, const char *const *ids, int64_t n, char *err,
                                     size_t err_len);
// Document doc's id; NULL when the index has none or doc is out of range.
RC_API const char *rc_bm25_doc_id(const rc_bm25 *ix, int32_t doc);
// Saves a built index (options, stop words, terms, postings, document lengths and ids) to path,
// written whole or not at all (a temporary file renamed over it). The format is versioned and
// described in text/retrieval/bm25_io.c. RC_ERR_STATE before build; RC_ERR_IO "path: ...".
RC_API rc_status rc_bm25_save(const rc_bm25 *ix, const char *path, char *err, size_t err_len);
// Loads what rc_bm25_save wrote: a built index that scores exactly as the saved one.
// RC_ERR_IO "path: No such file or directory"; RC_ERR_FORMAT "path: not a recur BM25 index (or
// damaged): the file ends early", a newer version, counts or postings out of range.
RC_API rc_status rc_bm25_load(rc_bm25 **ix, const char *path, char *err, size_t err_len);

// ---- evaluation ---------------------------------------------------------------------------------
// Retrieval measures follow trec_eval: ranked[0..n_ranked) is a system's ranking for one query;
// the judgments are rel_docs[0..n_rel) with grades (grade > 0 is relevant; ids not in the ranking
// still count as relevant documents). Values are 0 when the query has no relevant document.

RC_API double rc_accuracy(const int32_t *pred, const int32_t *gold, int64_t n);
// Relevant documents in the top k, divided by k (trec_eval's P_k).
RC_API double rc_precision_at_k(const int32_t *ranked, int n_ranked, const int32_t *rel_docs,
                                const int32_t *grades, int n_rel, int k);
// Relevant documents in the top k, divided by the number of relevant documents.
RC_API double rc_recall_at_k(const int32_t *ranked, int n_ranked, const int32_t *rel_docs,
                             const int32_t *grades, int n_rel, int k);
// nDCG@k with linear gain (the grade) and discount log2(rank + 1), ideal from the judged grades
// (trec_eval's ndcg_cut, as BEIR reports it).
RC_API double rc_ndcg_at_k(const int32_t *ranked, int n_ranked, const int32_t *rel_docs,
                           const int32_t *grades, int n_rel, int k);
// Average precision over the whole ranking; the mean over queries is MAP.
RC_API double rc_average_precision(const int32_t *ranked, int n_ranked, const int32_t *rel_docs,
                                   const int32_t *grades, int n_rel);

// ---- labelled text files ------------------------------------------------------------------------
// Classification data sets come in several layouts; these read any of them line by line (UTF-8
// checked, empty lines skipped) and rewrite them in fastText's "__label__L text" layout, which
// rc_ft_train_file and rc_ft_test_file read.
typedef enum rc_label_layout {
    RC_LABEL_FIRST = 0, // "label text ..." (the MR, SST, TREC, SUBJ files)
    RC_LABEL_PREFIX,    // "__label__label text ..." (fastText)
    RC_LABEL_TSV_LAST,  // "text<TAB>label" (GLUE's SST-2; the last tab separates)
    RC_LABEL_TSV_FIRST, // "label<TAB>text" (the SMS Spam Collection)
} rc_label_layout;

typedef struct rc_labelled_opts {
    rc_label_layout layout;
    bool header; // the first line is a header, not an example
    bool latin1; // the file is ISO-8859-1 (MR's rt-polarity.all): decoded to UTF-8, not checked
    // Written files hold the examples in an order shuffled with this seed, not the file's: the
    // .all files list every negative example before every positive one, and SGD over such an
    // order learns little. 0 keeps the file's order.
    uint64_t shuffle_seed;
} rc_labelled_opts;

// Called for the i-th example (0-based) with its label and text (not NUL-terminated); a status
// other than RC_OK stops the reading and is returned.
typedef rc_status (*rc_labelled_fn)(void *ctx, int64_t i, const char *label, size_t label_len,
                                    const char *text, size_t text_len);
// RC_ERR_FORMAT "file:line: no label and text in the layout 'label text'" for a line without
// both; the line reader's errors. o may be NULL (RC_LABEL_FIRST, no header).
RC_API rc_status rc_labelled_each(const char *path, const rc_labelled_opts *o, rc_labelled_fn fn,
                                  void *ctx, char *err, size_t err_len);
// Writes every example of in to out as "__label__L text" (spaces in L become '_', tabs in the
// text spaces), atomically; *lines (may be NULL) receives the count. A line with a label but no
// text is skipped (fastText skips it too); a line without a label in a TSV layout is the error.
RC_API rc_status rc_labelled_to_fasttext(const char *in, const rc_labelled_opts *o, const char *out,
                                         int64_t *lines, char *err, size_t err_len);
// k-fold cross-validation: *fold (malloc'ed, [*n]) assigns each example of in to a fold in
// [0, k), folds differing in size by at most one, shuffled with seed (the same for every run).
RC_API rc_status rc_labelled_folds(const char *in, const rc_labelled_opts *o, int k, uint64_t seed,
                                   int32_t **fold, int64_t *n, char *err, size_t err_len);
// Writes the examples outside fold held_out to train_out and those inside to test_out, both in
// the fastText layout.
RC_API rc_status rc_labelled_split(const char *in, const rc_labelled_opts *o, const int32_t *fold,
                                   int64_t n, int32_t held_out, const char *train_out,
                                   const char *test_out, char *err, size_t err_len);

// ---- BEIR data sets
// -------------------------------------------------------------------------------

// A BEIR collection: corpus.jsonl ({"_id", "title", "text"}), queries.jsonl ({"_id", "text"}) and
// qrels/<split>.tsv (a header line, then "query-id<TAB>corpus-id<TAB>score", CRLF allowed).
// Only the queries judged in the split are kept, in the order of queries.jsonl. A judged
// document missing from the corpus keeps doc -1 (it still counts as relevant).
typedef struct rc_beir {
    int64_t n_docs;
    char **doc_id, **doc_text; // doc_text: title, a space, text
    int64_t n_queries;
    char **query_id, **query_text;
    int64_t *qrel_ptr; // [n_queries + 1]: query q's judgments are [qrel_ptr[q], qrel_ptr[q+1])
    int32_t *qrel_doc, *qrel_grade;
} rc_beir;

// Errors name the file and line: "corpus.jsonl:17: invalid JSON: ...", "test.tsv:5: want 3
// tab-separated fields", "test.tsv:9: bad score 'x'", "test.tsv:12: query '77' is not in
// queries.jsonl", duplicate ids. RC_ERR_ARG "rc_beir_load: split is NULL" for a NULL argument.
RC_API rc_status rc_beir_load(rc_beir **b, const char *dir, const char *split, char *err,
                              size_t err_len);
RC_API void rc_beir_free(rc_beir **b);

// The SMART format of the Cranfield collection. Documents: records that start with ".I n", then
// fields ".T" (title), ".A" (authors), ".B" (bibliography), ".W" (text), each followed by its
// lines; a document's text is its title, a space, its .W text; its id is n as written. Queries
// (".I n", ".W"): ids are their ordinals "1".."N" in file order, as the judgments number them
// (the .I numbers have gaps). Judgments: lines "query doc grade" (spaces); grade -1 (not
// relevant) is kept as 0, others as they are. queries and qrels may be NULL (documents only);
// without qrels every query is kept. Errors: "cran.qry:12: text before the first .I", "...: .I
// needs a number", "...: unknown field '.X'", "cranqrel:5: want 3 fields 'query doc grade'",
// "cranqrel:7: query 300 is not in cran.qry", duplicate ids.
RC_API rc_status rc_smart_load(rc_beir **b, const char *docs, const char *queries,
                               const char *qrels, char *err, size_t err_len);
// A corpus of one document a line (blank lines too, so ids stay line numbers): ids "1".."N",
// no queries. Errors name the file and line (invalid UTF-8, a line over 1 MiB).
RC_API rc_status rc_lines_load(rc_beir **b, const char *path, char *err, size_t err_len);

// ---- evaluating an index on a collection -------------------------------------------------------

// Means over the collection's queries (each ranked to depth RC_EVAL_DEPTH, as BEIR does).
#define RC_EVAL_DEPTH 1000
typedef struct rc_retrieval_scores {
    double ndcg_at_10, map, recall_at_100, precision_at_10;
    int64_t n_queries;
} rc_retrieval_scores;

// Runs every query of b against ix and averages trec_eval's measures (rc_ndcg_at_k, ...). The
// judged documents are found in ix by id when ix has ids (rc_bm25_doc_id), so an index saved from
// the same corpus evaluates correctly; without ids, document d of b is document d of ix. Queries
// run on `threads` threads (<= 1: the caller's); the result does not depend on it.
// RC_ERR_STATE: ix is not built; RC_ERR_NOMEM.
RC_API rc_status rc_bm25_evaluate(const rc_bm25 *ix, const rc_beir *b, int threads,
                                  rc_retrieval_scores *out, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif

#endif
