// Runs the recur binary built with the tests (RECUR_BIN, set by tests/meson.build) and captures
// what it printed, for the command-line tests.
#ifndef RECUR_TESTS_CLI_RUN_H
#define RECUR_TESTS_CLI_RUN_H

typedef struct cli_result {
    int status; // exit status, or 128 + signal when it was killed
    char *out, *err;
} cli_result;

// Runs `recur args...` (args ends with NULL) in the current folder; asserts that it could start.
cli_result cli_run(const char *const *args);
void cli_result_free(cli_result *r);
// Reads a whole file (NULL when it cannot); the caller frees.
char *cli_slurp(const char *path);
// The folder of the example plugins built with the tests.
const char *cli_examples_dir(void);
// The folder of the test plugins (tests/tools/plugins/bad_plugin.c, built by meson).
const char *cli_test_plugins_dir(void);

// dir/name in one of 8 rotating buffers (valid until 8 more calls), for building arguments.
const char *cli_path_in(const char *dir, const char *name);

#define CLI_RUN(...) cli_run((const char *const[]){__VA_ARGS__, NULL})

#endif
