// Graphviz DOT export. Nodes are records "name | op | [shape]"; parameters, inputs and nodes that
// received a gradient are coloured apart; edges carry their input slot; name scopes become nested
// clusters so an unrolled network reads step by step.
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph_impl.h"

#define COLOR_PARAM "#cfe2ff"
#define COLOR_INPUT "#e9ecef"
#define COLOR_INPUT_GRAD "#d1e7dd"
#define COLOR_GRAD "#ffe5b4"
#define COLOR_PLAIN "#ffffff"

// Output goes either to a FILE or into a caller's buffer (counting what would not fit).
typedef struct sink {
    FILE *f;
    char *buf;
    size_t len, at;
    bool failed;
} sink;

static void emit(sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(sink *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (s->f) {
        if (vfprintf(s->f, fmt, ap) < 0)
            s->failed = true;
    } else {
        size_t room = s->at < s->len ? s->len - s->at : 0;
        int n = vsnprintf(room ? s->buf + s->at : NULL, room, fmt, ap);
        if (n > 0)
            s->at += (size_t)n;
    }
    va_end(ap);
}

// Record labels treat { } | < > and quotes specially; DOT strings treat " and \ specially.
static void emit_escaped(sink *s, const char *text) {
    char out[512];
    size_t k = 0;
    for (const char *c = text; *c && k + 3 < sizeof out; c++) {
        if (strchr("{}|<>\"\\ ", *c))
            out[k++] = '\\';
        if (*c == '\n') {
            out[k++] = '\\';
            out[k++] = 'n';
            continue;
        }
        out[k++] = *c;
    }
    out[k] = '\0';
    emit(s, "%s", out);
}

static double norm2(const float *x, int64_t n) {
    double sum = 0;
    for (int64_t i = 0; i < n; i++)
        sum += (double)x[i] * x[i];
    return sqrt(sum);
}

static const char *node_color(const rc_node *n) {
    if (n->kind == RC_NODE_PARAM)
        return COLOR_PARAM;
    if (n->kind == RC_NODE_INPUT)
        return n->needs_grad ? COLOR_INPUT_GRAD : COLOR_INPUT;
    return n->grad ? COLOR_GRAD : COLOR_PLAIN;
}

// What every node's drawing depends on beyond the node itself.
typedef struct dot_style {
    unsigned flags;
    double lo, hi; // log10 of the smallest and largest gradient norm in the graph (heat scale)
} dot_style;

// A sequential pale-to-dark ramp (white-orange-brown), sampled at 5 stops.
static void heat_color(const dot_style *st, double norm, char out[8]) {
    static const unsigned char ramp[5][3] = {
        {255, 245, 235}, {253, 208, 162}, {253, 141, 60}, {217, 72, 1}, {127, 39, 4}};
    double t =
        st->hi > st->lo ? (log10(norm > 1e-30 ? norm : 1e-30) - st->lo) / (st->hi - st->lo) : 1.0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    int i = t >= 1 ? 3 : (int)(t * 4);
    double f = t * 4 - i;
    int rgb[3];
    for (int c = 0; c < 3; c++)
        rgb[c] = (int)(ramp[i][c] + f * (ramp[i + 1][c] - ramp[i][c]) + 0.5);
    snprintf(out, 8, "#%02x%02x%02x", rgb[0] & 255, rgb[1] & 255, rgb[2] & 255);
}

// White text on the dark end of the heat scale, where black would not read.
static const char *font_for(const char fill[8]) {
    unsigned r = 255, g = 255, b = 255;
    sscanf(fill, "#%02x%02x%02x", &r, &g, &b);
    return 0.299 * r + 0.587 * g + 0.114 * b < 110 ? ", fontcolor=\"#ffffff\"" : "";
}

static void fill_color(const dot_style *st, const rc_node *n, char out[8]) {
    if (!(st->flags & RC_DOT_GRAD_HEAT)) {
        snprintf(out, 8, "%s", node_color(n));
        return;
    }
    if (n->grad)
        heat_color(st, norm2(n->grad, n->value.n), out);
    else
        snprintf(out, 8, "%s", COLOR_PLAIN);
}

// The range of the gradient norms, for the heat scale.
static void grad_range(const rc_graph *g, dot_style *st) {
    st->lo = INFINITY, st->hi = -INFINITY;
    for (uint32_t k = 0; k < g->n_nodes; k++) {
        const rc_node *n = rc_node_at(g, k);
        double v = n->grad ? norm2(n->grad, n->value.n) : 0;
        if (v > 1e-30)
            st->lo = fmin(st->lo, log10(v)), st->hi = fmax(st->hi, log10(v));
    }
    if (st->lo > st->hi)
        st->lo = st->hi = 0;
}

static const char *node_kind_label(const rc_node *n) {
    if (n->kind == RC_NODE_PARAM)
        return "param";
    if (n->kind == RC_NODE_INPUT)
        return "input";
    return n->op->dot_label ? n->op->dot_label : n->op->name;
}

static void emit_node(sink *s, const rc_node *n, uint32_t idx, const dot_style *st,
                      const char *pad) {
    const unsigned flags = st->flags;
    char shape[96], name[64];
    if (n->name)
        snprintf(name, sizeof name, "%s", n->name);
    else
        snprintf(name, sizeof name, "%s%u", n->kind == RC_NODE_OP ? "n" : "x", idx);
    emit(s, "%sn%u [label=\"{", pad, idx);
    emit_escaped(s, name);
    emit(s, "|");
    emit_escaped(s, node_kind_label(n));
    emit(s, "|");
    emit_escaped(s, rc_shape_str(n->value.shape, shape, sizeof shape));
    if (flags & RC_DOT_VALUES) {
        char vals[160];
        size_t at = 0;
        for (int64_t i = 0; i < n->value.n && i < 6 && at < sizeof vals; i++)
            at += (size_t)snprintf(vals + at, sizeof vals - at, i ? " %.4g" : "%.4g",
                                   (double)n->value.data[i]);
        if (n->value.n > 6 && at < sizeof vals)
            snprintf(vals + at, sizeof vals - at, " ...");
        emit(s, "|");
        emit_escaped(s, vals);
    }
    if (flags & RC_DOT_GRAD_NORMS) {
        char norms[96];
        if (n->grad)
            snprintf(norms, sizeof norms, "‖v‖=%.4g ‖g‖=%.4g", norm2(n->value.data, n->value.n),
                     norm2(n->grad, n->value.n));
        else
            snprintf(norms, sizeof norms, "‖v‖=%.4g", norm2(n->value.data, n->value.n));
        emit(s, "|");
        emit_escaped(s, norms);
    }
    char fill[8];
    fill_color(st, n, fill);
    emit(s, "}\", fillcolor=\"%s\"%s];\n", fill, font_for(fill));
}

// ---- scope tree ------------------------------------------------------------------------------
// Every distinct scope path and all its prefixes, each with the index of its parent.

typedef struct scope_set {
    char **path;
    int *parent;
    int n, cap;
} scope_set;

static int scope_find(const scope_set *ss, const char *path, size_t len) {
    for (int i = ss->n - 1; i >= 0; i--)
        if (strlen(ss->path[i]) == len && !strncmp(ss->path[i], path, len))
            return i;
    return -1;
}

// Index of path[0..len) in the set, adding it and its prefixes; -1 for "" or out of memory.
static int scope_add(scope_set *ss, const char *path, size_t len) {
    if (len == 0)
        return -1;
    int i = scope_find(ss, path, len);
    if (i >= 0)
        return i;
    size_t cut = len;
    while (cut > 0 && path[cut - 1] != '/')
        cut--;
    int parent = cut > 0 ? scope_add(ss, path, cut - 1) : -1;
    if (ss->n == ss->cap) {
        int cap = ss->cap ? 2 * ss->cap : 32;
        char **p = realloc(ss->path, (size_t)cap * sizeof *p);
        int *q = p ? realloc(ss->parent, (size_t)cap * sizeof *q) : NULL;
        if (p)
            ss->path = p;
        if (!p || !q)
            return -1;
        ss->parent = q;
        ss->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, path, len);
    copy[len] = '\0';
    ss->path[ss->n] = copy;
    ss->parent[ss->n] = parent;
    return ss->n++;
}

static void scope_free(scope_set *ss) {
    for (int i = 0; i < ss->n; i++)
        free(ss->path[i]);
    free(ss->path);
    free(ss->parent);
}

// Everything one drawing needs: the graph, its style, the scope of each node, and which scopes
// are drawn as one box (RC_DOT_COLLAPSE).
typedef struct dot_ctx {
    const rc_graph *g;
    dot_style style;
    scope_set ss;
    int *node_scope; // [n_nodes]: index in ss, -1 outside every scope
    bool *boxed;     // [ss.n]: drawn as one box
} dot_ctx;

// A collapsed scope as one record: its name, how many nodes, the largest gradient norm.
static void emit_box(sink *s, const dot_ctx *c, int scope, const char *label, const char *pad) {
    int count = 0;
    double gmax = -1;
    for (uint32_t k = 0; k < c->g->n_nodes; k++)
        if (c->node_scope[k] == scope) {
            const rc_node *n = rc_node_at(c->g, k);
            count++;
            if (n->grad)
                gmax = fmax(gmax, norm2(n->grad, n->value.n));
        }
    emit(s, "%ss%d [label=\"{", pad, scope);
    emit_escaped(s, label);
    emit(s, "|%d nodes", count);
    if ((c->style.flags & RC_DOT_GRAD_NORMS) && gmax >= 0)
        emit(s, "|max ‖g‖=%.4g", gmax);
    char fill[8] = COLOR_PLAIN;
    if ((c->style.flags & RC_DOT_GRAD_HEAT) && gmax >= 0)
        heat_color(&c->style, gmax, fill);
    else if (gmax >= 0)
        snprintf(fill, sizeof fill, "%s", COLOR_GRAD);
    emit(s, "}\", fillcolor=\"%s\"%s];\n", fill, font_for(fill));
}

static void emit_cluster(sink *s, const dot_ctx *c, int scope, int depth) {
    char pad[2 * RC_MAX_SCOPE_DEPTH + 4];
    int w = depth < RC_MAX_SCOPE_DEPTH ? 2 * depth + 2 : 2 * RC_MAX_SCOPE_DEPTH + 2;
    memset(pad, ' ', (size_t)w);
    pad[w] = '\0';
    const char *label = scope >= 0 ? strrchr(c->ss.path[scope], '/') : NULL;
    label = scope < 0 ? "" : label ? label + 1 : c->ss.path[scope];
    if (scope >= 0 && c->boxed[scope]) {
        emit_box(s, c, scope, label, pad);
        return;
    }
    if (scope >= 0) {
        emit(s, "%ssubgraph cluster_%d {\n%s  label=\"", pad, scope, pad);
        emit_escaped(s, label);
        emit(s, "\";\n");
    }
    char npad[sizeof pad + 2];
    snprintf(npad, sizeof npad, "%s%s", pad, scope >= 0 ? "  " : "");
    for (uint32_t k = 0; k < c->g->n_nodes; k++)
        if (c->node_scope[k] == scope)
            emit_node(s, rc_node_at(c->g, k), k, &c->style, npad);
    for (int i = 0; i < c->ss.n; i++)
        if (c->ss.parent[i] == scope)
            emit_cluster(s, c, i, depth + 1);
    if (scope >= 0)
        emit(s, "%s}\n", pad);
}

// Boxes are numbered as the negative of scope + 1 so that one int names a node or a box.
static int64_t endpoint(const dot_ctx *c, uint32_t k) {
    int sc = c->node_scope[k];
    return sc >= 0 && c->boxed[sc] ? -(int64_t)sc - 1 : (int64_t)k;
}

static void emit_endpoint(sink *s, int64_t e) {
    if (e < 0)
        emit(s, "s%lld", (long long)(-e - 1));
    else
        emit(s, "n%lld", (long long)e);
}

static int cmp_pair(const void *a, const void *b) {
    const int64_t *x = a, *y = b;
    return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] != y[1] ? (x[1] < y[1] ? -1 : 1) : 0;
}

