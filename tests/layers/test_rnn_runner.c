// The runners: variable lengths against separate runs, the fused input projection against the
// per-step one, dropout between layers, initial states, hooks, truncated BPTT, memory reuse.
#include <math.h>
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
TestSuite(rnn, .init = setup, .fini = teardown);

static rc_tensor copy_of(rc_var v, float *buf) {
    rc_tensor t = rc_value(v);
    cr_assert_not_null(t.data, "%s", rc_graph_errmsg(g));
    memcpy(buf, t.data, (size_t)t.n * sizeof(float));
    t.data = buf;
    return t;
}

static void save_grads(float *buf) {
    for (int i = 0, at = 0; i < rc_params_count(ps); i++) {
        rc_tensor gr = rc_param_grad(rc_params_at(ps, i));
        memcpy(buf + at, gr.data, (size_t)gr.n * sizeof(float));
        at += (int)gr.n;
    }
}

static void assert_grads(const float *want, float rtol, const char *what) {
    for (int i = 0, at = 0; i < rc_params_count(ps); i++) {
        rc_param *p = rc_params_at(ps, i);
        rc_tensor gr = rc_param_grad(p), w = gr;
        w.data = (float *)want + at;
        char name[128];
        snprintf(name, sizeof name, "%s: grad %s", what, rc_param_name(p));
        ru_assert_close(gr, w, rtol, name);
        at += (int)gr.n;
    }
}

// Each sequence of a padded, unsorted batch gives what it gives alone, for every layer and both
// directions: outputs at its own steps, zeros past its end, and its own final states.
static void check_lengths_against_single_runs(int kind) {
    enum { T = 5, B = 4, I = 3, H = 4 };
    const int32_t lengths[B] = {3, 5, 1, 4};
    rc_rnn *rnn = ru_make(ps, kind, I, H, 2, true, 0.0f, 11);
    const int64_t O = rc_rnn_dim_out(rnn);
    rc_var x = ru_input(g, RC_SHAPE(T, B, I), 5);
    rc_rnn_run run = {.lengths = lengths};
    rc_rnn_result res;
    cr_assert_eq(rc_rnn_forward(g, rnn, x, &run, &res), RC_OK, "%s", rc_graph_errmsg(g));
    const rc_tensor out = rc_value(res.output), xv = rc_value(x);
    for (int b = 0; b < B; b++) {
        const int n = lengths[b];
        float xb[T * I];
        for (int t = 0; t < n; t++)
            memcpy(xb + t * I, xv.data + (t * B + b) * I, I * sizeof(float));
        rc_rnn_result one;
        cr_assert_eq(rc_rnn_forward(g, rnn, rc_input(g, RC_SHAPE(n, 1, I), xb), NULL, &one), RC_OK);
        const rc_tensor o1 = rc_value(one.output);
        for (int t = 0; t < T; t++) {
            for (int64_t j = 0; j < O; j++) {
                float got = out.data[(t * B + b) * O + j];
                float want = t < n ? o1.data[t * O + j] : 0.0f;
                cr_assert(fabsf(got - want) <= 1e-5f * fmaxf(1.0f, fabsf(want)),
                          "%s: output[t=%d, b=%d, %lld] = %g, alone %g", ru_kind_names[kind], t, b,
                          (long long)j, (double)got, (double)want);
            }
        }
        for (int k = 0; k < res.n_state; k++) {
            const rc_tensor s = rc_value(res.state[k]), s1 = rc_value(one.state[k]);
            const int64_t LD = s.shape.dim[0], S = s.shape.dim[2];
            for (int64_t i = 0; i < LD * S; i++) {
                float got = s.data[((i / S) * B + b) * S + i % S], want = s1.data[i];
                cr_assert(fabsf(got - want) <= 1e-5f * fmaxf(1.0f, fabsf(want)),
                          "%s: state %d of b=%d differs from its single run", ru_kind_names[kind],
                          k, b);
            }
        }
    }
    rc_rnn_free(&rnn);
}

