// bench/rnn_dnnl: oneDNN's fused RNN primitives on the cases of rnn_common.c, the reference for
// "recur at the machine's limit" (issue 10): LSTM (dnnl_lstm_*), GRU in PyTorch's form (the
// linear-before-reset GRU, dnnl_lbr_gru_*) and the tanh RNN (dnnl_vanilla_rnn_*), one primitive
// per layer, both directions concatenated for a bidirectional case.
//
// The weights are recur's built-in rnn's, drawn as bench/rnn draws them (the same seed, then x
// and the target), mapped into oneDNN's plain layout ldigo (PyTorch's W[g*H+o][i] at
// [0][d][i][g][o], GRU blocks reordered from [r|z|n] to oneDNN's [u|r|c]), so both programs
// print the same loss. Each primitive takes its weights in the format it prefers (format any):
// a training step reorders the plain weights into those formats, as a training loop whose
// optimizer updates the plain weights must; inference reorders once, before the clock.
//
// --mode train: forward_training of all layers, the MSE and its gradient against the target,
// backward of all layers (gradients of the input, every weight and bias). --mode infer:
// forward_inference of all layers. --check: a tiny 2-layer bidirectional case of each cell
// against recur's rc_rnn_forward (outputs, and the weights' gradients of one training step).
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dnnl.h>
#include <dnnl_debug.h>

#include "rnn_common.h"

#define MAX_LAYERS 4

static void ok(dnnl_status_t st, const char *what) {
    if (st != dnnl_success)
        rnn_die(what, dnnl_status2str(st));
}

// A weight that oneDNN reads in its own format: the plain copy (ldigo) the program fills, the
// primitive's copy and the reorder between them (NULL when the formats agree).
typedef struct weight {
    dnnl_memory_t plain, used;
    dnnl_primitive_t reorder;
} weight;

// One layer: its primitives, the weights each reads (0: weights_layer, 1: weights_iter), the bias
// (ldgo), the workspace forward leaves for backward, and the gradients in plain layouts.
typedef struct layer {
    int in, G, n_bias; // input width, gate blocks, bias blocks
    dnnl_primitive_desc_t fwd_pd, bwd_pd;
    dnnl_primitive_t fwd, bwd;
    weight w_fwd[2], w_bwd[2];
    dnnl_memory_t bias, ws, diff_w[2], diff_bias;
} layer;

// The whole stack: act[l] is layer l's input [T,B,in] (act[L]: the output [T,B,D*H]); diff[l]
// the gradient of the loss with respect to act[l].
typedef struct net {
    const rnn_case *c;
    bool infer;
    int D;
    dnnl_engine_t eng;
    dnnl_stream_t stream;
    layer layer[MAX_LAYERS];
    dnnl_memory_t act[MAX_LAYERS + 1], diff[MAX_LAYERS + 1];
} net;

// ---- memory
// ---------------------------------------------------------------------------------------

static dnnl_memory_desc_t md_of(int ndims, const dnnl_dims_t dims, dnnl_format_tag_t tag) {
    dnnl_memory_desc_t md;
    ok(dnnl_memory_desc_init_by_tag(&md, ndims, dims, dnnl_f32, tag), "memory descriptor");
    return md;
}

static dnnl_memory_t memory_of(const dnnl_memory_desc_t *md, dnnl_engine_t eng) {
    dnnl_memory_t m;
    ok(dnnl_memory_create(&m, md, eng, DNNL_MEMORY_ALLOCATE), "memory");
    return m;
}

static float *data_of(dnnl_memory_t m) {
    void *p;
    ok(dnnl_memory_get_data_handle(m, &p), "data handle");
    return p;
}

static size_t floats_of(dnnl_memory_t m) {
    const dnnl_memory_desc_t *md;
    ok(dnnl_memory_get_memory_desc(m, &md), "memory descriptor");
    return dnnl_memory_desc_get_size(md) / sizeof(float);
}

static void zero(dnnl_memory_t m) {
    memset(data_of(m), 0, floats_of(m) * sizeof(float));
}

// The memory descriptor a primitive wants for one of its arguments.
static const dnnl_memory_desc_t *arg_md(const_dnnl_primitive_desc_t pd, int arg) {
    return dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, arg);
}

