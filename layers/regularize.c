// Regularisers for any cell, as runner hooks: variational dropout (Gal & Ghahramani 2016), zoneout
// (Krueger et al. 2017), weight drop (Merity et al. 2018), and the chain that runs several hook
// sets as one. Masks are leaves drawn from the regulariser's own generator while the graph is
// built, so they are constants to backward and replay.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "layers_impl.h"
#include <recur/regularize.h>

enum { IN, STATE, OUT }; // variational dropout's places

struct rc_regularizer {
    bool training;
    rc_rng rng;
    float rate[3];  // by place (variational), h and c (zoneout), p (weight drop)
    char *match;    // weight drop's name filter
    rc_var mask[3]; // variational: this layer and direction's masks, RC_NONE when unused
    rc_rnn_hooks hooks;
};

static bool bad_rate(float p) {
    return !(p >= 0.0f && p < 1.0f);
}

// ---- variational dropout ----------------------------------------------------------------------

static rc_var draw(rc_regularizer *r, const rc_cell_ctx *c, float p, int64_t width) {
    if (!r->training || p == 0.0f)
        return RC_NONE;
    return rc_dropout_mask(c->g, RC_SHAPE(c->batch, width), p, &r->rng);
}

static void vd_begin(void *user, const rc_cell_ctx *c) {
    rc_regularizer *r = user;
    r->mask[IN] = draw(r, c, r->rate[IN], c->cell->dim_in);
    r->mask[STATE] = draw(r, c, r->rate[STATE], c->cell->state_dim[0]);
    r->mask[OUT] = draw(r, c, r->rate[OUT], c->cell->dim_out);
}

static rc_var masked(const rc_regularizer *r, int place, rc_var v) {
    return r->mask[place].g ? rc_mul(v, r->mask[place]) : v;
}

static rc_var vd_input(void *user, const rc_cell_ctx *c, rc_var x) {
    (void)c;
    return masked(user, IN, x);
}

static void vd_state_in(void *user, const rc_cell_ctx *c, rc_var *read) {
    (void)c;
    read[0] = masked(user, STATE, read[0]);
}

static rc_var vd_output(void *user, const rc_cell_ctx *c, rc_var y) {
    (void)c;
    return masked(user, OUT, y);
}

// ---- zoneout ----------------------------------------------------------------------------------

static bool same(rc_var a, rc_var b) {
    return a.g == b.g && a.idx == b.idx && a.gen == b.gen;
}

static void zo_state_out(void *user, const rc_cell_ctx *c, const rc_var *prev, rc_var *next,
                         rc_var *y) {
    rc_regularizer *r = user;
    const rc_var h_new = next[0];
    for (int k = 0; k < c->cell->n_state && k < 2; k++) {
        const float z = r->rate[k];
        if (z == 0.0f)
            continue;
        if (r->training) { // a mask entry of 0 (probability z) keeps the previous value
            rc_shape s = RC_SHAPE(c->batch, c->cell->state_dim[k]);
            next[k] = rc_where(rc_dropout_mask(c->g, s, z, &r->rng), next[k], prev[k]);
        } else {
            next[k] = rc_lerp(rc_scalar(c->g, z), prev[k], next[k]);
        }
    }
    if (same(*y, h_new))
        *y = next[0];
}

// ---- weight drop ------------------------------------------------------------------------------

static rc_var wd_weight(void *user, const rc_cell_ctx *c, int k, rc_var w) {
    rc_regularizer *r = user;
    if (!r->training || r->rate[0] == 0.0f || !strstr(rc_param_name(c->cell->weight[k]), r->match))
        return w;
    return rc_mul(w, rc_dropout_mask(c->g, rc_shape_of(w), r->rate[0], &r->rng));
}

// ---- the regulariser object -------------------------------------------------------------------

static rc_status make(rc_regularizer **out, const float *rate, int n, uint64_t seed, char *err,
                      size_t len, const char *who) {
    rc_regularizer *r = calloc(1, sizeof *r);
    if (!r) {
        rc_errf(err, len, RC_ERR_NOMEM, "%s: out of memory", who);
        return RC_ERR_NOMEM;
    }
    r->training = true;
    rc_rng_seed(&r->rng, seed);
    memcpy(r->rate, rate, (size_t)n * sizeof *rate);
    for (int i = 0; i < 3; i++)
        r->mask[i] = RC_NONE;
    r->hooks.user = r;
    *out = r;
    return RC_OK;
}

