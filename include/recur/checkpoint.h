// recur: safetensors files (a general reader and writer) and checkpoints of a parameter store,
// with optimizer, schedule and generator state, that PyTorch's ecosystem reads and writes.
#ifndef RECUR_CHECKPOINT_H
#define RECUR_CHECKPOINT_H

#include "optim.h"
#include "rnn.h"

#ifdef __cplusplus
extern "C" {
#endif

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
// NULL when i is out of range.
RC_API const rc_safetensors_info *rc_safetensors_at(const rc_safetensors *f, int i);
RC_API const rc_safetensors_info *rc_safetensors_find(const rc_safetensors *f, const char *name);
// Metadata: the value for key, or NULL when absent; and all pairs by index.
RC_API const char *rc_safetensors_metadata(const rc_safetensors *f, const char *key);
RC_API int rc_safetensors_metadata_count(const rc_safetensors *f);
RC_API bool rc_safetensors_metadata_at(const rc_safetensors *f, int i, const char **key,
                                       const char **value);

// Reads tensor `name` into out[n] as f32, converting any dtype (F16, BF16, F64, F8 exactly or to
// the nearest f32; integers and BOOL by value). RC_ERR_NOTFOUND: no such tensor; RC_ERR_SHAPE:
// n differs from its number of elements (or out is NULL and n > 0); RC_ERR_IO: the file changed
// or a read failed.
RC_API rc_status rc_safetensors_read(const rc_safetensors *f, const char *name, float *out,
                                     int64_t n, char *err, size_t err_len);
// The raw little-endian bytes of tensor `name` into out[bytes]; bytes must equal its size.
RC_API rc_status rc_safetensors_read_raw(const rc_safetensors *f, const char *name, void *out,
                                         size_t bytes, char *err, size_t err_len);
// Reads integer tensor `name` (I8..I64, U8..U64, BOOL) into out[n] as int32 (token ids,
// lengths). RC_ERR_RANGE: an element outside int32 (the message names the tensor and index);
// RC_ERR_ARG: a float tensor; RC_ERR_NOTFOUND, RC_ERR_SHAPE, RC_ERR_IO as rc_safetensors_read.
RC_API rc_status rc_safetensors_read_i32(const rc_safetensors *f, const char *name, int32_t *out,
                                         int64_t n, char *err, size_t err_len);

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

// ---- checkpoints of a parameter store ----------------------------------------------------------
// A checkpoint is a safetensors file holding every parameter under its own name as F32 (so
// `fc.weight` loads into PyTorch's Linear named fc) with metadata {"format": "pt"}. Optionally:
//   optimizer state: tensors "__optim__.<slot>.<param>" (PyTorch's state names, e.g.
//     "__optim__.exp_avg.fc.weight") for every parameter with a step count > 0, and metadata
//     "recur.optim" = {"kind", "lr", "steps": {param: count}}; doubles are written as C99 hex
//     floats, so nothing is rounded;
//   schedule state: metadata "recur.sched" = {"kind", "last_epoch", "best", "num_bad_epochs",
//     "cooldown_counter"};
//   generator state: metadata "recur.rng" = four 64-bit words in hex.
// With all three, training resumed from a checkpoint is bit-identical to training on.

#define RC_CHECKPOINT_OPTIM_PREFIX "__optim__."

// What a checkpoint carries besides the parameters; a NULL member is neither saved nor loaded.
typedef struct rc_checkpoint_extra {
    rc_optim *optim;         // state of the optimizer over the same store
    rc_sched *sched;         // its schedule
    rc_rng *rng;             // a generator (shuffling, dropout)
    const char *const *meta; // save only: extra metadata, key, value, ..., NULL; keys "format"
                             // and "recur.*" are reserved
} rc_checkpoint_extra;

// Writes the store (in order of addition) and the extras atomically (temporary file, fsync,
// rename). RC_ERR_ARG: a reserved metadata key, an optimizer over another store; RC_ERR_IO.
RC_API rc_status rc_checkpoint_save(const char *path, const rc_params *ps,
                                    const rc_checkpoint_extra *extra, char *err, size_t err_len);

// Loading compares names, shapes and dtypes (F32, F16, BF16 and F64 load, converted to f32):
// a store parameter absent from the file is missing, a file tensor absent from the store is
// unexpected (optimizer tensors are not counted), a shape or dtype that does not fit is
// mismatched. rc_checkpoint_load's report names them: "missing: a, b; mismatched: d (file
// [3,4] F16, store [4,3]); unexpected: c" (cut with "..." when long).
typedef struct rc_load_report {
    int loaded, missing, unexpected, mismatched;
    char text[1024];
} rc_load_report;

// Loads a checkpoint into the store. strict: any missing, unexpected or mismatched entry is an
// error and nothing is loaded (RC_ERR_SHAPE when something is mismatched, else
// RC_ERR_NOTFOUND; err holds the report). Not strict: what matches is loaded and RC_OK returned;
// rep says what was not. Extras named in `extra` must be in the file (RC_ERR_NOTFOUND) and fit
// (RC_ERR_FORMAT: another optimizer or schedule kind, malformed state); optimizer state is
// restored for the parameters loaded. A file that cannot be opened or is malformed: RC_ERR_IO or
// RC_ERR_FORMAT, nothing loaded. rep may be NULL.
RC_API rc_status rc_checkpoint_load(const char *path, rc_params *ps,
                                    const rc_checkpoint_extra *extra, bool strict,
                                    rc_load_report *rep, char *err, size_t err_len);

// ---- loading weights by name from an open file (a PyTorch state dict, any safetensors file) ----
// Every file tensor gets a store name, in this order: its `renames` entry when it has one (used
// as given); else its file name with strip_prefix removed (when it starts with it) and
// add_prefix put in front; then `map`, when set, may rewrite that name. The names are matched
// with the store as rc_checkpoint_load does (shapes, float dtypes). Tensors named
// "__optim__.*" are never unexpected.

// One renamed file tensor; store_name NULL skips the tensor (neither loaded nor unexpected).
typedef struct rc_load_rename {
    const char *file_name, *store_name;
} rc_load_rename;

// File tensors the store has no parameter for.
typedef enum rc_load_unexpected {
    RC_LOAD_UNEXPECTED_LIST = 0, // counted and named in the report; an error when strict
    RC_LOAD_UNEXPECTED_COUNT,    // counted in rep->unexpected, not named, never an error
    RC_LOAD_UNEXPECTED_IGNORE,   // neither counted nor named, never an error
} rc_load_unexpected;

#define RC_LOAD_NAME_MAX 512   // bytes of a store name a mapping may produce, NUL included
#define RC_LOAD_REPORT_NAMES 8 // names listed per section of a report, then "and N more"

typedef struct rc_load_opts {
    bool strict;                   // as rc_checkpoint_load: anything not loading is an error
    const char *strip_prefix;      // NULL or "": none; names without it are kept as they are
    const char *add_prefix;        // NULL or "": none
    const rc_load_rename *renames; // n_renames entries, each file_name in the file, once
    int n_renames;
    // Called for every tensor not skipped: name[cap] holds its store name and may be rewritten
    // (NUL-terminated); returning false skips the tensor.
    bool (*map)(void *user, const char *file_name, char *name, size_t cap);
    void *map_user;
    rc_load_unexpected unexpected;
} rc_load_opts;

// Loads the tensors of an open file into the store by name (opts NULL: strict, no mapping).
// The report lists mismatched, then missing, then unexpected tensors, each section its count and
// first RC_LOAD_REPORT_NAMES names ("mismatched 1: fc.weight (file x.fc.weight [3,4] F16,
// store [4,3]); missing 2: a, b; unexpected 300: c, d, ... and 292 more"). Strict failures as
// rc_checkpoint_load (RC_ERR_SHAPE or RC_ERR_NOTFOUND, nothing loaded). RC_ERR_ARG: two
// tensors mapped to one store name, a renames entry the file lacks or repeats, a name too long.
RC_API rc_status rc_params_load_safetensors(rc_params *ps, const rc_safetensors *f,
                                            const rc_load_opts *opts, rc_load_report *rep,
                                            char *err, size_t err_len);

// ---- PyTorch RNN, LSTM and GRU state dicts against an rc_rnn_config ----------------------------
// Names are prefix + PyTorch's: weight_ih_l{k}[_reverse], weight_hh_l{k}, bias_ih_l{k},
// bias_hh_l{k}, weight_hr_l{k} (LSTM with proj_size).

// Checks that f holds exactly the parameters rc_rnn_new(cfg, prefix) creates, with their shapes
// (float dtypes), for any cell type. The first difference is the error: RC_ERR_NOTFOUND (a
// tensor the config needs is absent), RC_ERR_SHAPE (another shape or dtype, or a tensor
// prefix + "<role>_l<k>[_reverse]" the config does not have); a bad config as rc_rnn_new.
RC_API rc_status rc_rnn_config_check(const rc_rnn_config *cfg, const rc_safetensors *f,
                                     const char *prefix, char *err, size_t err_len);

// Options of one of PyTorch's cells, for rc_rnn_config_derive.
typedef union rc_torch_cell_opts {
    rc_rnn_cell_opts rnn;
    rc_lstm_opts lstm;
    rc_gru_opts gru;
} rc_torch_cell_opts;

// Derives the config of a PyTorch RNN, LSTM or GRU state dict under prefix: dim_in, H,
// proj_size, num_layers, bidirectional and bias from the shapes; the cell from weight_hh's rows
// (H: rnn, 3H: gru, 4H or weight_hr: lstm) when `cell` is NULL, else checked against it. The
// file cannot tell tanh from relu: opts->rnn.nonlinearity is kept from entry. cfg->cell_opts
// points at opts; dropout is 0. Then rc_rnn_config_check. RC_ERR_ARG: another cell type.
RC_API rc_status rc_rnn_config_derive(rc_rnn_config *cfg, rc_torch_cell_opts *opts,
                                      const rc_safetensors *f, const char *prefix,
                                      const rc_cell_type *cell, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif

#endif
