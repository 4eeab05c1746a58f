/* buf.h — growable byte buffer. The owner calls buf_free (or takes the bytes
 * with buf_detach and frees them with free()). data is always NUL-terminated. */
#ifndef COURSEC_BUF_H
#define COURSEC_BUF_H
#include <stddef.h>

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

#define BUF_INIT {0, 0, 0}

void buf_grow(buf *b, size_t extra);
void buf_put(buf *b, const char *s, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, int c);
/* The decimal digits of v (as printf's %lld), without a format string. */
void buf_put_int(buf *b, long long v);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* HTML/XML escaping of & < > " (and ' when attr). */
void buf_put_escaped(buf *b, const char *s, size_t n);
void buf_puts_escaped(buf *b, const char *s);
void buf_clear(buf *b);
void buf_free(buf *b);
/* Returns the malloc'd bytes (caller frees) and resets b. */
char *buf_detach(buf *b);

#endif
