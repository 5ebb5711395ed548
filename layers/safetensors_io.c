// safetensors: reading tensors with conversion to f32, and the atomic F32 writer.
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <recur/autograd.h>
#include <recur/cells.h>
#include <recur/checkpoint.h>
#include <recur/regularize.h>

#include "safetensors_impl.h"

// ---- conversion to f32 ------------------------------------------------------------------------

static uint64_t le(const unsigned char *b, size_t n) {
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | b[i];
    return v;
}

static float f32_bits(uint32_t u) {
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

// An IEEE-style binary format with `eb` exponent and `mb` mantissa bits, exactly in f32.
// `has_inf`: the all-ones exponent means Inf/NaN; otherwise (E4M3) only all-ones is NaN.
static float small_float(uint32_t bits, int eb, int mb, bool has_inf) {
    const uint32_t sign = bits >> (eb + mb) & 1, e = bits >> mb & ((1u << eb) - 1);
    const uint32_t m = bits & ((1u << mb) - 1), emax = (1u << eb) - 1;
    const int bias = (1 << (eb - 1)) - 1;
    float v;
    if (has_inf && e == emax)
        v = m ? NAN : INFINITY;
    else if (!has_inf && e == emax && m == (1u << mb) - 1)
        v = NAN;
    else if (e == 0)
        v = ldexpf((float)m, 1 - bias - mb);
    else
        v = ldexpf((float)(m | 1u << mb), (int)e - bias - mb);
    return sign ? -v : v;
}

static float convert_one(rc_dtype dt, const unsigned char *b) {
    switch (dt) {
    case RC_DTYPE_F32: return f32_bits((uint32_t)le(b, 4));
    case RC_DTYPE_F16: return small_float((uint32_t)le(b, 2), 5, 10, true);
    case RC_DTYPE_BF16: return f32_bits((uint32_t)le(b, 2) << 16);
    case RC_DTYPE_F64: {
        uint64_t u = le(b, 8);
        double d;
        memcpy(&d, &u, sizeof d);
        return (float)d;
    }
    case RC_DTYPE_F8_E4M3: return small_float(b[0], 4, 3, false);
    case RC_DTYPE_F8_E5M2: return small_float(b[0], 5, 2, true);
    case RC_DTYPE_I8: return (float)(int8_t)b[0];
    case RC_DTYPE_I16: return (float)(int16_t)(uint16_t)le(b, 2);
    case RC_DTYPE_I32: return (float)(int32_t)(uint32_t)le(b, 4);
    case RC_DTYPE_I64: return (float)(int64_t)le(b, 8);
    case RC_DTYPE_U8: return (float)b[0];
    case RC_DTYPE_U16:
    case RC_DTYPE_U32:
    case RC_DTYPE_U64: return (float)le(b, rc_dtype_size(dt));
    case RC_DTYPE_BOOL:
    default: return b[0] ? 1.0f : 0.0f;
    }
}

// The tensor `name`; else NULL with RC_ERR_ARG (f or name NULL, "fn: f is NULL") or
// RC_ERR_NOTFOUND in *st and err.
static const rc_safetensors_info *find_checked(const char *fn, const rc_safetensors *f,
                                               const char *name, rc_status *st, char *err,
                                               size_t err_len) {
    if (!f || !name) {
        *st = rc_err_null(err, err_len, fn, !f ? "f" : "name");
        return NULL;
    }
    const rc_safetensors_info *t = rc_safetensors_find(f, name);
    *st = t ? RC_OK
            : rc_errf(err, err_len, RC_ERR_NOTFOUND, "%s: no tensor named \"%s\"", rc_st_path(f),
                      name);
    return t;
}

// The tensor `name` when it exists and has n elements and out is set for n > 0; else NULL with
// the error in *st and err.
static const rc_safetensors_info *sized(const char *fn, const rc_safetensors *f, const char *name,
                                        const void *out, int64_t n, rc_status *st, char *err,
                                        size_t err_len) {
    const rc_safetensors_info *t = find_checked(fn, f, name, st, err, err_len);
    if (t && (n != t->numel || (n > 0 && !out))) {
        *st = rc_errf(err, err_len, RC_ERR_SHAPE,
                      "%s: tensor \"%s\" has %lld elements, the buffer %lld", rc_st_path(f), name,
                      (long long)t->numel, (long long)n);
        t = NULL;
    }
    return t;
}

// Converts element i at b into out; false: it does not fit (out of range).
typedef bool (*convert_fn)(rc_dtype dt, const unsigned char *b, void *out, int64_t i);

#define CHUNK 8192

// Reads t's n elements chunk by chunk through conv; *bad: the element that did not fit.
static rc_status read_converted(const rc_safetensors *f, const rc_safetensors_info *t, int64_t n,
                                convert_fn conv, void *out, int64_t *bad, char *err,
                                size_t err_len) {
    const size_t size = rc_dtype_size(t->dtype);
    unsigned char buf[CHUNK * 8];
    for (int64_t done = 0; done < n;) {
        const int64_t k = n - done < CHUNK ? n - done : CHUNK;
        rc_status st = rc_st_read_bytes(f, t->offset + (uint64_t)done * size, buf, (size_t)k * size,
                                        err, err_len);
        if (st != RC_OK)
            return st;
        for (int64_t i = 0; i < k; i++)
            if (!conv(t->dtype, buf + (size_t)i * size, out, done + i)) {
                *bad = done + i;
                return RC_ERR_RANGE;
            }
        done += k;
    }
    return RC_OK;
}

static bool to_f32(rc_dtype dt, const unsigned char *b, void *out, int64_t i) {
    ((float *)out)[i] = convert_one(dt, b);
    return true;
}

rc_status rc_safetensors_read(const rc_safetensors *f, const char *name, float *out, int64_t n,
                              char *err, size_t err_len) {
    rc_status st;
    const rc_safetensors_info *t = sized("rc_safetensors_read", f, name, out, n, &st, err, err_len);
    if (!t)
        return st;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (t->dtype == RC_DTYPE_F32) // the file's bytes are the host's floats
        return n ? rc_st_read_bytes(f, t->offset, out, (size_t)n * 4, err, err_len) : RC_OK;
#endif
    int64_t bad;
    return read_converted(f, t, n, to_f32, out, &bad, err, err_len);
}

static bool integer_dtype(rc_dtype dt) {
    return dt >= RC_DTYPE_I8 && dt <= RC_DTYPE_BOOL;
}

// An integer element as int64 (U64 values past INT64_MAX saturate: they are out of range anyway).
static int64_t integer_one(rc_dtype dt, const unsigned char *b) {
    switch (dt) {
    case RC_DTYPE_I8: return (int8_t)b[0];
    case RC_DTYPE_I16: return (int16_t)(uint16_t)le(b, 2);
    case RC_DTYPE_I32: return (int32_t)(uint32_t)le(b, 4);
    case RC_DTYPE_I64: return (int64_t)le(b, 8);
    case RC_DTYPE_U64: return le(b, 8) > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)le(b, 8);
    case RC_DTYPE_BOOL: return b[0] != 0;
    default: // U8, U16, U32
        return (int64_t)le(b, rc_dtype_size(dt));
    }
}

