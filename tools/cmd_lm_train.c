// `recur lm train`: the vocabulary from --train, the streams, the model, then epochs of truncated
// BPTT with a "flat, then decay" learning rate, the validation perplexity after each epoch, the
// checkpoints (last.safetensors every epoch, best.safetensors on a better validation figure), and
// the test perplexity of the best model. Under mpirun every rank trains on its share of the
// batch's columns, gradients averaged (include/recur/dist.h); rank 0 alone writes and prints.
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lm.h"

typedef struct epoch_row {
    int epoch;
    double lr, train_ppl, valid_ppl, seconds, tokens_per_s, comm_seconds;
} epoch_row;

typedef struct trainer {
    const lm_opts *o;
    lm_model m;
    rc_lm_stream train; // this rank's columns of the training stream
    rc_dist *dist;
    rc_optim *opt;
    rc_graph *g;
    rc_rng drop; // dropout masks
    int first_epoch, best_epoch;
    double best_valid;
    epoch_row *rows;
    int n_rows;
    char err[1024];
    char path_last[4096], path_best[4096];
} trainer;

static bool build_vocab(trainer *t) {
    const lm_opts *o = t->o;
    char path[4096];
    if (o->resume) { // the vocabulary the run started with
        lm_vocab_path(o->resume, path, sizeof path);
        return rc_vocab_load(&t->m.vocab, path, t->err, sizeof t->err) == RC_OK;
    }
    const rc_vocab_opts vo = {.min_count = o->min_count,
                              .max_size = o->max_vocab,
                              .specials = RC_SPECIAL_UNK | RC_SPECIAL_EOS};
    snprintf(path, sizeof path, "%s/vocab.txt", o->out);
    return rc_vocab_new(&t->m.vocab) == RC_OK &&
           rc_vocab_count_file(t->m.vocab, o->train, lm_tokens(o->chars), NULL, true, t->err,
                               sizeof t->err) == RC_OK &&
           (rc_vocab_finalize(t->m.vocab, &vo) == RC_OK ||
            (snprintf(t->err, sizeof t->err, "%s: the vocabulary could not be built", o->train),
             false)) &&
           (rc_dist_rank(t->dist) != 0 ||
            rc_vocab_save(t->m.vocab, path, t->err, sizeof t->err) == RC_OK);
}

static bool build_model(trainer *t) {
    const lm_opts *o = t->o;
    rc_rng master, init;
    rc_rng_seed(&master, o->seed);
    init = rc_rng_split(&master);
    t->drop = rc_rng_split(&master);
    rc_lm_config c = o->model_cfg;
    c.vocab = rc_vocab_size(t->m.vocab);
    const rc_optim_opts oo = rc_optim_defaults((rc_optim_kind)o->optimizer, o->lr);
    return rc_lm_new(&t->m.lm, &c, &init, t->err, sizeof t->err) == RC_OK &&
           rc_optim_new(&t->opt, t->m.lm->ps, &oo, t->err, sizeof t->err) == RC_OK &&
           (rc_graph_new(&t->g) == RC_OK ||
            (snprintf(t->err, sizeof t->err, "out of memory (graph)"), false));
}

static double meta_double(const rc_safetensors *f, const char *key, double fallback) {
    const char *s = rc_safetensors_metadata(f, key);
    return s ? strtod(s, NULL) : fallback;
}

// The epoch, best figure and model options of a last.safetensors; the options must be ours.
static bool resume_state(trainer *t) {
    rc_safetensors *f;
    if (rc_safetensors_open(&f, t->o->resume, t->err, sizeof t->err) != RC_OK)
        return false;
    lm_meta want = {0};
    lm_meta_config(&want, &t->m.lm->config, t->m.chars);
    bool ok = true;
    for (int i = 0; ok && i < want.n; i++) {
        const char *have = rc_safetensors_metadata(f, want.kv[2 * i]);
        if (!have || strcmp(have, want.val[i])) {
            snprintf(t->err, sizeof t->err,
                     "--resume %s: it was trained with %s = %s, these options give %s",
                     t->o->resume, want.kv[2 * i], have ? have : "(none)", want.val[i]);
            ok = false;
        }
    }
    t->first_epoch = (int)meta_double(f, "lm.epoch", 0) + 1;
    t->best_valid = meta_double(f, "lm.best_valid", INFINITY);
    t->best_epoch = (int)meta_double(f, "lm.best_epoch", 0);
    rc_safetensors_close(&f);
    const rc_checkpoint_extra extra = {.optim = t->opt, .rng = &t->drop};
    return ok && rc_checkpoint_load(t->o->resume, t->m.lm->ps, &extra, true, NULL, t->err,
                                    sizeof t->err) == RC_OK;
}

