/* tmpl.c — the Mustache subset for theme templates (see tmpl.h): a data model
 * of small arena-allocated contexts, a parser that builds a tree once and
 * reports every syntax error at its line:col, and a renderer into a buf. */
#include "tmpl.h"
#include <string.h>

/* ---- data model ---------------------------------------------------------- */

typedef enum { V_STR, V_BOOL, V_LIST, V_MAP, V_FN } vkind;

typedef struct entry {
    const char *name;
    vkind kind;
    const char *s;             /* V_STR */
    int b;                     /* V_BOOL */
    tmpl_ctx *first, *last;    /* V_LIST items (chained by tmpl_ctx.next) */
    tmpl_ctx *map;             /* V_MAP */
    tmpl_write_fn fn;          /* V_FN */
    void *ud;
    struct entry *next;
} entry;

struct tmpl_ctx {
    arena *a;
    entry *head, *tail;
    const char *self;          /* a string list item: what `{{.}}` renders */
    tmpl_ctx *next;            /* next item of the list holding this context */
};

tmpl_ctx *tmpl_ctx_new(arena *a) {
    tmpl_ctx *c = arena_alloc(a, sizeof *c);
    c->a = a;
    return c;
}

static entry *find(const tmpl_ctx *c, const char *name, size_t n) {
    for (entry *e = c->head; e; e = e->next)
        if (strncmp(e->name, name, n) == 0 && e->name[n] == 0) return e;
    return NULL;
}

/* The entry for name, reset to kind (created if absent). */
static entry *slot(tmpl_ctx *c, const char *name, vkind kind) {
    entry *e = find(c, name, strlen(name));
    if (!e) {
        e = arena_alloc(c->a, sizeof *e);
        e->name = name;
        if (c->tail) c->tail->next = e;
        else c->head = e;
        c->tail = e;
    } else if (e->kind != kind) {
        e->s = NULL, e->b = 0, e->first = e->last = NULL, e->map = NULL, e->fn = NULL, e->ud = NULL;
    }
    e->kind = kind;
    return e;
}

void tmpl_set(tmpl_ctx *c, const char *name, const char *value) {
    if (!value) return;
    slot(c, name, V_STR)->s = value;
}

void tmpl_set_fn(tmpl_ctx *c, const char *name, tmpl_write_fn fn, void *ud) {
    entry *e = slot(c, name, V_FN);
    e->fn = fn;
    e->ud = ud;
}

void tmpl_set_bool(tmpl_ctx *c, const char *name, int v) { slot(c, name, V_BOOL)->b = v != 0; }

tmpl_ctx *tmpl_map(tmpl_ctx *c, const char *name) {
    entry *e = slot(c, name, V_MAP);
    if (!e->map) e->map = tmpl_ctx_new(c->a);
    return e->map;
}

void tmpl_list(tmpl_ctx *c, const char *name) { slot(c, name, V_LIST); }

tmpl_ctx *tmpl_list_push(tmpl_ctx *c, const char *name) {
    entry *e = slot(c, name, V_LIST);
    tmpl_ctx *it = tmpl_ctx_new(c->a);
    if (e->last) e->last->next = it;
    else e->first = it;
    e->last = it;
    return it;
}

void tmpl_list_push_str(tmpl_ctx *c, const char *name, const char *value) {
    tmpl_list_push(c, name)->self = value ? value : "";
}

/* ---- template tree --------------------------------------------------------- */

typedef enum { N_ROOT, N_TEXT, N_VAR, N_RAW, N_SECTION, N_INVERTED } nkind;

typedef struct tnode tnode;
struct tnode {
    nkind kind;
    const char *text; /* N_TEXT: bytes; others: the full name */
    size_t len;
    const char **parts; /* dotted name split; nparts 0 means `.` */
    int nparts;
    int line, col;      /* of the opening `{{` */
    tnode *parent, *first, *last, *next;
};

struct tmpl {
    tnode root;
};

typedef struct parser {
    arena *a;
    const char *src;
    size_t len;
    const char *path;
    diag *d;
    int nerr;
} parser;

static void where(const parser *p, size_t off, int *line, int *col) {
    int l = 1;
    size_t bol = 0;
    for (size_t i = 0; i < off && i < p->len; i++)
        if (p->src[i] == '\n') l++, bol = i + 1;
    *line = l;
    *col = (int)(off - bol) + 1;
}

static tnode *add(parser *p, tnode *parent, nkind kind) {
    tnode *n = arena_alloc(p->a, sizeof *n);
    n->kind = kind;
    n->parent = parent;
    if (parent->last) parent->last->next = n;
    else parent->first = n;
    parent->last = n;
    return n;
}

