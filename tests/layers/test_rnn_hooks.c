// Runner hooks (the way regularisers reach any cell), truncated BPTT, scopes and memory reuse.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnn_util.h"
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
TestSuite(rnn_hooks, .init = setup, .fini = teardown);

// ---- call order -------------------------------------------------------------------------------

typedef struct event {
    char what; // b(egin) w(eight) i(nput) s(tate_in) o(state_out) y (output)
    int layer, dir, t, k;
} event;

typedef struct recorder {
    event ev[512];
    int n;
} recorder;

static void rec(void *user, char what, const rc_cell_ctx *c, int k) {
    recorder *r = user;
    cr_assert_lt(r->n, 512);
    r->ev[r->n++] = (event){what, c->layer, c->dir, c->t, k};
}
static void h_begin(void *u, const rc_cell_ctx *c) {
    rec(u, 'b', c, -1);
}
static rc_var h_weight(void *u, const rc_cell_ctx *c, int k, rc_var w) {
    rec(u, 'w', c, k);
    return w;
}
static rc_var h_input(void *u, const rc_cell_ctx *c, rc_var x) {
    rec(u, 'i', c, -1);
    return x;
}
static void h_state_in(void *u, const rc_cell_ctx *c, rc_var *read) {
    (void)read;
    rec(u, 's', c, -1);
}
static void h_state_out(void *u, const rc_cell_ctx *c, const rc_var *prev, rc_var *next,
                        rc_var *y) {
    (void)prev, (void)next, (void)y;
    rec(u, 'o', c, -1);
}
static rc_var h_output(void *u, const rc_cell_ctx *c, rc_var y) {
    rec(u, 'y', c, -1);
    return y;
}

Test(rnn_hooks, called_in_order_for_every_layer_direction_and_step) {
    enum { T = 3, B = 2, I = 3, H = 4 };
    rc_rnn *rnn = ru_make(ps, RU_LSTM, I, H, 2, true, 0.0f, 1);
    recorder r = {.n = 0};
    rc_rnn_hooks hooks = {&r, h_begin, h_weight, h_input, h_state_in, h_state_out, h_output};
    rc_rnn_run run = {.hooks = &hooks};
    rc_rnn_result res;
    cr_assert_eq(rc_rnn_forward(g, rnn, ru_input(g, RC_SHAPE(T, B, I), 1), &run, &res), RC_OK);
    int at = 0;
    for (int l = 0; l < 2; l++) {
        for (int d = 0; d < 2; d++) {
            event want[64];
            int n = 0;
            want[n++] = (event){'b', l, d, 0, -1};
            for (int k = 0; k < 4; k++)
                want[n++] = (event){'w', l, d, 0, k};
            for (int t = 0; t < T; t++) // inputs first: the projection of all steps is one GEMM
                want[n++] = (event){'i', l, d, t, -1};
            for (int i = 0; i < T; i++) {
                int t = d ? T - 1 - i : i;
                want[n++] = (event){'s', l, d, t, -1};
                want[n++] = (event){'o', l, d, t, -1};
                want[n++] = (event){'y', l, d, t, -1};
            }
            for (int i = 0; i < n; i++, at++) {
                const event *e = &r.ev[at], *w = &want[i];
                cr_assert(at < r.n && e->what == w->what && e->layer == w->layer &&
                              e->dir == w->dir &&
                              (w->what == 'b' || w->what == 'w' || e->t == w->t) && e->k == w->k,
                          "event %d: got %c l%d d%d t%d k%d, want %c l%d d%d t%d k%d", at, e->what,
                          e->layer, e->dir, e->t, e->k, w->what, w->layer, w->dir, w->t, w->k);
            }
        }
    }
    cr_assert_eq(at, r.n, "no other calls");
    rc_rnn_free(&rnn);
}

// ---- what each hook can do --------------------------------------------------------------------

typedef struct scaler {
    const char *name_part; // scale the weights whose name contains this
    float by;
} scaler;

static rc_var scale_weight(void *u, const rc_cell_ctx *c, int k, rc_var w) {
    const scaler *s = u;
    return strstr(rc_param_name(c->cell->weight[k]), s->name_part) ? rc_scale(w, s->by) : w;
}

