// Test-only reader for the F32 safetensors fixtures under tests/fixtures/ (temporary: to be
// replaced by the library's checkpoint reader once it lands).
#ifndef RECUR_TEST_ST_READER_H
#define RECUR_TEST_ST_READER_H

#include <recur/recur.h>

typedef struct st_file st_file;

// Loads a whole file; NULL (and a Criterion failure message) when it cannot be read or parsed.
st_file *st_open(const char *path);
void st_close(st_file **f);
// The named F32 tensor (data points into the file's buffer), or data == NULL when absent.
rc_tensor st_get(const st_file *f, const char *name);
// The path of a fixture: $RECUR_SOURCE_ROOT/tests/fixtures/<rel> (or a path relative to the
// working directory when the variable is unset).
const char *st_fixture_path(const char *rel, char *buf, size_t len);

#endif
