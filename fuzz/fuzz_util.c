#include "fuzz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

// Every path made, files before the folders that hold them, removed at exit.
static char made[32][160];
static int n_made;

static void remember(const char *path) {
    for (int i = 0; i < n_made; i++)
        if (!strcmp(made[i], path))
            return;
    if (n_made < 32)
        snprintf(made[n_made++], sizeof made[0], "%s", path);
}

static void remove_dir(void) {
    for (int i = n_made - 1; i >= 0; i--)
        remove(made[i]);
    rmdir(dir);
}

const char *fz_dir(void) {
    if (!dir[0]) {
        atexit(remove_dir);
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%.40s/recur-fuzz-%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
        mkdir(dir, 0700);
    }
    return dir;
}

const char *fz_named_file(const char *name, const void *data, size_t size) {
    static char path[8][160];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, sizeof path[0], "%s/%s", fz_dir(), name);
    char *slash = strrchr(p, '/');
    if (slash > p + strlen(fz_dir())) { // a subfolder such as qrels/
        *slash = '\0';
        mkdir(p, 0700);
        remember(p);
        *slash = '/';
    }
    FILE *f = fopen(p, "wb");
    remember(p);
    if (!f)
        abort(); // the fuzzer's own folder must be writable
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    return p;
}

const char *fz_file(int slot, const void *data, size_t size) {
    char name[16];
    snprintf(name, sizeof name, "in%d", slot & 7);
    return fz_named_file(name, data, size);
}

int fz_split(const uint8_t *data, size_t size, const uint8_t **part, size_t *len, int n) {
    int k = 0;
    size_t start = 0;
    for (size_t i = 0; i < size && k < n - 1; i++)
        if (data[i] == 0) {
            part[k] = data + start, len[k++] = i - start;
            start = i + 1;
        }
    part[k] = data + start, len[k++] = size - start;
    return k;
}
