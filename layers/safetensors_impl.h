// Private to layers/: helpers shared by the safetensors reader, writer and checkpoints.
#ifndef RECUR_SAFETENSORS_IMPL_H
#define RECUR_SAFETENSORS_IMPL_H

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "layers_impl.h"

const char *rc_st_path(const rc_safetensors *f);
rc_status rc_st_read_bytes(const rc_safetensors *f, uint64_t offset, void *out, size_t n, char *err,
                           size_t err_len);

// Whether tensor t loads into a parameter of shape s: a float dtype and the same shape.
bool rc_load_fits(const rc_safetensors_info *t, rc_shape s);
// Maps f's names under o, matches them with ps, fills rep (legacy: rc_checkpoint_load's report,
// else the prioritised one) and match[parameters] (the tensor each parameter loads from, or
// NULL); in strict mode anything that would not load is the error. Loads nothing.
rc_status rc_load_match(const rc_safetensors *f, const rc_params *ps, const rc_load_opts *o,
                        bool legacy, const rc_safetensors_info **match, rc_load_report *rep,
                        char *err, size_t len);
// Reads every matched tensor into its parameter.
rc_status rc_load_values(const rc_safetensors *f, rc_params *ps, const rc_safetensors_info **match,
                         char *err, size_t len);

#endif
