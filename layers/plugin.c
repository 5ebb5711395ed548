// Plugins: a shared object's description is checked whole, each of its cell types is initialised
// once at a small size, and only then are the types registered, so a bad plugin changes nothing.
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <recur/plugin.h>

#include "common/common.h"

static rc_status try_init(const char *path, const rc_cell_type *type, char *err, size_t err_len) {
    unsigned char opts[RC_CELL_OPTS_MAX];
    char why[384] = "";
    rc_status st = rc_cell_opts_init(type, 4, opts, sizeof opts, why, sizeof why);
    rc_params *ps = NULL;
    rc_cell *cell = NULL;
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    if (!st)
        st = rc_params_new(&ps);
    if (!st)
        st = rc_cell_new(&cell, type, opts, 3, ps, "", "", &rng, why, sizeof why);
    if (!st && (!cell->step || cell->n_state < 1 || cell->n_state > RC_CELL_MAX_STATE))
        st = RC_ERR_ARG, snprintf(why, sizeof why, "init set no step or a bad n_state");
    rc_cell_free(&cell);
    rc_params_free(&ps);
    if (st)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: cell type '%s' fails to initialise: %s", path,
                       type->name, why[0] ? why : rc_status_str(st));
    return RC_OK;
}

static rc_status check_types(const char *path, const rc_plugin_info *info, char *err,
                             size_t err_len) {
    if (info->n_cell_types < 0 || (info->n_cell_types > 0 && !info->cell_types))
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: n_cell_types is %d with cell_types %s", path,
                       info->n_cell_types, info->cell_types ? "set" : "NULL");
    for (int i = 0; i < info->n_cell_types; i++) {
        const rc_cell_type *t = info->cell_types[i];
        if (!t || !t->name)
            return rc_errf(err, err_len, RC_ERR_ARG, "%s: cell type %d has no name", path, i);
        if (rc_cell_type_find(t->name))
            return rc_errf(err, err_len, RC_ERR_ARG,
                           "%s: cell type '%s' is already registered (built in or another plugin)",
                           path, t->name);
        for (int j = 0; j < i; j++)
            if (info->cell_types[j]->name && !strcmp(info->cell_types[j]->name, t->name))
                return rc_errf(err, err_len, RC_ERR_ARG, "%s: cell type '%s' is listed twice", path,
                               t->name);
        if (!t->init || t->opts_size < sizeof(int64_t) || t->opts_size > RC_CELL_OPTS_MAX)
            return rc_errf(err, err_len, RC_ERR_ARG,
                           "%s: cell type '%s' needs an init and an opts_size in [%zu, %d]", path,
                           t->name, sizeof(int64_t), RC_CELL_OPTS_MAX);
        rc_status st = try_init(path, t, err, err_len);
        if (st)
            return st;
    }
    return RC_OK;
}

static rc_status read_info(const char *path, void *h, const rc_plugin_info **out, char *err,
                           size_t err_len) {
    rc_plugin_entry_fn entry;
    void *sym = dlsym(h, RC_PLUGIN_ENTRY);
    if (!sym)
        return rc_errf(err, err_len, RC_ERR_NOTFOUND,
                       "%s: not a recur plugin: it defines no function %s (include/recur/plugin.h)",
                       path, RC_PLUGIN_ENTRY);
    memcpy(&entry, &sym, sizeof entry); // POSIX: a data pointer from dlsym holds a function
    const rc_plugin_info *info = entry();
    if (!info)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: %s() returned NULL", path, RC_PLUGIN_ENTRY);
    if (info->abi_version != RC_PLUGIN_ABI_VERSION)
        return rc_errf(err, err_len, RC_ERR_STATE,
                       "%s: built for plugin ABI version %d, this recur has version %d: rebuild "
                       "it against this recur's headers",
                       path, info->abi_version, RC_PLUGIN_ABI_VERSION);
    *out = info;
    return RC_OK;
}

rc_status rc_plugin_load(const char *path, const rc_plugin_info **info, char *err, size_t err_len) {
    if (!path || !info)
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_plugin_load: %s is NULL",
                       path ? "info" : "path");
    char local[4096];
    if (!strchr(path, '/')) // dlopen would search the library path for a bare name
        snprintf(local, sizeof local, "./%s", path);
    void *h = dlopen(strchr(path, '/') ? path : local, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return rc_errf(err, err_len, RC_ERR_IO, "%s: cannot load: %s", path, dlerror());
    const rc_plugin_info *pi = NULL;
    rc_status st = read_info(path, h, &pi, err, err_len);
    if (!st)
        st = check_types(path, pi, err, err_len);
    if (st) {
        dlclose(h);
        return st;
    }
    // From here h stays open, even on an error: types registered before it live in it.
    for (int i = 0; !st && i < pi->n_cell_types; i++)
        st = rc_cell_type_register(pi->cell_types[i], err, err_len);
    if (!st)
        *info = pi;
    return st;
}
