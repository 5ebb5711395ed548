// The Huffman tree of hierarchical softmax, built the way word2vec.c builds it: leaves sorted by
// count (descending), then one pass that merges the two smallest nodes, taking them from the
// tail of the sorted leaves or from the queue of inner nodes made so far (both stay sorted).
#include <stdlib.h>
#include <string.h>

#include "embed_impl.h"

// Sort key: count descending, then id ascending, so equal counts keep id order.
typedef struct leaf_key {
    int64_t count;
    int32_t id;
} leaf_key;

static int by_count_desc(const void *a, const void *b) {
    const leaf_key *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

void rc_huffman_free(rc_huffman **h) {
    if (!h || !*h)
        return;
    free((*h)->start);
    free((*h)->code);
    free((*h)->point);
    free(*h);
    *h = NULL;
}

// The two-queue merge over sorted counts cnt[0..n) (descending). Nodes 0..n-1 are leaves in
// sorted order, n..2n-2 inner nodes; fills parent[] and branch[] (1 for the second-smallest).
static void merge_nodes(int64_t *cnt, int32_t n, int32_t *parent, uint8_t *branch) {
    int32_t leaf = n - 1, inner = n;
    for (int32_t a = 0; a < n - 1; a++) {
        int32_t pick[2];
        for (int k = 0; k < 2; k++) {
            // Strictly smaller leaf wins; on a tie the inner node is taken, as word2vec.c does.
            if (leaf >= 0 && cnt[leaf] < cnt[inner])
                pick[k] = leaf--;
            else
                pick[k] = inner++;
        }
        cnt[n + a] = cnt[pick[0]] + cnt[pick[1]];
        parent[pick[0]] = parent[pick[1]] = n + a;
        branch[pick[1]] = 1;
    }
}

// Path lengths and then paths, root first, for every leaf; leaf k of the sorted order is id[k].
static void write_paths(rc_huffman *h, const int32_t *parent, const uint8_t *branch,
                        const leaf_key *keys) {
    const int32_t n = h->n, root = 2 * n - 2;
    for (int32_t k = 0; k < n; k++) {
        int32_t depth = 0;
        for (int32_t b = k; b != root; b = parent[b])
            depth++;
        int64_t at = h->start[keys[k].id] + depth;
        for (int32_t b = k; b != root; b = parent[b]) {
            at--;
            h->code[at] = branch[b];
            h->point[at] = parent[b] - n;
        }
    }
}

rc_status rc_huffman_new(rc_huffman **out, const int64_t *counts, int32_t n) {
    if (!out)
        return rc_err_null(NULL, 0, "rc_huffman_new", "h");
    *out = NULL;
    rc_status st = rc_embed_check_counts("rc_huffman_new", counts, n, 2);
    if (st != RC_OK)
        return st;
    st = RC_ERR_NOMEM;
    const size_t nodes = 2 * (size_t)n - 1;
    leaf_key *keys = malloc((size_t)n * sizeof *keys);
    int64_t *cnt = malloc(nodes * sizeof *cnt);
    int32_t *parent = malloc(nodes * sizeof *parent);
    uint8_t *branch = calloc(nodes, 1);
    rc_huffman *h = calloc(1, sizeof *h);
    if (!keys || !cnt || !parent || !branch || !h)
        goto done;
    for (int32_t i = 0; i < n; i++)
        keys[i] = (leaf_key){counts[i], i};
    qsort(keys, (size_t)n, sizeof *keys, by_count_desc);
    for (int32_t k = 0; k < n; k++)
        cnt[k] = keys[k].count;
    for (size_t k = (size_t)n; k < nodes; k++)
        cnt[k] = INT64_MAX / 2; // not yet made: larger than any sum of real counts
    merge_nodes(cnt, n, parent, branch);
    h->n = n;
    h->start = malloc(((size_t)n + 1) * sizeof *h->start);
    if (!h->start)
        goto done;
    // Depth of each leaf, then prefix sums give every leaf's slice.
    const int32_t root = 2 * n - 2;
    h->start[0] = 0;
    int64_t *depth = h->start + 1;
    for (int32_t k = 0; k < n; k++) {
        int32_t d = 0;
        for (int32_t b = k; b != root; b = parent[b])
            d++;
        depth[keys[k].id] = d;
        if (d > h->max_len)
            h->max_len = d;
    }
    for (int32_t i = 0; i < n; i++)
        h->start[i + 1] += h->start[i];
    h->code = malloc((size_t)h->start[n]);
    h->point = malloc((size_t)h->start[n] * sizeof *h->point);
    if (!h->code || !h->point)
        goto done;
    write_paths(h, parent, branch, keys);
    *out = h;
    h = NULL;
    st = RC_OK;
done:
    rc_huffman_free(&h);
    free(keys);
    free(cnt);
    free(parent);
    free(branch);
    return st == RC_OK ? st
                       : rc_errf(NULL, 0, st, "rc_huffman_new: out of memory for %d leaves", n);
}