// A weight hook reaches both the recurrent step and the fused input projection; the gradient
// flows through it into the parameter.
Test(rnn_hooks, weight_hook_transforms_weights_once_per_sequence) {
    enum { T = 4, B = 2, I = 3, H = 5 };
    for (int per_step = 0; per_step < 2; per_step++) {
        for (int which = 0; which < 2; which++) {
            rc_rnn *rnn = ru_make(ps, RU_GRU, I, H, 1, false, 0.0f, 4);
            rc_var x = ru_input(g, RC_SHAPE(T, B, I), 2);
            scaler s = {which ? "weight_ih" : "weight_hh", 0.5f};
            rc_rnn_hooks hooks = {.user = &s, .weight = scale_weight};
            rc_rnn_run run = {.hooks = &hooks, .per_step_projection = per_step};
            rc_rnn_result a, b;
            cr_assert_eq(rc_rnn_forward(g, rnn, x, &run, &a), RC_OK);
            cr_assert_eq(rc_backward(ru_weighted_sum(a.output, 5)), RC_OK);
            rc_param *p = rc_params_find(ps, which ? "weight_ih_l0" : "weight_hh_l0");
            rc_tensor gp = rc_param_grad(p), v = rc_param_value(p);
            float *hooked_grad = malloc((size_t)gp.n * sizeof(float));
            memcpy(hooked_grad, gp.data, (size_t)gp.n * sizeof(float));
            float hooked_out[T * B * H];
            memcpy(hooked_out, rc_value(a.output).data, sizeof hooked_out);
            // The same as halving the parameter itself; its gradient is then half as large.
            rc_graph_reset(g);
            rc_params_zero_grad(ps);
            for (int64_t i = 0; i < v.n; i++)
                v.data[i] *= 0.5f;
            x = ru_input(g, RC_SHAPE(T, B, I), 2);
            run.hooks = NULL;
            cr_assert_eq(rc_rnn_forward(g, rnn, x, &run, &b), RC_OK);
            cr_assert_eq(rc_backward(ru_weighted_sum(b.output, 5)), RC_OK);
            rc_tensor ref = rc_value(b.output);
            ref.data = hooked_out;
            ru_assert_close(rc_value(b.output), ref, 1e-6f, "output with a halved weight");
            for (int64_t i = 0; i < gp.n; i++)
                cr_assert_float_eq(hooked_grad[i], 0.5f * gp.data[i], 1e-6f,
                                   "d loss / d %s through the hook", rc_param_name(p));
            free(hooked_grad);
            rc_graph_reset(g);
            rc_rnn_free(&rnn);
            rc_params_free(&ps);
            cr_assert_eq(rc_params_new(&ps), RC_OK);
        }
    }
}

static rc_var double_input(void *u, const rc_cell_ctx *c, rc_var x) {
    (void)u, (void)c;
    return rc_scale(x, 2.0f);
}
static void zero_read_state(void *u, const rc_cell_ctx *c, rc_var *read) {
    (void)u;
    for (int k = 0; k < c->cell->n_state; k++)
        read[k] = rc_scale(read[k], 0.0f);
}
// Full zoneout: every state keeps its previous value, and the output follows h.
static void keep_state(void *u, const rc_cell_ctx *c, const rc_var *prev, rc_var *next, rc_var *y) {
    (void)u;
    for (int k = 0; k < c->cell->n_state; k++)
        next[k] = prev[k];
    *y = next[0];
}
static rc_var zero_output(void *u, const rc_cell_ctx *c, rc_var y) {
    (void)u, (void)c;
    return rc_scale(y, 0.0f);
}

static rc_rnn_result run_hooked(rc_rnn *rnn, const rc_rnn_hooks *hooks, float x_scale,
                                const rc_var *state0) {
    enum { T = 3, B = 2, I = 3 };
    rc_var x = rc_scale(ru_input(g, RC_SHAPE(T, B, I), 6), x_scale);
    rc_rnn_run run = {.hooks = hooks, .state0 = state0};
    rc_rnn_result res;
    cr_assert_eq(rc_rnn_forward(g, rnn, x, &run, &res), RC_OK, "%s", rc_graph_errmsg(g));
    return res;
}

