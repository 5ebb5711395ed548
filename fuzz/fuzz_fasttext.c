// The fastText-style classifier on a labelled file: train a tiny model for one epoch, predict
// every line, test the file. The first byte picks the loss, n-grams and label layout.
#include <string.h>

#include <recur/recur.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 4096)
        return 0;
    rc_ft_opts o = rc_ft_defaults();
    o.dim = 4, o.epochs = 1, o.bucket = 64, o.threads = 1;
    o.loss = (rc_ft_loss)(data[0] % 3);
    o.word_ngrams = 1 + (data[0] >> 2) % 2;
    o.minn = (data[0] & 8) ? 2 : 0, o.maxn = (data[0] & 8) ? 3 : 0;
    o.label_prefix = (data[0] & 16) ? "" : "__label__";
    const char *path = fz_file(0, data + 1, size - 1);
    rc_ft *m;
    rc_ft_stats st;
    char err[512];
    if (rc_ft_train_file(&m, path, &o, &st, err, sizeof err) != RC_OK)
        return 0;
    int32_t labels[2];
    float probs[2];
    rc_ft_predict(m, (const char *)data + 1, size - 1, 2, 0.0f, labels, probs);
    rc_ft_test_result res;
    rc_ft_test_file(m, path, 1, &res, err, sizeof err);
    rc_ft_free(&m);
    return 0;
}
