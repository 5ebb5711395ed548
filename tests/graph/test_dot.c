// DOT export: content (records, colours, slots, nested scope clusters, escaping, optional values
// and norms), atomic writing, and Graphviz's `dot -Tsvg` accepting the output.
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "test_util.h"

static rc_graph *g;
static rc_params *ps;
static void setup(void) {
    cr_assert_eq(rc_graph_new(&g), RC_OK);
    cr_assert_eq(rc_params_new(&ps), RC_OK);
}
static void teardown(void) {
    rc_graph_free(&g);
    rc_params_free(&ps);
}
TestSuite(dot, .init = setup, .fini = teardown);

// A two-step recurrence under nested scopes, back-propagated.
static rc_var build_scoped(void) {
    rc_param *w;
    rc_params_add(ps, "W_hh", RC_SHAPE(3, 3), &w);
    tu_fill_uniform(rc_param_value(w).data, 9, -1, 1, 1);
    rc_var h = rc_name(rc_full(g, RC_SHAPE(2, 3), 0.5f), "h0");
    rc_scope_push(g, "layer0");
    rc_scope_push(g, "fwd");
    for (int t = 0; t < 2; t++) {
        rc_scope_push(g, "t=%d", t);
        h = rc_name(rc_tanh(rc_matmul_nt(h, rc_use(g, w))), "h");
        rc_scope_pop(g);
    }
    rc_scope_pop(g);
    rc_scope_pop(g);
    rc_var loss = rc_name(rc_sum_all(h), "loss");
    cr_assert_eq(rc_backward(loss), RC_OK);
    return loss;
}

static char *dot_text(unsigned flags) {
    size_t need = rc_graph_dot_string(g, flags, NULL, 0);
    char *buf = malloc(need);
    cr_assert_eq(rc_graph_dot_string(g, flags, buf, need), need);
    cr_assert_eq(strlen(buf) + 1, need);
    return buf;
}

Test(dot, records_colours_slots_and_nested_clusters) {
    build_scoped();
    char *s = dot_text(0);
    cr_assert(strstr(s, "n1 [label=\"{W_hh|param|[3,3]}\", fillcolor=\"#cfe2ff\"]"), "%s", s);
    cr_assert(strstr(s, "label=\"{h0|input|[2,3]}\", fillcolor=\"#e9ecef\""), "%s", s);
    cr_assert(strstr(s, "{h|tanh|[2,3]}\", fillcolor=\"#ffe5b4\""), "nodes with gradients: %s", s);
    cr_assert(strstr(s, "n0 -> n2 [label=\"0\"]") && strstr(s, "n1 -> n2 [label=\"1\"]"),
              "edges carry the input slot: %s", s);
    // layer0 contains fwd, which contains t=0 and t=1.
    const char *l0 = strstr(s, "label=\"layer0\""), *fwd = strstr(s, "label=\"fwd\"");
    const char *t0 = strstr(s, "label=\"t=0\""), *t1 = strstr(s, "label=\"t=1\"");
    cr_assert(l0 && fwd && t0 && t1 && l0 < fwd && fwd < t0 && t0 < t1, "%s", s);
    int clusters = 0;
    for (const char *p = s; (p = strstr(p, "subgraph cluster_")); p++)
        clusters++;
    cr_assert_eq(clusters, 4);
    free(s);
    s = dot_text(RC_DOT_NO_SCOPES);
    cr_assert_null(strstr(s, "subgraph"));
    free(s);
}

Test(dot, values_and_gradient_norms) {
    rc_var x = rc_name(rc_requires_grad(rc_input(g, RC_SHAPE(2), (float[]){3, 4})), "x");
    rc_backward(rc_name(rc_sum_all(rc_square(x)), "loss"));
    char *s = dot_text(RC_DOT_VALUES | RC_DOT_GRAD_NORMS);
    // x = [3,4]: norm 5; gradient 2x = [6,8]: norm 10. Inputs that need a gradient are green.
    cr_assert(strstr(s, "{x|input|[2]|3\\ 4|‖v‖=5\\ ‖g‖=10}\", fillcolor=\"#d1e7dd\""), "%s", s);
    free(s);
}

