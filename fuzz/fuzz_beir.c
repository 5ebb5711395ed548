// A BEIR collection: the input is corpus.jsonl, queries.jsonl and qrels/test.tsv separated by
// NUL bytes.
#include <recur/recur.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *part[3] = {0};
    size_t len[3] = {0};
    fz_split(data, size, part, len, 3);
    fz_named_file("corpus.jsonl", part[0], len[0]);
    fz_named_file("queries.jsonl", part[1] ? part[1] : data, len[1]);
    fz_named_file("qrels/test.tsv", part[2] ? part[2] : data, len[2]);
    rc_beir *b;
    char err[512];
    if (rc_beir_load(&b, fz_dir(), "test", err, sizeof err) == RC_OK) {
        for (int64_t q = 0; q < b->n_queries; q++)
            for (int64_t j = b->qrel_ptr[q]; j < b->qrel_ptr[q + 1]; j++)
                if (b->qrel_doc[j] < -1 || b->qrel_doc[j] >= b->n_docs)
                    __builtin_trap();
        rc_beir_free(&b);
    }
    return 0;
}
