// The Linear layer, PyTorch's torch.nn.Linear: names, [O,I] layout and default init.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "layers_impl.h"

char *rc_layer_name(const char *prefix, const char *leaf) {
    const bool bare = !prefix || !*prefix;
    size_t n = (bare ? 0 : strlen(prefix) + 1) + strlen(leaf) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", bare ? "" : prefix, bare ? "" : ".", leaf);
    return s;
}

rc_status rc_layer_add_params(rc_params *ps, const char *prefix, int n, const char *const *leaf,
                              const rc_shape *shape, rc_param **out) {
    char *names[4] = {NULL, NULL, NULL, NULL};
    rc_status st = RC_OK;
    for (int i = 0; i < n && st == RC_OK; i++) {
        names[i] = rc_layer_name(prefix, leaf[i]);
        if (!names[i])
            st = rc_set_last_error(RC_ERR_NOMEM, "out of memory naming '%s'", leaf[i]);
        else if (rc_params_find(ps, names[i])) // checked for all first: a clash adds nothing
            st = rc_set_last_error(RC_ERR_ARG, "a parameter '%s' exists already", names[i]);
    }
    for (int i = 0; i < n && st == RC_OK; i++)
        st = rc_params_add(ps, names[i], shape[i], &out[i]);
    for (int i = 0; i < n; i++)
        free(names[i]);
    return st;
}

rc_status rc_linear_layer_init(rc_linear_layer *l, rc_params *ps, const char *prefix,
                               int64_t dim_in, int64_t dim_out, bool bias, rc_rng *rng) {
    if (!l || !ps || !rng)
        return rc_set_last_error(RC_ERR_ARG, "rc_linear_layer_init: %s is NULL",
                                 !l    ? "l"
                                 : !ps ? "ps"
                                       : "rng");
    memset(l, 0, sizeof *l);
    if (dim_in <= 0 || dim_out <= 0)
        return rc_set_last_error(RC_ERR_SHAPE,
                                 "rc_linear_layer_init: dim_in = %lld, dim_out = %lld; both must "
                                 "be > 0",
                                 (long long)dim_in, (long long)dim_out);
    const char *leaf[2] = {"weight", "bias"};
    const rc_shape shape[2] = {RC_SHAPE(dim_out, dim_in), RC_SHAPE(dim_out)};
    rc_param *p[2] = {NULL, NULL};
    rc_status st = rc_layer_add_params(ps, prefix, bias ? 2 : 1, leaf, shape, p);
    if (st != RC_OK)
        return st;
    const double bound = 1.0 / sqrt((double)dim_in);
    const rc_init u = {.kind = RC_INIT_UNIFORM, .a = -bound, .b = bound};
    for (int i = 0; i < 2 && st == RC_OK; i++)
        if (p[i])
            st = rc_init_param(p[i], &u, rng);
    *l = (rc_linear_layer){p[0], p[1], dim_in, dim_out};
    return st;
}

rc_var rc_layer_null(rc_graph *g, const char *fn, const char *arg) {
    rc_graph_set_error(g, RC_ERR_ARG, fn, "%s is NULL", arg);
    return RC_NONE;
}

rc_var rc_linear_layer_forward(const rc_linear_layer *l, rc_graph *g, rc_var x) {
    if (!l || !g)
        return rc_layer_null(g, "rc_linear_layer_forward", !l ? "l" : "g");
    return rc_linear(x, rc_use(g, l->weight), l->bias ? rc_use(g, l->bias) : RC_NONE);
}
