// `recur classify`: fastText's supervised bag of n-grams (rc_ft_train_file) on labelled files in
// any of the layouts of include/recur/text.h (rc_labelled_*), scored on a test file or by k-fold
// cross-validation (the `.all` files of the sentence-classification sets). The examples are
// rewritten in fastText's layout into a temporary folder first, which is removed at the end.
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <recur/recur.h>

#include "cli.h"
#include "commands.h"

const char cmd_classify_usage[] =
    "usage: recur classify --train FILE (--test FILE | --folds K) [options]\n"
    "Trains fastText's supervised classifier (a bag of words and hashed word n-grams, averaged,\n"
    "then a linear softmax) and prints its accuracy on --test, or the mean and standard\n"
    "deviation over K folds of --train. The defaults are fastText's `supervised`. The training\n"
    "examples are read in an order shuffled by --seed (the .all files are sorted by label).\n"
    "  --train FILE        labelled examples\n"
    "  --test FILE         held-out examples in the same layout\n"
    "  --folds K           K-fold cross-validation of --train instead (seeded by --seed)\n"
    "  --layout NAME       first (\"label text\", default), fasttext (\"__label__L text\"),\n"
    "                      tsv-last (\"text<TAB>label\"), tsv-first (\"label<TAB>text\")\n"
    "  --header            the first line of each file is a header\n"
    "  --latin1            the files are ISO-8859-1 (MR, SUBJ, TREC train), not UTF-8\n"
    "  --dim D             vector size (default 100)\n"
    "  --lr X              learning rate, decays linearly to 0 (default 0.1)\n"
    "  --epochs N          passes over the training examples (default 5)\n"
    "  --word-ngrams N     word n-grams up to N, hashed (default 1)\n"
    "  --minn N, --maxn N  character n-grams (default 0: none)\n"
    "  --bucket N          hash buckets for the n-grams (default 2000000)\n"
    "  --min-count N       words seen fewer times are dropped (default 1)\n"
    "  --loss NAME         softmax (default), hs or ns\n"
    "  --seed S            seed of the initialisation and the folds (default 1)\n"
    "  --keep-files DIR    keep the examples as trained and tested, in fastText's layout, in DIR\n"
    "                      (train.txt, test.txt; foldK.train.txt, foldK.test.txt), for peers\n"
    "  --threads N         training threads (Hogwild above 1; 1 is reproducible)\n"
    "  --quiet             no progress on stderr\n"
    "  --json              print the results as JSON\n";

enum {
    OPT_TRAIN = CLI_OPT_FIRST_OWN,
    OPT_TEST,
    OPT_FOLDS,
    OPT_LAYOUT,
    OPT_HEADER,
    OPT_LATIN1,
    OPT_DIM,
    OPT_LR,
    OPT_EPOCHS,
    OPT_WORD_NGRAMS,
    OPT_MINN,
    OPT_MAXN,
    OPT_BUCKET,
    OPT_MIN_COUNT,
    OPT_LOSS,
    OPT_SEED,
    OPT_KEEP_FILES,
};

static const struct option longopts[] = {CLI_COMMON_OPTIONS,
                                         {"train", required_argument, 0, OPT_TRAIN},
                                         {"test", required_argument, 0, OPT_TEST},
                                         {"folds", required_argument, 0, OPT_FOLDS},
                                         {"layout", required_argument, 0, OPT_LAYOUT},
                                         {"header", no_argument, 0, OPT_HEADER},
                                         {"latin1", no_argument, 0, OPT_LATIN1},
                                         {"dim", required_argument, 0, OPT_DIM},
                                         {"lr", required_argument, 0, OPT_LR},
                                         {"epochs", required_argument, 0, OPT_EPOCHS},
                                         {"word-ngrams", required_argument, 0, OPT_WORD_NGRAMS},
                                         {"minn", required_argument, 0, OPT_MINN},
                                         {"maxn", required_argument, 0, OPT_MAXN},
                                         {"bucket", required_argument, 0, OPT_BUCKET},
                                         {"min-count", required_argument, 0, OPT_MIN_COUNT},
                                         {"loss", required_argument, 0, OPT_LOSS},
                                         {"seed", required_argument, 0, OPT_SEED},
                                         {"keep-files", required_argument, 0, OPT_KEEP_FILES},
                                         {0, 0, 0, 0}};

typedef struct classify_opts {
    const char *train, *test, *keep; // keep: the --keep-files folder, else NULL
    int folds;
    rc_labelled_opts layout;
    rc_ft_opts ft;
    cli_common common;
    char dir[4096]; // where the converted examples go: --keep-files, or a temporary folder
} classify_opts;

