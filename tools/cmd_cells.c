// `recur cells`: every cell type the registry knows (built-in, then plugins), with its summary
// and its parameter count at a given size.
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <recur/recur.h>

#include "cli.h"
#include "commands.h"

const char cmd_cells_usage[] =
    "usage: recur cells [--hidden H] [--input I] [--plugin FILE.so]... [--json]\n"
    "Lists every cell type, built-in and added by plugins, with its state count and the number\n"
    "of parameters of one layer at input size I and hidden size H.\n"
    "  --hidden H        hidden size for the parameter count (default 32)\n"
    "  --input I         input size for the parameter count (default 8)\n"
    "  --plugin FILE.so  load a plugin's cell types first (repeatable)\n"
    "  --json            print the list as JSON\n";

enum { OPT_HIDDEN = CLI_OPT_FIRST_OWN, OPT_INPUT };

typedef struct cell_row {
    const rc_cell_type *type;
    int n_state;
    int64_t params;
} cell_row;

static rc_status measure(const rc_cell_type *t, int64_t in, int64_t hid, cell_row *row, char *err,
                         size_t err_len) {
    unsigned char opts[RC_CELL_OPTS_MAX];
    rc_params *ps = NULL;
    rc_cell *cell = NULL;
    rc_status st = rc_cell_opts_init(t, hid, opts, sizeof opts, err, err_len);
    if (!st)
        st = rc_params_new(&ps);
    if (!st)
        st = rc_cell_new(&cell, t, opts, in, ps, "", "", NULL, err, err_len);
    if (!st)
        *row = (cell_row){t, cell->n_state, rc_params_numel(ps)};
    rc_cell_free(&cell);
    rc_params_free(&ps);
    return st;
}

static void print_json(const cell_row *rows, int n, int64_t in, int64_t hid) {
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:i, s:I}", "name", rows[i].type->name, "summary",
                           rows[i].type->summary ? rows[i].type->summary : "", "states",
                           rows[i].n_state, "params", (json_int_t)rows[i].params));
    json_t *root = json_pack("{s:I, s:I, s:o}", "input", (json_int_t)in, "hidden", (json_int_t)hid,
                             "cells", arr);
    cli_print_json(root);
}

static int list(int64_t in, int64_t hid, bool json) {
    int n = rc_cell_type_count();
    cell_row rows[256];
    char err[512];
    for (int i = 0; i < n && i < 256; i++)
        if (measure(rc_cell_type_at(i), in, hid, &rows[i], err, sizeof err))
            return cli_fail("cells", "%s: %s", rc_cell_type_at(i)->name, err);
    if (json)
        return print_json(rows, n, in, hid), CLI_OK;
    printf("%-16s %6s %10s  %s\n", "cell", "states", "params", "summary");
    for (int i = 0; i < n; i++)
        printf("%-16s %6d %10lld  %s\n", rows[i].type->name, rows[i].n_state,
               (long long)rows[i].params, rows[i].type->summary ? rows[i].type->summary : "");
    printf("(%d cell types; parameters of one layer with input %lld, hidden %lld)\n", n,
           (long long)in, (long long)hid);
    return CLI_OK;
}

int cmd_cells(int argc, char **argv) {
    static const struct option longopts[] = {CLI_COMMON_OPTIONS,
                                             {"hidden", required_argument, 0, OPT_HIDDEN},
                                             {"input", required_argument, 0, OPT_INPUT},
                                             {0, 0, 0, 0}};
    cli_common common = {0};
    int64_t hid = 32, in = 8;
    optind = 1;
    for (int opt, st; (opt = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1;) {
        int done = cli_common_option("cells", opt, optarg, &common, &st);
        if (done < 0)
            return st;
        if (done)
            continue;
        if (opt == OPT_HIDDEN && !cli_long("cells", "hidden", optarg, 1, 1 << 20, &hid))
            return CLI_USAGE;
        if (opt == OPT_INPUT && !cli_long("cells", "input", optarg, 1, 1 << 20, &in))
            return CLI_USAGE;
        if (opt != OPT_HIDDEN && opt != OPT_INPUT)
            return cli_bad_option("cells");
    }
    if (common.help)
        return fputs(cmd_cells_usage, stdout), CLI_OK;
    int bad = cli_no_operands("cells", argc, argv);
    return bad ? bad : list(in, hid, common.json);
}
