// `recur gradcheck`: finite differences against backward for every registered op
// (rc_gradcheck_op on its own test spec) and every cell type, built-in or from a plugin, on a
// small 2-layer rc_rnn in four settings (one or both directions, full or variable lengths).
// Prints one row per check with its largest absolute and relative errors; exit 1 if any fails.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <recur/recur.h>

#include "cli.h"
#include "commands.h"

const char cmd_gradcheck_usage[] =
    "usage: recur gradcheck [--ops LIST] [--cells LIST] [--hidden H] [--input I] [--steps T]\n"
    "                       [--batch B] [--seed S] [--plugin FILE.so]... [--json] [--quiet]\n"
    "Checks backward against central finite differences for every op and every cell type.\n"
    "Each cell type runs as a 2-layer recurrent net, one and both directions, with all\n"
    "sequences of T steps and with lengths T, T-1, ... (at least 1).\n"
    "  --ops LIST        comma-separated op names, 'all' (default) or 'none'\n"
    "  --cells LIST      comma-separated cell types, 'all' (default) or 'none'\n"
    "  --hidden H        hidden size of the cells (default 3)\n"
    "  --input I         input size (default 3)\n"
    "  --steps T         time steps (default 3)\n"
    "  --batch B         sequences in the batch (default 3)\n"
    "  --seed S          seed of the inputs and weights (default 1)\n"
    "  --plugin FILE.so  load a plugin's cell types first (repeatable)\n"
    "  --json            print the results as JSON\n"
    "  --quiet           no progress on stderr\n";

enum {
    OPT_OPS = CLI_OPT_FIRST_OWN,
    OPT_CELLS,
    OPT_HIDDEN,
    OPT_INPUT,
    OPT_STEPS,
    OPT_BATCH,
    OPT_SEED
};
enum { MAX_ITEMS = 512, MAX_PER_TENSOR = 20 };

typedef struct gc_sizes {
    int64_t hidden, input, steps, batch, seed;
} gc_sizes;

typedef struct gc_row {
    const char *kind, *name, *setting;
    rc_status status; // RC_OK: the check ran (rep.failed says whether it passed)
    rc_gradcheck_report rep;
} gc_row;

static void fill(float *x, int64_t n, rc_rng *rng) {
    for (int64_t i = 0; i < n; i++)
        x[i] = (float)(rc_rng_uniform(rng) * 2.0 - 1.0);
}

// sum(v * w) with fixed random w, so that every output entry gets its own gradient.
static rc_var weighted_sum(rc_var v, rc_rng *rng) {
    rc_shape s = rc_shape_of(v);
    int64_t n = rc_shape_numel(s);
    float *w = malloc((size_t)n * sizeof *w);
    if (!w)
        return rc_sum_all(v);
    fill(w, n, rng);
    rc_var out = rc_sum_all(rc_mul(v, rc_input(v.g, s, w)));
    free(w);
    return out;
}

static rc_var random_input(rc_graph *g, rc_shape s, rc_rng *rng) {
    int64_t n = rc_shape_numel(s);
    float *x = malloc((size_t)n * sizeof *x);
    if (!x)
        return rc_input(g, s, NULL);
    fill(x, n, rng);
    rc_var v = rc_requires_grad(rc_input(g, s, x));
    free(x);
    return v;
}

static const char *const settings[4] = {"uni", "uni, lengths", "bi", "bi, lengths"};

// Builds the loss of a 2-layer net of type t in setting k (bit 1: both directions, bit 0:
// variable lengths) on g; RC_OK with *loss set, or an error message in err.
static rc_status cell_loss(rc_graph *g, rc_params *ps, rc_rnn **rnn, const rc_cell_type *t, int k,
                           const gc_sizes *z, rc_var *loss, char *err, size_t err_len) {
    unsigned char opts[RC_CELL_OPTS_MAX];
    rc_rng rng;
    rc_rng_seed(&rng, (uint64_t)z->seed);
    rc_status st = rc_cell_opts_init(t, z->hidden, opts, sizeof opts, err, err_len);
    rc_rnn_config cfg = {
        .cell = t, .cell_opts = opts, .dim_in = z->input, .num_layers = 2, .bidirectional = k & 2};
    if (!st)
        st = rc_rnn_new(rnn, &cfg, ps, NULL, &rng, err, err_len);
    if (st)
        return st;
    int32_t lengths[64];
    for (int64_t b = 0; b < z->batch; b++)
        lengths[b] = (int32_t)(z->steps - b % z->steps);
    const rc_cell *cell = (*rnn)->cells[0];
    rc_var s0[RC_CELL_MAX_STATE];
    for (int j = 0; j < cell->n_state; j++)
        s0[j] = random_input(g, RC_SHAPE(2 * (*rnn)->num_dirs, z->batch, cell->state_dim[j]), &rng);
    rc_rnn_run run = {.lengths = (k & 1) ? lengths : NULL, .state0 = s0};
    rc_rnn_result res;
    rc_var x = random_input(g, RC_SHAPE(z->steps, z->batch, z->input), &rng);
    if (rc_rnn_forward(g, *rnn, x, &run, &res))
        return snprintf(err, err_len, "%s", rc_graph_errmsg(g)), rc_graph_status(g);
    *loss = weighted_sum(res.output, &rng);
    for (int j = 0; j < res.n_state; j++)
        *loss = rc_add(*loss, weighted_sum(res.state[j], &rng));
    return rc_graph_status(g);
}

