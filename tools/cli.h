// What every `recur` subcommand shares: exit codes, messages, option values checked with the
// option's name, the options common to all subcommands, files written whole, progress.
// Subcommands parse with getopt_long, call the library and print: results to stdout, progress
// and diagnostics to stderr. docs/internals.md §4 "A new CLI subcommand" lists the files.
#ifndef RECUR_TOOLS_CLI_H
#define RECUR_TOOLS_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_OK 0     // the work succeeded
#define CLI_FAILED 1 // the work failed (a file could not be read, training diverged, ...)
#define CLI_USAGE 2  // the command line is wrong

// One row of the subcommand table in recur.c.
typedef struct cli_command {
    const char *name;
    const char *summary;               // one line for `recur help`
    int (*run)(int argc, char **argv); // argv[0] is the subcommand's name
    const char *usage;                 // the text of `recur help NAME` and `recur NAME --help`
} cli_command;

// The subcommand table (recur.c): for `recur help` and the tests.
const cli_command *cli_command_find(const char *name);

// "recur CMD: message" on stderr, then "Try 'recur help CMD'." Returns CLI_USAGE.
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// "recur CMD: message" on stderr. Returns CLI_FAILED.
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// Prints the usage text of cmd to f.
void cli_print_usage(FILE *f, const char *cmd);

// Parses the value of option --opt as an integer in [lo, hi] (or a float in [lo, hi]); on a bad
// value prints "recur CMD: --opt: 'abc' is not a number" (or "... must be in [lo, hi]") and
// returns false.
bool cli_long(const char *cmd, const char *opt, const char *arg, int64_t lo, int64_t hi,
              int64_t *out);
bool cli_int(const char *cmd, const char *opt, const char *arg, int lo, int hi, int *out);
bool cli_double(const char *cmd, const char *opt, const char *arg, double lo, double hi,
                double *out);
// A comma-separated list ("lstm,gru,rnn"): up to cap items pointing into a copy the caller frees
// with free(*store). Returns the count, or -1 (with a message) when empty or longer than cap.
int cli_list(const char *cmd, const char *opt, const char *arg, const char **items, int cap,
             char **store);

// ---- options every subcommand takes ------------------------------------------------------------
enum {
    CLI_OPT_HELP = 'h',
    CLI_OPT_QUIET = 'q',
    CLI_OPT_THREADS = 0x100,
    CLI_OPT_JSON,
    CLI_OPT_PLUGIN,
    CLI_OPT_FIRST_OWN // a subcommand numbers its own long-only options from here
};
#define CLI_COMMON_OPTIONS                                                                         \
    {"help", no_argument, 0, CLI_OPT_HELP}, {"quiet", no_argument, 0, CLI_OPT_QUIET},              \
        {"threads", required_argument, 0, CLI_OPT_THREADS},                                        \
        {"json", no_argument, 0, CLI_OPT_JSON}, {                                                  \
        "plugin", required_argument, 0, CLI_OPT_PLUGIN                                             \
    }
#define CLI_COMMON_SHORT "hq"

typedef struct cli_common {
    bool quiet; // no progress on stderr
    bool json;  // results as JSON on stdout
    bool help;  // --help was given: the caller prints its usage and returns CLI_OK
    int threads;
} cli_common;

// Handles opt when it is a common option: sets c (--threads also calls rc_set_num_threads,
// --plugin loads the plugin and registers its cells). Returns 1 when handled, 0 when opt is not a
// common option, -1 after printing a message (the caller returns CLI_USAGE, or CLI_FAILED for a
// plugin that failed to load: see *status).
int cli_common_option(const char *cmd, int opt, const char *arg, cli_common *c, int *status);
// getopt_long's '?' and ':' (unknown option, missing argument): getopt has printed why; this
// adds the hint and returns CLI_USAGE.
int cli_bad_option(const char *cmd);
// A subcommand's own option: false after printing why its value is wrong.
typedef bool (*cli_own_option)(void *ctx, int opt, const char *arg);
// The option loop every subcommand runs: getopt_long over longopts (short options
// CLI_COMMON_SHORT), the common options into *common, the others through own, unknown ones a
// usage error; --help prints usage. Returns -1 when the options were read (optind at the first
// operand), else the exit status to return (CLI_OK after --help).
int cli_parse_options(const char *cmd, int argc, char **argv, const struct option *longopts,
                      cli_common *common, cli_own_option own, void *ctx, const char *usage);
// Positional arguments left after the options are a usage error unless the subcommand takes them.
int cli_no_operands(const char *cmd, int argc, char **argv);

// Prints root to stdout, indented, with a newline, and releases it (--json output).
void cli_print_json(json_t *root);

// ---- plugins -----------------------------------------------------------------------------------
// Loads a plugin (include/recur/plugin.h) and registers its cell types. false with a message in
// err naming the file and what is wrong.
bool cli_plugin_load(const char *path, char *err, size_t err_len);

// ---- output files ------------------------------------------------------------------------------
// A file written to a temporary name in the same folder and renamed over path by cli_file_commit,
// so a reader never sees half of it and a failed run leaves the old file.
typedef struct cli_file {
    FILE *f;
    char *tmp, *path;
} cli_file;
bool cli_file_open(cli_file *out, const char *path, char *err, size_t err_len);
bool cli_file_commit(cli_file *file, char *err, size_t err_len); // closes; removes tmp on failure
void cli_file_abort(cli_file *file);
// Creates the folder (and its parents) when missing. false with a message naming it.
bool cli_mkdir(const char *dir, char *err, size_t err_len);
// Runs a program found in PATH with argv (argv[0] its name), stdout and stderr to /dev/null:
// true when it exited 0. Used for Graphviz's dot and gnuplot.
bool cli_run_tool(char *const argv[]);
bool cli_have_tool(const char *name);

// ---- progress ----------------------------------------------------------------------------------
// A progress bar with rate and ETA on a terminal, a plain line every few seconds otherwise;
// nothing when quiet.
typedef struct cli_progress {
    const char *label;
    int64_t total, done;
    double t0, last_print;
    bool tty, quiet;
    int width; // columns of the last bar drawn
} cli_progress;
void cli_progress_start(cli_progress *p, const char *label, int64_t total, bool quiet);
void cli_progress_step(cli_progress *p, int64_t done, const char *note); // note may be NULL
void cli_progress_end(cli_progress *p);
double cli_now(void); // seconds, monotonic

#endif
