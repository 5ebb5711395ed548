// `recur search`: BM25 retrieval over a collection (include/recur/text.h). `index` reads BEIR
// JSON lines, the SMART format (Cranfield) or one document a line, builds the index and saves it;
// `query` answers queries from the command line or a file; `eval` runs a collection's queries and
// prints mean nDCG@10, MAP, recall@100 and P@10 against its judgments.
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/recur.h>

#include "cli.h"
#include "commands.h"

const char cmd_search_usage[] =
    "usage: recur search index (--beir DIR | --smart DOCS | --lines FILE) --out INDEX [options]\n"
    "       recur search query --index INDEX [--k N] (QUERY... | --queries FILE)\n"
    "       recur search eval --index INDEX (--beir DIR [--split NAME] |\n"
    "                         --smart DOCS --smart-queries FILE --smart-qrels FILE)\n"
    "BM25 retrieval. index builds and saves an index of a collection; query prints the best\n"
    "documents (rank, id, score) for each query; eval prints nDCG@10, MAP, recall@100 and P@10\n"
    "over the judged queries. docs/cli.md has the details and measured figures.\n"
    "  --beir DIR            a BEIR folder: corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv\n"
    "  --split NAME          the BEIR judgments to read (default test)\n"
    "  --smart DOCS          a SMART documents file (Cranfield's cran.all.1400)\n"
    "  --smart-queries FILE  eval: SMART queries (cran.qry)\n"
    "  --smart-qrels FILE    eval: judgments 'query doc grade' (cranqrel)\n"
    "  --lines FILE          one document a line; ids are line numbers from 1\n"
    "  --out INDEX           index: the index file to write\n"
    "  --index INDEX         query, eval: the index file to read\n"
    "  --k1 X                index: term-frequency saturation (default 0.9)\n"
    "  --b X                 index: length normalisation in [0, 1] (default 0.4)\n"
    "  --delta X             index: the delta of BM25L and BM25+ (default 0)\n"
    "  --variant NAME        index: okapi (default), bm25l or bm25+\n"
    "  --idf NAME            index: lucene (default, never negative) or rsj\n"
    "  --no-stem             index: no Porter stemming\n"
    "  --stopwords english   index: drop Lucene's 33 English stop words\n"
    "  --k N                 query: documents per query (default 10)\n"
    "  --queries FILE        query: one query a line\n"
    "  --threads N           eval: queries on N threads (default 1)\n"
    "  --quiet               no progress on stderr\n"
    "  --json                print the results as JSON\n";

enum {
    OPT_BEIR = CLI_OPT_FIRST_OWN,
    OPT_SPLIT,
    OPT_SMART,
    OPT_SMART_QUERIES,
    OPT_SMART_QRELS,
    OPT_LINES,
    OPT_OUT,
    OPT_INDEX,
    OPT_K1,
    OPT_B,
    OPT_DELTA,
    OPT_VARIANT,
    OPT_IDF,
    OPT_NO_STEM,
    OPT_STOPWORDS,
    OPT_K,
    OPT_QUERIES
};

static const struct option longopts[] = {CLI_COMMON_OPTIONS,
                                         {"beir", required_argument, 0, OPT_BEIR},
                                         {"split", required_argument, 0, OPT_SPLIT},
                                         {"smart", required_argument, 0, OPT_SMART},
                                         {"smart-queries", required_argument, 0, OPT_SMART_QUERIES},
                                         {"smart-qrels", required_argument, 0, OPT_SMART_QRELS},
                                         {"lines", required_argument, 0, OPT_LINES},
                                         {"out", required_argument, 0, OPT_OUT},
                                         {"index", required_argument, 0, OPT_INDEX},
                                         {"k1", required_argument, 0, OPT_K1},
                                         {"b", required_argument, 0, OPT_B},
                                         {"delta", required_argument, 0, OPT_DELTA},
                                         {"variant", required_argument, 0, OPT_VARIANT},
                                         {"idf", required_argument, 0, OPT_IDF},
                                         {"no-stem", no_argument, 0, OPT_NO_STEM},
                                         {"stopwords", required_argument, 0, OPT_STOPWORDS},
                                         {"k", required_argument, 0, OPT_K},
                                         {"queries", required_argument, 0, OPT_QUERIES},
                                         {0, 0, 0, 0}};

typedef struct search_args {
    const char *verb;
    const char *beir, *split, *smart, *smart_queries, *smart_qrels, *lines;
    const char *out, *index, *queries;
    rc_bm25_opts bm25;
    bool english_stop;
    int k;
    char **words; // query: the words of the command-line query
    int n_words;
    cli_common common;
} search_args;

