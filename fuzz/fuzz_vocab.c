// Vocabulary files ("token<TAB>count" lines): load, look every token up, save a copy.
#include <recur/recur.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rc_vocab *v;
    char err[512];
    if (rc_vocab_load(&v, fz_file(0, data, size), err, sizeof err) != RC_OK)
        return 0;
    for (int32_t i = 0; i < rc_vocab_size(v); i++) {
        size_t len;
        const char *tok = rc_vocab_token(v, i, &len);
        if (!tok || rc_vocab_find(v, tok, len) != i)
            __builtin_trap(); // a loaded vocabulary must find its own tokens
        rc_vocab_count(v, i);
    }
    rc_vocab_save(v, fz_file(1, "", 0), err, sizeof err);
    rc_vocab_free(&v);
    return 0;
}
