// The recurrent language model of include/recur/lm.h: embedding -> stacked cells -> read-out,
// with dropout on the embedding, between layers and before the read-out. Public layers and ops
// only, like any user's model.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/lm.h>
#include <recur/nn.h>
#include <recur/ops.h>

#include "common/common.h"

static rc_status check_config(const rc_lm_config *c, char *err, size_t len) {
    if (!c)
        return rc_err_null(err, len, "rc_lm_new", "config");
    if (!c->cell)
        return rc_errf(err, len, RC_ERR_ARG, "rc_lm_new: config->cell is required");
    if (c->vocab < 2 || c->vocab > INT32_MAX || c->dim_embed < 1 || c->dim_hidden < 1 ||
        c->num_layers < 1)
        return rc_errf(err, len, RC_ERR_ARG,
                       "rc_lm_new: vocab %lld (>= 2), dim_embed %lld, dim_hidden %lld and "
                       "num_layers %d (>= 1) out of range",
                       (long long)c->vocab, (long long)c->dim_embed, (long long)c->dim_hidden,
                       c->num_layers);
    if (!(c->dropout >= 0 && c->dropout < 1))
        return rc_errf(err, len, RC_ERR_ARG, "rc_lm_new: dropout %g outside [0, 1)",
                       (double)c->dropout);
    if (!(c->init_range >= 0 && c->init_range <= 10))
        return rc_errf(err, len, RC_ERR_ARG, "rc_lm_new: init_range %g outside [0, 10]",
                       (double)c->init_range);
    return RC_OK;
}

// Every parameter from U(-r, r), in order of addition.
static void init_uniform(rc_params *ps, float r, rc_rng *rng) {
    for (int i = 0; i < rc_params_count(ps); i++) {
        rc_tensor v = rc_param_value(rc_params_at(ps, i));
        for (int64_t k = 0; k < v.n; k++)
            v.data[k] = (float)((rc_rng_uniform(rng) * 2 - 1) * r);
    }
}

static rc_status add_layers(rc_lm *m, rc_rng *rng, char *err, size_t len) {
    const rc_lm_config *c = &m->config;
    rc_embedding_layer emb;
    rc_status st = rc_embedding_layer_init(&emb, m->ps, "embed", c->vocab, c->dim_embed, NULL, rng);
    if (st != RC_OK)
        return rc_errf(err, len, st, "rc_lm_new: embedding [%lld,%lld] not made",
                       (long long)c->vocab, (long long)c->dim_embed);
    m->embed = emb.weight;
    _Alignas(16) unsigned char opts[RC_CELL_OPTS_MAX];
    if ((st = rc_cell_opts_init(c->cell, c->dim_hidden, opts, sizeof opts, err, len)) != RC_OK)
        return st;
    const rc_rnn_config rc = {.cell = c->cell,
                              .cell_opts = opts,
                              .dim_in = c->dim_embed,
                              .num_layers = c->num_layers,
                              .dropout = c->dropout};
    if ((st = rc_rnn_new(&m->rnn, &rc, m->ps, "rnn.", rng, err, len)) != RC_OK)
        return st;
    m->n_state = m->rnn->cells[0]->n_state;
    const int64_t out = rc_rnn_dim_out(m->rnn);
    if (c->tied && out != c->dim_embed)
        return rc_errf(err, len, RC_ERR_ARG,
                       "rc_lm_new: tied read-out needs the cells' output (%lld) equal to "
                       "dim_embed (%lld)",
                       (long long)out, (long long)c->dim_embed);
    rc_linear_layer head;
    if (c->tied) {
        st = rc_params_add(m->ps, "head.bias", RC_SHAPE(c->vocab), &m->head_bias);
    } else if ((st = rc_linear_layer_init(&head, m->ps, "head", out, c->vocab, true, rng)) ==
               RC_OK) {
        m->head_weight = head.weight;
        m->head_bias = head.bias;
    }
    if (st != RC_OK)
        return rc_errf(err, len, st, "rc_lm_new: read-out [%lld,%lld] not made",
                       (long long)c->vocab, (long long)out);
    return RC_OK;
}

rc_status rc_lm_new(rc_lm **out, const rc_lm_config *config, rc_rng *rng, char *err,
                    size_t err_len) {
    if (!out)
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_lm_new: out is NULL");
    *out = NULL;
    rc_status st = check_config(config, err, err_len);
    if (st != RC_OK)
        return st;
    rc_lm *m = calloc(1, sizeof *m);
    if (!m || rc_params_new(&m->ps) != RC_OK) {
        free(m);
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_lm_new: out of memory");
    }
    m->config = *config;
    rc_rng scratch; // without rng: drawn anyway (the embedding needs a generator), then zeroed
    rc_rng_seed(&scratch, 0);
    st = add_layers(m, rng ? rng : &scratch, err, err_len);
    if (st == RC_OK && !rng)
        init_uniform(m->ps, 0, &scratch);
    else if (st == RC_OK && config->init_range > 0)
        init_uniform(m->ps, config->init_range, rng);
    if (st != RC_OK)
        rc_lm_free(&m);
    *out = m;
    return st;
}

