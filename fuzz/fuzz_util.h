// Shared by the fuzz targets: recur's readers take paths, so each input is written to a file of
// this process first; multi-file inputs are split at NUL bytes.
#ifndef RECUR_FUZZ_UTIL_H
#define RECUR_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// Writes data[0..size) to this process's file number `slot` (0..7) and returns its path.
const char *fz_file(int slot, const void *data, size_t size);
// The folder of this process's files (for readers that take a folder).
const char *fz_dir(void);
// Writes data to fz_dir()/name and returns the path.
const char *fz_named_file(const char *name, const void *data, size_t size);
// Splits data at NUL bytes into at most n parts (the last part takes the rest); returns the count
// and sets part[i], len[i].
int fz_split(const uint8_t *data, size_t size, const uint8_t **part, size_t *len, int n);

#endif