static void check_cell(const rc_cell_type *t, int k, const gc_sizes *z, gc_row *row) {
    *row = (gc_row){.kind = "cell", .name = t->name, .setting = settings[k]};
    rc_graph *g = NULL;
    rc_params *ps = NULL;
    rc_rnn *rnn = NULL;
    rc_var loss;
    row->status = rc_graph_new(&g);
    if (!row->status)
        row->status = rc_params_new(&ps);
    if (!row->status)
        row->status = cell_loss(g, ps, &rnn, t, k, z, &loss, row->rep.worst, sizeof row->rep.worst);
    if (!row->status) {
        rc_gradcheck_opts o = rc_gradcheck_defaults();
        o.eps = 1e-3f; // float32: small curvature error, rounding noise under atol
        o.max_per_tensor = MAX_PER_TENSOR;
        o.seed = (uint64_t)z->seed;
        row->status = rc_gradcheck_loss(loss, &o, &row->rep);
    }
    rc_rnn_free(&rnn);
    rc_params_free(&ps);
    rc_graph_free(&g);
}

static void check_op(const rc_op_def *op, const gc_sizes *z, gc_row *row) {
    *row = (gc_row){.kind = "op", .name = op->name, .setting = "spec"};
    row->status = rc_gradcheck_op(op, (uint64_t)z->seed, &row->rep);
}

static bool row_ok(const gc_row *r) {
    return r->status == RC_OK && r->rep.failed == 0;
}

static void print_table(const gc_row *rows, int n) {
    printf("%-5s %-18s %-13s %8s %7s %10s %10s  %s\n", "kind", "name", "setting", "checked",
           "failed", "max abs", "max rel", "result");
    for (int i = 0; i < n; i++) {
        const gc_row *r = &rows[i];
        printf("%-5s %-18s %-13s %8lld %7lld %10.2e %10.2e  %s", r->kind, r->name, r->setting,
               (long long)r->rep.checked, (long long)r->rep.failed, r->rep.max_abs_err,
               r->rep.max_rel_err, row_ok(r) ? "ok" : "FAILED");
        if (!row_ok(r))
            printf(" (%s)", r->status ? rc_status_str(r->status) : "wrong gradient");
        if (!row_ok(r) && r->rep.worst[0])
            printf(": %s", r->rep.worst);
        putchar('\n');
    }
}

static void print_json(const gc_row *rows, int n, int n_failed) {
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        const gc_row *r = &rows[i];
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:f, s:f, s:s}", "kind", r->kind,
                           "name", r->name, "setting", r->setting, "ok", row_ok(r), "status",
                           rc_status_str(r->status), "checked", (json_int_t)r->rep.checked,
                           "failed", (json_int_t)r->rep.failed, "max_abs_err", r->rep.max_abs_err,
                           "max_rel_err", r->rep.max_rel_err, "worst", r->rep.worst));
    }
    json_t *root = json_pack("{s:o, s:i, s:i}", "checks", arr, "total", n, "failed", n_failed);
    cli_print_json(root);
}

// The ops and cell types named by --ops and --cells ("all", "none" or a list), after plugins
// are loaded. CLI_USAGE with a message for an unknown name.
typedef struct gc_plan {
    int n_ops, n_cells;
    const rc_op_def *ops[MAX_ITEMS];
    const rc_cell_type *cells[MAX_ITEMS];
} gc_plan;

static int pick(const char *opt, const char *arg, int count, const void *(*at)(int),
                const void *(*find)(const char *), const void **out, int *n_out) {
    *n_out = 0;
    if (!strcmp(arg, "none"))
        return CLI_OK;
    if (!strcmp(arg, "all")) {
        for (int i = 0; i < count && i < MAX_ITEMS; i++)
            out[(*n_out)++] = at(i);
        return CLI_OK;
    }
    const char *names[MAX_ITEMS];
    char *store = NULL;
    int n = cli_list("gradcheck", opt, arg, names, MAX_ITEMS, &store), rc = CLI_OK;
    for (int i = 0; i < n && rc == CLI_OK; i++) {
        out[i] = find(names[i]);
        if (!out[i])
            rc = cli_usage("gradcheck", "--%s: no %s named '%s' (%s)", opt,
                           strcmp(opt, "ops") ? "cell type" : "op", names[i],
                           strcmp(opt, "ops") ? "recur cells lists them"
                                              : "see include/recur/ops.h");
    }
    free(store);
    if (n < 0)
        return CLI_USAGE;
    *n_out = n;
    return rc;
}

