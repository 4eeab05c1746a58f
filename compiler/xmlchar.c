/* xmlchar.c — finds the characters an EPUB may not hold (xmlchar.h): a
 * walk of the text with utf8.h's decoder that classifies each character. */
#include "xmlchar.h"
#include "utf8.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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