Test(rnn, lengths_match_single_runs_rnn) {
    check_lengths_against_single_runs(RU_RNN_TANH);
}
Test(rnn, lengths_match_single_runs_lstm_proj) {
    check_lengths_against_single_runs(RU_LSTM_PROJ);
}
Test(rnn, lengths_match_single_runs_gru) {
    check_lengths_against_single_runs(RU_GRU);
}

// What sits in the padding changes nothing, neither values nor gradients; a length of 0 keeps
// the initial state and outputs only zeros.
Test(rnn, padding_contents_do_not_matter) {
    enum { T = 4, B = 3, I = 3, H = 5 };
    const int32_t lengths[B] = {2, 0, 4};
    rc_rnn *rnn = ru_make(ps, RU_LSTM, I, H, 2, true, 0.0f, 3);
    float out0[T * B * 2 * H], grads0[4096];
    for (int pass = 0; pass < 2; pass++) {
        rc_var x = ru_input(g, RC_SHAPE(T, B, I), 9);
        rc_tensor xv = rc_value(x);
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++)
                for (int i = 0; t >= lengths[b] && i < I; i++)
                    xv.data[(t * B + b) * I + i] = pass ? 1e3f * (float)(i + 1) : 0.0f;
        rc_var h0 = ru_input(g, RC_SHAPE(4, B, H), 4);
        rc_rnn_run run = {.lengths = lengths, .state0 = (rc_var[]){h0, RC_NONE}};
        rc_rnn_result res;
        cr_assert_eq(rc_rnn_forward(g, rnn, x, &run, &res), RC_OK, "%s", rc_graph_errmsg(g));
        rc_params_zero_grad(ps);
        cr_assert_eq(
            rc_backward(rc_add(ru_weighted_sum(res.output, 1), ru_weighted_sum(res.state[0], 2))),
            RC_OK);
        if (pass == 0) {
            copy_of(res.output, out0);
            save_grads(grads0);
            // Sequence 1 is empty: h_n holds h0's rows for it, in every layer and direction.
            rc_tensor hn = rc_value(res.state[0]), h0v = rc_value(h0);
            for (int i = 0; i < 4; i++)
                cr_assert_eq(memcmp(hn.data + (i * B + 1) * H, h0v.data + (i * B + 1) * H,
                                    H * sizeof(float)),
                             0, "an empty sequence keeps its initial state");
            rc_graph_reset(g);
            continue;
        }
        rc_tensor ref = rc_value(res.output);
        ref.data = out0;
        ru_assert_close(rc_value(res.output), ref, 0, "output with garbage padding");
        assert_grads(grads0, 0, "garbage padding");
        rc_graph_reset(g);
    }
    rc_rnn_free(&rnn);
}

// The fused input projection (one GEMM over T*B rows) equals projecting each step alone, at a
// size where the GEMM goes through oneDNN.
Test(rnn, fused_projection_equals_per_step) {
    enum { T = 7, B = 16, I = 64, H = 96 };
    for (int kind = RU_RNN_TANH; kind < RU_N_KINDS; kind++) {
        rc_rnn *rnn = ru_make(ps, kind, I, H, 2, true, 0.0f, 21);
        float out0[T * B * 2 * H];
        float *grads0 = malloc((size_t)rc_params_numel(ps) * sizeof(float));
        for (int per_step = 0; per_step < 2; per_step++) {
            rc_var x = ru_input(g, RC_SHAPE(T, B, I), 8);
            rc_rnn_run run = {.per_step_projection = per_step};
            rc_rnn_result res;
            cr_assert_eq(rc_rnn_forward(g, rnn, x, &run, &res), RC_OK);
            rc_params_zero_grad(ps);
            cr_assert_eq(rc_backward(ru_weighted_sum(res.output, 3)), RC_OK);
            if (!per_step) {
                copy_of(res.output, out0);
                save_grads(grads0);
            } else {
                rc_tensor ref = rc_value(res.output);
                ref.data = out0;
                ru_assert_close(rc_value(res.output), ref, 1e-5f, ru_kind_names[kind]);
                assert_grads(grads0, 1e-4f, ru_kind_names[kind]);
            }
            rc_graph_reset(g);
        }
        free(grads0);
        rc_rnn_free(&rnn);
        rc_params_free(&ps);
        cr_assert_eq(rc_params_new(&ps), RC_OK);
    }
}

