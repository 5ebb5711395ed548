// Loading weights by name from an open safetensors file: prefix strip and add, renames and the
// map callback, the prioritised report with hundreds of extra tensors, the unexpected-tensor
// policies, every mapping error; and typed int32 reads of every integer dtype with range checks.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

static char dir[256], path[320], err[1024];

static void setup(void) {
    cr_assert_not_null(tu_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/w.safetensors", dir);
    err[0] = 0;
}
TestSuite(load, .init = setup);
TestSuite(load_errors, .init = setup);
TestSuite(safetensors_i32, .init = setup);

// ---- helpers ------------------------------------------------------------------------------------

static float values[64][16]; // tensor i holds 100 * i + k + 1 at k: which tensor loaded shows

// Writes tensors names[0..n) as F32 of shapes[i] (NULL: all [2]) with values[i].
static void write_file(const char *const *names, const rc_shape *shapes, int n) {
    static rc_safetensors_entry e[400];
    static float big[400][2];
    cr_assert_leq(n, 400);
    for (int i = 0; i < n; i++) {
        rc_shape s = shapes ? shapes[i] : RC_SHAPE(2);
        cr_assert_leq(rc_shape_numel(s), 16);
        const float *data = big[i];
        if (i < 64) {
            for (int k = 0; k < 16; k++)
                values[i][k] = (float)(100 * i + k + 1);
            data = values[i];
        }
        cr_assert(i < 64 || rc_shape_numel(s) <= 2);
        e[i] = (rc_safetensors_entry){names[i], s, data};
    }
    cr_assert_eq(rc_safetensors_write(path, e, n, NULL, err, sizeof err), RC_OK, "%s", err);
}

static rc_safetensors *open_file(void) {
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, path, err, sizeof err), RC_OK, "%s", err);
    return f;
}

static rc_param *add(rc_params *ps, const char *name, rc_shape s) {
    rc_param *p;
    cr_assert_eq(rc_params_add(ps, name, s, &p), RC_OK, "%s", name);
    return p;
}

// The first value of parameter `name`: 100 * (index of the file tensor it loaded from) + 1.
static float first(const rc_params *ps, const char *name) {
    return rc_param_value(rc_params_find(ps, name)).data[0];
}

#define ASSERT_MSG(needle)                                                                         \
    cr_assert(strstr(err, needle), "message \"%s\" lacks \"%s\"", err, needle)

// ---- loading from a handle ----------------------------------------------------------------------

Test(load, from_an_open_handle_strict_by_default) {
    const char *names[] = {"fc.weight", "fc.bias", "emb"};
    const rc_shape shapes[] = {RC_SHAPE(3, 4), RC_SHAPE(3), RC_SHAPE(5, 2)};
    write_file(names, shapes, 3);
    rc_safetensors *f = open_file();
    rc_params *ps;
    rc_params_new(&ps);
    add(ps, "emb", RC_SHAPE(5, 2));
    add(ps, "fc.weight", RC_SHAPE(3, 4));
    add(ps, "fc.bias", RC_SHAPE(3));
    rc_load_report rep;
    cr_assert_eq(rc_params_load_safetensors(ps, f, NULL, &rep, err, sizeof err), RC_OK, "%s", err);
    cr_assert(rep.loaded == 3 && !rep.missing && !rep.unexpected && !rep.mismatched);
    cr_assert_str_eq(rep.text, "");
    cr_assert_eq(memcmp(rc_param_value(rc_params_find(ps, "emb")).data, values[2], 40), 0);
    cr_assert_eq(first(ps, "fc.bias"), 101.0f);
    rc_params_free(&ps);
    // The same file, a store that does not fit: strict (opts NULL) loads nothing.
    rc_params_new(&ps);
    add(ps, "fc.weight", RC_SHAPE(4, 3));
    add(ps, "fc.bias", RC_SHAPE(3));
    add(ps, "head.weight", RC_SHAPE(2));
    cr_assert_eq(rc_params_load_safetensors(ps, f, NULL, &rep, err, sizeof err), RC_ERR_SHAPE);
    cr_assert_str_eq(rep.text, "mismatched 1: fc.weight (file [3,4] F32, store [4,3]); missing 1: "
                               "head.weight; unexpected 1: emb");
    cr_assert(strstr(err, rep.text) && strstr(err, path), "%s", err);
    cr_assert_eq(first(ps, "fc.bias"), 0.0f, "strict: nothing loaded");
    const rc_load_opts lenient = {0};
    cr_assert_eq(rc_params_load_safetensors(ps, f, &lenient, &rep, err, sizeof err), RC_OK);
    cr_assert(rep.loaded == 1 && rep.missing == 1 && rep.mismatched == 1 && rep.unexpected == 1);
    cr_assert_eq(first(ps, "fc.bias"), 101.0f, "lenient: what matches loads");
    cr_assert_eq(rc_params_load_safetensors(ps, f, &lenient, NULL, err, sizeof err), RC_OK);
    rc_params_free(&ps);
    rc_safetensors_close(&f);
}

