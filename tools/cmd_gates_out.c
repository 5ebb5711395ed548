// `recur gates`: the files of a study in --out, each written to a temporary name and renamed:
// curves.csv and gradflow.csv (every run), results.json, gnuplot's learning-curve and
// gradient-flow plots (PNG and SVG), one unrolled step of each cell (DOT and SVG), index.html.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "gates.h"

typedef struct out_ctx {
    const gates_opts *o;
    const gates_run *runs;
    int n;
    const gates_row *rows;
    int n_rows;
    double wall_s;
    char *err;
    size_t err_len;
} out_ctx;

typedef void (*write_fn)(FILE *f, const out_ctx *c);

static bool write_file(const out_ctx *c, const char *name, write_fn fn) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", c->o->out, name);
    cli_file f;
    if (!cli_file_open(&f, path, c->err, c->err_len))
        return false;
    fn(f.f, c);
    return cli_file_commit(&f, c->err, c->err_len);
}

static void curves_csv(FILE *f, const out_ctx *c) {
    fputs("cell,seed,step,train,heldout\n", f);
    for (int i = 0; i < c->n; i++)
        for (int k = 0; k < c->runs[i].res.n_points; k++) {
            const rc_task_point *p = &c->runs[i].res.curve[k];
            fprintf(f, "%s,%llu,%d,%.6g,%.6g\n", c->runs[i].cell->name,
                    (unsigned long long)c->runs[i].seed, p->step, p->train, p->heldout);
        }
}

static void gradflow_csv(FILE *f, const out_ctx *c) {
    fputs("cell,seed,t,init,trained\n", f);
    for (int i = 0; i < c->n; i++)
        for (int t = 0; t < c->runs[i].res.T; t++)
            fprintf(f, "%s,%llu,%d,%.6g,%.6g\n", c->runs[i].cell->name,
                    (unsigned long long)c->runs[i].seed, t, c->runs[i].res.gradflow_init[t],
                    c->runs[i].res.gradflow_final[t]);
}

// Mean and std over the finished seeds of cell `first` of v(run, k), for gnuplot's bands.
static void mean_std(const gates_run *r, int seeds, int k, double (*v)(const gates_run *, int),
                     double *mean, double *std) {
    double s = 0, s2 = 0;
    int n = 0;
    for (int i = 0; i < seeds; i++)
        if (r[i].st == RC_OK) {
            const double x = v(&r[i], k);
            s += x;
            s2 += x * x;
            n++;
        }
    *mean = n ? s / n : NAN;
    *std = n > 1 ? sqrt(fmax(0, (s2 - s * s / n) / (n - 1))) : 0;
}

static double heldout_at(const gates_run *r, int k) {
    return r->res.curve[k].heldout;
}
static double init_at(const gates_run *r, int t) {
    return r->res.gradflow_init[t];
}
static double final_at(const gates_run *r, int t) {
    return r->res.gradflow_final[t];
}

// A finished run of the cell whose runs start at r, or NULL.
static const gates_run *first_ok(const gates_run *r, int seeds) {
    for (int i = 0; i < seeds; i++)
        if (r[i].st == RC_OK)
            return &r[i];
    return NULL;
}

// One block per cell (gnuplot's `index`): step, mean, std of the held-out metric.
static void curves_dat(FILE *f, const out_ctx *c) {
    const int S = c->o->seeds;
    for (int cell = 0; cell < c->o->n_cells; cell++) {
        const gates_run *r = &c->runs[cell * S], *ok = first_ok(r, S);
        fprintf(f, "# %s\n", c->o->cells[cell]->name);
        for (int k = 0; ok && k < ok->res.n_points; k++) {
            double m, s;
            mean_std(r, S, k, heldout_at, &m, &s);
            fprintf(f, "%d %.6g %.6g\n", ok->res.curve[k].step, m, s);
        }
        fputs(ok ? "\n\n" : "0 nan nan\n\n\n", f);
    }
}

// One block per cell: t, mean and std at init, mean and std after training.
static void gradflow_dat(FILE *f, const out_ctx *c) {
    const int S = c->o->seeds;
    for (int cell = 0; cell < c->o->n_cells; cell++) {
        const gates_run *r = &c->runs[cell * S], *ok = first_ok(r, S);
        fprintf(f, "# %s\n", c->o->cells[cell]->name);
        for (int t = 0; ok && t < ok->res.T; t++) {
            double mi, si, mf, sf;
            mean_std(r, S, t, init_at, &mi, &si);
            mean_std(r, S, t, final_at, &mf, &sf);
            fprintf(f, "%d %.6g %.6g %.6g %.6g\n", t, mi, si, mf, sf);
        }
        fputs(ok ? "\n\n" : "0 nan nan nan nan\n\n\n", f);
    }
}

