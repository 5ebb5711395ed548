// A text file as one stream of vocabulary ids, for language models (include/recur/text.h).
#include <stdlib.h>

#include "common/common.h"
#include "text/text_impl.h"

typedef struct id_list {
    const rc_vocab *v;
    int32_t eos; // appended after each line, or -1
    int32_t *ids;
    size_t n, cap;
} id_list;

static bool push(id_list *l, int32_t id) {
    if (!rc_grow((void **)&l->ids, &l->cap, l->n + 1, sizeof *l->ids))
        return false;
    l->ids[l->n++] = id;
    return true;
}

// The ids of one line's tokens (and <eos>), appended to the list.
static rc_status line_ids(void *ctx, const rc_tokens *t, char *why, size_t why_len) {
    id_list *l = ctx;
    for (size_t i = 0; i < t->n; i++) {
        size_t len;
        const char *s = rc_token(t, i, &len);
        const int32_t id = rc_vocab_id(l->v, s, len);
        if (id < 0)
            return rc_errf(why, why_len, RC_ERR_FORMAT,
                           "token '%.*s' is not in the vocabulary, which has no <unk>",
                           (int)(len < 80 ? len : 80), s);
        if (!push(l, id))
            return rc_errf(why, why_len, RC_ERR_NOMEM, "out of memory (%zu ids)", l->n);
    }
    if (l->eos >= 0 && !push(l, l->eos))
        return rc_errf(why, why_len, RC_ERR_NOMEM, "out of memory (%zu ids)", l->n);
    return RC_OK;
}

rc_status rc_vocab_read_ids(const rc_vocab *v, const char *path, const rc_tok_opts *topts,
                            const rc_line_opts *lopts, bool eos, int32_t **ids, int64_t *n,
                            char *err, size_t err_len) {
    if (!v || !path || !topts || !ids || !n)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_vocab_read_ids: vocabulary, path, tokenizer options, ids and n are "
                       "required");
    *ids = NULL;
    *n = 0;
    id_list l = {.v = v, .eos = eos ? rc_vocab_special_id(v, RC_SPECIAL_EOS) : -1};
    if (!rc_vocab_finalized(v) || (eos && l.eos < 0))
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_vocab_read_ids: %s: the vocabulary must be finalized%s", path,
                       eos ? " and have <eos>" : "");
    // As rc_vocab_count_file: an empty line has no tokens and no <eos>, unless the tokenizer
    // keeps newlines (characters with whitespace).
    rc_status st = rc_each_token_line(path, lopts, rc_tok_keeps_empty_lines(topts),
                                      rc_tokenize_line, topts, line_ids, &l, err, err_len);
    if (st != RC_OK) {
        free(l.ids);
        return st;
    }
    *ids = l.ids;
    *n = (int64_t)l.n;
    return RC_OK;
}