rc_status rc_variational_dropout_new(rc_regularizer **out, const rc_variational_dropout_opts *opts,
                                     uint64_t seed, char *err, size_t err_len) {
    const char *who = "rc_variational_dropout_new";
    if (out)
        *out = NULL;
    if (!out || !opts)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: out and opts must not be NULL", who);
    const float rate[3] = {opts->input, opts->state, opts->output};
    static const char *const place[3] = {"input", "state", "output"};
    for (int i = 0; i < 3; i++)
        if (bad_rate(rate[i]))
            return rc_errf(err, err_len, RC_ERR_ARG, "%s: %s rate must be in [0,1), got %g", who,
                           place[i], (double)rate[i]);
    rc_status st = make(out, rate, 3, seed, err, err_len, who);
    // Only the places with a rate get a hook: an input hook makes runners hand it each step's
    // input separately, and zero rates should build the plain run's graph.
    rc_rnn_hooks *h = st == RC_OK ? &(*out)->hooks : NULL;
    if (h && (rate[IN] > 0 || rate[STATE] > 0 || rate[OUT] > 0))
        h->begin = vd_begin;
    if (h && rate[IN] > 0)
        h->input = vd_input;
    if (h && rate[STATE] > 0)
        h->state_in = vd_state_in;
    if (h && rate[OUT] > 0)
        h->output = vd_output;
    return st;
}

rc_status rc_zoneout_new(rc_regularizer **out, const rc_zoneout_opts *opts, uint64_t seed,
                         char *err, size_t err_len) {
    const char *who = "rc_zoneout_new";
    if (out)
        *out = NULL;
    if (!out || !opts)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: out and opts must not be NULL", who);
    if (bad_rate(opts->h) || bad_rate(opts->c))
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: rates must be in [0,1), got h %g, c %g", who,
                       (double)opts->h, (double)opts->c);
    const float rate[2] = {opts->h, opts->c};
    rc_status st = make(out, rate, 2, seed, err, err_len, who);
    if (st == RC_OK && (opts->h > 0 || opts->c > 0))
        (*out)->hooks.state_out = zo_state_out;
    return st;
}

rc_status rc_weight_drop_new(rc_regularizer **out, const rc_weight_drop_opts *opts, uint64_t seed,
                             char *err, size_t err_len) {
    const char *who = "rc_weight_drop_new";
    if (out)
        *out = NULL;
    if (!out || !opts)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: out and opts must not be NULL", who);
    if (bad_rate(opts->p))
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: p must be in [0,1), got %g", who,
                       (double)opts->p);
    const char *match = opts->match ? opts->match : "weight_hh";
    if (!*match)
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: match must not be empty (NULL means \"weight_hh\")", who);
    rc_status st = make(out, &opts->p, 1, seed, err, err_len, who);
    if (st != RC_OK)
        return st;
    (*out)->match = malloc(strlen(match) + 1);
    if (!(*out)->match) {
        rc_regularizer_free(out);
        rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", who);
        return RC_ERR_NOMEM;
    }
    strcpy((*out)->match, match);
    if (opts->p > 0)
        (*out)->hooks.weight = wd_weight;
    return RC_OK;
}

const rc_rnn_hooks *rc_regularizer_hooks(rc_regularizer *r) {
    return r ? &r->hooks : NULL;
}

void rc_regularizer_set_training(rc_regularizer *r, bool training) {
    if (r)
        r->training = training;
}

bool rc_regularizer_training(const rc_regularizer *r) {
    return r && r->training;
}

void rc_regularizer_seed(rc_regularizer *r, uint64_t seed) {
    if (r)
        rc_rng_seed(&r->rng, seed);
}

void rc_regularizer_free(rc_regularizer **r) {
    if (!r || !*r)
        return;
    free((*r)->match);
    free(*r);
    *r = NULL;
}

