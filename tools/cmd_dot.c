// `recur dot`: draws a cell type (built-in or from a plugin) unrolled for a few steps, or a
// stack of layers, as Graphviz DOT, forward only or after a backward pass, and renders SVG, PNG
// or PDF through Graphviz's `dot -T` when the --out file's extension asks for it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <recur/recur.h>

#include "cli.h"
#include "commands.h"

const char cmd_dot_usage[] =
    "usage: recur dot [--cell NAME] [--steps K] [--hidden H] [--input I] [--batch B]\n"
    "                 [--layers L] [--bidirectional] [--backward] [--grad] [--collapse]\n"
    "                 [--out FILE.dot|.svg|.png|.pdf] [--plugin FILE.so]... [--json]\n"
    "Draws the graph of a recurrent net of one cell type unrolled for K steps. Each time step\n"
    "is a cluster (layer L / direction / t=k). Without --out the DOT text goes to stdout.\n"
    "  --cell NAME       the cell type (default lstm; recur cells lists them)\n"
    "  --steps K         time steps to unroll (default 3)\n"
    "  --hidden H        hidden size (default 4)\n"
    "  --input I         input size (default 3)\n"
    "  --batch B         sequences in the batch (default 1)\n"
    "  --layers L        stacked layers (default 1)\n"
    "  --bidirectional   both directions\n"
    "  --backward        run backward from sum(output) first: nodes with a gradient are marked\n"
    "  --grad            implies --backward; colours nodes by gradient norm and prints the norms\n"
    "  --collapse        one box per time step instead of every op\n"
    "  --out FILE        .dot writes DOT; .svg, .png, .pdf render it with Graphviz's dot\n"
    "  --plugin FILE.so  load a plugin's cell types first (repeatable)\n"
    "  --json            print what was written as JSON\n";

enum {
    OPT_CELL = CLI_OPT_FIRST_OWN,
    OPT_STEPS,
    OPT_HIDDEN,
    OPT_INPUT,
    OPT_BATCH,
    OPT_LAYERS,
    OPT_BIDIR,
    OPT_BACKWARD,
    OPT_GRAD,
    OPT_COLLAPSE,
    OPT_OUT
};

typedef struct dot_args {
    const char *cell, *out;
    int64_t steps, hidden, input, batch, layers;
    bool bidirectional, backward, grad, collapse;
} dot_args;

// The net of a.cell run forward (and backward) on g; CLI_OK or CLI_FAILED after a message.
static int build(rc_graph *g, rc_params *ps, rc_rnn **rnn, const rc_cell_type *t,
                 const dot_args *a) {
    unsigned char opts[RC_CELL_OPTS_MAX];
    char err[512] = "";
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_rnn_config cfg = {.cell = t,
                         .cell_opts = opts,
                         .dim_in = a->input,
                         .num_layers = (int)a->layers,
                         .bidirectional = a->bidirectional};
    if (rc_cell_opts_init(t, a->hidden, opts, sizeof opts, err, sizeof err) ||
        rc_rnn_new(rnn, &cfg, ps, NULL, &rng, err, sizeof err))
        return cli_fail("dot", "--cell %s: %s", t->name, err);
    int64_t n = a->steps * a->batch * a->input;
    float *x = malloc((size_t)n * sizeof *x);
    if (!x)
        return cli_fail("dot", "out of memory for the input");
    for (int64_t i = 0; i < n; i++)
        x[i] = (float)(rc_rng_uniform(&rng) * 2 - 1);
    rc_var xv = rc_name(rc_input(g, RC_SHAPE(a->steps, a->batch, a->input), x), "x");
    free(x);
    rc_rnn_result res;
    if (rc_rnn_forward(g, *rnn, xv, NULL, &res))
        return cli_fail("dot", "forward: %s", rc_graph_errmsg(g));
    rc_name(res.output, "output");
    if ((a->backward || a->grad) && rc_backward(rc_name(rc_sum_all(res.output), "loss")))
        return cli_fail("dot", "backward: %s", rc_graph_errmsg(g));
    return CLI_OK;
}

// The Graphviz format of the --out file, from its extension; NULL for an unknown one.
static const char *out_format(const char *path) {
    static const char *const exts[] = {"dot", "svg", "png", "pdf"};
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof exts / sizeof exts[0]; i++)
        if (!strcmp(dot + 1, exts[i]))
            return exts[i];
    return NULL;
}

// DOT text to a.out: written whole, or rendered by Graphviz into a temporary beside it and then
// renamed, so a failure leaves no half file. CLI_OK or CLI_FAILED after a message.
static int write_out(const char *text, const char *path, const char *fmt) {
    char err[1024];
    cli_file src, dst;
    if (!cli_file_open(&src, path, err, sizeof err))
        return cli_fail("dot", "--out %s", err);
    fputs(text, src.f);
    if (!strcmp(fmt, "dot"))
        return cli_file_commit(&src, err, sizeof err) ? CLI_OK : cli_fail("dot", "--out %s", err);
    if (fflush(src.f) != 0 || !cli_file_open(&dst, path, err, sizeof err)) {
        cli_file_abort(&src);
        return cli_fail("dot", "--out %s: cannot write there", path);
    }
    char format[16];
    snprintf(format, sizeof format, "-T%s", fmt);
    char *argv[] = {"dot", format, src.tmp, "-o", dst.tmp, NULL};
    bool ok = cli_run_tool(argv);
    cli_file_abort(&src);
    if (!ok) {
        cli_file_abort(&dst);
        return cli_fail("dot", "--out %s: Graphviz's 'dot %s' failed", path, format);
    }
    return cli_file_commit(&dst, err, sizeof err) ? CLI_OK : cli_fail("dot", "--out %s", err);
}

