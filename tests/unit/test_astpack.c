/* test_astpack.c — ast_pack / ast_unpack and ast_clone keep every field
 * ast_fields.h declares. The comparison, the scrambling and the "not at its
 * default" check below are made from that declaration, kind by kind, so a
 * new field is compared and scrambled without touching this file (a new
 * kind fails to compile here until it is handled).
 *
 * Every module of every example course and conformance case is parsed,
 * then: packed and unpacked, and cloned, each equal to the original field
 * by field (links between nodes included), packing again to the same
 * bytes; then the same after every node got every field away from its
 * default (strings and attribute parts set, integers non-default and some
 * negative, table alignments, an answer alternative), checked first. */
#include "../../compiler/arena.h"
#include "../../compiler/ast.h"
#include "../../compiler/astpack.h"
#include "../../compiler/buf.h"
#include "../../compiler/diag.h"
#include "../../compiler/md.h"
#include "counted.h"
#include "harness.h"
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int str_same(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

static int attr_same(const ast_attr *x, const ast_attr *y) {
    if (!str_same(x->id, y->id) || x->nclasses != y->nclasses || x->nkv != y->nkv) return 0;
    for (int i = 0; i < x->nclasses; i++)
        if (!str_same(x->classes[i], y->classes[i])) return 0;
    for (int i = 0; i < x->nkv; i++)
        if (!str_same(x->kv[i].key, y->kv[i].key) || !str_same(x->kv[i].value, y->kv[i].value)) return 0;
    return 1;
}

/* An array of count elements is kept when count > 0 (else it means nothing). */
static int aligns_same(const ast_align *x, const ast_align *y, int count) {
    if (count <= 0) return 1;
    if (!x || !y) return x == y;
    return memcmp(x, y, sizeof *x * (size_t)count) == 0;
}

/* First difference between two trees (the field's name), or NULL. With
 * copied set, y must also own its arrays and alternatives (a clone or an
 * unpacked tree shares only strings). */
static const char *diff(const ast_node *x, const ast_node *y, int copied) {
#define D_FIELD(kind, ctype, name, aux, lua) D_##kind(name, aux)
#define D_TYPE(name, aux)                                                                                          \
    if (x->name != y->name) return #name;
#define D_POS(name, aux) D_TYPE(name, aux)
#define D_INT(name, aux) D_TYPE(name, aux)
#define D_LINK(name, aux) /* compared through the children below */
#define D_STR(name, aux)                                                                                           \
    if (!str_same(x->name, y->name)) return #name;
#define D_ATTR(name, aux)                                                                                          \
    if (!attr_same(&x->name, &y->name)) return #name;                                                              \
    if (copied && ((x->name.nclasses && x->name.classes == y->name.classes) ||                                     \
                   (x->name.nkv && x->name.kv == y->name.kv)))                                                     \
        return #name " (array shared)";
#define D_ALIGNS(name, aux)                                                                                        \
    if (!aligns_same(x->name, y->name, x->aux)) return #name;                                                      \
    if (copied && x->aux > 0 && x->name && x->name == y->name) return #name " (array shared)";
#define D_ALTS(name, aux)                                                                                          \
    {                                                                                                              \
        const ast_node *a = x->name, *b = y->name;                                                                 \
        for (; a && b; a = a->next, b = b->next) {                                                                 \
            if (copied && a == b) return #name " (node shared)";                                                   \
            if (b->parent) return #name " (parent link)";                                                          \
            const char *d = diff(a, b, copied);                                                                    \
            if (d) return d;                                                                                       \
        }                                                                                                          \
        if (a || b) return "number of " #name;                                                                     \
    }
    AST_FIELDS(D_FIELD)
    const ast_node *a = x->first, *b = y->first;
    for (; a && b; a = a->next, b = b->next) {
        if (copied && a == b) return "children (node shared)";
        if (b->parent != y) return "parent link";
        if (b->prev ? b->prev->next != b : y->first != b) return "sibling links";
        const char *d = diff(a, b, copied);
        if (d) return d;
    }
    if (a || b) return "number of children";
    if (y->last && y->last->next) return "last child";
    if ((y->first == NULL) != (y->last == NULL)) return "first and last";
    return NULL;
}

/* The first field of n still at its default (the name), or NULL. */
static const char *at_default(const ast_node *n) {
#define Z_FIELD(kind, ctype, name, aux, lua) Z_##kind(name, aux)
#define Z_TYPE(name, aux)
#define Z_POS(name, aux)
#define Z_LINK(name, aux)
#define Z_INT(name, aux)                                                                                           \
    if (n->name == (aux)) return #name;
#define Z_STR(name, aux)                                                                                           \
    if (!n->name) return #name;
#define Z_ATTR(name, aux)                                                                                          \
    if (!n->name.id || !n->name.nclasses || !n->name.nkv) return #name;
#define Z_ALIGNS(name, aux)                                                                                        \
    if (!n->name || n->aux <= 0) return #name;
#define Z_ALTS(name, aux)                                                                                          \
    if (!n->name) return #name;
    AST_FIELDS(Z_FIELD)
    return NULL;
}

typedef struct scrambler {
    arena *a;
    int k;
    const char *bad; /* a field scramble left at its default */
} scrambler;

/* A value that is neither 0 nor -1 (every int default), some negative. */
static int next_int(scrambler *s) {
    int k = s->k++;
    return k % 2 ? -(2 + k % 50) : 1 + k % 50;
}

/* Every field of n away from its default; its children and its own
 * alternatives first, then a new alternative for nodes without one. */
static void scramble(scrambler *s, ast_node *n) {
    for (ast_node *alt = n->alts; alt; alt = alt->next) scramble(s, alt);
    for (ast_node *c = n->first; c; c = c->next) scramble(s, c);
#define S_FIELD(kind, ctype, name, aux, lua) S_##kind(name, aux)
#define S_TYPE(name, aux)
#define S_POS(name, aux)
#define S_LINK(name, aux)
#define S_INT(name, aux) n->name = next_int(s);
#define S_STR(name, aux)                                                                                           \
    if (!n->name) n->name = arena_printf(s->a, "%s-%d", #name, s->k++);
#define S_ATTR(name, aux)                                                                                          \
    if (!n->name.id) n->name.id = arena_printf(s->a, "id-%d", s->k++);                                             \
    ast_attr_set(s->a, &n->name, "k", arena_printf(s->a, "%d", s->k++));                                           \
    if (!n->name.nclasses) {                                                                                       \
        n->name.classes = arena_alloc(s->a, sizeof(char *));                                                       \
        n->name.classes[0] = arena_printf(s->a, "c%d", s->k++);                                                    \
        n->name.nclasses = 1;                                                                                      \
    }
#define S_ALIGNS(name, aux)                                                                                        \
    if (n->aux <= 0) n->aux = 1 + s->k++ % 9;                                                                      \
    n->name = arena_alloc(s->a, sizeof *n->name * (size_t)n->aux);                                                 \
    for (int i = 0; i < n->aux; i++) n->name[i] = (ast_align)((s->k + i) % 4);
#define S_ALTS(name, aux)                                                                                          \
    if (!n->name) {                                                                                                \
        ast_node *span = ast_new(s->a, AST_SPAN, n->line, n->col);                                                 \
        ast_node *t = ast_new(s->a, AST_TEXT, n->line, n->col);                                                    \
        t->text = "alt";                                                                                           \
        ast_append(span, t);                                                                                       \
        n->name = span;                                                                                            \
    }
    AST_FIELDS(S_FIELD)
    const char *z = at_default(n);
    if (z && !s->bad) s->bad = z;
}

static void roundtrip(const char *path, ast_node *doc, const char *how) {
    char what[700];
    buf p1 = {0}, p2 = {0}, p3 = {0};
    ast_pack(doc, &p1);
    arena *b = arena_new();
    ast_node *back = ast_unpack(b, p1.data, p1.len);
    const char *why = diff(doc, back, 1);
    snprintf(what, sizeof what, "%s%s: the unpacked tree equals the original (differs in: %s)", path, how,
             why ? why : "nothing");
    CHECK(why == NULL, what);
    ast_pack(back, &p2);
    snprintf(what, sizeof what, "%s%s: the unpacked tree packs again to the same bytes", path, how);
    CHECK(p1.len == p2.len && memcmp(p1.data, p2.data, p1.len) == 0, what);
    ast_node *copy = ast_clone(b, doc);
    why = diff(doc, copy, 1);
    snprintf(what, sizeof what, "%s%s: the clone equals the original (differs in: %s)", path, how,
             why ? why : "nothing");
    CHECK(why == NULL, what);
    ast_pack(copy, &p3);
    snprintf(what, sizeof what, "%s%s: the clone packs to the same bytes", path, how);
    CHECK(p1.len == p3.len && memcmp(p1.data, p3.data, p1.len) == 0, what);
    buf_free(&p1);
    buf_free(&p2);
    buf_free(&p3);
    arena_free(b);
}

static void one_file(const char *path, const char *src, size_t len) {
    arena *a = arena_new();
    diag *d = diag_new(NULL, DIAG_TEXT, 0);
    md_options mo = {0};
    int nerr = 0;
    ast_node *doc = counted_md_parse(a, src, len, 1, path, &mo, d, &nerr);
    char what[600];
    snprintf(what, sizeof what, "%s parses", path);
    if (CHECK(doc != NULL, what)) {
        roundtrip(path, doc, "");
        scrambler s = {a, 1, NULL};
        scramble(&s, doc);
        snprintf(what, sizeof what, "%s: scrambling moved every field from its default (not: %s)", path,
                 s.bad ? s.bad : "-");
        CHECK(s.bad == NULL, what);
        roundtrip(path, doc, " (scrambled)");
    }
    diag_free(d);
    arena_free(a);
}

/* ast_new gives every int field its declared default. */
static void new_defaults(void) {
    arena *a = arena_new();
    ast_node *n = ast_new(a, AST_TEXT, 4, 2);
#define N_FIELD(kind, ctype, name, aux, lua) N_##kind(name, aux)
#define N_TYPE(name, aux)
#define N_POS(name, aux)
#define N_LINK(name, aux) CHECK(n->name == NULL, "ast_new: " #name " is NULL");
#define N_INT(name, aux) CHECK(n->name == (aux), "ast_new: " #name " is its default " #aux);
#define N_STR(name, aux) CHECK(n->name == NULL, "ast_new: " #name " is NULL");
#define N_ATTR(name, aux) CHECK(!n->name.id && !n->name.nclasses && !n->name.nkv, "ast_new: " #name " is empty");
#define N_ALIGNS(name, aux) CHECK(n->name == NULL, "ast_new: " #name " is NULL");
#define N_ALTS(name, aux) CHECK(n->name == NULL, "ast_new: " #name " is NULL");
    AST_FIELDS(N_FIELD)
    arena_free(a);
}

int main(void) {
    new_defaults();
    const char *pats[] = {"courses/*/modules/*.md", "courses/*/*.md", "tests/conformance/*/modules/*.md",
                          "tests/conformance/*/*.md"};
    int files = 0;
    for (size_t p = 0; p < sizeof pats / sizeof pats[0]; p++) {
        glob_t g;
        if (glob(pats[p], 0, NULL, &g) != 0) continue;
        for (size_t i = 0; i < g.gl_pathc; i++) {
            FILE *f = fopen(g.gl_pathv[i], "rb");
            if (!f) continue;
            static char src[1 << 20];
            size_t len = fread(src, 1, sizeof src - 1, f);
            fclose(f);
            src[len] = 0;
            one_file(g.gl_pathv[i], src, len);
            files++;
        }
        globfree(&g);
    }
    OK(files >= 20); /* the globs found the courses: run from the repository root */
    return harness_summary();
}