static bool to_i32(rc_dtype dt, const unsigned char *b, void *out, int64_t i) {
    const int64_t v = integer_one(dt, b);
    ((int32_t *)out)[i] = (int32_t)v;
    return v >= INT32_MIN && v <= INT32_MAX;
}

rc_status rc_safetensors_read_i32(const rc_safetensors *f, const char *name, int32_t *out,
                                  int64_t n, char *err, size_t err_len) {
    rc_status st;
    const rc_safetensors_info *t =
        sized("rc_safetensors_read_i32", f, name, out, n, &st, err, err_len);
    if (!t)
        return st;
    if (!integer_dtype(t->dtype))
        return rc_errf(err, err_len, RC_ERR_ARG,
                       "%s: tensor \"%s\" is %s; rc_safetensors_read_i32 reads integer and BOOL "
                       "tensors (rc_safetensors_read reads floats)",
                       rc_st_path(f), name, rc_dtype_name(t->dtype));
    int64_t bad = 0;
    st = read_converted(f, t, n, to_i32, out, &bad, err, err_len);
    if (st != RC_ERR_RANGE)
        return st;
    unsigned char b[8];
    const size_t size = rc_dtype_size(t->dtype);
    char value[32] = "?";
    const bool got =
        rc_st_read_bytes(f, t->offset + (uint64_t)bad * size, b, size, NULL, 0) == RC_OK;
    if (got && t->dtype == RC_DTYPE_U64)
        snprintf(value, sizeof value, "%llu", (unsigned long long)le(b, 8));
    else if (got)
        snprintf(value, sizeof value, "%lld", (long long)integer_one(t->dtype, b));
    return rc_errf(err, err_len, RC_ERR_RANGE,
                   "%s: tensor \"%s\" (%s) element %lld is %s, outside int32", rc_st_path(f), name,
                   rc_dtype_name(t->dtype), (long long)bad, value);
}