// Dropout acts on the outputs of every layer but the last, only in training, with masks drawn
// from run.rng step by step: the same as composing the layers by hand.
Test(rnn, dropout_between_layers_only) {
    enum { T = 3, B = 2, I = 3, H = 4, L = 3 };
    const float p = 0.5f;
    rc_rnn *rnn = ru_make(ps, RU_GRU, I, H, L, false, p, 2);
    rc_var x = ru_input(g, RC_SHAPE(T, B, I), 1);
    rc_rng rng;
    rc_rng_seed(&rng, 99);
    rc_rnn_run run = {.training = true, .rng = &rng};
    rc_rnn_result res;
    cr_assert_eq(rc_rnn_forward(g, rnn, x, &run, &res), RC_OK, "%s", rc_graph_errmsg(g));

    rc_rng_seed(&rng, 99);
    rc_var xs[T], ys[T];
    for (int t = 0; t < T; t++)
        xs[t] = rc_reshape(rc_slice(x, 0, t, t + 1), RC_SHAPE(B, I));
    for (int l = 0; l < L; l++) {
        cr_assert_eq(rc_rnn_unroll(g, rnn->cells[l], xs, T, NULL, ys, NULL, NULL), RC_OK);
        for (int t = 0; t < T; t++)
            xs[t] = l + 1 < L ? rc_dropout(ys[t], p, &rng, NULL) : ys[t];
    }
    float want[T * B * H];
    for (int t = 0; t < T; t++)
        memcpy(want + t * B * H, rc_value(xs[t]).data, B * H * sizeof(float));
    rc_tensor ref = rc_value(res.output);
    ref.data = want;
    ru_assert_close(rc_value(res.output), ref, 1e-6f, "training output");

    // In evaluation, no dropout anywhere; one layer never drops either.
    rc_rnn_result eval;
    cr_assert_eq(rc_rnn_forward(g, rnn, x, NULL, &eval), RC_OK);
    bool differs = false;
    for (int64_t i = 0; i < ref.n; i++)
        differs = differs || rc_value(eval.output).data[i] != want[i];
    cr_assert(differs, "dropout changed the training output");
    rc_params *ps1;
    cr_assert_eq(rc_params_new(&ps1), RC_OK);
    rc_rnn *one = ru_make(ps1, RU_GRU, I, H, 1, false, p, 2);
    rc_rnn_result a, b;
    cr_assert_eq(rc_rnn_forward(g, one, x, &run, &a), RC_OK);
    cr_assert_eq(rc_rnn_forward(g, one, x, NULL, &b), RC_OK);
    cr_assert_eq(memcmp(rc_value(a.output).data, rc_value(b.output).data, B * T * H * 4), 0,
                 "no dropout after the last layer");
    rc_rnn_free(&one);
    rc_params_free(&ps1);
    rc_rnn_free(&rnn);
}

