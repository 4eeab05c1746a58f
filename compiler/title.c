/* title.c — titles as the writers show them (see title.h). */
#include "title.h"
#include "buf.h"
#include "edition.h"
#include "md.h"
#include <string.h>

/* Plain text of a Span from md_parse_plain; *literal when a literal `[[`
 * is in it. */
static const char *span_text(arena *a, const ast_node *span, int *literal) {
    buf b = BUF_INIT;
    for (const ast_node *n = span->first; n; n = n->next) {
        if (n->type != AST_TEXT || !n->text) continue; /* a blank contributes nothing */
        if (n->literal && literal) *literal = 1;
        buf_puts(&b, n->text);
    }
    const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return r;
}

const char *title_plain(arena *a, const char *s, int line, int col, const char *path, diag *d, int *literal) {
    if (literal) *literal = 0;
    if (!s || (!strstr(s, "[[") && !strstr(s, "\\[["))) return s;
    ast_node *span = md_parse_plain(a, s, strlen(s), line, col, path, d);
    return span_text(a, span, literal);
}

static int has_literal(const ast_node *n) {
    if (n->type == AST_TEXT && n->literal) return 1;
    for (const ast_node *c = n->first; c; c = c->next)
        if (has_literal(c)) return 1;
    return 0;
}

void title_collect(arena *a, const course_module *m, ast_node *doc, const char *const *roles, title_src *out,
                   diag *d) {
    memset(out, 0, sizeof *out);
    const char *yt = m->title ? m->title : m->meta.title;
    if (yt) {
        int line = m->title ? m->at.line : 0, col = m->title ? m->at.col : 0;
        ast_node *span = md_parse_plain(a, yt, strlen(yt), line, col, m->path, d);
        out->yaml = span_text(a, span, &out->yaml_literal);
        int has_blank = 0;
        for (const ast_node *n = span->first; n; n = n->next)
            if (n->type == AST_BLANK) has_blank = 1;
        int has_h1 = 0;
        for (const ast_node *n = doc ? doc->first : NULL; n; n = n->next)
            if (n->type == AST_HEADING && n->level == 1) has_h1 = 1;
        if (doc && has_blank && !has_h1) {
            ast_node *h = ast_new(a, AST_HEADING, line ? line : doc->line, col ? col : 1);
            h->level = 1;
            while (span->first) {
                ast_node *x = span->first;
                ast_unlink(x);
                ast_append(h, x);
            }
            ast_prepend(doc, h);
            ast_assign_heading_ids(a, doc, roles);
        }
    }
    int n = 0;
    for (const ast_node *x = doc ? doc->first : NULL; x; x = x->next)
        if (x->type == AST_HEADING && x->level == 1) n++;
    out->h1 = arena_alloc(a, sizeof(char *) * (size_t)(n + 1));
    out->h1_attr = arena_alloc(a, sizeof(ast_attr) * (size_t)(n + 1));
    out->h1_literal = arena_alloc(a, sizeof(int) * (size_t)(n + 1));
    for (const ast_node *x = doc ? doc->first : NULL; x; x = x->next) {
        if (x->type != AST_HEADING || x->level != 1) continue;
        out->h1[out->nh1] = ast_title_text(a, x, roles);
        out->h1_attr[out->nh1] = x->attr;
        out->h1_literal[out->nh1] = has_literal(x);
        out->nh1++;
    }
    const char *base = strrchr(m->file, '/');
    base = base ? base + 1 : m->file;
    const char *dot = strrchr(base, '.');
    out->file_base = dot && dot != base ? arena_strndup(a, base, (size_t)(dot - base)) : arena_strdup(a, base);
}

/* ---- variables ------------------------------------------------------------ */

static const char *var_value(const course *c, const course_module *m, const char *module_id,
                             const course_edition *ed, const title_vars *v, const char *name, size_t n) {
    for (int i = 0; i < v->n; i++)
        if (strlen(v->names[i]) == n && memcmp(v->names[i], name, n) == 0) return v->values[i];
    for (int i = 0; m && i < m->meta.nvars; i++)
        if (strlen(m->meta.vars[i].name) == n && memcmp(m->meta.vars[i].name, name, n) == 0)
            return m->meta.vars[i].value; /* NULL: a fill-in */
    for (int i = 0; i < c->nvars; i++)
        if (strlen(c->vars[i].name) == n && memcmp(c->vars[i].name, name, n) == 0) return c->vars[i].value;
#define IS(lit) (n == sizeof lit - 1 && memcmp(name, lit, n) == 0)
    if (IS("course.title") && m) return c->title;
    if (IS("course.id")) return c->id;
    if (IS("module.id")) return module_id;
    if (IS("edition") && ed) return ed->name;
#undef IS
    return NULL; /* module.title would name itself; unknown names are blanks */
}

