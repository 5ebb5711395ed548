// Plugins end to end: the example JANET plugin loads and lists, and each wrong plugin (another ABI
// version, no entry symbol, a failing init, a built-in name, not a shared object, missing) gets
// one message naming the file and exit 1; rc_plugin_load itself refuses the same files.
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <recur/plugin.h>
#include <recur/recur.h>

#include "cli_run.h"

#define HAS(s, sub) cr_assert(strstr((s), (sub)), "expected '%s' in:\n%s", (sub), (s))

static char *plugin_path(const char *dir, const char *name) {
    static char buf[4][4096];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s.so", dir, name);
    return p;
}

static const char *janet(void) {
    return plugin_path(cli_examples_dir(), "janet_plugin");
}
static const char *test_plugin(const char *variant) {
    char name[64];
    snprintf(name, sizeof name, "plugin_%s", variant);
    return plugin_path(cli_test_plugins_dir(), name);
}

Test(plugins, example_janet_plugin_is_listed_by_recur_cells) {
    cli_result r = CLI_RUN("cells", "--plugin", janet());
    cr_assert_eq(r.status, 0, "stderr:\n%s", r.err);
    HAS(r.out, "janet");
    HAS(r.out, "van der Westhuizen");
    cli_result_free(&r);
}

Test(plugins, two_plugins_can_be_loaded_together) {
    cli_result r = CLI_RUN("cells", "--plugin", janet(), "--plugin", test_plugin("good"), "--json");
    cr_assert_eq(r.status, 0, "stderr:\n%s", r.err);
    HAS(r.out, "\"janet\"");
    HAS(r.out, "\"tiny_ok\"");
    cli_result_free(&r);
}

// Each bad plugin: exit 1, the file named, what is wrong, nothing on stdout.
static void expect_refused(const char *path, const char *why) {
    cli_result r = CLI_RUN("cells", "--plugin", path);
    cr_assert_eq(r.status, 1, "%s gave %d:\n%s", path, r.status, r.err);
    HAS(r.err, path);
    HAS(r.err, why);
    cr_assert_str_empty(r.out);
    cli_result_free(&r);
}

Test(plugins, wrong_abi_version_is_refused) {
    expect_refused(test_plugin("bad_abi"), "ABI version 42");
}
Test(plugins, missing_entry_symbol_is_refused) {
    expect_refused(test_plugin("no_entry"), "defines no function recur_plugin");
}
Test(plugins, failing_cell_init_is_refused) {
    expect_refused(test_plugin("init_fails"), "this init always fails");
}
Test(plugins, duplicate_of_a_built_in_name_is_refused) {
    expect_refused(test_plugin("duplicate"), "'lstm' is already registered");
}
Test(plugins, the_same_plugin_twice_is_refused) {
    cli_result r = CLI_RUN("cells", "--plugin", janet(), "--plugin", janet());
    cr_assert_eq(r.status, 1);
    HAS(r.err, "'janet' is already registered");
    cli_result_free(&r);
}

static const char *text_file(void) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/recur_not_a_plugin_%d.so", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("this is text, not an ELF shared object\n", f);
    fclose(f);
    return path;
}

Test(plugins, a_text_file_and_a_missing_file_are_refused) {
    const char *txt = text_file();
    expect_refused(txt, "cannot load");
    remove(txt);
    expect_refused("/nonexistent/dir/plugin.so", "cannot load");
}

// The library call, without the command line: the same refusals with their status codes.
static void lib_refuses(const char *path, rc_status want, const char *why) {
    const rc_plugin_info *info = NULL;
    char err[1024] = "";
    int before = rc_cell_type_count();
    rc_status st = rc_plugin_load(path, &info, err, sizeof err);
    cr_assert_eq(st, want, "%s: status %d, want %d: %s", path, st, want, err);
    cr_assert_null(info);
    HAS(err, path);
    HAS(err, why);
    cr_assert_eq(rc_cell_type_count(), before, "a refused plugin registered something");
}

Test(plugins, rc_plugin_load_refuses_bad_plugins_with_their_status) {
    lib_refuses(test_plugin("bad_abi"), RC_ERR_STATE, "ABI version");
    lib_refuses(test_plugin("no_entry"), RC_ERR_NOTFOUND, "recur_plugin");
    lib_refuses(test_plugin("init_fails"), RC_ERR_ARG, "fails to initialise");
    lib_refuses(test_plugin("duplicate"), RC_ERR_ARG, "already registered");
    lib_refuses("/nonexistent/plugin.so", RC_ERR_IO, "cannot load");
    const rc_plugin_info *info = NULL;
    char err[256] = "";
    cr_assert_eq(rc_plugin_load(NULL, &info, err, sizeof err), RC_ERR_ARG);
    HAS(err, "path is NULL");
}
