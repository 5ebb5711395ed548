// Stacked, optionally bidirectional layers of any cell, as torch.nn.RNN/LSTM/GRU run them: layer
// l reads the concatenated outputs of both directions of layer l-1, dropout sits between layers
// (never after the last), and initial and final states use PyTorch's [L*D,B,H] layout.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "layers_impl.h"

static rc_status check_config(const rc_rnn_config *c, char *err, size_t len) {
    if (!c || !c->cell)
        return rc_errf(err, len, RC_ERR_ARG, "rc_rnn_new: config and config->cell must be set");
    if (c->num_layers < 1)
        return rc_errf(err, len, RC_ERR_ARG, "rc_rnn_new: num_layers must be >= 1, got %d",
                       c->num_layers);
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
        return rc_errf(err, len, RC_ERR_ARG, "rc_rnn_new: dropout must be in [0,1), got %g",
                       (double)c->dropout);
    if (c->dim_in <= 0)
        return rc_errf(err, len, RC_ERR_ARG, "rc_rnn_new: dim_in must be > 0, got %lld",
                       (long long)c->dim_in);
    return RC_OK;
}

// PyTorch's layout needs every layer's states to have the same widths.
static rc_status check_states(const rc_rnn *r, int i, char *err, size_t len) {
    const rc_cell *a = r->cells[0], *b = r->cells[i];
    bool same = a->n_state == b->n_state;
    for (int k = 0; same && k < a->n_state; k++)
        same = a->state_dim[k] == b->state_dim[k];
    if (!same)
        return rc_errf(err, len, RC_ERR_ARG,
                       "rc_rnn_new: cell %d of type %s has other state widths than cell 0", i,
                       b->type->name);
    return RC_OK;
}

rc_status rc_rnn_new(rc_rnn **out, const rc_rnn_config *config, rc_params *ps, const char *prefix,
                     rc_rng *rng, char *err, size_t err_len) {
    if (out)
        *out = NULL;
    if (!out || !ps) // rng may be NULL: parameters start at zero, for weights loaded after
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_rnn_new: out and ps must not be NULL");
    rc_status st = check_config(config, err, err_len);
    if (st != RC_OK)
        return st;
    rc_rnn *r = calloc(1, sizeof *r);
    const int D = config->bidirectional ? 2 : 1;
    if (r)
        r->cells = calloc((size_t)(config->num_layers * D), sizeof *r->cells);
    if (!r || !r->cells) {
        free(r);
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_rnn_new: out of memory");
    }
    r->config = *config;
    r->num_dirs = D;
    int64_t dim_in = config->dim_in;
    for (int l = 0; l < config->num_layers && st == RC_OK; l++) {
        for (int d = 0; d < D && st == RC_OK; d++) {
            char suffix[32];
            snprintf(suffix, sizeof suffix, "_l%d%s", l, d ? "_reverse" : "");
            const int i = l * D + d;
            st = rc_cell_new(&r->cells[i], config->cell, config->cell_opts, dim_in, ps, prefix,
                             suffix, rng, err, err_len);
            if (st == RC_OK)
                st = check_states(r, i, err, err_len);
        }
        if (st == RC_OK)
            dim_in = D * r->cells[l * D]->dim_out;
    }
    if (st != RC_OK) {
        rc_rnn_free(&r);
        return st;
    }
    *out = r;
    return RC_OK;
}

void rc_rnn_free(rc_rnn **rnn) {
    if (!rnn || !*rnn)
        return;
    rc_rnn *r = *rnn;
    for (int i = 0; r->cells && i < r->config.num_layers * r->num_dirs; i++)
        rc_cell_free(&r->cells[i]);
    free(r->cells);
    free(r);
    *rnn = NULL;
}

int64_t rc_rnn_dim_out(const rc_rnn *rnn) {
    if (!rnn)
        return 0;
    return rnn->num_dirs * rnn->cells[(rnn->config.num_layers - 1) * rnn->num_dirs]->dim_out;
}

rc_status rc_rnn_set_forget_bias(rc_rnn *rnn, float value, char *err, size_t err_len) {
    if (!rnn)
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_rnn_set_forget_bias: rnn is NULL");
    rc_status st = RC_OK;
    for (int k = 0; st == RC_OK && k < rnn->config.num_layers * rnn->num_dirs; k++)
        st = rc_cell_set_forget_bias(rnn->cells[k], value, err, err_len);
    return st;
}

// ---- forward ----------------------------------------------------------------------------------