// No initial state is the same as explicit zeros; the two runner entry points agree.
Test(rnn, absent_initial_state_is_zeros) {
    enum { T = 3, B = 2, I = 3, H = 4 };
    rc_rnn *rnn = ru_make(ps, RU_LSTM, I, H, 2, true, 0.0f, 2);
    rc_var x = ru_input(g, RC_SHAPE(B, T, I), 1);
    rc_var zeros[2] = {rc_full(g, RC_SHAPE(4, B, H), 0.0f), rc_full(g, RC_SHAPE(4, B, H), 0.0f)};
    rc_rnn_run with = {.state0 = zeros, .batch_first = true}, without = {.batch_first = true};
    rc_rnn_result a, b;
    cr_assert_eq(rc_rnn_forward(g, rnn, x, &with, &a), RC_OK);
    cr_assert_eq(rc_rnn_forward(g, rnn, x, &without, &b), RC_OK);
    cr_assert(rc_shape_eq(rc_shape_of(a.output), RC_SHAPE(B, T, 2 * H)));
    cr_assert_eq(memcmp(rc_value(a.output).data, rc_value(b.output).data, B * T * 2 * H * 4), 0);
    for (int k = 0; k < 2; k++)
        cr_assert_eq(memcmp(rc_value(a.state[k]).data, rc_value(b.state[k]).data, 4 * B * H * 4),
                     0);
    rc_rnn_free(&rnn);
}

static rc_var add_one(void *u, const rc_cell_ctx *c, rc_var x) {
    (void)u, (void)c;
    return rc_shift(x, 1.0f);
}

// One [T,B,I] tensor or T step handles: the same values and gradients, for a cell with a fused
// projection, with it turned off, and with an input hook that must see each step.
Test(rnn, unroll_seq_equals_unroll_over_steps) {
    enum { T = 4, B = 3, I = 2, H = 5 };
    rc_cell *cell = ru_cell(ps, RU_LSTM, I, H, "", 3);
    const int32_t lengths[B] = {4, 1, 3};
    rc_rnn_hooks hook = {.input = add_one};
    for (int variant = 0; variant < 3; variant++) {
        rc_unroll_opts o = {.reverse = true,
                            .lengths = lengths,
                            .per_step_projection = variant == 1,
                            .hooks = variant == 2 ? &hook : NULL};
        float out[2][T * B * H], gx[2][T * B * I];
        for (int seq = 0; seq < 2; seq++) {
            rc_var x = rc_requires_grad(ru_input(g, RC_SHAPE(T, B, I), 4)), ys[T], sn[2];
            if (seq) {
                cr_assert_eq(rc_rnn_unroll_seq(g, cell, x, NULL, ys, sn, &o), RC_OK, "%s",
                             rc_graph_errmsg(g));
            } else {
                rc_var xs[T];
                for (int t = 0; t < T; t++)
                    xs[t] = rc_reshape(rc_slice(x, 0, t, t + 1), RC_SHAPE(B, I));
                cr_assert_eq(rc_rnn_unroll(g, cell, xs, T, NULL, ys, sn, &o), RC_OK);
            }
            rc_var y = rc_stack(ys, T, 0);
            cr_assert_eq(rc_backward(rc_add(ru_weighted_sum(y, 1), ru_weighted_sum(sn[1], 2))),
                         RC_OK);
            memcpy(out[seq], rc_value(y).data, sizeof out[seq]);
            memcpy(gx[seq], rc_grad(x).data, sizeof gx[seq]);
            rc_graph_reset(g);
        }
        for (int i = 0; i < T * B * H; i++)
            cr_assert_float_eq(out[1][i], out[0][i], 1e-6f, "variant %d output[%d]", variant, i);
        for (int i = 0; i < T * B * I; i++)
            cr_assert_float_eq(gx[1][i], gx[0][i], 1e-6f, "variant %d grad x[%d]", variant, i);
    }
    cr_assert_eq(rc_rnn_unroll_seq(g, cell, ru_input(g, RC_SHAPE(4, 3), 1), NULL, NULL, NULL, NULL),
                 RC_ERR_SHAPE);
    cr_assert(strstr(rc_graph_errmsg(g), "rc_rnn_unroll_seq: x is [4,3]; the lstm cell wants "
                                         "[T,B,2]"),
              "%s", rc_graph_errmsg(g));
    rc_cell_free(&cell);
}
