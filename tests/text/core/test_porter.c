// The Porter stemmer against NLTK's ORIGINAL_ALGORITHM mode (tests/fixtures/porter_pairs.tsv,
#include <sys/stat.h>
// made by make_porter_fixture.py), and the BEIR loader's errors.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/text_fixtures.h"

static void assert_stem(const char *w, const char *want) {
    char out[64];
    size_t n = rc_porter_stem(w, strlen(w), out);
    cr_assert(n == strlen(want) && !memcmp(out, want, n), "%s -> %.*s, want %s", w, (int)n, out,
              want);
}

Test(text, porter_matches_nltk_original_algorithm) {
    char path[512];
    size_t len;
    char *text = tt_read_file(tt_fixture_path("porter_pairs.tsv", path, sizeof path), &len);
    cr_assert_not_null(text);
    int pairs = 0, changed = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *tab = strchr(line, '\t');
        cr_assert_not_null(tab);
        *tab = '\0';
        assert_stem(line, tab + 1);
        pairs++;
        changed += strcmp(line, tab + 1) != 0;
    }
    free(text);
    cr_assert_gt(pairs, 1000);
    cr_assert_gt(changed, 500, "the fixture should exercise the rules");
}

// Examples from Porter's paper whose full stemming is easy to follow by hand.
Test(text, porter_paper_examples_and_edges) {
    assert_stem("caresses", "caress");
    assert_stem("ponies", "poni");
    assert_stem("feed", "feed");
    assert_stem("agreed", "agre");
    assert_stem("hopping", "hop");
    assert_stem("filing", "file");
    assert_stem("generalizations", "gener");
    assert_stem("oscillators", "oscil");
    assert_stem("controll", "control");
    assert_stem("roll", "roll");
    assert_stem("as", "as"); // one or two letters: unchanged
    assert_stem("is", "is");
    assert_stem("Running", "Running"); // not lower-case ASCII: unchanged
    assert_stem("na\xC3\xAFvely", "na\xC3\xAFvely");
    rc_tokens t = {0};
    rc_tok_opts o = rc_tok_defaults();
    o.lowercase = true;
    cr_assert_eq(rc_tokenize(&o, "Relational ponies", 17, &t, NULL, 0), RC_OK);
    cr_assert_eq(rc_tokens_stem(&t), RC_OK);
    size_t n;
    const char *s = rc_token(&t, 0, &n);
    cr_assert(n == 5 && !memcmp(s, "relat", 5));
    s = rc_token(&t, 1, &n);
    cr_assert(n == 4 && !memcmp(s, "poni", 4));
    rc_tokens_free(&t);
}

static char tmp[256];

static void put(const char *name, const char *body) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(body, f);
    fclose(f);
}

static void expect_beir_error(const char *suffix) {
    rc_beir *b = (rc_beir *)1;
    char err[512], want[600];
    cr_assert_eq(rc_beir_load(&b, tmp, "test", err, sizeof err), RC_ERR_FORMAT, "%s", err);
    cr_assert_null(b);
    snprintf(want, sizeof want, "%s/%s", tmp, suffix);
    cr_assert_str_eq(err, want);
}

Test(text, beir_loader_reads_and_reports) {
    cr_assert_not_null(tu_tmpdir(tmp, sizeof tmp));
    char qrels[300];
    snprintf(qrels, sizeof qrels, "%s/qrels", tmp);
    cr_assert_eq(mkdir(qrels, 0700), 0);
    put("corpus.jsonl", "{\"_id\": \"d1\", \"title\": \"T\", \"text\": \"one\"}\n\n"
                        "{\"_id\": \"d2\", \"text\": \"two\"}\n");
    put("queries.jsonl", "{\"_id\": \"q1\", \"text\": \"first\"}\n"
                         "{\"_id\": \"q2\", \"text\": \"second\"}\n"
                         "{\"_id\": \"q3\", \"text\": \"third\"}\n");
    put("qrels/test.tsv", "query-id\tcorpus-id\tscore\r\nq3\td2\t1\r\nq1\td9\t2\r\nq3\td1\t0\r\n");
    rc_beir *b;
    char err[512] = "";
    cr_assert_eq(rc_beir_load(&b, tmp, "test", err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(b->n_docs, 2);
    cr_assert_str_eq(b->doc_text[0], "T one");
    cr_assert_str_eq(b->doc_text[1], "two");
    cr_assert_eq(b->n_queries, 2); // q2 has no judgments
    cr_assert_str_eq(b->query_id[0], "q1");
    cr_assert_str_eq(b->query_text[1], "third");
    cr_assert(b->qrel_ptr[1] == 1 && b->qrel_ptr[2] == 3);
    cr_assert(b->qrel_doc[0] == -1 && b->qrel_grade[0] == 2); // d9 is not in the corpus
    cr_assert(b->qrel_doc[1] == 1 && b->qrel_doc[2] == 0 && b->qrel_grade[2] == 0);
    rc_beir_free(&b);

    put("qrels/test.tsv", "h\nq1\td1\n");
    expect_beir_error("qrels/test.tsv:2: want 3 tab-separated fields, found 2");
    put("qrels/test.tsv", "h\nq1\td1\tx\n");
    expect_beir_error("qrels/test.tsv:2: bad score 'x'");
    put("qrels/test.tsv", "h\nq7\td1\t1\n");
    expect_beir_error("qrels/test.tsv:2: query 'q7' is not in queries.jsonl");
    put("queries.jsonl", "{\"_id\": \"q1\", \"text\": \"first\"}\n{\"_id\": \"q1\"}\n");
    expect_beir_error("queries.jsonl:2: duplicate _id 'q1'");
    put("corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"one\"}\n{\"_id\": 5}\n");
    expect_beir_error("corpus.jsonl:2: no string \"_id\"");
    put("corpus.jsonl", "{\"_id\": \"d1\", \"text\": 3}\n");
    expect_beir_error("corpus.jsonl:1: \"title\" and \"text\" must be strings");
    put("corpus.jsonl", "[1]\n");
    expect_beir_error("corpus.jsonl:1: not a JSON object");
    put("corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"caf\xC3\"}\n");
    expect_beir_error("corpus.jsonl:1: invalid UTF-8 at byte 26: truncated sequence");
    put("corpus.jsonl", "{\"_id\": \"d1\", \n");
    rc_beir *b2 = NULL;
    cr_assert_eq(rc_beir_load(&b2, tmp, "test", err, sizeof err), RC_ERR_FORMAT);
    cr_assert(strstr(err, "corpus.jsonl:1: invalid JSON: "), "%s", err);
    cr_assert_eq(rc_beir_load(&b2, tmp, "dev", err, sizeof err), RC_ERR_FORMAT);
    put("corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"one\"}\n");
    put("queries.jsonl", "{\"_id\": \"q1\", \"text\": \"first\"}\n");
    cr_assert_eq(rc_beir_load(&b2, tmp, "dev", err, sizeof err), RC_ERR_IO);
    char want[600];
    snprintf(want, sizeof want, "%s/qrels/dev.tsv: No such file or directory", tmp);
    cr_assert_str_eq(err, want);
}