void rc_lm_free(rc_lm **m) {
    if (!m || !*m)
        return;
    rc_rnn_free(&(*m)->rnn);
    rc_params_free(&(*m)->ps);
    free(*m);
    *m = NULL;
}

static rc_var maybe_dropout(rc_var x, float p, bool training, rc_rng *rng) {
    return training && p > 0 ? rc_dropout(x, p, rng, NULL) : x;
}

rc_var rc_lm_logits(const rc_lm *m, rc_graph *g, const int32_t *x, int len, int batch,
                    rc_rnn_carry *carry, bool carry_out, bool training, rc_rng *rng) {
    if (!m || !g || !x) {
        rc_graph_set_error(g, RC_ERR_ARG, "rc_lm_logits", "%s is NULL", !m ? "m" : !g ? "g" : "x");
        return RC_NONE;
    }
    const float p = m->config.dropout;
    rc_var table = rc_use(g, m->embed);
    rc_var e = maybe_dropout(rc_embedding(table, x, RC_SHAPE(len, batch)), p, training, rng);
    rc_var state0[RC_CELL_MAX_STATE];
    rc_rnn_carry_load(carry, g, state0);
    const rc_rnn_run run = {.state0 = state0, .training = training, .rng = rng};
    rc_rnn_result res;
    if (rc_rnn_forward(g, m->rnn, e, &run, &res) != RC_OK)
        return RC_NONE;
    if (carry_out && carry && rc_rnn_carry_save(carry, res.state, res.n_state) != RC_OK)
        return RC_NONE;
    const int64_t H = rc_rnn_dim_out(m->rnn);
    rc_var h =
        rc_reshape(maybe_dropout(res.output, p, training, rng), RC_SHAPE((int64_t)len * batch, H));
    rc_var w = m->config.tied ? table : rc_use(g, m->head_weight);
    return rc_linear(h, w, rc_use(g, m->head_bias));
}

rc_status rc_lm_backward_step(rc_lm *m, rc_graph *g, const int32_t *x, const int32_t *y, int len,
                              int batch, rc_rnn_carry *carry, rc_rng *rng, double *nll_sum,
                              char *err, size_t err_len) {
    if (!m || !g || !x || !y || !nll_sum)
        return rc_err_null(err, err_len, "rc_lm_backward_step",
                           !m   ? "m"
                           : !g ? "g"
                           : !x ? "x"
                           : !y ? "y"
                                : "nll_sum");
    rc_graph_reset(g);
    rc_params_zero_grad(m->ps);
    rc_var logits = rc_lm_logits(m, g, x, len, batch, carry, true, true, rng);
    rc_var mean = rc_cross_entropy(logits, y, RC_REDUCE_MEAN, -100);
    rc_var loss = rc_scale(mean, (float)len); // summed over steps, averaged over the batch
    rc_status st = rc_backward(loss);
    if (st != RC_OK)
        return rc_errf(err, err_len, st, "rc_lm_backward_step: %s", rc_graph_errmsg(g));
    *nll_sum = (double)rc_item(mean) * len * batch;
    if (!isfinite(*nll_sum))
        return rc_errf(err, err_len, RC_ERR_NONFINITE,
                       "rc_lm_backward_step: the loss is %g (training diverged; lower the learning "
                       "rate or clip)",
                       *nll_sum);
    return RC_OK;
}

rc_status rc_lm_update(rc_lm *m, rc_optim *opt, double clip, char *err, size_t err_len) {
    if (!m || !opt)
        return rc_err_null(err, err_len, "rc_lm_update", !m ? "m" : "opt");
    if (clip > 0)
        rc_clip_grad_norm(m->ps, clip, 2.0);
    rc_status st = rc_optim_step(opt);
    if (st != RC_OK)
        return rc_errf(err, err_len, st, "rc_lm_update: optimizer step failed: %s",
                       rc_last_error());
    return RC_OK;
}

