// safetensors: a validating reader (header parsed with jansson, tensors read on demand and
// converted to f32) and an atomic F32 writer.
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "safetensors_impl.h"

static const struct {
    const char *name;
    size_t size;
} dtypes[RC_DTYPE_COUNT] = {
    [RC_DTYPE_F32] = {"F32", 4},         [RC_DTYPE_F16] = {"F16", 2},
    [RC_DTYPE_BF16] = {"BF16", 2},       [RC_DTYPE_F64] = {"F64", 8},
    [RC_DTYPE_F8_E4M3] = {"F8_E4M3", 1}, [RC_DTYPE_F8_E5M2] = {"F8_E5M2", 1},
    [RC_DTYPE_I8] = {"I8", 1},           [RC_DTYPE_I16] = {"I16", 2},
    [RC_DTYPE_I32] = {"I32", 4},         [RC_DTYPE_I64] = {"I64", 8},
    [RC_DTYPE_U8] = {"U8", 1},           [RC_DTYPE_U16] = {"U16", 2},
    [RC_DTYPE_U32] = {"U32", 4},         [RC_DTYPE_U64] = {"U64", 8},
    [RC_DTYPE_BOOL] = {"BOOL", 1},
};

const char *rc_dtype_name(rc_dtype dt) {
    return (unsigned)dt < RC_DTYPE_COUNT ? dtypes[dt].name : "?";
}

size_t rc_dtype_size(rc_dtype dt) {
    return (unsigned)dt < RC_DTYPE_COUNT ? dtypes[dt].size : 0;
}

static bool dtype_parse(const char *s, rc_dtype *dt) {
    for (int i = 0; i < RC_DTYPE_COUNT; i++)
        if (!strcmp(s, dtypes[i].name)) {
            *dt = (rc_dtype)i;
            return true;
        }
    return false;
}

struct rc_safetensors {
    FILE *fp;
    char *path;
    uint64_t data_start, data_len;
    int n, n_meta;
    rc_safetensors_info *t;
    char **meta; // key, value pairs
};

void rc_safetensors_close(rc_safetensors **pf) {
    if (!pf || !*pf)
        return;
    rc_safetensors *f = *pf;
    if (f->fp)
        fclose(f->fp);
    for (int i = 0; i < f->n; i++)
        free((char *)f->t[i].name);
    for (int i = 0; i < 2 * f->n_meta; i++)
        free(f->meta[i]);
    free(f->t);
    free(f->meta);
    free(f->path);
    free(f);
    *pf = NULL;
}

// ---- header parsing -------------------------------------------------------------------------

typedef struct parse_ctx {
    rc_safetensors *f;
    char *err;
    size_t err_len;
} parse_ctx;

static rc_status bad(parse_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static rc_status bad(parse_ctx *c, const char *fmt, ...) {
    if (!c->err || !c->err_len)
        return RC_ERR_FORMAT;
    int k = snprintf(c->err, c->err_len, "%s: ", c->f->path); // then the message
    if (k < 0 || (size_t)k >= c->err_len)
        return RC_ERR_FORMAT;
    va_list ap;
    va_start(ap, fmt);
    rc_verrf(c->err + k, c->err_len - (size_t)k, RC_ERR_FORMAT, fmt, ap);
    va_end(ap);
    return RC_ERR_FORMAT;
}

static rc_status parse_metadata(parse_ctx *c, json_t *obj) {
    if (!json_is_object(obj))
        return bad(c, "__metadata__ must be an object of strings");
    size_t n = json_object_size(obj);
    c->f->meta = calloc(2 * n + 1, sizeof *c->f->meta);
    if (!c->f->meta)
        return RC_ERR_NOMEM;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (!json_is_string(v))
            return bad(c, "__metadata__ value of \"%s\" is not a string", key);
        char **slot = c->f->meta + 2 * c->f->n_meta;
        slot[0] = strdup(key);
        slot[1] = strdup(json_string_value(v));
        c->f->n_meta++;
        if (!slot[0] || !slot[1])
            return RC_ERR_NOMEM;
    }
    return RC_OK;
}

static bool get_u64(json_t *v, uint64_t *out) {
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return false;
    *out = (uint64_t)json_integer_value(v);
    return true;
}

