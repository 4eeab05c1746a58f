/* astpack.c — pack a tree into one byte string and rebuild it (see
 * astpack.h). Node by node, in document order: the type, a bit set of the
 * fields not at their default, the position, then only those fields — each
 * string as a varint length, its bytes and a NUL; the integers as zigzag
 * varints (all or none); each attribute set as a bit set of its parts
 * (id, classes, key/values) and those parts; the table alignments, the
 * answer alternatives and the children, each list preceded by its count.
 * The code for each field is made from its kind in ast_fields.h, the list
 * ast_node itself is made from: no field can be left out. */
#include "astpack.h"
#include <assert.h>
#include <stdint.h>
#include <string.h>

/* What a node has beyond its type and position: one bit per string,
 * attribute set, array and chain that is not empty, one for the integers
 * (set unless every one is at its default) and one for the children. Most
 * nodes are text with nothing else, so most fields cost nothing. */
enum {
#define BIT_FIELD(kind, ctype, name, aux, lua) BIT_##kind(name)
#define BIT_TYPE(name)
#define BIT_POS(name)
#define BIT_LINK(name)
#define BIT_INT(name)
#define BIT_STR(name) B_##name,
#define BIT_ATTR(name) B_##name,
#define BIT_ALIGNS(name) B_##name,
#define BIT_ALTS(name) B_##name,
    AST_FIELDS(BIT_FIELD)
    B_INTS,
    B_CHILDREN,
    B_COUNT
};
static_assert(B_COUNT <= 32, "the field bits of a node fit an unsigned");
#define F(name) (1u << B_##name)

/* The bits of all string fields. */
#define STR_BIT(kind, ctype, name, aux, lua) STR_BIT_##kind(name)
#define STR_BIT_TYPE(name)
#define STR_BIT_POS(name)
#define STR_BIT_LINK(name)
#define STR_BIT_INT(name)
#define STR_BIT_STR(name) | F(name)
#define STR_BIT_ATTR(name)
#define STR_BIT_ALIGNS(name)
#define STR_BIT_ALTS(name)
#define STR_BITS (0u AST_FIELDS(STR_BIT))

/* The parts of an attribute set, as its own bit set. */
enum { A_ID = 1, A_CLASSES = 2, A_KV = 4 };

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

/* Each step below is AST_FIELDS with one macro per kind: a kind the step
 * does not handle expands to nothing. */

static int ints_at_default(const ast_node *n) {
#define DEF_FIELD(kind, ctype, name, aux, lua) DEF_##kind(name, aux)
#define DEF_TYPE(name, aux)
#define DEF_POS(name, aux)
#define DEF_LINK(name, aux)
#define DEF_STR(name, aux)
#define DEF_ATTR(name, aux)
#define DEF_ALIGNS(name, aux)
#define DEF_ALTS(name, aux)
#define DEF_INT(name, aux) (n->name == (aux)) &&
    return AST_FIELDS(DEF_FIELD) 1;
}

static unsigned attr_parts(const ast_attr *at) {
    return (at->id ? A_ID : 0u) | (at->nclasses ? A_CLASSES : 0u) | (at->nkv ? A_KV : 0u);
}

static void put_attr(buf *b, const ast_attr *at) {
    unsigned parts = attr_parts(at);
    put_uv(b, parts);
    if (parts & A_ID) put_str(b, at->id);
    if (parts & A_CLASSES) {
        put_uv(b, (uint64_t)at->nclasses);
        for (int i = 0; i < at->nclasses; i++) put_str(b, at->classes[i]);
    }
    if (parts & A_KV) {
        put_uv(b, (uint64_t)at->nkv);
        for (int i = 0; i < at->nkv; i++) {
            put_str(b, at->kv[i].key);
            put_str(b, at->kv[i].value);
        }
    }
}

