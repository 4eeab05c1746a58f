/* arenautil.c — arena helpers built only on arena_alloc: string copies,
 * printf, growable arrays (see arena.h). Kept apart from the allocator so
 * the fuzzers' exact-size arena (tests/fuzz/arena_fuzz.c) shares them. */
#include "arena.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

char *arena_strndup(arena *a, const char *s, size_t n) {
    if (!s) return NULL;
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_strdup(arena *a, const char *s) { return s ? arena_strndup(a, s, strlen(s)) : NULL; }

char *arena_printf(arena *a, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void arena_grow(arena *a, void **arr, int *cap, int n, size_t elem) {
    if (n < *cap) return;
    int nc = *cap ? *cap * 2 : 16;
    void *na = arena_alloc(a, elem * (size_t)nc);
    if (n) memcpy(na, *arr, elem * (size_t)n);
    *arr = na;
    *cap = nc;
}
