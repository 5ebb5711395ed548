// Saving and loading a built BM25 index, and its document ids. The file (docs/cli.md, "recur
// search", has the same description) is little-endian binary:
//   "recur-bm25\n", u32 version (1)
//   u32 variant, u32 idf, f64 k1, f64 b, f64 delta
//   u32 tok mode, punct, lowercase, min_chars, keep_space, stem
//   u32 stop words, then each as u32 length + bytes
//   u64 documents N, u64 terms T, u64 postings P
//   i32 document lengths [N]; terms [T] as u32 length + bytes
//   u64 posting starts [T + 1]; i32 posting documents [P]; i32 posting frequencies [P]
//   u8 has ids, then (when 1) N ids as u32 length + bytes
//   "end\n"
// Loading recomputes the idf and length norms with the arithmetic of rc_bm25_build, so a loaded
// index scores exactly as the saved one did. Everything read is checked against the file size
// and the index's invariants, so a damaged file is an error, never a crash.
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "text/retrieval/bm25_impl.h"

#define MAGIC "recur-bm25\n"
#define VERSION 1u
#define TRAILER "end\n"

static void put_bytes(FILE *f, const void *p, size_t n) {
    fwrite(p, 1, n, f);
}

// v's low `bytes` bytes, least significant first.
static void put_le(FILE *f, uint64_t v, int bytes) {
    unsigned char b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    put_bytes(f, b, (size_t)bytes);
}

static void put_u64(FILE *f, uint64_t v) {
    put_le(f, v, 8);
}

static void put_u32(FILE *f, uint32_t v) {
    put_le(f, v, 4);
}

static void put_f64(FILE *f, double x) {
    uint64_t v;
    memcpy(&v, &x, sizeof v);
    put_u64(f, v);
}

static void put_string(FILE *f, const char *s, size_t len) {
    put_u32(f, (uint32_t)len);
    put_bytes(f, s, len);
}

static void put_options(FILE *f, const rc_bm25_opts *o) {
    put_u32(f, (uint32_t)o->variant), put_u32(f, (uint32_t)o->idf);
    put_f64(f, o->k1), put_f64(f, o->b), put_f64(f, o->delta);
    put_u32(f, (uint32_t)o->tok.mode), put_u32(f, (uint32_t)o->tok.punct);
    put_u32(f, o->tok.lowercase), put_u32(f, (uint32_t)o->tok.min_chars);
    put_u32(f, o->tok.keep_space), put_u32(f, o->stem);
    put_u32(f, (uint32_t)rc_stopset_count(o->stop));
    for (size_t i = 0; i < rc_stopset_count(o->stop); i++) {
        size_t len;
        const char *w = rc_stopset_word(o->stop, i, &len);
        put_string(f, w, len);
    }
}

static void put_index(FILE *f, const rc_bm25 *ix) {
    const size_t T = ix->terms.n;
    const int64_t N = ix->n_docs, P = ix->post_ptr[T];
    put_u64(f, (uint64_t)N), put_u64(f, T), put_u64(f, (uint64_t)P);
    for (int64_t d = 0; d < N; d++)
        put_u32(f, (uint32_t)ix->doc_len[d]);
    for (size_t t = 0; t < T; t++) {
        size_t len;
        const char *s = rc_strtab_key(&ix->terms, (int32_t)t, &len);
        put_string(f, s, len);
    }
    for (size_t t = 0; t <= T; t++)
        put_u64(f, (uint64_t)ix->post_ptr[t]);
    for (int64_t p = 0; p < P; p++)
        put_u32(f, (uint32_t)ix->post_doc[p]);
    for (int64_t p = 0; p < P; p++)
        put_u32(f, (uint32_t)ix->post_tf[p]);
    fputc(ix->doc_ids != NULL, f);
    for (int64_t d = 0; ix->doc_ids && d < N; d++)
        put_string(f, ix->doc_ids[d], strlen(ix->doc_ids[d]));
    put_bytes(f, TRAILER, strlen(TRAILER));
}

rc_status rc_bm25_save(const rc_bm25 *ix, const char *path, char *err, size_t err_len) {
    if (!ix || !path)
        return rc_err_null(err, err_len, "rc_bm25_save", ix ? "path" : "ix");
    if (!ix->built)
        return rc_errf(err, err_len, RC_ERR_STATE, "rc_bm25_save: %s: build the index first", path);
    rc_afile a;
    rc_status st = rc_afile_open(&a, path, err, err_len);
    if (st != RC_OK)
        return st;
    put_bytes(a.f, MAGIC, strlen(MAGIC));
    put_u32(a.f, VERSION);
    put_options(a.f, &ix->o);
    put_index(a.f, ix);
    return rc_afile_commit(&a, err, err_len);
}

// ---- loading
// -------------------------------------------------------------------------------------

// A file being read: every read is checked against the bytes left, and the first failure is kept
// (later reads return zeros), so the parsing code checks once per section.
typedef struct reader {
    FILE *f;
    const char *path;
    uint64_t left;
    bool failed;
    char *err;
    size_t err_len;
} reader;

