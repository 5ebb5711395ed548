// The recur command line, in the manner of git: `recur CMD [options]`, one row per subcommand in
// commands[], `recur help [CMD]`, `--help` on every subcommand. Exit status: 0 success, 1 the work
// failed, 2 a usage error.
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static int cmd_help(int argc, char **argv);
static const char cmd_help_usage[] = "usage: recur help [COMMAND]\n"
                                     "Lists the commands, or prints the usage of COMMAND.\n";

static const cli_command commands[] = {
    {"analogy", "evaluate word vectors on a:b::c:d analogies (3CosAdd, as gensim)", cmd_analogy,
     cmd_analogy_usage},
    {"cells", "list every cell type (built-in and from --plugin)", cmd_cells, cmd_cells_usage},
    {"classify", "fastText's bag-of-n-grams classifier: test-set or k-fold accuracy", cmd_classify,
     cmd_classify_usage},
    {"demo", "a quick tour: train an LSTM, save, gradient-check and draw it", cmd_demo,
     cmd_demo_usage},
    {"dot", "draw a cell unrolled for K steps (or a layer stack) as DOT, SVG, PNG or PDF", cmd_dot,
     cmd_dot_usage},
    {"embed", "train word2vec or fastText subword vectors on a corpus, write a .vec file",
     cmd_embed, cmd_embed_usage},
    {"gates", "train cells on synthetic memory tasks and rank them (the gating study)", cmd_gates,
     cmd_gates_usage},
    {"gradcheck", "check every op's and cell type's gradient against finite differences",
     cmd_gradcheck, cmd_gradcheck_usage},
    {"lm", "train a word-level language model (truncated BPTT, perplexity), evaluate, sample",
     cmd_lm, cmd_lm_usage},
    {"neighbours", "the nearest words of each word in a .vec file, by cosine", cmd_neighbours,
     cmd_neighbours_usage},
    {"search", "BM25 retrieval: index a collection, answer queries, nDCG@10 / MAP / recall@100",
     cmd_search, cmd_search_usage},
    {"similarity", "evaluate word vectors on word-similarity pairs (Spearman, Pearson)",
     cmd_similarity, cmd_similarity_usage},
    {"help", "list the commands, or show how to use one", cmd_help, cmd_help_usage},
};
#define N_COMMANDS ((int)(sizeof commands / sizeof commands[0]))

const cli_command *cli_command_find(const char *name) {
    for (int i = 0; name && i < N_COMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static void list_commands(FILE *f) {
    fprintf(f, "usage: recur COMMAND [options]   (recur help COMMAND for its options)\n\n"
               "commands:\n");
    for (int i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

static int cmd_help(int argc, char **argv) {
    if (argc < 2) {
        list_commands(stdout);
        return CLI_OK;
    }
    if (argc > 2)
        return cli_usage("help", "expects one command, got %d", argc - 1);
    const cli_command *c = cli_command_find(argv[1]);
    if (!c)
        return cli_usage("help", "no command '%s'", argv[1]);
    fputs(c->usage, stdout);
    return CLI_OK;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        list_commands(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
        return cmd_help(1, argv + 1);
    const cli_command *c = cli_command_find(argv[1]);
    if (!c) {
        fprintf(stderr, "recur: '%s' is not a recur command.\n", argv[1]);
        fprintf(stderr, "Try 'recur help'.\n");
        return CLI_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}
