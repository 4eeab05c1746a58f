/* buf.c — growable byte buffer (see buf.h). */
#include "buf.h"
#include "utf8.h"
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

/* The four characters HTML escapes. Plain runs are found sixteen bytes at a
 * time (v16_find4) and copied in one piece: text is mostly plain, so most
 * bytes cost a share of one vector compare rather than a branch each. */
/* Appends the entity for c, one of the four. */
static void put_entity(buf *b, unsigned char c) {
    switch (c) {
    case '&': buf_put(b, "&amp;", 5); break;
    case '<': buf_put(b, "&lt;", 4); break;
    case '>': buf_put(b, "&gt;", 4); break;
    default: buf_put(b, "&quot;", 6); break;
    }
}

void buf_put_escaped(buf *b, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t start = 0, i;
    buf_grow(b, n);
    while ((i = v16_find4(u, start, n, '&', '<', '>', '"')) < n) {
        buf_put(b, s + start, i - start);
        put_entity(b, u[i]);
        start = i + 1;
    }
    buf_put(b, s + start, n - start);
}

void buf_puts_escaped(buf *b, const char *s) { buf_put_escaped(b, s, strlen(s)); }

void buf_put_json(buf *b, const char *s) {
    if (!s) s = "";
    buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        /* a run of ASCII that needs no escape, at once */
        size_t j = i;
        while (j < n && p[j] >= 0x20 && p[j] < 0x7F && p[j] != '"' && p[j] != '\\' && p[j] != '<') j++;
        if (j > i) {
            buf_put(b, s + i, j - i);
            i = j;
            continue;
        }
        unsigned cp;
        size_t m = utf8_decode(p + i, n - i, &cp);
        if (!m) {
            buf_puts(b, "\\ufffd");
            i++;
            continue;
        }
        if (cp == '"' || cp == '\\')
            buf_putc(b, '\\'), buf_putc(b, (int)cp);
        else if (cp < 0x20 || cp == '<' || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x2000 && cp <= 0x206F) ||
                 cp == 0xFEFF || cp == 0x00AD)
            buf_printf(b, "\\u%04x", cp);
        else
            buf_put(b, s + i, m);
        i += m;
    }
    buf_putc(b, '"');
}

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
