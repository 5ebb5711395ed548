// rc_rnn_unroll: one layer, one direction, any cell. Everything around the cell's step lives
// here: initial states, the input projection of all steps in one GEMM, hooks, and the masks that
// keep a finished sequence's state and zero its output.
#include <stdio.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#define WHO "rc_rnn_unroll"
#define WHO_SEQ "rc_rnn_unroll_seq"

static bool bad_handle(rc_graph *g, rc_var v, const char *what, int i, const char *who) {
    if (rc_ok(v) && v.g == g)
        return false;
    if (rc_graph_status(g) == RC_OK)
        rc_graph_set_error(g, RC_ERR_ARG, who, "%s[%d] is not a valid handle of this graph", what,
                           i);
    return true;
}

// The inputs of one run: T per-step handles xs[t] [B,I], or one time-major tensor `all` [T*B,I]
// whose rows t*B..(t+1)*B-1 are step t (xs NULL).
typedef struct seq_in {
    const rc_var *xs;
    rc_var all;
} seq_in;

static rc_var x_at(const seq_in *in, int t, int64_t B) {
    return in->xs ? in->xs[t] : rc_slice(in->all, 0, t * B, (t + 1) * B);
}

static bool check_inputs(rc_graph *g, const rc_cell *cell, const rc_var *xs, int T,
                         int64_t *batch) {
    if (!xs || T < 1) {
        rc_graph_set_error(g, RC_ERR_ARG, WHO, "needs T >= 1 inputs, got T = %d%s", T,
                           xs ? "" : " and xs == NULL");
        return false;
    }
    for (int t = 0; t < T; t++) {
        if (bad_handle(g, xs[t], "xs", t, WHO))
            return false;
        rc_shape s = rc_shape_of(xs[t]);
        if (t == 0 && s.ndim == 2)
            *batch = s.dim[0];
        if (s.ndim != 2 || s.dim[0] != *batch || s.dim[1] != cell->dim_in) {
            char a[64];
            rc_graph_set_error(g, RC_ERR_SHAPE, WHO,
                               "xs[%d] is %s; the %s cell wants [B,%lld] with B = %lld as xs[0]", t,
                               rc_shape_str(s, a, sizeof a), cell->type->name,
                               (long long)cell->dim_in, (long long)*batch);
            return false;
        }
    }
    return true;
}

static bool check_lengths(rc_graph *g, const int32_t *lengths, int64_t B, int T, const char *who) {
    for (int64_t b = 0; lengths && b < B; b++) {
        if (lengths[b] < 0 || lengths[b] > T) {
            rc_graph_set_error(g, RC_ERR_RANGE, who, "lengths[%lld] = %d is outside [0, T=%d]",
                               (long long)b, (int)lengths[b], T);
            return false;
        }
    }
    return true;
}

// state[k] = state0[k], or zeros when state0 or its entry is absent.
static bool initial_states(rc_graph *g, const rc_cell *cell, const rc_var *state0, int64_t B,
                           rc_var *state, const char *who) {
    for (int k = 0; k < cell->n_state; k++) {
        rc_shape want = RC_SHAPE(B, cell->state_dim[k]);
        if (!state0 || !state0[k].g) {
            char name[32];
            snprintf(name, sizeof name, "state0[%d]", k);
            state[k] = rc_name(rc_full(g, want, 0.0f), name);
            continue;
        }
        if (bad_handle(g, state0[k], "state0", k, who))
            return false;
        if (!rc_shape_eq(rc_shape_of(state0[k]), want)) {
            char a[64], b[64];
            rc_graph_set_error(g, RC_ERR_SHAPE, who, "state0[%d] is %s; the %s cell wants %s", k,
                               rc_shape_str(rc_shape_of(state0[k]), a, sizeof a), cell->type->name,
                               rc_shape_str(want, b, sizeof b));
            return false;
        }
        state[k] = state0[k];
    }
    return true;
}

static rc_var input_at(rc_cell_ctx *c, const rc_rnn_hooks *h, const seq_in *in, int t) {
    c->t = t;
    rc_var x = x_at(in, t, c->batch);
    return h && h->input ? h->input(h->user, c, x) : x;
}

static bool fused_projection(const rc_cell *cell, int T, const rc_unroll_opts *o) {
    return cell->project && !o->per_step_projection && T > 1;
}

// xp[t] for every t: the inputs after the input hook, projected in one GEMM over all T steps.
static void project_all(rc_cell_ctx *c, const seq_in *in, int T, const rc_unroll_opts *o,
                        rc_var *xp) {
    rc_scope_push(c->g, "projection");
    rc_var x = in->all;
    if (!in->xs && o->hooks && o->hooks->input)
        x = RC_NONE; // the hook sees each step
    for (int t = 0; !x.g && t < T; t++)
        xp[t] = input_at(c, o->hooks, in, t);
    rc_var all = c->cell->project(c, x.g ? x : rc_concat(xp, T, 0)); // [T*B, P]
    for (int t = 0; t < T; t++)
        xp[t] = rc_slice(all, 0, t * c->batch, (t + 1) * c->batch);
    rc_scope_pop(c->g);
}

// What the step at c->t reads when the projection is not fused: hooked, then projected.
static rc_var step_input(rc_cell_ctx *c, const seq_in *in, const rc_unroll_opts *o) {
    rc_var x = input_at(c, o->hooks, in, c->t);
    return c->cell->project ? c->cell->project(c, x) : x;
}

