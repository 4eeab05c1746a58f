/* astpack.c — pack a tree into one byte string and rebuild it (see
 * astpack.h). Node by node, in document order: the type, a bit set of the
 * fields not at their default, the position, then only those fields — each
 * string as a varint length, its bytes and a NUL; the thirteen integers as
 * zigzag varints (all or none); the attributes, the table alignments, the
 * answer alternatives and the children, each list preceded by its count.
 * Every field of ast_node is listed here: the size check below fails the
 * build when the struct changes, so a new field cannot be silently dropped. */
#include "astpack.h"
#include <assert.h>
#include <stdint.h>
#include <string.h>

/* Update ast_pack and ast_unpack together with ast_node, then this number. */
static_assert(sizeof(ast_node) == 264 || sizeof(void *) != 8, "ast_node changed: update astpack.c");

/* What a node has beyond its type and position: one bit per field that is
 * not at its default (NULL, 0, or -1 for checked/duration/tstart). Most
 * nodes are text with nothing else, so most fields cost nothing. */
enum {
    F_ID = 1 << 0, F_TEXT = 1 << 1, F_INFO = 1 << 2, F_FORMAT = 1 << 3, F_URL = 1 << 4, F_TITLE = 1 << 5,
    F_LABEL = 1 << 6, F_CLASSES = 1 << 7, F_KV = 1 << 8, F_INTS = 1 << 9, F_ALIGNS = 1 << 10, F_ALTS = 1 << 11,
    F_CHILDREN = 1 << 12, F_DEFR = 1 << 13
};

/* Room for n more bytes; returns where to write. */
static unsigned char *room(buf *b, size_t n) {
    if (b->len + n + 1 > b->cap) buf_grow(b, n);
    return (unsigned char *)b->data + b->len;
}

/* The writers below encode at a pointer into room already made (a varint
 * takes at most 10 bytes) and set b->len once per group of fields: a room
 * check per field cost more than the encoding itself. */
