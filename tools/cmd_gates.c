// `recur gates`: trains a list of cell types on one synthetic memory task under one budget,
// several seeds each, and ranks them; the work is rc_task_train (include/recur/tasks.h), the
// files are cmd_gates_out.c's. Thin: it parses, calls the library, prints.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "gates.h"

const char cmd_gates_usage[] =
    "usage: recur gates [--task adding|copy|reber|order] [--cells LIST|all] [options]\n"
    "Trains every cell of LIST on a synthetic memory task with the same budget, over several\n"
    "seeds, and prints a ranked table (held-out metric mean +- std, seeds that reached the\n"
    "task's success threshold and their median step, parameters, ms per step, wall time) beside\n"
    "the task's trivial baseline. Writes curves, gradient flow, plots, cell drawings and\n"
    "index.html into --out. docs/gates.md explains the tasks and the numbers.\n"
    "  --task NAME        adding (default), copy, reber, order\n"
    "  --cells LIST|all   comma-separated cell types, or all registered (default\n"
    "                     rnn,lstm,gru,lstm_cifg,lstm_np,lstm_nfg,lstm_noaf,mgu)\n"
    "  --length T         sequence length (the task's default otherwise)\n"
    "  --seeds N          seeds per cell (default 3)\n"
    "  --steps N          training steps per run (task default)\n"
    "  --lr X             learning rate (task default)\n"
    "  --batch B          sequences per step (task default)\n"
    "  --hidden H         hidden size (task default)\n"
    "  --clip X           gradient-norm clip, 0 for none (task default)\n"
    "  --optimizer NAME   sgd, adam, adamw, adagrad, rmsprop (default adam)\n"
    "  --forget-bias X    forget-gate bias of the LSTM family after init\n"
    "  --equal-params     hidden sizes giving each cell the LSTM's parameter count at --hidden\n"
    "  --threads N        runs trained at once (default 2)\n"
    "  --out DIR          output folder (default gates-out)\n"
    "  --plugin FILE.so   load a plugin's cell types first (repeatable)\n"
    "  --quiet            no progress on stderr\n"
    "  --json             print the results as JSON instead of the table\n";

static const char default_cells[] = "rnn,lstm,gru,lstm_cifg,lstm_np,lstm_nfg,lstm_noaf,mgu";

enum {
    OPT_TASK = CLI_OPT_FIRST_OWN,
    OPT_CELLS,
    OPT_LENGTH,
    OPT_SEEDS,
    OPT_STEPS,
    OPT_LR,
    OPT_BATCH,
    OPT_HIDDEN,
    OPT_CLIP,
    OPT_OPTIMIZER,
    OPT_FORGET_BIAS,
    OPT_EQUAL,
    OPT_OUT,
};

static const struct option longopts[] = {CLI_COMMON_OPTIONS,
                                         {"task", required_argument, 0, OPT_TASK},
                                         {"cells", required_argument, 0, OPT_CELLS},
                                         {"cell", required_argument, 0, OPT_CELLS},
                                         {"length", required_argument, 0, OPT_LENGTH},
                                         {"seeds", required_argument, 0, OPT_SEEDS},
                                         {"steps", required_argument, 0, OPT_STEPS},
                                         {"lr", required_argument, 0, OPT_LR},
                                         {"batch", required_argument, 0, OPT_BATCH},
                                         {"hidden", required_argument, 0, OPT_HIDDEN},
                                         {"clip", required_argument, 0, OPT_CLIP},
                                         {"optimizer", required_argument, 0, OPT_OPTIMIZER},
                                         {"forget-bias", required_argument, 0, OPT_FORGET_BIAS},
                                         {"equal-params", no_argument, 0, OPT_EQUAL},
                                         {"out", required_argument, 0, OPT_OUT},
                                         {0, 0, 0, 0}};

// The cells of a list (after plugins are loaded: they are resolved at the end of parsing).
static bool find_cells(gates_opts *o, const char *list) {
    if (!strcmp(list, "all")) {
        o->n_cells = 0;
        for (int i = 0; i < rc_cell_type_count() && o->n_cells < GATES_MAX_CELLS; i++)
            o->cells[o->n_cells++] = rc_cell_type_at(i);
        return true;
    }
    const char *names[GATES_MAX_CELLS];
    char *store = NULL;
    const int n = cli_list("gates", "cells", list, names, GATES_MAX_CELLS, &store);
    for (int i = 0; i < n; i++)
        if (!(o->cells[i] = rc_cell_type_find(names[i]))) {
            cli_usage("gates", "--cells: unknown cell type '%s' (see 'recur cells')", names[i]);
            free(store);
            return false;
        }
    free(store);
    o->n_cells = n;
    return n > 0;
}

