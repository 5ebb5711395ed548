// What the readers of test collections share (beir.c, smart.c, lines.c): judgments as read, and
// the step that turns them into an rc_beir's per-query lists. Private to text/retrieval/.
#ifndef RECUR_TEXT_RETRIEVAL_COLLECTION_IMPL_H
#define RECUR_TEXT_RETRIEVAL_COLLECTION_IMPL_H

#include "text/text_impl.h"

// One judgment: query and document numbers (document -1: not in the corpus), the grade.
typedef struct rc_judgment {
    int32_t query, doc, grade;
} rc_judgment;

// Keeps the judged queries of qid/qtext[n_all] (in their order; the strings move into b or are
// freed) and groups the judgments js[n_js] by query, each in file order. RC_ERR_NOMEM (no
// message).
rc_status rc_beir_group(rc_beir *b, char **qid, char **qtext, int64_t n_all, const rc_judgment *js,
                        int64_t n_js);

#endif
