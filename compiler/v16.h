/* v16.h — scanning sixteen bytes at a time (GCC vector extension: SSE2 on
 * x86-64, plain words elsewhere): load, compare into a mask of 0/0xFF bytes,
 * find the first set byte, or the first of four given bytes. Header only;
 * the scanners of mdpre.c, buf.c and xmlesc.c use it. */
#ifndef COURSEC_V16_H
#define COURSEC_V16_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef unsigned char v16 __attribute__((vector_size(16)));

static inline v16 v16_load(const unsigned char *s) {
    v16 x;
    memcpy(&x, s, 16);
    return x;
}

/* Index of the first byte set in mask m (bytes 0 or 0xFF) at or after
 * index skip (< 16), 16 if none. */
static inline size_t v16_first_from(v16 m, size_t skip) {
    uint64_t w[2];
    memcpy(w, &m, 16);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    if (skip) {
        if (skip >= 8) w[0] = 0, w[1] &= ~0ULL >> ((skip - 8) * 8);
        else w[0] &= ~0ULL >> (skip * 8);
    }
    for (int h = 0; h < 2; h++)
        if (w[h]) return (size_t)h * 8 + ((size_t)__builtin_clzll(w[h]) >> 3);
#else
    if (skip) {
        if (skip >= 8) w[0] = 0, w[1] &= ~0ULL << ((skip - 8) * 8);
        else w[0] &= ~0ULL << (skip * 8);
    }
    for (int h = 0; h < 2; h++)
        if (w[h]) return (size_t)h * 8 + ((size_t)__builtin_ctzll(w[h]) >> 3);
#endif
    return 16;
}

static inline size_t v16_first(v16 m) { return v16_first_from(m, 0); }

/* Index of the first byte of s[i..n) that is a, b, c or d; n if none. A text
 * of 16 bytes or more ends with one load of its last 16 bytes (overlapping
 * what was scanned, which is masked off) instead of a byte loop. Inline, so
 * constant a..d fold into the comparisons. */
static inline size_t v16_find4(const unsigned char *s, size_t i, size_t n, unsigned char a, unsigned char b,
                               unsigned char c, unsigned char d) {
    if (n < 16) {
        while (i < n && s[i] != a && s[i] != b && s[i] != c && s[i] != d) i++;
        return i;
    }
    for (; i + 16 <= n; i += 16) {
        v16 x = v16_load(s + i);
        size_t k = v16_first((v16)((x == a) | (x == b) | (x == c) | (x == d)));
        if (k < 16) return i + k;
    }
    if (i == n) return n;
    v16 x = v16_load(s + n - 16);
    size_t k = v16_first_from((v16)((x == a) | (x == b) | (x == c) | (x == d)), i - (n - 16));
    return k < 16 ? n - 16 + k : n;
}

#endif
