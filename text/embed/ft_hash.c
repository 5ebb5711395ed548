// fastText's hashing: FNV-1a over signed bytes, character n-grams of "<word>" over UTF-8 code
// points, and the word n-gram hash chain of supervised models. Written from fastText's
// documented behaviour (dictionary.cc facts), so that bucket ids agree with fastText's.
#include <string.h>

#include <recur/embed.h>

uint32_t rc_fasttext_hash(const char *s, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; s && i < len; i++) {
        // fastText widens each byte as a signed char: 0xC3 becomes 0xFFFFFFC3.
        h ^= (uint32_t)(int32_t)(int8_t)s[i];
        h *= 16777619u;
    }
    return h;
}

static bool is_continuation(char c) {
    return ((unsigned char)c & 0xC0) == 0x80;
}

// n-grams at most this many bytes long are hashed from a stack buffer.
#define NGRAM_STACK 256

int64_t rc_fasttext_ngrams(const char *word, size_t len, int minn, int maxn, rc_ngram_fn fn,
                           void *user) {
    if (!word || minn < 1 || maxn < minn)
        return 0;
    // The bracketed word "<word>" is len + 2 bytes; n-grams are taken from it in place through
    // a small window copy so that fn sees contiguous bytes.
    const size_t wl = len + 2;
    char stack[NGRAM_STACK];
    int64_t count = 0;
    for (size_t i = 0; i < wl; i++) {
        const char ci = i == 0 ? '<' : i == wl - 1 ? '>' : word[i - 1];
        if (is_continuation(ci))
            continue;
        size_t j = i, blen = 0;
        for (int n = 1; j < wl && n <= maxn; n++) {
            // Append one whole character: its lead byte and its continuation bytes.
            do {
                const char cj = j == 0 ? '<' : j == wl - 1 ? '>' : word[j - 1];
                if (blen < NGRAM_STACK)
                    stack[blen] = cj;
                blen++;
                j++;
            } while (j < wl && is_continuation(j == wl - 1 ? '>' : word[j - 1]));
            if (n < minn || (n == 1 && (i == 0 || j == wl)))
                continue;
            count++;
            if (!fn)
                continue;
            if (blen <= NGRAM_STACK) {
                fn(stack, blen, rc_fasttext_hash(stack, blen), user);
            } else {
                // Longer than the stack copy: hash "<"+word+">" bytes [i, j) directly.
                uint32_t h = 2166136261u;
                for (size_t k = i; k < j; k++) {
                    const char ck = k == 0 ? '<' : k == wl - 1 ? '>' : word[k - 1];
                    h = (h ^ (uint32_t)(int32_t)(int8_t)ck) * 16777619u;
                }
                fn(NULL, blen, h, user);
            }
        }
    }
    return count;
}

typedef struct ids_sink {
    int32_t *ids;
    int64_t cap, n;
    uint32_t bucket;
} ids_sink;

static void push_id(const char *ngram, size_t len, uint32_t hash, void *user) {
    (void)ngram, (void)len;
    ids_sink *s = user;
    if (s->n < s->cap)
        s->ids[s->n] = (int32_t)(hash % s->bucket);
    s->n++;
}

int64_t rc_fasttext_subwords(const char *word, size_t len, int minn, int maxn, uint32_t bucket,
                             int32_t *ids, int64_t cap) {
    if (bucket == 0)
        return 0;
    ids_sink s = {ids, ids ? cap : 0, 0, bucket};
    rc_fasttext_ngrams(word, len, minn, maxn, push_id, &s);
    return s.n;
}

int64_t rc_fasttext_word_ngrams(const uint32_t *hashes, int64_t n_tokens, int n, uint32_t bucket,
                                int32_t *ids, int64_t cap) {
    if (!hashes || n <= 1 || bucket == 0)
        return 0;
    int64_t k = 0;
    for (int64_t i = 0; i < n_tokens; i++) {
        // fastText keeps the hashes as int32 and widens them to uint64 with sign extension.
        uint64_t h = (uint64_t)(int64_t)(int32_t)hashes[i];
        for (int64_t j = i + 1; j < n_tokens && j < i + n; j++) {
            h = h * 116049371u + (uint64_t)(int64_t)(int32_t)hashes[j];
            if (ids && k < cap)
                ids[k] = (int32_t)(h % bucket);
            k++;
        }
    }
    return k;
}
