// Labelled files (rc_labelled_*): the first byte picks the layout, header and ISO-8859-1
// options; the rest is the file. Every example has a label; the fastText rewrite holds one line
// per example with text; folds and their splits are written.
#include <stdlib.h>

#include <recur/recur.h>

#include "fuzz_util.h"

static rc_status check(void *ctx, int64_t i, const char *label, size_t label_len, const char *text,
                       size_t text_len) {
    (void)text;
    int64_t *seen = ctx;
    if (!label || label_len == 0 || i != *seen || (text_len && !text))
        __builtin_trap();
    (*seen)++;
    return RC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    const rc_labelled_opts o = {.layout = (rc_label_layout)(data[0] & 3),
                                .header = data[0] & 4,
                                .latin1 = data[0] & 8,
                                .shuffle_seed = data[0] >> 4};
    const char *in = fz_file(0, data + 1, size - 1);
    char err[512];
    int64_t seen = 0, lines = 0;
    if (rc_labelled_each(in, &o, check, &seen, err, sizeof err) != RC_OK)
        return 0;
    if (rc_labelled_to_fasttext(in, &o, fz_file(1, "", 0), &lines, err, sizeof err) != RC_OK ||
        lines > seen)
        __builtin_trap(); // it read the same file a moment ago
    int32_t *fold = NULL;
    int64_t n = 0;
    const int k = 2 + (data[0] >> 6);
    if (rc_labelled_folds(in, &o, k, 1, &fold, &n, err, sizeof err) == RC_OK)
        for (int f = 0; f < k; f++)
            if (rc_labelled_split(in, &o, fold, n, f, fz_file(2, "", 0), fz_file(3, "", 0), err,
                                  sizeof err) != RC_OK)
                __builtin_trap();
    free(fold);
    return 0;
}
