// safetensors: the writer's exact bytes, round trips, dtype conversions computed by hand, every
// validation error with its message, and truncated or flipped files that must fail cleanly.
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

static char dir[256], path[320], err[512];

static void setup(void) {
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/t.safetensors", dir);
    err[0] = 0;
}
TestSuite(safetensors, .init = setup);

static void write_bytes(const char *p, const void *b, size_t n) {
    FILE *fp = fopen(p, "wb");
    cr_assert_not_null(fp);
    cr_assert_eq(fwrite(b, 1, n, fp), n);
    fclose(fp);
}

static size_t read_bytes(const char *p, unsigned char *b, size_t cap) {
    FILE *fp = fopen(p, "rb");
    cr_assert_not_null(fp);
    size_t n = fread(b, 1, cap, fp);
    fclose(fp);
    return n;
}

// A file with the given header text (declared length `hlen`, or its length when hlen < 0)
// followed by `data`.
static void raw_file(const char *header, long long hlen, const void *data, size_t ndata) {
    static unsigned char b[4096];
    size_t h = strlen(header);
    unsigned long long L = hlen < 0 ? h : (unsigned long long)hlen;
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(L >> (8 * i));
    memcpy(b + 8, header, h);
    if (ndata)
        memcpy(b + 8 + h, data, ndata);
    write_bytes(path, b, 8 + h + ndata);
}

static void expect_format_error(const char *header, size_t ndata, const char *needle) {
    static const unsigned char zeros[256];
    raw_file(header, -1, zeros, ndata);
    rc_safetensors *f = NULL;
    rc_status st = rc_safetensors_open(&f, path, err, sizeof err);
    cr_assert_eq(st, RC_ERR_FORMAT, "header %s: status %d", header, (int)st);
    cr_assert_null(f);
    cr_assert(strstr(err, needle) && strstr(err, path), "header %s: message \"%s\" lacks \"%s\"",
              header, err, needle);
}

static const float A[6] = {1, -2, 3.5f, 0, 1e-30f, -7};
static const float S = 42, B[5] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f};

static void write_sample(void) {
    rc_safetensors_entry t[] = {{"a", RC_SHAPE(2, 3), A},
                                {"s", RC_SCALAR_SHAPE, &S},
                                {"e", RC_SHAPE(0, 4), NULL},
                                {"b", RC_SHAPE(5), B}};
    const char *meta[] = {"format", "pt", "note", "x", NULL};
    cr_assert_eq(rc_safetensors_write(path, t, 4, meta, err, sizeof err), RC_OK, "%s", err);
}

Test(safetensors, writer_bytes_follow_the_format) {
    write_sample();
    unsigned char b[1024];
    size_t n = read_bytes(path, b, sizeof b);
    unsigned long long N = 0;
    for (int i = 7; i >= 0; i--)
        N = N << 8 | b[i];
    cr_assert_eq(N % 8, 0, "header padded to a multiple of 8");
    cr_assert_eq(n, 8 + N + 4 * (6 + 1 + 5), "data contiguous after the header");
    const char *want = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"x\"},"
                       "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                       "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[24,28]},"
                       "\"e\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[28,28]},"
                       "\"b\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[28,48]}}";
    size_t wl = strlen(want);
    cr_assert(wl <= N && memcmp(b + 8, want, wl) == 0, "header: %.*s", (int)N, b + 8);
    for (size_t i = wl; i < N; i++)
        cr_assert_eq(b[8 + i], ' ', "padding is spaces");
    float got[6];
    memcpy(got, b + 8 + N, sizeof got);
    cr_assert_eq(memcmp(got, A, sizeof A), 0, "little-endian f32 in order");
}

