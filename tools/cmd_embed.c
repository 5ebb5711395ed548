// `recur embed`: word2vec (skip-gram or CBOW, negative sampling or hierarchical softmax) and,
// with --minn/--maxn, fastText's subword vectors, trained on a corpus by rc_w2v_train_file and
// written as a .vec file that word2vec, fastText and gensim read. Optionally evaluates the
// vectors right away on analogy and word-similarity files (cmd_vectors.c has those alone).
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/recur.h>

#include "cli.h"
#include "commands.h"
#include "vectors.h"

const char cmd_embed_usage[] =
    "usage: recur embed CORPUS --out FILE.vec [options]\n"
    "Trains word vectors on CORPUS (UTF-8, one sentence a line, words separated by spaces) and\n"
    "writes them in the word2vec text format. The defaults are gensim's Word2Vec: skip-gram,\n"
    "dimension 100, window 5, 5 negatives, sample 1e-3, lr 0.025, 5 epochs, min-count 5.\n"
    "  --out FILE.vec      where to write the vectors (required)\n"
    "  --model NAME        skipgram (default) or cbow\n"
    "  --loss NAME         ns (negative sampling, default) or hs (hierarchical softmax)\n"
    "  --dim D             vector size (default 100)\n"
    "  --window W          largest context distance (default 5)\n"
    "  --negative K        negatives per positive (default 5)\n"
    "  --ns-power X        exponent of the negative-sampling counts (default 0.75)\n"
    "  --sample T          subsampling threshold, 0 for none (default 1e-3)\n"
    "  --lr X              starting learning rate, decays linearly (default 0.025)\n"
    "  --epochs N          passes over the corpus (default 5)\n"
    "  --min-count N       words seen fewer times are dropped (default 5)\n"
    "  --max-vocab N       at most N words, the most frequent (default: all)\n"
    "  --minn N, --maxn N  fastText character n-grams of N..M characters (default 0: none)\n"
    "  --bucket N          hash buckets for the n-grams (default 2000000)\n"
    "  --seed S            seed (default 1); with --threads 1 the vectors are reproducible\n"
    "  --analogies FILE    then evaluate on analogies (questions-words.txt format)\n"
    "  --similarity FILE   then evaluate on word similarity (word1 TAB word2 TAB score)\n"
    "  --threads N         training threads (Hogwild above 1)\n"
    "  --quiet             no progress on stderr\n"
    "  --json              print the results as JSON\n";

enum {
    OPT_OUT = CLI_OPT_FIRST_OWN,
    OPT_MODEL,
    OPT_LOSS,
    OPT_DIM,
    OPT_WINDOW,
    OPT_NEGATIVE,
    OPT_NS_POWER,
    OPT_SAMPLE,
    OPT_LR,
    OPT_EPOCHS,
    OPT_MIN_COUNT,
    OPT_MAX_VOCAB,
    OPT_MINN,
    OPT_MAXN,
    OPT_BUCKET,
    OPT_SEED,
    OPT_ANALOGIES,
    OPT_SIMILARITY,
};

static const struct option longopts[] = {CLI_COMMON_OPTIONS,
                                         {"out", required_argument, 0, OPT_OUT},
                                         {"model", required_argument, 0, OPT_MODEL},
                                         {"loss", required_argument, 0, OPT_LOSS},
                                         {"dim", required_argument, 0, OPT_DIM},
                                         {"window", required_argument, 0, OPT_WINDOW},
                                         {"negative", required_argument, 0, OPT_NEGATIVE},
                                         {"ns-power", required_argument, 0, OPT_NS_POWER},
                                         {"sample", required_argument, 0, OPT_SAMPLE},
                                         {"lr", required_argument, 0, OPT_LR},
                                         {"epochs", required_argument, 0, OPT_EPOCHS},
                                         {"min-count", required_argument, 0, OPT_MIN_COUNT},
                                         {"max-vocab", required_argument, 0, OPT_MAX_VOCAB},
                                         {"minn", required_argument, 0, OPT_MINN},
                                         {"maxn", required_argument, 0, OPT_MAXN},
                                         {"bucket", required_argument, 0, OPT_BUCKET},
                                         {"seed", required_argument, 0, OPT_SEED},
                                         {"analogies", required_argument, 0, OPT_ANALOGIES},
                                         {"similarity", required_argument, 0, OPT_SIMILARITY},
                                         {0, 0, 0, 0}};

