/* xmlchar.h — which characters an EPUB may hold: XML 1.0's Char production
 * (tab, LF, CR, U+0020..U+D7FF, U+E000..U+FFFD, U+10000..U+10FFFF) in valid
 * UTF-8, less the Unicode noncharacters (U+FDD0..U+FDEF and the last two
 * code points of every plane), which are not for interchange. The EPUB
 * writer reports the first such character of every string it writes at the
 * string's source position (docs/decisions.md). */
#ifndef COURSEC_XMLCHAR_H
#define COURSEC_XMLCHAR_H
#include <stddef.h>

/* *cp of a byte sequence that is not UTF-8 (overlong, a surrogate, past
 * U+10FFFF, cut short, a stray continuation byte). */
#define XMLCHAR_BAD_UTF8 0xFFFFFFFFu

/* Offset of the first byte of the first character in s[0..n) that may not
 * go into an EPUB, n when there is none; *cp receives its code point (or
 * XMLCHAR_BAD_UTF8) and *more whether another one follows it (either may be
 * NULL). Plain printable ASCII is skipped eight bytes at a time. */
size_t xmlchar_find_bad(const char *s, size_t n, unsigned *cp, int *more);

/* A diagnostic's text for the character cp, in buf (cap bytes), e.g.
 * "character U+0001 (a control character) cannot go into an EPUB: XML does
 * not allow it; remove it". what names where it stands ("" for running
 * text, or "the course title", "an attribute value"...). Returns buf. */
const char *xmlchar_message(unsigned cp, const char *what, char *buf, size_t cap);

#endif