// The primitive's copy of plain weights: the plain memory itself when the formats agree.
static weight weight_for(dnnl_engine_t eng, dnnl_memory_t plain, const dnnl_memory_desc_t *md) {
    const dnnl_memory_desc_t *plain_md;
    ok(dnnl_memory_get_memory_desc(plain, &plain_md), "memory descriptor");
    weight w = {.plain = plain, .used = plain};
    if (dnnl_memory_desc_equal(plain_md, md))
        return w;
    dnnl_primitive_desc_t pd;
    ok(dnnl_reorder_primitive_desc_create(&pd, plain_md, eng, md, eng, NULL), "reorder");
    ok(dnnl_primitive_create(&w.reorder, pd), "reorder");
    dnnl_primitive_desc_destroy(pd);
    w.used = memory_of(md, eng);
    return w;
}

static void weight_refresh(const net *n, const weight *w) {
    if (!w->reorder)
        return;
    dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, w->plain}, {DNNL_ARG_TO, w->used}};
    ok(dnnl_primitive_execute(w->reorder, n->stream, 2, args), "reorder");
}

static void weight_free(weight *w, bool free_plain) {
    if (w->reorder) {
        dnnl_primitive_destroy(w->reorder);
        dnnl_memory_destroy(w->used);
    }
    if (free_plain)
        dnnl_memory_destroy(w->plain);
}

// ---- the primitives ---------------------------------------------------------------------------

// A layer's memory descriptors: activations [T,B,C] (tnc), weights in any format for the
// primitives and their gradients in ldigo, biases ldgo.
typedef struct layer_mds {
    dnnl_memory_desc_t src, w[2], bias, dst, diff_w[2];
} layer_mds;

static layer_mds mds_of(const net *n, const layer *y) {
    const rnn_case *c = n->c;
    const dnnl_dims_t src = {c->T, c->B, y->in}, dst = {c->T, c->B, n->D * c->H};
    const dnnl_dims_t w0 = {1, n->D, y->in, y->G, c->H}, w1 = {1, n->D, c->H, y->G, c->H};
    const dnnl_dims_t bias = {1, n->D, y->n_bias, c->H};
    return (layer_mds){.src = md_of(3, src, dnnl_tnc),
                       .w = {md_of(5, w0, dnnl_format_tag_any), md_of(5, w1, dnnl_format_tag_any)},
                       .bias = md_of(4, bias, dnnl_ldgo),
                       .dst = md_of(3, dst, dnnl_tnc),
                       .diff_w = {md_of(5, w0, dnnl_ldigo), md_of(5, w1, dnnl_ldigo)}};
}

// The forward (prop forward_training or forward_inference) or backward descriptor of the case's
// cell; no initial or final states (zeros in, not asked for).
static void rnn_desc(const net *n, const layer_mds *m, dnnl_prop_kind_t prop, dnnl_rnn_desc_t *d) {
    const dnnl_rnn_direction_t dir = n->D == 2 ? dnnl_bidirectional_concat : dnnl_unidirectional;
    const bool bwd = prop == dnnl_backward;
    const char *cell = n->c->cell;
    const dnnl_memory_desc_t *s = &m->src, *w0 = &m->w[0], *w1 = &m->w[1], *b = &m->bias,
                             *y = &m->dst, *dw0 = &m->diff_w[0], *dw1 = &m->diff_w[1];
    dnnl_status_t st;
    if (!strcmp(cell, "lstm"))
        st = bwd ? dnnl_lstm_backward_desc_init(d, prop, dir, s, NULL, NULL, w0, w1, b, y, NULL,
                                                NULL, s, NULL, NULL, dw0, dw1, b, y, NULL, NULL, 0)
                 : dnnl_lstm_forward_desc_init(d, prop, dir, s, NULL, NULL, w0, w1, b, y, NULL,
                                               NULL, 0);
    else if (!strcmp(cell, "gru"))
        st = bwd ? dnnl_lbr_gru_backward_desc_init(d, prop, dir, s, NULL, w0, w1, b, y, NULL, s,
                                                   NULL, dw0, dw1, b, y, NULL, 0)
                 : dnnl_lbr_gru_forward_desc_init(d, prop, dir, s, NULL, w0, w1, b, y, NULL, 0);
    else
        st = bwd ? dnnl_vanilla_rnn_backward_desc_init(d, prop, dnnl_eltwise_tanh, dir, s, NULL, w0,
                                                       w1, b, y, NULL, s, NULL, dw0, dw1, b, y,
                                                       NULL, 0, 0, 0)
                 : dnnl_vanilla_rnn_forward_desc_init(d, prop, dnnl_eltwise_tanh, dir, s, NULL, w0,
                                                      w1, b, y, NULL, 0, 0, 0);
    ok(st, bwd ? "backward descriptor" : "forward descriptor");
}