// One edge per distinct pair of endpoints, without edges inside a box.
static void emit_collapsed_edges(sink *s, const dot_ctx *c) {
    size_t n = 0, cap = 0;
    for (uint32_t k = 0; k < c->g->n_nodes; k++)
        cap += (size_t)rc_node_at(c->g, k)->n_in;
    int64_t(*pairs)[2] = malloc((cap ? cap : 1) * sizeof *pairs);
    if (!pairs) {
        s->failed = true;
        return;
    }
    for (uint32_t k = 0; k < c->g->n_nodes; k++) {
        const rc_node *nd = rc_node_at(c->g, k);
        for (int i = 0; i < nd->n_in; i++) {
            int64_t from = endpoint(c, nd->in[i]), to = endpoint(c, k);
            if (from != to)
                pairs[n][0] = from, pairs[n][1] = to, n++;
        }
    }
    qsort(pairs, n, sizeof *pairs, cmp_pair);
    for (size_t i = 0; i < n; i++) {
        if (i && !cmp_pair(pairs[i], pairs[i - 1]))
            continue;
        emit(s, "  "), emit_endpoint(s, pairs[i][0]), emit(s, " -> ");
        emit_endpoint(s, pairs[i][1]), emit(s, ";\n");
    }
    free(pairs);
}