static bool check_state0(rc_graph *g, const rc_rnn *r, const rc_var *state0, int64_t B,
                         const char *who) {
    const rc_cell *cell = r->cells[0];
    const int64_t LD = (int64_t)r->config.num_layers * r->num_dirs;
    for (int k = 0; state0 && k < cell->n_state; k++) {
        if (!state0[k].g)
            continue;
        rc_shape want = RC_SHAPE(LD, B, cell->state_dim[k]);
        if (rc_ok(state0[k]) && state0[k].g == g && rc_shape_eq(rc_shape_of(state0[k]), want))
            continue;
        char a[64], b[64];
        if (!rc_ok(state0[k]) || state0[k].g != g)
            rc_graph_set_error(g, RC_ERR_ARG, who,
                               "state0[%d] is not a valid handle of this "
                               "graph",
                               k);
        else
            rc_graph_set_error(g, RC_ERR_SHAPE, who, "state0[%d] is %s; want [L*D,B,%lld] = %s", k,
                               rc_shape_str(rc_shape_of(state0[k]), a, sizeof a),
                               (long long)cell->state_dim[k], rc_shape_str(want, b, sizeof b));
        return false;
    }
    return true;
}

// The initial states of cell i = l*D + d: row i of every state0[k], as [B,state_dim[k]].
static void layer_state0(const rc_rnn *r, const rc_var *state0, int i, int64_t B, rc_var *s) {
    const rc_cell *cell = r->cells[i];
    for (int k = 0; k < cell->n_state; k++) {
        s[k] = RC_NONE;
        if (state0 && state0[k].g)
            s[k] = rc_reshape(rc_slice(state0[k], 0, i, i + 1), RC_SHAPE(B, cell->state_dim[k]));
    }
}

typedef struct layer_io {
    const rc_var *in; // [T] inputs of the layer, or NULL when seq holds them
    rc_var seq;       // layer 0's input as one [T,B,I] tensor (time-major), or RC_NONE
    rc_var *out;      // [T] outputs, both directions concatenated
    rc_var *dir_out[2];
} layer_io;

static void run_layer(rc_graph *g, const rc_rnn *r, int l, const rc_rnn_run *run, int T, int64_t B,
                      layer_io *io, rc_var (*fin)[RC_CELL_MAX_STATE]) {
    const int D = r->num_dirs;
    for (int d = 0; d < D; d++) {
        const int i = l * D + d;
        rc_var s0[RC_CELL_MAX_STATE];
        layer_state0(r, run->state0, i, B, s0);
        rc_scope_push(g, "layer%d/%s", l, d ? "bwd" : "fwd");
        rc_unroll_opts uo = {.reverse = d == 1,
                             .lengths = run->lengths,
                             .hooks = run->hooks,
                             .layer = l,
                             .dir = d,
                             .per_step_projection = run->per_step_projection};
        if (io->in)
            rc_rnn_unroll(g, r->cells[i], io->in, T, s0, io->dir_out[d], fin[i], &uo);
        else
            rc_rnn_unroll_seq(g, r->cells[i], io->seq, s0, io->dir_out[d], fin[i], &uo);
        rc_scope_pop(g);
    }
    const bool drop = run->training && r->config.dropout > 0 && l + 1 < r->config.num_layers;
    rc_scope_push(g, "layer%d", l);
    for (int t = 0; t < T && rc_graph_status(g) == RC_OK; t++) {
        rc_var pair[2] = {io->dir_out[0][t], D == 2 ? io->dir_out[1][t] : RC_NONE};
        io->out[t] = D == 2 ? rc_concat(pair, 2, 1) : pair[0];
        if (drop)
            io->out[t] = rc_dropout(io->out[t], r->config.dropout, run->rng, NULL);
    }
    rc_scope_pop(g);
}

static bool check_steps(rc_graph *g, const rc_var *xs, int T, const char *who) {
    if (!xs || T < 1) {
        rc_graph_set_error(g, RC_ERR_ARG, who, "needs T >= 1 inputs, got T = %d%s", T,
                           xs ? "" : " and xs == NULL");
        return false;
    }
    if (!rc_ok(xs[0]) || xs[0].g != g || rc_shape_of(xs[0]).ndim != 2) {
        rc_graph_set_error(g, RC_ERR_ARG, who, "xs[0] is not a valid [B,I] handle of this graph");
        return false;
    }
    return true;
}

