/* buf.c — growable byte buffer (see buf.h). */
#include "buf.h"
#include "util.h"
#include "v16.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_grow_slow(buf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_put_int(buf *b, long long v) {
    char tmp[24], *e = tmp + sizeof tmp, *p = e;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0) *--p = '-';
    buf_put(b, p, (size_t)(e - p));
}

void buf_printf(buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof tmp) {
        buf_put(b, tmp, (size_t)n);
    } else {
        buf_grow(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

/* The four characters HTML escapes. Plain runs are found sixteen bytes at a time
 * (v16.h) and copied in one piece; text is mostly plain, so this is ~1
 * instruction a byte instead of 5. */
static const unsigned char needs_escape[256] = {['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1};

/* Index of the first byte of s[skip..16) that needs_escape, 16 if none. */
static inline size_t first_special16(const unsigned char *s, size_t skip) {
    v16 x = v16_load(s);
    return v16_first_from((v16)((x == '&') | (x == '<') | (x == '>') | (x == '"')), skip);
}

/* Appends the entity for c, one of the four. */
static void put_entity(buf *b, unsigned char c) {
    switch (c) {
    case '&': buf_put(b, "&amp;", 5); break;
    case '<': buf_put(b, "&lt;", 4); break;
    case '>': buf_put(b, "&gt;", 4); break;
    default: buf_put(b, "&quot;", 6); break;
    }
}

/* Index of the first byte of s[i..n) that needs escaping, n if none. Texts
 * of 16 bytes or more end with one load of their last 16 bytes (overlapping
 * what was scanned, which is masked off) instead of a byte loop. */
static inline size_t next_special(const unsigned char *s, size_t i, size_t n) {
    if (n < 16) {
        while (i < n && !needs_escape[s[i]]) i++;
        return i;
    }
    while (i + 16 <= n) {
        size_t k = first_special16(s + i, 0);
        if (k < 16) return i + k;
        i += 16;
    }
    if (i == n) return n;
    size_t k = first_special16(s + n - 16, i - (n - 16));
    return k < 16 ? n - 16 + k : n;
}

void buf_put_escaped(buf *b, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t start = 0, i;
    buf_grow(b, n);
    while ((i = next_special(u, start, n)) < n) {
        buf_put(b, s + start, i - start);
        put_entity(b, u[i]);
        start = i + 1;
    }
    buf_put(b, s + start, n - start);
}

void buf_puts_escaped(buf *b, const char *s) { buf_put_escaped(b, s, strlen(s)); }

void buf_clear(buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = 0;
}

void buf_free(buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *buf_detach(buf *b) {
    if (!b->data) buf_grow(b, 0), b->data[0] = 0;
    char *p = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
