// word2vec: the Huffman tree, the negative-sampling table, subsampling and the learning rate.
#include <math.h>
#include <stdlib.h>

#include "test_util.h"

static void assert_path(const rc_huffman *h, int32_t w, const char *code, const int32_t *point) {
    int64_t len = h->start[w + 1] - h->start[w];
    cr_assert_eq(len, (int64_t)strlen(code), "word %d: code length %lld, want %zu", w,
                 (long long)len, strlen(code));
    for (int64_t d = 0; d < len; d++) {
        cr_assert_eq(h->code[h->start[w] + d], code[d] - '0', "word %d code[%lld]", w,
                     (long long)d);
        cr_assert_eq(h->point[h->start[w] + d], point[d], "word %d point[%lld]", w, (long long)d);
    }
}

// Counts 4 3 2 1, by hand following word2vec.c: merge 1+2 -> inner 0 (count 3; leaf "2" is the
// second-smallest, branch 1); then inner 0 (3) ties with leaf "3": the inner node is taken first,
// so inner 1 = {inner 0 (branch 0), leaf 3 (branch 1)} with count 6; then root inner 2 =
// {leaf 4 (branch 0), inner 1 (branch 1)}. Paths from the root:
//   count 4: [0] via [2];  count 3: [1 1] via [2 1];  count 2: [1 0 1], count 1: [1 0 0] via [2 1
//   0].
Test(text, huffman_hand_computed) {
    const int64_t counts[4] = {4, 3, 2, 1};
    rc_huffman *h = NULL;
    cr_assert_eq(rc_huffman_new(&h, counts, 4), RC_OK);
    assert_path(h, 0, "0", (int32_t[]){2});
    assert_path(h, 1, "11", (int32_t[]){2, 1});
    assert_path(h, 2, "101", (int32_t[]){2, 1, 0});
    assert_path(h, 3, "100", (int32_t[]){2, 1, 0});
    cr_assert_eq(h->max_len, 3);
    rc_huffman_free(&h);
    cr_assert_null(h);
}

// Ids need not be sorted: the same counts permuted give the same paths per count.
Test(text, huffman_unsorted_ids) {
    const int64_t counts[4] = {2, 4, 1, 3};
    rc_huffman *h = NULL;
    cr_assert_eq(rc_huffman_new(&h, counts, 4), RC_OK);
    assert_path(h, 1, "0", (int32_t[]){2});
    assert_path(h, 3, "11", (int32_t[]){2, 1});
    assert_path(h, 0, "101", (int32_t[]){2, 1, 0});
    assert_path(h, 2, "100", (int32_t[]){2, 1, 0});
    rc_huffman_free(&h);
}

// A Huffman code is prefix-free and minimises sum count * length; check both on skewed counts
// against the optimum computed by repeated merging of the two smallest weights.
Test(text, huffman_prefix_free_and_optimal) {
    enum { N = 40 };
    int64_t counts[N];
    for (int i = 0; i < N; i++)
        counts[i] = (int64_t)(1000.0 / (i + 1)) + (i % 3);
    rc_huffman *h = NULL;
    cr_assert_eq(rc_huffman_new(&h, counts, N), RC_OK);
    int64_t cost = 0;
    for (int a = 0; a < N; a++) {
        int64_t la = h->start[a + 1] - h->start[a];
        cost += counts[a] * la;
        cr_assert_eq(h->point[h->start[a]], N - 2, "every path starts at the root");
        for (int b = 0; b < N; b++) {
            int64_t lb = h->start[b + 1] - h->start[b];
            if (a == b || lb < la)
                continue;
            bool prefix = true;
            for (int64_t d = 0; d < la; d++)
                prefix = prefix && h->code[h->start[a] + d] == h->code[h->start[b] + d];
            cr_assert_not(prefix, "code of %d is a prefix of the code of %d", a, b);
        }
    }
    int64_t w[N], n = N, opt = 0;
    for (int i = 0; i < N; i++)
        w[i] = counts[i];
    while (n > 1) { // O(n^2) reference: merge the two smallest
        int i1 = 0;
        for (int i = 1; i < n; i++)
            if (w[i] < w[i1])
                i1 = i;
        int64_t a = w[i1];
        w[i1] = w[--n];
        int i2 = 0;
        for (int i = 1; i < n; i++)
            if (w[i] < w[i2])
                i2 = i;
        w[i2] += a;
        opt += w[i2];
    }
    cr_assert_eq(cost, opt, "weighted path length %lld, optimum %lld", (long long)cost,
                 (long long)opt);
    rc_huffman_free(&h);
}