// All layers over xs[T] or, with xs NULL, the time-major tensor seq; B checked by the caller.
static rc_status forward(rc_graph *g, const rc_rnn *r, const rc_var *xs, rc_var seq, int T,
                         int64_t B, const rc_rnn_run *run, rc_var *ys, rc_rnn_result *out,
                         const char *who) {
    const int L = r->config.num_layers, D = r->num_dirs;
    const rc_cell *cell0 = r->cells[0];
    if (!check_state0(g, r, run->state0, B, who))
        return rc_graph_status(g);
    if (run->training && r->config.dropout > 0 && L > 1 && !run->rng) {
        rc_graph_set_error(g, RC_ERR_ARG, who, "dropout %g in training needs run->rng",
                           (double)r->config.dropout);
        return rc_graph_status(g);
    }
    // Handles live in the graph's arena: no malloc per training step.
    size_t n_vars = (size_t)T * (size_t)(2 + D) + (size_t)(L * D * RC_CELL_MAX_STATE);
    rc_var *mem = rc_graph_copy(g, NULL, n_vars * sizeof *mem);
    if (!mem)
        return rc_graph_status(g);
    rc_var(*fin)[RC_CELL_MAX_STATE] = (void *)(mem + (size_t)T * (2 + D));
    rc_var *outs[2] = {mem, mem + T};
    layer_io io = {.in = xs, .seq = seq, .dir_out = {mem + 2 * T, mem + 3 * T}};
    for (int l = 0; l < L && rc_graph_status(g) == RC_OK; l++) {
        io.out = outs[l % 2]; // layer l reads outs[(l-1) % 2] while it writes the other
        run_layer(g, r, l, run, T, B, &io, fin);
        io.in = io.out;
    }
    if (rc_graph_status(g) != RC_OK)
        return rc_graph_status(g);
    if (ys)
        memcpy(ys, io.in, (size_t)T * sizeof *ys);
    out->n_state = cell0->n_state;
    rc_var *parts = rc_graph_copy(g, NULL, (size_t)(L * D) * sizeof *parts);
    for (int k = 0; parts && k < cell0->n_state; k++) {
        for (int i = 0; i < L * D; i++)
            parts[i] = fin[i][k];
        out->state[k] = rc_stack(parts, L * D, 0);
    }
    return rc_graph_status(g);
}

static void result_clear(rc_rnn_result *out) {
    out->output = RC_NONE;
    out->n_state = 0;
    for (int k = 0; k < RC_CELL_MAX_STATE; k++)
        out->state[k] = RC_NONE;
}

rc_status rc_rnn_forward_steps(rc_graph *g, const rc_rnn *rnn, const rc_var *xs, int T,
                               const rc_rnn_run *run, rc_var *ys, rc_rnn_result *out) {
    if (!g || !rnn || !out) {
        rc_graph_set_error(g, RC_ERR_ARG, "rc_rnn_forward_steps", "%s is NULL",
                           !g     ? "g"
                           : !rnn ? "rnn"
                                  : "out");
        return RC_ERR_ARG;
    }
    result_clear(out);
    const rc_rnn_run r = run ? *run : (rc_rnn_run){0};
    if (rc_graph_status(g) != RC_OK)
        return rc_graph_status(g);
    const char *who = "rc_rnn_forward_steps";
    if (!check_steps(g, xs, T, who))
        return rc_graph_status(g);
    return forward(g, rnn, xs, RC_NONE, T, rc_shape_of(xs[0]).dim[0], &r, ys, out, who);
}

rc_status rc_rnn_forward(rc_graph *g, const rc_rnn *rnn, rc_var x, const rc_rnn_run *run,
                         rc_rnn_result *out) {
    if (!g || !rnn || !out) {
        rc_graph_set_error(g, RC_ERR_ARG, "rc_rnn_forward", "%s is NULL",
                           !g     ? "g"
                           : !rnn ? "rnn"
                                  : "out");
        return RC_ERR_ARG;
    }
    result_clear(out);
    const rc_rnn_run r = run ? *run : (rc_rnn_run){0};
    if (rc_graph_status(g) != RC_OK)
        return rc_graph_status(g);
    rc_shape s = rc_shape_of(x);
    if (!rc_ok(x) || x.g != g || s.ndim != 3 || s.dim[2] != rnn->config.dim_in) {
        char a[64];
        rc_graph_set_error(g, rc_ok(x) && x.g == g ? RC_ERR_SHAPE : RC_ERR_ARG, "rc_rnn_forward",
                           "x is %s; want %s with I = %lld",
                           rc_ok(x) && x.g == g ? rc_shape_str(s, a, sizeof a)
                                                : "not a valid "
                                                  "handle of this graph",
                           r.batch_first ? "[B,T,I]" : "[T,B,I]", (long long)rnn->config.dim_in);
        return rc_graph_status(g);
    }
    const int axis = r.batch_first ? 1 : 0;
    const int64_t T = s.dim[axis], B = s.dim[1 - axis], I = s.dim[2];
    rc_var *xs = rc_graph_copy(g, NULL, (size_t)T * 2 * sizeof *xs);
    if (!xs)
        return rc_graph_status(g);
    rc_var *ys = xs + T;
    if (r.batch_first) { // a time-major input goes to layer 0 whole
        rc_scope_push(g, "input");
        for (int64_t t = 0; t < T; t++)
            xs[t] = rc_reshape(rc_slice(x, axis, t, t + 1), RC_SHAPE(B, I));
        rc_scope_pop(g);
    }
    rc_status st = forward(g, rnn, r.batch_first ? xs : NULL, r.batch_first ? RC_NONE : x, (int)T,
                           B, &r, ys, out, "rc_rnn_forward");
    if (st == RC_OK)
        out->output = rc_stack(ys, (int)T, axis);
    return rc_graph_status(g);
}
