// The BM25 index's layout, shared by bm25.c (adding, building, searching) and bm25_io.c (saving
// and loading). Private to text/retrieval/.
#ifndef RECUR_TEXT_RETRIEVAL_BM25_IMPL_H
#define RECUR_TEXT_RETRIEVAL_BM25_IMPL_H

#include "text/text_impl.h"

struct rc_bm25 {
    rc_bm25_opts o;
    rc_strtab terms;
    // Rows while adding: document d's pairs are [row_ptr[d], row_ptr[d+1]).
    int64_t *row_ptr;
    int32_t *row_term, *row_tf;
    size_t row_ptr_cap, row_cap, row_tf_cap;
    int32_t *doc_len;
    size_t doc_len_cap;
    int64_t n_docs;
    // Counting scratch while adding.
    int64_t *last_doc;
    int32_t *cnt, *touched;
    size_t last_cap, cnt_cap, touched_cap, n_touched;
    rc_tokens tok;
    // After build.
    bool built;
    int64_t *post_ptr; // [terms + 1]
    int32_t *post_doc, *post_tf;
    double *idf;
    double *norm; // [docs] k1 (1 - b + b dl/avgdl), or (1 - b + b dl/avgdl) for BM25L
    double avgdl;
    char **doc_ids;       // [docs] or NULL (rc_bm25_set_doc_ids, rc_bm25_load)
    rc_stopset *own_stop; // the stop words of a loaded index (o.stop points here)
};

// After the postings and document lengths are in place: avgdl, every document's length norm and
// every term's idf, then the index is built (the same arithmetic for a built and a loaded index).
rc_status rc_bm25_finish(rc_bm25 *ix);

#endif
