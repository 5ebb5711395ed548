// `recur lm`: recurrent language models on text files (include/recur/lm.h). `train` lays the
// token stream out for truncated BPTT and trains (cmd_lm_train.c); `eval` gives the perplexity
// of files under a saved model; `sample` continues a prime with the model's draws.
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "lm.h"

const char cmd_lm_usage[] =
    "usage: recur lm train --train FILE --valid FILE [--test FILE] [--out DIR] [options]\n"
    "       recur lm eval --model FILE.safetensors [--bptt T] [--batch B] FILE...\n"
    "       recur lm sample --model FILE.safetensors [--words N] [--prime TEXT] [--seed S]\n"
    "                       [--temperature X]\n"
    "Word-level language models: text files of one sentence a line, tokens separated by spaces\n"
    "(Penn Treebank's layout), <eos> after each line. The defaults are Zaremba et al. 2014's\n"
    "small model. train writes DIR/vocab.txt, DIR/last.safetensors after every epoch (with the\n"
    "optimizer and generator state, for --resume) and DIR/best.safetensors (best validation\n"
    "perplexity), and prints train and validation perplexity per epoch, then the test one of\n"
    "the best model. --chars makes every character a token (raw text; <eos> stands for the\n"
    "newline) and adds bits per character. docs/cli.md has the details.\n"
    "  --cell NAME        any cell type, built-in or from --plugin (default lstm)\n"
    "  --layers L         stacked layers (default 2)\n"
    "  --hidden H         hidden size (default 200)\n"
    "  --embed E          embedding size (default: the hidden size)\n"
    "  --dropout P        dropout on embeddings, between layers, before the read-out (default 0)\n"
    "  --tied             the read-out reuses the embedding (needs --embed = the cells' output)\n"
    "  --chars            train: a character-level model (eval and sample follow the model)\n"
    "  --init-range R     every parameter from U(-R, R); 0: each layer's default (default 0.1)\n"
    "  --bptt T           steps per segment of truncated BPTT (default 20)\n"
    "  --batch B          columns of the stream (default 20)\n"
    "  --eval-batch B     columns when evaluating (default 1: the stream read straight through)\n"
    "  --epochs N         epochs (default 13)\n"
    "  --optimizer NAME   sgd (default), adam, adamw, adagrad, rmsprop\n"
    "  --lr X             learning rate (default 1)\n"
    "  --lr-flat N        epochs at --lr before the decay starts (default 5)\n"
    "  --lr-decay X       factor applied every later epoch (default 0.5)\n"
    "  --clip X           gradient-norm clip, 0 for none (default 5)\n"
    "  --min-count N      words seen fewer times in --train become <unk> (default 1)\n"
    "  --max-vocab N      at most N words, <unk> and <eos> included (default: all)\n"
    "  --max-segments N   stop each epoch (and each evaluation) after N segments\n"
    "  --seed S           seed of the initialisation and dropout (default 1)\n"
    "  --out DIR          output folder (default lm-out)\n"
    "  --resume FILE      continue from a last.safetensors (same options), bit for bit\n"
    "  --model FILE       eval, sample: a checkpoint; vocab.txt is read from its folder\n"
    "  --words N          sample: words to draw (default 50)\n"
    "  --prime TEXT       sample: the words to start from (default <eos>)\n"
    "  --temperature X    sample: divides the logits (default 1)\n"
    "  --threads N        threads inside kernels\n"
    "  --plugin FILE.so   load a plugin's cell types first (repeatable)\n"
    "  --quiet            no progress on stderr\n"
    "  --json             print the results as JSON\n";

enum {
    OPT_TRAIN = CLI_OPT_FIRST_OWN,
    OPT_VALID,
    OPT_TEST,
    OPT_OUT,
    OPT_RESUME,
    OPT_MODEL,
    OPT_CELL,
    OPT_LAYERS,
    OPT_HIDDEN,
    OPT_EMBED,
    OPT_DROPOUT,
    OPT_TIED,
    OPT_CHARS,
    OPT_INIT_RANGE,
    OPT_BPTT,
    OPT_BATCH,
    OPT_EVAL_BATCH,
    OPT_EPOCHS,
    OPT_OPTIMIZER,
    OPT_LR,
    OPT_LR_FLAT,
    OPT_LR_DECAY,
    OPT_CLIP,
    OPT_MIN_COUNT,
    OPT_MAX_VOCAB,
    OPT_MAX_SEGMENTS,
    OPT_SEED,
    OPT_WORDS,
    OPT_PRIME,
    OPT_TEMPERATURE,
};

