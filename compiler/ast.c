/* ast.c — node construction, tree surgery, cloning, plain text and ids. */
#include "ast.h"
#include "buf.h"
#include <ctype.h>
#include <string.h>

static const char *const type_names[AST_TYPE_COUNT] = {
    "Document", "Heading", "Paragraph", "BlockQuote", "List", "Item", "CodeBlock",
    "HtmlBlock", "ThematicBreak", "Table", "TableRow", "TableCell", "Div", "Worksheet",
    "Text", "Code", "Emph", "Strong", "Strikethrough", "Link", "Image", "SoftBreak",
    "LineBreak", "HtmlInline", "Span", "Blank", "NoteRef", "Footnote",
};

static const int blank_steps[] = {8, 16, 24, 32, 48};

int ast_blank_step(size_t answer_chars) {
    size_t n = sizeof blank_steps / sizeof blank_steps[0];
    for (size_t i = 0; i < n; i++)
        if (answer_chars <= (size_t)blank_steps[i]) return blank_steps[i];
    return blank_steps[n - 1];
}

const char *ast_type_name(ast_type t) { return (unsigned)t < AST_TYPE_COUNT ? type_names[t] : "?"; }

int ast_type_from_name(const char *name) {
    for (int i = 0; i < AST_TYPE_COUNT; i++)
        if (strcmp(type_names[i], name) == 0) return i;
    return -1;
}

int ast_is_block(ast_type t) { return t <= AST_WORKSHEET || t == AST_FOOTNOTE; }
int ast_is_inline(ast_type t) { return t >= AST_TEXT && t < AST_TYPE_COUNT && t != AST_FOOTNOTE; }

int ast_holds_blocks(ast_type t) {
    return t == AST_DOCUMENT || t == AST_BLOCKQUOTE || t == AST_ITEM || t == AST_DIV || t == AST_FOOTNOTE;
}

int ast_holds_inlines(ast_type t) {
    switch (t) {
    case AST_HEADING:
    case AST_PARAGRAPH:
    case AST_TABLECELL:
    case AST_EMPH:
    case AST_STRONG:
    case AST_STRIKETHROUGH:
    case AST_LINK:
    case AST_IMAGE:
    case AST_SPAN:
    case AST_WORKSHEET:
        return 1;
    default:
        return 0;
    }
}

int ast_child_ok(ast_type p, ast_type c) {
    if (c == AST_DOCUMENT) return 0;
    if (ast_holds_blocks(p)) return ast_is_block(c) && c != AST_ITEM && c != AST_TABLEROW && c != AST_TABLECELL;
    if (p == AST_LIST) return c == AST_ITEM;
    if (p == AST_TABLE) return c == AST_TABLEROW;
    if (p == AST_TABLEROW) return c == AST_TABLECELL;
    if (ast_holds_inlines(p)) return ast_is_inline(c);
    if (p == AST_CODE) return c == AST_TEXT || c == AST_BLANK; /* code with the class `blanks` */
    return 0;
}

ast_node *ast_new(arena *a, ast_type type, int line, int col) {
    ast_node *n = arena_alloc(a, sizeof *n);
    n->type = type;
    n->line = line;
    n->col = col;
    /* the arena's memory is zeroed: only the int fields whose default is not 0 */
#define NEW_DEFAULT(kind, ctype, name, aux, lua) NEW_DEFAULT_##kind(name, aux)
#define NEW_DEFAULT_INT(name, aux) if (aux) n->name = aux;
#define NEW_DEFAULT_TYPE(name, aux)
#define NEW_DEFAULT_POS(name, aux)
#define NEW_DEFAULT_LINK(name, aux)
#define NEW_DEFAULT_STR(name, aux)
#define NEW_DEFAULT_ATTR(name, aux)
#define NEW_DEFAULT_ALIGNS(name, aux)
#define NEW_DEFAULT_ALTS(name, aux)
    AST_FIELDS(NEW_DEFAULT)
    return n;
}

void ast_append(ast_node *parent, ast_node *child) {
    child->parent = parent;
    child->next = NULL;
    child->prev = parent->last;
    if (parent->last) parent->last->next = child;
    else parent->first = child;
    parent->last = child;
}

void ast_prepend(ast_node *parent, ast_node *child) {
    child->parent = parent;
    child->prev = NULL;
    child->next = parent->first;
    if (parent->first) parent->first->prev = child;
    else parent->last = child;
    parent->first = child;
}

void ast_insert_before(ast_node *sibling, ast_node *child) {
    ast_node *p = sibling->parent;
    child->parent = p;
    child->next = sibling;
    child->prev = sibling->prev;
    if (sibling->prev) sibling->prev->next = child;
    else if (p) p->first = child;
    sibling->prev = child;
}

