// word2vec / fastText training on small synthetic corpora with a planted structure: words that
// share sentences (a "topic") must end up nearest neighbours; the single-thread mode is
// deterministic; bad corpora and settings give clear errors.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

enum { TOPICS = 4, PER_TOPIC = 8 };

static char dir[256];
static void setup(void) {
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
}
TestSuite(w2v, .init = setup);

// Word j of topic t is "<t letter><t letter>w<j>", e.g. "aaw3", "bbw0": topics share no n-grams
// of length >= 3 except "w<j>"-parts, which carry no topic signal.
static void word_of(int t, int j, char *out) {
    snprintf(out, 16, "%c%cw%d", 'a' + t, 'a' + t, j);
}

// 1600 sentences of 12 words, each drawn from one topic.
static const char *planted_corpus(void) {
    static char path[512];
    snprintf(path, sizeof path, "%s/planted.txt", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    rc_rng r;
    rc_rng_seed(&r, 42);
    for (int s = 0; s < 1600; s++) {
        int t = (int)rc_rng_below(&r, TOPICS);
        for (int k = 0; k < 12; k++) {
            char w[16];
            word_of(t, (int)rc_rng_below(&r, PER_TOPIC), w);
            fprintf(f, "%s%s", k ? " " : "", w);
        }
        fputc('\n', f);
    }
    fclose(f);
    return path;
}

static rc_w2v_opts small_opts(void) {
    rc_w2v_opts o = rc_w2v_defaults();
    o.dim = 16;
    o.window = 4;
    o.min_count = 1;
    o.sample = 0;
    o.epochs = 3;
    o.lr = 0.05f;
    o.seed = 7;
    return o;
}

// Fraction of words whose 3 nearest neighbours all share their topic.
static double topic_purity(const rc_wordvecs *wv) {
    int good = 0, n = 0;
    for (int64_t i = 0; i < rc_wordvecs_count(wv); i++) {
        const char *w = rc_wordvecs_word(wv, i);
        int64_t ids[3];
        cr_assert_eq(rc_wordvecs_nearest(wv, rc_wordvecs_vec(wv, i), 3, &i, 1, ids, NULL), 3);
        bool all = true;
        for (int k = 0; k < 3; k++)
            all = all && rc_wordvecs_word(wv, ids[k])[0] == w[0];
        good += all;
        n++;
    }
    return (double)good / n;
}

static double train_purity(const rc_w2v_opts *o) {
    char err[256] = "";
    rc_w2v *m = NULL;
    rc_w2v_stats s;
    cr_assert_eq(rc_w2v_train_file(&m, planted_corpus(), o, &s, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(s.words, 1600 * 12);
    cr_assert_eq(s.words_seen, (int64_t)1600 * 12 * o->epochs);
    cr_assert(isfinite(s.loss) && s.loss > 0);
    rc_wordvecs *wv = NULL;
    cr_assert_eq(rc_w2v_to_wordvecs(m, &wv), RC_OK);
    cr_assert_eq(rc_wordvecs_count(wv), TOPICS * PER_TOPIC);
    double p = topic_purity(wv);
    rc_wordvecs_free(&wv);
    rc_w2v_free(&m);
    return p;
}

Test(w2v, skipgram_negative_sampling_learns_topics) {
    rc_w2v_opts o = small_opts();
    double p = train_purity(&o);
    cr_assert_geq(p, 0.95, "purity %.3f", p);
}

Test(w2v, skipgram_hierarchical_softmax_learns_topics) {
    rc_w2v_opts o = small_opts();
    o.loss = RC_W2V_HS;
    double p = train_purity(&o);
    cr_assert_geq(p, 0.95, "purity %.3f", p);
}

Test(w2v, cbow_learns_topics) {
    rc_w2v_opts o = small_opts();
    o.arch = RC_W2V_CBOW;
    o.epochs = 5;
    double p = train_purity(&o);
    cr_assert_geq(p, 0.95, "purity %.3f", p);
    o.loss = RC_W2V_HS;
    p = train_purity(&o);
    cr_assert_geq(p, 0.95, "CBOW + HS purity %.3f", p);
}

Test(w2v, hogwild_threads_learn_topics) {
    rc_w2v_opts o = small_opts();
    o.threads = 2;
    double p = train_purity(&o);
    cr_assert_geq(p, 0.9, "purity %.3f", p);
}

static rc_w2v *train(const rc_w2v_opts *o) {
    char err[256] = "";
    rc_w2v *m = NULL;
    cr_assert_eq(rc_w2v_train_file(&m, planted_corpus(), o, NULL, err, sizeof err), RC_OK, "%s",
                 err);
    return m;
}

Test(w2v, single_thread_is_deterministic) {
    rc_w2v_opts o = small_opts();
    o.epochs = 1;
    rc_w2v *a = train(&o), *b = train(&o);
    rc_tensor ta = rc_param_value(rc_params_find(rc_w2v_params(a), "input"));
    rc_tensor tb = rc_param_value(rc_params_find(rc_w2v_params(b), "input"));
    cr_assert_eq(ta.n, tb.n);
    cr_assert_eq(memcmp(ta.data, tb.data, (size_t)ta.n * sizeof(float)), 0,
                 "same seed, same vectors");
    o.seed = 8;
    rc_w2v *c = train(&o);
    rc_tensor tc = rc_param_value(rc_params_find(rc_w2v_params(c), "input"));
    cr_assert_neq(memcmp(ta.data, tc.data, (size_t)ta.n * sizeof(float)), 0);
    rc_w2v_free(&a);
    rc_w2v_free(&b);
    rc_w2v_free(&c);
}

// fastText mode: a word never seen gets a vector from its n-grams, nearest to its topic's words.
Test(w2v, subwords_give_vectors_to_unseen_words) {
    rc_w2v_opts o = small_opts();
    o.minn = 2;
    o.maxn = 3;
    o.bucket = 5003;
    o.epochs = 5;
    rc_w2v *m = train(&o);
    rc_wordvecs *wv = NULL;
    cr_assert_eq(rc_w2v_to_wordvecs(m, &wv), RC_OK);
    float v[16];
    cr_assert_eq(rc_w2v_word_vector(m, "ccw", 3, v), RC_OK, "unseen: from its n-grams");
    int64_t ids[3];
    cr_assert_eq(rc_wordvecs_nearest(wv, v, 3, NULL, 0, ids, NULL), 3);
    for (int k = 0; k < 3; k++)
        cr_assert_eq(rc_wordvecs_word(wv, ids[k])[0], 'c', "neighbour %d is %s", k,
                     rc_wordvecs_word(wv, ids[k]));
    cr_assert_eq(rc_w2v_word_vector(m, "aaw1", 4, v), RC_OK);
    rc_wordvecs_free(&wv);
    rc_w2v_free(&m);
    o = small_opts();
    o.epochs = 1;
    m = train(&o);
    cr_assert_eq(rc_w2v_word_vector(m, "zzz", 3, v), RC_ERR_NOTFOUND, "no subwords: unknown");
    rc_w2v_free(&m);
}

static void expect_train_error(const char *text, const rc_w2v_opts *o, rc_status st,
                               const char *suffix) {
    char path[512], err[512] = "";
    snprintf(path, sizeof path, "%s/bad.txt", dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    rc_w2v *m = (rc_w2v *)1;
    cr_assert_eq(rc_w2v_train_file(&m, path, o, NULL, err, sizeof err), st, "%s", err);
    cr_assert_null(m);
    char want[600];
    snprintf(want, sizeof want, "%s%s", suffix[0] == ':' ? path : "", suffix);
    cr_assert_str_eq(err, want);
}

Test(w2v, bad_corpora_and_settings) {
    rc_w2v_opts o = small_opts();
    expect_train_error("a b c\nd e \xff f\n", &o, RC_ERR_FORMAT,
                       ":2: invalid UTF-8 at byte 4: invalid lead byte");
    expect_train_error("\n\n   \n", &o, RC_ERR_ARG,
                       ": empty vocabulary: 0 word(s) reach min_count 1, training needs at least "
                       "2");
    o.min_count = 3;
    expect_train_error("a a b\n", &o, RC_ERR_ARG,
                       ": empty vocabulary: 0 word(s) reach min_count 3, training needs at least "
                       "2");
    o = small_opts();
    o.dim = 0;
    expect_train_error("a b\n", &o, RC_ERR_ARG, "word2vec: dim must be in 1..65536");
    o = small_opts();
    o.maxn = 3;
    o.minn = 4;
    expect_train_error("a b\n", &o, RC_ERR_ARG,
                       "word2vec: subwords need 1 <= minn <= maxn <= 100 (maxn 0: none)");
    o = small_opts();
    o.lr = 1e6f; // diverges: reported, not a NaN model
    o.batch = 512;
    char path[512];
    snprintf(path, sizeof path, "%s/bad.txt", dir);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 200; i++)
        fputs("a b c d a b c d\n", f);
    fclose(f);
    char err[256];
    rc_w2v *d = NULL;
    cr_assert_eq(rc_w2v_train_file(&d, path, &o, NULL, err, sizeof err), RC_ERR_NONFINITE);
    cr_assert(strstr(err, "the loss is not finite"), "%s", err);
    o = small_opts();
    rc_w2v *m = NULL;
    cr_assert_eq(rc_w2v_train_file(&m, "/nonexistent/c.txt", &o, NULL, err, sizeof err), RC_ERR_IO);
    cr_assert(strstr(err, "/nonexistent/c.txt"), "%s", err);
}

// Issue 11 fault 7: a NUL byte separates words, as fastText reads a corpus. It was part of a
// word, which trained and which rc_w2v_to_wordvecs then refused (RC_ERR_ARG, no message): the
// reader and the .vec writer now agree.
Test(w2v, nul_byte_separates_words) {
    char path[256], vec[256], err[256] = "";
    tu_tmpfile(path, sizeof path, "nul-corpus.txt");
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (int i = 0; i < 50; i++)
        fwrite("a b\0c d\0\0e\n", 1, 11, f); // words a b c d e
    fclose(f);
    rc_w2v_opts o = small_opts();
    o.epochs = 1;
    rc_w2v *m = NULL;
    rc_w2v_stats s;
    cr_assert_eq(rc_w2v_train_file(&m, path, &o, &s, err, sizeof err), RC_OK, "%s", err);
    unlink(path);
    cr_assert_eq(s.words, 50 * 5);
    const rc_vocab *v = rc_w2v_vocab(m);
    cr_assert_eq(rc_vocab_size(v), 5);
    for (int i = 0; i < 5; i++) {
        const char w[2] = {(char)('a' + i), 0};
        cr_assert_geq(rc_vocab_find(v, w, 1), 0, "word %s", w);
    }
    rc_wordvecs *wv = NULL;
    cr_assert_eq(rc_w2v_to_wordvecs(m, &wv), RC_OK);
    cr_assert_eq(rc_wordvecs_count(wv), 5);
    tu_tmpfile(vec, sizeof vec, "nul-corpus.vec");
    cr_assert_eq(rc_wordvecs_save_vec(wv, vec, err, sizeof err), RC_OK, "%s", err);
    rc_wordvecs *back = NULL;
    cr_assert_eq(rc_wordvecs_load_vec(&back, vec, NULL, NULL, err, sizeof err), RC_OK, "%s", err);
    unlink(vec);
    cr_assert_eq(rc_wordvecs_count(back), 5);
    rc_wordvecs_free(&back);
    rc_wordvecs_free(&wv);
    rc_w2v_free(&m);
}
