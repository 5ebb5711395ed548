// A corpus of one document a line: the simplest collection, ids are line numbers.
#include <stdlib.h>

#include "text/retrieval/collection_impl.h"

static rc_status add_line(rc_beir *b, size_t *cap_id, size_t *cap_text, int64_t lineno,
                          const char *line, size_t len) {
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)lineno);
    char *text = malloc(len + 1);
    if (!text || !rc_grow((void **)&b->doc_id, cap_id, (size_t)b->n_docs + 1, sizeof *b->doc_id) ||
        !rc_grow((void **)&b->doc_text, cap_text, (size_t)b->n_docs + 1, sizeof *b->doc_text) ||
        !(b->doc_id[b->n_docs] = strdup(id))) {
        free(text);
        return RC_ERR_NOMEM;
    }
    memcpy(text, line, len);
    text[len] = '\0';
    b->doc_text[b->n_docs++] = text;
    return RC_OK;
}

rc_status rc_lines_load(rc_beir **out, const char *path, char *err, size_t err_len) {
    if (out)
        *out = NULL;
    if (!out || !path)
        return rc_err_null(err, err_len, "rc_lines_load", out ? "path" : "b");
    rc_beir *b = calloc(1, sizeof *b);
    if (!b || !(b->qrel_ptr = calloc(1, sizeof *b->qrel_ptr))) {
        free(b);
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", path);
    }
    rc_line_reader *lr;
    const rc_line_opts lo = {.validate_utf8 = true};
    rc_status st = rc_line_reader_open(&lr, path, &lo, err, err_len);
    size_t cap_id = 0, cap_text = 0, len;
    const char *line;
    while (st == RC_OK && (st = rc_line_reader_next(lr, &line, &len, err, err_len)) == RC_OK &&
           line)
        if ((st = add_line(b, &cap_id, &cap_text, rc_line_reader_lineno(lr), line, len)) != RC_OK)
            rc_errf(err, err_len, st, "%s:%lld: out of memory", path,
                    (long long)rc_line_reader_lineno(lr));
    rc_line_reader_close(&lr);
    if (st != RC_OK)
        rc_beir_free(&b);
    *out = b;
    return st;
}