static dnnl_primitive_desc_t pd_of(const net *n, const layer_mds *m, dnnl_prop_kind_t prop,
                                   const_dnnl_primitive_desc_t hint, dnnl_primitive_t *prim) {
    dnnl_rnn_desc_t d;
    rnn_desc(n, m, prop, &d);
    dnnl_primitive_desc_t pd;
    ok(dnnl_primitive_desc_create(&pd, &d, NULL, n->eng, hint), n->c->name);
    ok(dnnl_primitive_create(prim, pd), n->c->name);
    return pd;
}

static void layer_init(net *n, int l) {
    const rnn_case *c = n->c;
    layer *y = &n->layer[l];
    const bool lstm = !strcmp(c->cell, "lstm"), gru = !strcmp(c->cell, "gru");
    y->in = l ? n->D * c->H : c->I;
    y->G = lstm ? 4 : gru ? 3 : 1;
    y->n_bias = gru ? 4 : y->G; // the linear-before-reset GRU keeps b_hn apart
    const layer_mds m = mds_of(n, y);
    const dnnl_prop_kind_t prop = n->infer ? dnnl_forward_inference : dnnl_forward_training;
    y->fwd_pd = pd_of(n, &m, prop, NULL, &y->fwd);
    y->bias = memory_of(&m.bias, n->eng);
    const int args[2] = {DNNL_ARG_WEIGHTS_LAYER, DNNL_ARG_WEIGHTS_ITER};
    for (int k = 0; k < 2; k++)
        y->w_fwd[k] =
            weight_for(n->eng, memory_of(&m.diff_w[k], n->eng), arg_md(y->fwd_pd, args[k]));
    if (n->infer)
        return;
    y->ws = memory_of(arg_md(y->fwd_pd, DNNL_ARG_WORKSPACE), n->eng);
    y->bwd_pd = pd_of(n, &m, dnnl_backward, y->fwd_pd, &y->bwd);
    for (int k = 0; k < 2; k++) {
        y->w_bwd[k] = weight_for(n->eng, y->w_fwd[k].plain, arg_md(y->bwd_pd, args[k]));
        y->diff_w[k] = memory_of(&m.diff_w[k], n->eng);
    }
    y->diff_bias = memory_of(&m.bias, n->eng);
}

static void net_init(net *n, const rnn_case *c, bool infer) {
    if (c->L > MAX_LAYERS)
        rnn_die(c->name, "too many layers");
    *n = (net){.c = c, .infer = infer, .D = c->bidirectional ? 2 : 1};
    ok(dnnl_engine_create(&n->eng, dnnl_cpu, 0), "engine");
    ok(dnnl_stream_create(&n->stream, n->eng, dnnl_stream_default_flags), "stream");
    for (int l = 0; l <= c->L; l++) {
        const dnnl_dims_t dims = {c->T, c->B, l ? n->D * c->H : c->I};
        const dnnl_memory_desc_t md = md_of(3, dims, dnnl_tnc);
        n->act[l] = memory_of(&md, n->eng);
        n->diff[l] = infer ? NULL : memory_of(&md, n->eng);
    }
    for (int l = 0; l < c->L; l++)
        layer_init(n, l);
}

static void layer_free(layer *y) {
    for (int k = 0; k < 2; k++) {
        weight_free(&y->w_fwd[k], true);
        weight_free(&y->w_bwd[k], false);
        dnnl_memory_destroy(y->diff_w[k]);
    }
    dnnl_memory_destroy(y->bias);
    dnnl_memory_destroy(y->ws);
    dnnl_memory_destroy(y->diff_bias);
    dnnl_primitive_destroy(y->fwd);
    dnnl_primitive_destroy(y->bwd);
    dnnl_primitive_desc_destroy(y->fwd_pd);
    dnnl_primitive_desc_destroy(y->bwd_pd);
}

static void net_free(net *n) {
    for (int l = 0; l < n->c->L; l++)
        layer_free(&n->layer[l]);
    for (int l = 0; l <= n->c->L; l++) {
        dnnl_memory_destroy(n->act[l]);
        dnnl_memory_destroy(n->diff[l]);
    }
    dnnl_stream_destroy(n->stream);
    dnnl_engine_destroy(n->eng);
}