static const struct option longopts[] = {CLI_COMMON_OPTIONS,
                                         {"train", required_argument, 0, OPT_TRAIN},
                                         {"valid", required_argument, 0, OPT_VALID},
                                         {"test", required_argument, 0, OPT_TEST},
                                         {"out", required_argument, 0, OPT_OUT},
                                         {"resume", required_argument, 0, OPT_RESUME},
                                         {"model", required_argument, 0, OPT_MODEL},
                                         {"cell", required_argument, 0, OPT_CELL},
                                         {"layers", required_argument, 0, OPT_LAYERS},
                                         {"hidden", required_argument, 0, OPT_HIDDEN},
                                         {"embed", required_argument, 0, OPT_EMBED},
                                         {"dropout", required_argument, 0, OPT_DROPOUT},
                                         {"tied", no_argument, 0, OPT_TIED},
                                         {"chars", no_argument, 0, OPT_CHARS},
                                         {"init-range", required_argument, 0, OPT_INIT_RANGE},
                                         {"bptt", required_argument, 0, OPT_BPTT},
                                         {"batch", required_argument, 0, OPT_BATCH},
                                         {"eval-batch", required_argument, 0, OPT_EVAL_BATCH},
                                         {"epochs", required_argument, 0, OPT_EPOCHS},
                                         {"optimizer", required_argument, 0, OPT_OPTIMIZER},
                                         {"lr", required_argument, 0, OPT_LR},
                                         {"lr-flat", required_argument, 0, OPT_LR_FLAT},
                                         {"lr-decay", required_argument, 0, OPT_LR_DECAY},
                                         {"clip", required_argument, 0, OPT_CLIP},
                                         {"min-count", required_argument, 0, OPT_MIN_COUNT},
                                         {"max-vocab", required_argument, 0, OPT_MAX_VOCAB},
                                         {"max-segments", required_argument, 0, OPT_MAX_SEGMENTS},
                                         {"seed", required_argument, 0, OPT_SEED},
                                         {"words", required_argument, 0, OPT_WORDS},
                                         {"prime", required_argument, 0, OPT_PRIME},
                                         {"temperature", required_argument, 0, OPT_TEMPERATURE},
                                         {0, 0, 0, 0}};

static bool model_option(lm_opts *o, int opt, const char *arg) {
    rc_lm_config *c = &o->model_cfg;
    double d;
    int64_t v;
    switch (opt) {
    case OPT_CELL: o->cell_name = arg; return true;
    case OPT_LAYERS: return cli_int("lm", "layers", arg, 1, 64, &c->num_layers);
    case OPT_HIDDEN: return cli_long("lm", "hidden", arg, 1, 1 << 16, &c->dim_hidden);
    case OPT_EMBED: return cli_long("lm", "embed", arg, 1, 1 << 16, &c->dim_embed);
    case OPT_DROPOUT:
        return cli_double("lm", "dropout", arg, 0, 0.99, &d) && (c->dropout = (float)d, true);
    case OPT_TIED: c->tied = true; return true;
    case OPT_CHARS: o->chars = true; return true;
    case OPT_INIT_RANGE:
        return cli_double("lm", "init-range", arg, 0, 10, &d) && (c->init_range = (float)d, true);
    case OPT_SEED:
        return cli_long("lm", "seed", arg, 0, INT64_MAX, &v) && (o->seed = (uint64_t)v, true);
    default: return false;
    }
}

