// Regularisers for any cell (include/recur/regularize.h): variational dropout masks locked in
// time and drawn per sequence, layer and direction; zoneout in training and its expectation in
// evaluation; weight drop on the named weights only; zero rates and evaluation mode; chains;
// gradient checks with every regulariser on; errors.
#include <criterion/criterion.h>
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
TestSuite(regularize, .init = setup, .fini = teardown);

static rc_regularizer *vdrop(float in, float state, float out, uint64_t seed) {
    rc_regularizer *r = NULL;
    rc_variational_dropout_opts o = {in, state, out};
    cr_assert_eq(rc_variational_dropout_new(&r, &o, seed, NULL, 0), RC_OK);
    return r;
}
static rc_regularizer *zoneout(float h, float c, uint64_t seed) {
    rc_regularizer *r = NULL;
    cr_assert_eq(rc_zoneout_new(&r, &(rc_zoneout_opts){h, c}, seed, NULL, 0), RC_OK);
    return r;
}
static rc_regularizer *wdrop(float p, const char *match, uint64_t seed) {
    rc_regularizer *r = NULL;
    cr_assert_eq(rc_weight_drop_new(&r, &(rc_weight_drop_opts){p, match}, seed, NULL, 0), RC_OK);
    return r;
}
static rc_hook_chain *chain(const rc_rnn_hooks *const *links, int n) {
    rc_hook_chain *ch = NULL;
    char err[128] = "";
    cr_assert_eq(rc_hook_chain_new(&ch, links, n, err, sizeof err), RC_OK, "%s", err);
    return ch;
}

// ---- probes: record what a place holds before and after a regulariser ---------------------------

typedef struct event {
    char place; // 'i' input, 's' state read, 'y' output
    int layer, dir, t;
    rc_var v;
} event;
typedef struct probe {
    event ev[512];
    int n;
} probe;

static void record(void *u, char place, const rc_cell_ctx *c, rc_var v) {
    probe *p = u;
    cr_assert_lt(p->n, 512);
    p->ev[p->n++] = (event){place, c->layer, c->dir, c->t, v};
}
static rc_var pr_input(void *u, const rc_cell_ctx *c, rc_var x) {
    record(u, 'i', c, x);
    return x;
}
static void pr_state_in(void *u, const rc_cell_ctx *c, rc_var *read) {
    record(u, 's', c, read[0]);
}
static rc_var pr_output(void *u, const rc_cell_ctx *c, rc_var y) {
    record(u, 'y', c, y);
    return y;
}
static rc_rnn_hooks probe_hooks(probe *p) {
    return (rc_rnn_hooks){
        .user = p, .input = pr_input, .state_in = pr_state_in, .output = pr_output};
}

// after / before entry by entry: the mask a regulariser multiplied in; NaN where before is 0 (an
// input of layer 1 that layer 0's output mask dropped), which tells nothing.
static void mask_of(rc_var before, rc_var after, float *m) {
    rc_tensor a = rc_value(before), b = rc_value(after);
    for (int64_t i = 0; i < a.n; i++)
        m[i] = a.data[i] != 0.0f ? b.data[i] / a.data[i] : NAN;
}

// Masks agree on every entry both know; `differ` asks for an entry both know that differs.
static bool masks_agree(const float *a, const float *b, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (!isnan(a[i]) && !isnan(b[i]) && a[i] != b[i])
            return false;
    return true;
}

