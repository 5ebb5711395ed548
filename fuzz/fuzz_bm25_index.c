// A saved BM25 index (rc_bm25_load): any bytes are an error or an index that can be searched.
#include <string.h>

#include <recur/recur.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    rc_bm25 *ix;
    char err[512];
    if (rc_bm25_load(&ix, fz_file(0, data, size), err, sizeof err) == RC_OK) {
        int32_t docs[5];
        float scores[5];
        int found;
        const char *q = "the cat sat";
        if (rc_bm25_search(ix, q, strlen(q), 5, docs, scores, &found, NULL, 0) != RC_OK)
            __builtin_trap();
        for (int i = 0; i < found; i++)
            if (docs[i] < 0 || docs[i] >= rc_bm25_num_docs(ix))
                __builtin_trap();
        rc_bm25_free(&ix);
    }
    return 0;
}