static void add_text(parser *p, tnode *cur, size_t from, size_t to) {
    if (to <= from) return;
    tnode *n = add(p, cur, N_TEXT);
    n->text = p->src + from;
    n->len = to - from;
}

static void set_name(parser *p, tnode *n, const char *s, size_t len) {
    n->text = arena_strndup(p->a, s, len);
    n->len = len;
    if (len == 1 && s[0] == '.') return; /* nparts 0: the current item */
    int k = 1;
    for (size_t i = 0; i < len; i++) k += s[i] == '.';
    n->parts = arena_alloc(p->a, sizeof(char *) * (size_t)k);
    size_t st = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            n->parts[n->nparts++] = arena_strndup(p->a, s + st, i - st);
            st = i + 1;
        }
    }
}

static int is_blank(char ch) { return ch == ' ' || ch == '\t'; }

static const char *find_on_line(const char *s, size_t from, size_t len, const char *pat) {
    size_t pl = strlen(pat);
    for (size_t i = from; i + pl <= len; i++) {
        if (s[i] == '\n') return NULL;
        if (memcmp(s + i, pat, pl) == 0) return s + i;
    }
    return NULL;
}

tmpl *tmpl_parse(arena *a, const char *source, size_t len, const char *path, diag *d) {
    parser p = {a, arena_strndup(a, source, len), len, path, d, 0};
    tmpl *t = arena_alloc(a, sizeof *t);
    t->root.kind = N_ROOT;
    tnode *cur = &t->root;
    const char *src = p.src;
    size_t i = 0, text_start = 0;
    int line, col;

    while (i + 1 < len) {
        const char *hit = memmem(src + i, len - i, "{{", 2);
        if (!hit) break;
        size_t open = (size_t)(hit - src);
        int triple = open + 2 < len && src[open + 2] == '{';
        size_t cstart = open + (triple ? 3 : 2);
        const char *closer = triple ? "}}}" : "}}";
        const char *cl = find_on_line(src, cstart, len, closer);
        if (!cl) {
            where(&p, open, &line, &col);
            diag_report(d, DIAG_ERROR, path, line, col,
                        "unterminated template tag: `%s` has no `%s` on its line",
                        triple ? "{{{" : "{{", closer);
            p.nerr++;
            i = open + 2;
            continue;
        }
        size_t cend = (size_t)(cl - src), end = cend + strlen(closer);
        size_t ns = cstart, ne = cend;
        while (ns < ne && is_blank(src[ns])) ns++;
        while (ne > ns && is_blank(src[ne - 1])) ne--;
        char sigil = triple ? '{' : 0;
        if (!triple && ns < ne && strchr("#^/!&>=", src[ns])) {
            sigil = src[ns++];
            while (ns < ne && is_blank(src[ns])) ns++;
        }
        where(&p, open, &line, &col);

        /* a section, close or comment tag alone on its line takes the line */
        size_t seg_end = open, next = end;
        if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!') {
            size_t ls = open, le = end;
            while (ls > text_start && is_blank(src[ls - 1])) ls--;
            while (le < len && is_blank(src[le])) le++;
            int before = ls == 0 || src[ls - 1] == '\n';
            int after = le == len || src[le] == '\n' || (src[le] == '\r' && le + 1 < len && src[le + 1] == '\n');
            if (before && after) {
                seg_end = ls;
                next = le == len ? le : le + (src[le] == '\r' ? 2 : 1);
            }
        }
        add_text(&p, cur, text_start, seg_end);
        text_start = i = next;

        if (sigil == '!') continue;
        if (sigil == '>' || sigil == '=') {
            diag_report(d, DIAG_ERROR, path, line, col, "%s are not supported in coursec templates",
                        sigil == '>' ? "partials (`{{>name}}`)" : "delimiter changes (`{{=...=}}`)");
            p.nerr++;
            continue;
        }
        if (ns == ne) {
            diag_report(d, DIAG_ERROR, path, line, col, "empty template tag");
            p.nerr++;
            continue;
        }
        if (memchr(src + ns, '{', ne - ns) || memchr(src + ns, '}', ne - ns)) {
            diag_report(d, DIAG_ERROR, path, line, col, "malformed template tag `%.*s`",
                        (int)(end - open), src + open);
            p.nerr++;
            continue;
        }
        const char *nm = src + ns;
        size_t nl = ne - ns;
        if (sigil == '/') {
            if (cur == &t->root) {
                diag_report(d, DIAG_ERROR, path, line, col, "`{{/%.*s}}` closes no open section",
                            (int)nl, nm);
                p.nerr++;
                continue;
            }
            tnode *s = cur;
            while (s != &t->root && !(s->len == nl && memcmp(s->text, nm, nl) == 0)) s = s->parent;
            if (s == cur) {
                cur = cur->parent;
            } else if (s != &t->root) {
                /* sections opened inside s and never closed */
                for (tnode *x = cur; x != s; x = x->parent) {
                    diag_report(d, DIAG_ERROR, path, x->line, x->col,
                                "section `%s` is not closed before `{{/%.*s}}` at line %d", x->text,
                                (int)nl, nm, line);
                    p.nerr++;
                }
                cur = s->parent;
            } else {
                diag_report(d, DIAG_ERROR, path, line, col,
                            "`{{/%.*s}}` does not match the open section `%s` (line %d, column %d)",
                            (int)nl, nm, cur->text, cur->line, cur->col);
                p.nerr++;
                cur = cur->parent; /* most likely a misspelt close */
            }
            continue;
        }
        nkind k = sigil == '#' ? N_SECTION : sigil == '^' ? N_INVERTED
                : (sigil == '{' || sigil == '&') ? N_RAW : N_VAR;
        tnode *n = add(&p, cur, k);
        set_name(&p, n, nm, nl);
        n->line = line, n->col = col;
        if (k == N_SECTION || k == N_INVERTED) cur = n;
    }
    add_text(&p, cur, text_start, len);
    for (tnode *x = cur; x != &t->root; x = x->parent) {
        diag_report(d, DIAG_ERROR, path, x->line, x->col, "section `%s` is never closed (`{{/%s}}` missing)",
                    x->text, x->text);
        p.nerr++;
    }
    return p.nerr ? NULL : t;
}

