// recur: safetensors files (a general reader and writer) and checkpoints of a parameter store,
// with optimizer, schedule and generator state, that PyTorch's ecosystem reads and writes.
#ifndef RECUR_CHECKPOINT_H
#define RECUR_CHECKPOINT_H

#include "graph.h"

// ---- safetensors ------------------------------------------------------------------------------
// The format: an 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//  "__metadata__": {"key": "value"}}, then the data, contiguous, little-endian, offsets relative to
// the end of the header. Every function that can fail takes `err, err_len` (NULL allowed) and
// writes a message naming the file and the problem there.

typedef enum rc_dtype {
    RC_DTYPE_F32 = 0,
    RC_DTYPE_F16,
    RC_DTYPE_BF16,
    RC_DTYPE_F64,
    RC_DTYPE_F8_E4M3,
    RC_DTYPE_F8_E5M2,
    RC_DTYPE_I8,
    RC_DTYPE_I16,
    RC_DTYPE_I32,
    RC_DTYPE_I64,
    RC_DTYPE_U8,
    RC_DTYPE_U16,
    RC_DTYPE_U32,
    RC_DTYPE_U64,
    RC_DTYPE_BOOL,
    RC_DTYPE_COUNT
} rc_dtype;

RC_API const char *rc_dtype_name(rc_dtype dt); // "F32", ...; "?" for an unknown value
RC_API size_t rc_dtype_size(rc_dtype dt);      // bytes per element; 0 for an unknown value

#define RC_SAFETENSORS_MAX_DIMS 8
// The largest header accepted (as the reference implementation: 100 MB).
#define RC_SAFETENSORS_MAX_HEADER 100000000u

typedef struct rc_safetensors rc_safetensors;

// One tensor of an open file; strings and dims are owned by the handle until it is closed.
typedef struct rc_safetensors_info {
    const char *name;
    rc_dtype dtype;
    int ndim;
    int64_t dims[RC_SAFETENSORS_MAX_DIMS];
    rc_shape shape; // the same dims when ndim <= RC_MAX_DIMS, else ndim 0
    int64_t numel;
    uint64_t offset, nbytes; // within the data section
} rc_safetensors_info;

// Opens and validates a file: header length against the file size, JSON, every entry's dtype,
// shape and offsets, offsets in bounds, contiguous, without holes or overlaps, bytes = numel *
// dtype size, metadata values strings. Only the header is read; tensors are read on demand.
// RC_ERR_IO: the file cannot be opened or read; RC_ERR_FORMAT: anything malformed (the message
// says what and where); RC_ERR_NOMEM.
RC_API rc_status rc_safetensors_open(rc_safetensors **f, const char *path, char *err,
                                     size_t err_len);
RC_API void rc_safetensors_close(rc_safetensors **f); // accepts NULL; nulls *f

// Tensors in the order of their data in the file (for files recur writes: the order given).
RC_API int rc_safetensors_count(const rc_safetensors *f);
RC_API const rc_safetensors_info *rc_safetensors_at(const rc_safetensors *f, int i); // NULL: out of range
RC_API const rc_safetensors_info *rc_safetensors_find(const rc_safetensors *f, const char *name);
// Metadata: the value for key, or NULL when absent; and all pairs by index.
RC_API const char *rc_safetensors_metadata(const rc_safetensors *f, const char *key);
RC_API int rc_safetensors_metadata_count(const rc_safetensors *f);
RC_API bool rc_safetensors_metadata_at(const rc_safetensors *f, int i, const char **key,
                                       const char **value);

// Reads tensor `name` into out[n] as f32, converting any dtype (F16, BF16, F64, F8 exactly or to
// the nearest f32; integers and BOOL by value). RC_ERR_NOTFOUND: no such tensor; RC_ERR_SHAPE:
// n differs from its number of elements; RC_ERR_IO: the file changed or a read failed.
RC_API rc_status rc_safetensors_read(const rc_safetensors *f, const char *name, float *out,
                                     int64_t n, char *err, size_t err_len);
// The raw little-endian bytes of tensor `name` into out[bytes]; bytes must equal its size.
RC_API rc_status rc_safetensors_read_raw(const rc_safetensors *f, const char *name, void *out,
                                         size_t bytes, char *err, size_t err_len);

// One tensor to write: written as F32 under `name` with `shape`, data[numel(shape)].
typedef struct rc_safetensors_entry {
    const char *name;
    rc_shape shape;
    const float *data;
} rc_safetensors_entry;

// Writes n tensors (in this order, data contiguous) and optional metadata (`meta` is key, value,
// key, value, ..., NULL; NULL for none) to `path` through a temporary file in the same directory
// that is flushed, fsync'ed and renamed over path, so path never holds half a file.
// RC_ERR_ARG: a duplicate, empty or non-UTF-8 name or key, NULL data, a bad shape; RC_ERR_IO.
RC_API rc_status rc_safetensors_write(const char *path, const rc_safetensors_entry *t, int n,
                                      const char *const *meta, char *err, size_t err_len);

#endif