static const void *op_at(int i) {
    return rc_op_at(i);
}
static const void *op_find(const char *s) {
    return rc_op_find(s);
}
static const void *cell_at(int i) {
    return rc_cell_type_at(i);
}
static const void *cell_find(const char *s) {
    return rc_cell_type_find(s);
}

static int run(const gc_plan *plan, const gc_sizes *z, const cli_common *common) {
    int n = plan->n_ops + 4 * plan->n_cells, n_failed = 0;
    gc_row *rows = calloc((size_t)(n ? n : 1), sizeof *rows);
    if (!rows)
        return cli_fail("gradcheck", "out of memory for %d rows", n);
    cli_progress p;
    cli_progress_start(&p, "gradcheck", n, common->quiet);
    for (int i = 0; i < plan->n_ops; i++) {
        check_op(plan->ops[i], z, &rows[i]);
        cli_progress_step(&p, i + 1, plan->ops[i]->name);
    }
    for (int i = 0; i < 4 * plan->n_cells; i++) {
        check_cell(plan->cells[i / 4], i % 4, z, &rows[plan->n_ops + i]);
        cli_progress_step(&p, plan->n_ops + i + 1, plan->cells[i / 4]->name);
    }
    cli_progress_end(&p);
    for (int i = 0; i < n; i++)
        n_failed += !row_ok(&rows[i]);
    if (common->json)
        print_json(rows, n, n_failed);
    else {
        print_table(rows, n);
        printf("(%d checks, %d failed)\n", n, n_failed);
    }
    free(rows);
    if (n_failed)
        fprintf(stderr, "recur gradcheck: %d of %d checks failed\n", n_failed, n);
    return n_failed ? CLI_FAILED : CLI_OK;
}

// One option of this subcommand; false after a message (usage error).
static bool own_option(int opt, const char *arg, gc_sizes *z, const char **ops,
                       const char **cells) {
    switch (opt) {
    case OPT_OPS: *ops = arg; return true;
    case OPT_CELLS: *cells = arg; return true;
    case OPT_HIDDEN: return cli_long("gradcheck", "hidden", arg, 1, 64, &z->hidden);
    case OPT_INPUT: return cli_long("gradcheck", "input", arg, 1, 64, &z->input);
    case OPT_STEPS: return cli_long("gradcheck", "steps", arg, 1, 64, &z->steps);
    case OPT_BATCH: return cli_long("gradcheck", "batch", arg, 1, 64, &z->batch);
    case OPT_SEED: return cli_long("gradcheck", "seed", arg, 0, INT64_MAX, &z->seed);
    default: cli_bad_option("gradcheck"); return false;
    }
}

int cmd_gradcheck(int argc, char **argv) {
    static const struct option longopts[] = {CLI_COMMON_OPTIONS,
                                             {"ops", required_argument, 0, OPT_OPS},
                                             {"cells", required_argument, 0, OPT_CELLS},
                                             {"hidden", required_argument, 0, OPT_HIDDEN},
                                             {"input", required_argument, 0, OPT_INPUT},
                                             {"steps", required_argument, 0, OPT_STEPS},
                                             {"batch", required_argument, 0, OPT_BATCH},
                                             {"seed", required_argument, 0, OPT_SEED},
                                             {0, 0, 0, 0}};
    cli_common common = {0};
    gc_sizes z = {.hidden = 3, .input = 3, .steps = 3, .batch = 3, .seed = 1};
    const char *ops = "all", *cells = "all";
    optind = 1;
    for (int opt, st; (opt = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1;) {
        int done = cli_common_option("gradcheck", opt, optarg, &common, &st);
        if (done < 0)
            return st;
        if (!done && !own_option(opt, optarg, &z, &ops, &cells))
            return CLI_USAGE;
    }
    if (common.help)
        return fputs(cmd_gradcheck_usage, stdout), CLI_OK;
    int bad = cli_no_operands("gradcheck", argc, argv);
    static gc_plan plan;
    if (!bad)
        bad = pick("ops", ops, rc_op_count(), op_at, op_find, (const void **)plan.ops, &plan.n_ops);
    if (!bad)
        bad = pick("cells", cells, rc_cell_type_count(), cell_at, cell_find,
                   (const void **)plan.cells, &plan.n_cells);
    if (!bad && plan.n_ops + plan.n_cells == 0)
        bad = cli_usage("gradcheck", "--ops none --cells none leaves nothing to check");
    return bad ? bad : run(&plan, &z, &common);
}