Test(regularize, variational_masks_are_locked_in_time_and_drawn_per_sequence_and_layer) {
    enum { T = 4, B = 4, I = 6, H = 5 };
    const float p = 0.5f, keep = 1.0f / (1.0f - p);
    rc_rnn *rnn = ru_make(ps, RU_LSTM, I, H, 2, true, 0.0f, 1);
    rc_regularizer *vd = vdrop(p, p, p, 7);
    probe pre = {.n = 0}, post = {.n = 0};
    rc_rnn_hooks hp = probe_hooks(&pre), hq = probe_hooks(&post);
    rc_hook_chain *ch = chain((const rc_rnn_hooks *[]){&hp, rc_regularizer_hooks(vd), &hq}, 3);
    rc_var s0[2] = {ru_input(g, RC_SHAPE(4, B, H), 2), ru_input(g, RC_SHAPE(4, B, H), 3)};
    rc_rnn_run run = {.hooks = rc_hook_chain_hooks(ch), .state0 = s0};
    rc_rnn_result res;
    cr_assert_eq(rc_rnn_forward(g, rnn, ru_input(g, RC_SHAPE(T, B, I), 1), &run, &res), RC_OK, "%s",
                 rc_graph_errmsg(g));
    cr_assert_eq(pre.n, post.n);
    // first[place][layer*2+dir]: the mask seen first; every later step must show the same.
    float first[3][4][B * 2 * H];
    bool seen[3][4] = {{false}};
    for (int e = 0; e < pre.n; e++) {
        const event *a = &pre.ev[e], *b = &post.ev[e];
        cr_assert(a->place == b->place && a->t == b->t && a->layer == b->layer);
        const int pl = a->place == 'i' ? 0 : a->place == 's' ? 1 : 2, ld = a->layer * 2 + a->dir;
        float m[B * 2 * H];
        const int64_t n = rc_value(a->v).n;
        mask_of(a->v, b->v, m);
        int64_t known = 0;
        for (int64_t i = 0; i < n; i++) {
            cr_assert(isnan(m[i]) || m[i] == 0.0f || fabsf(m[i] - keep) < 1e-5f, "mask entry %g",
                      (double)m[i]);
            known += !isnan(m[i]);
        }
        cr_assert_gt(known, n / 2);
        if (!seen[pl][ld]) {
            memcpy(first[pl][ld], m, (size_t)n * sizeof(float));
            seen[pl][ld] = true;
            const int64_t w = n / B; // rows are sequences: not all the same
            bool rows_differ = false;
            for (int64_t r = 1; r < B; r++)
                rows_differ = rows_differ || !masks_agree(m, m + r * w, w);
            cr_assert(rows_differ, "place %c, layer %d dir %d: one mask per sequence", a->place,
                      a->layer, a->dir);
            continue;
        }
        cr_assert(masks_agree(first[pl][ld], m, n),
                  "place %c, layer %d dir %d, t=%d: the mask is locked in time", a->place, a->layer,
                  a->dir, a->t);
    }
    for (int pl = 0; pl < 3; pl++) {
        cr_assert(seen[pl][0] && seen[pl][1] && seen[pl][2] && seen[pl][3]);
        const int64_t n = B * (pl == 0 ? I : H); // layer 0's widths; layer 1 reads 2H
        cr_assert(!masks_agree(first[pl][0], first[pl][1], n),
                  "place %d: directions draw their own masks", pl);
        cr_assert(!masks_agree(first[pl][1], first[pl][3], B * H),
                  "place %d: layers draw their own masks", pl);
    }
    rc_hook_chain_free(&ch);
    rc_regularizer_free(&vd);
    rc_rnn_free(&rnn);
}

static rc_rnn_result run_rnn(rc_rnn *rnn, const rc_rnn_hooks *hooks, int T, int64_t B) {
    const int32_t lengths[3] = {(int32_t)T, 2, 1};
    rc_rnn_run run = {.hooks = hooks, .lengths = B == 3 ? lengths : NULL};
    rc_rnn_result res;
    rc_var x = ru_input(g, RC_SHAPE(T, B, rnn->config.dim_in), 1);
    cr_assert_eq(rc_rnn_forward(g, rnn, x, &run, &res), RC_OK, "%s", rc_graph_errmsg(g));
    return res;
}

static void assert_same_result(rc_rnn_result a, rc_rnn_result b, const char *what) {
    ru_assert_close(rc_value(a.output), rc_value(b.output), 0, what);
    for (int k = 0; k < a.n_state; k++)
        ru_assert_close(rc_value(a.state[k]), rc_value(b.state[k]), 0, what);
}