static void print_json(const dot_args *a, const char *fmt, const char *cell, size_t bytes) {
    json_t *root = json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:b, s:I}", "out", a->out, "format",
                             fmt, "cell", cell, "steps", (json_int_t)a->steps, "layers",
                             (json_int_t)a->layers, "bidirectional", a->bidirectional, "backward",
                             a->backward || a->grad, "dot_bytes", (json_int_t)bytes);
    cli_print_json(root);
}

static int draw(const rc_cell_type *t, const dot_args *a, const cli_common *common) {
    rc_graph *g = NULL;
    rc_params *ps = NULL;
    rc_rnn *rnn = NULL;
    char *text = NULL;
    int rc = rc_graph_new(&g) || rc_params_new(&ps) ? cli_fail("dot", "out of memory")
                                                    : build(g, ps, &rnn, t, a);
    unsigned flags =
        (a->grad ? RC_DOT_GRAD_HEAT | RC_DOT_GRAD_NORMS : 0) | (a->collapse ? RC_DOT_COLLAPSE : 0);
    size_t need = rc == CLI_OK ? rc_graph_dot_string(g, flags, NULL, 0) : 0;
    if (rc == CLI_OK && !(text = malloc(need)))
        rc = cli_fail("dot", "out of memory for %zu bytes of DOT", need);
    if (rc == CLI_OK) {
        rc_graph_dot_string(g, flags, text, need);
        const char *fmt = a->out ? out_format(a->out) : "dot";
        if (!a->out)
            fputs(text, stdout);
        else if ((rc = write_out(text, a->out, fmt)) == CLI_OK && common->json)
            print_json(a, fmt, t->name, need - 1);
        else if (rc == CLI_OK && !common->quiet)
            printf("wrote %s (%s of %s unrolled for %lld steps)\n", a->out, fmt, t->name,
                   (long long)a->steps);
    }
    free(text);
    rc_rnn_free(&rnn);
    rc_params_free(&ps);
    rc_graph_free(&g);
    return rc;
}

// One option of this subcommand; false after a message (usage error).
static bool own_option(int opt, const char *arg, dot_args *a) {
    switch (opt) {
    case OPT_CELL: a->cell = arg; return true;
    case OPT_OUT: a->out = arg; return true;
    case OPT_STEPS: return cli_long("dot", "steps", arg, 1, 1000, &a->steps);
    case OPT_HIDDEN: return cli_long("dot", "hidden", arg, 1, 4096, &a->hidden);
    case OPT_INPUT: return cli_long("dot", "input", arg, 1, 4096, &a->input);
    case OPT_BATCH: return cli_long("dot", "batch", arg, 1, 4096, &a->batch);
    case OPT_LAYERS: return cli_long("dot", "layers", arg, 1, 16, &a->layers);
    case OPT_BIDIR: a->bidirectional = true; return true;
    case OPT_BACKWARD: a->backward = true; return true;
    case OPT_GRAD: a->grad = true; return true;
    case OPT_COLLAPSE: a->collapse = true; return true;
    default: cli_bad_option("dot"); return false;
    }
}

// After parsing (plugins loaded): the cell type, and an output recur can write.
static int check_args(const dot_args *a, const rc_cell_type **t) {
    *t = rc_cell_type_find(a->cell);
    if (!*t)
        return cli_usage("dot", "--cell: no cell type named '%s' (recur cells lists them)",
                         a->cell);
    if (a->out && !out_format(a->out))
        return cli_usage("dot", "--out %s: the extension must be .dot, .svg, .png or .pdf", a->out);
    if (a->out && strcmp(out_format(a->out), "dot") && !cli_have_tool("dot"))
        return cli_fail("dot",
                        "--out %s: rendering %s needs Graphviz's 'dot' program, not found in "
                        "PATH (install graphviz, or write a .dot file)",
                        a->out, out_format(a->out));
    return CLI_OK;
}

int cmd_dot(int argc, char **argv) {
    static const struct option longopts[] = {CLI_COMMON_OPTIONS,
                                             {"cell", required_argument, 0, OPT_CELL},
                                             {"steps", required_argument, 0, OPT_STEPS},
                                             {"hidden", required_argument, 0, OPT_HIDDEN},
                                             {"input", required_argument, 0, OPT_INPUT},
                                             {"batch", required_argument, 0, OPT_BATCH},
                                             {"layers", required_argument, 0, OPT_LAYERS},
                                             {"bidirectional", no_argument, 0, OPT_BIDIR},
                                             {"backward", no_argument, 0, OPT_BACKWARD},
                                             {"grad", no_argument, 0, OPT_GRAD},
                                             {"collapse", no_argument, 0, OPT_COLLAPSE},
                                             {"out", required_argument, 0, OPT_OUT},
                                             {0, 0, 0, 0}};
    cli_common common = {0};
    dot_args a = {.cell = "lstm", .steps = 3, .hidden = 4, .input = 3, .batch = 1, .layers = 1};
    optind = 1;
    for (int opt, st; (opt = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1;) {
        int done = cli_common_option("dot", opt, optarg, &common, &st);
        if (done < 0)
            return st;
        if (!done && !own_option(opt, optarg, &a))
            return CLI_USAGE;
    }
    if (common.help)
        return fputs(cmd_dot_usage, stdout), CLI_OK;
    const rc_cell_type *t = NULL;
    int bad = cli_no_operands("dot", argc, argv);
    if (!bad)
        bad = check_args(&a, &t);
    return bad ? bad : draw(t, &a, &common);
}