// One of gates' own options; false after a message (a usage error).
static bool own_option(gates_opts *o, int opt, const char *arg, const char **cells) {
    int k;
    double x;
    switch (opt) {
    case OPT_TASK:
        if (!(o->task = rc_task_find(arg)))
            return cli_usage("gates", "--task: unknown task '%s' (adding, copy, reber, order)",
                             arg),
                   false;
        return true;
    case OPT_CELLS: *cells = arg; return true;
    case OPT_LENGTH: return cli_int("gates", "length", arg, 1, 100000, &o->length);
    case OPT_SEEDS: return cli_int("gates", "seeds", arg, 1, 1000, &o->seeds);
    case OPT_STEPS: return cli_int("gates", "steps", arg, 1, 100000000, &o->steps);
    case OPT_LR: return cli_double("gates", "lr", arg, 1e-9, 10, &o->lr);
    case OPT_BATCH: return cli_int("gates", "batch", arg, 1, 1 << 16, &o->batch);
    case OPT_HIDDEN: return cli_int("gates", "hidden", arg, 1, 1 << 14, &o->hidden);
    case OPT_CLIP:
        if (!cli_double("gates", "clip", arg, 0, 1e9, &x))
            return false;
        o->clip = x == 0 ? -1 : x; // 0 on the command line: no clipping
        return true;
    case OPT_OPTIMIZER:
        if ((k = rc_optim_kind_find(arg)) < 0)
            return cli_usage("gates", "--optimizer: unknown optimizer '%s'", arg), false;
        o->optimizer = k;
        return true;
    case OPT_FORGET_BIAS:
        if (!cli_double("gates", "forget-bias", arg, -100, 100, &x))
            return false;
        o->forget_bias_set = true;
        o->forget_bias = (float)x;
        return true;
    case OPT_EQUAL: o->equal_params = true; return true;
    case OPT_OUT: o->out = arg; return true;
    default: return cli_bad_option("gates"), false;
    }
}