// The plot commands for one picture, all cells: mean line and a std band per cell.
static void plot_cells(FILE *f, const out_ctx *c, const char *dat, int col_m, int col_s) {
    fputs("plot ", f);
    for (int i = 0; i < c->o->n_cells; i++) {
        fprintf(f,
                "%s'%s/%s' index %d using 1:($%d-$%d>0?$%d-$%d:$%d/10):($%d+$%d) with filledcurves "
                "lc %d notitle, '' index %d using 1:%d with lines lw 2 lc %d title '%s'",
                i ? ", \\\n     " : "", c->o->out, dat, i, col_m, col_s, col_m, col_s, col_m, col_m,
                col_s, i + 1, i, col_m, i + 1, c->o->cells[i]->name);
    }
    fputc('\n', f);
}

static void plots_gp(FILE *f, const out_ctx *c) {
    const char *term[2][2] = {{"png size 1000,600", "png"}, {"svg size 1000,600", "svg"}};
    const bool log_y = strcmp(c->o->task->metric, "error") != 0;
    fputs("set style fill transparent solid 0.15 noborder\nset key outside right\nset grid\n", f);
    for (int k = 0; k < 2; k++) {
        fprintf(f, "set terminal %s\nset output '%s/curves.%s.tmp'\n", term[k][0], c->o->out,
                term[k][1]);
        fprintf(f, "%sset xlabel 'step'\nset ylabel 'held-out %s'\n",
                log_y ? "set logscale y\n" : "unset logscale y\n", c->o->task->metric);
        fprintf(f, "set title '%s: held-out %s, mean and std over %d seeds (baseline %.4g)'\n",
                c->o->task->name, c->o->task->metric, c->o->seeds,
                c->o->task->baseline(c->o->length ? c->o->length : c->o->task->defaults.length));
        plot_cells(f, c, "curves.dat", 2, 3);
        fprintf(f, "set output '%s/gradflow.%s.tmp'\n", c->o->out, term[k][1]);
        fputs("set logscale y\nset xlabel 't'\nset ylabel '||dL/dh_t||'\n"
              "set multiplot layout 1,2\nset title 'at initialisation'\n",
              f);
        plot_cells(f, c, "gradflow.dat", 2, 3);
        fputs("set title 'after training'\n", f);
        plot_cells(f, c, "gradflow.dat", 4, 5);
        fputs("unset multiplot\nunset logscale y\nset output\n", f);
    }
}

// Renames the plots gnuplot wrote under temporary names.
static bool publish(const char *out, const char *name, char *err, size_t err_len) {
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", out, name);
    snprintf(path, sizeof path, "%s/%s", out, name);
    if (rename(tmp, path) != 0) {
        snprintf(err, err_len, "%s: gnuplot did not write it", path);
        remove(tmp);
        return false;
    }
    return true;
}

static bool run_gnuplot(const out_ctx *c) {
    char script[4096];
    snprintf(script, sizeof script, "%s/plots.gp", c->o->out);
    if (!cli_run_tool((char *[]){"gnuplot", script, NULL})) {
        snprintf(c->err, c->err_len, "gnuplot failed on %s", script);
        return false;
    }
    const char *names[] = {"curves.png", "curves.svg", "gradflow.png", "gradflow.svg"};
    for (int i = 0; i < 4; i++)
        if (!publish(c->o->out, names[i], c->err, c->err_len))
            return false;
    return true;
}