Test(rnn_hooks, input_state_and_output_hooks) {
    enum { B = 2, H = 4 };
    rc_rnn *rnn = ru_make(ps, RU_LSTM, 3, H, 1, false, 0.0f, 8);
    rc_var s0[2] = {ru_input(g, RC_SHAPE(1, B, H), 1), ru_input(g, RC_SHAPE(1, B, H), 2)};
    // input: the cell sees 2x.
    rc_rnn_result a = run_hooked(rnn, &(rc_rnn_hooks){.input = double_input}, 1.0f, s0);
    rc_rnn_result b = run_hooked(rnn, NULL, 2.0f, s0);
    ru_assert_close(rc_value(a.output), rc_value(b.output), 0, "input hook");
    // state_in: the cell reads zeros every step, so the initial state does not matter.
    a = run_hooked(rnn, &(rc_rnn_hooks){.state_in = zero_read_state}, 1.0f, s0);
    b = run_hooked(rnn, &(rc_rnn_hooks){.state_in = zero_read_state}, 1.0f, NULL);
    ru_assert_close(rc_value(a.output), rc_value(b.output), 0, "state_in hook");
    // state_out: full zoneout keeps h0 and c0 to the end, and every output is h0.
    a = run_hooked(rnn, &(rc_rnn_hooks){.state_out = keep_state}, 1.0f, s0);
    for (int k = 0; k < 2; k++)
        ru_assert_close(rc_value(a.state[k]), rc_value(s0[k]), 0, "zoned-out state");
    rc_tensor out = rc_value(a.output), h0 = rc_value(s0[0]);
    for (int t = 0; t < 3; t++)
        cr_assert_eq(memcmp(out.data + t * B * H, h0.data, B * H * sizeof(float)), 0);
    // output: zeroed outputs, untouched states.
    a = run_hooked(rnn, &(rc_rnn_hooks){.output = zero_output}, 1.0f, s0);
    b = run_hooked(rnn, NULL, 1.0f, s0);
    for (int64_t i = 0; i < rc_value(a.output).n; i++)
        cr_assert_eq(rc_value(a.output).data[i], 0.0f);
    ru_assert_close(rc_value(a.state[1]), rc_value(b.state[1]), 0, "c_n under the output hook");
    rc_rnn_free(&rnn);
}

static rc_var reshape_weight(void *u, const rc_cell_ctx *c, int k, rc_var w) {
    (void)u, (void)c, (void)k;
    return rc_reshape(w, RC_SHAPE(-1));
}

Test(rnn_hooks, weight_hook_must_keep_the_shape) {
    rc_rnn *rnn = ru_make(ps, RU_RNN_TANH, 3, 4, 1, false, 0.0f, 8);
    rc_rnn_hooks hooks = {.weight = reshape_weight};
    rc_rnn_run run = {.hooks = &hooks};
    rc_rnn_result res;
    cr_assert_eq(rc_rnn_forward(g, rnn, ru_input(g, RC_SHAPE(2, 2, 3), 1), &run, &res),
                 RC_ERR_SHAPE);
    cr_assert(strstr(rc_graph_errmsg(g), "weight hook turned weight_ih_l0 [4,3] into [12]"), "%s",
              rc_graph_errmsg(g));
    rc_rnn_free(&rnn);
}

// ---- truncated BPTT ---------------------------------------------------------------------------

