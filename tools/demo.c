// The built-in demo: an Elman RNN unrolled over a few steps, composed from primitive ops, so a new
// user sees the whole path (parameters, graph, backward, DOT) in one run.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/recur.h>

#include "demo.h"

enum { B = 2, I = 4, H = 8, O = 3, T = 3 };

static void init_uniform(rc_param *p, float bound, rc_rng *rng) {
    rc_tensor v = rc_param_value(p);
    for (int64_t i = 0; i < v.n; i++)
        v.data[i] = bound * (float)(2.0 * rc_rng_uniform(rng) - 1.0);
}

static double tensor_norm(rc_tensor t) {
    double s = 0;
    for (int64_t i = 0; i < t.n; i++)
        s += (double)t.data[i] * t.data[i];
    return sqrt(s);
}

// h_t = tanh(x_t W_xh^T + b + h_{t-1} W_hh^T); y = h_T W_out^T; loss = mean((y - target)^2).
static rc_var build(rc_graph *g, rc_params *ps, rc_rng *rng) {
    rc_var wxh = rc_use(g, rc_params_find(ps, "W_xh")), whh = rc_use(g, rc_params_find(ps, "W_hh"));
    rc_var b = rc_use(g, rc_params_find(ps, "b")), wout = rc_use(g, rc_params_find(ps, "W_out"));
    rc_var h = rc_name(rc_full(g, RC_SHAPE(B, H), 0.0f), "h0");
    for (int t = 0; t < T; t++) {
        rc_scope_push(g, "t=%d", t);
        float x[B * I];
        for (int i = 0; i < B * I; i++)
            x[i] = (float)rc_rng_normal(rng);
        rc_var xt = rc_name(rc_input(g, RC_SHAPE(B, I), x), "x");
        h = rc_name(rc_tanh(rc_add(rc_linear(xt, wxh, b), rc_matmul_nt(h, whh))), "h");
        rc_scope_pop(g);
    }
    float target[B * O];
    for (int i = 0; i < B * O; i++)
        target[i] = (float)rc_rng_normal(rng);
    rc_var y = rc_name(rc_matmul_nt(h, wout), "y");
    rc_var diff = rc_sub(y, rc_name(rc_input(g, RC_SHAPE(B, O), target), "target"));
    return rc_name(rc_mean_all(rc_square(diff)), "loss");
}

static int render_svg(const char *dot_path, const char *svg_path) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "dot -Tsvg '%s' -o '%s' 2>/dev/null", dot_path, svg_path);
    return system(cmd);
}

int recur_demo_main(int argc, char **argv) {
    const char *out_dir = ".";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out_dir = argv[++i];
        } else {
            fprintf(stderr, "recur demo: unknown option '%s' (use --out DIR)\n", argv[i]);
            return 2;
        }
    }
    rc_params *ps;
    rc_graph *g;
    if (rc_params_new(&ps) != RC_OK || rc_graph_new(&g) != RC_OK) {
        fprintf(stderr, "recur demo: out of memory\n");
        return 1;
    }
    rc_rng rng;
    rc_rng_seed(&rng, 2024);
    const struct { const char *name; rc_shape shape; } specs[] = {
        {"W_xh", RC_SHAPE(H, I)}, {"W_hh", RC_SHAPE(H, H)}, {"b", RC_SHAPE(H)},
        {"W_out", RC_SHAPE(O, H)}};
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        rc_param *p;
        rc_params_add(ps, specs[k].name, specs[k].shape, &p);
        init_uniform(p, 1.0f / sqrtf((float)H), &rng);
    }
    rc_var loss = build(g, ps, &rng);
    int rc = 0;
    if (rc_backward(loss) != RC_OK) {
        fprintf(stderr, "recur demo: %s\n", rc_graph_errmsg(g));
        rc = 1;
        goto done;
    }
    printf("Elman RNN, B=%d I=%d H=%d T=%d: %lld nodes\n", B, I, H, T,
           (long long)rc_graph_num_nodes(g));
    printf("loss %.6f\n", (double)rc_item(loss));
    for (int k = 0; k < rc_params_count(ps); k++) {
        rc_param *p = rc_params_at(ps, k);
        printf("  grad norm %-6s %.6f\n", rc_param_name(p), tensor_norm(rc_param_grad(p)));
    }
    char dot_path[900], svg_path[900];
    snprintf(dot_path, sizeof dot_path, "%s/demo.dot", out_dir);
    snprintf(svg_path, sizeof svg_path, "%s/demo.svg", out_dir);
    if (rc_graph_dump_dot(g, dot_path, RC_DOT_GRAD_NORMS) != RC_OK) {
        fprintf(stderr, "recur demo: cannot write %s\n", dot_path);
        rc = 1;
        goto done;
    }
    printf("wrote %s\n", dot_path);
    if (render_svg(dot_path, svg_path) == 0)
        printf("wrote %s\n", svg_path);
    else
        printf("Graphviz 'dot' not found: %s not rendered\n", svg_path);
done:
    rc_graph_free(&g);
    rc_params_free(&ps);
    return rc;
}