Test(regularize, zero_rates_are_the_plain_run_exactly) {
    rc_rnn *rnn = ru_make(ps, RU_LSTM, 3, 4, 2, true, 0.0f, 2);
    rc_regularizer *r[3] = {vdrop(0, 0, 0, 1), zoneout(0, 0, 2), wdrop(0, NULL, 3)};
    rc_hook_chain *ch =
        chain((const rc_rnn_hooks *[]){rc_regularizer_hooks(r[0]), rc_regularizer_hooks(r[1]),
                                       rc_regularizer_hooks(r[2])},
              3);
    run_rnn(rnn, NULL, 4, 3); // binds the parameters' leaves, made once per graph
    int64_t at = rc_graph_num_nodes(g);
    rc_rnn_result plain = run_rnn(rnn, NULL, 4, 3);
    const int64_t plain_nodes = rc_graph_num_nodes(g) - at;
    at = rc_graph_num_nodes(g);
    rc_rnn_result reg = run_rnn(rnn, rc_hook_chain_hooks(ch), 4, 3);
    assert_same_result(plain, reg, "zero rates");
    cr_assert_eq(rc_graph_num_nodes(g) - at, plain_nodes, "and add no node");
    rc_hook_chain_free(&ch);
    for (int i = 0; i < 3; i++)
        rc_regularizer_free(&r[i]);
    rc_rnn_free(&rnn);
}

// Evaluation: dropouts do nothing at all, runs repeat exactly. Training: masks change from run to
// run, and reseeding repeats them.
Test(regularize, evaluation_is_deterministic_and_training_follows_the_seed) {
    rc_rnn *rnn = ru_make(ps, RU_GRU, 3, 4, 2, true, 0.0f, 2);
    rc_regularizer *vd = vdrop(0.3f, 0.3f, 0.3f, 5), *wd = wdrop(0.5f, NULL, 6);
    rc_hook_chain *ch =
        chain((const rc_rnn_hooks *[]){rc_regularizer_hooks(vd), rc_regularizer_hooks(wd)}, 2);
    const rc_rnn_hooks *h = rc_hook_chain_hooks(ch);
    cr_assert(rc_regularizer_training(vd), "training is the default");
    rc_rnn_result t1 = run_rnn(rnn, h, 4, 3), t2 = run_rnn(rnn, h, 4, 3);
    rc_tensor a = rc_value(t1.output), b = rc_value(t2.output);
    cr_assert_neq(memcmp(a.data, b.data, (size_t)a.n * sizeof(float)), 0, "fresh masks");
    rc_regularizer_seed(vd, 5);
    rc_regularizer_seed(wd, 6);
    assert_same_result(t1, run_rnn(rnn, h, 4, 3), "the same seeds, the same masks");
    rc_regularizer_set_training(vd, false);
    rc_regularizer_set_training(wd, false);
    cr_assert(!rc_regularizer_training(wd));
    rc_rnn_result plain = run_rnn(rnn, NULL, 4, 3);
    assert_same_result(plain, run_rnn(rnn, h, 4, 3), "evaluation");
    assert_same_result(plain, run_rnn(rnn, h, 4, 3), "evaluation again");
    rc_hook_chain_free(&ch);
    rc_regularizer_free(&vd);
    rc_regularizer_free(&wd);
    rc_rnn_free(&rnn);
}

// ---- zoneout ----------------------------------------------------------------------------------

typedef struct zprobe {
    rc_var prev[16][2], before[16][2], after[16][2], y[16];
    int n_before, n_after;
} zprobe;

static void zp_before(void *u, const rc_cell_ctx *c, const rc_var *prev, rc_var *next, rc_var *y) {
    (void)c, (void)prev, (void)y;
    zprobe *z = u;
    cr_assert_lt(z->n_before, 16);
    memcpy(z->before[z->n_before++], next, 2 * sizeof *next);
}
static void zp_after(void *u, const rc_cell_ctx *c, const rc_var *prev, rc_var *next, rc_var *y) {
    (void)c;
    zprobe *z = u;
    cr_assert_lt(z->n_after, 16);
    memcpy(z->prev[z->n_after], prev, 2 * sizeof *prev);
    memcpy(z->after[z->n_after], next, 2 * sizeof *next);
    z->y[z->n_after++] = *y;
}

