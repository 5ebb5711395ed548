// Analogy (questions-words.txt) and word-similarity (word1<TAB>word2<TAB>score) files, evaluated
// against a small fixed table of vectors whose words the seed files use.
#include <string.h>

#include <recur/recur.h>

#include "fuzz_util.h"

static rc_wordvecs *table(void) {
    static rc_wordvecs *wv;
    if (wv)
        return wv;
    static const char *const words[] = {"king", "queen", "man", "woman",  "paris",  "france",
                                        "rome", "italy", "big", "bigger", "Straße", "ÉTÉ"};
    rc_wordvecs_new(&wv, 16, 3);
    for (int i = 0; i < 12; i++) {
        float v[3] = {(float)(i % 3) + 0.5f, (float)(i % 5) - 2.0f, (float)i * 0.25f};
        rc_wordvecs_add(wv, words[i], strlen(words[i]), v);
    }
    return wv;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    const char *path = fz_file(0, data + 1, size - 1);
    rc_eval_opts o = rc_eval_defaults();
    o.case_insensitive = data[0] & 1;
    o.restrict_vocab = (data[0] & 2) ? 5 : 0;
    char err[512];
    rc_analogy_result ar;
    if (rc_eval_analogies(table(), path, &o, &ar, err, sizeof err) == RC_OK)
        rc_analogy_result_free(&ar);
    rc_wordsim_result ws;
    rc_eval_wordsim(table(), path, &o, &ws, err, sizeof err);
    return 0;
}