// ---- chains -----------------------------------------------------------------------------------

struct rc_hook_chain {
    rc_rnn_hooks hooks;
    int n;
    const rc_rnn_hooks **link;
};

static void ch_begin(void *user, const rc_cell_ctx *c) {
    const rc_hook_chain *ch = user;
    for (int i = 0; i < ch->n; i++)
        if (ch->link[i]->begin)
            ch->link[i]->begin(ch->link[i]->user, c);
}

static rc_var ch_weight(void *user, const rc_cell_ctx *c, int k, rc_var w) {
    const rc_hook_chain *ch = user;
    for (int i = 0; i < ch->n; i++)
        if (ch->link[i]->weight)
            w = ch->link[i]->weight(ch->link[i]->user, c, k, w);
    return w;
}

static rc_var ch_input(void *user, const rc_cell_ctx *c, rc_var x) {
    const rc_hook_chain *ch = user;
    for (int i = 0; i < ch->n; i++)
        if (ch->link[i]->input)
            x = ch->link[i]->input(ch->link[i]->user, c, x);
    return x;
}

static void ch_state_in(void *user, const rc_cell_ctx *c, rc_var *read) {
    const rc_hook_chain *ch = user;
    for (int i = 0; i < ch->n; i++)
        if (ch->link[i]->state_in)
            ch->link[i]->state_in(ch->link[i]->user, c, read);
}

static void ch_state_out(void *user, const rc_cell_ctx *c, const rc_var *prev, rc_var *next,
                         rc_var *y) {
    const rc_hook_chain *ch = user;
    for (int i = 0; i < ch->n; i++)
        if (ch->link[i]->state_out)
            ch->link[i]->state_out(ch->link[i]->user, c, prev, next, y);
}

static rc_var ch_output(void *user, const rc_cell_ctx *c, rc_var y) {
    const rc_hook_chain *ch = user;
    for (int i = 0; i < ch->n; i++)
        if (ch->link[i]->output)
            y = ch->link[i]->output(ch->link[i]->user, c, y);
    return y;
}

rc_status rc_hook_chain_new(rc_hook_chain **out, const rc_rnn_hooks *const *links, int n, char *err,
                            size_t err_len) {
    const char *who = "rc_hook_chain_new";
    if (out)
        *out = NULL;
    if (!out || !links || n < 1)
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: needs out and n >= 1 links, got n = %d%s",
                       who, n, links ? "" : " and links == NULL");
    for (int i = 0; i < n; i++)
        if (!links[i])
            return rc_errf(err, err_len, RC_ERR_ARG, "%s: links[%d] is NULL", who, i);
    rc_hook_chain *ch = calloc(1, sizeof *ch);
    if (ch)
        ch->link = malloc((size_t)n * sizeof *ch->link);
    if (!ch || !ch->link) {
        free(ch);
        rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", who);
        return RC_ERR_NOMEM;
    }
    memcpy(ch->link, links, (size_t)n * sizeof *links);
    ch->n = n;
    // The chain offers a hook when some link has it: runners take their fastest path for hooks
    // no link uses (an input hook makes them hand over each step's input separately).
    ch->hooks.user = ch;
    for (int i = 0; i < n; i++) {
        const rc_rnn_hooks *l = links[i];
        ch->hooks.begin = l->begin ? ch_begin : ch->hooks.begin;
        ch->hooks.weight = l->weight ? ch_weight : ch->hooks.weight;
        ch->hooks.input = l->input ? ch_input : ch->hooks.input;
        ch->hooks.state_in = l->state_in ? ch_state_in : ch->hooks.state_in;
        ch->hooks.state_out = l->state_out ? ch_state_out : ch->hooks.state_out;
        ch->hooks.output = l->output ? ch_output : ch->hooks.output;
    }
    *out = ch;
    return RC_OK;
}

const rc_rnn_hooks *rc_hook_chain_hooks(rc_hook_chain *chain) {
    return chain ? &chain->hooks : NULL;
}

void rc_hook_chain_free(rc_hook_chain **chain) {
    if (!chain || !*chain)
        return;
    free((*chain)->link);
    free(*chain);
    *chain = NULL;
}
