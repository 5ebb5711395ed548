// The SMART format (Cranfield): the input is the documents, the queries and the judgments
// separated by NUL bytes. Judged documents must be -1 or in the corpus.
#include <recur/recur.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *part[3] = {0};
    size_t len[3] = {0};
    fz_split(data, size, part, len, 3);
    const char *docs = fz_file(0, part[0] ? part[0] : data, len[0]);
    const char *queries = fz_file(1, part[1] ? part[1] : data, len[1]);
    const char *qrels = fz_file(2, part[2] ? part[2] : data, len[2]);
    rc_beir *b;
    char err[512];
    if (rc_smart_load(&b, docs, queries, qrels, err, sizeof err) == RC_OK) {
        for (int64_t j = 0; j < b->qrel_ptr[b->n_queries]; j++)
            if (b->qrel_doc[j] < -1 || b->qrel_doc[j] >= b->n_docs)
                __builtin_trap();
        rc_beir_free(&b);
    }
    return 0;
}
