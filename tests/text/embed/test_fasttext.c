// fastText compatibility: hashes, subword and word n-gram bucket ids against fixtures made by
// the real fastText (tests/fixtures/fasttext/make_fixtures.py).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static FILE *open_fixture(const char *name) {
    const char *root = getenv("RECUR_SOURCE_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/fasttext/%s", root ? root : ".", name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s (set RECUR_SOURCE_ROOT)", path);
    return f;
}

Test(text, fasttext_hash_is_fnv1a_over_signed_bytes) {
    cr_assert_eq(rc_fasttext_hash("", 0), 2166136261u);
    cr_assert_eq(rc_fasttext_hash("a", 1), 0xe40c292cu, "plain FNV-1a on ASCII");
    // 0xC3 0xA9 ("é") taken as signed chars: 0xFFFFFFC3, 0xFFFFFFA9.
    uint32_t h = 2166136261u;
    h = (h ^ 0xFFFFFFC3u) * 16777619u;
    h = (h ^ 0xFFFFFFA9u) * 16777619u;
    cr_assert_eq(rc_fasttext_hash("\xc3\xa9", 2), h);
    uint32_t unsigned_fnv = ((2166136261u ^ 0xC3u) * 16777619u ^ 0xA9u) * 16777619u;
    cr_assert_neq(rc_fasttext_hash("\xc3\xa9", 2), unsigned_fnv);
}

typedef struct collected {
    char grams[128][64];
    uint32_t hash[128];
    int n;
} collected;

static void collect(const char *g, size_t len, uint32_t hash, void *user) {
    collected *c = user;
    if (c->n < 128 && g && len < 64) {
        memcpy(c->grams[c->n], g, len);
        c->grams[c->n][len] = '\0';
        c->hash[c->n] = hash;
    }
    c->n++;
}

// Every (word, minn, maxn, bucket) block of the fixture: same n-grams, same order, same ids.
Test(text, fasttext_subwords_match_fasttext) {
    FILE *f = open_fixture("subwords.tsv");
    char line[1024], word[256];
    int minn, maxn, count, blocks = 0;
    unsigned bucket;
    while (fgets(line, sizeof line, f)) {
        cr_assert_eq(sscanf(line, "%255[^\t]\t%d\t%d\t%u\t%d", word, &minn, &maxn, &bucket, &count),
                     5, "bad fixture line %s", line);
        collected c = {0};
        int64_t n = rc_fasttext_ngrams(word, strlen(word), minn, maxn, collect, &c);
        int32_t ids[128];
        int64_t m = rc_fasttext_subwords(word, strlen(word), minn, maxn, bucket, ids, 128);
        cr_assert_eq(n, count, "%s (%d..%d): %lld n-grams, fastText has %d", word, minn, maxn,
                     (long long)n, count);
        cr_assert_eq(m, n);
        for (int k = 0; k < count; k++) {
            char gram[256];
            int id;
            cr_assert(fgets(line, sizeof line, f));
            cr_assert_eq(sscanf(line, "%255[^\t]\t%d", gram, &id), 2);
            cr_assert_str_eq(c.grams[k], gram, "%s n-gram %d", word, k);
            cr_assert_eq(ids[k], id, "%s n-gram %s (bucket %u): id %d, fastText %d", word, gram,
                         bucket, ids[k], id);
            cr_assert_eq(c.hash[k] % bucket, (uint32_t)id);
        }
        blocks++;
    }
    fclose(f);
    cr_assert_geq(blocks, 40, "fixture has %d blocks", blocks);
}

Test(text, fasttext_word_ngrams_match_fasttext) {
    FILE *f = open_fixture("word_ngrams.tsv");
    char line[2048];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *save = NULL;
        int n = atoi(strtok_r(line, "\t", &save));
        unsigned bucket = (unsigned)strtoul(strtok_r(NULL, "\t", &save), NULL, 10);
        char *sentence = strtok_r(NULL, "\t", &save), *want = strtok_r(NULL, "\t", &save);
        uint32_t hashes[32];
        int64_t T = 0;
        char *tsave = NULL;
        for (char *t = strtok_r(sentence, " ", &tsave); t; t = strtok_r(NULL, " ", &tsave))
            hashes[T++] = rc_fasttext_hash(t, strlen(t));
        hashes[T++] = rc_fasttext_hash("</s>", 4); // fastText's end-of-line token
        int32_t ids[128];
        int64_t k = rc_fasttext_word_ngrams(hashes, T, n, bucket, ids, 128);
        int64_t j = 0;
        char *isave = NULL;
        for (char *t = strtok_r(want, " ", &isave); t; t = strtok_r(NULL, " ", &isave), j++) {
            cr_assert_lt(j, k);
            cr_assert_eq(ids[j], atoi(t), "line %d id %lld", lines + 1, (long long)j);
        }
        cr_assert_eq(j, k, "line %d: %lld ids, fastText %lld", lines + 1, (long long)k,
                     (long long)j);
        lines++;
    }
    fclose(f);
    cr_assert_eq(lines, 18);
    uint32_t h[3] = {1, 2, 3};
    cr_assert_eq(rc_fasttext_word_ngrams(h, 3, 1, 100, NULL, 0), 0, "unigrams only: none");
    cr_assert_eq(rc_fasttext_word_ngrams(h, 3, 3, 100, NULL, 0), 3, "count without output");
}

Test(text, fasttext_ngrams_edge_cases) {
    collected c = {0};
    // minn 1: "<" and ">" alone are skipped, every other single character kept.
    cr_assert_eq(rc_fasttext_ngrams("ab", 2, 1, 1, collect, &c), 2);
    cr_assert_str_eq(c.grams[0], "a");
    cr_assert_str_eq(c.grams[1], "b");
    memset(&c, 0, sizeof c);
    // A 2-byte character is one character: "<é>" has the 2-grams "<é" and "é>".
    cr_assert_eq(rc_fasttext_ngrams("\xc3\xa9", 2, 2, 2, collect, &c), 2);
    cr_assert_str_eq(c.grams[0], "<\xc3\xa9");
    cr_assert_str_eq(c.grams[1], "\xc3\xa9>");
    cr_assert_eq(rc_fasttext_ngrams("abc", 3, 0, 3, NULL, NULL), 0, "minn < 1: none");
    cr_assert_eq(rc_fasttext_ngrams("abc", 3, 4, 3, NULL, NULL), 0, "maxn < minn: none");
    cr_assert_eq(rc_fasttext_subwords("abc", 3, 3, 6, 0, NULL, 0), 0, "bucket 0: none");
    // A long n-gram (more bytes than the stack copy) still gets the right hash.
    char big[400];
    memset(big, 'x', sizeof big);
    uint32_t h = 0;
    int32_t id;
    cr_assert_eq(rc_fasttext_subwords(big, 300, 302, 302, 1000003, &id, 1), 1);
    char full[302];
    full[0] = '<';
    memset(full + 1, 'x', 300);
    full[301] = '>';
    h = rc_fasttext_hash(full, 302);
    cr_assert_eq((uint32_t)id, h % 1000003u);
}
