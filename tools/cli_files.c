// Output files written whole (temporary name, then rename), folders, external tools, progress.
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

bool cli_file_open(cli_file *out, const char *path, char *err, size_t err_len) {
    *out = (cli_file){0};
    size_t n = strlen(path);
    out->path = strdup(path);
    out->tmp = malloc(n + 16);
    if (!out->path || !out->tmp) {
        cli_file_abort(out);
        snprintf(err, err_len, "%s: out of memory", path);
        return false;
    }
    snprintf(out->tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(out->tmp);
    if (fd < 0 || !(out->f = fdopen(fd, "w"))) {
        snprintf(err, err_len, "%s: cannot create a file there: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd), unlink(out->tmp);
        free(out->tmp), free(out->path);
        *out = (cli_file){0};
        return false;
    }
    fchmod(fd, 0644);
    return true;
}

bool cli_file_commit(cli_file *file, char *err, size_t err_len) {
    bool ok = !ferror(file->f) && fflush(file->f) == 0 && fsync(fileno(file->f)) == 0;
    int saved = errno;
    ok = fclose(file->f) == 0 && ok;
    file->f = NULL;
    if (ok && rename(file->tmp, file->path) != 0)
        ok = false, saved = errno;
    if (!ok) {
        snprintf(err, err_len, "%s: write failed: %s", file->path, strerror(saved));
        unlink(file->tmp);
    }
    free(file->tmp), free(file->path);
    *file = (cli_file){0};
    return ok;
}

void cli_file_abort(cli_file *file) {
    if (file->f) {
        fclose(file->f);
        unlink(file->tmp);
    }
    free(file->tmp), free(file->path);
    *file = (cli_file){0};
}

bool cli_mkdir(const char *dir, char *err, size_t err_len) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        snprintf(err, err_len, "%s: path too long", dir);
        return false;
    }
    for (char *p = path + 1;; p++) {
        bool end = *p == '\0';
        if (*p != '/' && !end)
            continue;
        *p = '\0';
        struct stat sb;
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            snprintf(err, err_len, "%s: cannot create folder %s: %s", dir, path, strerror(errno));
            return false;
        }
        if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            snprintf(err, err_len, "%s: %s is not a folder", dir, path);
            return false;
        }
        if (end)
            return true;
        *p = '/';
    }
}

bool cli_run_tool(char *const argv[]) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    int status;
    if (rc != 0 || waitpid(pid, &status, 0) < 0)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool cli_have_tool(const char *name) {
    const char *path = getenv("PATH");
    char buf[4096];
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, name);
        if (n && access(buf, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_start(cli_progress *p, const char *label, int64_t total, bool quiet) {
    *p = (cli_progress){.label = label, .total = total, .quiet = quiet};
    p->tty = isatty(2) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
    p->t0 = p->last_print = cli_now();
}

static void format_eta(char *buf, size_t n, double s) {
    if (!(s >= 0) || s > 1e7)
        snprintf(buf, n, "--:--");
    else if (s >= 3600)
        snprintf(buf, n, "%d:%02d:%02d", (int)s / 3600, (int)s / 60 % 60, (int)s % 60);
    else
        snprintf(buf, n, "%d:%02d", (int)s / 60, (int)s % 60);
}

static void draw(cli_progress *p, const char *note, bool final) {
    double el = cli_now() - p->t0, rate = el > 0 ? (double)p->done / el : 0;
    double frac = p->total > 0 ? (double)p->done / (double)p->total : 0;
    char eta[32];
    format_eta(eta, sizeof eta, rate > 0 ? (double)(p->total - p->done) / rate : -1);
    if (p->tty) {
        char bar[31];
        int fill = (int)(frac * 30 + 0.5);
        for (int i = 0; i < 30; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[30] = '\0';
        int w = fprintf(stderr, "\r%s [%s] %3d%% %lld/%lld %.1f/s ETA %s%s%s", p->label, bar,
                        (int)(frac * 100), (long long)p->done, (long long)p->total, rate, eta,
                        note ? "  " : "", note ? note : "");
        fprintf(stderr, "%*s%s", p->width > w ? p->width - w : 0, "", final ? "\n" : "");
        p->width = w;
    } else {
        fprintf(stderr, "%s: %lld/%lld (%d%%), %.1f/s, ETA %s%s%s\n", p->label, (long long)p->done,
                (long long)p->total, (int)(frac * 100), rate, eta, note ? ", " : "",
                note ? note : "");
    }
    fflush(stderr);
}

void cli_progress_step(cli_progress *p, int64_t done, const char *note) {
    p->done = done;
    if (p->quiet)
        return;
    double now = cli_now();
    if (now - p->last_print < (p->tty ? 0.1 : 5.0))
        return;
    p->last_print = now;
    draw(p, note, false);
}

void cli_progress_end(cli_progress *p) {
    if (!p->quiet && (p->tty || cli_now() - p->t0 >= 5.0))
        draw(p, NULL, true);
}