// --variant and --idf by name; false after a message.
static bool named_option(int opt, const char *arg, search_args *a) {
    static const char *const variants[] = {"okapi", "bm25l", "bm25+"};
    static const char *const idfs[] = {"lucene", "rsj"};
    const bool variant = opt == OPT_VARIANT;
    const char *const *names = variant ? variants : idfs;
    const int n = variant ? 3 : 2;
    for (int i = 0; i < n; i++) {
        if (strcmp(arg, names[i]))
            continue;
        if (variant)
            a->bm25.variant = (rc_bm25_variant)i;
        else
            a->bm25.idf = (rc_bm25_idf)i;
        return true;
    }
    cli_usage("search", "--%s: unknown '%s' (%s)", variant ? "variant" : "idf", arg,
              variant ? "okapi, bm25l or bm25+" : "lucene or rsj");
    return false;
}

// One option of this subcommand; false after a message (usage error).
static bool own_option(void *ctx, int opt, const char *arg) {
    search_args *a = ctx;
    switch (opt) {
    case OPT_BEIR: a->beir = arg; return true;
    case OPT_SPLIT: a->split = arg; return true;
    case OPT_SMART: a->smart = arg; return true;
    case OPT_SMART_QUERIES: a->smart_queries = arg; return true;
    case OPT_SMART_QRELS: a->smart_qrels = arg; return true;
    case OPT_LINES: a->lines = arg; return true;
    case OPT_OUT: a->out = arg; return true;
    case OPT_INDEX: a->index = arg; return true;
    case OPT_QUERIES: a->queries = arg; return true;
    case OPT_K1: return cli_double("search", "k1", arg, 0, 1000, &a->bm25.k1);
    case OPT_B: return cli_double("search", "b", arg, 0, 1, &a->bm25.b);
    case OPT_DELTA: return cli_double("search", "delta", arg, 0, 1000, &a->bm25.delta);
    case OPT_K: return cli_int("search", "k", arg, 1, 100000, &a->k);
    case OPT_NO_STEM: a->bm25.stem = false; return true;
    case OPT_VARIANT:
    case OPT_IDF: return named_option(opt, arg, a);
    case OPT_STOPWORDS:
        if (strcmp(arg, "english"))
            return cli_usage("search", "--stopwords: only 'english' is built in, got '%s'", arg),
                   false;
        a->english_stop = true;
        return true;
    default: return false;
    }
}

// Exactly one collection for index; eval's BEIR or all three SMART files.
static int check_collection(const search_args *a) {
    const int sources = (a->beir != NULL) + (a->smart != NULL) + (a->lines != NULL);
    const bool index = !strcmp(a->verb, "index");
    if (sources != 1 || (!index && a->lines))
        return cli_usage("search", "%s needs one of %s", a->verb,
                         index
                             ? "--beir DIR, --smart DOCS or --lines FILE"
                             : "--beir DIR or --smart DOCS (with --smart-queries, --smart-qrels)");
    if (!index && a->smart && (!a->smart_queries || !a->smart_qrels))
        return cli_usage("search",
                         "eval --smart needs --smart-queries FILE and --smart-qrels FILE");
    return -1;
}

// What each verb needs; -1 when the command line is complete, else the exit status.
static int check_verb(search_args *a, int argc, char **argv) {
    const bool index = !strcmp(a->verb, "index"), query = !strcmp(a->verb, "query");
    if (!index && !query && strcmp(a->verb, "eval"))
        return cli_usage("search", "unknown verb '%s' (index, query or eval)", a->verb);
    if (index && !a->out)
        return cli_usage("search", "index needs --out INDEX");
    if (!index && !a->index)
        return cli_usage("search", "%s needs --index INDEX", a->verb);
    a->words = argv + optind;
    a->n_words = argc - optind;
    if (query && !a->n_words == !a->queries)
        return cli_usage("search", "query needs the query words or --queries FILE (one of them)");
    if (!query && a->n_words)
        return cli_usage("search", "unexpected argument '%s'", argv[optind]);
    return query ? -1 : check_collection(a);
}

// -1: parsed; else the exit status to return.
static int parse(int argc, char **argv, search_args *a) {
    *a = (search_args){.split = "test", .bm25 = rc_bm25_defaults(), .k = 10};
    const int st = cli_parse_options("search", argc, argv, longopts, &a->common, own_option, a,
                                     cmd_search_usage);
    if (st >= 0)
        return st;
    if (optind >= argc)
        return cli_usage("search", "which one: index, query or eval?");
    a->verb = argv[optind++];
    return check_verb(a, argc, argv);
}

