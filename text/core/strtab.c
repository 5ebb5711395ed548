// The string hash table shared by the vocabulary, the vectorizers and BM25 (see text_impl.h).
#include <stdlib.h>

#include "text/text_impl.h"

void rc_strtab_free(rc_strtab *t) {
    free(t->slots);
    free(t->keys);
    free(t->bytes);
    memset(t, 0, sizeof *t);
}

// Inline word-at-a-time comparison: keys are short, and a call to memcmp costs more than them.
static inline bool key_eq(const rc_strtab *t, uint32_t id, const char *s, size_t len) {
    if (t->keys[id].len != len)
        return false;
    const char *k = t->bytes + t->keys[id].off;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t a, b;
        memcpy(&a, k + i, 8);
        memcpy(&b, s + i, 8);
        if (a != b)
            return false;
    }
    for (; i < len; i++)
        if (k[i] != s[i])
            return false;
    return true;
}

int32_t rc_strtab_find(const rc_strtab *t, const char *s, size_t len, uint64_t hash) {
    if (!t->slots)
        return -1;
    uint32_t h32 = (uint32_t)hash;
    for (size_t i = (size_t)(hash >> 32) & t->mask;; i = (i + 1) & t->mask) {
        const rc_strtab_slot *sl = &t->slots[i];
        if (!sl->id1)
            return -1;
        if (sl->hash == h32 && key_eq(t, sl->id1 - 1, s, len))
            return (int32_t)(sl->id1 - 1);
    }
}

// Rebuilds the slot array with twice the slots, re-hashing every key.
static bool rehash(rc_strtab *t) {
    size_t n_slots = t->slots ? 2 * (t->mask + 1) : 64;
    rc_strtab_slot *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return false;
    size_t mask = n_slots - 1;
    for (size_t id = 0; id < t->n; id++) {
        uint64_t h = rc_hash_bytes(t->bytes + t->keys[id].off, t->keys[id].len);
        size_t i = (size_t)(h >> 32) & mask;
        while (slots[i].id1)
            i = (i + 1) & mask;
        slots[i] = (rc_strtab_slot){(uint32_t)id + 1, (uint32_t)h};
    }
    free(t->slots);
    t->slots = slots;
    t->mask = mask;
    return true;
}

int32_t rc_strtab_intern(rc_strtab *t, const char *s, size_t len, uint64_t hash, bool *added) {
    *added = false;
    if (!t->slots && !rehash(t))
        return -1;
    uint32_t h32 = (uint32_t)hash;
    size_t i = (size_t)(hash >> 32) & t->mask;
    for (;; i = (i + 1) & t->mask) {
        const rc_strtab_slot *sl = &t->slots[i];
        if (!sl->id1)
            break;
        if (sl->hash == h32 && key_eq(t, sl->id1 - 1, s, len))
            return (int32_t)(sl->id1 - 1);
    }
    if (t->n >= INT32_MAX - 1 || len > UINT32_MAX)
        return -1;
    if (!rc_grow((void **)&t->keys, &t->keys_cap, t->n + 1, sizeof *t->keys))
        return -1;
    if (!rc_grow((void **)&t->bytes, &t->bytes_cap, t->bytes_len + len + 1, 1))
        return -1;
    memcpy(t->bytes + t->bytes_len, s, len);
    t->bytes[t->bytes_len + len] = '\0';
    t->keys[t->n] = (rc_strkey){t->bytes_len, (uint32_t)len};
    t->bytes_len += len + 1;
    uint32_t id = (uint32_t)t->n++;
    t->slots[i] = (rc_strtab_slot){id + 1, h32};
    *added = true;
    // Load factor at most 1/2: probes stay short.
    if (2 * t->n > t->mask + 1 && !rehash(t)) {
        t->n--; // keep the table consistent: the key is dropped again
        t->bytes_len -= len + 1;
        t->slots[i].id1 = 0;
        *added = false;
        return -1;
    }
    return (int32_t)id;
}

int rc_strtab_cmp(const rc_strtab *t, int32_t a, int32_t b) {
    size_t la = t->keys[a].len, lb = t->keys[b].len;
    int c = memcmp(t->bytes + t->keys[a].off, t->bytes + t->keys[b].off, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}