// Training: every unit of h and c either takes its new value or keeps its previous one, each state
// at its own rate; the output follows the zoned-out h.
Test(regularize, zoneout_training_keeps_units_at_each_states_rate) {
    enum { T = 6, B = 8, I = 3, H = 16 };
    rc_rnn *rnn = ru_make(ps, RU_LSTM, I, H, 1, false, 0.0f, 3);
    rc_regularizer *zo = zoneout(0.25f, 0.6f, 11);
    zprobe zp = {.n_before = 0};
    rc_rnn_hooks before = {.user = &zp, .state_out = zp_before};
    rc_rnn_hooks after = {.user = &zp, .state_out = zp_after};
    rc_hook_chain *ch =
        chain((const rc_rnn_hooks *[]){&before, rc_regularizer_hooks(zo), &after}, 3);
    rc_var s0[2] = {ru_input(g, RC_SHAPE(1, B, H), 2), ru_input(g, RC_SHAPE(1, B, H), 3)};
    rc_rnn_run run = {.hooks = rc_hook_chain_hooks(ch), .state0 = s0};
    rc_rnn_result res;
    cr_assert_eq(rc_rnn_forward(g, rnn, ru_input(g, RC_SHAPE(T, B, I), 1), &run, &res), RC_OK);
    cr_assert_eq(zp.n_after, T);
    int64_t kept[2] = {0, 0}, total = 0;
    for (int t = 0; t < T; t++) {
        for (int k = 0; k < 2; k++) {
            rc_tensor p = rc_value(zp.prev[t][k]), b = rc_value(zp.before[t][k]);
            rc_tensor a = rc_value(zp.after[t][k]);
            for (int64_t i = 0; i < a.n; i++) {
                cr_assert(a.data[i] == b.data[i] || a.data[i] == p.data[i],
                          "t=%d state %d unit %lld is neither new nor old", t, k, (long long)i);
                kept[k] += a.data[i] == p.data[i] && b.data[i] != p.data[i];
            }
        }
        total += B * H;
        ru_assert_close(rc_value(zp.y[t]), rc_value(zp.after[t][0]), 0, "y follows h");
        rc_tensor out = rc_value(res.output);
        cr_assert_eq(
            memcmp(out.data + t * B * H, rc_value(zp.after[t][0]).data, B * H * sizeof(float)), 0,
            "the layer's output is the zoned-out h");
    }
    const double fh = (double)kept[0] / (double)total, fc = (double)kept[1] / (double)total;
    cr_assert(fabs(fh - 0.25) < 0.05 && fabs(fc - 0.6) < 0.05, "kept h %.3f (0.25), c %.3f (0.6)",
              fh, fc);
    rc_hook_chain_free(&ch);
    rc_regularizer_free(&zo);
    rc_rnn_free(&rnn);
}

// Evaluation: h_t = z_h h_{t-1} + (1-z_h) h'_t and the same for c, with h'_t, c'_t what the cell
// computes from the mixed states; driven here by hand through the cell's step.
Test(regularize, zoneout_evaluation_is_the_expectation) {
    enum { T = 4, B = 2, I = 3, H = 5 };
    const float zh = 0.2f, zc = 0.45f;
    rc_cell *cell = ru_cell(ps, RU_LSTM, I, H, "", 4);
    rc_regularizer *zo = zoneout(zh, zc, 1);
    rc_regularizer_set_training(zo, false);
    rc_var xs[T], ys[T];
    for (int t = 0; t < T; t++)
        xs[t] = ru_input(g, RC_SHAPE(B, I), 10 + t);
    rc_var s0[2] = {ru_input(g, RC_SHAPE(B, H), 1), ru_input(g, RC_SHAPE(B, H), 2)}, sn[2];
    rc_unroll_opts o = {.hooks = rc_regularizer_hooks(zo)};
    cr_assert_eq(rc_rnn_unroll(g, cell, xs, T, s0, ys, sn, &o), RC_OK);
    rc_cell_ctx ctx;
    rc_cell_begin(&ctx, g, cell, B, NULL, 0, 0);
    rc_var s[2] = {s0[0], s0[1]};
    for (int t = 0; t < T; t++) {
        rc_var next[2];
        ctx.t = t;
        cell->step(&ctx, cell->project(&ctx, xs[t]), s, next);
        s[0] = rc_add(rc_scale(s[0], zh), rc_scale(next[0], 1 - zh));
        s[1] = rc_add(rc_scale(s[1], zc), rc_scale(next[1], 1 - zc));
        ru_assert_close(rc_value(ys[t]), rc_value(s[0]), 1e-6f, "h_t");
    }
    ru_assert_close(rc_value(sn[1]), rc_value(s[1]), 1e-6f, "c_T");
    // The mean over many training draws of one step approaches the evaluation step.
    rc_var y_eval;
    cr_assert_eq(rc_rnn_unroll(g, cell, xs, 1, s0, &y_eval, NULL, &o), RC_OK);
    rc_regularizer_set_training(zo, true);
    enum { DRAWS = 400 };
    double mean[B * H] = {0};
    for (int d = 0; d < DRAWS; d++) {
        rc_var y;
        cr_assert_eq(rc_rnn_unroll(g, cell, xs, 1, s0, &y, NULL, &o), RC_OK);
        for (int i = 0; i < B * H; i++)
            mean[i] += rc_value(y).data[i] / DRAWS;
    }
    for (int i = 0; i < B * H; i++) {
        const double spread = fabs(rc_value(s0[0]).data[i] - rc_value(y_eval).data[i]);
        cr_assert(fabs(mean[i] - rc_value(y_eval).data[i]) < 0.12 * spread + 1e-6,
                  "unit %d: mean of draws %g, expectation %g", i, mean[i],
                  (double)rc_value(y_eval).data[i]);
    }
    rc_regularizer_free(&zo);
    rc_cell_free(&cell);
}

