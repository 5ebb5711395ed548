// Private to layers/: helpers shared by the safetensors reader, writer and checkpoints.
#ifndef RECUR_SAFETENSORS_IMPL_H
#define RECUR_SAFETENSORS_IMPL_H

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "layers_impl.h"

const char *rc_st_path(const rc_safetensors *f);
rc_status rc_st_read_bytes(const rc_safetensors *f, uint64_t offset, void *out, size_t n,
                           char *err, size_t err_len);

#endif