void ast_unlink(ast_node *n) {
    ast_node *p = n->parent;
    if (n->prev) n->prev->next = n->next;
    else if (p) p->first = n->next;
    if (n->next) n->next->prev = n->prev;
    else if (p) p->last = n->prev;
    n->parent = n->prev = n->next = NULL;
}

/* Strings are immutable once in a tree (they are replaced, never written
 * to), so a copy shares them; arrays are copied (ast_attr_set writes kv). */
static void clone_attr(arena *a, ast_attr *dst, const ast_attr *src) {
    if (src->nclasses) {
        dst->classes = arena_alloc(a, sizeof(char *) * (size_t)src->nclasses);
        memcpy(dst->classes, src->classes, sizeof(char *) * (size_t)src->nclasses);
    } else dst->classes = NULL;
    if (src->nkv) {
        dst->kv = arena_alloc(a, sizeof(ast_kv) * (size_t)src->nkv);
        memcpy(dst->kv, src->kv, sizeof(ast_kv) * (size_t)src->nkv);
    } else dst->kv = NULL;
}

static ast_node *clone_node(arena *a, const ast_node *n, ast_node *parent);

static void *clone_array(arena *a, const void *src, int count, size_t size) {
    if (!src || count <= 0) return NULL;
    void *dst = arena_alloc(a, size * (size_t)count);
    memcpy(dst, src, size * (size_t)count);
    return dst;
}

/* A chain of answer alternatives: nodes in no tree, linked through next. */
static ast_node *clone_chain(arena *a, const ast_node *x) {
    ast_node *head = NULL, **tail = &head;
    for (; x; x = x->next) {
        ast_node *c = clone_node(a, x, NULL);
        *tail = c;
        tail = &c->next;
    }
    return head;
}

/* Copies every field (ast_fields.h), then links the copied children. */
static ast_node *clone_node(arena *a, const ast_node *n, ast_node *parent) {
    ast_node *c = arena_alloc(a, sizeof *c);
    *c = *n;
#define CLONE_FIELD(kind, ctype, name, aux, lua) CLONE_##kind(name, aux)
#define CLONE_TYPE(name, aux)
#define CLONE_POS(name, aux)
#define CLONE_STR(name, aux)
#define CLONE_INT(name, aux)
#define CLONE_LINK(name, aux) c->name = NULL;
#define CLONE_ATTR(name, aux) clone_attr(a, &c->name, &n->name);
#define CLONE_ALIGNS(name, aux)                                                                                    \
    if (n->name) c->name = clone_array(a, n->name, n->aux, sizeof *n->name);
#define CLONE_ALTS(name, aux)                                                                                      \
    if (n->name) c->name = clone_chain(a, n->name);
    AST_FIELDS(CLONE_FIELD)
    c->parent = parent;
    ast_node *prev = NULL;
    for (const ast_node *ch = n->first; ch; ch = ch->next) {
        ast_node *cc = clone_node(a, ch, c);
        cc->prev = prev;
        if (prev) prev->next = cc;
        else c->first = cc;
        prev = cc;
    }
    c->last = prev;
    return c;
}

ast_node *ast_clone(arena *a, const ast_node *n) { return clone_node(a, n, NULL); }

size_t ast_clone_node_bytes(const ast_node *n) {
    size_t sz = sizeof *n;
#define BYTES_FIELD(kind, ctype, name, aux, lua) BYTES_##kind(name, aux)
#define BYTES_TYPE(name, aux)
#define BYTES_POS(name, aux)
#define BYTES_LINK(name, aux)
#define BYTES_STR(name, aux)
#define BYTES_INT(name, aux)
#define BYTES_ATTR(name, aux)                                                                                      \
    sz += sizeof(char *) * (size_t)(n->name.nclasses > 0 ? n->name.nclasses : 0) +                                 \
          sizeof(ast_kv) * (size_t)(n->name.nkv > 0 ? n->name.nkv : 0);
#define BYTES_ALIGNS(name, aux)                                                                                    \
    if (n->name && n->aux > 0) sz += sizeof *n->name * (size_t)n->aux;
#define BYTES_ALTS(name, aux)
    AST_FIELDS(BYTES_FIELD)
    return sz;
}

const char *ast_attr_get(const ast_attr *at, const char *key) {
    for (int i = 0; i < at->nkv; i++)
        if (strcmp(at->kv[i].key, key) == 0) return at->kv[i].value;
    return NULL;
}