// ---- recur's weights in oneDNN's layouts ------------------------------------------------------

// PyTorch's block of oneDNN's gate g: the GRU's [u|r|c] are PyTorch's [z|r|n] = blocks 1, 0, 2.
static int torch_block(const net *n, int g) {
    return !strcmp(n->c->cell, "gru") && g < 2 ? 1 - g : g;
}

// W [G*H, in] (PyTorch) of direction d into ldigo [1][D][in][G][H].
static void map_weight(const net *n, int d, int in, int G, const float *w, float *out) {
    const int H = n->c->H;
    for (int i = 0; i < in; i++)
        for (int g = 0; g < G; g++)
            for (int o = 0; o < H; o++)
                out[(((int64_t)d * in + i) * G + g) * H + o] =
                    w[((int64_t)torch_block(n, g) * H + o) * in + i];
}

// b_ih + b_hh of direction d into ldgo [1][D][n_bias][H]; the GRU's c block takes b_in alone and
// its fourth block b_hn.
static void map_bias(const net *n, const layer *y, int d, const float *b_ih, const float *b_hh,
                     float *out) {
    const int H = n->c->H, last = (y->G - 1) * H;
    const bool lbr = y->n_bias > y->G;
    for (int g = 0; g < y->n_bias; g++)
        for (int o = 0; o < H; o++) {
            const int at = torch_block(n, g < y->G ? g : y->G - 1) * H + o;
            float v = b_ih[at] + b_hh[at];
            if (lbr && g == y->G - 1)
                v = b_ih[last + o];
            else if (lbr && g == y->G)
                v = b_hh[last + o];
            out[((int64_t)d * y->n_bias + g) * H + o] = v;
        }
}

static const float *param_of(const rc_params *ps, const char *role, int l, int d, bool grad) {
    char name[64];
    snprintf(name, sizeof name, "%s_l%d%s", role, l, d ? "_reverse" : "");
    const rc_param *p = rc_params_find(ps, name);
    if (!p)
        rnn_die(name, "no such parameter");
    return (grad ? rc_param_grad(p) : rc_param_value(p)).data;
}

// The weights (grad false) or their gradients (true) of layer l of recur's rnn in ldigo.
static void map_layer_weights(const net *n, int l, const rc_params *ps, bool grad, float *w0,
                              float *w1) {
    const layer *y = &n->layer[l];
    for (int d = 0; d < n->D; d++) {
        map_weight(n, d, y->in, y->G, param_of(ps, "weight_ih", l, d, grad), w0);
        map_weight(n, d, n->c->H, y->G, param_of(ps, "weight_hh", l, d, grad), w1);
    }
}

// Loads recur's weights and brings every primitive's copy up to date.
static void net_load(net *n, const rc_params *ps) {
    for (int l = 0; l < n->c->L; l++) {
        layer *y = &n->layer[l];
        map_layer_weights(n, l, ps, false, data_of(y->w_fwd[0].plain), data_of(y->w_fwd[1].plain));
        for (int d = 0; d < n->D; d++)
            map_bias(n, y, d, param_of(ps, "bias_ih", l, d, false),
                     param_of(ps, "bias_hh", l, d, false), data_of(y->bias));
        for (int k = 0; k < 2; k++) {
            weight_refresh(n, &y->w_fwd[k]);
            if (!n->infer)
                weight_refresh(n, &y->w_bwd[k]);
        }
    }
    ok(dnnl_stream_wait(n->stream), "reorder");
}

// ---- a step -----------------------------------------------------------------------------------

static void exec(const net *n, dnnl_primitive_t p, const dnnl_exec_arg_t *args, int n_args) {
    ok(dnnl_primitive_execute(p, n->stream, n_args, args), n->c->name);
}

// All layers forward; training refreshes the primitives' weights from the plain ones first.
static void net_forward(const net *n) {
    for (int l = 0; l < n->c->L; l++) {
        const layer *y = &n->layer[l];
        if (!n->infer)
            weight_refresh(n, &y->w_fwd[0]), weight_refresh(n, &y->w_fwd[1]);
        const dnnl_exec_arg_t args[] = {
            {DNNL_ARG_SRC_LAYER, n->act[l]},           {DNNL_ARG_WEIGHTS_LAYER, y->w_fwd[0].used},
            {DNNL_ARG_WEIGHTS_ITER, y->w_fwd[1].used}, {DNNL_ARG_BIAS, y->bias},
            {DNNL_ARG_DST_LAYER, n->act[l + 1]},       {DNNL_ARG_WORKSPACE, y->ws}};
        exec(n, y->fwd, args, n->infer ? 5 : 6);
    }
    ok(dnnl_stream_wait(n->stream), n->c->name);
}

