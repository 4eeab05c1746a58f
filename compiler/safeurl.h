/* safeurl.h — whether a link or image URL may be written under --safe (SPEC
 * §2), judged on the URL as a browser will read it, not as it is spelled:
 * character references decoded, ASCII tab, LF and CR removed anywhere,
 * leading and trailing C0 controls and spaces stripped, the scheme compared
 * without regard to ASCII case (the WHATWG URL parser's steps). Both writers
 * and the Markdown converter ask this one function, so the site, the EPUB and
 * the warnings agree. docs/decisions.md lists the schemes and why. */
#ifndef COURSEC_SAFEURL_H
#define COURSEC_SAFEURL_H
#include <stddef.h>

typedef enum {
    SAFEURL_OK,         /* no scheme (a relative URL), or one on the list */
    SAFEURL_SCRIPT,     /* javascript:, vbscript:, livescript:, mocha: */
    SAFEURL_DATA,       /* data: other than a PNG, GIF, JPEG or WebP image source */
    SAFEURL_FILE,       /* file: */
    SAFEURL_OTHER,      /* a readable scheme that is not on the list */
    SAFEURL_UNREADABLE  /* a `:` before any `/?#` but no scheme a browser agrees on */
} safeurl_verdict;

/* The verdict on url (NULL or "" is SAFEURL_OK); image: url is an image
 * source (<img src>), where data:image/png|gif|jpeg|webp is allowed. When
 * scheme is not NULL it receives the scheme as the browser reads it, lower
 * case, without the colon ("" when none or unreadable), cut to cap - 1
 * bytes. Pure string work, thread-safe. */
safeurl_verdict safeurl_check(const char *url, int image, char *scheme, size_t cap);

/* A warning's text for a verdict other than SAFEURL_OK, naming the scheme
 * read by safeurl_check ("javascript: URL dropped (--safe)", ...), in buf
 * (cap bytes); returns buf. */
const char *safeurl_message(safeurl_verdict v, const char *scheme, char *buf, size_t cap);

#endif