Test(safetensors, round_trip_and_queries) {
    write_sample();
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rc_safetensors_count(f), 4);
    const char *order[] = {"a", "s", "e", "b"};
    for (int i = 0; i < 4; i++)
        cr_assert_str_eq(rc_safetensors_at(f, i)->name, order[i]);
    cr_assert_null(rc_safetensors_at(f, 4));
    const rc_safetensors_info *a = rc_safetensors_find(f, "a");
    cr_assert(a && a->dtype == RC_DTYPE_F32 && a->ndim == 2 && a->numel == 6 && a->nbytes == 24);
    cr_assert(rc_shape_eq(a->shape, RC_SHAPE(2, 3)));
    cr_assert_eq(rc_safetensors_find(f, "s")->ndim, 0);
    cr_assert_eq(rc_safetensors_find(f, "s")->numel, 1);
    cr_assert_eq(rc_safetensors_find(f, "e")->numel, 0);
    float got[6], s, b[5];
    cr_assert_eq(rc_safetensors_read(f, "a", got, 6, err, sizeof err), RC_OK);
    cr_assert_eq(memcmp(got, A, sizeof A), 0);
    cr_assert_eq(rc_safetensors_read(f, "s", &s, 1, err, sizeof err), RC_OK);
    cr_assert_eq(s, S);
    cr_assert_eq(rc_safetensors_read(f, "e", NULL, 0, err, sizeof err), RC_OK);
    cr_assert_eq(rc_safetensors_read_raw(f, "b", b, sizeof b, err, sizeof err), RC_OK);
    cr_assert_eq(memcmp(b, B, sizeof B), 0);
    cr_assert_str_eq(rc_safetensors_metadata(f, "format"), "pt");
    cr_assert_null(rc_safetensors_metadata(f, "nope"));
    const char *k, *v;
    cr_assert_eq(rc_safetensors_metadata_count(f), 2);
    cr_assert(rc_safetensors_metadata_at(f, 1, &k, &v) && !strcmp(k, "note") && !strcmp(v, "x"));
    cr_assert_not(rc_safetensors_metadata_at(f, 2, &k, &v));
    // Read errors.
    cr_assert_eq(rc_safetensors_read(f, "zz", got, 6, err, sizeof err), RC_ERR_NOTFOUND);
    cr_assert(strstr(err, "no tensor named \"zz\""), "%s", err);
    cr_assert_eq(rc_safetensors_read(f, "a", got, 5, err, sizeof err), RC_ERR_SHAPE);
    cr_assert(strstr(err, "has 6 elements, the buffer 5"), "%s", err);
    cr_assert_eq(rc_safetensors_read_raw(f, "a", got, 20, err, sizeof err), RC_ERR_SHAPE);
    cr_assert(strstr(err, "has 24 bytes, the buffer 20"), "%s", err);
    rc_safetensors_close(&f);
    cr_assert_null(f);
    rc_safetensors_close(&f);
}

Test(safetensors, the_file_changing_after_open_is_an_io_error) {
    write_sample();
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(truncate(path, 40), 0);
    float b[5];
    cr_assert_eq(rc_safetensors_read(f, "b", b, 5, err, sizeof err), RC_ERR_IO);
    cr_assert(strstr(err, "cannot read"), "%s", err);
    rc_safetensors_close(&f);
}

// Hand-computed values of every dtype the reader converts.
Test(safetensors, dtype_conversions) {
    static const unsigned char data[] = {
        0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0x00, 0x7c, 0x00, 0x7e, // F16 1 -2 2^-24 inf nan
        0x80, 0x3f, 0x49, 0x40,                                     // BF16 1 3.140625
        0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0xd5, 0x3f,             // F64 1/3
        0x38, 0x7e, 0x7f, 0x01, 0xb8,                               // E4M3 1 448 nan 2^-9 -1
        0x3c, 0x7b, 0x7c,                                           // E5M2 1 57344 inf
        0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             // I64 -5
        0xff, 0xff,                                                 // U16 65535
        0x00, 0x02,                                                 // BOOL 0 1
        0x9c,                                                       // I8 -100
    };
    raw_file("{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
             "\"bf\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[10,14]},"
             "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[14,22]},"
             "\"e4\":{\"dtype\":\"F8_E4M3\",\"shape\":[5],\"data_offsets\":[22,27]},"
             "\"e5\":{\"dtype\":\"F8_E5M2\",\"shape\":[3],\"data_offsets\":[27,30]},"
             "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[30,38]},"
             "\"u\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[38,40]},"
             "\"bo\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[40,42]},"
             "\"i8\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[42,43]}}",
             -1, data, sizeof data);
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_OK, "%s", err);
    float h[5], bf[2], d, e4[5], e5[3], i, u, bo[2], i8;
    cr_assert_eq(rc_safetensors_read(f, "h", h, 5, err, sizeof err), RC_OK, "%s", err);
    cr_assert(h[0] == 1 && h[1] == -2 && h[2] == ldexpf(1, -24) && isinf(h[3]) && isnan(h[4]));
    cr_assert_eq(rc_safetensors_read(f, "bf", bf, 2, err, sizeof err), RC_OK);
    cr_assert(bf[0] == 1 && bf[1] == 3.140625f);
    cr_assert_eq(rc_safetensors_read(f, "d", &d, 1, err, sizeof err), RC_OK);
    cr_assert_eq(d, (float)(1.0 / 3));
    cr_assert_eq(rc_safetensors_read(f, "e4", e4, 5, err, sizeof err), RC_OK);
    cr_assert(e4[0] == 1 && e4[1] == 448 && isnan(e4[2]) && e4[3] == ldexpf(1, -9) && e4[4] == -1,
              "%g %g %g %g %g", e4[0], e4[1], e4[2], e4[3], e4[4]);
    cr_assert_eq(rc_safetensors_read(f, "e5", e5, 3, err, sizeof err), RC_OK);
    cr_assert(e5[0] == 1 && e5[1] == 57344 && isinf(e5[2]));
    cr_assert_eq(rc_safetensors_read(f, "i", &i, 1, err, sizeof err), RC_OK);
    cr_assert_eq(rc_safetensors_read(f, "u", &u, 1, err, sizeof err), RC_OK);
    cr_assert_eq(rc_safetensors_read(f, "bo", bo, 2, err, sizeof err), RC_OK);
    cr_assert_eq(rc_safetensors_read(f, "i8", &i8, 1, err, sizeof err), RC_OK);
    cr_assert(i == -5 && u == 65535 && bo[0] == 0 && bo[1] == 1 && i8 == -100);
    cr_assert_eq(rc_safetensors_at(f, 0)->dtype, RC_DTYPE_F16);
    rc_safetensors_close(&f);
    cr_assert_str_eq(rc_dtype_name(RC_DTYPE_BF16), "BF16");
    cr_assert_eq(rc_dtype_size(RC_DTYPE_F64), 8);
    cr_assert_str_eq(rc_dtype_name((rc_dtype)99), "?");
    cr_assert_eq(rc_dtype_size((rc_dtype)99), 0);
}

