/* arena.h — bump allocator: many small allocations, one free.
 * Owned by whoever called arena_new; everything allocated from it lives until
 * arena_free. Not thread-safe: one arena per job. Out of memory aborts. */
#ifndef COURSEC_ARENA_H
#define COURSEC_ARENA_H
#include <stddef.h>

typedef struct arena arena;

arena *arena_new(void);
void arena_free(arena *a);
/* Zeroed memory, aligned for any type; valid until arena_free. */
void *arena_alloc(arena *a, size_t n);
/* NUL-terminated copies; valid until arena_free. s may be NULL (returns NULL). */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
/* printf into the arena. */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Make room for one more element in a growable array living in the arena:
 * when n == *cap, *arr becomes a copy twice as large (16 to start) and
 * *cap grows; the old block stays until arena_free. */
void arena_grow(arena *a, void **arr, int *cap, int n, size_t elem);
/* Bytes handed out so far (for limits and benchmarks). */
size_t arena_used(const arena *a);

#endif