Test(text, huffman_bad_arguments) {
    rc_huffman *h = (rc_huffman *)1;
    cr_assert_eq(rc_huffman_new(&h, (int64_t[]){5}, 1), RC_ERR_ARG);
    cr_assert_null(h);
    cr_assert_eq(rc_huffman_new(&h, (int64_t[]){5, -1}, 2), RC_ERR_ARG);
    rc_huffman_free(&h);
}

Test(text, unigram_table_probabilities_and_draws) {
    const int64_t counts[5] = {100, 50, 10, 0, 1};
    rc_unigram_table *t = NULL;
    cr_assert_eq(rc_unigram_table_new(&t, counts, 5, 0.75), RC_OK);
    double z = 0;
    for (int i = 0; i < 5; i++)
        z += counts[i] ? pow((double)counts[i], 0.75) : 0;
    for (int i = 0; i < 5; i++) {
        double want = counts[i] ? pow((double)counts[i], 0.75) / z : 0;
        cr_assert(fabs(rc_unigram_table_prob(t, i) - want) < 1e-12, "P(%d)", i);
    }
    enum { DRAWS = 400000 };
    int64_t hits[5] = {0};
    rc_rng r;
    rc_rng_seed(&r, 7);
    for (int k = 0; k < DRAWS; k++) {
        int32_t i = rc_unigram_table_sample(t, &r);
        cr_assert(i >= 0 && i < 5);
        hits[i]++;
    }
    cr_assert_eq(hits[3], 0, "a zero count is never drawn");
    for (int i = 0; i < 5; i++) {
        double p = rc_unigram_table_prob(t, i), sd = sqrt(DRAWS * p * (1 - p));
        cr_assert(fabs((double)hits[i] - DRAWS * p) <= 5 * sd + 1,
                  "word %d: %lld draws, expected %.0f +- %.0f", i, (long long)hits[i], DRAWS * p,
                  sd);
    }
    rc_unigram_table_free(&t);
    cr_assert_null(t);
    cr_assert_eq(rc_unigram_table_new(&t, (int64_t[]){0, 0}, 2, 0.75), RC_ERR_ARG);
    cr_assert_eq(rc_unigram_table_new(&t, (int64_t[]){3, -2}, 2, 0.75), RC_ERR_ARG);
}

Test(text, subsample_keep_probability) {
    // word2vec.c: (sqrt(c/(t*T)) + 1) * (t*T) / c; with t*T = 100: c = 400 -> (2+1)/4 = 0.75.
    cr_assert(fabs(rc_subsample_keep_prob(400, 100000, 1e-3) - 0.75) < 1e-12);
    // c = 10000: (10 + 1) / 100 = 0.11.
    cr_assert(fabs(rc_subsample_keep_prob(10000, 100000, 1e-3) - 0.11) < 1e-12);
    cr_assert_eq(rc_subsample_keep_prob(50, 100000, 1e-3), 1.0, "rare words are always kept");
    cr_assert_eq(rc_subsample_keep_prob(50000, 100000, 0), 1.0, "t = 0 keeps everything");
    // The same as fastText's sqrt(t/f) + t/f.
    double f = 3000.0 / 1e6, t = 1e-4;
    cr_assert(fabs(rc_subsample_keep_prob(3000, 1000000, t) - (sqrt(t / f) + t / f)) < 1e-12);
}

Test(text, linear_learning_rate) {
    cr_assert_float_eq(rc_linear_lr(0.025f, 0.0), 0.025f, 1e-9);
    cr_assert_float_eq(rc_linear_lr(0.025f, 0.5), 0.0125f, 1e-9);
    cr_assert_float_eq(rc_linear_lr(0.025f, 1.0), 0.025f * 1e-4f, 1e-12);
    cr_assert_float_eq(rc_linear_lr(0.025f, 2.0), 0.025f * 1e-4f, 1e-12);
}
