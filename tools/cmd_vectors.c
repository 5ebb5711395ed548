// `recur neighbours`, `recur analogy`, `recur similarity`: queries and evaluations of a .vec file
// (word2vec's text format, as recur embed, fastText and gensim write it), through the library's
// rc_wordvecs_nearest, rc_eval_analogies (3CosAdd as gensim) and rc_eval_wordsim.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "vectors.h"

const char cmd_neighbours_usage[] =
    "usage: recur neighbours --vectors FILE.vec [--k K] WORD...\n"
    "Prints the K nearest words of each WORD by cosine similarity (default 10), with the\n"
    "similarity. A word not in the file is an error naming it.\n"
    "  --vectors FILE.vec  the vectors (word2vec text format)\n"
    "  --k K               neighbours per word (default 10)\n"
    "  --json              print the results as JSON\n";

const char cmd_analogy_usage[] =
    "usage: recur analogy --vectors FILE.vec [--restrict N] [--case-sensitive] FILE...\n"
    "Evaluates a:b::c:d analogies (questions-words.txt format: ': section' lines, then four\n"
    "words a line) by 3CosAdd over the first N rows, as gensim's evaluate_word_analogies:\n"
    "accuracy per section and in total, and the questions skipped for unknown words.\n"
    "  --vectors FILE.vec  the vectors (word2vec text format)\n"
    "  --restrict N        only the first N rows take part (default 300000; 0: all)\n"
    "  --case-sensitive    match words as written (default: case-insensitive, as gensim)\n"
    "  --json              print the results as JSON\n";

const char cmd_similarity_usage[] =
    "usage: recur similarity --vectors FILE.vec [--restrict N] [--case-sensitive] FILE...\n"
    "Evaluates word similarity (lines 'word1<TAB>word2<TAB>score', '#' comments, as\n"
    "wordsim353.tsv): Spearman's and Pearson's correlation between the scores and the cosine\n"
    "similarities, over the pairs with both words known.\n"
    "  --vectors FILE.vec  the vectors (word2vec text format)\n"
    "  --restrict N        only the first N rows take part (default 300000; 0: all)\n"
    "  --case-sensitive    match words as written (default: case-insensitive, as gensim)\n"
    "  --json              print the results as JSON\n";

enum { OPT_VECTORS = CLI_OPT_FIRST_OWN, OPT_K, OPT_RESTRICT, OPT_CASE };

static const struct option longopts[] = {CLI_COMMON_OPTIONS,
                                         {"vectors", required_argument, 0, OPT_VECTORS},
                                         {"k", required_argument, 0, OPT_K},
                                         {"restrict", required_argument, 0, OPT_RESTRICT},
                                         {"case-sensitive", no_argument, 0, OPT_CASE},
                                         {0, 0, 0, 0}};

typedef struct vec_opts {
    const char *cmd, *usage, *vectors;
    int64_t k;
    rc_eval_opts eval;
    cli_common common;
    char **operands;
    int n_operands;
} vec_opts;

static bool own_option(void *ctx, int opt, const char *arg) {
    vec_opts *o = ctx;
    switch (opt) {
    case OPT_VECTORS: o->vectors = arg; return true;
    case OPT_K: return cli_long(o->cmd, "k", arg, 1, 100000, &o->k);
    case OPT_RESTRICT:
        return cli_long(o->cmd, "restrict", arg, 0, INT64_MAX, &o->eval.restrict_vocab);
    case OPT_CASE: o->eval.case_insensitive = false; return true;
    default: return false;
    }
}

// -1: parsed; else the exit status to return.
static int parse(int argc, char **argv, vec_opts *o) {
    o->k = 10;
    o->eval = rc_eval_defaults();
    const int st =
        cli_parse_options(o->cmd, argc, argv, longopts, &o->common, own_option, o, o->usage);
    if (st >= 0)
        return st;
    if (!o->vectors)
        return cli_usage(o->cmd, "--vectors FILE.vec is required");
    o->operands = argv + optind;
    o->n_operands = argc - optind;
    if (!o->n_operands)
        return cli_usage(o->cmd, "%s",
                         strcmp(o->cmd, "neighbours") ? "which files to evaluate?"
                                                      : "which words?");
    return -1;
}

static rc_wordvecs *load(const vec_opts *o, char *err, size_t err_len) {
    rc_wordvecs *wv = NULL;
    return rc_wordvecs_load_vec(&wv, o->vectors, NULL, NULL, err, err_len) == RC_OK ? wv : NULL;
}

// The end of every command here: the JSON printed (or dropped after a failure), the vectors
// released, the exit status.
static int finish(const vec_opts *o, bool ok, json_t *root, rc_wordvecs *wv, const char *err) {
    if (ok && root)
        cli_print_json(root);
    else
        json_decref(root);
    rc_wordvecs_free(&wv);
    return ok ? CLI_OK : cli_fail(o->cmd, "%s", err);
}

// ---- neighbours --------------------------------------------------------------------------------