// ---- weight drop ------------------------------------------------------------------------------

// Binds every cell of rnn with the hooks and checks each bound weight: the named ones are w times
// an inverted-dropout mask (some entries dropped, the rest 2w), the others are the very leaves
// rc_use makes. Returns the zero pattern of cell `which`'s first dropped weight in *zeros.
static void check_bound(const rc_rnn *rnn, const rc_rnn_hooks *hooks, const char *match, int which,
                        uint8_t *zeros) {
    const int n_cells = rnn->config.num_layers * rnn->num_dirs;
    for (int i = 0; i < n_cells; i++) {
        const rc_cell *cell = rnn->cells[i];
        rc_cell_ctx ctx;
        rc_cell_begin(&ctx, g, cell, 2, hooks, i / rnn->num_dirs, i % rnn->num_dirs);
        bool first = true;
        for (int k = 0; k < cell->n_weights; k++) {
            const char *name = rc_param_name(cell->weight[k]);
            rc_var leaf = rc_use(g, cell->weight[k]);
            if (!match || !strstr(name, match)) {
                cr_assert_eq(ctx.weight[k].idx, leaf.idx, "%s is untouched", name);
                continue;
            }
            rc_tensor w = rc_value(leaf), d = rc_value(ctx.weight[k]);
            int64_t dropped = 0;
            for (int64_t j = 0; j < w.n; j++) {
                cr_assert(d.data[j] == 0.0f || d.data[j] == 2.0f * w.data[j], "%s[%lld]", name,
                          (long long)j);
                dropped += d.data[j] == 0.0f;
                if (i == which && first)
                    zeros[j] = d.data[j] == 0.0f;
            }
            cr_assert(dropped > w.n / 4 && dropped < 3 * w.n / 4, "%s: %lld of %lld dropped", name,
                      (long long)dropped, (long long)w.n);
            first = false;
        }
    }
}

Test(regularize, weight_drop_changes_only_the_named_weights) {
    rc_rnn *rnn = ru_make(ps, RU_LSTM, 3, 4, 2, true, 0.0f, 1);
    rc_regularizer *wd = wdrop(0.5f, NULL, 3), *wi = wdrop(0.5f, "weight_ih", 4);
    uint8_t z0[64], z1[64];
    check_bound(rnn, rc_regularizer_hooks(wd), "weight_hh", 0, z0);
    check_bound(rnn, rc_regularizer_hooks(wd), "weight_hh", 1, z1);
    cr_assert_neq(memcmp(z0, z1, sizeof z0), 0, "each direction and layer draws its own mask");
    check_bound(rnn, rc_regularizer_hooks(wi), "weight_ih", 0, z0);
    rc_regularizer_set_training(wd, false);
    check_bound(rnn, rc_regularizer_hooks(wd), NULL, 0, z0);
    rc_regularizer_free(&wd);
    rc_regularizer_free(&wi);
    rc_rnn_free(&rnn);
}

