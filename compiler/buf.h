/* buf.h — growable byte buffer. The owner calls buf_free (or takes the bytes
 * with buf_detach and frees them with free()). data is always NUL-terminated. */
#ifndef COURSEC_BUF_H
#define COURSEC_BUF_H
#include <stddef.h>
#include <string.h>

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

#define BUF_INIT {0, 0, 0}

/* The writers append a few bytes at a time, hundreds of thousands of times
 * per course: the appends are inline so that a literal's strlen and a short
 * memcpy fold at compile time, and only growing calls out. */
void buf_grow_slow(buf *b, size_t extra); /* buf_grow when the room is short */

/* Room for extra more bytes and the NUL. */
static inline void buf_grow(buf *b, size_t extra) {
    if (b->len + extra + 1 > b->cap) buf_grow_slow(b, extra);
}

static inline void buf_put(buf *b, const char *s, size_t n) {
    buf_grow(b, n);
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

static inline void buf_puts(buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static inline void buf_putc(buf *b, int c) {
    buf_grow(b, 1);
    b->data[b->len++] = (char)c;
    b->data[b->len] = 0;
}

/* The decimal digits of v (as printf's %lld), without a format string. */
void buf_put_int(buf *b, long long v);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* HTML/XML escaping of & < > " (and ' when attr). */
void buf_put_escaped(buf *b, const char *s, size_t n);
void buf_puts_escaped(buf *b, const char *s);
/* s (NULL: "") as a JSON string literal, quotes included, that is also
 * safe inside an HTML <script> element and in every JavaScript parser:
 * quotes, backslashes and controls escaped, and `<` (no `</script` or
 * `<!--`), U+2028/9 and the
 * other invisible characters (C1, U+2000..U+206F, U+00AD, U+FEFF) as
 * \uXXXX; bytes that are not UTF-8 become U+FFFD. */
void buf_put_json(buf *b, const char *s);
void buf_clear(buf *b);
void buf_free(buf *b);
/* Returns the malloc'd bytes (caller frees) and resets b. */
char *buf_detach(buf *b);

#endif
