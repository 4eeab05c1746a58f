/* astpack.c — pack a tree into one byte string and rebuild it (see
 * astpack.h). Node by node, in document order: the type, every integer field
 * as a zigzag varint, every string as varint (length + 1, 0 for NULL)
 * followed by its bytes and a NUL, the attributes, the table alignments, then
 * the answer alternatives and the children, each list preceded by its count.
 * Every field of ast_node is listed here: the size check below fails the
 * build when the struct changes, so a new field cannot be silently dropped. */
#include "astpack.h"
#include <assert.h>
#include <stdint.h>
#include <string.h>

/* Update ast_pack and ast_unpack together with ast_node, then this number. */
static_assert(sizeof(ast_node) == 224 || sizeof(void *) != 8, "ast_node changed: update astpack.c");

static void put_uv(buf *b, uint64_t v) {
    unsigned char tmp[10];
    int n = 0;
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        tmp[n++] = (unsigned char)(c | (v ? 0x80 : 0));
    } while (v);
    buf_put(b, (const char *)tmp, (size_t)n);
}

static void put_int(buf *b, long long v) { put_uv(b, v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1); }

static void put_str(buf *b, const char *s) {
    if (!s) {
        put_uv(b, 0);
        return;
    }
    size_t n = strlen(s);
    put_uv(b, (uint64_t)n + 1);
    buf_put(b, s, n + 1); /* the NUL too: unpacked strings point into the copy */
}

static void pack_node(const ast_node *n, buf *b) {
    put_uv(b, (uint64_t)n->type);
    put_int(b, n->line);
    put_int(b, n->col);
    put_str(b, n->attr.id);
    put_uv(b, (uint64_t)n->attr.nclasses);
    for (int i = 0; i < n->attr.nclasses; i++) put_str(b, n->attr.classes[i]);
    put_uv(b, (uint64_t)n->attr.nkv);
    for (int i = 0; i < n->attr.nkv; i++) {
        put_str(b, n->attr.kv[i].key);
        put_str(b, n->attr.kv[i].value);
    }
    put_str(b, n->text);
    put_str(b, n->info);
    put_str(b, n->format);
    put_str(b, n->url);
    put_str(b, n->title);
    put_str(b, n->label);
    const int ints[] = {n->level, n->ordered,    n->start,    n->tight,     n->checked,
                        n->ncols, n->is_header,  n->width,    n->underscore, n->duration,
                        n->tstart, n->is_break,  n->natural};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) put_int(b, ints[i]);
    int naligns = n->aligns && n->ncols > 0 ? n->ncols : 0;
    put_uv(b, (uint64_t)naligns);
    for (int i = 0; i < naligns; i++) put_uv(b, (uint64_t)n->aligns[i]);
    uint64_t k = 0;
    for (const ast_node *x = n->alts; x; x = x->next) k++;
    put_uv(b, k);
    for (const ast_node *x = n->alts; x; x = x->next) pack_node(x, b);
    k = 0;
    for (const ast_node *x = n->first; x; x = x->next) k++;
    put_uv(b, k);
    for (const ast_node *x = n->first; x; x = x->next) pack_node(x, b);
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
    if (n == 0) return NULL;
    const char *s = r->p;
    r->p += n; /* n - 1 bytes and the NUL */
    return s;
}

static ast_node *unpack_node(reader *r) {
    ast_node *n = arena_alloc(r->a, sizeof *n);
    n->type = (ast_type)get_uv(r);
    n->line = get_int(r);
    n->col = get_int(r);
    n->attr.id = get_str(r);
    n->attr.nclasses = (int)get_uv(r);
    if (n->attr.nclasses) {
        n->attr.classes = arena_alloc(r->a, sizeof(char *) * (size_t)n->attr.nclasses);
        for (int i = 0; i < n->attr.nclasses; i++) n->attr.classes[i] = get_str(r);
    }
    n->attr.nkv = (int)get_uv(r);
    if (n->attr.nkv) {
        n->attr.kv = arena_alloc(r->a, sizeof(ast_kv) * (size_t)n->attr.nkv);
        for (int i = 0; i < n->attr.nkv; i++) {
            n->attr.kv[i].key = get_str(r);
            n->attr.kv[i].value = get_str(r);
        }
    }
    n->text = get_str(r);
    n->info = get_str(r);
    n->format = get_str(r);
    n->url = get_str(r);
    n->title = get_str(r);
    n->label = get_str(r);
    int *const ints[] = {&n->level, &n->ordered,   &n->start,    &n->tight,      &n->checked,
                         &n->ncols, &n->is_header, &n->width,    &n->underscore, &n->duration,
                         &n->tstart, &n->is_break, &n->natural};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) *ints[i] = get_int(r);
    int naligns = (int)get_uv(r);
    if (naligns) {
        n->aligns = arena_alloc(r->a, sizeof(ast_align) * (size_t)naligns);
        for (int i = 0; i < naligns; i++) n->aligns[i] = (ast_align)get_uv(r);
    }
    uint64_t k = get_uv(r);
    ast_node **tail = &n->alts;
    for (uint64_t i = 0; i < k; i++) {
        ast_node *x = unpack_node(r);
        *tail = x;
        tail = &x->next;
    }
    k = get_uv(r);
    for (uint64_t i = 0; i < k; i++) ast_append(n, unpack_node(r));
    return n;
}

ast_node *ast_unpack(arena *a, const char *data, size_t len) {
    reader r = {a, arena_alloc(a, len)};
    memcpy(r.p, data, len);
    return unpack_node(&r);
}
