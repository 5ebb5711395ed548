// `recur search`: index a tiny corpus written here (one a line, SMART), query it from the command
// line and a file, eval against judgments (text and JSON), and every bad input: unknown option,
// missing verb or file, malformed SMART line, an unwritable --out, a file that is not an index.
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli_run.h"
#include "test_util.h"

#define HAS(s, sub) cr_assert(strstr((s), (sub)), "expected '%s' in:\n%s", (sub), (s))

static char *file_in(const char *dir, const char *name, const char *text) {
    static char buf[6][1024];
    static int k;
    k = (k + 1) % 6;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    if (text) {
        FILE *f = fopen(buf[k], "wb");
        cr_assert_not_null(f);
        fputs(text, f);
        fclose(f);
    }
    return buf[k];
}

static const char lines[] = "the cat sat on the mat\n"
                            "a dog and a cat\n"
                            "fish swim in the sea\n";
// As tests/text/retrieval/test_search_io.c: nDCG@10 (1/(3 + 1/log2 3) + 2/(2 + 1/log2 3)) / 2.
static const char smart_docs[] = ".I 1\n.T\npear orchard\n.W\nbanana and pear\n"
                                 ".I 02\n.T\napple\n.W\n.I 5\n.W\ncherry\n";
static const char smart_queries[] = ".I 007\n.W\napple\n.I 9\n.W\ncherry\n";
static const char smart_qrels[] = "1 2 1\n2 5 2\n2 1 1\n1 5 -1\n1 44 3\n";

static void expect(cli_result r, int status, const char *in_out, const char *in_err) {
    cr_assert_eq(r.status, status, "status %d\nstdout: %s\nstderr: %s", r.status, r.out, r.err);
    if (in_out)
        HAS(r.out, in_out);
    if (in_err)
        HAS(r.err, in_err);
    cli_result_free(&r);
}

Test(cli_search, index_lines_then_query_words_and_a_file) {
    char dir[512];
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    char *ix = file_in(dir, "l.idx", NULL);
    expect(CLI_RUN("search", "index", "--lines", file_in(dir, "docs.txt", lines), "--out", ix,
                   "--quiet"),
           0, "indexed 3 documents", NULL);
    cli_result r = CLI_RUN("search", "query", "--index", ix, "--k", "2", "the", "cats");
    cr_assert_eq(r.status, 0, "%s", r.err);
    // doc 1 has "the" twice and "cat"; doc 2 only "cat": query, rank, id, score
    cr_assert_eq(strncmp(r.out, "1\t1\t1\t", 6), 0, "doc 1 first:\n%s", r.out);
    HAS(r.out, "1\t2\t2\t");
    cli_result_free(&r);
    r = CLI_RUN("search", "query", "--index", ix, "--queries", file_in(dir, "q.txt", "sea\ndog\n"),
                "--json");
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_error_t je;
    json_t *root = json_loads(r.out, 0, &je);
    cr_assert_not_null(root, "%s", je.text);
    json_t *queries = json_object_get(root, "queries");
    cr_assert_eq(json_array_size(queries), 2);
    json_t *hit = json_array_get(json_object_get(json_array_get(queries, 1), "hits"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(hit, "doc")), "2");
    json_decref(root);
    cli_result_free(&r);
}

Test(cli_search, index_smart_then_eval) {
    char dir[512];
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    char *docs = file_in(dir, "docs", smart_docs), *ix = file_in(dir, "s.idx", NULL);
    char *q = file_in(dir, "q", smart_queries), *qrels = file_in(dir, "r", smart_qrels);
    expect(CLI_RUN("search", "index", "--smart", docs, "--out", ix, "--k1", "1.2", "--b", "0.75",
                   "--stopwords", "english", "--quiet"),
           0, "indexed 3 documents", NULL);
    expect(CLI_RUN("search", "eval", "--index", ix, "--smart", docs, "--smart-queries", q,
                   "--smart-qrels", qrels, "--quiet"),
           0, "nDCG@10     0.5178", NULL);
    cli_result r = CLI_RUN("search", "eval", "--index", ix, "--smart", docs, "--smart-queries", q,
                           "--smart-qrels", qrels, "--json", "--threads", "2", "--quiet");
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_t *root = json_loads(r.out, 0, NULL);
    cr_assert_not_null(root, "%s", r.out);
    cr_assert_eq(json_integer_value(json_object_get(root, "queries")), 2);
    cr_assert_float_eq(json_real_value(json_object_get(root, "map")), 0.5, 1e-9);
    cr_assert_float_eq(json_real_value(json_object_get(root, "recall@100")), 0.5, 1e-9);
    json_decref(root);
    cli_result_free(&r);
}

Test(cli_search, bad_input_exit_codes_and_messages) {
    char dir[512];
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    char *docs = file_in(dir, "docs.txt", lines), *ix = file_in(dir, "x.idx", NULL);
    expect(CLI_RUN("search", "index", "--lines", docs, "--out", ix, "--bogus"), 2, NULL,
           "Try 'recur help search'");
    expect(CLI_RUN("search"), 2, NULL, "which one: index, query or eval?");
    expect(CLI_RUN("search", "frob"), 2, NULL, "unknown verb 'frob'");
    expect(CLI_RUN("search", "index", "--lines", docs), 2, NULL, "index needs --out INDEX");
    expect(CLI_RUN("search", "index", "--out", ix), 2, NULL, "index needs one of");
    expect(CLI_RUN("search", "index", "--lines", docs, "--out", ix, "--b", "2"), 2, NULL, "--b");
    expect(CLI_RUN("search", "index", "--lines", docs, "--out", ix, "--variant", "x"), 2, NULL,
           "--variant: unknown 'x'");
    expect(CLI_RUN("search", "query", "--index", ix), 2, NULL, "query needs the query words");
    expect(CLI_RUN("search", "index", "--lines", file_in(dir, "none.txt", NULL), "--out", ix), 1,
           NULL, "none.txt: No such file");
    expect(CLI_RUN("search", "index", "--smart", file_in(dir, "bad", ".I 1\n.W\nok\n.Q\n"), "--out",
                   ix),
           1, NULL, "bad:4: unknown field '.Q'");
    expect(
        CLI_RUN("search", "index", "--lines", docs, "--out", "/nonexistent-dir/x.idx", "--quiet"),
        1, NULL, "--out /nonexistent-dir/x.idx");
    expect(CLI_RUN("search", "query", "--index", docs, "cat"), 1, NULL, "not a recur BM25 index");
    expect(CLI_RUN("search", "--help"), 0, "usage: recur search index", NULL);
}
