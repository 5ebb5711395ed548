// Helpers of the text tests: fixture paths, whole-file reads and the two corpora the
// scikit-learn fixtures were made from (documents built exactly as make_tfidf_fixtures.py does).
#ifndef RECUR_TEXT_FIXTURES_H
#define RECUR_TEXT_FIXTURES_H

#include "test_util.h"

// The path of tests/fixtures/<name>: under RECUR_SOURCE_ROOT (set by meson test), else tried
// relative to the working directory (the source root or a build directory inside it).
const char *tt_fixture_path(const char *name, char *buf, size_t len);
// The whole file, NUL-terminated (free it); NULL when it cannot be read.
char *tt_read_file(const char *path, size_t *len);

// Documents as pointers into one owned buffer.
typedef struct tt_docs {
    char *text;
    const char **doc;
    size_t *len;
    int64_t n;
    int32_t *label; // SST-2 and SMS labels, else NULL
} tt_docs;

// Lee background corpus (latin-1 converted to UTF-8), one document per line; false to skip.
bool tt_load_lee(tt_docs *d);
// SST-2 "sentence<TAB>label" after a header line (file under sst2-glue/); false to skip.
bool tt_load_sst2(tt_docs *d, const char *file);
// SMS Spam Collection "ham|spam<TAB>text"; label 1 for spam; false to skip.
bool tt_load_sms(tt_docs *d);
void tt_docs_free(tt_docs *d);

#endif
