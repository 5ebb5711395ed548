// CSR matrices: the row-by-row builder, row gathering for mini-batches, and validation.
#include <stdlib.h>

#include "text/text_impl.h"

void rc_csr_free(rc_csr *m) {
    if (!m)
        return;
    free(m->indptr);
    free(m->indices);
    free(m->values);
    int64_t cols = m->cols;
    memset(m, 0, sizeof *m);
    m->cols = cols; // the matrix stays ready for building rows of the same width
}

int64_t rc_csr_nnz(const rc_csr *m) {
    return m && m->indptr ? m->indptr[m->rows] : 0;
}

bool rc_csr_grow(void **p, size_t used, size_t need, size_t elem) {
    size_t cap = 0;
    if (*p) {
        cap = 64;
        while (cap < used)
            cap *= 2;
    }
    return rc_grow(p, &cap, need, elem);
}

bool rc_csr_grow_nnz(rc_csr *m, int64_t used, int64_t need) {
    return rc_csr_grow((void **)&m->indices, (size_t)used, (size_t)need, sizeof *m->indices) &&
           rc_csr_grow((void **)&m->values, (size_t)used, (size_t)need, sizeof *m->values);
}

// While a row is open, indptr[rows+1] is the running end of its entries (the builder keeps room
// for it), so indptr[rows] is always the number of entries in finished rows.
// A matrix with an indptr has held rows + 1 of its entries.
static bool ensure_open_row(rc_csr *m) {
    bool fresh = !m->indptr;
    if (!rc_csr_grow((void **)&m->indptr, (size_t)m->rows + 1, (size_t)m->rows + 2,
                     sizeof *m->indptr))
        return false;
    if (fresh)
        m->indptr[0] = m->indptr[1] = 0;
    return true;
}

// RC_ERR_NOMEM "fn: out of memory for n what".
static rc_status csr_nomem(const char *fn, int64_t n, const char *what) {
    return rc_errf(NULL, 0, RC_ERR_NOMEM, "%s: out of memory for %lld %s", fn, (long long)n, what);
}

rc_status rc_csr_push(rc_csr *m, int32_t col, float value) {
    if (!m)
        return rc_err_null(NULL, 0, "rc_csr_push", "m");
    if (col < 0 || col >= m->cols)
        return rc_errf(NULL, 0, RC_ERR_RANGE, "rc_csr_push: column %d is outside [0,%lld)", col,
                       (long long)m->cols);
    if (!ensure_open_row(m))
        return csr_nomem("rc_csr_push", m->rows + 2, "row pointers");
    int64_t at = m->indptr[m->rows + 1];
    if (!rc_csr_grow_nnz(m, at, at + 1))
        return csr_nomem("rc_csr_push", at + 1, "entries");
    m->indices[at] = col;
    m->values[at] = value;
    m->indptr[m->rows + 1] = at + 1;
    return RC_OK;
}

typedef struct csr_entry {
    int32_t col;
    float val;
} csr_entry;

static int entry_cmp(const void *a, const void *b) {
    int32_t x = ((const csr_entry *)a)->col, y = ((const csr_entry *)b)->col;
    return (x > y) - (x < y);
}

// Sorts entries [lo, hi) by column: insertion sort for short rows, qsort through a copy else.
static bool sort_row(rc_csr *m, int64_t lo, int64_t hi) {
    int32_t *ix = m->indices;
    float *v = m->values;
    if (hi - lo <= 32) {
        for (int64_t i = lo + 1; i < hi; i++) {
            int32_t c = ix[i];
            float x = v[i];
            int64_t j = i;
            for (; j > lo && ix[j - 1] > c; j--)
                ix[j] = ix[j - 1], v[j] = v[j - 1];
            ix[j] = c, v[j] = x;
        }
        return true;
    }
    csr_entry *e = malloc((size_t)(hi - lo) * sizeof *e);
    if (!e)
        return false;
    for (int64_t i = lo; i < hi; i++)
        e[i - lo] = (csr_entry){ix[i], v[i]};
    qsort(e, (size_t)(hi - lo), sizeof *e, entry_cmp); // equal columns are summed: order is moot
    for (int64_t i = lo; i < hi; i++)
        ix[i] = e[i - lo].col, v[i] = e[i - lo].val;
    free(e);
    return true;
}