const ast_node *ast_box_title(const ast_node *div) {
    const ast_node *f = div->first;
    return f && f->type == AST_PARAGRAPH && ast_has_class(f, "box-title") ? f : NULL;
}

int ast_has_class(const ast_node *n, const char *cls) {
    for (int i = 0; i < n->attr.nclasses; i++)
        if (strcmp(n->attr.classes[i], cls) == 0) return 1;
    return 0;
}

void ast_add_class(arena *a, ast_node *n, const char *cls) {
    if (ast_has_class(n, cls)) return;
    const char **nc = arena_alloc(a, sizeof(char *) * (size_t)(n->attr.nclasses + 1));
    for (int i = 0; i < n->attr.nclasses; i++) nc[i] = n->attr.classes[i];
    nc[n->attr.nclasses] = arena_strdup(a, cls);
    n->attr.classes = nc;
    n->attr.nclasses++;
}

void ast_attr_set(arena *a, ast_attr *at, const char *key, const char *value) {
    for (int i = 0; i < at->nkv; i++)
        if (strcmp(at->kv[i].key, key) == 0) {
            at->kv[i].value = arena_strdup(a, value);
            return;
        }
    ast_kv *nk = arena_alloc(a, sizeof(ast_kv) * (size_t)(at->nkv + 1));
    for (int i = 0; i < at->nkv; i++) nk[i] = at->kv[i];
    nk[at->nkv].key = arena_strdup(a, key);
    nk[at->nkv].value = arena_strdup(a, value);
    at->kv = nk;
    at->nkv++;
}

/* What plain text leaves out besides blanks and raw HTML: Spans with the
 * class skip, and inline nodes restricted by their attributes (a class in
 * roles, only=, except=). */
typedef struct plain_opts {
    const char *skip;
    const char *const *roles;
    int restricted; /* leave out restricted inlines */
} plain_opts;

static int restricted_inline(const ast_node *n, const char *const *roles) {
    if (!ast_is_inline(n->type) || (!n->attr.nclasses && !n->attr.nkv)) return 0;
    if (ast_attr_get(&n->attr, "only") || ast_attr_get(&n->attr, "except")) return 1;
    for (int i = 0; roles && i < n->attr.nclasses; i++)
        for (const char *const *r = roles; *r; r++)
            if (strcmp(*r, n->attr.classes[i]) == 0) return 1;
    return 0;
}

static void plain(buf *b, const ast_node *n, const plain_opts *o) {
    switch (n->type) {
    case AST_BLANK:
    case AST_HTMLINLINE:
    case AST_HTMLBLOCK:
    case AST_NOTEREF:
    case AST_FOOTNOTE:
        return;
    case AST_TEXT:
    case AST_CODE:
        if (n->text) buf_puts(b, n->text);
        else break; /* code with live blanks: its children */
        return;
    case AST_SOFTBREAK:
    case AST_LINEBREAK:
        buf_putc(b, ' ');
        return;
    default:
        break;
    }
    for (const ast_node *c = n->first; c; c = c->next) {
        if (o->skip && c->type == AST_SPAN && ast_has_class(c, o->skip)) continue;
        if (o->restricted && restricted_inline(c, o->roles)) continue;
        plain(b, c, o);
    }
}

/* Plain text with white space runs collapsed and no space at either end. */
static char *plain_collapsed(arena *a, const ast_node *n, const plain_opts *o) {
    buf b = BUF_INIT;
    plain(&b, n, o);
    /* collapse runs of white space and trim: blanks removed leave gaps */
    size_t k = 0;
    int sp = 1;
    for (size_t i = 0; i < b.len; i++) {
        char ch = b.data[i];
        if (ch == ' ' || ch == '\t' || ch == '\n') {
            if (!sp) b.data[k++] = ' ';
            sp = 1;
        } else {
            b.data[k++] = ch;
            sp = 0;
        }
    }
    while (k > 0 && b.data[k - 1] == ' ') k--;
    char *r = arena_strndup(a, b.data ? b.data : "", k);
    buf_free(&b);
    return r;
}

char *ast_plain_text(arena *a, const ast_node *n) { return ast_plain_text_skip(a, n, NULL); }

/* ast_plain_chars: plain() and plain_collapsed() counting, making nothing. */
typedef struct plain_count {
    size_t chars;
    int space, pending; /* in a white space run; a space to count before the next character */
} plain_count;

static void count_plain_bytes(plain_count *pc, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n') {
            if (!pc->space) pc->pending = 1;
            pc->space = 1;
            continue;
        }
        if (pc->pending) pc->chars++, pc->pending = 0;
        pc->chars += (*p & 0xC0) != 0x80;
        pc->space = 0;
    }
}