typedef struct embed_opts {
    const char *corpus, *out, *analogies, *similarity;
    rc_w2v_opts w;
    cli_common common;
} embed_opts;

static bool name_option(rc_w2v_opts *w, int opt, const char *arg) {
    const bool model = opt == OPT_MODEL;
    if (model && (!strcmp(arg, "skipgram") || !strcmp(arg, "cbow")))
        return w->arch = !strcmp(arg, "cbow") ? RC_W2V_CBOW : RC_W2V_SKIPGRAM, true;
    if (!model && (!strcmp(arg, "ns") || !strcmp(arg, "hs")))
        return w->loss = !strcmp(arg, "hs") ? RC_W2V_HS : RC_W2V_NEG, true;
    cli_usage("embed",
              model ? "--model: unknown '%s' (skipgram or cbow)"
                    : "--loss: unknown '%s' (ns or hs)",
              arg);
    return false;
}

static bool size_option(rc_w2v_opts *w, int opt, const char *arg) {
    int64_t v;
    switch (opt) {
    case OPT_DIM: return cli_int("embed", "dim", arg, 1, 1 << 16, &w->dim);
    case OPT_WINDOW: return cli_int("embed", "window", arg, 1, 1000, &w->window);
    case OPT_NEGATIVE: return cli_int("embed", "negative", arg, 1, 1000, &w->negative);
    case OPT_EPOCHS: return cli_int("embed", "epochs", arg, 1, 100000, &w->epochs);
    case OPT_MIN_COUNT: return cli_long("embed", "min-count", arg, 1, INT64_MAX, &w->min_count);
    case OPT_MAX_VOCAB: return cli_long("embed", "max-vocab", arg, 1, INT32_MAX, &w->max_vocab);
    case OPT_MINN: return cli_int("embed", "minn", arg, 1, 64, &w->minn);
    case OPT_MAXN: return cli_int("embed", "maxn", arg, 1, 64, &w->maxn);
    case OPT_BUCKET:
        return cli_long("embed", "bucket", arg, 1, INT32_MAX, &v) && (w->bucket = (uint32_t)v);
    case OPT_SEED:
        return cli_long("embed", "seed", arg, 0, INT64_MAX, &v) && (w->seed = (uint64_t)v, true);
    default: return false;
    }
}

static bool rate_option(rc_w2v_opts *w, int opt, const char *arg) {
    double d;
    switch (opt) {
    case OPT_NS_POWER: return cli_double("embed", "ns-power", arg, 0, 10, &w->ns_power);
    case OPT_SAMPLE: return cli_double("embed", "sample", arg, 0, 1, &w->sample);
    case OPT_LR: return cli_double("embed", "lr", arg, 1e-9, 100, &d) && (w->lr = (float)d, true);
    default: return false;
    }
}

// One option of ours; false after printing why it is wrong.
static bool own_option(void *ctx, int opt, const char *arg) {
    embed_opts *o = ctx;
    switch (opt) {
    case OPT_OUT: o->out = arg; return true;
    case OPT_ANALOGIES: o->analogies = arg; return true;
    case OPT_SIMILARITY: o->similarity = arg; return true;
    case OPT_MODEL:
    case OPT_LOSS: return name_option(&o->w, opt, arg);
    case OPT_NS_POWER:
    case OPT_SAMPLE:
    case OPT_LR: return rate_option(&o->w, opt, arg);
    default: return size_option(&o->w, opt, arg);
    }
}

