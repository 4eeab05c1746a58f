/* arena.c — bump allocator in growing chunks (see arena.h); the helpers
 * built on arena_alloc (copies, printf, growable arrays) are in arenautil.c. */
#include "arena.h"
#include "util.h"
#include <stdlib.h>
#include <string.h>

typedef struct chunk {
    struct chunk *next;
    size_t cap, used;
    max_align_t data[];
} chunk;

struct arena {
    chunk *head;
    size_t total;
};

arena *arena_new(void) { return xcalloc(1, sizeof(arena)); }

void arena_free(arena *a) {
    if (!a) return;
    chunk *c = a->head;
    while (c) {
        chunk *n = c->next;
        free(c);
        c = n;
    }
    free(a);
}

void *arena_alloc(arena *a, size_t n) {
    const size_t al = sizeof(max_align_t);
    n = (n + al - 1) / al * al;
    if (n == 0) n = al;
    chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = 64 * 1024 - sizeof(chunk);
        if (n > cap / 4) {
            /* big request: its own chunk, behind the current one so the
             * current chunk's free space is not wasted */
            chunk *big = xmalloc(sizeof(chunk) + n);
            big->cap = n;
            big->used = n;
            if (c) {
                big->next = c->next;
                c->next = big;
            } else {
                big->next = NULL;
                a->head = big;
            }
            a->total += n;
            memset(big->data, 0, n);
            return big->data;
        }
        c = xmalloc(sizeof(chunk) + cap);
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    a->total += n;
    memset(p, 0, n);
    return p;
}

size_t arena_used(const arena *a) { return a->total; }