Test(safetensors, every_header_problem_is_named) {
    const char *T = "\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
    char h[512];
    expect_format_error("[1,2]", 0, "not an object");
    expect_format_error("{\"t\":", 0, "header JSON");
    expect_format_error("{\"t\":1, \"t\":2}", 0, "header JSON");
    expect_format_error("{\"t\":[]}", 0, "entry is not an object");
    expect_format_error("{\"t\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "dtype missing");
    expect_format_error("{\"t\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
                        "unknown dtype \"F33\"");
    expect_format_error("{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "shape missing");
    expect_format_error("{\"t\":{\"dtype\":\"F32\",\"shape\":\"x\",\"data_offsets\":[0,4]}}", 4,
                        "shape is not an array");
    expect_format_error("{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4,
                        "shape[0] is not a non-negative integer");
    expect_format_error("{\"t\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4,
                        "shape[0] is not a non-negative integer");
    expect_format_error("{\"t\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],"
                        "\"data_offsets\":[0,4]}}",
                        4, "9 dimensions");
    expect_format_error("{\"t\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                        "\"data_offsets\":[0,4]}}",
                        4, "overflows");
    expect_format_error("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4,
                        "data_offsets must be");
    expect_format_error("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4,
                        "end before begin");
    expect_format_error("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4,
                        "4 bytes in data_offsets, but 2 elements of F32 take 8");
    snprintf(h, sizeof h, "{%s,\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
             T);
    expect_format_error(h, 12, "a hole in the data");
    snprintf(h, sizeof h,
             "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
             "\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}");
    expect_format_error(h, 8, "overlaps another tensor");
    snprintf(h, sizeof h, "{%s}", T);
    expect_format_error(h, 8, "the tensors cover 4 bytes of data but the file holds 8");
    expect_format_error(h, 2, "runs past the end");
    snprintf(h, sizeof h, "{%s,\"__metadata__\":{\"k\":1}}", T);
    expect_format_error(h, 4, "__metadata__ value of \"k\" is not a string");
    snprintf(h, sizeof h, "{%s,\"__metadata__\":[]}", T);
    expect_format_error(h, 4, "__metadata__ must be an object");
}

Test(safetensors, length_field_and_file_problems) {
    rc_safetensors *f;
    write_bytes(path, "abc", 3);
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_ERR_FORMAT);
    cr_assert(strstr(err, "too short"), "%s", err);
    raw_file("{}", 1000, NULL, 0);
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_ERR_FORMAT);
    cr_assert(strstr(err, "header length 1000 exceeds the 2 bytes"), "%s", err);
    raw_file("{}", 1LL << 40, NULL, 0);
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_ERR_FORMAT);
    cr_assert(strstr(err, "exceeds the limit"), "%s", err);
    char missing[400];
    snprintf(missing, sizeof missing, "%s/none.safetensors", dir);
    cr_assert_eq(rc_safetensors_open(&f, missing, err, sizeof err), RC_ERR_IO);
    cr_assert(strstr(err, "cannot open"), "%s", err);
    cr_assert_eq(rc_safetensors_open(&f, dir, err, sizeof err), RC_ERR_FORMAT);
    cr_assert(strstr(err, "not a regular file"), "%s", err);
    cr_assert_null(f);
    raw_file("{}      ", -1, NULL, 0);
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_OK, "an empty file is valid");
    cr_assert_eq(rc_safetensors_count(f), 0);
    rc_safetensors_close(&f);
}