// cell-NAME.dot: one step of the cell at hidden size 4 on the task's input, as the runner
// records it; cell-NAME.svg through Graphviz when have_dot.
static bool draw_cell(const out_ctx *c, const rc_cell_type *type, bool have_dot) {
    unsigned char opts[RC_CELL_OPTS_MAX];
    rc_params *ps = NULL;
    rc_cell *cell = NULL;
    rc_graph *g = NULL;
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    char dot[4096], svg[4096], tmp[4200];
    snprintf(dot, sizeof dot, "%s/cell-%s.dot", c->o->out, type->name);
    snprintf(svg, sizeof svg, "%s/cell-%s.svg", c->o->out, type->name);
    rc_status st = rc_cell_opts_init(type, 4, opts, sizeof opts, c->err, c->err_len);
    if (st == RC_OK && (st = rc_params_new(&ps)) == RC_OK && (st = rc_graph_new(&g)) == RC_OK)
        st = rc_cell_new(&cell, type, opts, c->o->task->dim_in, ps, "", "", &rng, c->err,
                         c->err_len);
    if (st == RC_OK) {
        rc_var x = rc_input(g, RC_SHAPE(2, c->o->task->dim_in), NULL), y;
        if ((st = rc_rnn_unroll(g, cell, &x, 1, NULL, &y, NULL, NULL)) != RC_OK)
            snprintf(c->err, c->err_len, "%s: one step: %s", type->name, rc_graph_errmsg(g));
    }
    if (st == RC_OK && (st = rc_graph_dump_dot(g, dot, 0)) != RC_OK)
        snprintf(c->err, c->err_len, "%s: cannot write", dot);
    rc_cell_free(&cell);
    rc_graph_free(&g);
    rc_params_free(&ps);
    if (st != RC_OK || !have_dot)
        return st == RC_OK;
    snprintf(tmp, sizeof tmp, "%s.tmp", svg);
    if (!cli_run_tool((char *[]){"dot", "-Tsvg", "-o", tmp, dot, NULL}) || rename(tmp, svg)) {
        remove(tmp);
        snprintf(c->err, c->err_len, "dot failed on %s", dot);
        return false;
    }
    return true;
}

static json_t *real(double x) {
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *run_json(const gates_run *r) {
    json_t *j = json_pack("{s:s, s:I, s:i, s:b}", "cell", r->cell->name, "seed",
                          (json_int_t)r->seed, "hidden", r->hidden, "ok", r->st == RC_OK);
    if (r->st != RC_OK) {
        json_object_set_new(j, "error", json_string(r->err));
        return j;
    }
    json_t *curve = json_array(), *gi = json_array(), *gf = json_array();
    for (int k = 0; k < r->res.n_points; k++)
        json_array_append_new(curve, json_pack("{s:i, s:o, s:o}", "step", r->res.curve[k].step,
                                               "train", real(r->res.curve[k].train), "heldout",
                                               real(r->res.curve[k].heldout)));
    for (int t = 0; t < r->res.T; t++) {
        json_array_append_new(gi, real(r->res.gradflow_init[t]));
        json_array_append_new(gf, real(r->res.gradflow_final[t]));
    }
    json_object_set_new(j, "final", real(r->res.final_heldout));
    json_object_set_new(j, "accuracy", real(r->res.final_accuracy));
    json_object_set_new(j, "success_step", json_integer(r->res.success_step));
    json_object_set_new(j, "ms_per_step", real(r->res.ms_per_step));
    json_object_set_new(j, "curve", curve);
    json_object_set_new(j, "gradflow_init", gi);
    json_object_set_new(j, "gradflow_trained", gf);
    return j;
}

char *gates_json(const gates_opts *o, const gates_run *runs, int n, const gates_row *rows,
                 int n_rows, double wall_s) {
    const int length = o->length ? o->length : o->task->defaults.length;
    json_t *cells = json_array(), *all = json_array();
    for (int i = 0; i < n_rows; i++) {
        const gates_row *r = &rows[i];
        json_array_append_new(cells,
                              json_pack("{s:i, s:s, s:i, s:I, s:o, s:o, s:i, s:i, s:i, s:o, s:o}",
                                        "rank", i + 1, "cell", r->cell->name, "hidden", r->hidden,
                                        "params", (json_int_t)r->n_params, "mean", real(r->mean),
                                        "std", real(r->std), "finished", r->n_ok, "success",
                                        r->n_success, "median_step", r->median_step, "ms_per_step",
                                        real(r->ms_per_step), "wall_s", real(r->wall_s)));
    }
    for (int i = 0; i < n; i++)
        json_array_append_new(all, run_json(&runs[i]));
    json_t *root = json_pack("{s:s, s:i, s:s, s:s, s:f, s:i, s:f, s:o, s:o}", "task", o->task->name,
                             "length", length, "metric", o->task->metric, "threshold",
                             o->task->threshold, "baseline", o->task->baseline(length), "seeds",
                             o->seeds, "wall_s", wall_s, "cells", cells, "runs", all);
    char *text = root ? json_dumps(root, JSON_INDENT(2)) : NULL;
    json_decref(root);
    return text;
}

static void results_json(FILE *f, const out_ctx *c) {
    char *text = gates_json(c->o, c->runs, c->n, c->rows, c->n_rows, c->wall_s);
    fputs(text ? text : "null", f);
    fputc('\n', f);
    free(text);
}

// Copies a picture into the page (an SVG inline, so index.html stands alone), or says it is
// missing.
static void inline_svg(FILE *f, const char *out, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", out, name);
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(f, "<p><i>%s was not drawn (see the run's messages)</i></p>\n", name);
        return;
    }
    char buf[8192];
    size_t k;
    bool head = true;
    while ((k = fread(buf, 1, sizeof buf, in)) > 0) {
        char *p = buf;
        if (head && (p = strstr(buf, "<svg")) == NULL)
            p = buf; // no XML prolog to skip
        head = false;
        fwrite(p, 1, k - (size_t)(p - buf), f);
    }
    fclose(in);
}