static bool name_option(classify_opts *o, int opt, const char *arg) {
    static const char *const layouts[] = {"first", "fasttext", "tsv-last", "tsv-first"};
    static const char *const losses[] = {"softmax", "hs", "ns"};
    const bool layout = opt == OPT_LAYOUT;
    const char *const *names = layout ? layouts : losses;
    for (int i = 0; i < (layout ? 4 : 3); i++)
        if (!strcmp(arg, names[i])) {
            if (layout)
                o->layout.layout = (rc_label_layout)i;
            else
                o->ft.loss = (rc_ft_loss)i;
            return true;
        }
    cli_usage("classify",
              layout ? "--layout: unknown '%s' (first, fasttext, tsv-last, tsv-first)"
                     : "--loss: unknown '%s' (softmax, hs or ns)",
              arg);
    return false;
}

static bool own_option(void *ctx, int opt, const char *arg) {
    classify_opts *o = ctx;
    rc_ft_opts *f = &o->ft;
    double d;
    int64_t v;
    switch (opt) {
    case OPT_TRAIN: o->train = arg; return true;
    case OPT_TEST: o->test = arg; return true;
    case OPT_KEEP_FILES: o->keep = arg; return true;
    case OPT_HEADER: o->layout.header = true; return true;
    case OPT_LATIN1: o->layout.latin1 = true; return true;
    case OPT_FOLDS: return cli_int("classify", "folds", arg, 2, 1000, &o->folds);
    case OPT_DIM: return cli_int("classify", "dim", arg, 1, 1 << 16, &f->dim);
    case OPT_LR: return cli_double("classify", "lr", arg, 1e-9, 100, &d) && (f->lr = (float)d);
    case OPT_EPOCHS: return cli_int("classify", "epochs", arg, 1, 100000, &f->epochs);
    case OPT_WORD_NGRAMS: return cli_int("classify", "word-ngrams", arg, 1, 10, &f->word_ngrams);
    case OPT_MINN: return cli_int("classify", "minn", arg, 1, 64, &f->minn);
    case OPT_MAXN: return cli_int("classify", "maxn", arg, 1, 64, &f->maxn);
    case OPT_BUCKET:
        return cli_long("classify", "bucket", arg, 1, INT32_MAX, &v) && (f->bucket = (uint32_t)v);
    case OPT_MIN_COUNT: return cli_long("classify", "min-count", arg, 1, INT64_MAX, &f->min_count);
    case OPT_SEED:
        return cli_long("classify", "seed", arg, 0, INT64_MAX, &v) && (f->seed = (uint64_t)v, 1);
    default: return name_option(o, opt, arg);
    }
}

// -1: parsed; else the exit status to return.
static int parse(int argc, char **argv, classify_opts *o) {
    o->ft = rc_ft_defaults();
    o->ft.label_prefix = "__label__";
    const int st = cli_parse_options("classify", argc, argv, longopts, &o->common, own_option, o,
                                     cmd_classify_usage);
    if (st >= 0)
        return st;
    if (!o->train || (!o->test) == !o->folds)
        return cli_usage("classify", "give --train FILE and one of --test FILE or --folds K");
    if ((o->ft.minn > 0) != (o->ft.maxn > 0) || o->ft.minn > o->ft.maxn)
        return cli_usage("classify", "--minn and --maxn go together, with minn <= maxn");
    if (o->common.threads > 0)
        o->ft.threads = o->common.threads;
    o->layout.shuffle_seed = o->ft.seed + 1; // training files are read in a shuffled order
    return optind < argc ? cli_no_operands("classify", argc, argv) : -1;
}

typedef struct run_result {
    double accuracy, seconds;
    int64_t train_lines, test_examples;
    int32_t labels;
} run_result;

// Trains on train_ft and scores test_ft (both in fastText's layout).
static bool train_and_test(const classify_opts *o, const char *train_ft, const char *test_ft,
                           run_result *r, char *err, size_t err_len) {
    rc_ft *m = NULL;
    rc_ft_stats s;
    rc_ft_test_result t;
    bool ok = rc_ft_train_file(&m, train_ft, &o->ft, &s, err, err_len) == RC_OK &&
              rc_ft_test_file(m, test_ft, 1, &t, err, err_len) == RC_OK;
    if (ok)
        *r = (run_result){t.accuracy, s.seconds, s.lines, t.examples, rc_ft_num_labels(m)};
    rc_ft_free(&m);
    return ok;
}

// dir/train.txt or dir/test.txt; with folds and --keep-files, dir/foldK.train.txt and so on.
static void path_in(const classify_opts *o, int fold, const char *name, char *buf, size_t len) {
    if (o->keep && fold >= 0)
        snprintf(buf, len, "%s/fold%d.%s", o->dir, fold, name);
    else
        snprintf(buf, len, "%s/%s", o->dir, name);
}

