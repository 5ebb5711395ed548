// Graphviz DOT export. Nodes are records "name | op | [shape]"; parameters, inputs and nodes that
// received a gradient are coloured apart; edges carry their input slot; name scopes become nested
// clusters so an unrolled network reads step by step.
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

static const char *node_kind_label(const rc_node *n) {
    if (n->kind == RC_NODE_PARAM)
        return "param";
    if (n->kind == RC_NODE_INPUT)
        return "input";
    return n->op->dot_label ? n->op->dot_label : n->op->name;
}

static void emit_node(sink *s, const rc_node *n, uint32_t idx, unsigned flags, const char *pad) {
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
    emit(s, "}\", fillcolor=\"%s\"];\n", node_color(n));
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

static void emit_cluster(sink *s, const rc_graph *g, const scope_set *ss, const int *node_scope,
                         int scope, int depth, unsigned flags) {
    char pad[2 * RC_MAX_SCOPE_DEPTH + 4];
    int w = depth < RC_MAX_SCOPE_DEPTH ? 2 * depth + 2 : 2 * RC_MAX_SCOPE_DEPTH + 2;
    memset(pad, ' ', (size_t)w);
    pad[w] = '\0';
    if (scope >= 0) {
        const char *label = strrchr(ss->path[scope], '/');
        label = label ? label + 1 : ss->path[scope];
        emit(s, "%ssubgraph cluster_%d {\n%s  label=\"", pad, scope, pad);
        emit_escaped(s, label);
        emit(s, "\";\n");
    }
    const char *inner = scope >= 0 ? "  " : "";
    char npad[sizeof pad + 2];
    snprintf(npad, sizeof npad, "%s%s", pad, inner);
    for (uint32_t k = 0; k < g->n_nodes; k++)
        if (node_scope[k] == scope)
            emit_node(s, rc_node_at(g, k), k, flags, npad);
    for (int c = 0; c < ss->n; c++)
        if (ss->parent[c] == scope)
            emit_cluster(s, g, ss, node_scope, c, depth + 1, flags);
    if (scope >= 0)
        emit(s, "%s}\n", pad);
}

static void emit_graph(sink *s, const rc_graph *g, unsigned flags) {
    emit(s, "digraph recur {\n  rankdir=TB;\n  graph [fontname=\"Helvetica\", fontsize=11];\n"
            "  node [shape=record, style=filled, "
            "fontname=\"Helvetica\", fontsize=10];\n  edge [fontsize=8];\n");
    scope_set ss = {0};
    int *node_scope = malloc(((size_t)g->n_nodes + 1) * sizeof *node_scope);
    if (!node_scope) {
        s->failed = true;
        return;
    }
    for (uint32_t k = 0; k < g->n_nodes; k++) {
        const char *sc = rc_node_at(g, k)->scope;
        node_scope[k] = (flags & RC_DOT_NO_SCOPES) || !sc ? -1 : scope_add(&ss, sc, strlen(sc));
    }
    emit_cluster(s, g, &ss, node_scope, -1, 0, flags);
    for (uint32_t k = 0; k < g->n_nodes; k++) {
        const rc_node *n = rc_node_at(g, k);
        for (int i = 0; i < n->n_in; i++)
            emit(s, "  n%u -> n%u [label=\"%d\"];\n", n->in[i], k, i);
    }
    emit(s, "}\n");
    free(node_scope);
    scope_free(&ss);
}

size_t rc_graph_dot_string(const rc_graph *g, unsigned flags, char *buf, size_t len) {
    RC_ASSERT(g);
    sink s = {NULL, buf, len, 0, false};
    if (buf && len)
        buf[0] = '\0';
    emit_graph(&s, g, flags);
    return s.at + 1;
}

rc_status rc_graph_dump_dot(const rc_graph *g, const char *path, unsigned flags) {
    RC_ASSERT(g && path);
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp)
        return RC_ERR_NOMEM;
    snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd >= 0)
        fchmod(fd, 0644); // mkstemp makes 0600; a graph drawing is not a secret
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd), unlink(tmp);
        free(tmp);
        return RC_ERR_IO;
    }
    sink s = {f, NULL, 0, 0, false};
    emit_graph(&s, g, flags);
    bool ok = !s.failed && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok)
        unlink(tmp);
    free(tmp);
    return ok ? RC_OK : RC_ERR_IO;
}