// All layers backward from diff[L]: the gradients of every layer's input, weights and biases.
static void net_backward(const net *n) {
    for (int l = n->c->L - 1; l >= 0; l--) {
        const layer *y = &n->layer[l];
        weight_refresh(n, &y->w_bwd[0]), weight_refresh(n, &y->w_bwd[1]);
        const dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC_LAYER, n->act[l]},
                                        {DNNL_ARG_WEIGHTS_LAYER, y->w_bwd[0].used},
                                        {DNNL_ARG_WEIGHTS_ITER, y->w_bwd[1].used},
                                        {DNNL_ARG_BIAS, y->bias},
                                        {DNNL_ARG_DST_LAYER, n->act[l + 1]},
                                        {DNNL_ARG_DIFF_DST_LAYER, n->diff[l + 1]},
                                        {DNNL_ARG_WORKSPACE, y->ws},
                                        {DNNL_ARG_DIFF_SRC_LAYER, n->diff[l]},
                                        {DNNL_ARG_DIFF_WEIGHTS_LAYER, y->diff_w[0]},
                                        {DNNL_ARG_DIFF_WEIGHTS_ITER, y->diff_w[1]},
                                        {DNNL_ARG_DIFF_BIAS, y->diff_bias}};
        exec(n, y->bwd, args, (int)(sizeof args / sizeof args[0]));
    }
    ok(dnnl_stream_wait(n->stream), n->c->name);
}

// oneDNN adds into the weights' gradients: zero them before a step, as rc_params_zero_grad.
static void net_zero_grad(const net *n) {
    for (int l = 0; l < n->c->L && !n->infer; l++) {
        const layer *y = &n->layer[l];
        zero(y->diff_w[0]), zero(y->diff_w[1]), zero(y->diff_bias);
    }
}

// The mean squared error of the output against target; in training also its gradient in
// diff[L].
static double net_mse(const net *n, const float *target) {
    const float *y = data_of(n->act[n->c->L]);
    float *dy = n->infer ? NULL : data_of(n->diff[n->c->L]);
    const size_t count = floats_of(n->act[n->c->L]);
    double sum = 0;
    for (size_t i = 0; i < count; i++) {
        const float e = y[i] - target[i];
        sum += (double)e * e;
        if (dy)
            dy[i] = 2.0f * e / (float)count;
    }
    return sum / (double)count;
}

// ---- timing and the check ---------------------------------------------------------------------

// A case's rnn, input and target drawn as bench/rnn draws them, and the net holding its weights.
typedef struct problem {
    rc_params *ps;
    rc_rnn *rnn;
    float *x, *target;
    net net;
} problem;

static void problem_init(problem *p, const rnn_case *c, bool infer, uint64_t seed) {
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    if (rc_params_new(&p->ps))
        rnn_die(c->name, "setup failed");
    p->rnn = rnn_builtin(c, p->ps, &rng);
    const int D = c->bidirectional ? 2 : 1;
    p->x = rnn_random_floats((int64_t)c->T * c->B * c->I, &rng);
    p->target = rnn_random_floats((int64_t)c->T * c->B * D * c->H, &rng);
    net_init(&p->net, c, infer);
    net_load(&p->net, p->ps);
    memcpy(data_of(p->net.act[0]), p->x, sizeof(float) * floats_of(p->net.act[0]));
}

static void problem_free(problem *p) {
    net_free(&p->net);
    free(p->x), free(p->target);
    rc_rnn_free(&p->rnn);
    rc_params_free(&p->ps);
}

// One step per rep after two warm-up steps, timed as bench/rnn times recur's.
static void bench_case(const rnn_case *c, const rnn_opts *o) {
    problem p;
    problem_init(&p, c, o->infer, 1);
    rnn_times times = rnn_times_new(o->reps);
    double loss = 0;
    for (int r = -2; r < o->reps; r++) {
        net_zero_grad(&p.net);
        const double c0 = rnn_cpu_ms(), t0 = rnn_wall_ms();
        net_forward(&p.net);
        if (!o->infer)
            loss = net_mse(&p.net, p.target);
        const double t1 = rnn_wall_ms();
        if (!o->infer)
            net_backward(&p.net);
        const double t2 = rnn_wall_ms(), c2 = rnn_cpu_ms();
        loss = o->infer ? net_mse(&p.net, p.target) : loss;
        if (!isfinite(loss))
            rnn_die(c->name, "loss is not finite");
        rnn_times_record(&times, r, t0, t1, t2, c0, c2);
    }
    rnn_times_report(&times, c, o, "onednn", loss);
    problem_free(&p);
}