// The scope of every node, and (collapsing) which scopes have no scope inside them.
static bool build_ctx(dot_ctx *c, const rc_graph *g, unsigned flags) {
    *c = (dot_ctx){.g = g, .style = {.flags = flags}};
    if (flags & RC_DOT_GRAD_HEAT)
        grad_range(g, &c->style);
    c->node_scope = malloc(((size_t)g->n_nodes + 1) * sizeof *c->node_scope);
    if (!c->node_scope)
        return false;
    for (uint32_t k = 0; k < g->n_nodes; k++) {
        const char *sc = rc_node_at(g, k)->scope;
        c->node_scope[k] =
            (flags & RC_DOT_NO_SCOPES) || !sc ? -1 : scope_add(&c->ss, sc, strlen(sc));
    }
    c->boxed = calloc((size_t)c->ss.n + 1, sizeof *c->boxed);
    if (!c->boxed)
        return false;
    for (int i = 0; (flags & RC_DOT_COLLAPSE) && i < c->ss.n; i++)
        c->boxed[i] = true;
    for (int i = 0; (flags & RC_DOT_COLLAPSE) && i < c->ss.n; i++)
        if (c->ss.parent[i] >= 0)
            c->boxed[c->ss.parent[i]] = false;
    return true;
}

static void emit_graph(sink *s, const rc_graph *g, unsigned flags) {
    emit(s, "digraph recur {\n  rankdir=TB;\n  graph [fontname=\"Helvetica\", fontsize=11];\n"
            "  node [shape=record, style=filled, "
            "fontname=\"Helvetica\", fontsize=10];\n  edge [fontsize=8];\n");
    dot_ctx c;
    if (!build_ctx(&c, g, flags)) {
        s->failed = true;
    } else {
        emit_cluster(s, &c, -1, 0);
        if (flags & RC_DOT_COLLAPSE)
            emit_collapsed_edges(s, &c);
        for (uint32_t k = 0; !(flags & RC_DOT_COLLAPSE) && k < g->n_nodes; k++) {
            const rc_node *n = rc_node_at(g, k);
            for (int i = 0; i < n->n_in; i++)
                emit(s, "  n%u -> n%u [label=\"%d\"];\n", n->in[i], k, i);
        }
        emit(s, "}\n");
    }
    free(c.node_scope);
    free(c.boxed);
    scope_free(&c.ss);
}