rc_status rc_safetensors_read_raw(const rc_safetensors *f, const char *name, void *out,
                                  size_t bytes, char *err, size_t err_len) {
    rc_status st;
    const rc_safetensors_info *t =
        find_checked("rc_safetensors_read_raw", f, name, &st, err, err_len);
    if (!t)
        return st;
    if (bytes != t->nbytes || (bytes > 0 && !out)) {
        return rc_errf(err, err_len, RC_ERR_SHAPE,
                       "%s: tensor \"%s\" has %llu bytes, the buffer %zu", rc_st_path(f), name,
                       (unsigned long long)t->nbytes, bytes);
    }
    return bytes ? rc_st_read_bytes(f, t->offset, out, bytes, err, err_len) : RC_OK;
}

// ---- writer -----------------------------------------------------------------------------------

static json_t *tensor_header(const rc_safetensors_entry *e, uint64_t begin, uint64_t end) {
    json_t *shape = json_array();
    for (int d = 0; shape && d < e->shape.ndim; d++)
        json_array_append_new(shape, json_integer(e->shape.dim[d]));
    json_t *offs = json_pack("[I,I]", (json_int_t)begin, (json_int_t)end);
    return json_pack("{s:s,s:o,s:o}", "dtype", "F32", "shape", shape, "data_offsets", offs);
}

static rc_status check_entry(const rc_safetensors_entry *e, const char *path, char *err,
                             size_t err_len) {
    if (!e->name || !*e->name || !strcmp(e->name, "__metadata__")) {
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: tensor name \"%s\" is empty or reserved",
                       path, e->name ? e->name : "(null)");
    }
    bool shape_ok = e->shape.ndim >= 0 && e->shape.ndim <= RC_MAX_DIMS;
    for (int d = 0; shape_ok && d < e->shape.ndim; d++)
        shape_ok = e->shape.dim[d] >= 0;
    if (!shape_ok || (!e->data && rc_shape_numel(e->shape) > 0)) {
        return rc_errf(err, err_len, RC_ERR_ARG, "%s: tensor \"%s\" has a bad shape or NULL data",
                       path, e->name);
    }
    return RC_OK;
}

