/* xmlchar.c — finds the characters an EPUB may not hold (xmlchar.h): a
 * UTF-8 decoder that also classifies what it decodes. */
#include "xmlchar.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (n bytes left) and its code point
 * in *cp; 0 when it is not valid UTF-8. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp) {
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

static int allowed(unsigned c) {
    if (c < 0x20) return c == '\t' || c == '\n' || c == '\r';
    if (c >= 0xFDD0 && c <= 0xFDEF) return 0;
    if ((c & 0xFFFE) == 0xFFFE) return 0; /* U+FFFE, U+FFFF, U+1FFFE ... U+10FFFF */
    return 1;
}

/* The next offset at or after i holding a byte that is a control character
 * or not ASCII: everything before it is fine. */
static size_t skip_plain(const char *s, size_t i, size_t n) {
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        /* a byte below 0x20, or with its high bit set */
        if (((w - ones * 0x20) & ~w & highs) || (w & highs)) break;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x80) break;
    }
    return i;
}

size_t xmlchar_find_bad(const char *s, size_t n, unsigned *cp, int *more) {
    const unsigned char *u = (const unsigned char *)s;
    size_t bad = n;
    unsigned badcp = 0;
    for (size_t i = skip_plain(s, 0, n); i < n;) {
        unsigned c;
        size_t len = utf8_decode(u + i, n - i, &c);
        if (len == 0 || !allowed(c)) {
            if (bad < n) {
                if (more) *more = 1;
                if (cp) *cp = badcp;
                return bad;
            }
            bad = i;
            badcp = len ? c : XMLCHAR_BAD_UTF8;
            len = len ? len : 1;
        }
        i = skip_plain(s, i + len, n);
    }
    if (more) *more = 0;
    if (cp) *cp = badcp;
    return bad;
}

const char *xmlchar_message(unsigned cp, const char *what, char *buf, size_t cap) {
    const char *in = what && *what ? " in " : "";
    if (!what) what = "";
    if (cp == XMLCHAR_BAD_UTF8)
        snprintf(buf, cap, "bytes that are not UTF-8%s%s cannot go into an EPUB: write the text as UTF-8", in, what);
    else if (cp < 0x20)
        snprintf(buf, cap,
                 "character U+%04X (a control character)%s%s cannot go into an EPUB: XML does not allow it; "
                 "remove it",
                 cp, in, what);
    else
        snprintf(buf, cap,
                 "character U+%04X (a Unicode noncharacter)%s%s cannot go into an EPUB: %s; remove it", cp, in,
                 what, cp == 0xFFFE || cp == 0xFFFF ? "XML does not allow it" : "it is not for interchange");
    return buf;
}