static void pack_node(const ast_node *n, buf *b) {
    unsigned f = 0;
#define FLAG_FIELD(kind, ctype, name, aux, lua) FLAG_##kind(name, aux)
#define FLAG_TYPE(name, aux)
#define FLAG_POS(name, aux)
#define FLAG_LINK(name, aux)
#define FLAG_INT(name, aux)
#define FLAG_STR(name, aux) if (n->name) f |= F(name);
#define FLAG_ATTR(name, aux) if (attr_parts(&n->name)) f |= F(name);
#define FLAG_ALIGNS(name, aux) if (n->name && n->aux > 0) f |= F(name);
#define FLAG_ALTS(name, aux) if (n->name) f |= F(name);
    AST_FIELDS(FLAG_FIELD)
    if (!ints_at_default(n)) f |= F(INTS);
    if (n->first) f |= F(CHILDREN);
    /* the type, the bits and the positions: at most 10 bytes each */
#define NPOS_FIELD(kind, ctype, name, aux, lua) NPOS_##kind
#define NPOS_TYPE
#define NPOS_POS +10
#define NPOS_LINK
#define NPOS_INT
#define NPOS_STR
#define NPOS_ATTR
#define NPOS_ALIGNS
#define NPOS_ALTS
    unsigned char *p = room(b, 20 AST_FIELDS(NPOS_FIELD)), *q = p;
    q = uv_at(q, (uint64_t)n->type);
    q = uv_at(q, f);
#define HEAD_FIELD(kind, ctype, name, aux, lua) HEAD_##kind(name)
#define HEAD_TYPE(name)
#define HEAD_POS(name) q = uv_at(q, zigzag(n->name));
#define HEAD_LINK(name)
#define HEAD_INT(name)
#define HEAD_STR(name)
#define HEAD_ATTR(name)
#define HEAD_ALIGNS(name)
#define HEAD_ALTS(name)
    AST_FIELDS(HEAD_FIELD)
    b->len += (size_t)(q - p);
    if (f & STR_BITS) {
#define PSTR_FIELD(kind, ctype, name, aux, lua) PSTR_##kind(name)
#define PSTR_TYPE(name)
#define PSTR_POS(name)
#define PSTR_LINK(name)
#define PSTR_INT(name)
#define PSTR_STR(name) if (f & F(name)) put_str(b, n->name);
#define PSTR_ATTR(name)
#define PSTR_ALIGNS(name)
#define PSTR_ALTS(name)
        AST_FIELDS(PSTR_FIELD)
    }
    if (f & F(INTS)) {
        /* every int field takes at most 10 bytes */
#define NINT_FIELD(kind, ctype, name, aux, lua) NINT_##kind
#define NINT_TYPE
#define NINT_POS
#define NINT_LINK
#define NINT_INT +10
#define NINT_STR
#define NINT_ATTR
#define NINT_ALIGNS
#define NINT_ALTS
        p = q = room(b, 0 AST_FIELDS(NINT_FIELD));
#define PINT_FIELD(kind, ctype, name, aux, lua) PINT_##kind(name)
#define PINT_TYPE(name)
#define PINT_POS(name)
#define PINT_LINK(name)
#define PINT_INT(name) q = uv_at(q, zigzag(n->name));
#define PINT_STR(name)
#define PINT_ATTR(name)
#define PINT_ALIGNS(name)
#define PINT_ALTS(name)
        AST_FIELDS(PINT_FIELD)
        b->len += (size_t)(q - p);
    }
#define PREST_FIELD(kind, ctype, name, aux, lua) PREST_##kind(name, aux)
#define PREST_TYPE(name, aux)
#define PREST_POS(name, aux)
#define PREST_LINK(name, aux)
#define PREST_INT(name, aux)
#define PREST_STR(name, aux)
#define PREST_ATTR(name, aux)                                                                                     \
    if (f & F(name)) put_attr(b, &n->name);
#define PREST_ALIGNS(name, aux)                                                                                   \
    if (f & F(name))                                                                                               \
        for (int i = 0; i < n->aux; i++) put_uv(b, (uint64_t)n->name[i]);
#define PREST_ALTS(name, aux)                                                                                     \
    if (f & F(name)) {                                                                                             \
        uint64_t k = 0;                                                                                            \
        for (const ast_node *x = n->name; x; x = x->next) k++;                                                     \
        put_uv(b, k);                                                                                              \
        for (const ast_node *x = n->name; x; x = x->next) pack_node(x, b);                                         \
    }
    AST_FIELDS(PREST_FIELD)
    if (f & F(CHILDREN)) {
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

static void get_attr(reader *r, ast_attr *at) {
    unsigned parts = (unsigned)get_uv(r);
    if (parts & A_ID) at->id = get_str(r);
    if (parts & A_CLASSES) {
        at->nclasses = (int)get_uv(r);
        at->classes = arena_alloc(r->a, sizeof(char *) * (size_t)at->nclasses);
        for (int i = 0; i < at->nclasses; i++) at->classes[i] = get_str(r);
    }
    if (parts & A_KV) {
        at->nkv = (int)get_uv(r);
        at->kv = arena_alloc(r->a, sizeof(ast_kv) * (size_t)at->nkv);
        for (int i = 0; i < at->nkv; i++) {
            at->kv[i].key = get_str(r);
            at->kv[i].value = get_str(r);
        }
    }
}

/* Fills n (zeroed memory) from the reader, in pack_node's order; its parent
 * and siblings are the caller's. (Nodes are allocated one by one: one block
 * for all the children of a node costs more, as glibc clears a large block
 * with `rep stosb`, which callgrind counts byte by byte.) */
static void unpack_into(reader *r, ast_node *n) {
    n->type = (ast_type)get_uv(r);
    unsigned f = (unsigned)get_uv(r);
#define UHEAD_FIELD(kind, ctype, name, aux, lua) UHEAD_##kind(name)
#define UHEAD_TYPE(name)
#define UHEAD_POS(name) n->name = get_int(r);
#define UHEAD_LINK(name)
#define UHEAD_INT(name)
#define UHEAD_STR(name)
#define UHEAD_ATTR(name)
#define UHEAD_ALIGNS(name)
#define UHEAD_ALTS(name)
    AST_FIELDS(UHEAD_FIELD)
    if (f & STR_BITS) {
#define USTR_FIELD(kind, ctype, name, aux, lua) USTR_##kind(name)
#define USTR_TYPE(name)
#define USTR_POS(name)
#define USTR_LINK(name)
#define USTR_INT(name)
#define USTR_STR(name) if (f & F(name)) n->name = get_str(r);
#define USTR_ATTR(name)
#define USTR_ALIGNS(name)
#define USTR_ALTS(name)
        AST_FIELDS(USTR_FIELD)
    }
    if (f & F(INTS)) {
#define UINT_FIELD(kind, ctype, name, aux, lua) UINT_##kind(name, aux)
#define UINT_TYPE(name, aux)
#define UINT_POS(name, aux)
#define UINT_LINK(name, aux)
#define UINT_INT(name, aux) n->name = get_int(r);
#define UINT_STR(name, aux)
#define UINT_ATTR(name, aux)
#define UINT_ALIGNS(name, aux)
#define UINT_ALTS(name, aux)
        AST_FIELDS(UINT_FIELD)
    } else {
        /* the memory is zeroed: only the defaults that are not 0 */
#define UDEF_FIELD(kind, ctype, name, aux, lua) UDEF_##kind(name, aux)
#define UDEF_TYPE(name, aux)
#define UDEF_POS(name, aux)
#define UDEF_LINK(name, aux)
#define UDEF_INT(name, aux) if (aux) n->name = aux;
#define UDEF_STR(name, aux)
#define UDEF_ATTR(name, aux)
#define UDEF_ALIGNS(name, aux)
#define UDEF_ALTS(name, aux)
        AST_FIELDS(UDEF_FIELD)
    }
#define UREST_FIELD(kind, ctype, name, aux, lua) UREST_##kind(name, aux)
#define UREST_TYPE(name, aux)
#define UREST_POS(name, aux)
#define UREST_LINK(name, aux)
#define UREST_INT(name, aux)
#define UREST_STR(name, aux)
#define UREST_ATTR(name, aux)                                                                                     \
    if (f & F(name)) get_attr(r, &n->name);
#define UREST_ALIGNS(name, aux)                                                                                   \
    if (f & F(name)) {                                                                                             \
        n->name = arena_alloc(r->a, sizeof *n->name * (size_t)n->aux);                                             \
        for (int i = 0; i < n->aux; i++) n->name[i] = (ast_align)get_uv(r);                                        \
    }
#define UREST_ALTS(name, aux)                                                                                     \
    if (f & F(name)) {                                                                                             \
        uint64_t k = get_uv(r);                                                                                    \
        ast_node **tail = &n->name;                                                                                \
        for (uint64_t i = 0; i < k; i++) {                                                                         \
            ast_node *x = arena_alloc(r->a, sizeof *x);                                                            \
            unpack_into(r, x);                                                                                     \
            *tail = x;                                                                                             \
            tail = &x->next;                                                                                       \
        }                                                                                                          \
    }
    AST_FIELDS(UREST_FIELD)
    if (f & F(CHILDREN)) {
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