static bool training_option(lm_opts *o, int opt, const char *arg) {
    switch (opt) {
    case OPT_BPTT: return cli_int("lm", "bptt", arg, 1, 100000, &o->bptt);
    case OPT_BATCH: return cli_int("lm", "batch", arg, 1, 1 << 16, &o->batch);
    case OPT_EVAL_BATCH: return cli_int("lm", "eval-batch", arg, 1, 1 << 16, &o->eval_batch);
    case OPT_EPOCHS: return cli_int("lm", "epochs", arg, 1, 100000, &o->epochs);
    case OPT_LR: return cli_double("lm", "lr", arg, 1e-9, 1000, &o->lr);
    case OPT_LR_FLAT: return cli_int("lm", "lr-flat", arg, 0, 100000, &o->lr_flat);
    case OPT_LR_DECAY: return cli_double("lm", "lr-decay", arg, 1e-6, 1, &o->lr_decay);
    case OPT_CLIP: return cli_double("lm", "clip", arg, 0, 1e9, &o->clip);
    case OPT_MIN_COUNT: return cli_long("lm", "min-count", arg, 1, INT64_MAX, &o->min_count);
    case OPT_MAX_VOCAB: return cli_long("lm", "max-vocab", arg, 3, INT32_MAX, &o->max_vocab);
    case OPT_MAX_SEGMENTS:
        return cli_long("lm", "max-segments", arg, 1, INT64_MAX, &o->max_segments);
    case OPT_WORDS: return cli_int("lm", "words", arg, 0, 1000000, &o->words);
    case OPT_TEMPERATURE: return cli_double("lm", "temperature", arg, 1e-3, 1e3, &o->temperature);
    case OPT_OPTIMIZER:
        if ((o->optimizer = rc_optim_kind_find(arg)) < 0) {
            cli_usage("lm", "--optimizer: unknown '%s' (sgd, adam, adamw, adagrad, rmsprop)", arg);
            return false;
        }
        return true;
    default: return false;
    }
}

static bool file_option(lm_opts *o, int opt, const char *arg) {
    switch (opt) {
    case OPT_TRAIN: o->train = arg; return true;
    case OPT_VALID: o->valid = arg; return true;
    case OPT_TEST: o->test = arg; return true;
    case OPT_OUT: o->out = arg; return true;
    case OPT_RESUME: o->resume = arg; return true;
    case OPT_MODEL: o->model = arg; return true;
    case OPT_PRIME: o->prime = arg; return true;
    default: return false;
    }
}

static void defaults(lm_opts *o) {
    *o = (lm_opts){.cell_name = "lstm",
                   .out = "lm-out",
                   .model_cfg = {.num_layers = 2, .dim_hidden = 200, .init_range = 0.1f},
                   .bptt = 20,
                   .batch = 20,
                   .eval_batch = 1,
                   .epochs = 13,
                   .lr = 1,
                   .lr_flat = 5,
                   .lr_decay = 0.5,
                   .clip = 5,
                   .min_count = 1,
                   .optimizer = RC_OPTIM_SGD,
                   .seed = 1,
                   .words = 50,
                   .temperature = 1};
}

// What each verb needs; a usage error otherwise.
static int check_verb(lm_opts *o, int argc, char **argv) {
    const bool train = !strcmp(o->verb, "train"), eval = !strcmp(o->verb, "eval");
    if (!train && !eval && strcmp(o->verb, "sample"))
        return cli_usage("lm", "unknown verb '%s' (train, eval or sample)", o->verb);
    if (train && (!o->train || !o->valid))
        return cli_usage("lm", "train needs --train FILE and --valid FILE");
    if (!train && !o->model)
        return cli_usage("lm", "%s needs --model FILE.safetensors", o->verb);
    o->files = (const char **)argv + optind;
    o->n_files = argc - optind;
    if (eval && o->n_files == 0)
        return cli_usage("lm", "eval needs one or more text files after the options");
    if (!eval && o->n_files > 0)
        return cli_usage("lm", "unexpected argument '%s'", argv[optind]);
    if (train && !(o->model_cfg.cell = rc_cell_type_find(o->cell_name)))
        return cli_usage("lm", "--cell: unknown cell type '%s' (recur cells lists them)",
                         o->cell_name);
    if (!o->model_cfg.dim_embed)
        o->model_cfg.dim_embed = o->model_cfg.dim_hidden;
    return -1;
}

