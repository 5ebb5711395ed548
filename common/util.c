// Helpers layers/ and text/ share (common/common.h): error messages, growable arrays and files
// written to a temporary name, flushed, fsync'ed and renamed.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"

rc_status rc_verrf(char *err, size_t err_len, rc_status st, const char *fmt, va_list ap) {
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (err && err_len)
        snprintf(err, err_len, "%s", msg);
    return rc_set_last_error(st, "%s", msg);
}

rc_status rc_errf(char *err, size_t err_len, rc_status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rc_verrf(err, err_len, st, fmt, ap);
    va_end(ap);
    return st;
}

rc_status rc_err_null(char *err, size_t err_len, const char *fn, const char *arg) {
    return rc_errf(err, err_len, RC_ERR_ARG, "%s: %s is NULL", fn, arg);
}

bool rc_grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

// The file that writing path should replace: path itself, or the file a symlink at path names,
// followed link by link (a relative link is relative to its folder) to a file or to a name that
// does not exist yet (a dangling link). NULL when out of memory.
static char *write_target(const char *path) {
    struct stat sb;
    char *cur = strdup(path);
    for (int hops = 0; cur && hops < 40; hops++) { // 40: Linux's limit (ELOOP)
        char link[4096];
        ssize_t n;
        if (lstat(cur, &sb) != 0 || !S_ISLNK(sb.st_mode) ||
            (n = readlink(cur, link, sizeof link - 1)) < 0)
            break;
        link[n] = '\0';
        const char *slash = strrchr(cur, '/');
        size_t dir = link[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1;
        char *next = malloc(dir + (size_t)n + 1);
        if (next) {
            memcpy(next, cur, dir);
            memcpy(next + dir, link, (size_t)n + 1);
        }
        free(cur);
        cur = next;
    }
    return cur;
}

#define TEMP_TAG ".recur-tmp."

// The pid of a temporary file name "<base>.recur-tmp.<pid>.<n>", or 0 when name is not one.
static long temp_pid(const char *name, const char *base, size_t blen) {
    const size_t tlen = sizeof TEMP_TAG - 1;
    if (strncmp(name, base, blen) != 0 || strncmp(name + blen, TEMP_TAG, tlen) != 0)
        return 0;
    const char *s = name + blen + tlen;
    long pid = 0;
    for (; *s >= '0' && *s <= '9' && pid < 1L << 40; s++)
        pid = pid * 10 + (*s - '0');
    if (*s++ != '.' || !(*s >= '0' && *s <= '9'))
        return 0;
    while (*s >= '0' && *s <= '9')
        s++;
    return *s ? 0 : pid;
}

// Removes the temporary files of earlier saves to target that were killed midway: those whose
// process no longer exists. Best effort; a save does not fail for it.
static void remove_stale_temps(const char *target) {
    const char *slash = strrchr(target, '/');
    const char *base = slash ? slash + 1 : target;
    const size_t blen = strlen(base);
    // The folder: "." for a bare name, "/" for "/x".
    char *dir =
        slash ? strndup(target, slash == target ? 1 : (size_t)(slash - target)) : strdup(".");
    DIR *d = dir ? opendir(dir) : NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        const long pid = temp_pid(e->d_name, base, blen);
        if (pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) == -1 && errno == ESRCH)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    if (d)
        closedir(d);
    free(dir);
}

// Creates "<target>.recur-tmp.<pid>.<n>" with what open() gives for 0666 under the umask, or
// the mode of the file at target. The descriptor, or -1 with errno set.
static int create_temp(rc_afile *a) {
    static atomic_uint counter;
    const size_t len = strlen(a->target) + 48;
    if (!(a->tmp = malloc(len))) {
        errno = ENOMEM;
        return -1;
    }
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        snprintf(a->tmp, len, "%s" TEMP_TAG "%ld.%u", a->target, (long)getpid(),
                 atomic_fetch_add(&counter, 1));
        fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    struct stat sb;
    if (fd >= 0 && stat(a->target, &sb) == 0 && S_ISREG(sb.st_mode))
        fchmod(fd, sb.st_mode & 0777);
    return fd;
}

rc_status rc_afile_open(rc_afile *a, const char *path, char *err, size_t err_len) {
    memset(a, 0, sizeof *a);
    if (!(a->target = write_target(path)))
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", path);
    remove_stale_temps(a->target);
    int fd = create_temp(a);
    if (fd < 0 || !(a->f = fdopen(fd, "wb"))) {
        rc_errf(err, err_len, RC_ERR_IO, "%s: cannot create a temporary file: %s", path,
                strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(a->tmp);
        }
        free(a->tmp);
        free(a->target);
        memset(a, 0, sizeof *a);
        return RC_ERR_IO;
    }
    a->path = path;
    return RC_OK;
}

void rc_afile_abort(rc_afile *a) {
    if (a->f) {
        fclose(a->f);
        unlink(a->tmp);
    }
    free(a->tmp);
    free(a->target);
    memset(a, 0, sizeof *a);
}

// Directory entries become durable only when the directory itself is synced.
static void sync_dir(const char *path) {
    char *dir = strdup(path);
    if (!dir)
        return;
    char *slash = strrchr(dir, '/');
    const char *d = slash ? (slash == dir ? "/" : (*slash = 0, dir)) : ".";
    FILE *fp = fopen(d, "r");
    if (fp) {
        fsync(fileno(fp));
        fclose(fp);
    }
    free(dir);
}

rc_status rc_afile_commit(rc_afile *a, char *err, size_t err_len) {
    bool ok = !ferror(a->f) && fflush(a->f) == 0 && fsync(fileno(a->f)) == 0;
    int e = errno;
    if (fclose(a->f) != 0 && ok)
        ok = false, e = errno;
    a->f = NULL;
    if (ok && rename(a->tmp, a->target) != 0)
        ok = false, e = errno;
    if (ok) {
        sync_dir(a->target);
    } else {
        rc_errf(err, err_len, RC_ERR_IO, "%s: write failed: %s", a->path, strerror(e ? e : EIO));
        unlink(a->tmp);
    }
    free(a->tmp);
    free(a->target);
    a->tmp = a->target = NULL;
    return ok ? RC_OK : RC_ERR_IO;
}