/* ---- rendering ----------------------------------------------------------- */

typedef struct frame {
    const tmpl_ctx *c;
    const struct frame *up;
} frame;

typedef struct value {
    vkind kind;
    const char *s;
    int b;
    const tmpl_ctx *first, *map;
    tmpl_write_fn fn;
    void *ud;
} value;

static int resolve(const frame *f, const tnode *n, value *v) {
    if (n->nparts == 0) { /* `.` */
        if (!f || !f->c || !f->c->self) return 0;
        v->kind = V_STR, v->s = f->c->self;
        return 1;
    }
    const entry *e = NULL;
    for (; f && !e; f = f->up)
        if (f->c) e = find(f->c, n->parts[0], strlen(n->parts[0]));
    for (int k = 1; e && k < n->nparts; k++)
        e = e->kind == V_MAP ? find(e->map, n->parts[k], strlen(n->parts[k])) : NULL;
    if (!e) return 0;
    v->kind = e->kind, v->s = e->s, v->b = e->b, v->first = e->first, v->map = e->map;
    v->fn = e->fn, v->ud = e->ud;
    return 1;
}

static int truthy(const value *v) {
    switch (v->kind) {
    case V_FN: { /* as the string it writes */
        buf t = BUF_INIT;
        v->fn(v->ud, &t);
        int r = t.len && t.data[0];
        buf_free(&t);
        return r;
    }
    case V_STR: return v->s && *v->s;
    case V_BOOL: return v->b;
    case V_LIST: return v->first != NULL;
    case V_MAP: return 1;
    }
    return 0;
}

static void render(const tnode *n, const frame *f, buf *out) {
    for (; n; n = n->next) {
        value v;
        switch (n->kind) {
        case N_ROOT: break;
        case N_TEXT: buf_put(out, n->text, n->len); break;
        case N_VAR:
        case N_RAW:
            if (!resolve(f, n, &v)) break;
            if (v.kind == V_STR) {
                if (n->kind == N_VAR) buf_puts_escaped(out, v.s);
                else buf_puts(out, v.s);
            } else if (v.kind == V_FN) { /* same bytes as a string holding what fn writes */
                if (n->kind == N_RAW) {
                    v.fn(v.ud, out); /* straight into out: no copy */
                } else {
                    buf t = BUF_INIT;
                    v.fn(v.ud, &t);
                    if (t.data) buf_puts_escaped(out, t.data);
                    buf_free(&t);
                }
            }
            break;
        case N_INVERTED:
            if (!resolve(f, n, &v) || !truthy(&v)) render(n->first, f, out);
            break;
        case N_SECTION:
            if (!resolve(f, n, &v) || !truthy(&v)) break;
            if (v.kind == V_LIST) {
                for (const tmpl_ctx *it = v.first; it; it = it->next) {
                    frame inner = {it, f};
                    render(n->first, &inner, out);
                }
            } else if (v.kind == V_MAP) {
                frame inner = {v.map, f};
                render(n->first, &inner, out);
            } else {
                render(n->first, f, out);
            }
            break;
        }
    }
}

void tmpl_render(const tmpl *t, const tmpl_ctx *ctx, buf *out) {
    frame top = {ctx, NULL};
    render(t->root.first, &top, out);
}
