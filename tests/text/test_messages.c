// The functions of text/ without an err buffer say why they failed through rc_last_error: the
// public function first, then the argument, its value and what is wanted (docs/internals.md 1.6).
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

// ---- retrieval ----------------------------------------------------------------------------------

Test(text_messages, bm25_new_negative_k1) {
    rc_bm25_opts o = rc_bm25_defaults();
    o.k1 = -1;
    rc_bm25 *ix;
    cr_assert_eq(rc_bm25_new(&ix, &o), RC_ERR_ARG);
    cr_assert_null(ix);
    cr_assert_str_eq(rc_last_error(), "rc_bm25_new: k1 must be >= 0, got -1");
    o.k1 = NAN; // failed no comparison before, and scored every document NaN
    cr_assert_eq(rc_bm25_new(&ix, &o), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_bm25_new: k1 must be >= 0, got nan");
}

Test(text_messages, bm25_new_b_above_one_and_null_out) {
    rc_bm25_opts o = rc_bm25_defaults();
    o.b = 1.5;
    rc_bm25 *ix;
    cr_assert_eq(rc_bm25_new(&ix, &o), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_bm25_new: b must be in [0, 1], got 1.5");
    cr_assert_eq(rc_bm25_new(NULL, NULL), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_bm25_new: ix is NULL");
}

Test(text_messages, bm25_build_twice) {
    rc_bm25 *ix;
    cr_assert_eq(rc_bm25_new(&ix, NULL), RC_OK);
    cr_assert_eq(rc_bm25_add(ix, "a b", 3, NULL, 0), RC_OK);
    cr_assert_eq(rc_bm25_build(ix), RC_OK);
    cr_assert_eq(rc_bm25_build(ix), RC_ERR_STATE);
    cr_assert_str_eq(rc_last_error(), "rc_bm25_build: the index is already built");
    rc_bm25_free(&ix);
    cr_assert_eq(rc_bm25_build(NULL), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_bm25_build: ix is NULL");
}

// ---- sparse -------------------------------------------------------------------------------------

Test(text_messages, tfidf_new_bad_norm) {
    rc_tfidf_opts o = rc_tfidf_defaults();
    o.norm = (rc_norm)7;
    rc_tfidf *t;
    cr_assert_eq(rc_tfidf_new(&t, &o), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(),
                     "rc_tfidf_new: norm must be RC_NORM_L2, RC_NORM_L1 or RC_NORM_NONE, got 7");
}

Test(text_messages, tfidf_new_names_the_features_option) {
    rc_tfidf_opts o = rc_tfidf_defaults();
    o.features.ngram_min = 0;
    rc_tfidf *t;
    cr_assert_eq(rc_tfidf_new(&t, &o), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_tfidf_new: features.ngram_min must be >= 1, got 0");
}

Test(text_messages, tfidf_apply_before_fit_and_wrong_width) {
    rc_tfidf *t;
    cr_assert_eq(rc_tfidf_new(&t, NULL), RC_OK);
    rc_csr m = {.cols = 7};
    cr_assert_eq(rc_tfidf_apply(t, &m), RC_ERR_STATE);
    cr_assert_str_eq(rc_last_error(), "rc_tfidf_apply: called before rc_tfidf_fit");
    const char *docs[] = {"red green blue", "red yellow"};
    const size_t lens[] = {strlen(docs[0]), strlen(docs[1])};
    char err[256] = "";
    cr_assert_eq(rc_tfidf_fit(t, docs, lens, 2, NULL, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_tfidf_apply(t, &m), RC_ERR_SHAPE);
    cr_assert_str_eq(rc_last_error(), "rc_tfidf_apply: m has 7 columns, the model 4 features");
    cr_assert_eq(rc_tfidf_apply(t, NULL), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_tfidf_apply: m is NULL");
    rc_tfidf_free(&t);
}

Test(text_messages, features_new_bad_ngram_range) {
    rc_features_opts o = rc_features_defaults();
    o.ngram_min = 2;
    o.ngram_max = 1;
    rc_features *f;
    cr_assert_eq(rc_features_new(&f, &o), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_features_new: ngram_max must be >= ngram_min (2), got 1");
    o.ngram_max = 2;
    o.max_features = -5;
    cr_assert_eq(rc_features_new(&f, &o), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_features_new: max_features must be >= 0, got -5");
}

Test(text_messages, csr_push_column_out_of_range) {
    rc_csr m = {.cols = 3};
    cr_assert_eq(rc_csr_push(&m, 5, 1.0f), RC_ERR_RANGE);
    cr_assert_str_eq(rc_last_error(), "rc_csr_push: column 5 is outside [0,3)");
    cr_assert_eq(rc_csr_end_row(NULL), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_csr_end_row: m is NULL");
    rc_csr_free(&m);
}

Test(text_messages, csr_gather_rows_bad_index_and_same_matrix) {
    rc_csr m = {.cols = 3}, d = {0};
    for (int r = 0; r < 2; r++) {
        cr_assert_eq(rc_csr_push(&m, r, 1.0f), RC_OK);
        cr_assert_eq(rc_csr_end_row(&m), RC_OK);
    }
    const int64_t idx[] = {0, 9};
    cr_assert_eq(rc_csr_gather_rows(&m, idx, 2, &d), RC_ERR_RANGE);
    cr_assert_str_eq(rc_last_error(), "rc_csr_gather_rows: idx[1] is 9, outside [0,2)");
    cr_assert_eq(rc_csr_gather_rows(&m, idx, 1, &m), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_csr_gather_rows: dst must not be src");
    cr_assert_eq(rc_csr_gather_rows(&m, NULL, 1, &d), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_csr_gather_rows: idx is NULL");
    rc_csr_free(&m);
    rc_csr_free(&d);
}

// ---- core ---------------------------------------------------------------------------------------

Test(text_messages, vocab_add_after_finalize) {
    rc_vocab *v;
    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    cr_assert_eq(rc_vocab_add(v, "a", 1, 1), RC_OK);
    cr_assert_eq(rc_vocab_finalize(v, NULL), RC_OK);
    cr_assert_eq(rc_vocab_add(v, "b", 1, 1), RC_ERR_STATE);
    cr_assert_str_eq(rc_last_error(), "rc_vocab_add: called after rc_vocab_finalize");
    rc_tokens t = {0};
    cr_assert_eq(rc_vocab_add_tokens(v, &t), RC_ERR_STATE);
    cr_assert_str_eq(rc_last_error(), "rc_vocab_add_tokens: called after rc_vocab_finalize");
    cr_assert_eq(rc_vocab_finalize(v, NULL), RC_ERR_STATE);
    cr_assert_str_eq(rc_last_error(), "rc_vocab_finalize: the vocabulary is already finalized");
    rc_vocab_free(&v);
}

Test(text_messages, vocab_add_bad_token_and_count) {
    rc_vocab *v;
    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    cr_assert_eq(rc_vocab_add(v, "a\tb", 3, 1), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_vocab_add: token 'a\tb' holds a tab or newline");
    cr_assert_eq(rc_vocab_add(v, "", 0, 1), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_vocab_add: the token is empty");
    cr_assert_eq(rc_vocab_add(v, "a", 1, -2), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_vocab_add: count must be >= 0, got -2");
    cr_assert_eq(rc_vocab_add(v, "a", 1, INT64_MAX), RC_OK);
    cr_assert_eq(rc_vocab_add(v, "a", 1, 1), RC_ERR_RANGE);
    cr_assert_str_eq(rc_last_error(), "rc_vocab_add: the count of 'a' would pass INT64_MAX");
    rc_vocab_free(&v);
}

Test(text_messages, vocab_add_tokens_names_the_token) {
    rc_vocab *v;
    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    cr_assert_eq(rc_vocab_add(v, "x", 1, INT64_MAX), RC_OK);
    rc_tokens t = {0};
    const rc_tok_opts o = rc_tok_defaults();
    cr_assert_eq(rc_tokenize(&o, "y x", 3, &t, NULL, 0), RC_OK);
    cr_assert_eq(rc_vocab_add_tokens(v, &t), RC_ERR_RANGE);
    cr_assert_str_eq(rc_last_error(), "rc_vocab_add_tokens: the count of 'x' would pass INT64_MAX");
    rc_tokens_free(&t);
    rc_vocab_free(&v);
}

Test(text_messages, vocab_finalize_bad_options) {
    rc_vocab *v;
    cr_assert_eq(rc_vocab_new(&v), RC_OK);
    rc_vocab_opts o = {.max_size = -1};
    cr_assert_eq(rc_vocab_finalize(v, &o), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_vocab_finalize: max_size must be >= 0, got -1");
    o = (rc_vocab_opts){.specials = 8};
    cr_assert_eq(rc_vocab_finalize(v, &o), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(),
                     "rc_vocab_finalize: specials must be RC_SPECIAL_* flags (at most 7), got 8");
    cr_assert_eq(rc_vocab_new(NULL), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_vocab_new: v is NULL");
    rc_vocab_free(&v);
}

Test(text_messages, stopset_new_null_word) {
    const char *words[] = {"a", NULL};
    rc_stopset *s;
    cr_assert_eq(rc_stopset_new(&s, words, 2), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_stopset_new: words[1] is NULL");
    cr_assert_eq(rc_stopset_new(&s, NULL, 1), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_stopset_new: words is NULL");
}

Test(text_messages, tokens_stem_null) {
    cr_assert_eq(rc_tokens_stem(NULL), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_tokens_stem: t is NULL");
}

// ---- embed --------------------------------------------------------------------------------------

Test(text_messages, wordvecs_add_whitespace_duplicate_full) {
    rc_wordvecs *wv;
    cr_assert_eq(rc_wordvecs_new(&wv, 1, 2), RC_OK);
    const float vec[2] = {1, 2};
    cr_assert_eq(rc_wordvecs_add(wv, "a b", 3, vec), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_wordvecs_add: word 'a b' contains whitespace");
    cr_assert_eq(rc_wordvecs_add(wv, "\xff", 1, vec), RC_ERR_FORMAT);
    cr_assert(strstr(rc_last_error(), "rc_wordvecs_add: invalid UTF-8 at byte 0: "), "%s",
              rc_last_error());
    cr_assert_eq(rc_wordvecs_add(wv, "a", 1, vec), RC_OK);
    cr_assert_eq(rc_wordvecs_add(wv, "b", 1, vec), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_wordvecs_add: the table is full (1 rows)");
    rc_wordvecs_free(&wv);
    cr_assert_eq(rc_wordvecs_new(&wv, 2, 2), RC_OK);
    cr_assert_eq(rc_wordvecs_add(wv, "a", 1, vec), RC_OK);
    cr_assert_eq(rc_wordvecs_add(wv, "a", 1, vec), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_wordvecs_add: duplicate word 'a'");
    cr_assert_eq(rc_wordvecs_add(wv, "c", 1, NULL), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_wordvecs_add: vec is NULL");
    rc_wordvecs_free(&wv);
}

Test(text_messages, wordvecs_new_bad_dim) {
    rc_wordvecs *wv;
    cr_assert_eq(rc_wordvecs_new(&wv, 4, 0), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_wordvecs_new: D must be >= 1, got 0");
    cr_assert_eq(rc_wordvecs_new(&wv, -1, 3), RC_ERR_ARG);
    cr_assert(strstr(rc_last_error(), "rc_wordvecs_new: cap must be in [0, "), "%s",
              rc_last_error());
    cr_assert(strstr(rc_last_error(), "] for D = 3, got -1"), "%s", rc_last_error());
}

Test(text_messages, huffman_new_too_few_leaves_and_negative_count) {
    const int64_t counts[] = {4, -3};
    rc_huffman *h;
    cr_assert_eq(rc_huffman_new(&h, counts, 1), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_huffman_new: n must be >= 2, got 1");
    cr_assert_eq(rc_huffman_new(&h, counts, 2), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_huffman_new: counts[1] must be >= 0, got -3");
    cr_assert_eq(rc_huffman_new(&h, NULL, 2), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_huffman_new: counts is NULL");
}

Test(text_messages, unigram_table_zero_counts_and_bad_power) {
    const int64_t zeros[] = {0, 0, 0}, ones[] = {1, 1};
    rc_unigram_table *t;
    cr_assert_eq(rc_unigram_table_new(&t, zeros, 3, 0.75), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_unigram_table_new: every count is zero");
    cr_assert_eq(rc_unigram_table_new(&t, ones, 2, INFINITY), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_unigram_table_new: power must be finite, got inf");
    cr_assert_eq(rc_unigram_table_new(&t, ones, 0, 0.75), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_unigram_table_new: n must be >= 1, got 0");
}

Test(text_messages, w2v_word_vector_unknown_word) {
    char path[512];
    tu_tmpfile(path, sizeof path, "msg-corpus.txt");
    const char text[] = "a b c a b c\nb c a b c a\n";
    tu_write_file(path, text, sizeof text - 1);
    rc_w2v_opts o = rc_w2v_defaults();
    o.dim = 4;
    o.min_count = 1;
    o.epochs = 1;
    o.threads = 1;
    rc_w2v *m;
    char err[256] = "";
    cr_assert_eq(rc_w2v_train_file(&m, path, &o, NULL, err, sizeof err), RC_OK, "%s", err);
    unlink(path);
    float v[4];
    cr_assert_eq(rc_w2v_word_vector(m, "zzz", 3, v), RC_ERR_NOTFOUND);
    cr_assert_str_eq(rc_last_error(),
                     "rc_w2v_word_vector: word 'zzz' is not in the vocabulary (no subwords)");
    cr_assert_eq(rc_w2v_word_vector(m, "a", 1, NULL), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_w2v_word_vector: out is NULL");
    cr_assert_eq(rc_w2v_to_wordvecs(m, NULL), RC_ERR_ARG);
    cr_assert_str_eq(rc_last_error(), "rc_w2v_to_wordvecs: wv is NULL");
    rc_w2v_free(&m);
}
