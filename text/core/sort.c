// A stable merge sort of int32 ids with a comparison that takes a context (qsort has none, and a
// global would make sorting thread-unsafe).
#include <stdlib.h>

#include "text/text_impl.h"

static void merge_pass(const int32_t *src, int32_t *dst, size_t n, size_t width, rc_id_cmp cmp,
                       const void *ctx) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
        size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
        size_t i = lo, j = mid, k = lo;
        while (i < mid && j < hi)
            dst[k++] = cmp(src[j], src[i], ctx) < 0 ? src[j++] : src[i++];
        while (i < mid)
            dst[k++] = src[i++];
        while (j < hi)
            dst[k++] = src[j++];
    }
}

bool rc_sort_ids(int32_t *ids, size_t n, rc_id_cmp cmp, const void *ctx) {
    const size_t RUN = 16;
    for (size_t lo = 0; lo < n; lo += RUN) { // insertion sort on short runs
        size_t hi = lo + RUN < n ? lo + RUN : n;
        for (size_t i = lo + 1; i < hi; i++) {
            int32_t x = ids[i];
            size_t j = i;
            for (; j > lo && cmp(x, ids[j - 1], ctx) < 0; j--)
                ids[j] = ids[j - 1];
            ids[j] = x;
        }
    }
    if (n <= RUN)
        return true;
    int32_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return false;
    int32_t *src = ids, *dst = tmp;
    for (size_t w = RUN; w < n; w *= 2) {
        merge_pass(src, dst, n, w, cmp, ctx);
        int32_t *t = src;
        src = dst, dst = t;
    }
    if (src != ids)
        memcpy(ids, src, n * sizeof *ids);
    free(tmp);
    return true;
}