static bool own_option(void *ctx, int opt, const char *arg) {
    lm_opts *o = ctx;
    return model_option(o, opt, arg) || file_option(o, opt, arg) || training_option(o, opt, arg);
}

// -1: parsed; else the exit status to return.
static int parse(int argc, char **argv, lm_opts *o) {
    cli_common common = {0};
    defaults(o);
    const int st =
        cli_parse_options("lm", argc, argv, longopts, &common, own_option, o, cmd_lm_usage);
    if (st >= 0)
        return st;
    if (optind >= argc)
        return cli_usage("lm", "which one: train, eval or sample?");
    o->verb = argv[optind++];
    o->quiet = common.quiet;
    o->json = common.json;
    return check_verb(o, argc, argv);
}

// ---- shared with cmd_lm_train.c ---------------------------------------------------------------

const rc_tok_opts *lm_tokens(bool chars) {
    static const rc_tok_opts words = {.mode = RC_TOK_WORDS, .punct = RC_PUNCT_KEEP};
    static const rc_tok_opts characters = {.mode = RC_TOK_CHARS, .keep_space = true};
    return chars ? &characters : &words;
}

bool lm_read_stream(const lm_model *m, const char *path, int batch, rc_lm_stream *s, char *err,
                    size_t err_len) {
    const rc_vocab *v = m->vocab;
    int32_t *ids;
    int64_t n;
    if (rc_vocab_read_ids(v, path, lm_tokens(m->chars), NULL, true, &ids, &n, err, err_len) !=
        RC_OK)
        return false;
    rc_status st = rc_lm_stream_new(s, ids, n, batch, err, err_len);
    free(ids);
    if (st != RC_OK) {
        char why[400];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, err_len, "%s: %s", path, why);
    }
    return st == RC_OK;
}

bool lm_read_shard(const lm_model *m, const char *path, int batch, rc_dist *d, rc_lm_stream *s,
                   char *err, size_t err_len) {
    const int ranks = rc_dist_size(d);
    if (batch % ranks) {
        snprintf(err, err_len, "a batch of %d columns does not split evenly over %d ranks", batch,
                 ranks);
        return false;
    }
    if (ranks == 1)
        return lm_read_stream(m, path, batch, s, err, err_len);
    rc_lm_stream all;
    if (!lm_read_stream(m, path, batch, &all, err, err_len))
        return false;
    int64_t b0, b1;
    rc_dist_shard(d, batch, &b0, &b1);
    rc_status st = rc_lm_stream_columns(&all, (int)b0, (int)(b1 - b0), s, err, err_len);
    rc_lm_stream_free(&all);
    return st == RC_OK;
}

bool lm_perplexity(const lm_model *m, const char *path, const lm_opts *o, rc_dist *d, double *ppl,
                   int64_t *tokens, char *err, size_t err_len) {
    rc_lm_stream s;
    // The columns split over the ranks when they can; otherwise every rank reads them all and
    // rank 0's figure stands.
    rc_dist *share = o->eval_batch % rc_dist_size(d) ? NULL : d;
    if (!lm_read_shard(m, path, o->eval_batch, share, &s, err, err_len))
        return false;
    double nll;
    rc_status st = rc_lm_evaluate(m->lm, &s, o->bptt, o->max_segments, &nll, tokens, err, err_len);
    rc_lm_stream_free(&s);
    double sums[2] = {nll, (double)*tokens};
    if (st == RC_OK && share)
        st = rc_dist_sum(share, sums, 2, err, err_len);
    *tokens = (int64_t)sums[1];
    *ppl = *tokens ? exp(sums[0] / sums[1]) : NAN;
    return st == RC_OK;
}

void lm_meta_add(lm_meta *m, const char *key, const char *fmt, ...) {
    if (m->n >= LM_META_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->val[m->n], sizeof m->val[m->n], fmt, ap);
    va_end(ap);
    m->kv[2 * m->n] = key;
    m->kv[2 * m->n + 1] = m->val[m->n];
    m->n++;
    m->kv[2 * m->n] = NULL;
}