// Any cell's recurrent weights, a variant's included: FGR's gate recurrence is a weight_hh too.
Test(regularize, weight_drop_reaches_the_variants) {
    rc_rnn_config cfg = {.cell = &rc_lstm_fgr_cell_type,
                         .cell_opts = &(rc_peephole_lstm_opts){.dim_hidden = 4},
                         .dim_in = 3,
                         .num_layers = 1};
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_rnn *rnn = NULL;
    cr_assert_eq(rc_rnn_new(&rnn, &cfg, ps, NULL, &rng, NULL, 0), RC_OK);
    rc_regularizer *wd = wdrop(0.5f, NULL, 3);
    uint8_t z[256];
    check_bound(rnn, rc_regularizer_hooks(wd), "weight_hh", 0, z);
    rc_regularizer_free(&wd);
    rc_rnn_free(&rnn);
}

typedef struct wcopy {
    float *saved[RC_CELL_MAX_WEIGHTS];
} wcopy;
static rc_var keep_weight(void *u, const rc_cell_ctx *c, int k, rc_var w) {
    wcopy *wc = u;
    rc_tensor v = rc_value(w);
    wc->saved[k] = malloc((size_t)v.n * sizeof(float));
    memcpy(wc->saved[k], v.data, (size_t)v.n * sizeof(float));
    (void)c;
    return w;
}

// One mask per sequence: the whole run equals a plain run whose parameters hold the masked values.
Test(regularize, weight_drop_uses_one_mask_for_every_step) {
    enum { T = 5, B = 3, I = 3, H = 4 };
    rc_cell *cell = ru_cell(ps, RU_GRU, I, H, "", 2);
    rc_regularizer *wd = wdrop(0.4f, NULL, 8);
    wcopy wc = {{NULL}};
    rc_rnn_hooks keep = {.user = &wc, .weight = keep_weight};
    rc_hook_chain *ch = chain((const rc_rnn_hooks *[]){rc_regularizer_hooks(wd), &keep}, 2);
    rc_var xs[T], ya[T], yb[T];
    for (int t = 0; t < T; t++)
        xs[t] = ru_input(g, RC_SHAPE(B, I), 1 + t);
    rc_unroll_opts o = {.hooks = rc_hook_chain_hooks(ch)};
    cr_assert_eq(rc_rnn_unroll(g, cell, xs, T, NULL, ya, NULL, &o), RC_OK);
    float out[T][B * H];
    for (int t = 0; t < T; t++)
        memcpy(out[t], rc_value(ya[t]).data, sizeof out[t]);
    rc_graph_reset(g);
    for (int k = 0; k < cell->n_weights; k++) {
        rc_tensor v = rc_param_value(cell->weight[k]);
        memcpy(v.data, wc.saved[k], (size_t)v.n * sizeof(float));
        free(wc.saved[k]);
    }
    for (int t = 0; t < T; t++)
        xs[t] = ru_input(g, RC_SHAPE(B, I), 1 + t);
    cr_assert_eq(rc_rnn_unroll(g, cell, xs, T, NULL, yb, NULL, NULL), RC_OK);
    for (int t = 0; t < T; t++)
        cr_assert_eq(memcmp(out[t], rc_value(yb[t]).data, sizeof out[t]), 0, "t=%d", t);
    rc_hook_chain_free(&ch);
    rc_regularizer_free(&wd);
    rc_cell_free(&cell);
}

// ---- gradient checks with every regulariser on ------------------------------------------------

// A cell a user might write: an Elman RNN that reads x itself (no projection).
typedef struct elman_params {
    rc_param *w, *u;
} elman_params;
static rc_var elman_step(const rc_cell_ctx *c, rc_var x, const rc_var *prev, rc_var *next) {
    const elman_params *p = c->cell->params;
    next[0] = rc_tanh(
        rc_add(rc_matmul_nt(x, rc_cell_use(c, p->w)), rc_matmul_nt(prev[0], rc_cell_use(c, p->u))));
    return next[0];
}
static rc_status elman_init(rc_cell *cell, const void *opts, rc_params *store, rc_rng *rng,
                            char *err, size_t err_len) {
    const int64_t H = *(const int64_t *)opts;
    elman_params *p = cell->params;
    cell->n_state = 1;
    cell->dim_hidden = cell->dim_out = cell->state_dim[0] = H;
    cell->step = elman_step;
    rc_status st = rc_cell_add_weight(cell, store, "w_x", RC_SHAPE(H, cell->dim_in), 0.5f, rng,
                                      &p->w, err, err_len);
    if (!st)
        st = rc_cell_add_weight(cell, store, "weight_hh", RC_SHAPE(H, H), 0.5f, rng, &p->u, err,
                                err_len);
    return st;
}
static const rc_cell_type elman_type = {
    .name = "elman", .params_size = sizeof(elman_params), .init = elman_init};

