// recur: plugins, shared objects that add cell types (and later other kinds) at run time, so that
// a user's own cell written in C works in every `recur` subcommand (`--plugin FILE.so`) and in any
// program that loads it.
//
// A plugin defines one function with C linkage, named RC_PLUGIN_ENTRY, returning its description:
//
//     static const rc_cell_type *const cells[] = {&janet_cell_type};
//     static const rc_plugin_info info = {.abi_version = RC_PLUGIN_ABI_VERSION, .name = "janet",
//                                         .n_cell_types = 1, .cell_types = cells};
//     RC_PLUGIN_EXPORT const rc_plugin_info *recur_plugin(void) { return &info; }
//
// and is built with `cc -shared -fPIC janet.c -o janet.so $(pkg-config --cflags --libs recur)`
// (examples/janet_plugin.c, README "Your own cell as a plugin").
#ifndef RECUR_PLUGIN_H
#define RECUR_PLUGIN_H

#include "rnn.h"

#ifdef __cplusplus
extern "C" {
#endif

// Raised whenever rc_plugin_info or a struct it points to (rc_cell_type) changes its layout: a
// plugin built against another version is refused instead of misread.
#define RC_PLUGIN_ABI_VERSION 1
#define RC_PLUGIN_ENTRY "recur_plugin"
#ifdef __cplusplus
#define RC_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))
#else
#define RC_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

typedef struct rc_plugin_info {
    int abi_version;  // RC_PLUGIN_ABI_VERSION of the headers the plugin was built with
    const char *name; // for messages and listings
    int n_cell_types;
    const rc_cell_type *const *cell_types; // each with name, init and opts_size set
} rc_plugin_info;

typedef const rc_plugin_info *(*rc_plugin_entry_fn)(void);

// Opens the shared object at path (dlopen; a path without '/' is taken relative to the current
// folder, not searched), checks its description and registers its cell types
// (rc_cell_type_register), all or none. Before registering, each type is initialised once at a
// small size to catch an init that fails. The object stays loaded for the life of the process.
// Errors, with a message naming path: RC_ERR_ARG for a NULL path; RC_ERR_IO when it cannot be
// opened; RC_ERR_NOTFOUND when it has no RC_PLUGIN_ENTRY; RC_ERR_STATE for another ABI version;
// RC_ERR_ARG for a bad description, a name already registered, or a cell whose init fails.
RC_API rc_status rc_plugin_load(const char *path, const rc_plugin_info **info, char *err,
                                size_t err_len);

#ifdef __cplusplus
}
#endif

#endif