static unsigned char *uv_at(unsigned char *q, uint64_t v) {
    while (v >= 0x80) {
        *q++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *q++ = (unsigned char)v;
    return q;
}

static uint64_t zigzag(long long v) { return v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1; }

static void put_uv(buf *b, uint64_t v) {
    unsigned char *p = room(b, 10);
    b->len += (size_t)(uv_at(p, v) - p);
}

/* A present string: its length, its bytes and the NUL (unpacked strings
 * point into the arena's copy of the packed bytes). */
static void put_str(buf *b, const char *s) {
    size_t n = strlen(s);
    unsigned char *p = room(b, n + 11), *q = uv_at(p, n);
    memcpy(q, s, n + 1);
    b->len += (size_t)(q - p) + n + 1;
}

/* The fourteen integers, in this order, and their defaults. */
#define NINTS 14
#define INT_FIELDS(X)                                                                                              \
    X(level, 0) X(ordered, 0) X(start, 0) X(tight, 0) X(checked, -1) X(ncols, 0) X(is_header, 0) X(width, 0)       \
        X(underscore, 0) X(duration, -1) X(tstart, -1) X(is_break, 0) X(natural, 0) X(literal, 0)

static int ints_at_default(const ast_node *n) {
#define X(f, d) (n->f == (d)) &&
    return INT_FIELDS(X) 1;
#undef X
}

static void pack_node(const ast_node *n, buf *b) {
    unsigned f = 0;
    if (n->attr.id) f |= F_ID;
    if (n->text) f |= F_TEXT;
    if (n->info) f |= F_INFO;
    if (n->format) f |= F_FORMAT;
    if (n->url) f |= F_URL;
    if (n->title) f |= F_TITLE;
    if (n->label) f |= F_LABEL;
    if (n->attr.nclasses) f |= F_CLASSES;
    if (n->attr.nkv) f |= F_KV;
    if (!ints_at_default(n)) f |= F_INTS;
    if (n->aligns && n->ncols > 0) f |= F_ALIGNS;
    if (n->alts) f |= F_ALTS;
    if (n->first) f |= F_CHILDREN;
    if (n->defr.nclasses || n->defr.nkv) f |= F_DEFR;
    unsigned char *p = room(b, 40), *q = p;
    q = uv_at(q, (uint64_t)n->type);
    q = uv_at(q, f);
    q = uv_at(q, zigzag(n->line));
    q = uv_at(q, zigzag(n->col));
    b->len += (size_t)(q - p);
    if (f & F_ID) put_str(b, n->attr.id);
    if (f & F_TEXT) put_str(b, n->text);
    if (f & F_INFO) put_str(b, n->info);
    if (f & F_FORMAT) put_str(b, n->format);
    if (f & F_URL) put_str(b, n->url);
    if (f & F_TITLE) put_str(b, n->title);
    if (f & F_LABEL) put_str(b, n->label);
    if (f & F_CLASSES) {
        put_uv(b, (uint64_t)n->attr.nclasses);
        for (int i = 0; i < n->attr.nclasses; i++) put_str(b, n->attr.classes[i]);
    }
    if (f & F_KV) {
        put_uv(b, (uint64_t)n->attr.nkv);
        for (int i = 0; i < n->attr.nkv; i++) {
            put_str(b, n->attr.kv[i].key);
            put_str(b, n->attr.kv[i].value);
        }
    }
    if (f & F_INTS) {
        p = q = room(b, NINTS * 10);
#define X(fld, d) q = uv_at(q, zigzag(n->fld));
        INT_FIELDS(X)
#undef X
        b->len += (size_t)(q - p);
    }
    if (f & F_ALIGNS)
        for (int i = 0; i < n->ncols; i++) put_uv(b, (uint64_t)n->aligns[i]);
    if (f & F_DEFR) {
        put_uv(b, (uint64_t)n->defr.nclasses);
        for (int i = 0; i < n->defr.nclasses; i++) put_str(b, n->defr.classes[i]);
        put_uv(b, (uint64_t)n->defr.nkv);
        for (int i = 0; i < n->defr.nkv; i++) {
            put_str(b, n->defr.kv[i].key);
            put_str(b, n->defr.kv[i].value);
        }
    }
    if (f & F_ALTS) {
        uint64_t k = 0;
        for (const ast_node *x = n->alts; x; x = x->next) k++;
        put_uv(b, k);
        for (const ast_node *x = n->alts; x; x = x->next) pack_node(x, b);
    }
    if (f & F_CHILDREN) {
        uint64_t k = 0;
        for (const ast_node *x = n->first; x; x = x->next) k++;
        put_uv(b, k);
        for (const ast_node *x = n->first; x; x = x->next) pack_node(x, b);
    }
}

void ast_pack(const ast_node *doc, buf *out) { pack_node(doc, out); }

typedef struct reader {
    arena *a;
    const unsigned char *p; /* the arena's copy of the packed bytes */
} reader;

static inline uint64_t get_uv(reader *r) {
    unsigned char c = *r->p++;
    if (c < 0x80) return c; /* most values: types, flags, short strings */
    uint64_t v = c & 0x7f;
    int shift = 7;
    do {
        c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        shift += 7;
    } while (c & 0x80);
    return v;
}

static inline int get_int(reader *r) {
    uint64_t z = get_uv(r);
    return (z & 1) ? (int)(-(long long)(z >> 1) - 1) : (int)(z >> 1);
}

static inline const char *get_str(reader *r) {
    uint64_t n = get_uv(r);
    const char *s = (const char *)r->p;
    r->p += n + 1;
    return s;
}

/* Fills n (zeroed memory) from the reader; its parent and siblings are the
 * caller's. (Nodes are allocated one by one: one block for all the children
 * of a node costs more, as glibc clears a large block with `rep stosb`, which
 * callgrind counts byte by byte.) */
static void unpack_into(reader *r, ast_node *n) {
    n->type = (ast_type)get_uv(r);
    unsigned f = (unsigned)get_uv(r);
    n->line = get_int(r);
    n->col = get_int(r);
    if (f & (F_ID | F_TEXT | F_INFO | F_FORMAT | F_URL | F_TITLE | F_LABEL)) {
        if (f & F_ID) n->attr.id = get_str(r);
        if (f & F_TEXT) n->text = get_str(r);
        if (f & F_INFO) n->info = get_str(r);
        if (f & F_FORMAT) n->format = get_str(r);
        if (f & F_URL) n->url = get_str(r);
        if (f & F_TITLE) n->title = get_str(r);
        if (f & F_LABEL) n->label = get_str(r);
    }
    if (f & F_CLASSES) {
        n->attr.nclasses = (int)get_uv(r);
        n->attr.classes = arena_alloc(r->a, sizeof(char *) * (size_t)n->attr.nclasses);
        for (int i = 0; i < n->attr.nclasses; i++) n->attr.classes[i] = get_str(r);
    }
    if (f & F_KV) {
        n->attr.nkv = (int)get_uv(r);
        n->attr.kv = arena_alloc(r->a, sizeof(ast_kv) * (size_t)n->attr.nkv);
        for (int i = 0; i < n->attr.nkv; i++) {
            n->attr.kv[i].key = get_str(r);
            n->attr.kv[i].value = get_str(r);
        }
    }
    if (f & F_INTS) {
#define X(fld, d) n->fld = get_int(r);
        INT_FIELDS(X)
#undef X
    } else {
        n->checked = n->duration = n->tstart = -1; /* the other defaults are 0 */
    }
    if (f & F_ALIGNS) {
        n->aligns = arena_alloc(r->a, sizeof(ast_align) * (size_t)n->ncols);
        for (int i = 0; i < n->ncols; i++) n->aligns[i] = (ast_align)get_uv(r);
    }
    if (f & F_DEFR) {
        n->defr.nclasses = (int)get_uv(r);
        n->defr.classes = arena_alloc(r->a, sizeof(char *) * (size_t)n->defr.nclasses + 1);
        for (int i = 0; i < n->defr.nclasses; i++) n->defr.classes[i] = get_str(r);
        n->defr.nkv = (int)get_uv(r);
        n->defr.kv = arena_alloc(r->a, sizeof(ast_kv) * (size_t)n->defr.nkv + 1);
        for (int i = 0; i < n->defr.nkv; i++) {
            n->defr.kv[i].key = get_str(r);
            n->defr.kv[i].value = get_str(r);
        }
    }
    if (f & F_ALTS) {
        uint64_t k = get_uv(r);
        ast_node **tail = &n->alts;
        for (uint64_t i = 0; i < k; i++) {
            ast_node *x = arena_alloc(r->a, sizeof *x);
            unpack_into(r, x);
            *tail = x;
            tail = &x->next;
        }
    }
    if (f & F_CHILDREN) {
        uint64_t k = get_uv(r);
        ast_node *prev = NULL;
        for (uint64_t i = 0; i < k; i++) {
            ast_node *x = arena_alloc(r->a, sizeof *x);
            unpack_into(r, x);
            x->parent = n;
            x->prev = prev;
            if (prev) prev->next = x;
            else n->first = x;
            prev = x;
        }
        n->last = prev;
    }
}

ast_node *ast_unpack_shared(arena *a, const char *data, size_t len) {
    (void)len;
    reader r = {a, (const unsigned char *)data};
    ast_node *n = arena_alloc(a, sizeof *n);
    unpack_into(&r, n);
    return n;
}

ast_node *ast_unpack(arena *a, const char *data, size_t len) {
    char *copy = arena_alloc(a, len);
    memcpy(copy, data, len);
    return ast_unpack_shared(a, copy, len);
}
