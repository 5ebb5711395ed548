// Labelled text files in the layouts classification data sets come in (include/recur/text.h,
// rc_labelled_*): read line by line, rewritten in fastText's "__label__L text" layout that
// rc_ft_train_file and rc_ft_test_file read, and split into k folds for cross-validation.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "text/text_impl.h"

#define PREFIX "__label__"

// The label and the text of one line, as pointers into it; false with a message when the line
// has no label (or no text) in the file's layout.
static bool split_line(const char *line, size_t len, rc_label_layout layout, const char **label,
                       size_t *label_len, const char **text, size_t *text_len) {
    const char *tab = memchr(line, '\t', len);
    switch (layout) {
    case RC_LABEL_TSV_LAST: {
        const char *last = tab;
        for (const char *p = tab; p; p = memchr(p + 1, '\t', len - (size_t)(p + 1 - line)))
            last = p;
        if (!last)
            return false;
        *text = line, *text_len = (size_t)(last - line);
        *label = last + 1, *label_len = len - (size_t)(last + 1 - line);
        break;
    }
    case RC_LABEL_TSV_FIRST:
        if (!tab)
            return false;
        *label = line, *label_len = (size_t)(tab - line);
        *text = tab + 1, *text_len = len - (size_t)(tab + 1 - line);
        break;
    default: { // the first space- or tab-separated token
        size_t i = 0;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        *label = line, *label_len = i;
        *text = line + (i < len ? i + 1 : i), *text_len = i < len ? len - i - 1 : 0;
        if (layout == RC_LABEL_PREFIX &&
            (i <= strlen(PREFIX) || strncmp(line, PREFIX, strlen(PREFIX))))
            return false;
        if (layout == RC_LABEL_PREFIX)
            *label += strlen(PREFIX), *label_len -= strlen(PREFIX);
    }
    }
    return *label_len > 0;
}

static const char *layout_name(rc_label_layout layout) {
    switch (layout) {
    case RC_LABEL_PREFIX: return "'__label__L text'";
    case RC_LABEL_TSV_LAST: return "'text<TAB>label'";
    case RC_LABEL_TSV_FIRST: return "'label<TAB>text'";
    default: return "'label text'";
    }
}

// "__label__L text\n" into dst (room for strlen(PREFIX) + label_len + text_len + 2 bytes), spaces
// and tabs in the label turned into '_', tabs in the text into spaces. Returns its length.
static size_t format_fasttext(char *dst, const char *label, size_t label_len, const char *text,
                              size_t text_len) {
    size_t k = strlen(PREFIX);
    memcpy(dst, PREFIX, k);
    for (size_t i = 0; i < label_len; i++)
        dst[k++] = label[i] == ' ' || label[i] == '\t' ? '_' : label[i];
    dst[k++] = ' ';
    for (size_t i = 0; i < text_len; i++)
        dst[k++] = text[i] == '\t' ? ' ' : text[i];
    dst[k++] = '\n';
    return k;
}

// ISO-8859-1 bytes as UTF-8 (each byte >= 0x80 is U+0080..U+00FF, two bytes) into *buf.
static const char *latin1_to_utf8(const char *s, size_t *len, char **buf, size_t *cap) {
    if (!rc_grow((void **)buf, cap, 2 * *len + 1, 1))
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < *len; i++) {
        const unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            (*buf)[k++] = (char)c;
        } else {
            (*buf)[k++] = (char)(0xC0 | (c >> 6));
            (*buf)[k++] = (char)(0x80 | (c & 0x3F));
        }
    }
    (*buf)[k] = '\0';
    *len = k;
    return *buf;
}

rc_status rc_labelled_each(const char *path, const rc_labelled_opts *o, rc_labelled_fn fn,
                           void *ctx, char *err, size_t err_len) {
    if (!path || !fn)
        return rc_err_null(err, err_len, "rc_labelled_each", !path ? "path" : "fn");
    const rc_labelled_opts opts = o ? *o : (rc_labelled_opts){0};
    rc_line_reader *r;
    const rc_line_opts lo = {.validate_utf8 = !opts.latin1};
    rc_status st = rc_line_reader_open(&r, path, &lo, err, err_len);
    const char *line, *label, *text;
    size_t len, label_len, text_len, cap = 0;
    char *utf8 = NULL;
    int64_t n = 0;
    while (st == RC_OK && (st = rc_line_reader_next(r, &line, &len, err, err_len)) == RC_OK &&
           line) {
        const int64_t ln = rc_line_reader_lineno(r);
        if (opts.latin1 && !(line = latin1_to_utf8(line, &len, &utf8, &cap))) {
            st = rc_errf(err, err_len, RC_ERR_NOMEM, "%s:%lld: out of memory", path, (long long)ln);
            break;
        }
        if (!len || (opts.header && ln == 1))
            continue;
        if (!split_line(line, len, opts.layout, &label, &label_len, &text, &text_len))
            st = rc_errf(err, err_len, RC_ERR_FORMAT, "%s:%lld: no label in the layout %s", path,
                         (long long)ln, layout_name(opts.layout));
        else
            st = fn(ctx, n++, label, label_len, text, text_len);
    }
    rc_line_reader_close(&r);
    free(utf8);
    return st;
}

// The converted lines of one output, kept in memory until they are written (shuffled or not).
typedef struct out_lines {
    FILE *f;
    char *bytes;
    size_t n_bytes, cap_bytes;
    size_t *start; // line i is bytes[start[i] .. start[i + 1])
    size_t n, cap;
} out_lines;

typedef struct convert_ctx {
    out_lines out[2];    // [0]: every line, or the lines outside the held-out fold; [1]: inside
    const int32_t *fold; // the fold of each line (NULL: one output)
    int64_t n_fold;
    int32_t held_out;
} convert_ctx;

