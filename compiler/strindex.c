/* strindex.c — open addressing over the keys' FNV-1a hashes; slots hold
 * position + 1 (0 = empty), at most half of them used. */
#include "strindex.h"
#include "util.h"
#include <stdlib.h>
#include <string.h>

struct strindex {
    const char **keys; /* a copy of the array (not of the strings) */
    int *slots;
    unsigned mask;
};

static unsigned hash(const char *s, size_t n) {
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int key_is(const char *key, const char *s, size_t len) { return strncmp(key, s, len) == 0 && key[len] == 0; }

strindex *strindex_new(const char *const *keys, int n) {
    strindex *x = xcalloc(1, sizeof *x);
    x->keys = xmalloc(sizeof *x->keys * (size_t)(n > 0 ? n : 1));
    if (n > 0) memcpy(x->keys, keys, sizeof *x->keys * (size_t)n);
    unsigned size = 16;
    while (n > 0 && size < 2u * (unsigned)n) size *= 2;
    x->slots = xcalloc(size, sizeof *x->slots);
    x->mask = size - 1;
    for (int i = 0; i < n; i++) {
        if (!keys[i]) continue;
        size_t len = strlen(keys[i]);
        unsigned k = hash(keys[i], len) & x->mask;
        for (; x->slots[k]; k = (k + 1) & x->mask)
            if (key_is(keys[x->slots[k] - 1], keys[i], len)) break;
        if (!x->slots[k]) x->slots[k] = i + 1;
    }
    return x;
}

int strindex_find(const strindex *x, const char *s, size_t len) {
    if (!x) return -1;
    for (unsigned k = hash(s, len) & x->mask; x->slots[k]; k = (k + 1) & x->mask)
        if (key_is(x->keys[x->slots[k] - 1], s, len)) return x->slots[k] - 1;
    return -1;
}

void strindex_free(strindex *x) {
    if (!x) return;
    free(x->slots);
    free(x->keys);
    free(x);
}