// The header text, padded with spaces to a multiple of 8; *len receives its length.
static rc_status build_header(const rc_safetensors_entry *t, int n, const char *const *meta,
                              const char *path, char **text, size_t *len, char *err,
                              size_t err_len) {
    json_t *root = json_object();
    rc_status st = root ? RC_OK : RC_ERR_NOMEM;
    if (st == RC_OK && meta && meta[0]) {
        json_t *m = json_object();
        json_object_set_new(root, "__metadata__", m);
        for (int i = 0; m && meta[i]; i += 2) {
            if (!meta[i + 1] || json_object_get(m, meta[i]) ||
                json_object_set_new(m, meta[i], json_string(meta[i + 1])) != 0) {
                rc_errf(err, err_len, RC_OK,
                        "%s: metadata key \"%s\" has no value, is repeated or "
                        "is not UTF-8",
                        path, meta[i]);
                st = RC_ERR_ARG;
                break;
            }
        }
    }
    uint64_t at = 0;
    for (int i = 0; st == RC_OK && i < n; i++) {
        st = check_entry(&t[i], path, err, err_len);
        if (st != RC_OK)
            break;
        const uint64_t bytes = (uint64_t)rc_shape_numel(t[i].shape) * sizeof(float);
        // set_new takes h even when it fails; a repeated name is caught before h exists.
        if (json_object_get(root, t[i].name) ||
            json_object_set_new(root, t[i].name, tensor_header(&t[i], at, at + bytes)) != 0) {
            rc_errf(err, err_len, RC_OK, "%s: tensor name \"%s\" is repeated or not UTF-8", path,
                    t[i].name);
            st = RC_ERR_ARG;
        }
        at += bytes;
    }
    char *s = st == RC_OK ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (st != RC_OK)
        return st;
    if (!s) {
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory", path);
    }
    const size_t raw = strlen(s), padded = (raw + 7) / 8 * 8;
    *text = malloc(padded + 1);
    if (*text) {
        memcpy(*text, s, raw);
        memset(*text + raw, ' ', padded - raw);
    }
    free(s);
    if (!*text)
        return rc_errf(err, err_len, RC_ERR_NOMEM, "%s: out of memory for the header", path);
    *len = padded;
    return RC_OK;
}

static bool write_f32(FILE *fp, const float *x, int64_t n) {
    if (n == 0)
        return true; // an empty tensor may come with data == NULL
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return fwrite(x, sizeof *x, (size_t)n, fp) == (size_t)n;
#else
    for (int64_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], 4);
        unsigned char b[4] = {u & 255, u >> 8 & 255, u >> 16 & 255, u >> 24};
        if (fwrite(b, 1, 4, fp) != 4)
            return false;
    }
    return true;
#endif
}

static bool write_body(FILE *fp, const char *text, size_t len, const rc_safetensors_entry *t,
                       int n) {
    unsigned char lenbuf[8];
    for (int i = 0; i < 8; i++)
        lenbuf[i] = (unsigned char)((uint64_t)len >> (8 * i));
    bool ok = fwrite(lenbuf, 1, 8, fp) == 8 && fwrite(text, 1, len, fp) == len;
    for (int i = 0; ok && i < n; i++)
        ok = write_f32(fp, t[i].data, rc_shape_numel(t[i].shape));
    return ok;
}

rc_status rc_safetensors_write(const char *path, const rc_safetensors_entry *t, int n,
                               const char *const *meta, char *err, size_t err_len) {
    if (!path || n < 0 || (n > 0 && !t)) {
        return rc_errf(err, err_len, RC_ERR_ARG, "rc_safetensors_write: NULL path or entries");
    }
    char *text = NULL;
    size_t len = 0;
    rc_status st = build_header(t, n, meta, path, &text, &len, err, err_len);
    if (st != RC_OK)
        return st;
    rc_afile af;
    st = rc_afile_open(&af, path, err, err_len);
    if (st == RC_OK && !write_body(af.f, text, len, t, n)) {
        st = rc_errf(err, err_len, RC_ERR_IO, "%s: write failed: %s", path, strerror(errno));
        rc_afile_abort(&af);
    } else if (st == RC_OK) {
        st = rc_afile_commit(&af, err, err_len);
    }
    free(text);
    return st;
}
