// The word2vec corpus reader and trainer: one tiny epoch over the input as a corpus, with the
// first byte choosing skip-gram or CBOW, the loss and subwords; then the vectors are exported.
#include <recur/recur.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 4096)
        return 0;
    rc_w2v_opts o = rc_w2v_defaults();
    o.dim = 4, o.epochs = 1, o.window = 2, o.negative = 2, o.threads = 1, o.min_count = 1;
    o.arch = (data[0] & 1) ? RC_W2V_CBOW : RC_W2V_SKIPGRAM;
    o.loss = (data[0] & 2) ? RC_W2V_HS : RC_W2V_NEG;
    o.minn = (data[0] & 4) ? 2 : 0, o.maxn = (data[0] & 4) ? 3 : 0, o.bucket = 64;
    o.max_sentence = 1 + data[0] % 16;
    rc_w2v *m;
    char err[512];
    if (rc_w2v_train_file(&m, fz_file(0, data + 1, size - 1), &o, NULL, err, sizeof err) != RC_OK)
        return 0;
    rc_wordvecs *wv;
    if (rc_w2v_to_wordvecs(m, &wv) == RC_OK) {
        if (rc_wordvecs_count(wv) != rc_vocab_size(rc_w2v_vocab(m)))
            __builtin_trap();
        rc_wordvecs_save_vec(wv, fz_file(1, "", 0), err, sizeof err);
        rc_wordvecs_free(&wv);
    }
    rc_w2v_free(&m);
    return 0;
}
