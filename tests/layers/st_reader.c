// A minimal safetensors reader for test fixtures: 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets}}, then the data. Only F32 is needed.
#include "st_reader.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct st_file {
    unsigned char *buf;
    size_t size, data_at;
    json_t *header;
};

static unsigned char *read_all(const char *path, size_t *size) {
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    unsigned char *buf = NULL;
    if (fseek(fp, 0, SEEK_END) == 0) {
        long n = ftell(fp);
        buf = n > 0 ? malloc((size_t)n) : NULL;
        rewind(fp);
        if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *size = buf ? (size_t)n : 0;
    }
    fclose(fp);
    return buf;
}

st_file *st_open(const char *path) {
    st_file *f = calloc(1, sizeof *f);
    cr_assert_not_null(f);
    f->buf = read_all(path, &f->size);
    cr_assert_not_null(f->buf, "cannot read fixture %s", path);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | f->buf[i];
    cr_assert(f->size >= 8 && hlen <= f->size - 8, "%s: bad header length", path);
    json_error_t jerr;
    f->header = json_loadb((const char *)f->buf + 8, (size_t)hlen, 0, &jerr);
    cr_assert_not_null(f->header, "%s: bad JSON header: %s", path, jerr.text);
    f->data_at = 8 + (size_t)hlen;
    return f;
}

void st_close(st_file **f) {
    if (!f || !*f)
        return;
    json_decref((*f)->header);
    free((*f)->buf);
    free(*f);
    *f = NULL;
}

rc_tensor st_get(const st_file *f, const char *name) {
    rc_tensor t = {0};
    json_t *e = json_object_get(f->header, name);
    if (!e)
        return t;
    cr_assert_str_eq(json_string_value(json_object_get(e, "dtype")), "F32", "%s dtype", name);
    json_t *shape = json_object_get(e, "shape"), *off = json_object_get(e, "data_offsets");
    t.shape.ndim = (int32_t)json_array_size(shape);
    cr_assert(t.shape.ndim <= RC_MAX_DIMS, "%s has %d dims", name, t.shape.ndim);
    for (int i = 0; i < t.shape.ndim; i++)
        t.shape.dim[i] = (int64_t)json_integer_value(json_array_get(shape, (size_t)i));
    t.n = rc_shape_numel(t.shape);
    size_t begin = (size_t)json_integer_value(json_array_get(off, 0));
    size_t end = (size_t)json_integer_value(json_array_get(off, 1));
    cr_assert(end - begin == (size_t)t.n * 4 && f->data_at + end <= f->size,
              "%s: data_offsets do not fit", name);
    cr_assert(begin % 4 == 0 && f->data_at % 4 == 0, "%s: misaligned", name);
    t.data = (float *)(void *)(f->buf + f->data_at + begin); // x86-64 and friends: LE floats
    return t;
}

const char *st_fixture_path(const char *rel, char *buf, size_t len) {
    const char *root = getenv("RECUR_SOURCE_ROOT");
    if (root && *root)
        snprintf(buf, len, "%s/tests/fixtures/%s", root, rel);
    else
        snprintf(buf, len, "tests/fixtures/%s", rel);
    return buf;
}
