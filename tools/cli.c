// The helpers of cli.h: messages, option values, common options, whole-file output, progress.
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <recur/recur.h>

static void vmessage(const char *cmd, const char *fmt, va_list ap) {
    fprintf(stderr, "recur%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_usage(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vmessage(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'recur help%s%s'.\n", cmd ? " " : "", cmd ? cmd : "");
    return CLI_USAGE;
}

int cli_fail(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vmessage(cmd, fmt, ap);
    va_end(ap);
    return CLI_FAILED;
}

void cli_print_usage(FILE *f, const char *cmd) {
    const cli_command *c = cli_command_find(cmd);
    if (c)
        fprintf(f, "%s", c->usage);
}

bool cli_long(const char *cmd, const char *opt, const char *arg, int64_t lo, int64_t hi,
              int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (end == arg || *end || errno == ERANGE) {
        cli_usage(cmd, "--%s: '%s' is not a whole number", opt, arg);
        return false;
    }
    if (v < lo || v > hi) {
        cli_usage(cmd, "--%s: %lld is out of range [%lld, %lld]", opt, v, (long long)lo,
                  (long long)hi);
        return false;
    }
    *out = v;
    return true;
}

bool cli_int(const char *cmd, const char *opt, const char *arg, int lo, int hi, int *out) {
    int64_t v;
    if (!cli_long(cmd, opt, arg, lo, hi, &v))
        return false;
    *out = (int)v;
    return true;
}

bool cli_double(const char *cmd, const char *opt, const char *arg, double lo, double hi,
                double *out) {
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (end == arg || *end || errno == ERANGE || !isfinite(v)) {
        cli_usage(cmd, "--%s: '%s' is not a number", opt, arg);
        return false;
    }
    if (v < lo || v > hi) {
        cli_usage(cmd, "--%s: %g is out of range [%g, %g]", opt, v, lo, hi);
        return false;
    }
    *out = v;
    return true;
}

int cli_list(const char *cmd, const char *opt, const char *arg, const char **items, int cap,
             char **store) {
    *store = strdup(arg);
    if (!*store)
        return cli_fail(cmd, "out of memory"), -1;
    int n = 0;
    for (char *save = NULL, *s = strtok_r(*store, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        if (n == cap) {
            cli_usage(cmd, "--%s: more than %d items", opt, cap);
            return -1;
        }
        items[n++] = s;
    }
    if (n == 0)
        cli_usage(cmd, "--%s: the list is empty", opt);
    return n ? n : -1;
}

int cli_common_option(const char *cmd, int opt, const char *arg, cli_common *c, int *status) {
    char err[512];
    *status = CLI_USAGE;
    switch (opt) {
    case CLI_OPT_HELP: c->help = true; return 1;
    case CLI_OPT_QUIET: c->quiet = true; return 1;
    case CLI_OPT_JSON: c->json = true; return 1;
    case CLI_OPT_THREADS:
        if (!cli_int(cmd, "threads", arg, 1, 1024, &c->threads))
            return -1;
        rc_set_num_threads(c->threads);
        return 1;
    case CLI_OPT_PLUGIN:
        if (cli_plugin_load(arg, err, sizeof err))
            return 1;
        *status = CLI_FAILED;
        cli_fail(cmd, "--plugin: %s", err);
        return -1;
    default: return 0;
    }
}

int cli_bad_option(const char *cmd) {
    fprintf(stderr, "Try 'recur help %s'.\n", cmd);
    return CLI_USAGE;
}

int cli_parse_options(const char *cmd, int argc, char **argv, const struct option *longopts,
                      cli_common *common, cli_own_option own, void *ctx, const char *usage) {
    optind = 1;
    for (int opt, st; (opt = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1;) {
        const int done = cli_common_option(cmd, opt, optarg, common, &st);
        if (done < 0)
            return st;
        if (done)
            continue;
        if (opt < CLI_OPT_FIRST_OWN || opt == '?' || opt == ':')
            return cli_bad_option(cmd);
        if (!own(ctx, opt, optarg))
            return CLI_USAGE;
    }
    if (common->help)
        return fputs(usage, stdout), CLI_OK;
    return -1;
}

void cli_print_json(json_t *root) {
    json_dumpf(root, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(root);
}

int cli_no_operands(const char *cmd, int argc, char **argv) {
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    return CLI_OK;
}

bool cli_plugin_load(const char *path, char *err, size_t err_len) {
    const rc_plugin_info *info;
    return rc_plugin_load(path, &info, err, err_len) == RC_OK;
}