/* `{{ name }}` → its value (a value's blanks contribute nothing), `\{{` →
 * `{{`; an unresolved variable or a fill-in contributes nothing, as its
 * labelled blank does in a heading. */
const char *title_expand(arena *a, const course *c, const course_module *m, const char *module_id,
                         const course_edition *ed, const title_vars *v, const char *s, int *literal) {
    if (!s || !v->resolve || !strstr(s, "{{")) return s;
    buf b = BUF_INIT;
    for (const char *p = s; *p;) {
        if (p[0] == '\\' && p[1] == '{' && p[2] == '{') {
            buf_puts(&b, "{{");
            p += 3;
            continue;
        }
        const char *close = p[0] == '{' && p[1] == '{' ? strstr(p + 2, "}}") : NULL;
        const char *brace = close ? strchr(p + 2, '{') : NULL;
        if (!close || (brace && brace < close)) {
            buf_putc(&b, *p++);
            continue;
        }
        const char *ns = p + 2, *ne = close;
        while (ns < ne && (*ns == ' ' || *ns == '\t')) ns++;
        while (ne > ns && (ne[-1] == ' ' || ne[-1] == '\t')) ne--;
        const char *val = ne > ns ? var_value(c, m, module_id, ed, v, ns, (size_t)(ne - ns)) : NULL;
        if (val) {
            int lit = 0;
            diag *sink = diag_new(NULL, DIAG_TEXT, 0); /* the value's problems are reported where it is defined */
            buf_puts(&b, title_plain(a, val, 0, 0, m ? m->path : c->yaml_path, sink, &lit));
            diag_free(sink);
            if (lit) *literal = 1;
        }
        p = close + 2;
    }
    const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return r;
}

/* Runs of white space become one space, none at either end. */
static const char *squeeze(arena *a, const char *s) {
    char *o = arena_alloc(a, strlen(s) + 1), *q = o;
    int space = 0;
    for (const char *p = s; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            space = q > o;
            continue;
        }
        if (space) *q++ = ' ';
        space = 0;
        *q++ = *p;
    }
    *q = 0;
    return o;
}

const char *title_for(arena *a, const course *c, const course_module *m, const char *module_id,
                      const title_src *t, const course_edition *ed, const title_vars *v, int *literal) {
    *literal = 0;
    const char *s = NULL;
    if (t->yaml) {
        s = t->yaml;
        *literal = t->yaml_literal;
    } else {
        for (int i = 0; i < t->nh1 && !s; i++) {
            if (edition_excludes(c, ed, &t->h1_attr[i])) continue;
            if (!*t->h1[i]) continue;
            s = t->h1[i];
            *literal = t->h1_literal[i];
        }
    }
    if (s) s = title_expand(a, c, m, module_id, ed, v, s, literal);
    if (s) s = squeeze(a, s);
    return s && *s ? s : t->file_base;
}

static const char **copy_classes(arena *a, const char **cls, int n) {
    const char **o = arena_alloc(a, sizeof(char *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) o[i] = arena_strdup(a, cls[i]);
    return o;
}

void title_copy(arena *a, const title_src *src, title_src *out) {
    *out = *src;
    out->yaml = arena_strdup(a, src->yaml);
    out->file_base = arena_strdup(a, src->file_base);
    out->h1 = arena_alloc(a, sizeof(char *) * (size_t)(src->nh1 + 1));
    out->h1_attr = arena_alloc(a, sizeof(ast_attr) * (size_t)(src->nh1 + 1));
    out->h1_literal = arena_alloc(a, sizeof(int) * (size_t)(src->nh1 + 1));
    for (int i = 0; i < src->nh1; i++) {
        out->h1[i] = arena_strdup(a, src->h1[i]);
        out->h1_literal[i] = src->h1_literal[i];
        const ast_attr *at = &src->h1_attr[i];
        ast_attr *o = &out->h1_attr[i];
        memset(o, 0, sizeof *o);
        o->id = arena_strdup(a, at->id);
        o->classes = copy_classes(a, at->classes, at->nclasses);
        o->nclasses = at->nclasses;
        o->kv = arena_alloc(a, sizeof(ast_kv) * (size_t)(at->nkv + 1));
        for (int k = 0; k < at->nkv; k++) {
            o->kv[k].key = arena_strdup(a, at->kv[k].key);
            o->kv[k].value = arena_strdup(a, at->kv[k].value);
        }
        o->nkv = at->nkv;
    }
}