void lm_meta_config(lm_meta *m, const rc_lm_config *c, bool chars) {
    lm_meta_add(m, "lm.cell", "%s", c->cell->name);
    lm_meta_add(m, "lm.vocab", "%lld", (long long)c->vocab);
    lm_meta_add(m, "lm.embed", "%lld", (long long)c->dim_embed);
    lm_meta_add(m, "lm.hidden", "%lld", (long long)c->dim_hidden);
    lm_meta_add(m, "lm.layers", "%d", c->num_layers);
    lm_meta_add(m, "lm.dropout", "%a", (double)c->dropout);
    lm_meta_add(m, "lm.tied", "%d", c->tied ? 1 : 0);
    if (chars) // absent in word-level checkpoints, as before
        lm_meta_add(m, "lm.chars", "1");
}

void lm_vocab_path(const char *checkpoint, char *buf, size_t len) {
    const char *slash = strrchr(checkpoint, '/');
    const int dir = slash ? (int)(slash - checkpoint) : 0;
    snprintf(buf, len, "%.*s%svocab.txt", dir, checkpoint, slash ? "/" : "");
}

static bool meta_long(const rc_safetensors *f, const char *key, int64_t *out) {
    const char *s = rc_safetensors_metadata(f, key);
    char *end;
    errno = 0;
    if (!s || (*out = strtoll(s, &end, 10), errno || *end || end == s))
        return false;
    return true;
}

// The model's config from a checkpoint's metadata.
static bool config_from(const rc_safetensors *f, const char *path, rc_lm_config *c, char *err,
                        size_t err_len) {
    int64_t layers, tied;
    const char *cell = rc_safetensors_metadata(f, "lm.cell");
    const char *dropout = rc_safetensors_metadata(f, "lm.dropout");
    *c = (rc_lm_config){0};
    if (!cell || !dropout || !meta_long(f, "lm.vocab", &c->vocab) ||
        !meta_long(f, "lm.embed", &c->dim_embed) || !meta_long(f, "lm.hidden", &c->dim_hidden) ||
        !meta_long(f, "lm.layers", &layers) || !meta_long(f, "lm.tied", &tied) || layers < 1 ||
        layers > 64) {
        snprintf(err, err_len, "%s: not a checkpoint of recur lm (lm.* metadata missing or bad)",
                 path);
        return false;
    }
    if (!(c->cell = rc_cell_type_find(cell))) {
        snprintf(err, err_len, "%s: cell type '%s' is not registered (load its --plugin)", path,
                 cell);
        return false;
    }
    c->num_layers = (int)layers;
    c->tied = tied != 0;
    c->dropout = (float)strtod(dropout, NULL);
    return true;
}

bool lm_model_load(lm_model *m, const char *path, char *err, size_t err_len) {
    *m = (lm_model){0};
    rc_safetensors *f;
    if (rc_safetensors_open(&f, path, err, err_len) != RC_OK)
        return false;
    rc_lm_config c;
    bool ok = config_from(f, path, &c, err, err_len);
    const char *chars = rc_safetensors_metadata(f, "lm.chars");
    m->chars = chars && !strcmp(chars, "1");
    rc_safetensors_close(&f);
    char vocab[4096];
    lm_vocab_path(path, vocab, sizeof vocab);
    ok = ok && rc_vocab_load(&m->vocab, vocab, err, err_len) == RC_OK;
    if (ok && rc_vocab_size(m->vocab) != c.vocab) {
        snprintf(err, err_len, "%s has %d words, %s was trained with %lld", vocab,
                 rc_vocab_size(m->vocab), path, (long long)c.vocab);
        ok = false;
    }
    ok = ok && rc_lm_new(&m->lm, &c, NULL, err, err_len) == RC_OK &&
         rc_checkpoint_load(path, m->lm->ps, NULL, true, NULL, err, err_len) == RC_OK;
    if (!ok)
        lm_model_free(m);
    return ok;
}

void lm_model_free(lm_model *m) {
    rc_lm_free(&m->lm);
    rc_vocab_free(&m->vocab);
}

// ---- eval and sample ---------------------------------------------------------------------------

static const char *bpc_text(double ppl) {
    static char buf[40];
    snprintf(buf, sizeof buf, "\tbits per character %.4f", log2(ppl));
    return buf;
}