rc_status rc_lm_train_step(rc_lm *m, rc_graph *g, rc_optim *opt, const int32_t *x, const int32_t *y,
                           int len, int batch, double clip, rc_rnn_carry *carry, rc_rng *rng,
                           double *nll_sum, char *err, size_t err_len) {
    if (!m || !g || !opt || !x || !y || !nll_sum)
        return rc_err_null(err, err_len, "rc_lm_train_step",
                           !m     ? "m"
                           : !g   ? "g"
                           : !opt ? "opt"
                           : !x   ? "x"
                           : !y   ? "y"
                                  : "nll_sum");
    rc_status st = rc_lm_backward_step(m, g, x, y, len, batch, carry, rng, nll_sum, err, err_len);
    return st == RC_OK ? rc_lm_update(m, opt, clip, err, err_len) : st;
}

rc_status rc_lm_evaluate(const rc_lm *m, const rc_lm_stream *s, int bptt, int64_t max_segments,
                         double *nll, int64_t *tokens, char *err, size_t err_len) {
    if (!m || !s || !nll || !tokens)
        return rc_err_null(err, err_len, "rc_lm_evaluate",
                           !m     ? "m"
                           : !s   ? "s"
                           : !nll ? "nll"
                                  : "tokens");
    if (!s->data || bptt < 1)
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_lm_evaluate: an empty stream, or bptt %d < 1",
                       bptt);
    *nll = 0;
    *tokens = 0;
    rc_graph *g;
    if (rc_graph_new(&g) != RC_OK)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_lm_evaluate: out of memory (graph)");
    rc_graph_set_grad_enabled(g, false);
    rc_rnn_carry carry = {0};
    rc_status st = RC_OK;
    const int64_t n = rc_lm_stream_segments(s, bptt);
    for (int64_t k = 0; st == RC_OK && k < n && (max_segments <= 0 || k < max_segments); k++) {
        const int32_t *x, *y;
        const int len = rc_lm_stream_segment(s, bptt, k, &x, &y);
        rc_graph_reset(g);
        rc_var logits = rc_lm_logits(m, g, x, len, s->batch, &carry, true, false, NULL);
        rc_var sum = rc_cross_entropy(logits, y, RC_REDUCE_SUM, -100);
        if ((st = rc_graph_status(g)) != RC_OK)
            rc_errf(err, err_len, st, "rc_lm_evaluate: segment %lld: %s", (long long)k,
                    rc_graph_errmsg(g));
        *nll += rc_item(sum);
        *tokens += (int64_t)len * s->batch;
    }
    rc_rnn_carry_free(&carry);
    rc_graph_free(&g);
    return st;
}

// An index drawn from softmax(logits / temperature).
static int32_t draw(const float *logits, int64_t V, double temperature, rc_rng *rng) {
    double top = -INFINITY, total = 0;
    for (int64_t v = 0; v < V; v++)
        top = logits[v] > top ? logits[v] : top;
    for (int64_t v = 0; v < V; v++)
        total += exp((logits[v] - top) / temperature);
    double u = rc_rng_uniform(rng) * total;
    for (int64_t v = 0; v < V; v++) {
        u -= exp((logits[v] - top) / temperature);
        if (u < 0)
            return (int32_t)v;
    }
    return (int32_t)(V - 1);
}

rc_status rc_lm_sample(const rc_lm *m, const int32_t *prime, int n_prime, int n, double temperature,
                       rc_rng *rng, int32_t *out, char *err, size_t err_len) {
    if (!m || !prime || !rng || (n > 0 && !out))
        return rc_err_null(err, err_len, "rc_lm_sample",
                           !m       ? "m"
                           : !prime ? "prime"
                           : !rng   ? "rng"
                                    : "out");
    if (n_prime < 1 || n < 0 || !(temperature > 0 && isfinite(temperature)))
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "rc_lm_sample: n_prime %d >= 1, n %d >= 0 and a temperature %g > 0 are "
                       "required",
                       n_prime, n, temperature);
    rc_graph *g;
    if (rc_graph_new(&g) != RC_OK)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "rc_lm_sample: out of memory (graph)");
    rc_graph_set_grad_enabled(g, false);
    rc_rnn_carry carry = {0};
    rc_status st = RC_OK;
    int32_t next = prime[0];
    for (int t = 0; st == RC_OK && t < n_prime - 1 + n; t++) {
        const int32_t in = t < n_prime ? prime[t] : next;
        rc_graph_reset(g);
        rc_var logits = rc_lm_logits(m, g, &in, 1, 1, &carry, true, false, NULL);
        if ((st = rc_graph_status(g)) != RC_OK) {
            rc_errf(err, err_len, st, "rc_lm_sample: step %d: %s", t, rc_graph_errmsg(g));
            break;
        }
        if (t >= n_prime - 1) {
            next = draw(rc_value(logits).data, m->config.vocab, temperature, rng);
            out[t - (n_prime - 1)] = next;
        }
    }
    rc_rnn_carry_free(&carry);
    rc_graph_free(&g);
    return st;
}
