// safetensors files and checkpoints: open, list, read every tensor as f32 and int32, load into a
// store by name (strict and lenient).
#include <stdlib.h>

#include <recur/recur.h>

#include "fuzz_util.h"

static void read_all(const rc_safetensors *f) {
    for (int i = 0; i < rc_safetensors_count(f); i++) {
        const rc_safetensors_info *t = rc_safetensors_at(f, i);
        int64_t n = t->numel;
        if (n < 0 || n > (1 << 20))
            continue;
        float *buf = malloc((size_t)n * sizeof(float) + 1);
        char err[256];
        rc_safetensors_read(f, t->name, buf, n, err, sizeof err);
        rc_safetensors_read_i32(f, t->name, (int32_t *)buf, n, err, sizeof err);
        free(buf);
    }
    const char *key, *value;
    for (int i = 0; i < rc_safetensors_metadata_count(f); i++)
        if (!rc_safetensors_metadata_at(f, i, &key, &value) || !key || !value)
            __builtin_trap(); // every pair below the count exists
}

static void load_store(const char *path) {
    rc_params *ps;
    if (rc_params_new(&ps))
        return;
    rc_param *p;
    rc_params_add(ps, "weight", RC_SHAPE(2, 3), &p);
    rc_params_add(ps, "bias", RC_SHAPE(3), &p);
    char err[512];
    rc_load_report rep;
    rc_checkpoint_load(path, ps, NULL, true, &rep, err, sizeof err);
    rc_checkpoint_load(path, ps, NULL, false, &rep, err, sizeof err);
    // With every extra: the optimizer state, schedule and generator readers.
    rc_optim_opts oo = rc_optim_defaults(RC_OPTIM_ADAM, 1e-3);
    rc_optim *opt = NULL;
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    if (rc_optim_new(&opt, ps, &oo, err, sizeof err) == RC_OK) {
        rc_checkpoint_extra extra = {.optim = opt, .rng = &rng};
        rc_checkpoint_load(path, ps, &extra, false, &rep, err, sizeof err);
        rc_optim_free(&opt);
    }
    rc_params_free(&ps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fz_file(0, data, size);
    rc_safetensors *f;
    char err[512];
    if (rc_safetensors_open(&f, path, err, sizeof err) == RC_OK) {
        read_all(f);
        rc_safetensors_close(&f);
    }
    load_store(path);
    return 0;
}