static rc_status convert_line(void *ctx, int64_t i, const char *label, size_t label_len,
                              const char *text, size_t text_len) {
    convert_ctx *c = ctx;
    out_lines *o = &c->out[c->fold && i < c->n_fold && c->fold[i] == c->held_out];
    if (!text_len) // a label without text: nothing to learn from
        return RC_OK;
    const size_t need = o->n_bytes + strlen(PREFIX) + label_len + text_len + 2;
    if (!rc_grow((void **)&o->bytes, &o->cap_bytes, need, 1) ||
        !rc_grow((void **)&o->start, &o->cap, o->n + 2, sizeof *o->start))
        return rc_errf(NULL, 0, RC_ERR_NOMEM, "rc_labelled: out of memory");
    o->start[o->n++] = o->n_bytes;
    o->n_bytes += format_fasttext(o->bytes + o->n_bytes, label, label_len, text, text_len);
    return RC_OK;
}

// Writes the kept lines, in an order shuffled with seed unless it is 0, and frees them.
static void write_lines(out_lines *o, uint64_t seed) {
    if (o->start)
        o->start[o->n] = o->n_bytes;
    size_t *order = seed ? malloc((o->n + 1) * sizeof *order) : NULL;
    for (size_t i = 0; order && i < o->n; i++)
        order[i] = i;
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    for (size_t i = o->n; order && i > 1; i--) {
        const size_t j = (size_t)(rc_rng_u64(&rng) % i), t = order[i - 1];
        order[i - 1] = order[j], order[j] = t;
    }
    for (size_t i = 0; i < o->n; i++) {
        const size_t k = order ? order[i] : i;
        fwrite(o->bytes + o->start[k], 1, o->start[k + 1] - o->start[k], o->f);
    }
    free(order);
    free(o->bytes);
    free(o->start);
    *o = (out_lines){.f = o->f};
}

static rc_status count_line(void *ctx, int64_t i, const char *label, size_t label_len,
                            const char *text, size_t text_len) {
    (void)label, (void)label_len, (void)text, (void)text_len;
    *(int64_t *)ctx = i + 1;
    return RC_OK;
}

rc_status rc_labelled_to_fasttext(const char *in, const rc_labelled_opts *o, const char *out,
                                  int64_t *lines, char *err, size_t err_len) {
    if (!out)
        return rc_err_null(err, err_len, "rc_labelled_to_fasttext", "out");
    rc_afile a;
    rc_status st = rc_afile_open(&a, out, err, err_len);
    if (st != RC_OK)
        return st;
    convert_ctx c = {.out = {{.f = a.f}, {.f = a.f}}};
    st = rc_labelled_each(in, o, convert_line, &c, err, err_len);
    if (lines)
        *lines = (int64_t)c.out[0].n;
    write_lines(&c.out[0], o ? o->shuffle_seed : 0);
    if (st != RC_OK) {
        rc_afile_abort(&a);
        return st;
    }
    return rc_afile_commit(&a, err, err_len);
}

rc_status rc_labelled_folds(const char *in, const rc_labelled_opts *o, int k, uint64_t seed,
                            int32_t **fold, int64_t *n, char *err, size_t err_len) {
    if (!fold || !n)
        return rc_err_null(err, err_len, "rc_labelled_folds", !fold ? "fold" : "n");
    *fold = NULL;
    *n = 0;
    if (k < 2)
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_labelled_folds: k must be >= 2, got %d", k);
    rc_status st = rc_labelled_each(in, o, count_line, n, err, err_len);
    if (st != RC_OK)
        return st;
    if (*n < k)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: %lld examples cannot fill %d folds", in,
                       (long long)*n, k);
    int32_t *f = malloc((size_t)*n * sizeof *f);
    if (!f)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_labelled_folds: out of memory");
    // Line i goes to fold i mod k, then the assignment is shuffled (Fisher-Yates): folds differ
    // in size by at most one and do not follow the file's order.
    for (int64_t i = 0; i < *n; i++)
        f[i] = (int32_t)(i % k);
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    for (int64_t i = *n - 1; i > 0; i--) {
        const int64_t j = (int64_t)(rc_rng_u64(&rng) % (uint64_t)(i + 1));
        const int32_t t = f[i];
        f[i] = f[j], f[j] = t;
    }
    *fold = f;
    return RC_OK;
}

rc_status rc_labelled_split(const char *in, const rc_labelled_opts *o, const int32_t *fold,
                            int64_t n, int32_t held_out, const char *train_out,
                            const char *test_out, char *err, size_t err_len) {
    if (!fold || !train_out || !test_out)
        return rc_err_null(err, err_len, "rc_labelled_split",
                           !fold        ? "fold"
                           : !train_out ? "train_out"
                                        : "test_out");
    rc_afile a, b;
    rc_status st = rc_afile_open(&a, train_out, err, err_len);
    if (st != RC_OK)
        return st;
    if ((st = rc_afile_open(&b, test_out, err, err_len)) != RC_OK) {
        rc_afile_abort(&a);
        return st;
    }
    const uint64_t seed = o ? o->shuffle_seed : 0;
    convert_ctx c = {
        .out = {{.f = a.f}, {.f = b.f}}, .fold = fold, .n_fold = n, .held_out = held_out};
    st = rc_labelled_each(in, o, convert_line, &c, err, err_len);
    write_lines(&c.out[0], seed ? seed + (uint64_t)held_out : 0);
    write_lines(&c.out[1], seed);
    if (st == RC_OK)
        st = rc_afile_commit(&a, err, err_len);
    else
        rc_afile_abort(&a);
    if (st == RC_OK)
        return rc_afile_commit(&b, err, err_len);
    rc_afile_abort(&b);
    return st;
}
