// The language-model corpus path of `recur lm`: a vocabulary counted from one file (words split
// at spaces, <eos> per line, a size limit so that <unk> is used), the ids of a second file read
// with it, and the batched stream cut into BPTT segments. Every id must lie in the vocabulary and
// every segment inside the stream.
#include <stdlib.h>

#include <recur/recur.h>

#include "fuzz_util.h"

static void check_stream(const int32_t *ids, int64_t n, int32_t size, int batch, int bptt) {
    rc_lm_stream s;
    char err[512];
    if (rc_lm_stream_new(&s, ids, n, batch, err, sizeof err) != RC_OK)
        return;
    const int64_t segs = rc_lm_stream_segments(&s, bptt);
    int64_t rows = 0;
    for (int64_t k = 0; k < segs; k++) {
        const int32_t *x, *y;
        const int len = rc_lm_stream_segment(&s, bptt, k, &x, &y);
        if (len < 1 || len > bptt)
            __builtin_trap();
        for (int i = 0; i < len * batch; i++)
            if (x[i] < 0 || x[i] >= size || y[i] < 0 || y[i] >= size)
                __builtin_trap();
        rows += len;
    }
    if (rows != s.steps - 1) // every row but the last is an input once
        __builtin_trap();
    rc_lm_stream_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *part[3];
    size_t len[3];
    if (fz_split(data, size, part, len, 3) < 2)
        return 0;
    const rc_tok_opts tok = {.mode = RC_TOK_WORDS, .punct = RC_PUNCT_KEEP};
    const rc_line_opts lines = {.max_line = 64 + (len[0] & 255), .validate_utf8 = true};
    const char *train = fz_file(0, part[0], len[0]), *valid = fz_file(1, part[1], len[1]);
    char err[512];
    rc_vocab *v;
    if (rc_vocab_new(&v) != RC_OK)
        return 0;
    const rc_vocab_opts vo = {.max_size = 2 + (int64_t)(len[1] % 17),
                              .specials = RC_SPECIAL_UNK | RC_SPECIAL_EOS};
    int32_t *ids = NULL;
    int64_t n = 0;
    if (rc_vocab_count_file(v, train, &tok, &lines, true, err, sizeof err) == RC_OK &&
        rc_vocab_finalize(v, &vo) == RC_OK &&
        rc_vocab_read_ids(v, valid, &tok, &lines, true, &ids, &n, err, sizeof err) == RC_OK) {
        for (int64_t i = 0; i < n; i++)
            if (ids[i] < 0 || ids[i] >= rc_vocab_size(v))
                __builtin_trap();
        check_stream(ids, n, rc_vocab_size(v), 1 + (int)(size % 4), 1 + (int)(size % 7));
    }
    free(ids);
    rc_vocab_free(&v);
    return 0;
}
