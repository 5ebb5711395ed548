// The line reader under every option: the first two bytes choose max_line, the long-line mode and
// UTF-8 validation; the rest is the file. Checks the promises of text.h: no line longer than
// max_line (but a split piece that is one character, a lead byte and up to 3 continuation
// bytes, of up to max_line + 3), line numbers that never go back, valid UTF-8 when validated.
#include <string.h>

#include <recur/recur.h>

#include "fuzz_util.h"

// A piece longer than max_line may only be one character longer than max_line (split mode).
static bool one_long_char(const char *s, size_t len, size_t max) {
    if (len > max + 3 || len < 2 || (unsigned char)s[0] < 0xC0)
        return false;
    for (size_t i = 1; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    rc_line_opts o = {.max_line = (size_t)(data[0] % 64) + 1,
                      .long_line = (data[1] & 1) ? RC_LONG_LINE_SPLIT : RC_LONG_LINE_ERROR,
                      .validate_utf8 = (data[1] & 2) != 0};
    if (data[1] & 4)
        o.max_line = 0; // the default, 1 MiB
    rc_line_reader *r;
    char err[512];
    if (rc_line_reader_open(&r, fz_file(0, data + 2, size - 2), &o, err, sizeof err) != RC_OK)
        return 0;
    int64_t last = 0;
    for (int guard = 0; guard < 1 << 20; guard++) {
        const char *line;
        size_t len;
        rc_status st = rc_line_reader_next(r, &line, &len, err, sizeof err);
        if (st == RC_ERR_FORMAT)
            continue;
        if (st != RC_OK || !line)
            break;
        size_t max = o.max_line ? o.max_line : (size_t)1 << 20;
        bool over =
            len > max && !(o.long_line == RC_LONG_LINE_SPLIT && one_long_char(line, len, max));
        if (over || rc_line_reader_lineno(r) < last || memchr(line, '\n', len))
            __builtin_trap();
        if (o.validate_utf8 && !rc_utf8_validate(line, len, NULL, NULL))
            __builtin_trap();
        last = rc_line_reader_lineno(r);
    }
    rc_line_reader_close(&r);
    return 0;
}