// [B,1] with 1 where step t belongs to the sequence, or RC_NONE when it does for every b.
static rc_var step_mask(rc_graph *g, const int32_t *lengths, int64_t B, int t) {
    bool all = true;
    for (int64_t b = 0; lengths && b < B; b++)
        all = all && t < lengths[b];
    if (all)
        return RC_NONE;
    rc_var m = rc_input(g, RC_SHAPE(B, 1), NULL);
    rc_tensor v = rc_value(m);
    for (int64_t b = 0; v.data && b < B; b++)
        v.data[b] = t < lengths[b] ? 1.0f : 0.0f;
    return rc_name(m, "length mask");
}

static rc_var run_step(rc_cell_ctx *c, const rc_unroll_opts *o, rc_var x, rc_var *state) {
    const rc_cell *cell = c->cell;
    const rc_rnn_hooks *h = o->hooks;
    rc_var read[RC_CELL_MAX_STATE], next[RC_CELL_MAX_STATE];
    memcpy(read, state, sizeof read);
    for (int k = 0; k < cell->n_state; k++)
        next[k] = RC_NONE;
    if (h && h->state_in)
        h->state_in(h->user, c, read);
    rc_var y = cell->step(c, x, read, next);
    if (h && h->state_out)
        h->state_out(h->user, c, state, next, &y);
    if (h && h->output)
        y = h->output(h->user, c, y);
    rc_var m = step_mask(c->g, o->lengths, c->batch, c->t);
    if (m.g) { // a finished sequence keeps its state and outputs zeros
        for (int k = 0; k < cell->n_state; k++)
            next[k] = rc_where(m, next[k], state[k]);
        y = rc_mul(y, m);
    }
    memcpy(state, next, sizeof next);
    return y;
}

// Runs the steps once inputs, lengths and states are checked.
static void unroll(rc_graph *g, const rc_cell *cell, const seq_in *in, int T, int64_t B,
                   const rc_unroll_opts *o, rc_var *state, rc_var *ys) {
    const bool fused = fused_projection(cell, T, o);
    rc_var *xp = fused ? rc_graph_copy(g, NULL, (size_t)T * sizeof *xp) : NULL;
    if (fused && !xp)
        return;
    rc_cell_ctx c;
    rc_cell_begin(&c, g, cell, B, o->hooks, o->layer, o->dir);
    if (fused)
        project_all(&c, in, T, o, xp);
    for (int i = 0; i < T; i++) {
        c.t = o->reverse ? T - 1 - i : i;
        rc_scope_push(g, "t=%d", c.t);
        rc_var y = run_step(&c, o, fused ? xp[c.t] : step_input(&c, in, o), state);
        rc_scope_pop(g);
        if (ys)
            ys[c.t] = y;
    }
}

rc_status rc_rnn_unroll(rc_graph *g, const rc_cell *cell, const rc_var *xs, int T,
                        const rc_var *state0, rc_var *ys, rc_var *state_n,
                        const rc_unroll_opts *opts) {
    if (!g || !cell) {
        rc_graph_set_error(g, RC_ERR_ARG, WHO, "%s is NULL", !g ? "g" : "cell");
        return RC_ERR_ARG;
    }
    const rc_unroll_opts o = opts ? *opts : (rc_unroll_opts){0};
    if (rc_graph_status(g) != RC_OK)
        return rc_graph_status(g);
    int64_t B = 0;
    rc_var state[RC_CELL_MAX_STATE] = {RC_NONE, RC_NONE, RC_NONE, RC_NONE};
    if (!check_inputs(g, cell, xs, T, &B) || !check_lengths(g, o.lengths, B, T, WHO) ||
        !initial_states(g, cell, state0, B, state, WHO))
        return rc_graph_status(g);
    unroll(g, cell, &(seq_in){xs, RC_NONE}, T, B, &o, state, ys);
    if (state_n)
        memcpy(state_n, state, (size_t)cell->n_state * sizeof *state_n);
    return rc_graph_status(g);
}

rc_status rc_rnn_unroll_seq(rc_graph *g, const rc_cell *cell, rc_var x, const rc_var *state0,
                            rc_var *ys, rc_var *state_n, const rc_unroll_opts *opts) {
    if (!g || !cell) {
        rc_graph_set_error(g, RC_ERR_ARG, WHO_SEQ, "%s is NULL", !g ? "g" : "cell");
        return RC_ERR_ARG;
    }
    const rc_unroll_opts o = opts ? *opts : (rc_unroll_opts){0};
    if (rc_graph_status(g) != RC_OK)
        return rc_graph_status(g);
    const rc_shape s = rc_shape_of(x);
    if (!rc_ok(x) || x.g != g || s.ndim != 3 || s.dim[2] != cell->dim_in || s.dim[0] > 1 << 30) {
        char a[64];
        rc_graph_set_error(g, rc_ok(x) && x.g == g ? RC_ERR_SHAPE : RC_ERR_ARG, WHO_SEQ,
                           "x is %s; the %s cell wants [T,B,%lld]",
                           rc_ok(x) && x.g == g ? rc_shape_str(s, a, sizeof a)
                                                : "not a valid handle of this graph",
                           cell->type->name, (long long)cell->dim_in);
        return rc_graph_status(g);
    }
    const int T = (int)s.dim[0];
    const int64_t B = s.dim[1];
    rc_var state[RC_CELL_MAX_STATE] = {RC_NONE, RC_NONE, RC_NONE, RC_NONE};
    if (!check_lengths(g, o.lengths, B, T, WHO_SEQ) ||
        !initial_states(g, cell, state0, B, state, WHO_SEQ))
        return rc_graph_status(g);
    rc_var all = rc_reshape(x, RC_SHAPE(T * B, cell->dim_in));
    unroll(g, cell, &(seq_in){NULL, all}, T, B, &o, state, ys);
    if (state_n)
        memcpy(state_n, state, (size_t)cell->n_state * sizeof *state_n);
    return rc_graph_status(g);
}
