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
static_assert(sizeof(ast_node) == 224 || sizeof(void *) != 8, "ast_node changed: update astpack.c");

/* What a node has beyond its type and position: one bit per field that is
 * not at its default (NULL, 0, or -1 for checked/duration/tstart). Most
 * nodes are text with nothing else, so most fields cost nothing. */
enum {
    F_ID = 1 << 0, F_TEXT = 1 << 1, F_INFO = 1 << 2, F_FORMAT = 1 << 3, F_URL = 1 << 4, F_TITLE = 1 << 5,
    F_LABEL = 1 << 6, F_CLASSES = 1 << 7, F_KV = 1 << 8, F_INTS = 1 << 9, F_ALIGNS = 1 << 10, F_ALTS = 1 << 11,
    F_CHILDREN = 1 << 12
};

/* Room for n more bytes; returns where to write. */
static unsigned char *room(buf *b, size_t n) {
    if (b->len + n + 1 > b->cap) buf_grow(b, n);
    return (unsigned char *)b->data + b->len;
}

static void put_uv(buf *b, uint64_t v) {
    unsigned char *p = room(b, 10), *q = p;
    while (v >= 0x80) {
        *q++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *q++ = (unsigned char)v;
    b->len += (size_t)(q - p);
}

static void put_int(buf *b, long long v) { put_uv(b, v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1); }

/* A present string: its length, its bytes and the NUL (unpacked strings
 * point into the arena's copy of the packed bytes). */
static void put_str(buf *b, const char *s) {
    size_t n = strlen(s);
    put_uv(b, n);
    memcpy(room(b, n + 1), s, n + 1);
    b->len += n + 1;
}

#define NINTS 13
static void get_ints(const ast_node *n, int v[NINTS]) {
    const int x[NINTS] = {n->level, n->ordered, n->start,      n->tight,    n->checked, n->ncols,  n->is_header,
                          n->width, n->underscore, n->duration, n->tstart, n->is_break, n->natural};
    memcpy(v, x, sizeof x);
}
static const int int_defaults[NINTS] = {0, 0, 0, 0, -1, 0, 0, 0, 0, -1, -1, 0, 0};

static void pack_node(const ast_node *n, buf *b) {
    int ints[NINTS];
    get_ints(n, ints);
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
    if (memcmp(ints, int_defaults, sizeof ints) != 0) f |= F_INTS;
    if (n->aligns && n->ncols > 0) f |= F_ALIGNS;
    if (n->alts) f |= F_ALTS;
    if (n->first) f |= F_CHILDREN;
    put_uv(b, (uint64_t)n->type);
    put_uv(b, f);
    put_int(b, n->line);
    put_int(b, n->col);
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
    if (f & F_INTS)
        for (int i = 0; i < NINTS; i++) put_int(b, ints[i]);
    if (f & F_ALIGNS)
        for (int i = 0; i < n->ncols; i++) put_uv(b, (uint64_t)n->aligns[i]);
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
    char *p; /* the arena's copy of the packed bytes */
} reader;

static uint64_t get_uv(reader *r) {
    uint64_t v = 0;
    int shift = 0;
    unsigned char c;
    do {
        c = (unsigned char)*r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        shift += 7;
    } while (c & 0x80);
    return v;
}

static int get_int(reader *r) {
    uint64_t z = get_uv(r);
    return (z & 1) ? (int)(-(long long)(z >> 1) - 1) : (int)(z >> 1);
}

static const char *get_str(reader *r) {
    uint64_t n = get_uv(r);
    const char *s = r->p;
    r->p += n + 1;
    return s;
}

static ast_node *unpack_node(reader *r) {
    ast_node *n = arena_alloc(r->a, sizeof *n);
    n->type = (ast_type)get_uv(r);
    unsigned f = (unsigned)get_uv(r);
    n->line = get_int(r);
    n->col = get_int(r);
    if (f & F_ID) n->attr.id = get_str(r);
    if (f & F_TEXT) n->text = get_str(r);
    if (f & F_INFO) n->info = get_str(r);
    if (f & F_FORMAT) n->format = get_str(r);
    if (f & F_URL) n->url = get_str(r);
    if (f & F_TITLE) n->title = get_str(r);
    if (f & F_LABEL) n->label = get_str(r);
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
    int ints[NINTS];
    if (f & F_INTS)
        for (int i = 0; i < NINTS; i++) ints[i] = get_int(r);
    else
        memcpy(ints, int_defaults, sizeof ints);
    int *const dst[NINTS] = {&n->level, &n->ordered,    &n->start,    &n->tight,  &n->checked,
                             &n->ncols, &n->is_header,  &n->width,    &n->underscore, &n->duration,
                             &n->tstart, &n->is_break,  &n->natural};
    for (int i = 0; i < NINTS; i++) *dst[i] = ints[i];
    if (f & F_ALIGNS) {
        n->aligns = arena_alloc(r->a, sizeof(ast_align) * (size_t)n->ncols);
        for (int i = 0; i < n->ncols; i++) n->aligns[i] = (ast_align)get_uv(r);
    }
    if (f & F_ALTS) {
        uint64_t k = get_uv(r);
        ast_node **tail = &n->alts;
        for (uint64_t i = 0; i < k; i++) {
            ast_node *x = unpack_node(r);
            *tail = x;
            tail = &x->next;
        }
    }
    if (f & F_CHILDREN) {
        uint64_t k = get_uv(r);
        for (uint64_t i = 0; i < k; i++) ast_append(n, unpack_node(r));
    }
    return n;
}

ast_node *ast_unpack(arena *a, const char *data, size_t len) {
    reader r = {a, arena_alloc(a, len)};
    memcpy(r.p, data, len);
    return unpack_node(&r);
}