static rc_status parse_shape(parse_ctx *c, const char *name, json_t *shape,
                             rc_safetensors_info *t) {
    if (!json_is_array(shape))
        return bad(c, "tensor \"%s\": shape is not an array", name);
    size_t nd = json_array_size(shape);
    if (nd > RC_SAFETENSORS_MAX_DIMS)
        return bad(c, "tensor \"%s\": %zu dimensions, at most %d are supported", name, nd,
                   RC_SAFETENSORS_MAX_DIMS);
    t->ndim = (int)nd;
    t->numel = 1;
    for (size_t i = 0; i < nd; i++) {
        uint64_t d;
        if (!get_u64(json_array_get(shape, i), &d))
            return bad(c, "tensor \"%s\": shape[%zu] is not a non-negative integer", name, i);
        if (d > 0 && (uint64_t)t->numel > (uint64_t)INT64_MAX / d)
            return bad(c, "tensor \"%s\": shape overflows 64 bits", name);
        t->dims[i] = (int64_t)d;
        t->numel *= (int64_t)d;
    }
    if (nd <= RC_MAX_DIMS)
        t->shape = rc_shape_make((int)nd, t->dims);
    return RC_OK;
}

static rc_status parse_tensor(parse_ctx *c, const char *name, json_t *obj, rc_safetensors_info *t) {
    if (!json_is_object(obj))
        return bad(c, "tensor \"%s\": entry is not an object", name);
    json_t *dt = json_object_get(obj, "dtype"), *shape = json_object_get(obj, "shape");
    json_t *offs = json_object_get(obj, "data_offsets");
    if (!json_is_string(dt))
        return bad(c, "tensor \"%s\": dtype missing or not a string", name);
    if (!dtype_parse(json_string_value(dt), &t->dtype))
        return bad(c, "tensor \"%s\": unknown dtype \"%s\"", name, json_string_value(dt));
    if (!shape)
        return bad(c, "tensor \"%s\": shape missing", name);
    rc_status st = parse_shape(c, name, shape, t);
    if (st != RC_OK)
        return st;
    uint64_t begin, end;
    if (!json_is_array(offs) || json_array_size(offs) != 2 ||
        !get_u64(json_array_get(offs, 0), &begin) || !get_u64(json_array_get(offs, 1), &end))
        return bad(c, "tensor \"%s\": data_offsets must be [begin, end], non-negative integers",
                   name);
    if (end < begin)
        return bad(c, "tensor \"%s\": data_offsets [%llu, %llu] end before begin", name,
                   (unsigned long long)begin, (unsigned long long)end);
    const uint64_t size = rc_dtype_size(t->dtype);
    if ((uint64_t)t->numel > UINT64_MAX / size || end - begin != (uint64_t)t->numel * size)
        return bad(c,
                   "tensor \"%s\": %llu bytes in data_offsets, but %lld elements of %s take "
                   "%llu",
                   name, (unsigned long long)(end - begin), (long long)t->numel,
                   rc_dtype_name(t->dtype), (unsigned long long)((uint64_t)t->numel * size));
    t->offset = begin;
    t->nbytes = end - begin;
    t->name = strdup(name);
    return t->name ? RC_OK : RC_ERR_NOMEM;
}

static int by_offset(const void *a, const void *b) {
    const rc_safetensors_info *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    // Empty tensors first at a shared offset, then by name, so the order is deterministic.
    if (x->nbytes != y->nbytes)
        return x->nbytes < y->nbytes ? -1 : 1;
    return strcmp(x->name, y->name);
}

// Sorted by begin, every tensor must start where the previous one ended, from 0 to the end of
// the file: no hole, no overlap, nothing after.
static rc_status check_layout(parse_ctx *c) {
    rc_safetensors *f = c->f;
    qsort(f->t, (size_t)f->n, sizeof *f->t, by_offset);
    uint64_t at = 0;
    for (int i = 0; i < f->n; i++) {
        const rc_safetensors_info *t = &f->t[i];
        if (t->offset + t->nbytes > f->data_len)
            return bad(c,
                       "tensor \"%s\": data [%llu, %llu) runs past the end of the data "
                       "(%llu bytes)",
                       t->name, (unsigned long long)t->offset,
                       (unsigned long long)(t->offset + t->nbytes),
                       (unsigned long long)f->data_len);
        if (t->offset != at)
            return bad(c, "tensor \"%s\": data starts at %llu, expected %llu (%s)", t->name,
                       (unsigned long long)t->offset, (unsigned long long)at,
                       t->offset > at ? "a hole in the data" : "overlaps another tensor");
        at += t->nbytes;
    }
    if (at != f->data_len)
        return bad(c, "the tensors cover %llu bytes of data but the file holds %llu",
                   (unsigned long long)at, (unsigned long long)f->data_len);
    return RC_OK;
}

static rc_status parse_header(parse_ctx *c, const char *text, size_t len) {
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return bad(c, "header JSON: %s at byte %d", jerr.text, jerr.position);
    rc_status st = RC_OK;
    if (!json_is_object(root)) {
        st = bad(c, "header JSON is not an object");
        goto out;
    }
    c->f->t = calloc(json_object_size(root) + 1, sizeof *c->f->t);
    if (!c->f->t) {
        st = RC_ERR_NOMEM;
        goto out;
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (!strcmp(key, "__metadata__"))
            st = parse_metadata(c, v);
        else {
            st = parse_tensor(c, key, v, &c->f->t[c->f->n]);
            if (c->f->t[c->f->n].name)
                c->f->n++;
        }
        if (st != RC_OK)
            goto out;
    }
    st = check_layout(c);
out:
    json_decref(root);
    return st;
}

