/* util.h — allocation wrappers that abort on out-of-memory (house rule: plain
 * OOM is not a reported error; only the Lua memory cap is). */
#ifndef COURSEC_UTIL_H
#define COURSEC_UTIL_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string (the caller frees). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Levenshtein distance, for "did you mean" suggestions. */
int util_edit_distance(const char *a, const char *b);

#endif