// The collection named on the command line (eval: with its queries and judgments).
static int load_collection(const search_args *a, bool with_queries, rc_beir **b) {
    char err[1024] = "";
    rc_status st;
    if (a->beir)
        st = rc_beir_load(b, a->beir, a->split, err, sizeof err);
    else if (a->smart)
        st = rc_smart_load(b, a->smart, with_queries ? a->smart_queries : NULL,
                           with_queries ? a->smart_qrels : NULL, err, sizeof err);
    else
        st = rc_lines_load(b, a->lines, err, sizeof err);
    return st == RC_OK ? CLI_OK : cli_fail("search", "%s", err);
}

// Adds every document of b to ix with progress, builds it and names its documents.
static int fill_index(rc_bm25 *ix, const rc_beir *b, bool quiet) {
    char err[1024] = "";
    cli_progress p;
    cli_progress_start(&p, "indexing", b->n_docs, quiet);
    for (int64_t d = 0; d < b->n_docs; d++) {
        const char *text = b->doc_text[d];
        if (rc_bm25_add(ix, text, strlen(text), err, sizeof err) != RC_OK) {
            cli_progress_end(&p);
            return cli_fail("search", "document '%s': %s", b->doc_id[d], err);
        }
        if ((d + 1) % 1024 == 0 || d + 1 == b->n_docs)
            cli_progress_step(&p, d + 1, NULL);
    }
    cli_progress_end(&p);
    if (rc_bm25_build(ix) != RC_OK ||
        rc_bm25_set_doc_ids(ix, (const char *const *)b->doc_id, b->n_docs, err, sizeof err))
        return cli_fail("search", "building the index: %s", *err ? err : rc_last_error());
    return CLI_OK;
}

static void print_index_summary(const search_args *a, const rc_bm25 *ix, double seconds) {
    if (a->common.json) {
        cli_print_json(json_pack("{s:s, s:I, s:i, s:f, s:f}", "out", a->out, "documents",
                                 (json_int_t)rc_bm25_num_docs(ix), "terms",
                                 (int)rc_bm25_num_terms(ix), "avgdl", rc_bm25_avgdl(ix), "seconds",
                                 seconds));
        return;
    }
    printf("indexed %lld documents, %d terms (%.1f terms a document) in %.2f s; wrote %s\n",
           (long long)rc_bm25_num_docs(ix), (int)rc_bm25_num_terms(ix), rc_bm25_avgdl(ix), seconds,
           a->out);
}

static int search_index(search_args *a) {
    const double t0 = cli_now();
    rc_beir *b = NULL;
    rc_bm25 *ix = NULL;
    rc_stopset *stop = NULL;
    char err[1024] = "";
    int rc = load_collection(a, false, &b);
    if (rc == CLI_OK && a->english_stop && rc_stopset_english(&stop) != RC_OK)
        rc = cli_fail("search", "out of memory");
    a->bm25.stop = stop;
    if (rc == CLI_OK && rc_bm25_new(&ix, &a->bm25) != RC_OK)
        rc = cli_usage("search", "%s", rc_last_error());
    if (rc == CLI_OK)
        rc = fill_index(ix, b, a->common.quiet);
    if (rc == CLI_OK && rc_bm25_save(ix, a->out, err, sizeof err) != RC_OK)
        rc = cli_fail("search", "--out %s", err);
    if (rc == CLI_OK)
        print_index_summary(a, ix, cli_now() - t0);
    rc_bm25_free(&ix);
    rc_stopset_free(&stop);
    rc_beir_free(&b);
    return rc;
}

// One query's hits: printed, or appended to the JSON array `all` (when not NULL).
static int answer(const rc_bm25 *ix, const char *q, const char *label, int k, json_t *all) {
    int32_t *docs = malloc((size_t)k * sizeof *docs);
    float *scores = malloc((size_t)k * sizeof *scores);
    char err[1024] = "";
    int found = 0;
    int rc = docs && scores ? CLI_OK : cli_fail("search", "out of memory");
    if (rc == CLI_OK &&
        rc_bm25_search(ix, q, strlen(q), k, docs, scores, &found, err, sizeof err) != RC_OK)
        rc = cli_fail("search", "query %s: %s", label, err);
    json_t *hits = all ? json_array() : NULL;
    for (int i = 0; i < found; i++) {
        const char *id = rc_bm25_doc_id(ix, docs[i]);
        if (hits)
            json_array_append_new(hits, json_pack("{s:i, s:s, s:f}", "rank", i + 1, "doc",
                                                  id ? id : "?", "score", (double)scores[i]));
        else
            printf("%s\t%d\t%s\t%.4f\n", label, i + 1, id ? id : "?", scores[i]);
    }
    if (all)
        json_array_append_new(
            all, json_pack("{s:s, s:s, s:o}", "query", label, "text", q, "hits", hits));
    free(docs), free(scores);
    return rc;
}