static uint64_t le64(const unsigned char *b) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

static rc_status open_file(parse_ctx *c, const char *path) {
    rc_safetensors *f = c->f;
    f->fp = fopen(path, "rb");
    struct stat sb;
    if (!f->fp || fstat(fileno(f->fp), &sb) != 0) {
        return rc_errf(c->err, c->err_len, RC_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    if (!S_ISREG(sb.st_mode))
        return bad(c, "not a regular file");
    const uint64_t size = (uint64_t)sb.st_size;
    unsigned char lenbuf[8];
    if (size < 8 || fread(lenbuf, 1, 8, f->fp) != 8)
        return bad(c, "%llu bytes: too short for the 8-byte header length",
                   (unsigned long long)size);
    const uint64_t hlen = le64(lenbuf);
    if (hlen > RC_SAFETENSORS_MAX_HEADER)
        return bad(c, "header length %llu exceeds the limit of %u bytes", (unsigned long long)hlen,
                   RC_SAFETENSORS_MAX_HEADER);
    if (hlen > size - 8)
        return bad(c, "header length %llu exceeds the %llu bytes after the length field",
                   (unsigned long long)hlen, (unsigned long long)(size - 8));
    f->data_start = 8 + hlen;
    f->data_len = size - f->data_start;
    char *text = malloc(hlen ? hlen : 1);
    if (!text)
        return RC_ERR_NOMEM;
    if (fread(text, 1, hlen, f->fp) != hlen) {
        free(text);
        return rc_errf(c->err, c->err_len, RC_ERR_IO, "%s: cannot read the header", path);
    }
    rc_status st = parse_header(c, text, hlen);
    free(text);
    return st;
}

rc_status rc_safetensors_open(rc_safetensors **pf, const char *path, char *err, size_t err_len) {
    if (!pf || !path)
        return rc_err_null(err, err_len, "rc_safetensors_open", !pf ? "f" : "path");
    *pf = NULL;
    rc_safetensors *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", path);
    }
    parse_ctx c = {f, err, err_len};
    rc_status st = open_file(&c, path);
    if (st == RC_ERR_NOMEM)
        rc_errf(err, err_len, RC_OK, "%s: out of memory", path);
    if (st != RC_OK) {
        rc_safetensors_close(&f);
        return st;
    }
    *pf = f;
    return RC_OK;
}

// ---- queries ----------------------------------------------------------------------------------

int rc_safetensors_count(const rc_safetensors *f) {
    return f ? f->n : 0;
}

const rc_safetensors_info *rc_safetensors_at(const rc_safetensors *f, int i) {
    return f && i >= 0 && i < f->n ? &f->t[i] : NULL;
}

const rc_safetensors_info *rc_safetensors_find(const rc_safetensors *f, const char *name) {
    if (!f || !name)
        return NULL;
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->t[i].name, name))
            return &f->t[i];
    return NULL;
}

const char *rc_safetensors_metadata(const rc_safetensors *f, const char *key) {
    if (!f || !key)
        return NULL;
    for (int i = 0; i < f->n_meta; i++)
        if (!strcmp(f->meta[2 * i], key))
            return f->meta[2 * i + 1];
    return NULL;
}

int rc_safetensors_metadata_count(const rc_safetensors *f) {
    return f ? f->n_meta : 0;
}

bool rc_safetensors_metadata_at(const rc_safetensors *f, int i, const char **key,
                                const char **value) {
    if (!f || i < 0 || i >= f->n_meta)
        return false;
    if (key)
        *key = f->meta[2 * i];
    if (value)
        *value = f->meta[2 * i + 1];
    return true;
}

const char *rc_st_path(const rc_safetensors *f) {
    return f->path;
}

// Reads bytes [offset, offset + n) of the data section.
rc_status rc_st_read_bytes(const rc_safetensors *f, uint64_t offset, void *out, size_t n, char *err,
                           size_t err_len) {
    if (offset > (uint64_t)INT64_MAX - f->data_start ||
        fseeko(f->fp, (off_t)(f->data_start + offset), SEEK_SET) != 0 ||
        fread(out, 1, n, f->fp) != n) {
        return rc_errf(err, err_len, RC_ERR_IO,
                       "%s: cannot read %zu bytes at data offset %llu (file changed?)", f->path, n,
                       (unsigned long long)offset);
    }
    return RC_OK;
}
