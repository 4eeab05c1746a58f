/* utf8.h — the one strict UTF-8 decoder (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). Header-only so that the hot loops of
 * mdpre.c and xmlchar.c inline it. */
#ifndef COURSEC_UTF8_H
#define COURSEC_UTF8_H
#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left) with its code
 * point in *cp; 0 when the bytes there are not valid UTF-8. */
static inline size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp) {
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, min = 0x80, c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, min = 0x800, c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

#endif