// Two segments joined by a carry give the values of one long run, and the gradients of a run
// whose states are detached at the boundary.
Test(rnn_hooks, tbptt_carries_values_not_gradients) {
    enum { T = 6, S = 3, B = 2, I = 3, H = 4 };
    rc_rnn *rnn = ru_make(ps, RU_LSTM, I, H, 2, false, 0.0f, 3);
    float x[T * B * I];
    tu_fill_uniform(x, T * B * I, -1, 1, 12);
    const rc_rnn_run per_step = {.per_step_projection = true};
    // Reference: the whole sequence in one graph, states detached after step S-1.
    rc_rnn_result first, second, whole;
    cr_assert_eq(rc_rnn_forward(g, rnn, rc_input(g, RC_SHAPE(T, B, I), x), &per_step, &whole),
                 RC_OK);
    float whole_out[T * B * H];
    memcpy(whole_out, rc_value(whole.output).data, sizeof whole_out);
    cr_assert_eq(rc_rnn_forward(g, rnn, rc_input(g, RC_SHAPE(S, B, I), x), &per_step, &first),
                 RC_OK);
    rc_var detached[2] = {rc_detach(first.state[0]), rc_detach(first.state[1])};
    rc_rnn_run run2 = {.state0 = detached, .per_step_projection = true};
    cr_assert_eq(
        rc_rnn_forward(g, rnn, rc_input(g, RC_SHAPE(T - S, B, I), x + S * B * I), &run2, &second),
        RC_OK);
    cr_assert_eq(rc_backward(ru_weighted_sum(second.output, 3)), RC_OK);
    float *want = malloc((size_t)rc_params_numel(ps) * sizeof(float));
    for (int i = 0, at = 0; i < rc_params_count(ps); i++) {
        rc_tensor gr = rc_param_grad(rc_params_at(ps, i));
        memcpy(want + at, gr.data, (size_t)gr.n * sizeof(float));
        at += (int)gr.n;
    }
    rc_graph_reset(g);
    rc_params_zero_grad(ps);

    // Segment 1 in its own graph, then its states carried into segment 2's graph.
    rc_rnn_carry carry = {0};
    rc_var s0[RC_CELL_MAX_STATE];
    rc_rnn_carry_load(&carry, g, s0);
    cr_assert(!s0[0].g && !s0[1].g, "an empty carry starts from zeros");
    cr_assert_eq(rc_rnn_forward(g, rnn, rc_input(g, RC_SHAPE(S, B, I), x), &per_step, &first),
                 RC_OK);
    cr_assert_eq(rc_rnn_carry_save(&carry, first.state, first.n_state), RC_OK);
    rc_graph_reset(g);
    rc_rnn_carry_load(&carry, g, s0);
    cr_assert(rc_shape_eq(rc_shape_of(s0[1]), RC_SHAPE(2, B, H)));
    rc_rnn_run run = {.state0 = s0, .per_step_projection = true};
    cr_assert_eq(
        rc_rnn_forward(g, rnn, rc_input(g, RC_SHAPE(T - S, B, I), x + S * B * I), &run, &second),
        RC_OK);
    cr_assert_eq(memcmp(rc_value(second.output).data, whole_out + S * B * H,
                        (T - S) * B * H * sizeof(float)),
                 0, "segment 2 continues the sequence exactly");
    cr_assert_eq(rc_backward(ru_weighted_sum(second.output, 3)), RC_OK);
    cr_assert_null(rc_grad(s0[0]).data, "no gradient flows into the carried state");
    for (int i = 0, at = 0; i < rc_params_count(ps); i++) {
        rc_tensor gr = rc_param_grad(rc_params_at(ps, i));
        cr_assert_eq(memcmp(gr.data, want + at, (size_t)gr.n * sizeof(float)), 0, "gradient of %s",
                     rc_param_name(rc_params_at(ps, i)));
        at += (int)gr.n;
    }
    free(want);
    rc_rnn_carry_clear(&carry);
    rc_rnn_carry_load(&carry, g, s0);
    cr_assert(!s0[0].g, "a cleared carry starts from zeros");
    cr_assert_eq(rc_rnn_carry_save(&carry, (rc_var[]){RC_NONE}, 1), RC_ERR_ARG);
    rc_rnn_carry_free(&carry);
    rc_rnn_carry_free(&carry); // twice is harmless
    rc_rnn_free(&rnn);
}

// ---- scopes and memory ------------------------------------------------------------------------

Test(rnn_hooks, scopes_name_layer_direction_and_step) {
    rc_rnn *rnn = ru_make(ps, RU_GRU, 3, 4, 2, true, 0.0f, 3);
    rc_rnn_result res;
    cr_assert_eq(rc_rnn_forward(g, rnn, ru_input(g, RC_SHAPE(3, 2, 3), 1), NULL, &res), RC_OK);
    size_t need = rc_graph_dot_string(g, 0, NULL, 0);
    char *dot = malloc(need);
    rc_graph_dot_string(g, 0, dot, need);
    // Scopes "layer1/bwd/t=2" become nested clusters, one label per level.
    cr_assert(strstr(dot, "label=\"layer1\"") && strstr(dot, "label=\"bwd\"") &&
                  strstr(dot, "label=\"fwd\"") && strstr(dot, "label=\"t=2\""),
              "scopes in DOT: %s", dot);
    free(dot);
    rc_rnn_free(&rnn);
}

// A training step repeated on a reset graph reuses the arena: no growth after the first.
Test(rnn_hooks, repeated_steps_reuse_graph_memory) {
    rc_rnn *rnn = ru_make(ps, RU_LSTM, 3, 8, 2, true, 0.0f, 3);
    const int32_t lengths[4] = {5, 2, 4, 1};
    size_t reserved = 0;
    for (int step = 0; step < 4; step++) {
        rc_rnn_run run = {.lengths = lengths};
        rc_rnn_result res;
        cr_assert_eq(rc_rnn_forward(g, rnn, ru_input(g, RC_SHAPE(5, 4, 3), 1), &run, &res), RC_OK);
        cr_assert_eq(rc_backward(ru_weighted_sum(res.output, 2)), RC_OK);
        if (step == 1)
            reserved = rc_graph_bytes_reserved(g);
        if (step > 1)
            cr_assert_eq(rc_graph_bytes_reserved(g), reserved);
        rc_graph_reset(g);
    }
    rc_rnn_free(&rnn);
}
