// UTF-8 decoding and validation, Latin-1 transcoding, and the character classes and lower-case
// mapping of the tokenizer (tables generated from Python's Unicode data, see
// gen_unicode_tables.py, so that "word character" means exactly what Python's re means by \w).
#include <stdio.h>
#include <string.h>

#include <recur/embed.h>

#include "text/text_impl.h"
#include "unicode_tables.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const utf8_why[] = {
    [RC_UTF8_OK] = "valid",
    [RC_UTF8_CONTINUATION] = "unexpected continuation byte",
    [RC_UTF8_LEAD] = "invalid lead byte",
    [RC_UTF8_TRUNCATED] = "truncated sequence",
    [RC_UTF8_OVERLONG] = "overlong encoding",
    [RC_UTF8_SURROGATE] = "surrogate code point",
    [RC_UTF8_TOO_BIG] = "code point above U+10FFFF",
};

const char *rc_utf8_error_str(rc_utf8_error e) {
    return (unsigned)e < N_OF(utf8_why) ? utf8_why[e] : "unknown error";
}

int rc_utf8_decode(const char *s, size_t len, uint32_t *cp, rc_utf8_error *why) {
    const unsigned char *p = (const unsigned char *)s;
    rc_utf8_error e = RC_UTF8_OK;
    uint32_t c = len ? p[0] : 0;
    int n = 1;
    if (!len) {
        e = RC_UTF8_TRUNCATED;
    } else if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c < 0xC0) {
        e = RC_UTF8_CONTINUATION;
    } else if (c < 0xC2) { // C0 and C1 can only start overlong two-byte forms
        e = RC_UTF8_OVERLONG;
    } else if (c < 0xF5) {
        n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        c &= n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07;
        for (int i = 1; i < n && !e; i++) {
            if ((size_t)i >= len || (p[i] & 0xC0) != 0x80)
                e = RC_UTF8_TRUNCATED;
            else
                c = (c << 6) | (p[i] & 0x3F);
        }
        if (!e && ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000)))
            e = RC_UTF8_OVERLONG;
        else if (!e && c >= 0xD800 && c <= 0xDFFF)
            e = RC_UTF8_SURROGATE;
        else if (!e && c > 0x10FFFF)
            e = RC_UTF8_TOO_BIG;
    } else {
        e = c <= 0xF7 ? RC_UTF8_TOO_BIG : RC_UTF8_LEAD;
    }
    if (why)
        *why = e;
    if (e)
        return 0;
    *cp = c;
    return n;
}

int rc_utf8_encode(uint32_t cp, char out[4]) {
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return 0;
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF)
        return 0;
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

bool rc_utf8_validate(const char *s, size_t len, size_t *bad_offset, rc_utf8_error *why) {
    size_t i = 0;
    while (i < len) {
        // Eight ASCII bytes at a time: most text is mostly ASCII.
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        uint32_t cp;
        int n = rc_utf8_decode(s + i, len - i, &cp, why);
        if (!n) {
            if (bad_offset)
                *bad_offset = i;
            return false;
        }
        i += (size_t)n;
    }
    if (why)
        *why = RC_UTF8_OK;
    return true;
}

size_t rc_latin1_to_utf8(const char *in, size_t len, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x80) {
            out[o++] = (char)c;
        } else {
            out[o++] = (char)(0xC0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    return o;
}

static bool in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < r[mid][0])
            hi = mid;
        else if (cp > r[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

bool rc_unicode_is_word(uint32_t cp) {
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
               cp == '_';
    return in_ranges(word_ranges, N_OF(word_ranges), cp);
}

bool rc_unicode_is_space(uint32_t cp) {
    return in_ranges(space_ranges, N_OF(space_ranges), cp);
}

uint32_t rc_unicode_lower(uint32_t cp) {
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    size_t lo = 0, hi = N_OF(lower_runs);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((int64_t)cp < lower_runs[mid][0]) {
            hi = mid;
        } else if ((int64_t)cp > lower_runs[mid][1]) {
            lo = mid + 1;
        } else {
            int32_t off = (int32_t)cp - lower_runs[mid][0];
            return off % lower_runs[mid][3] == 0 ? (uint32_t)((int32_t)cp + lower_runs[mid][2])
                                                 : cp;
        }
    }
    return cp;
}