// The words given on the command line joined by spaces.
static char *joined_words(const search_args *a) {
    size_t n = 1;
    for (int i = 0; i < a->n_words; i++)
        n += strlen(a->words[i]) + 1;
    char *q = malloc(n);
    for (int i = 0; q && i < a->n_words; i++) {
        strcpy(q + (i ? strlen(q) : 0), a->words[i]);
        if (i + 1 < a->n_words)
            strcat(q, " ");
    }
    if (q && !a->n_words)
        *q = '\0';
    return q;
}

// Each line of --queries is a query, labelled with its line number.
static int answer_file(const rc_bm25 *ix, const search_args *a, json_t *all) {
    rc_line_reader *r;
    char err[1024] = "", label[32];
    const rc_line_opts lo = {.validate_utf8 = true};
    if (rc_line_reader_open(&r, a->queries, &lo, err, sizeof err) != RC_OK)
        return cli_fail("search", "--queries %s", err);
    const char *line;
    size_t len;
    int rc = CLI_OK;
    while (rc == CLI_OK) {
        if (rc_line_reader_next(r, &line, &len, err, sizeof err) != RC_OK)
            rc = cli_fail("search", "--queries %s", err);
        if (rc != CLI_OK || !line)
            break;
        snprintf(label, sizeof label, "%lld", (long long)rc_line_reader_lineno(r));
        char *q = strndup(line, len);
        rc = q ? answer(ix, q, label, a->k, all) : cli_fail("search", "out of memory");
        free(q);
    }
    rc_line_reader_close(&r);
    return rc;
}

static int search_query(const search_args *a) {
    rc_bm25 *ix = NULL;
    char err[1024] = "";
    if (rc_bm25_load(&ix, a->index, err, sizeof err) != RC_OK)
        return cli_fail("search", "--index %s", err);
    json_t *all = a->common.json ? json_array() : NULL;
    int rc;
    if (a->queries) {
        rc = answer_file(ix, a, all);
    } else {
        char *q = joined_words(a);
        rc = q ? answer(ix, q, "1", a->k, all) : cli_fail("search", "out of memory");
        free(q);
    }
    if (all && rc == CLI_OK)
        cli_print_json(json_pack("{s:s, s:i, s:o}", "index", a->index, "k", a->k, "queries", all));
    else
        json_decref(all);
    rc_bm25_free(&ix);
    return rc;
}

static void print_scores(const search_args *a, const rc_retrieval_scores *s, double seconds) {
    if (a->common.json) {
        cli_print_json(json_pack("{s:s, s:I, s:f, s:f, s:f, s:f, s:f}", "index", a->index,
                                 "queries", (json_int_t)s->n_queries, "ndcg@10", s->ndcg_at_10,
                                 "map", s->map, "recall@100", s->recall_at_100, "p@10",
                                 s->precision_at_10, "seconds", seconds));
        return;
    }
    printf("queries     %lld\nnDCG@10     %.4f\nMAP         %.4f\nrecall@100  %.4f\n"
           "P@10        %.4f\nseconds     %.2f\n",
           (long long)s->n_queries, s->ndcg_at_10, s->map, s->recall_at_100, s->precision_at_10,
           seconds);
}

static int search_eval(const search_args *a) {
    const double t0 = cli_now();
    rc_bm25 *ix = NULL;
    rc_beir *b = NULL;
    char err[1024] = "";
    if (rc_bm25_load(&ix, a->index, err, sizeof err) != RC_OK)
        return cli_fail("search", "--index %s", err);
    int rc = load_collection(a, true, &b);
    rc_retrieval_scores s;
    if (rc == CLI_OK && !a->common.quiet)
        fprintf(stderr, "evaluating %lld queries\n", (long long)b->n_queries);
    if (rc == CLI_OK && rc_bm25_evaluate(ix, b, a->common.threads, &s, err, sizeof err) != RC_OK)
        rc = cli_fail("search", "%s", err);
    if (rc == CLI_OK)
        print_scores(a, &s, cli_now() - t0);
    rc_beir_free(&b);
    rc_bm25_free(&ix);
    return rc;
}

int cmd_search(int argc, char **argv) {
    search_args a;
    const int st = parse(argc, argv, &a);
    if (st >= 0)
        return st;
    if (!strcmp(a.verb, "index"))
        return search_index(&a);
    return !strcmp(a.verb, "query") ? search_query(&a) : search_eval(&a);
}