// -1: parsed; else the exit status to return.
static int parse(int argc, char **argv, gates_opts *o) {
    cli_common common = {.threads = 2};
    const char *cells = default_cells;
    *o = (gates_opts){
        .task = rc_task_find("adding"), .seeds = 3, .optimizer = -1, .out = "gates-out"};
    optind = 1;
    for (int opt, st; (opt = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1;) {
        const int done = cli_common_option("gates", opt, optarg, &common, &st);
        if (done < 0)
            return st;
        if (!done && !own_option(o, opt, optarg, &cells))
            return CLI_USAGE;
    }
    if (common.help)
        return fputs(cmd_gates_usage, stdout), CLI_OK;
    const int bad = cli_no_operands("gates", argc, argv);
    if (bad)
        return bad;
    if (o->length && o->length < o->task->min_length)
        return cli_usage("gates", "--length: %s needs a length >= %d, got %d", o->task->name,
                         o->task->min_length, o->length);
    o->quiet = common.quiet;
    o->json = common.json;
    o->threads = common.threads > 0 ? common.threads : 2;
    return find_cells(o, cells) ? -1 : CLI_USAGE;
}

// Hidden size of each cell: --hidden, or with --equal-params the one matching the LSTM's count.
static int cell_hidden(const gates_opts *o, const rc_cell_type *cell, int *H) {
    const int base = o->hidden ? o->hidden : o->task->defaults.hidden;
    const int length = o->length ? o->length : o->task->defaults.length;
    char err[512];
    *H = base;
    if (!o->equal_params)
        return CLI_OK;
    *H = rc_task_equal_params_hidden(o->task, cell, rc_cell_type_find("lstm"), length, base, err,
                                     sizeof err);
    return *H > 0 ? CLI_OK : cli_fail("gates", "--equal-params: %s: %s", cell->name, err);
}

static int cmp_int(const void *a, const void *b) {
    return *(const int *)a - *(const int *)b;
}

// Mean and std of the final held-out metric over a cell's seeds, successes, median step.
static gates_row summarize(const gates_run *r, int seeds) {
    gates_row row = {.cell = r->cell, .hidden = r->hidden, .median_step = -1};
    int steps[1000];
    double s = 0, s2 = 0;
    for (int i = 0; i < seeds; i++) {
        if (r[i].st != RC_OK)
            continue;
        const double m = r[i].res.final_heldout;
        row.n_ok++;
        s += m;
        s2 += m * m;
        row.n_params = r[i].res.n_params;
        row.ms_per_step += r[i].res.ms_per_step;
        row.wall_s += r[i].wall_s;
        if (r[i].res.success_step >= 0)
            steps[row.n_success++] = r[i].res.success_step;
    }
    row.mean = row.n_ok ? s / row.n_ok : NAN;
    row.std = row.n_ok > 1 ? sqrt(fmax(0, (s2 - s * s / row.n_ok) / (row.n_ok - 1))) : 0;
    row.ms_per_step = row.n_ok ? row.ms_per_step / row.n_ok : NAN;
    if (row.n_success) {
        qsort(steps, (size_t)row.n_success, sizeof *steps, cmp_int);
        row.median_step = steps[row.n_success / 2];
    }
    return row;
}

// Most seeds successful first, then the lower mean metric; cells with no finished run last.
static int cmp_row(const void *pa, const void *pb) {
    const gates_row *a = pa, *b = pb;
    if (!a->n_ok || !b->n_ok)
        return !a->n_ok - !b->n_ok;
    if (a->n_success != b->n_success)
        return b->n_success - a->n_success;
    return (a->mean > b->mean) - (a->mean < b->mean);
}

static void print_table(const gates_opts *o, const gates_row *rows, int n, double wall) {
    const int length = o->length ? o->length : o->task->defaults.length;
    printf("recur gates: task %s, length %d, %d seed%s, threshold: %s\n", o->task->name, length,
           o->seeds, o->seeds > 1 ? "s" : "", o->task->threshold);
    printf("%-4s %-16s %6s %9s %-21s %9s %7s %9s %8s\n", "rank", "cell", "H", "params",
           o->task->metric, "success", "median", "ms/step", "wall s");
    for (int i = 0; i < n; i++) {
        const gates_row *r = &rows[i];
        char metric[32], succ[16], med[16];
        snprintf(metric, sizeof metric, "%.4f +- %.4f", r->mean, r->std);
        snprintf(succ, sizeof succ, "%d/%d", r->n_success, o->seeds);
        snprintf(med, sizeof med, r->median_step >= 0 ? "%d" : "-", r->median_step);
        printf("%-4d %-16s %6d %9lld %-21s %9s %7s %9.2f %8.1f\n", i + 1, r->cell->name, r->hidden,
               (long long)r->n_params, r->n_ok ? metric : "failed", succ, med, r->ms_per_step,
               r->wall_s);
    }
    printf("baseline (no memory): %s %.4f; wall time %.1f s\n", o->task->metric,
           o->task->baseline(length), wall);
}

static int report(const gates_opts *o, gates_run *runs, int n_runs, double wall) {
    gates_row rows[GATES_MAX_CELLS];
    for (int c = 0; c < o->n_cells; c++)
        rows[c] = summarize(&runs[c * o->seeds], o->seeds);
    qsort(rows, (size_t)o->n_cells, sizeof *rows, cmp_row);
    int failed = 0;
    for (int i = 0; i < n_runs; i++)
        if (runs[i].st != RC_OK) {
            fprintf(stderr, "recur gates: %s\n", runs[i].err);
            failed++;
        }
    char err[1024];
    if (!gates_write_outputs(o, runs, n_runs, rows, o->n_cells, wall, err, sizeof err))
        return cli_fail("gates", "%s", err);
    if (o->json) {
        char *text = gates_json(o, runs, n_runs, rows, o->n_cells, wall);
        if (!text)
            return cli_fail("gates", "out of memory (JSON)");
        puts(text);
        free(text);
    } else {
        print_table(o, rows, o->n_cells, wall);
    }
    if (!o->quiet)
        fprintf(stderr, "recur gates: wrote %s/index.html, curves.csv, results.json\n", o->out);
    return failed == n_runs ? CLI_FAILED : CLI_OK;
}

int cmd_gates(int argc, char **argv) {
    gates_opts o;
    int st = parse(argc, argv, &o);
    if (st >= 0)
        return st;
    char err[512];
    if (!cli_mkdir(o.out, err, sizeof err))
        return cli_fail("gates", "--out: %s", err);
    const int n = o.n_cells * o.seeds;
    gates_run *runs = calloc((size_t)n, sizeof *runs);
    if (!runs)
        return cli_fail("gates", "out of memory (%d runs)", n);
    for (int c = 0; c < o.n_cells && st < 0; c++) {
        int H;
        if ((st = cell_hidden(&o, o.cells[c], &H)) != CLI_OK)
            break;
        st = -1;
        for (int s = 0; s < o.seeds; s++)
            runs[c * o.seeds + s] = (gates_run){.cell = o.cells[c], .hidden = H, .seed = s + 1};
    }
    if (st < 0) {
        const double t0 = cli_now();
        gates_train_all(&o, runs, n);
        st = report(&o, runs, n, cli_now() - t0);
    }
    for (int i = 0; i < n; i++)
        rc_task_result_free(&runs[i].res);
    free(runs);
    return st;
}
