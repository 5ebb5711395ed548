// The header check of tests/headers/meson.build covers every public header, and recur.h, which
// promises the whole API, includes every other one.
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "headers/header_list.h"
#include "test_util.h"

static const char headers[] = RC_TEST_HEADERS; // "autograd base ..."

// Whether name is a word of the space-separated list.
static bool listed(const char *name) {
    const size_t n = strlen(name);
    for (const char *s = headers; (s = strstr(s, name)); s += n)
        if ((s == headers || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0'))
            return true;
    return false;
}

static int n_listed(void) {
    int n = 1;
    for (const char *s = headers; *s; s++)
        n += *s == ' ';
    return n;
}

Test(headers, every_public_header_is_compiled_alone) {
    DIR *d = opendir(RC_TEST_HEADER_DIR);
    cr_assert_not_null(d, "cannot open %s", RC_TEST_HEADER_DIR);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        const size_t len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 2, ".h"))
            continue;
        char stem[256];
        snprintf(stem, sizeof stem, "%.*s", (int)(len - 2), e->d_name);
        cr_expect(listed(stem),
                  "include/recur/%s is missing from public_headers in "
                  "tests/headers/meson.build",
                  e->d_name);
        n++;
    }
    closedir(d);
    cr_assert_eq(n, n_listed(), "public_headers (%s) names %d headers, include/recur holds %d",
                 headers, n_listed(), n);
}

Test(headers, recur_h_includes_every_header) {
    char path[512], text[4096];
    snprintf(path, sizeof path, "%s/recur.h", RC_TEST_HEADER_DIR);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    const size_t got = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    cr_assert_lt(got, sizeof text - 1, "recur.h is larger than this test's buffer");
    text[got] = '\0';
    char word[64], inc[96];
    int used = 0;
    for (const char *s = headers; sscanf(s, "%63s%n", word, &used) == 1; s += used) {
        if (strcmp(word, "recur")) {
            snprintf(inc, sizeof inc, "#include \"%s.h\"", word);
            cr_expect(strstr(text, inc), "recur.h lacks %s", inc);
        }
    }
}