static int lm_eval(const lm_opts *o) {
    lm_model m;
    char err[1024];
    if (!lm_model_load(&m, o->model, err, sizeof err))
        return cli_fail("lm", "%s", err);
    int st = CLI_OK;
    json_t *files = json_array();
    for (int i = 0; i < o->n_files && st == CLI_OK; i++) {
        double ppl;
        int64_t tokens;
        if (!lm_perplexity(&m, o->files[i], o, NULL, &ppl, &tokens, err, sizeof err))
            st = cli_fail("lm", "%s", err);
        else if (o->json)
            json_array_append_new(files, json_pack("{s:s, s:I, s:f}", "file", o->files[i], "tokens",
                                                   (json_int_t)tokens, "perplexity", ppl));
        else
            printf("%s\t%lld tokens\tperplexity %.2f%s\n", o->files[i], (long long)tokens, ppl,
                   m.chars ? bpc_text(ppl) : "");
    }
    if (o->json && st == CLI_OK) {
        json_t *root = json_pack("{s:s, s:o}", "model", o->model, "files", files);
        cli_print_json(root);
    } else {
        json_decref(files);
    }
    lm_model_free(&m);
    return st;
}

// The ids of the prime text (words split at spaces, or its characters); <eos> when empty.
static int32_t *prime_ids(const lm_model *m, const char *text, int *n) {
    const rc_vocab *v = m->vocab;
    const size_t cap = text ? strlen(text) + 2 : 1;
    int32_t *ids = malloc(cap * sizeof *ids);
    rc_tokens t = {0};
    *n = 0;
    if (ids && text && rc_tokenize(lm_tokens(m->chars), text, strlen(text), &t, NULL, 0) == RC_OK)
        for (size_t i = 0; i < t.n; i++) {
            size_t len;
            const char *tok = rc_token(&t, i, &len);
            ids[(*n)++] = rc_vocab_id(v, tok, len);
        }
    rc_tokens_free(&t);
    if (ids && *n == 0)
        ids[(*n)++] = rc_vocab_special_id(v, RC_SPECIAL_EOS);
    return ids;
}

static int lm_sample_cmd(const lm_opts *o) {
    lm_model m;
    char err[1024];
    if (!lm_model_load(&m, o->model, err, sizeof err))
        return cli_fail("lm", "%s", err);
    int n_prime;
    int32_t *prime = prime_ids(&m, o->prime, &n_prime);
    int32_t *out = malloc(((size_t)o->words + 1) * sizeof *out);
    rc_rng rng;
    rc_rng_seed(&rng, o->seed);
    int st = CLI_OK;
    for (int i = 0; prime && i < n_prime && st == CLI_OK; i++)
        if (prime[i] < 0)
            st = cli_usage("lm", "--prime: a word is not in the vocabulary, which has no <unk>");
    if (st == CLI_OK && (!prime || !out))
        st = cli_fail("lm", "out of memory");
    if (st == CLI_OK && rc_lm_sample(m.lm, prime, n_prime, o->words, o->temperature, &rng, out, err,
                                     sizeof err) != RC_OK)
        st = cli_fail("lm", "%s", err);
    const int32_t eos = rc_vocab_special_id(m.vocab, RC_SPECIAL_EOS);
    for (int i = 0; st == CLI_OK && i < o->words; i++) {
        size_t len;
        const char *w = rc_vocab_token(m.vocab, out[i], &len);
        fputs(out[i] == eos ? "\n" : w, stdout);
        if (!m.chars && out[i] != eos && i + 1 < o->words && out[i + 1] != eos)
            fputc(' ', stdout);
    }
    if (st == CLI_OK && (o->words == 0 || out[o->words - 1] != eos))
        fputc('\n', stdout);
    free(prime);
    free(out);
    lm_model_free(&m);
    return st;
}

int cmd_lm(int argc, char **argv) {
    lm_opts o;
    const int st = parse(argc, argv, &o);
    if (st >= 0)
        return st;
    if (!strcmp(o.verb, "train"))
        return lm_train(&o);
    return !strcmp(o.verb, "eval") ? lm_eval(&o) : lm_sample_cmd(&o);
}