// The largest difference between recur's and oneDNN's weight gradients (in ldigo); *largest: the
// largest of recur's gradients, for scale.
static double grad_diff(const problem *p, double *largest) {
    double d = 0;
    *largest = 0;
    for (int l = 0; l < p->net.c->L; l++) {
        const layer *y = &p->net.layer[l];
        const size_t n0 = floats_of(y->diff_w[0]), n1 = floats_of(y->diff_w[1]);
        float *w0 = malloc(sizeof(float) * n0), *w1 = malloc(sizeof(float) * n1);
        map_layer_weights(&p->net, l, p->ps, true, w0, w1);
        for (size_t i = 0; i < n0; i++)
            *largest = fmax(*largest, fabs((double)w0[i]));
        d = fmax(d, rnn_max_diff(w0, data_of(y->diff_w[0]), (int64_t)n0));
        d = fmax(d, rnn_max_diff(w1, data_of(y->diff_w[1]), (int64_t)n1));
        free(w0), free(w1);
    }
    return d;
}

// recur's output and weight gradients (one step, MSE) against oneDNN's, training and inference.
static bool check_cell(const char *cell) {
    const rnn_case c = {"check", cell, 5, 3, 4, 6, 2, true};
    problem train, infer;
    problem_init(&train, &c, false, 5);
    problem_init(&infer, &c, true, 5);
    rc_graph *g;
    if (rc_graph_new(&g))
        rnn_die(c.name, "setup failed");
    rc_rnn_result res;
    rc_rnn_forward(g, train.rnn, rc_input(g, RC_SHAPE(c.T, c.B, c.I), train.x), NULL, &res);
    rc_var t = rc_input(g, RC_SHAPE(c.T, c.B, 2 * c.H), train.target);
    if (rc_backward(rc_mse(res.output, t, RC_REDUCE_MEAN)) != RC_OK)
        rnn_die(c.name, rc_graph_errmsg(g));
    net_zero_grad(&train.net);
    net_forward(&train.net), net_forward(&infer.net);
    net_mse(&train.net, train.target);
    net_backward(&train.net);
    const rc_tensor y = rc_value(res.output);
    const double d_train = rnn_max_diff(y.data, data_of(train.net.act[c.L]), y.n);
    const double d_infer = rnn_max_diff(y.data, data_of(infer.net.act[c.L]), y.n);
    double largest;
    const double d_grad = grad_diff(&train, &largest);
    printf("check %s: oneDNN against recur, 2 layers, bidirectional, T=%d B=%d I=%d H=%d: max "
           "|difference| of outputs %.3g (training), %.3g (inference), of weight gradients %.3g "
           "(largest %.3g)\n",
           cell, c.T, c.B, c.I, c.H, d_train, d_infer, d_grad, largest);
    rc_graph_free(&g);
    problem_free(&train), problem_free(&infer);
    return fmax(d_train, fmax(d_infer, d_grad)) <= 1e-5;
}

int main(int argc, char **argv) {
    rnn_opts o;
    rnn_parse_args(argc, argv, &o);
    if (o.impl && strcmp(o.impl, "onednn"))
        rnn_die(o.impl, "rnn_dnnl has one --impl, onednn");
    if (o.check) {
        const bool ok_all = check_cell("lstm") & check_cell("gru") & check_cell("rnn");
        return ok_all ? 0 : 1;
    }
    omp_set_num_threads(o.threads);
    rc_set_num_threads(o.threads);
    const dnnl_version_t *v = dnnl_version();
    printf("onednn version=%d.%d.%d isa=%s\n", v->major, v->minor, v->patch,
           getenv("ONEDNN_MAX_CPU_ISA") ? getenv("ONEDNN_MAX_CPU_ISA") : "default");
    for (int i = 0; i < rnn_n_cases; i++)
        if (o.run[i])
            bench_case(&rnn_cases[i], &o);
    return 0;
}