// Rank 0 writes; the others wait for it, so that a file read next (best.safetensors for the test
// figure) is complete on every rank.
static bool save(trainer *t, const char *path, int epoch, bool with_state) {
    if (rc_dist_rank(t->dist) != 0)
        return rc_dist_barrier(t->dist, t->err, sizeof t->err) == RC_OK;
    lm_meta meta = {0};
    lm_meta_config(&meta, &t->m.lm->config, t->m.chars);
    lm_meta_add(&meta, "lm.epoch", "%d", epoch);
    lm_meta_add(&meta, "lm.best_valid", "%.17g", t->best_valid);
    lm_meta_add(&meta, "lm.best_epoch", "%d", t->best_epoch);
    const rc_checkpoint_extra extra = {
        .optim = with_state ? t->opt : NULL, .rng = with_state ? &t->drop : NULL, .meta = meta.kv};
    return rc_checkpoint_save(path, t->m.lm->ps, &extra, t->err, sizeof t->err) == RC_OK &&
           rc_dist_barrier(t->dist, t->err, sizeof t->err) == RC_OK;
}

// One step: the loss and gradients on this rank's columns, their mean over the ranks, clipping
// and the optimizer.
static bool step(trainer *t, const int32_t *x, const int32_t *y, int len, rc_rnn_carry *carry,
                 double *nll) {
    const int batch = t->train.batch;
    char *err = t->err;
    const size_t n = sizeof t->err;
    return rc_lm_backward_step(t->m.lm, t->g, x, y, len, batch, carry, &t->drop, nll, err, n) ==
               RC_OK &&
           rc_dist_average_grads(t->dist, t->m.lm->ps, err, n) == RC_OK &&
           rc_lm_update(t->m.lm, t->opt, t->o->clip, err, n) == RC_OK;
}

// One epoch over the training stream; *ppl is its training perplexity.
static bool train_epoch(trainer *t, int epoch, double *ppl, int64_t *tokens) {
    const lm_opts *o = t->o;
    int64_t n = rc_lm_stream_segments(&t->train, o->bptt);
    if (o->max_segments > 0 && o->max_segments < n)
        n = o->max_segments;
    rc_rnn_carry carry = {0};
    cli_progress p;
    char label[32], note[64];
    snprintf(label, sizeof label, "epoch %d", epoch);
    cli_progress_start(&p, label, n, o->quiet || rc_dist_rank(t->dist) != 0);
    double nll = 0;
    *tokens = 0;
    bool ok = true;
    for (int64_t k = 0; ok && k < n; k++) {
        const int32_t *x, *y;
        const int len = rc_lm_stream_segment(&t->train, o->bptt, k, &x, &y);
        double seg;
        ok = step(t, x, y, len, &carry, &seg);
        nll += seg;
        *tokens += (int64_t)len * t->train.batch;
        if (ok && (k % 64 == 63 || k + 1 == n)) {
            snprintf(note, sizeof note, "train ppl %.2f", exp(nll / (double)*tokens));
            cli_progress_step(&p, k + 1, note);
        }
    }
    cli_progress_end(&p);
    rc_rnn_carry_free(&carry);
    double sums[2] = {nll, (double)*tokens}; // every rank's share
    ok = ok && rc_dist_sum(t->dist, sums, 2, t->err, sizeof t->err) == RC_OK;
    *tokens = (int64_t)sums[1];
    *ppl = exp(sums[0] / sums[1]);
    return ok;
}

static void print_row(const trainer *t, const epoch_row *r) {
    if (t->o->json || rc_dist_rank(t->dist) != 0)
        return;
    printf("epoch %3d  lr %-8.4g  train ppl %8.2f  valid ppl %8.2f  %7.1f s  %8.0f tokens/s",
           r->epoch, r->lr, r->train_ppl, r->valid_ppl, r->seconds, r->tokens_per_s);
    if (t->m.chars)
        printf("  valid bpc %.4f", log2(r->valid_ppl));
    if (rc_dist_size(t->dist) > 1)
        printf("  %d ranks, %.1f s in collectives", rc_dist_size(t->dist), r->comm_seconds);
    putchar('\n');
    fflush(stdout);
}

static bool run_epochs(trainer *t) {
    const lm_opts *o = t->o;
    for (int e = t->first_epoch; e <= o->epochs; e++) {
        epoch_row *r = &t->rows[t->n_rows];
        *r = (epoch_row){.epoch = e, .lr = rc_lm_epoch_lr(o->lr, o->lr_flat, o->lr_decay, e)};
        rc_optim_set_lr(t->opt, r->lr);
        const double t0 = cli_now(), c0 = rc_dist_comm_seconds(t->dist);
        int64_t tokens, vtokens;
        if (!train_epoch(t, e, &r->train_ppl, &tokens) ||
            !lm_perplexity(&t->m, o->valid, o, t->dist, &r->valid_ppl, &vtokens, t->err,
                           sizeof t->err))
            return false;
        r->seconds = cli_now() - t0;
        r->comm_seconds = rc_dist_comm_seconds(t->dist) - c0;
        r->tokens_per_s = (double)tokens / r->seconds;
        t->n_rows++;
        if (r->valid_ppl < t->best_valid) {
            t->best_valid = r->valid_ppl;
            t->best_epoch = e;
            if (!save(t, t->path_best, e, false))
                return false;
        }
        if (!save(t, t->path_last, e, true))
            return false;
        print_row(t, r);
    }
    return true;
}