static void index_html(FILE *f, const out_ctx *c) {
    const gates_opts *o = c->o;
    const int length = o->length ? o->length : o->task->defaults.length;
    fprintf(f,
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>recur gates: %s</title>"
            "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 10px;"
            "text-align:right}th{background:#eee}</style></head><body>\n",
            o->task->name);
    fprintf(f,
            "<h1>recur gates: %s, length %d, %d seeds</h1>\n<p>%s. Success: %s. Baseline "
            "(no memory): %s %.4f. Wall time %.1f s.</p>\n",
            o->task->name, length, o->seeds, o->task->summary, o->task->threshold, o->task->metric,
            o->task->baseline(length), c->wall_s);
    fprintf(f,
            "<table><tr><th>rank</th><th>cell</th><th>H</th><th>params</th><th>%s mean</th>"
            "<th>std</th><th>success</th><th>median step</th><th>ms/step</th><th>wall s</th>"
            "</tr>\n",
            o->task->metric);
    for (int i = 0; i < c->n_rows; i++) {
        const gates_row *r = &c->rows[i];
        fprintf(f,
                "<tr><td>%d</td><td>%s</td><td>%d</td><td>%lld</td><td>%.4f</td><td>%.4f</td>"
                "<td>%d/%d</td><td>%d</td><td>%.2f</td><td>%.1f</td></tr>\n",
                i + 1, r->cell->name, r->hidden, (long long)r->n_params, r->mean, r->std,
                r->n_success, o->seeds, r->median_step, r->ms_per_step, r->wall_s);
    }
    fputs("</table>\n<h2>Learning curves</h2>\n", f);
    inline_svg(f, o->out, "curves.svg");
    fputs("<h2>Gradient flow ||dL/dh_t||</h2>\n", f);
    inline_svg(f, o->out, "gradflow.svg");
    fputs("<h2>One unrolled step of each cell</h2>\n", f);
    for (int i = 0; i < o->n_cells; i++) {
        char name[256];
        snprintf(name, sizeof name, "cell-%s.svg", o->cells[i]->name);
        fprintf(f, "<h3>%s</h3>\n", o->cells[i]->name);
        inline_svg(f, o->out, name);
    }
    fputs("<p>Data: curves.csv, gradflow.csv, results.json.</p></body></html>\n", f);
}

bool gates_write_outputs(const gates_opts *o, const gates_run *runs, int n, const gates_row *rows,
                         int n_rows, double wall_s, char *err, size_t err_len) {
    const out_ctx c = {o, runs, n, rows, n_rows, wall_s, err, err_len};
    if (!write_file(&c, "curves.csv", curves_csv) ||
        !write_file(&c, "gradflow.csv", gradflow_csv) ||
        !write_file(&c, "results.json", results_json))
        return false;
    if (!cli_have_tool("gnuplot")) {
        if (!o->quiet)
            fputs("recur gates: gnuplot not found: no plots (install gnuplot-nox)\n", stderr);
    } else if (!write_file(&c, "curves.dat", curves_dat) ||
               !write_file(&c, "gradflow.dat", gradflow_dat) ||
               !write_file(&c, "plots.gp", plots_gp) || !run_gnuplot(&c)) {
        return false;
    }
    const bool have_dot = cli_have_tool("dot");
    if (!have_dot && !o->quiet)
        fputs("recur gates: Graphviz dot not found: cell drawings as DOT only\n", stderr);
    for (int i = 0; i < o->n_cells; i++)
        if (!draw_cell(&c, o->cells[i], have_dot))
            return false;
    return write_file(&c, "index.html", index_html);
}