static void gradcheck_regularized(const rc_cell_type *type, const void *opts) {
    enum { T = 3, B = 3, I = 3 };
    rc_rnn_config cfg = {
        .cell = type, .cell_opts = opts, .dim_in = I, .num_layers = 2, .bidirectional = true};
    rc_rng rng;
    rc_rng_seed(&rng, 5);
    rc_rnn *rnn = NULL;
    char err[256] = "";
    cr_assert_eq(rc_rnn_new(&rnn, &cfg, ps, NULL, &rng, err, sizeof err), RC_OK, "%s", err);
    rc_regularizer *r[3] = {vdrop(0.3f, 0.3f, 0.3f, 1), zoneout(0.3f, 0.3f, 2),
                            wdrop(0.4f, NULL, 3)};
    rc_hook_chain *ch =
        chain((const rc_rnn_hooks *[]){rc_regularizer_hooks(r[0]), rc_regularizer_hooks(r[1]),
                                       rc_regularizer_hooks(r[2])},
              3);
    const int32_t lengths[B] = {2, 3, 1};
    rc_var x = rc_requires_grad(ru_input(g, RC_SHAPE(T, B, I), 1));
    rc_rnn_run run = {.lengths = lengths, .hooks = rc_hook_chain_hooks(ch)};
    rc_rnn_result res;
    cr_assert_eq(rc_rnn_forward(g, rnn, x, &run, &res), RC_OK, "%s", rc_graph_errmsg(g));
    rc_var loss = ru_weighted_sum(res.output, 10);
    for (int k = 0; k < res.n_state; k++)
        loss = rc_add(loss, ru_weighted_sum(res.state[k], 11 + k));
    rc_gradcheck_opts o = rc_gradcheck_defaults();
    o.eps = 1e-3f;
    o.max_per_tensor = 20;
    rc_gradcheck_report rep;
    cr_assert_eq(rc_gradcheck_loss(loss, &o, &rep), RC_OK, "%s", rep.worst);
    cr_assert_eq(rep.failed, 0, "%s: %lld of %lld entries fail, first %s", type->name,
                 (long long)rep.failed, (long long)rep.checked, rep.worst);
    cr_assert_gt(rep.checked, 100);
    rc_hook_chain_free(&ch);
    for (int i = 0; i < 3; i++)
        rc_regularizer_free(&r[i]);
    rc_rnn_free(&rnn);
}

Test(regularize, gradients_check_with_every_regulariser_on_a_builtin_cell) {
    gradcheck_regularized(&rc_lstm_cell_type, &(rc_lstm_opts){.dim_hidden = 4});
}

Test(regularize, gradients_check_with_every_regulariser_on_a_variant) {
    gradcheck_regularized(&rc_mgu_cell_type, &(rc_mgu_opts){.dim_hidden = 4});
}

Test(regularize, gradients_check_with_every_regulariser_on_a_user_cell) {
    const int64_t H = 4;
    gradcheck_regularized(&elman_type, &H);
}

// ---- chains and errors ------------------------------------------------------------------------

static rc_var twice(void *u, const rc_cell_ctx *c, rc_var x) {
    (void)u, (void)c;
    return rc_scale(x, 2.0f);
}
static rc_var plus_one(void *u, const rc_cell_ctx *c, rc_var x) {
    (void)u, (void)c;
    return rc_shift(x, 1.0f);
}

