// recur: word2vec (skip-gram, CBOW), fastText subword embeddings and fastText-style
// classification, with the word-vector evaluations.
//
// Functions that read files return rc_status and write a message naming the file and line into
// `err` (err_len bytes, always NUL-terminated; err may be NULL): "vecs.vec:17: expected 100
// values after the word, found 99". NULL arguments follow text.h's policy: a required pointer
// is RC_ERR_ARG ("rc_w2v_train_file: path is NULL"), a NULL options pointer is the defaults
// (rc_w2v_defaults(), rc_ft_defaults(), rc_eval_defaults()).
#ifndef RECUR_EMBED_H
#define RECUR_EMBED_H

#include "text.h"

#ifdef __cplusplus
extern "C" {
#endif

// Declared in text.h as well; repeated here so this header stands on its own (C11 allows it).
typedef struct rc_vocab rc_vocab;

// ---- Huffman tree (hierarchical softmax) ------------------------------------------------------

// The binary Huffman tree over n leaves built as word2vec.c (and fastText's hierarchical softmax)
// builds it: the leaves sorted by count, descending (ties keep id order), the two smallest nodes
// merged repeatedly, an inner node preferred over a leaf of equal count. Leaf i's path runs from
// the root: at depth d it passes inner node point[start[i] + d] (ids 0..n-2, the root is n-2) and
// takes branch code[start[i] + d] (0 or 1), for len(i) = start[i+1] - start[i] steps.
typedef struct rc_huffman {
    int32_t n;       // leaves
    int32_t max_len; // longest path
    int64_t *start;  // [n+1]
    uint8_t *code;   // [start[n]]
    int32_t *point;  // [start[n]]
} rc_huffman;

// counts[n] >= 0; n >= 2 (RC_ERR_ARG otherwise: a tree needs two leaves).
RC_API rc_status rc_huffman_new(rc_huffman **h, const int64_t *counts, int32_t n);
RC_API void rc_huffman_free(rc_huffman **h);

// ---- sampling -----------------------------------------------------------------------------------

// Negative-sampling distribution P(i) = counts[i]^power / sum_j counts[j]^power (word2vec and
// gensim: power 0.75; fastText: 0.5). word2vec.c draws from a 1e8-entry table that approximates
// P; this draws from P exactly with Walker's alias method (n entries, one random number a draw).
typedef struct rc_unigram_table rc_unigram_table;

// RC_ERR_ARG when n < 1, a count is negative, or every count is zero.
RC_API rc_status rc_unigram_table_new(rc_unigram_table **t, const int64_t *counts, int32_t n,
                                      double power);
RC_API void rc_unigram_table_free(rc_unigram_table **t);
RC_API int32_t rc_unigram_table_sample(const rc_unigram_table *t, rc_rng *rng); // -1: t NULL
RC_API double rc_unigram_table_prob(const rc_unigram_table *t, int32_t i); // P(i); 0 out of range
RC_API int32_t rc_unigram_table_size(const rc_unigram_table *t);

// Frequent-word subsampling: the probability of keeping one occurrence of a word seen `count`
// times among `total` tokens, with threshold t, as word2vec.c defines it:
// (sqrt(count / (t*total)) + 1) * (t*total) / count, capped at 1. This equals fastText's
// sqrt(t/f) + t/f with f = count/total, and gensim's. t <= 0 keeps every word.
RC_API double rc_subsample_keep_prob(int64_t count, int64_t total, double t);

// The learning rate after a fraction `progress` (0..1) of all training words: lr0 * (1 - progress),
// never below lr0 * 1e-4 (word2vec.c's floor, gensim's default min_alpha 1e-4 * alpha).
RC_API float rc_linear_lr(float lr0, double progress);

// ---- fastText hashing ---------------------------------------------------------------------------

// fastText's 32-bit FNV-1a over the bytes of s, each byte taken as a signed char (as fastText
// does on every platform, so bucket ids agree with its released models): h = 2166136261; for each
// byte b: h = (h ^ (uint32_t)(int32_t)(int8_t)b) * 16777619.
RC_API uint32_t rc_fasttext_hash(const char *s, size_t len);

// Calls fn for every character n-gram of "<" word ">" with minn <= n <= maxn code points, in
// fastText's order (by start, then by length), skipping the one-character n-grams "<" and ">".
// A multi-byte UTF-8 character is never split; invalid UTF-8 bytes count as one character each.
// fn receives the n-gram's bytes and its rc_fasttext_hash. Returns the number of n-grams.
typedef void (*rc_ngram_fn)(const char *ngram, size_t len, uint32_t hash, void *user);
RC_API int64_t rc_fasttext_ngrams(const char *word, size_t len, int minn, int maxn, rc_ngram_fn fn,
                                  void *user);

// The bucket ids (hash % bucket, in [0, bucket)) of word's n-grams as above, written to
// ids[0..cap); returns how many there are (may exceed cap: then only cap were written).
// fastText's input-matrix row of a subword is nwords + bucket id. bucket must be > 0.
RC_API int64_t rc_fasttext_subwords(const char *word, size_t len, int minn, int maxn,
                                    uint32_t bucket, int32_t *ids, int64_t cap);

// Word n-grams of a sentence for supervised models, as fastText's addWordNgrams computes them
// from the tokens' rc_fasttext_hash values: for each i and each j in (i, i+n), the hash chain
// h = h * 116049371 + hashes[j] over 64-bit integers, the 32-bit hashes sign-extended, then
// h % bucket. Writes up to cap bucket ids; returns how many there are. n <= 1 gives none.
RC_API int64_t rc_fasttext_word_ngrams(const uint32_t *hashes, int64_t n_tokens, int n,
                                       uint32_t bucket, int32_t *ids, int64_t cap);

// ---- word vectors and the .vec format ----------------------------------------------------------

// A table of named vectors: V words (distinct, UTF-8) with D floats each, in row order (for files
// from word2vec, fastText and gensim: most frequent first). Owns its memory.
typedef struct rc_wordvecs rc_wordvecs;

// An empty table with room for `cap` rows of D floats.
RC_API rc_status rc_wordvecs_new(rc_wordvecs **wv, int64_t cap, int32_t D);
RC_API void rc_wordvecs_free(rc_wordvecs **wv);
// Appends a row (word and D floats copied). RC_ERR_ARG for an empty word, one with whitespace,
// a duplicate or a full table; RC_ERR_FORMAT for invalid UTF-8.
RC_API rc_status rc_wordvecs_add(rc_wordvecs *wv, const char *word, size_t len, const float *vec);
RC_API int64_t rc_wordvecs_count(const rc_wordvecs *wv);
RC_API int32_t rc_wordvecs_dim(const rc_wordvecs *wv);
RC_API int64_t rc_wordvecs_find(const rc_wordvecs *wv, const char *word, size_t len); // -1: absent
RC_API const char *rc_wordvecs_word(const rc_wordvecs *wv, int64_t i); // NULL out of range
RC_API const float *rc_wordvecs_vec(const rc_wordvecs *wv, int64_t i); // NULL out of range
RC_API float *rc_wordvecs_data(rc_wordvecs *wv);                       // [V,D] row-major, writable

// How rc_wordvecs_load_vec treats a repeated word: an error (default) or gensim's way, keep the
// first and skip the others (counted in the stats).
typedef struct rc_vec_load_opts {
    bool skip_duplicates;
    int64_t limit; // read at most this many vectors (0: all), like gensim's `limit`
} rc_vec_load_opts;

typedef struct rc_vec_load_stats {
    int64_t duplicates_skipped;
} rc_vec_load_stats;

// Reads the word2vec text format that word2vec.c, fastText (.vec) and gensim write: a header
// line "V D", then V lines "word v1 ... vD" (spaces or tabs, trailing spaces and CR allowed).
// Errors (RC_ERR_FORMAT, message "path:line: ..."): a bad header, a wrong number of values, a
// value that is not a finite number, invalid UTF-8, a duplicate word, fewer lines than the header
// promises, extra non-empty lines after them. opts and stats may be NULL.
RC_API rc_status rc_wordvecs_load_vec(rc_wordvecs **wv, const char *path,
                                      const rc_vec_load_opts *opts, rc_vec_load_stats *stats,
                                      char *err, size_t err_len);
// Writes the same format (values with 9 significant digits, enough to read back the same
// floats) to a temporary file, fsyncs and renames it over path.
RC_API rc_status rc_wordvecs_save_vec(const rc_wordvecs *wv, const char *path, char *err,
                                      size_t err_len);

// ---- word2vec and fastText-style unsupervised training --------------------------------------

typedef enum rc_w2v_arch { RC_W2V_SKIPGRAM = 0, RC_W2V_CBOW } rc_w2v_arch;
typedef enum rc_w2v_loss {
    RC_W2V_NEG = 0, // negative sampling from counts^ns_power
    RC_W2V_HS,      // hierarchical softmax over the Huffman tree of the counts
} rc_w2v_loss;

// Training settings. rc_w2v_defaults gives gensim's Word2Vec defaults (skip-gram, dim 100,
// window 5, 5 negatives, sample 1e-3, lr 0.025, 5 epochs, min_count 5) without subwords;
// minn = 3, maxn = 6 turns on fastText's character n-grams (bucket 2000000).
typedef struct rc_w2v_opts {
    rc_w2v_arch arch;
    rc_w2v_loss loss;
    int32_t dim;
    int32_t window;   // the largest distance; each centre draws its own from 1..window
    int32_t negative; // negatives per positive (RC_W2V_NEG)
    double ns_power;  // 0.75 (word2vec, gensim); fastText uses 0.5
    double sample;    // subsampling threshold t (rc_subsample_keep_prob); 0: off
    float lr;         // start; decays linearly to lr * 1e-4 over all epochs
    int32_t epochs;
    int64_t min_count;
    int64_t max_vocab;  // 0: no limit
    int32_t minn, maxn; // character n-gram lengths; maxn 0: plain word vectors
    uint32_t bucket;    // hash buckets for the n-grams
    int32_t threads;    // 1: deterministic (same seed, same vectors); > 1: Hogwild
    uint64_t seed;
    int32_t batch;        // training pairs per graph (skip-gram) or centres (CBOW); 0: auto
    int64_t max_sentence; // longer lines are cut into pieces of this many words (10000)
    // Called about every 100000 words from the training thread(s) with the fraction done, the
    // current learning rate and the mean loss per pair so far; may be NULL.
    void (*progress)(double done, float lr, double loss, void *user);
    void *user;
} rc_w2v_opts;

RC_API rc_w2v_opts rc_w2v_defaults(void);

typedef struct rc_w2v_stats {
    int64_t words;      // corpus words in the vocabulary, one epoch
    int64_t words_seen; // over all epochs (the lr schedule's count)
    int64_t words_kept; // after subsampling, over all epochs
    int64_t examples;   // (centre, context) pairs for skip-gram, centres for CBOW
    double seconds;     // training time (reading the corpus and building the vocabulary not
                        // included; see read_seconds)
    double cpu_seconds; // processor time of the process during training (all threads): the
                        // figure to compare when other jobs share the machine
    double read_seconds;
    double loss; // mean loss per example over the last epoch
} rc_w2v_stats;

// A trained model: the vocabulary, the input table (V word rows, then `bucket` n-gram rows) and
// the output table, in a parameter store ("input", "output").
typedef struct rc_w2v rc_w2v;

// Reads a corpus (UTF-8, words separated by whitespace or NUL bytes as fastText reads them, so
// that every word can be written to a .vec file; one sentence a line; empty lines are
// skipped, longer lines are cut at max_sentence words; words outside the vocabulary are dropped
// as word2vec, fastText and gensim drop them), builds the vocabulary (min_count, max_vocab; ids
// by count, most frequent first) and trains. The corpus is held in memory as word ids (4 bytes a
// word). Errors: RC_ERR_ARG for bad settings (message names the setting), the file's errors
// with file and line (invalid UTF-8), RC_ERR_ARG "empty vocabulary" when no word reaches
// min_count. stats may be NULL.
RC_API rc_status rc_w2v_train_file(rc_w2v **m, const char *path, const rc_w2v_opts *o,
                                   rc_w2v_stats *stats, char *err, size_t err_len);
RC_API void rc_w2v_free(rc_w2v **m);

RC_API const rc_vocab *rc_w2v_vocab(const rc_w2v *m);
RC_API rc_params *rc_w2v_params(const rc_w2v *m);
RC_API const rc_w2v_opts *rc_w2v_options(const rc_w2v *m);
// The vector of a word: its input row, or with subwords the mean of its row and its n-gram rows
// (fastText's getWordVector); a word outside the vocabulary gets the mean of its n-gram rows.
// RC_ERR_NOTFOUND when the word is unknown and has no n-grams. out has dim floats.
RC_API rc_status rc_w2v_word_vector(const rc_w2v *m, const char *word, size_t len, float *out);
// The vectors of every vocabulary word, in id order (most frequent first).
RC_API rc_status rc_w2v_to_wordvecs(const rc_w2v *m, rc_wordvecs **wv);

// ---- fastText-style supervised classification ------------------------------------------------

typedef enum rc_ft_loss {
    RC_FT_SOFTMAX = 0, // full softmax over the labels
    RC_FT_HS,          // hierarchical softmax over the Huffman tree of the label counts
    RC_FT_NS,          // negative sampling of labels (counts^0.5), scores are sigmoids
} rc_ft_loss;

// fastText `supervised` defaults (rc_ft_defaults): dim 100, lr 0.1, 5 epochs, word_ngrams 1,
// min_count 1, softmax, 5 negatives, bucket 2000000, labels "__label__"-prefixed tokens.
typedef struct rc_ft_opts {
    int32_t dim;
    float lr; // decays linearly to 0 over all epochs' tokens, as fastText
    int32_t epochs;
    int32_t word_ngrams; // 2: unigrams + hashed bigrams (fastText's -wordNgrams)
    int32_t minn, maxn;  // character n-grams (0 0: none)
    uint32_t bucket;
    int64_t min_count;
    rc_ft_loss loss;
    int32_t negative;
    int32_t threads; // 1: deterministic; > 1: Hogwild over the lines
    uint64_t seed;
    int32_t batch; // lines per graph; 1 (default) is fastText's per-example SGD
    // A token starting with this prefix is a label (anywhere in the line, as fastText). NULL or
    // "": the first token of each line is the label ("0 text ...", the SST/MR files' layout).
    const char *label_prefix;
} rc_ft_opts;

RC_API rc_ft_opts rc_ft_defaults(void);

typedef struct rc_ft_stats {
    int64_t lines, tokens;                   // training lines used and their tokens
    int64_t skipped_no_label, skipped_empty; // documented skips: no label / no word
    double seconds;                          // training only
    double cpu_seconds; // processor time of the process during training (all threads)
    double loss;        // mean over the last epoch
} rc_ft_stats;

typedef struct rc_ft rc_ft;

// Trains from a file of labelled lines (UTF-8, tokens separated by whitespace or NUL bytes, as
// fastText reads them). Lines without a
// label or without a word are skipped and counted; invalid UTF-8 is an error naming file and
// line; RC_ERR_ARG when there is no label or no word at all.
RC_API rc_status rc_ft_train_file(rc_ft **m, const char *path, const rc_ft_opts *o,
                                  rc_ft_stats *stats, char *err, size_t err_len);
RC_API void rc_ft_free(rc_ft **m);
RC_API int32_t rc_ft_num_labels(const rc_ft *m);
RC_API const char *rc_ft_label(const rc_ft *m, int32_t i); // with its prefix; NULL out of range
RC_API const rc_vocab *rc_ft_vocab(const rc_ft *m);
RC_API rc_params *rc_ft_params(const rc_ft *m); // "input" [V + bucket, dim], "output"
// The k most probable labels of a text (tokens split on whitespace; label tokens ignored), best
// first, with probabilities (softmax, HS path products, or NS sigmoids) at least `threshold`.
// Returns how many were written to labels[k] / probs[k] (0 when the text has no known feature).
RC_API int32_t rc_ft_predict(const rc_ft *m, const char *text, size_t len, int32_t k,
                             float threshold, int32_t *labels, float *probs);

typedef struct rc_ft_test_result {
    int64_t examples;                   // lines with a label and a known feature
    int64_t skipped;                    // lines without
    double precision_at_k, recall_at_k; // as fastText's `test` computes them
    double accuracy;                    // top-1 label among the line's labels
} rc_ft_test_result;

// Evaluates on a labelled file with the model's label prefix (fastText `test FILE k`).
RC_API rc_status rc_ft_test_file(const rc_ft *m, const char *path, int32_t k,
                                 rc_ft_test_result *res, char *err, size_t err_len);

// ---- evaluation ---------------------------------------------------------------------------------

// The k rows most similar to q[D] by cosine, best first, skipping the rows in exclude[n_exclude]
// and rows of norm zero. Writes ids[k] and sims[k] (either may be NULL); returns how many were
// written (fewer than k when the table is small).
RC_API int64_t rc_wordvecs_nearest(const rc_wordvecs *wv, const float *q, int64_t k,
                                   const int64_t *exclude, int64_t n_exclude, int64_t *ids,
                                   float *sims);

// Options shared by the analogy and word-similarity evaluations, with gensim's defaults
// (rc_eval_defaults): only the first restrict_vocab rows take part (files list the most frequent
// words first), and words are matched case-insensitively (a folded word maps to its most
// frequent row). Case folding is Unicode simple lower-casing.
typedef struct rc_eval_opts {
    int64_t restrict_vocab; // 0: all rows
    bool case_insensitive;
} rc_eval_opts;
RC_API rc_eval_opts rc_eval_defaults(void); // {300000, true}

typedef struct rc_analogy_section {
    char name[64];
    int64_t correct, answered; // answered: questions with all four words known
    int64_t skipped;           // questions with a word outside the restricted vocabulary
} rc_analogy_section;

typedef struct rc_analogy_result {
    int n_sections;
    rc_analogy_section *sections; // owned; free with rc_analogy_result_free
    rc_analogy_section total;     // named "total"
    double accuracy;              // total.correct / total.answered (0 when none answered)
    double coverage;              // answered / (answered + skipped)
} rc_analogy_result;

// Analogies a:b::c:d from a questions-words.txt file (": section" headers, then lines of four
// words), answered by 3CosAdd as gensim's evaluate_word_analogies does: the row closest by cosine
// to unit(b) - unit(a) + unit(c) among the restricted rows, skipping a, b and c themselves (and,
// case-insensitively, any spelling of them); correct when it is d. Questions with a word outside
// the restricted vocabulary are skipped and counted, as gensim does. Errors name file and line
// (a question line without four words, invalid UTF-8).
RC_API rc_status rc_eval_analogies(const rc_wordvecs *wv, const char *path, const rc_eval_opts *o,
                                   rc_analogy_result *res, char *err, size_t err_len);
RC_API void rc_analogy_result_free(rc_analogy_result *r);

typedef struct rc_wordsim_result {
    int64_t pairs;   // pairs with both words known
    int64_t skipped; // pairs with an unknown word
    double spearman, pearson;
} rc_wordsim_result;

// Word similarity from a file of "word1<TAB>word2<TAB>score" lines ('#' lines are comments, as in
// wordsim353.tsv): Spearman's rank correlation (average ranks for ties) and Pearson's correlation
// between the human scores and the cosine similarities, over the pairs with both words known.
// Errors name file and line (too few fields, a score that is not a number, invalid UTF-8).
RC_API rc_status rc_eval_wordsim(const rc_wordvecs *wv, const char *path, const rc_eval_opts *o,
                                 rc_wordsim_result *res, char *err, size_t err_len);

// Spearman's rho of x[n] and y[n]: Pearson's correlation of their ranks, ties given the average
// of the ranks they span. NaN when n < 2 or either side is constant.
RC_API double rc_spearman(const double *x, const double *y, int64_t n);
RC_API double rc_pearson(const double *x, const double *y, int64_t n);

#ifdef __cplusplus
}
#endif

#endif