size_t rc_graph_dot_string(const rc_graph *g, unsigned flags, char *buf, size_t len) {
    RC_NEED(g, 0);
    sink s = {NULL, buf, len, 0, false};
    if (buf && len)
        buf[0] = '\0';
    emit_graph(&s, g, flags);
    return s.at + 1;
}

rc_status rc_graph_dump_dot(const rc_graph *g, const char *path, unsigned flags) {
    RC_NEED(g, RC_ERR_ARG);
    RC_NEED(path, RC_ERR_ARG);
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp)
        return rc_set_last_error(RC_ERR_NOMEM, "rc_graph_dump_dot: %s: out of memory", path);
    snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd >= 0)
        fchmod(fd, 0644); // mkstemp makes 0600; a graph drawing is not a secret
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        rc_set_last_error(RC_ERR_IO, "rc_graph_dump_dot: %s: cannot create a temporary file: %s",
                          path, strerror(errno));
        if (fd >= 0)
            close(fd), unlink(tmp);
        free(tmp);
        return RC_ERR_IO;
    }
    sink s = {f, NULL, 0, 0, false};
    errno = 0;
    emit_graph(&s, g, flags);
    bool ok = !s.failed && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok) {
        rc_set_last_error(RC_ERR_IO, "rc_graph_dump_dot: %s: write failed: %s", path,
                          strerror(errno ? errno : EIO));
        unlink(tmp);
    }
    free(tmp);
    return ok ? RC_OK : RC_ERR_IO;
}
