#include "cli_run.h"

#include <criterion/criterion.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

char *cli_slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    for (size_t got; s && (got = fread(s + n, 1, cap - n - 1, f)) > 0;) {
        n += got;
        if (n + 1 == cap)
            s = realloc(s, cap *= 2);
    }
    fclose(f);
    if (s)
        s[n] = '\0';
    return s;
}

static int temp_fd(char *path) {
    strcpy(path, "/tmp/recur-cli-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "cannot create a temporary file");
    return fd;
}

cli_result cli_run(const char *const *args) {
    const char *bin = getenv("RECUR_BIN");
    cr_assert(bin && *bin, "RECUR_BIN is not set (run the tests through meson test)");
    int n = 0;
    while (args[n])
        n++;
    char **argv = calloc((size_t)n + 2, sizeof *argv);
    argv[0] = (char *)bin;
    for (int i = 0; i < n; i++)
        argv[i + 1] = (char *)args[i];
    char out_path[32], err_path[32];
    int out_fd = temp_fd(out_path), err_fd = temp_fd(err_path);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    pid_t pid;
    int rc = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    free(argv);
    cr_assert(rc == 0, "cannot start %s", bin);
    int wst;
    cr_assert(waitpid(pid, &wst, 0) == pid);
    close(out_fd), close(err_fd);
    cli_result r = {WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst), cli_slurp(out_path),
                    cli_slurp(err_path)};
    unlink(out_path), unlink(err_path);
    return r;
}

void cli_result_free(cli_result *r) {
    free(r->out), free(r->err);
    r->out = r->err = NULL;
}

const char *cli_examples_dir(void) {
    const char *d = getenv("RECUR_EXAMPLES_DIR");
    cr_assert(d && *d, "RECUR_EXAMPLES_DIR is not set (run the tests through meson test)");
    return d;
}

const char *cli_test_plugins_dir(void) {
    const char *d = getenv("RECUR_TEST_PLUGINS_DIR");
    cr_assert(d && *d, "RECUR_TEST_PLUGINS_DIR is not set (run the tests through meson test)");
    return d;
}

const char *cli_path_in(const char *dir, const char *name) {
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}