// Every truncation of a valid file is an error; every flipped header byte either still parses
// into a consistent file (then every tensor reads) or is an error with a message. Never a crash
// (the sanitizer build runs this too).
Test(safetensors, truncated_and_flipped_files_fail_cleanly) {
    write_sample();
    static unsigned char good[1024], bad[1024];
    size_t n = read_bytes(path, good, sizeof good);
    rc_safetensors *f;
    for (size_t len = 0; len < n; len++) {
        write_bytes(path, good, len);
        err[0] = 0;
        rc_status st = rc_safetensors_open(&f, path, err, sizeof err);
        cr_assert(st == RC_ERR_FORMAT && f == NULL && err[0], "truncated at %zu: status %d", len,
                  (int)st);
    }
    size_t hlen = 8 + (size_t)good[0] + ((size_t)good[1] << 8);
    const unsigned char masks[] = {0x01, 0x02, 0x08, 0x20, 0x80, 0xff};
    int opened = 0, failed = 0;
    for (size_t pos = 0; pos < hlen; pos++)
        for (size_t m = 0; m < sizeof masks; m++) {
            memcpy(bad, good, n);
            bad[pos] ^= masks[m];
            write_bytes(path, bad, n);
            err[0] = 0;
            rc_status st = rc_safetensors_open(&f, path, err, sizeof err);
            if (st != RC_OK) {
                cr_assert(st == RC_ERR_FORMAT && err[0], "byte %zu ^ %#x: status %d", pos, masks[m],
                          (int)st);
                failed++;
                continue;
            }
            opened++;
            float buf[64];
            for (int i = 0; i < rc_safetensors_count(f); i++) {
                const rc_safetensors_info *t = rc_safetensors_at(f, i);
                cr_assert(t->numel <= 64);
                cr_assert_eq(rc_safetensors_read(f, t->name, buf, t->numel, err, sizeof err), RC_OK,
                             "%s", err);
            }
            rc_safetensors_close(&f);
        }
    cr_assert(failed > opened, "most flips must be caught (%d caught, %d parsed)", failed, opened);
}

Test(safetensors, writer_errors) {
    float x = 1;
    rc_safetensors_entry dup[] = {{"w", RC_SHAPE(1), &x}, {"w", RC_SHAPE(1), &x}};
    write_sample();
    unsigned char before[1024], after[1024];
    size_t nb = read_bytes(path, before, sizeof before);
    cr_assert_eq(rc_safetensors_write(path, dup, 2, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "\"w\" is repeated"), "%s", err);
    cr_assert_eq(read_bytes(path, after, sizeof after), nb, "a failed write leaves the old file");
    cr_assert_eq(memcmp(before, after, nb), 0);
    rc_safetensors_entry reserved = {"__metadata__", RC_SHAPE(1), &x};
    cr_assert_eq(rc_safetensors_write(path, &reserved, 1, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "empty or reserved"), "%s", err);
    rc_safetensors_entry nodata = {"w", RC_SHAPE(2), NULL};
    cr_assert_eq(rc_safetensors_write(path, &nodata, 1, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "NULL data"), "%s", err);
    rc_safetensors_entry badutf = {"\xff\xfe", RC_SHAPE(1), &x};
    cr_assert_eq(rc_safetensors_write(path, &badutf, 1, NULL, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "not UTF-8"), "%s", err);
    const char *meta[] = {"k", "1", "k", "2", NULL};
    cr_assert_eq(rc_safetensors_write(path, dup, 1, meta, err, sizeof err), RC_ERR_ARG);
    cr_assert(strstr(err, "metadata key \"k\""), "%s", err);
    const char *odd[] = {"k", NULL};
    cr_assert_eq(rc_safetensors_write(path, dup, 1, odd, err, sizeof err), RC_ERR_ARG);
    char nodir[400];
    snprintf(nodir, sizeof nodir, "%s/missing/x.safetensors", dir);
    cr_assert_eq(rc_safetensors_write(nodir, dup, 1, NULL, err, sizeof err), RC_ERR_IO);
    cr_assert(strstr(err, "cannot create a temporary file"), "%s", err);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0644);
}