Test(load, prefix_strip_and_add) {
    const char *names[] = {"model.rnn.w", "model.rnn.b", "model.head.w", "other"};
    write_file(names, NULL, 4);
    rc_safetensors *f = open_file();
    rc_params *ps;
    rc_params_new(&ps);
    add(ps, "rnn.w", RC_SHAPE(2)), add(ps, "rnn.b", RC_SHAPE(2)), add(ps, "head.w", RC_SHAPE(2));
    rc_load_report rep;
    rc_load_opts o = {.strip_prefix = "model."};
    cr_assert_eq(rc_params_load_safetensors(ps, f, &o, &rep, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rep.loaded, 3);
    cr_assert_str_eq(rep.text, "unexpected 1: other", "names without the prefix are kept");
    cr_assert(first(ps, "rnn.w") == 1 && first(ps, "rnn.b") == 101 && first(ps, "head.w") == 201);
    rc_params_free(&ps);
    // Strip one prefix, add another: model.rnn.w -> enc.w; the others get enc. too.
    rc_params_new(&ps);
    add(ps, "enc.w", RC_SHAPE(2)), add(ps, "enc.b", RC_SHAPE(2));
    o = (rc_load_opts){.strip_prefix = "model.rnn.", .add_prefix = "enc."};
    cr_assert_eq(rc_params_load_safetensors(ps, f, &o, &rep, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rep.loaded, 2);
    cr_assert_str_eq(rep.text, "unexpected 2: model.head.w, other", "unexpected by file name");
    cr_assert_eq(first(ps, "enc.b"), 101.0f);
    o.strict = true;
    cr_assert_eq(rc_params_load_safetensors(ps, f, &o, &rep, err, sizeof err), RC_ERR_NOTFOUND);
    o.unexpected = RC_LOAD_UNEXPECTED_IGNORE;
    cr_assert_eq(rc_params_load_safetensors(ps, f, &o, &rep, err, sizeof err), RC_OK, "%s", err);
    rc_params_free(&ps);
    rc_safetensors_close(&f);
}

// Rewrites "gamma" to "weight"; skips names that start with "aux.".
static bool ln_names(void *user, const char *file_name, char *name, size_t cap) {
    ++*(int *)user;
    if (!strncmp(file_name, "aux.", 4))
        return false;
    char *g = strstr(name, "gamma");
    if (g) {
        char rest[64];
        snprintf(rest, sizeof rest, "%s", g + 5);
        snprintf(g, cap - (size_t)(g - name), "weight%s", rest);
    }
    return true;
}

Test(load, renames_and_map) {
    const char *names[] = {"m.norm.gamma", "m.norm.beta", "m.step", "aux.loss_scale", "m.proj"};
    write_file(names, NULL, 5);
    rc_safetensors *f = open_file();
    rc_params *ps;
    rc_params_new(&ps);
    add(ps, "norm.weight", RC_SHAPE(2)), add(ps, "norm.bias", RC_SHAPE(2));
    add(ps, "out.weight", RC_SHAPE(2));
    const rc_load_rename renames[] = {{"m.norm.beta", "norm.bias"}, // used as given
                                      {"m.step", NULL},             // skipped
                                      {"m.proj", "out.weight"}};
    int calls = 0;
    rc_load_opts o = {.strict = true,
                      .strip_prefix = "m.",
                      .renames = renames,
                      .n_renames = 3,
                      .map = ln_names,
                      .map_user = &calls};
    rc_load_report rep;
    cr_assert_eq(rc_params_load_safetensors(ps, f, &o, &rep, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rep.loaded, 3);
    cr_assert_eq(rep.unexpected, 0, "%s", rep.text);
    cr_assert_eq(calls, 4, "map sees every tensor not skipped by renames");
    cr_assert_eq(first(ps, "norm.weight"), 1.0f);
    cr_assert_eq(first(ps, "norm.bias"), 101.0f);
    cr_assert_eq(first(ps, "out.weight"), 401.0f);
    rc_params_free(&ps);
    rc_safetensors_close(&f);
}

Test(load, mismatch_names_the_file_tensor) {
    const char *names[] = {"model.fc.weight"};
    write_file(names, (rc_shape[]){RC_SHAPE(3, 4)}, 1);
    rc_safetensors *f = open_file();
    rc_params *ps;
    rc_params_new(&ps);
    add(ps, "fc.weight", RC_SHAPE(4, 3));
    rc_load_report rep;
    const rc_load_opts o = {.strip_prefix = "model."};
    cr_assert_eq(rc_params_load_safetensors(ps, f, &o, &rep, err, sizeof err), RC_OK);
    cr_assert_str_eq(rep.text, "mismatched 1: fc.weight (file model.fc.weight [3,4] F32, store "
                               "[4,3])");
    rc_params_free(&ps);
    rc_safetensors_close(&f);
}

Test(load, optimizer_tensors_are_never_unexpected) {
    const char *names[] = {"w", "__optim__.exp_avg.w"};
    write_file(names, NULL, 2);
    rc_safetensors *f = open_file();
    rc_params *ps;
    rc_params_new(&ps);
    add(ps, "w", RC_SHAPE(2));
    cr_assert_eq(rc_params_load_safetensors(ps, f, NULL, NULL, err, sizeof err), RC_OK, "%s", err);
    rc_params_free(&ps);
    rc_safetensors_close(&f);
}

// ---- the report ---------------------------------------------------------------------------------

// A file of "fc.weight" [3,4], "fc.bias" [3] and n_extra tensors "encoder.layer%03d.weight";
// a store of fc.weight [4,3] (mismatched), fc.bias and the missing head.a, head.b.
static rc_safetensors *many_extra(int n_extra, rc_params **ps) {
    static char extra[400][40];
    const char *names[402] = {"fc.weight", "fc.bias"};
    rc_shape shapes[402] = {RC_SHAPE(3, 4), RC_SHAPE(3)};
    for (int i = 0; i < n_extra; i++) {
        snprintf(extra[i], sizeof extra[i], "encoder.layer%03d.weight", i);
        names[2 + i] = extra[i];
        shapes[2 + i] = RC_SHAPE(1);
    }
    write_file(names, shapes, 2 + n_extra);
    rc_params_new(ps);
    add(*ps, "fc.weight", RC_SHAPE(4, 3)), add(*ps, "fc.bias", RC_SHAPE(3));
    add(*ps, "head.a", RC_SHAPE(2)), add(*ps, "head.b", RC_SHAPE(2));
    return open_file();
}

Test(load, report_puts_mismatches_first_with_hundreds_of_extra_tensors) {
    rc_params *ps;
    rc_safetensors *f = many_extra(300, &ps);
    char want[1024] = "mismatched 1: fc.weight (file [3,4] F32, store [4,3]); missing 2: head.a, "
                      "head.b; unexpected 300: ";
    for (int i = 0; i < RC_LOAD_REPORT_NAMES; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%sencoder.layer%03d.weight",
                 i ? ", " : "", i);
    strcat(want, " and 292 more");
    rc_load_opts o = {0};
    rc_load_report rep;
    cr_assert_eq(rc_params_load_safetensors(ps, f, &o, &rep, err, sizeof err), RC_OK, "%s", err);
    cr_assert_str_eq(rep.text, want);
    cr_assert(rep.loaded == 1 && rep.mismatched == 1 && rep.missing == 2 && rep.unexpected == 300);
    cr_assert_eq(first(ps, "fc.bias"), 101.0f);
    // Counted only: the count stays, the names go, and strict mode does not fail on them.
    o.unexpected = RC_LOAD_UNEXPECTED_COUNT;
    cr_assert_eq(rc_params_load_safetensors(ps, f, &o, &rep, err, sizeof err), RC_OK, "%s", err);
    cr_assert_str_eq(rep.text, "mismatched 1: fc.weight (file [3,4] F32, store [4,3]); missing 2: "
                               "head.a, head.b; unexpected 300 (not listed)");
    cr_assert_eq(rep.unexpected, 300);
    o.unexpected = RC_LOAD_UNEXPECTED_IGNORE;
    cr_assert_eq(rc_params_load_safetensors(ps, f, &o, &rep, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rep.unexpected, 0);
    cr_assert_null(strstr(rep.text, "unexpected"), "%s", rep.text);
    // Strict with listed unexpected tensors: the report is the error, nothing loads.
    rc_param_value(rc_params_find(ps, "fc.bias")).data[0] = -1;
    o = (rc_load_opts){.strict = true};
    cr_assert_eq(rc_params_load_safetensors(ps, f, &o, &rep, err, sizeof err), RC_ERR_SHAPE);
    cr_assert(strstr(err, "mismatched 1: fc.weight") && strstr(err, path), "%s", err);
    cr_assert_eq(first(ps, "fc.bias"), -1.0f);
    rc_params_free(&ps);
    rc_safetensors_close(&f);
}

Test(load, strict_with_counted_unexpected_tensors_loads) {
    rc_params *ps, *full;
    rc_safetensors *f = many_extra(300, &ps);
    rc_params_new(&full);
    add(full, "fc.weight", RC_SHAPE(3, 4)), add(full, "fc.bias", RC_SHAPE(3));
    rc_load_opts o = {.strict = true, .unexpected = RC_LOAD_UNEXPECTED_COUNT};
    rc_load_report rep;
    cr_assert_eq(rc_params_load_safetensors(full, f, &o, &rep, err, sizeof err), RC_OK, "%s", err);
    cr_assert_eq(rep.loaded, 2);
    cr_assert_str_eq(rep.text, "unexpected 300 (not listed)");
    o.unexpected = RC_LOAD_UNEXPECTED_LIST;
    cr_assert_eq(rc_params_load_safetensors(full, f, &o, &rep, err, sizeof err), RC_ERR_NOTFOUND);
    ASSERT_MSG("unexpected 300: encoder.layer000.weight, ");
    rc_params_free(&full);
    rc_params_free(&ps);
    rc_safetensors_close(&f);
}

// Where does needle start in the report, -1 when absent.
static long at(const char *text, const char *needle) {
    const char *s = strstr(text, needle);
    return s ? s - text : -1;
}

Test(load, every_section_keeps_its_share_of_the_report) {
    // 200 missing parameters with long names, 200 unexpected tensors, one mismatch.
    rc_params *ps;
    rc_safetensors *f = many_extra(200, &ps);
    char name[128];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "decoder.blocks.%03d.self_attention.output_projection.weight",
                 i);
        add(ps, name, RC_SHAPE(1));
    }
    rc_load_report rep;
    const rc_load_opts o = {0};
    cr_assert_eq(rc_params_load_safetensors(ps, f, &o, &rep, err, sizeof err), RC_OK, "%s", err);
    const char *t = rep.text;
    cr_assert_lt(strlen(t), sizeof rep.text);
    cr_assert_eq(at(t, "mismatched 1: fc.weight (file [3,4] F32, store [4,3]); missing 202: "), 0,
                 "%s", t);
    cr_assert_gt(at(t, "; unexpected 200: encoder.layer000.weight"), 0, "%s", t);
    cr_assert_gt(at(t, " more; unexpected 200: "), 0, "%s", t);
    cr_assert_gt(at(t, "encoder.layer001.weight"), 0, "the last section is not starved: %s", t);
    rc_params_free(&ps);
    rc_safetensors_close(&f);
}

Test(load, a_name_longer_than_its_share_is_cut) {
    const char *names[] = {"fc.weight", "extra"};
    write_file(names, (rc_shape[]){RC_SHAPE(3, 4), RC_SHAPE(2)}, 2);
    rc_safetensors *f = open_file();
    rc_params *ps;
    rc_params_new(&ps);
    add(ps, "fc.weight", RC_SHAPE(4, 3));
    char lname[501];
    memset(lname, 'x', 500);
    lname[500] = 0;
    add(ps, lname, RC_SHAPE(1));
    rc_load_report rep;
    const rc_load_opts o = {0};
    cr_assert_eq(rc_params_load_safetensors(ps, f, &o, &rep, err, sizeof err), RC_OK, "%s", err);
    const long m = at(rep.text, "; missing 1: xxxxxxxxxx"),
               u = at(rep.text, "...; unexpected 1: extra");
    cr_assert(m > 0 && u > m, "%s", rep.text);
    cr_assert_eq(strlen(rep.text), (size_t)u + strlen("...; unexpected 1: extra"), "%s", rep.text);
    rc_params_free(&ps);
    rc_safetensors_close(&f);
}

// ---- mapping errors -----------------------------------------------------------------------------

static rc_status load_with(const rc_load_opts *o) {
    rc_safetensors *f = open_file();
    rc_params *ps;
    rc_params_new(&ps);
    rc_param_value(add(ps, "x", RC_SHAPE(2))).data[0] = -1;
    rc_load_report rep;
    rc_status st = rc_params_load_safetensors(ps, f, o, &rep, err, sizeof err);
    if (st != RC_OK)
        cr_assert_eq(first(ps, "x"), -1.0f, "an error loads nothing");
    rc_params_free(&ps);
    rc_safetensors_close(&f);
    return st;
}

Test(load_errors, two_file_tensors_for_one_store_name) {
    const char *names[] = {"model.x", "x", "b"};
    write_file(names, NULL, 3);
    cr_assert_eq(load_with(&(rc_load_opts){.strip_prefix = "model."}), RC_ERR_ARG);
    ASSERT_MSG("file tensors \"model.x\" and \"x\" both map to store name \"x\"");
    ASSERT_MSG(path);
    const rc_load_rename r[] = {{"b", "x"}};
    cr_assert_eq(load_with(&(rc_load_opts){.renames = r, .n_renames = 1}), RC_ERR_ARG);
    ASSERT_MSG("file tensors \"x\" and \"b\" both map to store name \"x\"");
}

Test(load_errors, bad_renames) {
    const char *names[] = {"x", "y"};
    write_file(names, NULL, 2);
    const rc_load_rename r[] = {{"y", "z"}, {"nope", "x"}, {NULL, "x"}, {"y", "w"}};
    cr_assert_eq(load_with(&(rc_load_opts){.renames = r, .n_renames = -1}), RC_ERR_ARG);
    ASSERT_MSG("rc_params_load_safetensors: n_renames is -1 and renames set");
    cr_assert_eq(load_with(&(rc_load_opts){.n_renames = 2}), RC_ERR_ARG);
    ASSERT_MSG("rc_params_load_safetensors: n_renames is 2 and renames NULL");
    cr_assert_eq(load_with(&(rc_load_opts){.renames = r, .n_renames = 2}), RC_ERR_ARG);
    ASSERT_MSG("renames[1] renames \"nope\", which the file does not have");
    cr_assert_eq(load_with(&(rc_load_opts){.renames = r + 2, .n_renames = 1}), RC_ERR_ARG);
    ASSERT_MSG("rc_params_load_safetensors: renames[0].file_name is NULL");
    const rc_load_rename twice[] = {r[0], r[3]};
    cr_assert_eq(load_with(&(rc_load_opts){.renames = twice, .n_renames = 2}), RC_ERR_ARG);
    ASSERT_MSG("renames[0] and renames[1] both rename \"y\"");
}

Test(load_errors, names_too_long_and_null_arguments) {
    const char *names[] = {"x"};
    write_file(names, NULL, 1);
    char prefix[600];
    memset(prefix, 'p', sizeof prefix - 1);
    prefix[sizeof prefix - 1] = 0;
    cr_assert_eq(load_with(&(rc_load_opts){.add_prefix = prefix}), RC_ERR_ARG);
    ASSERT_MSG("the store name of \"x\" takes more than 511 bytes (RC_LOAD_NAME_MAX)");
    rc_safetensors *f = open_file();
    rc_params *ps;
    rc_params_new(&ps);
    rc_load_report rep = {.loaded = 7};
    cr_assert_eq(rc_params_load_safetensors(NULL, f, NULL, &rep, err, sizeof err), RC_ERR_ARG);
    ASSERT_MSG("rc_params_load_safetensors: NULL store or file");
    cr_assert_eq(rep.loaded, 0, "the report is cleared");
    cr_assert_eq(rc_params_load_safetensors(ps, NULL, NULL, NULL, err, sizeof err), RC_ERR_ARG);
    ASSERT_MSG("NULL store or file");
    rc_params_free(&ps);
    rc_safetensors_close(&f);
}

// ---- int32 reads --------------------------------------------------------------------------------

typedef struct raw {
    const char *name, *dtype;
    int64_t n; // a 1-D tensor of n elements
    const void *data;
    size_t size; // bytes per element
} raw;

// A safetensors file of 1-D tensors with any dtype, the bytes given little-endian.
static void write_raw(const raw *t, int n) {
    char header[2048] = "{";
    size_t at_ = 0;
    for (int i = 0; i < n; i++) {
        const size_t bytes = (size_t)t[i].n * t[i].size;
        snprintf(header + strlen(header), sizeof header - strlen(header),
                 "%s\"%s\":{\"dtype\":\"%s\",\"shape\":[%lld],\"data_offsets\":[%zu,%zu]}",
                 i ? "," : "", t[i].name, t[i].dtype, (long long)t[i].n, at_, at_ + bytes);
        at_ += bytes;
    }
    strcat(header, "}");
    while (strlen(header) % 8)
        strcat(header, " ");
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    const uint64_t h = strlen(header);
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)(h >> (8 * i));
    fwrite(len8, 1, 8, fp);
    fwrite(header, 1, h, fp);
    for (int i = 0; i < n; i++)
        fwrite(t[i].data, t[i].size, (size_t)t[i].n, fp);
    fclose(fp);
}

static void expect_i32(const rc_safetensors *f, const char *name, const int32_t *want, int n) {
    int32_t got[8] = {0};
    cr_assert_eq(rc_safetensors_read_i32(f, name, got, n, err, sizeof err), RC_OK, "%s: %s", name,
                 err);
    for (int i = 0; i < n; i++)
        cr_assert_eq(got[i], want[i], "%s[%d] = %d, want %d", name, i, got[i], want[i]);
}

// The tests run on little-endian hosts (x86-64, arm64), where these arrays are the file's bytes.
static const int8_t i8[] = {-128, 127, -1};
static const int16_t i16[] = {-32768, 32767};
static const int32_t i32[] = {INT32_MIN, INT32_MAX};
static const int64_t i64[] = {INT32_MIN, INT32_MAX, -5};
static const uint8_t u8[] = {0, 255};
static const uint16_t u16[] = {65535};
static const uint32_t u32[] = {2147483647u, 7};
static const uint64_t u64[] = {2147483647u};
static const uint8_t boolean[] = {0, 1, 2};

Test(safetensors_i32, every_integer_dtype) {
    const raw t[] = {
        {"i8", "I8", 3, i8, 1},    {"i16", "I16", 2, i16, 2}, {"i32", "I32", 2, i32, 4},
        {"i64", "I64", 3, i64, 8}, {"u8", "U8", 2, u8, 1},    {"u16", "U16", 1, u16, 2},
        {"u32", "U32", 2, u32, 4}, {"u64", "U64", 1, u64, 8}, {"bool", "BOOL", 3, boolean, 1}};
    write_raw(t, 9);
    rc_safetensors *f = open_file();
    expect_i32(f, "i8", (int32_t[]){-128, 127, -1}, 3);
    expect_i32(f, "i16", (int32_t[]){-32768, 32767}, 2);
    expect_i32(f, "i32", (int32_t[]){INT32_MIN, INT32_MAX}, 2);
    expect_i32(f, "i64", (int32_t[]){INT32_MIN, INT32_MAX, -5}, 3);
    expect_i32(f, "u8", (int32_t[]){0, 255}, 2);
    expect_i32(f, "u16", (int32_t[]){65535}, 1);
    expect_i32(f, "u32", (int32_t[]){INT32_MAX, 7}, 2);
    expect_i32(f, "u64", (int32_t[]){INT32_MAX}, 1);
    expect_i32(f, "bool", (int32_t[]){0, 1, 1}, 3);
    rc_safetensors_close(&f);
}

static const int64_t big64[] = {1, (int64_t)INT32_MAX + 1};
static const int64_t small64[] = {(int64_t)INT32_MIN - 1};
static const uint32_t big32[] = {0, 0, 4294967295u};
static const uint64_t huge64[] = {UINT64_MAX};
static const float f32[] = {1, 2};

Test(safetensors_i32, out_of_range_names_the_tensor_and_index) {
    const raw t[] = {{"big", "I64", 2, big64, 8},
                     {"small", "I64", 1, small64, 8},
                     {"u32", "U32", 3, big32, 4},
                     {"huge", "U64", 1, huge64, 8}};
    write_raw(t, 4);
    rc_safetensors *f = open_file();
    int32_t out[4];
    cr_assert_eq(rc_safetensors_read_i32(f, "big", out, 2, err, sizeof err), RC_ERR_RANGE);
    ASSERT_MSG("tensor \"big\" (I64) element 1 is 2147483648, outside int32");
    ASSERT_MSG(path);
    cr_assert_eq(rc_safetensors_read_i32(f, "small", out, 1, err, sizeof err), RC_ERR_RANGE);
    ASSERT_MSG("tensor \"small\" (I64) element 0 is -2147483649, outside int32");
    cr_assert_eq(rc_safetensors_read_i32(f, "u32", out, 3, err, sizeof err), RC_ERR_RANGE);
    ASSERT_MSG("tensor \"u32\" (U32) element 2 is 4294967295, outside int32");
    cr_assert_eq(rc_safetensors_read_i32(f, "huge", out, 1, err, sizeof err), RC_ERR_RANGE);
    ASSERT_MSG("tensor \"huge\" (U64) element 0 is 18446744073709551615, outside int32");
    rc_safetensors_close(&f);
}

Test(safetensors_i32, floats_absent_and_wrong_sizes_are_errors) {
    const raw t[] = {{"f", "F32", 2, f32, 4}, {"h", "F16", 1, u16, 2}, {"ids", "I32", 2, i32, 4}};
    write_raw(t, 3);
    rc_safetensors *f = open_file();
    int32_t out[4];
    cr_assert_eq(rc_safetensors_read_i32(f, "f", out, 2, err, sizeof err), RC_ERR_ARG);
    ASSERT_MSG("tensor \"f\" is F32; rc_safetensors_read_i32 reads integer and BOOL tensors");
    cr_assert_eq(rc_safetensors_read_i32(f, "h", out, 1, err, sizeof err), RC_ERR_ARG);
    ASSERT_MSG("tensor \"h\" is F16");
    cr_assert_eq(rc_safetensors_read_i32(f, "nope", out, 2, err, sizeof err), RC_ERR_NOTFOUND);
    ASSERT_MSG("no tensor named \"nope\"");
    cr_assert_eq(rc_safetensors_read_i32(f, "ids", out, 3, err, sizeof err), RC_ERR_SHAPE);
    ASSERT_MSG("tensor \"ids\" has 2 elements, the buffer 3");
    cr_assert_eq(rc_safetensors_read_i32(f, "ids", NULL, 2, err, sizeof err), RC_ERR_SHAPE);
    rc_safetensors_close(&f);
}

Test(safetensors_i32, pytorch_lengths) {
    char p[512];
    fixture_path("rnn/lstm_l2_uni_var.safetensors", p, sizeof p);
    rc_safetensors *f;
    cr_assert_eq(rc_safetensors_open(&f, p, err, sizeof err), RC_OK, "%s", err);
    expect_i32(f, "lengths", (int32_t[]){3, 5, 2}, 3);
    rc_safetensors_close(&f);
}