static bool fail(reader *r, const char *what) {
    if (!r->failed)
        rc_errf(r->err, r->err_len, RC_ERR_FORMAT, "%s: not a recur BM25 index (or damaged): %s",
                r->path, what);
    r->failed = true;
    return false;
}

static bool get_bytes(reader *r, void *p, uint64_t n) {
    if (r->failed || n > r->left || fread(p, 1, (size_t)n, r->f) != n)
        return fail(r, "the file ends early");
    r->left -= n;
    return true;
}

// A little-endian number of `bytes` bytes (0 after a failure).
static uint64_t get_le(reader *r, int bytes) {
    unsigned char b[8] = {0};
    uint64_t v = 0;
    if (get_bytes(r, b, (uint64_t)bytes))
        for (int i = 0; i < bytes; i++)
            v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static uint64_t get_u64(reader *r) {
    return get_le(r, 8);
}

static uint32_t get_u32(reader *r) {
    return (uint32_t)get_le(r, 4);
}

static double get_f64(reader *r) {
    uint64_t v = get_u64(r);
    double x;
    memcpy(&x, &v, sizeof x);
    return x;
}

// A length-prefixed string into a malloc'ed, NUL-terminated buffer; NULL on failure.
static char *get_string(reader *r, uint32_t *len) {
    *len = get_u32(r);
    if (r->failed || *len > r->left)
        return fail(r, "a string runs past the end"), NULL;
    char *s = malloc((size_t)*len + 1);
    if (!s) {
        r->failed = true;
        rc_errf(r->err, r->err_len, RC_ERR_NOMEM, "%s: out of memory", r->path);
        return NULL;
    }
    if (!get_bytes(r, s, *len))
        return free(s), NULL;
    s[*len] = '\0';
    return s;
}

// Room for n elements of mem bytes, each taking at least disk bytes in the file: they must fit in
// what is left of it (so a bad count cannot make a huge allocation).
static void *get_array_room(reader *r, uint64_t n, size_t disk, size_t mem) {
    if (r->failed || n > r->left / disk)
        return fail(r, "a count is larger than the file"), NULL;
    void *p = malloc((size_t)(n ? n : 1) * mem);
    if (!p) {
        r->failed = true;
        rc_errf(r->err, r->err_len, RC_ERR_NOMEM, "%s: out of memory", r->path);
    }
    return p;
}

static rc_status get_stopwords(reader *r, rc_stopset **out) {
    uint32_t n = get_u32(r), len;
    char **words = get_array_room(r, n, 4, sizeof(char *));
    uint32_t got = 0;
    while (!r->failed && got < n && (words[got] = get_string(r, &len)))
        got++;
    rc_status st = r->failed ? RC_ERR_FORMAT : rc_stopset_new(out, (const char *const *)words, n);
    for (uint32_t i = 0; i < got; i++)
        free(words[i]);
    free(words);
    return st;
}

static rc_status get_options(reader *r, rc_bm25_opts *o, rc_stopset **stop) {
    *o = rc_bm25_defaults();
    o->variant = (rc_bm25_variant)get_u32(r), o->idf = (rc_bm25_idf)get_u32(r);
    o->k1 = get_f64(r), o->b = get_f64(r), o->delta = get_f64(r);
    o->tok.mode = (rc_tok_mode)get_u32(r), o->tok.punct = (rc_punct)get_u32(r);
    o->tok.lowercase = get_u32(r) != 0, o->tok.min_chars = (int)get_u32(r);
    o->tok.keep_space = get_u32(r) != 0, o->stem = get_u32(r) != 0;
    if (!r->failed &&
        (o->variant > RC_BM25_PLUS || o->idf > RC_BM25_IDF_RSJ || o->tok.mode > RC_TOK_CHARS ||
         o->tok.punct > RC_PUNCT_KEEP || o->tok.min_chars < 0))
        fail(r, "an option is out of range");
    rc_status st = get_stopwords(r, stop);
    o->stop = *stop;
    return r->failed ? RC_ERR_FORMAT : st;
}

static void get_doc_lengths(reader *r, rc_bm25 *ix, uint64_t N) {
    if (!(ix->doc_len = get_array_room(r, N, 4, 4)))
        return;
    for (uint64_t d = 0; d < N && !r->failed; d++)
        if ((ix->doc_len[d] = (int32_t)get_u32(r)) < 0)
            fail(r, "a negative document length");
}

static void get_terms(reader *r, rc_bm25 *ix, uint64_t T) {
    for (uint64_t t = 0; t < T && !r->failed; t++) {
        uint32_t len;
        char *s = get_string(r, &len);
        bool added = false;
        if (s && rc_strtab_intern(&ix->terms, s, len, rc_hash_bytes(s, len), &added) < 0)
            r->failed = true,
            rc_errf(r->err, r->err_len, RC_ERR_NOMEM, "%s: out of memory", r->path);
        else if (s && !added)
            fail(r, "a term appears twice");
        free(s);
    }
}

// Posting starts from 0 to P, never decreasing; each term's documents increasing, in [0, N);
// frequencies >= 1.
static void get_postings(reader *r, rc_bm25 *ix, uint64_t N, uint64_t T, uint64_t P) {
    if (!(ix->post_ptr = get_array_room(r, T + 1, 8, 8)))
        return;
    for (uint64_t t = 0; t <= T && !r->failed; t++) {
        ix->post_ptr[t] = (int64_t)get_u64(r);
        if (ix->post_ptr[t] < (t ? ix->post_ptr[t - 1] : 0) || (uint64_t)ix->post_ptr[t] > P ||
            (t == T && (uint64_t)ix->post_ptr[t] != P) || (t == 0 && ix->post_ptr[0] != 0))
            fail(r, "the posting starts are out of order");
    }
    if (!(ix->post_doc = get_array_room(r, P, 4, 4)) || !(ix->post_tf = get_array_room(r, P, 4, 4)))
        return;
    for (uint64_t p = 0; p < P && !r->failed; p++)
        if ((ix->post_doc[p] = (int32_t)get_u32(r)) < 0 || (uint64_t)ix->post_doc[p] >= N)
            fail(r, "a posting names a document outside the index");
    for (uint64_t t = 0; t < T && !r->failed; t++)
        for (int64_t p = ix->post_ptr[t] + 1; p < ix->post_ptr[t + 1]; p++)
            if (ix->post_doc[p] <= ix->post_doc[p - 1])
                fail(r, "a term's documents are out of order");
    for (uint64_t p = 0; p < P && !r->failed; p++)
        if ((ix->post_tf[p] = (int32_t)get_u32(r)) < 1)
            fail(r, "a term frequency below 1");
}

static void get_doc_ids(reader *r, rc_bm25 *ix, uint64_t N) {
    unsigned char has = 0;
    if (!get_bytes(r, &has, 1) || !has)
        return;
    if (!(ix->doc_ids = get_array_room(r, N, 4, sizeof(char *))))
        return;
    memset(ix->doc_ids, 0, (size_t)N * sizeof *ix->doc_ids);
    uint32_t len;
    for (uint64_t d = 0; d < N && !r->failed; d++)
        ix->doc_ids[d] = get_string(r, &len);
}

static void get_index(reader *r, rc_bm25 *ix) {
    const uint64_t N = get_u64(r), T = get_u64(r), P = get_u64(r);
    if (!r->failed && (N >= INT32_MAX || T >= INT32_MAX))
        fail(r, "more than 2^31 documents or terms");
    ix->n_docs = (int64_t)N; // from here rc_bm25_free frees what was read
    get_doc_lengths(r, ix, N);
    get_terms(r, ix, T);
    get_postings(r, ix, N, T, P);
    get_doc_ids(r, ix, N);
    char end[sizeof TRAILER] = "";
    if (get_bytes(r, end, strlen(TRAILER)) && (memcmp(end, TRAILER, strlen(TRAILER)) || r->left))
        fail(r, "unexpected bytes at the end");
}

static rc_status load_from(reader *r, rc_bm25 **out) {
    char magic[sizeof MAGIC] = "";
    if (get_bytes(r, magic, strlen(MAGIC)) && memcmp(magic, MAGIC, strlen(MAGIC)))
        return fail(r, "no recur-bm25 header"), RC_ERR_FORMAT;
    uint32_t version = get_u32(r);
    if (!r->failed && version != VERSION)
        return rc_errf(r->err, r->err_len, RC_ERR_FORMAT,
                       "%s: BM25 index version %u; this recur reads version %u", r->path, version,
                       VERSION);
    rc_bm25_opts o;
    rc_stopset *stop = NULL;
    rc_status st = get_options(r, &o, &stop);
    if (st == RC_OK && rc_bm25_new(out, &o) != RC_OK)
        st = rc_errf(r->err, r->err_len, RC_ERR_FORMAT, "%s: %s", r->path, rc_last_error());
    if (st != RC_OK) {
        rc_stopset_free(&stop);
        return r->failed ? RC_ERR_FORMAT : st;
    }
    (*out)->own_stop = stop;
    get_index(r, *out);
    if (r->failed)
        return RC_ERR_FORMAT;
    free((*out)->row_ptr);
    (*out)->row_ptr = NULL;
    return rc_bm25_finish(*out);
}

rc_status rc_bm25_load(rc_bm25 **out, const char *path, char *err, size_t err_len) {
    if (out)
        *out = NULL;
    if (!out || !path)
        return rc_err_null(err, err_len, "rc_bm25_load", out ? "path" : "ix");
    FILE *f = fopen(path, "rb");
    if (!f)
        return rc_errf(err, err_len, RC_ERR_IO, "%s: %s", path, strerror(errno));
    reader r = {.f = f, .path = path, .err = err, .err_len = err_len};
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        r.left = size > 0 ? (uint64_t)size : 0;
    }
    rewind(f);
    rc_status st = load_from(&r, out);
    fclose(f);
    if (st != RC_OK)
        rc_bm25_free(out);
    return st;
}