Test(regularize, a_chain_passes_each_result_to_the_next_link) {
    rc_cell *cell = ru_cell(ps, RU_RNN_TANH, 2, 3, "", 1);
    rc_rnn_hooks a = {.input = twice}, b = {.input = plus_one};
    probe seen = {.n = 0};
    rc_rnn_hooks p = probe_hooks(&seen);
    rc_hook_chain *ab = chain((const rc_rnn_hooks *[]){&a, &b, &p}, 3);
    rc_hook_chain *ba = chain((const rc_rnn_hooks *[]){&b, &a, &p}, 3);
    const rc_rnn_hooks *h = rc_hook_chain_hooks(ab);
    cr_assert(h->input && h->state_in && h->output, "the links' hooks");
    cr_assert(!h->begin && !h->weight && !h->state_out, "no hook that no link has");
    rc_var x = rc_full(g, RC_SHAPE(1, 2), 5.0f), y;
    rc_unroll_opts o = {.hooks = h};
    cr_assert_eq(rc_rnn_unroll(g, cell, &x, 1, NULL, &y, NULL, &o), RC_OK);
    o.hooks = rc_hook_chain_hooks(ba);
    cr_assert_eq(rc_rnn_unroll(g, cell, &x, 1, NULL, &y, NULL, &o), RC_OK);
    cr_assert_eq(rc_value(seen.ev[0].v).data[0], 11.0f, "2x + 1");
    cr_assert_eq(rc_value(seen.ev[3].v).data[0], 12.0f, "2(x + 1)");
    rc_hook_chain_free(&ab);
    rc_hook_chain_free(&ba);
    rc_hook_chain_free(&ba); // twice is harmless
    rc_cell_free(&cell);
}

static void expect(rc_status st, const char *err, const char *part) {
    cr_assert_eq(st, RC_ERR_ARG);
    cr_assert(strstr(err, part), "message \"%s\" lacks \"%s\"", err, part);
}

Test(regularize, bad_arguments_are_errors_with_a_message) {
    rc_regularizer *r = (rc_regularizer *)&r;
    char err[160] = "";
    expect(rc_variational_dropout_new(&r, &(rc_variational_dropout_opts){0, 1.0f, 0}, 1, err,
                                      sizeof err),
           err, "rc_variational_dropout_new: state rate must be in [0,1), got 1");
    cr_assert_null(r);
    expect(rc_variational_dropout_new(&r, &(rc_variational_dropout_opts){-0.1f, 0, 0}, 1, err,
                                      sizeof err),
           err, "input rate must be in [0,1), got -0.1");
    expect(rc_variational_dropout_new(&r, &(rc_variational_dropout_opts){0, 0, NAN}, 1, err,
                                      sizeof err),
           err, "output rate must be in [0,1), got nan");
    expect(rc_variational_dropout_new(&r, NULL, 1, err, sizeof err), err,
           "out and opts must not be NULL");
    expect(rc_zoneout_new(&r, &(rc_zoneout_opts){0.5f, 1.5f}, 1, err, sizeof err), err,
           "rc_zoneout_new: rates must be in [0,1), got h 0.5, c 1.5");
    expect(rc_zoneout_new(NULL, &(rc_zoneout_opts){0, 0}, 1, err, sizeof err), err,
           "out and opts must not be NULL");
    expect(rc_weight_drop_new(&r, &(rc_weight_drop_opts){2.0f, NULL}, 1, err, sizeof err), err,
           "rc_weight_drop_new: p must be in [0,1), got 2");
    expect(rc_weight_drop_new(&r, &(rc_weight_drop_opts){0.5f, ""}, 1, err, sizeof err), err,
           "match must not be empty");
    rc_hook_chain *ch = (rc_hook_chain *)&ch;
    expect(rc_hook_chain_new(&ch, NULL, 0, err, sizeof err), err,
           "rc_hook_chain_new: needs out and n >= 1 links, got n = 0 and links == NULL");
    cr_assert_null(ch);
    expect(rc_hook_chain_new(&ch, (const rc_rnn_hooks *[]){NULL}, 1, err, sizeof err), err,
           "links[0] is NULL");
    // The NULL object is harmless everywhere.
    cr_assert_null(rc_regularizer_hooks(NULL));
    cr_assert_null(rc_hook_chain_hooks(NULL));
    cr_assert(!rc_regularizer_training(NULL));
    rc_regularizer_set_training(NULL, true);
    rc_regularizer_seed(NULL, 1);
    rc_regularizer_free(NULL);
    rc_regularizer *none = NULL;
    rc_regularizer_free(&none);
    rc_hook_chain_free(NULL);
}