static void count_plain(plain_count *pc, const ast_node *n) {
    switch (n->type) {
    case AST_BLANK:
    case AST_HTMLINLINE:
    case AST_HTMLBLOCK:
        return;
    case AST_TEXT:
    case AST_CODE:
        if (!n->text) break; /* code with live blanks: its children */
        count_plain_bytes(pc, n->text);
        return;
    case AST_SOFTBREAK:
    case AST_LINEBREAK:
        count_plain_bytes(pc, " ");
        return;
    default:
        break;
    }
    for (const ast_node *c = n->first; c; c = c->next) count_plain(pc, c);
}

size_t ast_plain_chars(const ast_node *n) {
    plain_count pc = {0, 1, 0};
    count_plain(&pc, n);
    return pc.chars;
}

char *ast_plain_text_skip(arena *a, const ast_node *n, const char *skip) {
    plain_opts o = {skip, NULL, 0};
    return plain_collapsed(a, n, &o);
}

char *ast_title_text(arena *a, const ast_node *n, const char *const *roles) {
    plain_opts o = {"duration-badge", roles, 1};
    return plain_collapsed(a, n, &o);
}

char *ast_slug(arena *a, const char *text) {
    /* the slug is never longer than the text: written straight into the arena */
    size_t n = strlen(text), len = 0;
    char *r = arena_alloc(a, n + 1);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (isalnum(*p) && *p < 0x80) r[len++] = (char)tolower(*p);
        else if (*p == ' ' || *p == '-' || *p == '_') {
            if (len && r[len - 1] != '-') r[len++] = '-';
        }
    }
    while (len && r[len - 1] == '-') len--;
    r[len] = 0;
    return len ? r : arena_strdup(a, "section");
}

typedef struct idset {
    const char **ids;
    int n, cap;
    arena *a;
    const char *const *roles;
} idset;

static int idset_has(const idset *s, const char *id) {
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->ids[i], id) == 0) return 1;
    return 0;
}

static void idset_add(idset *s, const char *id) {
    arena_grow(s->a, (void **)&s->ids, &s->cap, s->n, sizeof *s->ids);
    s->ids[s->n++] = id;
}

/* Direct recursion (not ast_walk): no call through a pointer per node. Only
 * block nodes are visited: in a tree from md_parse (the only caller) no
 * inline holds a block or an id (Blank alternatives are Spans of inlines
 * without attributes), and four nodes in five are inlines. */
static void collect_explicit(idset *s, const ast_node *n) {
    if (n->attr.id) idset_add(s, n->attr.id);
    for (const ast_node *alt = n->alts; alt; alt = alt->next)
        if (!ast_is_inline(alt->type)) collect_explicit(s, alt);
    for (const ast_node *c = n->first; c; c = c->next)
        if (!ast_is_inline(c->type) || c->first || c->attr.id) collect_explicit(s, c);
}

static void derive_ids(idset *s, ast_node *n) {
    if (n->type == AST_HEADING && !n->attr.id) {
        char *base = ast_slug(s->a, ast_title_text(s->a, n, s->roles));
        const char *id = base;
        for (int k = 1; idset_has(s, id); k++) id = arena_printf(s->a, "%s-%d", base, k);
        n->attr.id = id;
        idset_add(s, id);
        return;
    }
    for (ast_node *alt = n->alts; alt; alt = alt->next)
        if (!ast_is_inline(alt->type)) derive_ids(s, alt);
    for (ast_node *c = n->first; c; c = c->next)
        if (!ast_is_inline(c->type)) derive_ids(s, c);
}

void ast_assign_heading_ids(arena *a, ast_node *doc, const char *const *roles) {
    idset s = {0};
    s.a = a;
    s.roles = roles;
    if (ast_is_inline(doc->type)) return;
    collect_explicit(&s, doc);
    derive_ids(&s, doc);
}

/* Most nodes are leaves (text): a leaf child is visited here, without a call
 * frame of its own, unless the visit gave it children to walk. */
void ast_walk(ast_node *n, ast_visit_fn f, void *ud) {
    if (f(n, ud)) return;
    for (ast_node *alt = n->alts; alt; alt = alt->next) ast_walk(alt, f, ud);
    for (ast_node *c = n->first; c; c = c->next) {
        if (c->first || c->alts) ast_walk(c, f, ud);
        else if (!f(c, ud) && (c->first || c->alts)) {
            for (ast_node *alt = c->alts; alt; alt = alt->next) ast_walk(alt, f, ud);
            for (ast_node *g = c->first; g; g = g->next) ast_walk(g, f, ud);
        }
    }
}
