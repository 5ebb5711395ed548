// `recur dot`: DOT on stdout, files by extension written whole, --collapse, --grad, a plugin's
// cell, bad arguments and unwritable outputs.
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_run.h"
#include "test_util.h"

#define HAS(s, sub) cr_assert(strstr((s), (sub)), "expected '%s' in:\n%s", (sub), (s))

static int count(const char *s, const char *sub) {
    int n = 0;
    for (const char *p = s; (p = strstr(p, sub)); p++)
        n++;
    return n;
}

Test(cli_dot, dot_on_stdout_has_one_cluster_per_step) {
    cli_result r = CLI_RUN("dot", "--cell", "rnn", "--steps", "4");
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "digraph recur");
    for (int t = 0; t < 4; t++) {
        char label[32];
        snprintf(label, sizeof label, "label=\"t=%d\"", t);
        HAS(r.out, label);
    }
    cr_assert_null(strstr(r.out, "t=4"));
    cr_assert_null(strstr(r.out, "‖g‖"), "no backward pass, no gradient norms");
    cli_result_free(&r);
}

Test(cli_dot, layers_bidirectional_and_backward) {
    cli_result r = CLI_RUN("dot", "--cell", "gru", "--steps", "2", "--layers", "2",
                           "--bidirectional", "--backward");
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "label=\"layer1\"");
    HAS(r.out, "label=\"bwd\"");
    HAS(r.out, "{loss|");
    HAS(r.out, "#ffe5b4"); // nodes that received a gradient
    cli_result_free(&r);
}

Test(cli_dot, collapse_and_grad_draw_boxes_coloured_by_norm) {
    cli_result r = CLI_RUN("dot", "--cell", "lstm", "--steps", "3", "--collapse", "--grad");
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(count(r.out, "nodes|max ‖g‖="), 3 + 1, "3 steps and the projection:\n%s", r.out);
    HAS(r.out, "{t=2|");
    cr_assert_null(strstr(r.out, "label=\"t=0\""), "steps are boxes, not clusters");
    cr_assert_null(strstr(r.out, "#ffe5b4"), "heat colours replace the kind colours:\n%s", r.out);
    HAS(r.out, "fillcolor=\"#7f2704\""); // the largest gradient norm: the darkest
    cli_result_free(&r);
}

static char *out_path(char *dir, size_t len, const char *name) {
    static char path[600];
    cr_assert_not_null(tu_tmpdir(dir, len));
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static int files_in(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

Test(cli_dot, out_file_by_extension_through_graphviz) {
    const char *dot = getenv("DOT");
    char dir[256];
    const char *exts[] = {"dot", "svg", "png", "pdf"};
    const char *magic[] = {"digraph", "<svg", "\x89PNG", "%PDF"};
    for (int i = 0; i < 4; i++) {
        if (i > 0 && !(dot && *dot))
            cr_skip_test("Graphviz's dot is not installed");
        char name[32];
        snprintf(name, sizeof name, "cell.%s", exts[i]);
        const char *path = out_path(dir, sizeof dir, name);
        cli_result r = CLI_RUN("dot", "--cell", "mgu", "--steps", "2", "--grad", "--out", path);
        cr_assert_eq(r.status, 0, "%s: %s", path, r.err);
        HAS(r.out, "wrote");
        char *text = cli_slurp(path);
        cr_assert_not_null(text, "%s missing", path);
        cr_assert(strstr(text, magic[i]), "%s does not look like %s", path, exts[i]);
        cr_assert_eq(files_in(dir), 1, "temporaries left in %s", dir);
        free(text), remove(path), remove(dir);
        cli_result_free(&r);
    }
}

Test(cli_dot, the_janet_plugin_cell_is_drawn) {
    char plugin[4096];
    snprintf(plugin, sizeof plugin, "%s/janet_plugin.so", cli_examples_dir());
    cli_result r = CLI_RUN("dot", "--plugin", plugin, "--cell", "janet", "--steps", "2", "--grad");
    cr_assert_eq(r.status, 0, "%s", r.err);
    HAS(r.out, "weight_hh_l0");
    HAS(r.out, "label=\"t=1\"");
    cli_result_free(&r);
}

Test(cli_dot, bad_arguments_exit_2_naming_the_option) {
    const char *bad[][3] = {{"--cell", "nosuch", "no cell type named 'nosuch'"},
                            {"--steps", "-3", "--steps"},
                            {"--hidden", "0", "--hidden"},
                            {"--layers", "abc", "--layers"},
                            {"--out", "picture.gif", "extension must be"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cli_result r = CLI_RUN("dot", bad[i][0], bad[i][1]);
        cr_assert_eq(r.status, 2, "%s %s gave %d", bad[i][0], bad[i][1], r.status);
        HAS(r.err, bad[i][2]);
        cr_assert_str_empty(r.out);
        cli_result_free(&r);
    }
}

Test(cli_dot, unwritable_out_and_missing_plugin_exit_1) {
    cli_result r = CLI_RUN("dot", "--out", "/nonexistent/dir/cell.dot");
    cr_assert_eq(r.status, 1);
    HAS(r.err, "/nonexistent/dir/cell.dot");
    cli_result_free(&r);
    r = CLI_RUN("dot", "--plugin", "/nonexistent/p.so", "--cell", "janet");
    cr_assert_eq(r.status, 1);
    HAS(r.err, "/nonexistent/p.so");
    cli_result_free(&r);
}

Test(cli_dot, help_of_dot_and_gradcheck_matches_recur_help) {
    const char *cmds[] = {"dot", "gradcheck"};
    for (int i = 0; i < 2; i++) {
        cli_result a = CLI_RUN("help", cmds[i]), b = CLI_RUN(cmds[i], "--help");
        cr_assert_eq(a.status, 0);
        cr_assert_eq(b.status, 0);
        cr_assert_str_eq(a.out, b.out);
        HAS(a.out, "usage: recur ");
        HAS(a.out, "--plugin");
        cli_result_free(&a), cli_result_free(&b);
    }
}

// Without Graphviz a rendered output is refused before anything is written; DOT still works.
Test(cli_dot, rendering_without_graphviz_is_a_clear_error_and_writes_nothing) {
    char dir[256];
    const char *svg = out_path(dir, sizeof dir, "cell.svg");
    setenv("PATH", "/nonexistent", 1); // this test's own process (Criterion forks per test)
    cli_result r = CLI_RUN("dot", "--out", svg);
    cr_assert_eq(r.status, 1, "%s", r.err);
    HAS(r.err, svg);
    HAS(r.err, "needs Graphviz's 'dot' program");
    cr_assert_eq(files_in(dir), 0, "something was written in %s", dir);
    cli_result_free(&r);
    char dot[600];
    snprintf(dot, sizeof dot, "%s/cell.dot", dir);
    r = CLI_RUN("dot", "--out", dot);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(files_in(dir), 1);
    remove(dot), remove(dir);
    cli_result_free(&r);
}
