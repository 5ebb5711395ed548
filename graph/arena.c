// Chained arena: blocks are allocated once and kept; rewinding makes them reusable, so a training
// loop allocates nothing after its first step. Memory handed out never moves.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph_impl.h"

#define ARENA_ALIGN 64
#define ARENA_MIN_BLOCK ((size_t)1 << 20)

struct rc_arena_block {
    rc_arena_block *next;
    size_t cap, used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

static size_t round_up(size_t n) {
    return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

static rc_arena_block *block_new(size_t cap) {
    rc_arena_block *b = aligned_alloc(ARENA_ALIGN, round_up(sizeof *b + cap));
    if (!b)
        return NULL;
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    return b;
}

void *rc_arena_alloc(rc_arena *a, size_t bytes) {
    if (bytes > SIZE_MAX / 2)
        return NULL;
    bytes = round_up(bytes ? bytes : 1);
    for (rc_arena_block *b = a->cur; b; b = b->next) {
        if (b->cap - b->used >= bytes) {
            void *p = b->data + b->used;
            b->used += bytes;
            a->cur = b;
            return p;
        }
        if (!b->next)
            break;
    }
    size_t cap = a->reserved > ARENA_MIN_BLOCK ? a->reserved : ARENA_MIN_BLOCK;
    if (cap < bytes)
        cap = bytes;
    rc_arena_block *nb = block_new(cap);
    if (!nb)
        return NULL;
    a->reserved += cap;
    if (!a->head) {
        a->head = nb;
    } else {
        rc_arena_block *last = a->cur ? a->cur : a->head;
        while (last->next)
            last = last->next;
        last->next = nb;
    }
    a->cur = nb;
    nb->used = bytes;
    return nb->data;
}

void rc_arena_rewind(rc_arena *a) {
    for (rc_arena_block *b = a->head; b; b = b->next)
        b->used = 0;
    a->cur = a->head;
}

void rc_arena_release(rc_arena *a) {
    rc_arena_block *b = a->head;
    while (b) {
        rc_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = a->cur = NULL;
    a->reserved = 0;
}

// calloc hands out fresh zero pages for large blocks without writing them, so a big embedding
// table (and its gradient) costs memory only where it is used; aligned_alloc + memset touched
// every page. The block is over-allocated by ARENA_ALIGN and calloc's own pointer is kept just
// before the aligned address (calloc's 16-byte alignment leaves at least 16 bytes there).
void *rc_aligned_calloc(size_t bytes) {
    size_t n = round_up(bytes ? bytes : 1);
    if (n > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    unsigned char *raw = calloc(1, n + ARENA_ALIGN);
    if (!raw)
        return NULL;
    unsigned char *p =
        (unsigned char *)(((uintptr_t)raw + ARENA_ALIGN) & ~(uintptr_t)(ARENA_ALIGN - 1));
    memcpy(p - sizeof raw, &raw, sizeof raw);
    return p;
}

void rc_aligned_free(void *p) {
    if (!p)
        return;
    unsigned char *raw;
    memcpy(&raw, (unsigned char *)p - sizeof raw, sizeof raw);
    free(raw);
}