static bool neighbours_of(const rc_wordvecs *wv, const char *word, int64_t k, json_t *root,
                          char *err, size_t err_len) {
    const int64_t row = rc_wordvecs_find(wv, word, strlen(word));
    if (row < 0)
        return snprintf(err, err_len, "'%s' is not in the vectors", word), false;
    int64_t *ids = malloc((size_t)k * sizeof *ids);
    float *sims = malloc((size_t)k * sizeof *sims);
    if (!ids || !sims) {
        free(ids), free(sims);
        return snprintf(err, err_len, "out of memory"), false;
    }
    const int64_t n = rc_wordvecs_nearest(wv, rc_wordvecs_vec(wv, row), k, &row, 1, ids, sims);
    json_t *list = root ? json_array() : NULL;
    if (!root)
        printf("%s\n", word);
    for (int64_t i = 0; i < n; i++) {
        if (list)
            json_array_append_new(list,
                                  json_pack("{s:s, s:f}", "word", rc_wordvecs_word(wv, ids[i]),
                                            "similarity", (double)sims[i]));
        else
            printf("  %-24s %.4f\n", rc_wordvecs_word(wv, ids[i]), (double)sims[i]);
    }
    if (list)
        json_object_set_new(root, word, list);
    free(ids);
    free(sims);
    return true;
}

static int run_neighbours(const vec_opts *o) {
    char err[1024] = "";
    rc_wordvecs *wv = load(o, err, sizeof err);
    json_t *root = wv && o->common.json ? json_object() : NULL;
    bool ok = wv != NULL;
    for (int i = 0; ok && i < o->n_operands; i++)
        ok = neighbours_of(wv, o->operands[i], o->k, root, err, sizeof err);
    return finish(o, ok, root, wv, err);
}

// ---- analogies and similarity ------------------------------------------------------------------

static json_t *section_json(const rc_analogy_section *s) {
    return json_pack("{s:s, s:I, s:I, s:I, s:f}", "section", s->name, "correct",
                     (json_int_t)s->correct, "answered", (json_int_t)s->answered, "skipped",
                     (json_int_t)s->skipped, "accuracy",
                     s->answered ? (double)s->correct / (double)s->answered : 0.0);
}

static void print_section(const rc_analogy_section *s) {
    printf("  %-28s %6.2f%%  %6lld / %-6lld skipped %lld\n", s->name,
           s->answered ? 100.0 * (double)s->correct / (double)s->answered : 0.0,
           (long long)s->correct, (long long)s->answered, (long long)s->skipped);
}

bool vectors_analogies(const rc_wordvecs *wv, const char *path, const rc_eval_opts *o, json_t *root,
                       char *err, size_t err_len) {
    rc_analogy_result r = {0};
    if (rc_eval_analogies(wv, path, o, &r, err, err_len) != RC_OK)
        return false;
    if (root) {
        json_t *sections = json_array();
        for (int i = 0; i < r.n_sections; i++)
            json_array_append_new(sections, section_json(&r.sections[i]));
        json_t *a =
            json_pack("{s:s, s:f, s:f, s:o, s:o}", "file", path, "accuracy", r.accuracy, "coverage",
                      r.coverage, "total", section_json(&r.total), "sections", sections);
        json_object_set_new(root, "analogies", a);
    } else {
        printf("%s: accuracy %.2f%% (%lld of %lld answered; %.1f%% of the questions covered)\n",
               path, 100 * r.accuracy, (long long)r.total.correct, (long long)r.total.answered,
               100 * r.coverage);
        for (int i = 0; i < r.n_sections; i++)
            print_section(&r.sections[i]);
    }
    rc_analogy_result_free(&r);
    return true;
}

bool vectors_similarity(const rc_wordvecs *wv, const char *path, const rc_eval_opts *o,
                        json_t *root, char *err, size_t err_len) {
    rc_wordsim_result r;
    if (rc_eval_wordsim(wv, path, o, &r, err, err_len) != RC_OK)
        return false;
    if (root) {
        json_t *list = json_object_get(root, "similarity");
        if (!list)
            json_object_set_new(root, "similarity", list = json_array());
        json_array_append_new(list,
                              json_pack("{s:s, s:f, s:f, s:I, s:I}", "file", path, "spearman",
                                        r.spearman, "pearson", r.pearson, "pairs",
                                        (json_int_t)r.pairs, "skipped", (json_int_t)r.skipped));
    } else {
        printf("%s: Spearman %.4f, Pearson %.4f over %lld pairs (%lld skipped)\n", path, r.spearman,
               r.pearson, (long long)r.pairs, (long long)r.skipped);
    }
    return true;
}

static int run_evaluation(const vec_opts *o, bool analogies) {
    char err[1024] = "";
    rc_wordvecs *wv = load(o, err, sizeof err);
    json_t *root = wv && o->common.json ? json_object() : NULL;
    json_t *files = root && analogies ? json_array() : NULL;
    bool ok = wv != NULL;
    for (int i = 0; ok && i < o->n_operands; i++) {
        json_t *one = files ? json_object() : root;
        ok = analogies ? vectors_analogies(wv, o->operands[i], &o->eval, one, err, sizeof err)
                       : vectors_similarity(wv, o->operands[i], &o->eval, one, err, sizeof err);
        if (files)
            json_array_append_new(files, json_incref(json_object_get(one, "analogies"))),
                json_decref(one);
    }
    if (files)
        json_object_set_new(root, "analogies", files);
    return finish(o, ok, root, wv, err);
}

int cmd_neighbours(int argc, char **argv) {
    vec_opts o = {.cmd = "neighbours", .usage = cmd_neighbours_usage};
    const int st = parse(argc, argv, &o);
    return st >= 0 ? st : run_neighbours(&o);
}

int cmd_analogy(int argc, char **argv) {
    vec_opts o = {.cmd = "analogy", .usage = cmd_analogy_usage};
    const int st = parse(argc, argv, &o);
    return st >= 0 ? st : run_evaluation(&o, true);
}

int cmd_similarity(int argc, char **argv) {
    vec_opts o = {.cmd = "similarity", .usage = cmd_similarity_usage};
    const int st = parse(argc, argv, &o);
    return st >= 0 ? st : run_evaluation(&o, false);
}