rc_status rc_csr_end_row(rc_csr *m) {
    if (!m)
        return rc_err_null(NULL, 0, "rc_csr_end_row", "m");
    if (!ensure_open_row(m))
        return csr_nomem("rc_csr_end_row", m->rows + 2, "row pointers");
    int64_t lo = m->indptr[m->rows], hi = m->indptr[m->rows + 1];
    if (!sort_row(m, lo, hi))
        return csr_nomem("rc_csr_end_row", hi - lo, "entries to sort");
    int64_t w = lo;
    for (int64_t k = lo; k < hi; k++) {
        if (w > lo && m->indices[w - 1] == m->indices[k]) {
            m->values[w - 1] += m->values[k];
        } else {
            m->indices[w] = m->indices[k];
            m->values[w++] = m->values[k];
        }
    }
    m->indptr[++m->rows] = w;
    if (!ensure_open_row(m))
        return csr_nomem("rc_csr_end_row", m->rows + 2, "row pointers");
    m->indptr[m->rows + 1] = w;
    return RC_OK;
}

rc_status rc_csr_gather_rows(const rc_csr *src, const int64_t *idx, int64_t n, rc_csr *dst) {
    if (!src || !dst || (!idx && n > 0))
        return rc_err_null(NULL, 0, "rc_csr_gather_rows", !src ? "src" : !dst ? "dst" : "idx");
    if (n < 0 || src == dst)
        return rc_errf(NULL, 0, RC_ERR_ARG, "rc_csr_gather_rows: %s",
                       src == dst ? "dst must not be src" : "n must be >= 0");
    rc_csr_free(dst);
    dst->cols = src->cols;
    int64_t nnz = 0;
    for (int64_t i = 0; i < n; i++) {
        if (idx[i] < 0 || idx[i] >= src->rows)
            return rc_errf(NULL, 0, RC_ERR_RANGE,
                           "rc_csr_gather_rows: idx[%lld] is %lld, outside [0,%lld)", (long long)i,
                           (long long)idx[i], (long long)src->rows);
        nnz += src->indptr[idx[i] + 1] - src->indptr[idx[i]];
    }
    if (!rc_csr_grow((void **)&dst->indptr, 0, (size_t)n + 2, sizeof *dst->indptr) ||
        !rc_csr_grow_nnz(dst, 0, nnz ? nnz : 1)) {
        rc_csr_free(dst);
        return csr_nomem("rc_csr_gather_rows", nnz, "entries");
    }
    dst->indptr[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t lo = src->indptr[idx[i]], cnt = src->indptr[idx[i] + 1] - lo, at = dst->indptr[i];
        memcpy(dst->indices + at, src->indices + lo, (size_t)cnt * sizeof *dst->indices);
        memcpy(dst->values + at, src->values + lo, (size_t)cnt * sizeof *dst->values);
        dst->indptr[i + 1] = at + cnt;
    }
    dst->rows = n;
    dst->indptr[n + 1] = dst->indptr[n];
    return RC_OK;
}

rc_status rc_csr_check(const rc_csr *m, char *err, size_t err_len) {
    if (!m)
        return rc_err_null(err, err_len, "rc_csr_check", "m");
    if (m->rows < 0 || m->cols < 0 || (m->rows > 0 && !m->indptr))
        return rc_errf(err, err_len, RC_ERR_FORMAT, "matrix [%lld,%lld] has no indptr",
                       (long long)m->rows, (long long)m->cols);
    if (m->indptr && m->indptr[0] != 0)
        return rc_errf(err, err_len, RC_ERR_FORMAT, "indptr[0] is %lld, not 0",
                       (long long)m->indptr[0]);
    for (int64_t r = 0; r < m->rows; r++) {
        if (m->indptr[r + 1] < m->indptr[r])
            return rc_errf(err, err_len, RC_ERR_FORMAT, "indptr decreases at row %lld",
                           (long long)r);
        for (int64_t k = m->indptr[r]; k < m->indptr[r + 1]; k++) {
            if (m->indices[k] < 0 || m->indices[k] >= m->cols)
                return rc_errf(err, err_len, RC_ERR_FORMAT, "row %lld: column %d outside [0,%lld)",
                               (long long)r, m->indices[k], (long long)m->cols);
            if (k > m->indptr[r] && m->indices[k] <= m->indices[k - 1])
                return rc_errf(err, err_len, RC_ERR_FORMAT,
                               "row %lld: columns not strictly ascending at entry %lld",
                               (long long)r, (long long)k);
        }
    }
    return RC_OK;
}