static bool run_test(const classify_opts *o, run_result *r, char *err, size_t err_len) {
    char tr[4200], te[4200];
    path_in(o, -1, "train.txt", tr, sizeof tr);
    path_in(o, -1, "test.txt", te, sizeof te);
    rc_labelled_opts in_order = o->layout;
    in_order.shuffle_seed = 0;
    return rc_labelled_to_fasttext(o->train, &o->layout, tr, NULL, err, err_len) == RC_OK &&
           rc_labelled_to_fasttext(o->test, &in_order, te, NULL, err, err_len) == RC_OK &&
           train_and_test(o, tr, te, r, err, err_len);
}

static bool run_folds(const classify_opts *o, run_result *r, double *sd, char *err,
                      size_t err_len) {
    int32_t *fold = NULL;
    int64_t n = 0;
    char tr[4200], te[4200];
    bool ok = rc_labelled_folds(o->train, &o->layout, o->folds, o->ft.seed, &fold, &n, err,
                                err_len) == RC_OK;
    double sum = 0, sum2 = 0;
    cli_progress p;
    cli_progress_start(&p, "folds", o->folds, o->common.quiet);
    run_result one = {0}, total = {0};
    for (int k = 0; ok && k < o->folds; k++) {
        path_in(o, k, "train.txt", tr, sizeof tr);
        path_in(o, k, "test.txt", te, sizeof te);
        ok = rc_labelled_split(o->train, &o->layout, fold, n, k, tr, te, err, err_len) == RC_OK &&
             train_and_test(o, tr, te, &one, err, err_len);
        sum += one.accuracy, sum2 += one.accuracy * one.accuracy;
        total.seconds += one.seconds, total.test_examples += one.test_examples;
        total.labels = one.labels, total.train_lines = n;
        cli_progress_step(&p, k + 1, NULL);
    }
    cli_progress_end(&p);
    free(fold);
    total.accuracy = sum / o->folds;
    *sd = sqrt(fmax(0, sum2 / o->folds - total.accuracy * total.accuracy));
    *r = total;
    return ok;
}

static void report(const classify_opts *o, const run_result *r, double sd) {
    if (o->common.json) {
        json_t *root = json_pack("{s:s, s:f, s:I, s:I, s:i, s:f}", "train", o->train, "accuracy",
                                 r->accuracy, "examples", (json_int_t)r->train_lines,
                                 "test_examples", (json_int_t)r->test_examples, "labels", r->labels,
                                 "train_seconds", r->seconds);
        if (o->folds)
            json_object_set_new(root, "folds", json_integer(o->folds)),
                json_object_set_new(root, "accuracy_sd", json_real(sd));
        else
            json_object_set_new(root, "test", json_string(o->test));
        cli_print_json(root);
    } else if (o->folds) {
        printf("%d-fold accuracy %.2f%% +- %.2f over %lld examples, %d labels, %.1f s training\n",
               o->folds, 100 * r->accuracy, 100 * sd, (long long)r->train_lines, r->labels,
               r->seconds);
    } else {
        printf("accuracy %.2f%% on %lld test examples (%lld trained, %d labels, %.1f s training)\n",
               100 * r->accuracy, (long long)r->test_examples, (long long)r->train_lines, r->labels,
               r->seconds);
    }
}

// The folder for the converted examples: --keep-files (made if missing) or a temporary one.
static bool make_dir(classify_opts *o, char *err, size_t err_len) {
    if (o->keep) {
        snprintf(o->dir, sizeof o->dir, "%s", o->keep);
        return cli_mkdir(o->dir, err, err_len);
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(o->dir, sizeof o->dir, "%.4000s/recur-classify.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(o->dir))
        return true;
    snprintf(err, err_len, "cannot make a temporary folder in %s", tmp && *tmp ? tmp : "/tmp");
    return false;
}

static int run(classify_opts *o) {
    char err[1024] = "", tr[4200], te[4200];
    if (!make_dir(o, err, sizeof err))
        return cli_fail("classify", "%s", err);
    run_result r = {0};
    double sd = 0;
    const bool ok =
        o->folds ? run_folds(o, &r, &sd, err, sizeof err) : run_test(o, &r, err, sizeof err);
    if (!o->keep) {
        path_in(o, -1, "train.txt", tr, sizeof tr);
        path_in(o, -1, "test.txt", te, sizeof te);
        unlink(tr), unlink(te), rmdir(o->dir);
    }
    if (!ok)
        return cli_fail("classify", "%s", err);
    report(o, &r, sd);
    return CLI_OK;
}

int cmd_classify(int argc, char **argv) {
    classify_opts o = {0};
    const int st = parse(argc, argv, &o);
    return st >= 0 ? st : run(&o);
}
