/* strindex.h — a read-only hash index over an array of strings: the position
 * of the string equal to a given one. The writers look up module ids (links
 * between pages) and media paths (which files an edition references) with
 * it, once per link or image of every page. */
#ifndef COURSEC_STRINDEX_H
#define COURSEC_STRINDEX_H
#include <stddef.h>

typedef struct strindex strindex;

/* Index keys[0..n): NULL keys are skipped, a repeated key keeps its first
 * position. The index copies the array but points into the strings,
 * which must outlive it.
 * Never NULL (out of memory aborts). Read-only afterwards: any number of
 * threads may look up at once. */
strindex *strindex_new(const char *const *keys, int n);

/* The position of s[0..len) among the keys, or -1 (also for x == NULL). */
int strindex_find(const strindex *x, const char *s, size_t len);

void strindex_free(strindex *x);

#endif
