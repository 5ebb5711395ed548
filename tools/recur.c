// The recur command line. Subcommands are added as the library grows; `recur demo` is the main
// job `make demo` runs.
#include <stdio.h>
#include <string.h>

#include <recur/recur.h>

#include "demo.h"

static void usage(FILE *f) {
    fprintf(f, "usage: recur <command> [options]\n"
               "commands:\n"
               "  demo [--out DIR]   build a small model, back-propagate, print the loss and\n"
               "                     gradient norms, write its graph as DOT and SVG\n");
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "demo"))
        return recur_demo_main(argc - 1, argv + 1);
    fprintf(stderr, "recur: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