// -1: parsed; else the exit status to return.
static int parse(int argc, char **argv, embed_opts *o) {
    o->w = rc_w2v_defaults();
    const int st = cli_parse_options("embed", argc, argv, longopts, &o->common, own_option, o,
                                     cmd_embed_usage);
    if (st >= 0)
        return st;
    if (optind + 1 != argc)
        return cli_usage("embed",
                         optind >= argc ? "which corpus? (recur embed CORPUS --out F.vec)"
                                        : "one corpus only, got '%s' too",
                         argv[optind + (optind < argc)]);
    o->corpus = argv[optind];
    if (!o->out)
        return cli_usage("embed", "--out FILE.vec is required");
    if ((o->w.minn > 0) != (o->w.maxn > 0) || o->w.minn > o->w.maxn)
        return cli_usage("embed", "--minn and --maxn go together, with minn <= maxn");
    if (o->common.threads > 0)
        o->w.threads = o->common.threads;
    return -1;
}

typedef struct progress_ctx {
    cli_progress bar;
} progress_ctx;

static void on_progress(double done, float lr, double loss, void *user) {
    progress_ctx *p = user;
    char note[64];
    snprintf(note, sizeof note, "lr %.5f, loss %.4f", (double)lr, loss);
    cli_progress_step(&p->bar, (int64_t)(done * 1000), note);
}

static void print_training(const embed_opts *o, const rc_w2v *m, const rc_w2v_stats *s,
                           json_t *root) {
    const int64_t V = rc_vocab_size(rc_w2v_vocab(m));
    if (root) {
        json_object_set_new(root, "vectors", json_string(o->out));
        json_object_set_new(root, "vocab", json_integer(V));
        json_object_set_new(root, "dim", json_integer(o->w.dim));
        json_object_set_new(root, "words", json_integer(s->words));
        json_object_set_new(root, "examples", json_integer(s->examples));
        json_object_set_new(root, "loss", json_real(s->loss));
        json_object_set_new(root, "seconds", json_real(s->seconds));
        json_object_set_new(root, "read_seconds", json_real(s->read_seconds));
        json_object_set_new(root, "words_per_second",
                            json_real(s->seconds > 0 ? (double)s->words_seen / s->seconds : 0));
        return;
    }
    printf("%s: %lld words of dimension %d, %lld corpus words, loss %.4f, %.1f s training "
           "(%.0f words/s), %.1f s reading\n",
           o->out, (long long)V, o->w.dim, (long long)s->words, s->loss, s->seconds,
           s->seconds > 0 ? (double)s->words_seen / s->seconds : 0, s->read_seconds);
}

static int train(embed_opts *o) {
    progress_ctx p;
    cli_progress_start(&p.bar, "embed", 1000, o->common.quiet);
    o->w.progress = on_progress;
    o->w.user = &p;
    rc_w2v *m = NULL;
    rc_wordvecs *wv = NULL;
    rc_w2v_stats stats;
    char err[1024] = "";
    bool ok = rc_w2v_train_file(&m, o->corpus, &o->w, &stats, err, sizeof err) == RC_OK;
    cli_progress_end(&p.bar);
    ok = ok && (rc_w2v_to_wordvecs(m, &wv) == RC_OK ||
                (snprintf(err, sizeof err, "%s", rc_last_error()), false));
    ok = ok && rc_wordvecs_save_vec(wv, o->out, err, sizeof err) == RC_OK;
    json_t *root = ok && o->common.json ? json_object() : NULL;
    if (ok)
        print_training(o, m, &stats, root);
    const rc_eval_opts eo = rc_eval_defaults();
    ok = ok && (!o->analogies || vectors_analogies(wv, o->analogies, &eo, root, err, sizeof err));
    ok =
        ok && (!o->similarity || vectors_similarity(wv, o->similarity, &eo, root, err, sizeof err));
    if (ok && root)
        cli_print_json(root);
    else
        json_decref(root);
    rc_wordvecs_free(&wv);
    rc_w2v_free(&m);
    return ok ? CLI_OK : cli_fail("embed", "%s", err);
}

int cmd_embed(int argc, char **argv) {
    embed_opts o = {0};
    const int st = parse(argc, argv, &o);
    return st >= 0 ? st : train(&o);
}
