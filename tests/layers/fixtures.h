// Where the layer tests find committed fixtures: $RECUR_SOURCE_ROOT/tests/fixtures (meson test
// sets it), else tests/fixtures or ../tests/fixtures from the working directory.
#ifndef RECUR_TESTS_LAYERS_FIXTURES_H
#define RECUR_TESTS_LAYERS_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_util.h"

static inline const char *fixture_path(const char *rel, char *buf, size_t len) {
    const char *root = getenv("RECUR_SOURCE_ROOT");
    if (root && *root) {
        snprintf(buf, len, "%s/tests/fixtures/%s", root, rel);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    const char *bases[] = {"tests/fixtures", "../tests/fixtures"};
    for (int i = 0; i < 2; i++) {
        snprintf(buf, len, "%s/%s", bases[i], rel);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    cr_assert_fail("fixture %s not found (set RECUR_SOURCE_ROOT to the source tree)", rel);
    return NULL;
}

#endif