Test(dot, heat_scale_runs_from_the_smallest_to_the_largest_gradient_norm) {
    rc_var x = rc_name(rc_requires_grad(rc_input(g, RC_SHAPE(2), (float[]){3, 4})), "x");
    rc_name(rc_scalar(g, 2.0f), "no_grad");
    rc_backward(rc_name(rc_sum_all(rc_square(x)), "loss"));
    char *s = dot_text(RC_DOT_GRAD_HEAT | RC_DOT_GRAD_NORMS);
    // Gradient norms: loss 1 (the smallest: palest), x 10 (the largest: darkest), square's
    // output sqrt(2) in between; a node without a gradient stays white.
    cr_assert(strstr(s, "{loss|Σ|[]|‖v‖=25\\ ‖g‖=1}\", fillcolor=\"#fff5eb\""), "%s", s);
    cr_assert(strstr(s, "‖g‖=10}\", fillcolor=\"#7f2704\", fontcolor=\"#ffffff\""),
              "dark fill, white text: %s", s);
    cr_assert(strstr(s, "{no_grad|input|[]|‖v‖=2}\", fillcolor=\"#ffffff\""), "%s", s);
    const char *sq = strstr(s, "{n2|x²|");
    cr_assert(sq, "%s", s);
    const char *fill = strstr(sq, "fillcolor=\"#");
    cr_assert(fill && strncmp(fill + 11, "#fff5eb", 7) && strncmp(fill + 11, "#7f2704", 7),
              "square's output between the ends: %s", s);
    free(s);
}

Test(dot, collapse_draws_each_innermost_scope_as_one_box) {
    build_scoped();
    char *s = dot_text(RC_DOT_COLLAPSE | RC_DOT_GRAD_NORMS);
    // layer0 and fwd stay clusters; t=0 and t=1 (no scopes inside) become boxes.
    int clusters = 0;
    for (const char *p = s; (p = strstr(p, "subgraph cluster_")); p++)
        clusters++;
    cr_assert_eq(clusters, 2, "%s", s);
    cr_assert(strstr(s, "s2 [label=\"{t=0|"), "%s", s);
    cr_assert(strstr(s, "s3 [label=\"{t=1|"), "%s", s);
    cr_assert(strstr(s, "max ‖g‖="), "%s", s);
    cr_assert(strstr(s, "s2 -> s3;"), "step 0 feeds step 1: %s", s);
    cr_assert_null(strstr(s, "|tanh|"), "no op inside a box is drawn: %s", s);
    // Each pair of endpoints is linked once.
    const char *e = strstr(s, "s2 -> s3;");
    cr_assert_null(strstr(e + 1, "s2 -> s3;"), "%s", s);
    free(s);
}

Test(dot, labels_are_escaped) {
    rc_name(rc_scalar(g, 1.0f), "a|b{c}<d>\"e\\");
    rc_scope_push(g, "odd \"scope\"");
    rc_exp(rc_scalar(g, 0.0f));
    rc_scope_pop(g);
    char *s = dot_text(0);
    cr_assert(strstr(s, "{a\\|b\\{c\\}\\<d\\>\\\"e\\\\|input|[]}"), "%s", s);
    cr_assert(strstr(s, "label=\"odd\\ \\\"scope\\\"\""), "%s", s);
    free(s);
}

Test(dot, short_buffer_is_truncated_safely) {
    build_scoped();
    size_t need = rc_graph_dot_string(g, 0, NULL, 0);
    char small[32];
    cr_assert_eq(rc_graph_dot_string(g, 0, small, sizeof small), need);
    cr_assert_eq(strlen(small), sizeof small - 1);
}

static void render(const char *dot_path, const char *svg_path) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "dot -Tsvg '%s' -o '%s' 2>&1", dot_path, svg_path);
    int rc = system(cmd);
    cr_assert_eq(rc, 0, "Graphviz rejected %s (is graphviz installed? make test installs it)",
                 dot_path);
    struct stat st;
    cr_assert_eq(stat(svg_path, &st), 0);
    cr_assert_gt(st.st_size, 200);
}

Test(dot, graphviz_renders_the_output) {
    build_scoped();
    rc_name(rc_scalar(g, 1.0f), "a|b{c}<d>\"e\\ [x]; -> y");
    char dir[256], dot_path[300], svg_path[300];
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    snprintf(dot_path, sizeof dot_path, "%s/g.dot", dir);
    snprintf(svg_path, sizeof svg_path, "%s/g.svg", dir);
    for (unsigned flags = 0; flags < 32; flags++) {
        cr_assert_eq(rc_graph_dump_dot(g, dot_path, flags), RC_OK);
        render(dot_path, svg_path);
    }
    remove(dot_path), remove(svg_path), remove(dir);
}

Test(dot, unwritable_path_is_an_error_and_leaves_nothing) {
    rc_scalar(g, 1.0f);
    cr_assert_eq(rc_graph_dump_dot(g, "/nonexistent-dir/g.dot", 0), RC_ERR_IO);
    char dir[256], path[300];
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/g.dot", dir);
    cr_assert_eq(rc_graph_dump_dot(g, path, 0), RC_OK);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", dir);
    cr_assert_eq(system(cmd), 0, "only the final file remains, no temporary");
    remove(path), remove(dir);
}