static void report_json(const trainer *t, double test_ppl, int64_t test_tokens) {
    json_t *epochs = json_array();
    for (int i = 0; i < t->n_rows; i++) {
        const epoch_row *r = &t->rows[i];
        json_array_append_new(epochs,
                              json_pack("{s:i, s:f, s:f, s:f, s:f, s:f, s:f}", "epoch", r->epoch,
                                        "lr", r->lr, "train_ppl", r->train_ppl, "valid_ppl",
                                        r->valid_ppl, "seconds", r->seconds, "tokens_per_s",
                                        r->tokens_per_s, "comm_seconds", r->comm_seconds));
    }
    json_t *root =
        json_pack("{s:o, s:i, s:f, s:s, s:i, s:i}", "epochs", epochs, "best_epoch", t->best_epoch,
                  "best_valid_ppl", t->best_valid, "best_model", t->path_best, "vocab",
                  rc_vocab_size(t->m.vocab), "ranks", rc_dist_size(t->dist));
    if (t->m.chars)
        json_object_set_new(root, "best_valid_bpc", json_real(log2(t->best_valid)));
    if (t->o->test) {
        json_object_set_new(root, "test_ppl", json_real(test_ppl));
        if (t->m.chars)
            json_object_set_new(root, "test_bpc", json_real(log2(test_ppl)));
        json_object_set_new(root, "test_tokens", json_integer(test_tokens));
    }
    cli_print_json(root);
}

// The test perplexity of the best model (loaded back into the trained one).
static bool test_best(trainer *t, double *ppl, int64_t *tokens) {
    *ppl = NAN;
    *tokens = 0;
    if (!t->o->test)
        return true;
    if (!t->best_epoch) {
        snprintf(t->err, sizeof t->err, "no epoch was trained, so there is no best model to test");
        return false;
    }
    return rc_checkpoint_load(t->path_best, t->m.lm->ps, NULL, true, NULL, t->err, sizeof t->err) ==
               RC_OK &&
           lm_perplexity(&t->m, t->o->test, t->o, t->dist, ppl, tokens, t->err, sizeof t->err);
}

// Every rank starts from rank 0's parameters and optimizer state, and draws its own dropout
// masks: rank r's generator is the r-th split of rank 0's (the one checkpoints keep).
static bool join_ranks(trainer *t) {
    for (int r = 0; r < rc_dist_rank(t->dist); r++)
        t->drop = rc_rng_split(&t->drop);
    return rc_dist_broadcast(t->dist, t->m.lm->ps, t->opt, t->err, sizeof t->err) == RC_OK;
}

static bool setup(trainer *t) {
    const lm_opts *o = t->o;
    snprintf(t->path_last, sizeof t->path_last, "%s/last.safetensors", o->out);
    snprintf(t->path_best, sizeof t->path_best, "%s/best.safetensors", o->out);
    t->first_epoch = 1;
    t->best_valid = INFINITY;
    t->m.chars = o->chars;
    t->rows = calloc((size_t)o->epochs + 1, sizeof *t->rows);
    if (!t->rows)
        return snprintf(t->err, sizeof t->err, "out of memory"), false;
    return rc_dist_init(&t->dist, NULL, t->err, sizeof t->err) == RC_OK &&
           cli_mkdir(o->out, t->err, sizeof t->err) && build_vocab(t) &&
           lm_read_shard(&t->m, o->train, o->batch, t->dist, &t->train, t->err, sizeof t->err) &&
           build_model(t) && (!o->resume || resume_state(t)) && join_ranks(t);
}

// " (bpc B)" for a character-level model's perplexity; one buffer, so one use per printf.
static const char *bpc_note(double ppl) {
    static char buf[32];
    snprintf(buf, sizeof buf, " (bpc %.4f)", log2(ppl));
    return buf;
}

int lm_train(const lm_opts *o) {
    trainer t = {.o = o};
    double test_ppl;
    int64_t test_tokens;
    const bool ok = setup(&t) && run_epochs(&t) && test_best(&t, &test_ppl, &test_tokens);
    const bool speaks = rc_dist_rank(t.dist) == 0;
    if (ok && !speaks)
        ;
    else if (ok && o->json)
        report_json(&t, test_ppl, test_tokens);
    else if (ok)
        printf("best epoch %d: valid ppl %.2f%s%s", t.best_epoch, t.best_valid,
               o->chars ? bpc_note(t.best_valid) : "", o->test ? "" : "\n");
    if (ok && speaks && o->test && !o->json)
        printf(", test ppl %.2f%s (%lld tokens)\n", test_ppl, o->chars ? bpc_note(test_ppl) : "",
               (long long)test_tokens);
    rc_graph_free(&t.g);
    rc_optim_free(&t.opt);
    rc_lm_stream_free(&t.train);
    rc_dist_free(&t.dist);
    lm_model_free(&t.m);
    free(t.rows);
    return ok ? CLI_OK : cli_fail("lm", "%s", t.err[0] ? t.err : "training failed");
}
