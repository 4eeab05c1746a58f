/* arena_fuzz.c — compiler/arena.c's allocator with one malloc per allocation, of
 * the exact size asked, so that AddressSanitizer sees every read or write
 * past an arena allocation (the bump allocator's chunks hide them). Linked
 * instead of arena.o into the fuzz targets and their replay only. */
#include "arena.h"
#include "util.h"
#include <stdlib.h>

typedef struct block {
    struct block *next;
    void *p;
} block;

struct arena {
    block *head;
    size_t total;
};

arena *arena_new(void) { return xcalloc(1, sizeof(arena)); }

void arena_free(arena *a) {
    if (!a) return;
    for (block *b = a->head, *n; b; b = n) {
        n = b->next;
        free(b->p);
        free(b);
    }
    free(a);
}

void *arena_alloc(arena *a, size_t n) {
    block *b = xmalloc(sizeof *b);
    b->p = xcalloc(1, n ? n : 1);
    b->next = a->head;
    a->head = b;
    const size_t al = sizeof(max_align_t);
    a->total += (n ? (n + al - 1) / al : 1) * al; /* as arena.c counts */
    return b->p;
}

size_t arena_used(const arena *a) { return a->total; }
