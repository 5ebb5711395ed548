// word2vec text format (.vec): load with each option, write back, load the copy.
#include <recur/recur.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fz_file(0, data, size);
    char err[512];
    for (int mode = 0; mode < 3; mode++) {
        rc_vec_load_opts o = {.skip_duplicates = mode > 0, .limit = mode == 2 ? 2 : 0};
        rc_vec_load_stats st;
        rc_wordvecs *wv;
        if (rc_wordvecs_load_vec(&wv, path, &o, &st, err, sizeof err) != RC_OK)
            continue;
        const char *copy = fz_file(1, "", 0);
        rc_wordvecs *back;
        if (rc_wordvecs_save_vec(wv, copy, err, sizeof err) == RC_OK &&
            rc_wordvecs_load_vec(&back, copy, NULL, NULL, err, sizeof err) == RC_OK) {
            if (rc_wordvecs_count(back) != rc_wordvecs_count(wv))
                __builtin_trap(); // what recur writes it must read back whole
            rc_wordvecs_free(&back);
        }
        rc_wordvecs_free(&wv);
    }
    return 0;
}
