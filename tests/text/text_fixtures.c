#include "text_fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *tt_fixture_path(const char *name, char *buf, size_t len) {
    const char *root = getenv("RECUR_SOURCE_ROOT");
    const char *const tries[] = {root, ".", "..", "../.."};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        if (!tries[i] || !*tries[i])
            continue;
        snprintf(buf, len, "%s/tests/fixtures/%s", tries[i], name);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    cr_assert_fail("fixture %s not found (set RECUR_SOURCE_ROOT to the source tree)", name);
    return NULL;
}

char *tt_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        *len = (size_t)n;
    }
    return b;
}

// Splits d->text (len bytes) at '\n' into documents; a final empty piece is dropped.
static void split_lines(tt_docs *d, size_t len) {
    int64_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += d->text[i] == '\n';
    d->doc = malloc((size_t)cap * sizeof *d->doc);
    d->len = malloc((size_t)cap * sizeof *d->len);
    d->n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && d->text[i] != '\n')
            continue;
        if (i == len && start == len)
            break;
        d->doc[d->n] = d->text + start;
        d->len[d->n++] = i - start;
        start = i + 1;
    }
}

bool tt_load_lee(tt_docs *d) {
    memset(d, 0, sizeof *d);
    char path[512];
    if (!tu_data_path("lee-corpus/lee_background.cor", path, sizeof path))
        return false;
    size_t n;
    char *raw = tt_read_file(path, &n);
    cr_assert_not_null(raw);
    d->text = malloc(2 * n + 1);
    size_t m = rc_latin1_to_utf8(raw, n, d->text);
    free(raw);
    split_lines(d, m);
    return true;
}

static const char *last_tab(const char *s, size_t n) {
    while (n > 0)
        if (s[--n] == '\t')
            return s + n;
    return NULL;
}

// Lines "text<TAB>label" (label_last) or "label<TAB>text"; the header is skipped if asked.
static void split_labeled(tt_docs *d, size_t len, bool header, bool label_last) {
    split_lines(d, len);
    d->label = malloc((size_t)(d->n ? d->n : 1) * sizeof *d->label);
    int64_t w = 0;
    for (int64_t i = header ? 1 : 0; i < d->n; i++) {
        const char *s = d->doc[i];
        size_t n = d->len[i];
        const char *tab = label_last ? last_tab(s, n) : memchr(s, '\t', n);
        cr_assert_not_null(tab, "line %lld has no tab", (long long)i + 1);
        if (label_last) {
            d->label[w] = atoi(tab + 1);
            d->doc[w] = s;
            d->len[w++] = (size_t)(tab - s);
        } else {
            d->label[w] = !strncmp(s, "spam", 4);
            d->doc[w] = tab + 1;
            d->len[w++] = n - (size_t)(tab + 1 - s);
        }
    }
    d->n = w;
}

bool tt_load_sst2(tt_docs *d, const char *file) {
    memset(d, 0, sizeof *d);
    char rel[128], path[512];
    snprintf(rel, sizeof rel, "sst2-glue/%s", file);
    if (!tu_data_path(rel, path, sizeof path))
        return false;
    size_t n;
    d->text = tt_read_file(path, &n);
    cr_assert_not_null(d->text);
    split_labeled(d, n, true, true);
    return true;
}

bool tt_load_sms(tt_docs *d) {
    memset(d, 0, sizeof *d);
    char path[512];
    if (!tu_data_path("sms-spam-collection/SMSSpamCollection", path, sizeof path))
        return false;
    size_t n;
    d->text = tt_read_file(path, &n);
    cr_assert_not_null(d->text);
    split_labeled(d, n, false, false);
    return true;
}

void tt_docs_free(tt_docs *d) {
    free(d->text);
    free(d->doc);
    free(d->len);
    free(d->label);
    memset(d, 0, sizeof *d);
}
