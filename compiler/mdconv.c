/* mdconv.c — pass 2 of md.c (SPEC §2, §3, §11.2–§11.4): the full parse of
 * the working copy → ast_node. Each marker becomes its construct again (a
 * Blank, a Span, attributes, a literal `[[`, a definition's restriction);
 * one found where its construct may not stand, or not found at all, is an
 * error at its source position. */
#include "mdint.h"
#include "mdscan.h"
#include "buf.h"
#include "safeurl.h"
#include "util.h"
#include <cmark-gfm-core-extensions.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TREE_DEPTH 256   /* nesting of cmark blocks/inlines we convert */
#define MAX_TABLE_COLUMNS 64 /* cmark-gfm 0.29 appends cells in O(cells) each */

/* ---- pass 2: conversion -------------------------------------------------------------- */

/* A bracketed span's marker in the tree, waiting to be paired. */
typedef struct span_hold {
    ast_node *holder; /* an empty Text in the parent's children */
    int k;
    int open;
} span_hold;

typedef struct conv {
    arena *a;
    mdpre *pre;
    const md_options *opt;
    diag *d;
    const char *path;
    int fixed_line, fixed_col; /* nonzero: every node gets this position (blank answers) */
    int depth, too_deep;
    int nerr;
    buf joined;
    int joined_busy;
    span_hold *holds;
    int nholds, capholds;
    int esc_brackets, esc_braces; /* escape markers met */
    int foreign;            /* <svg>/<math> open in this paragraph (raw inline HTML) */
    const md_fndef **notes; /* the footnote definitions, by number - 1 */
    int nnotes;
} conv;

static void conv_error(conv *c, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void conv_error(conv *c, int line, int col, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_report(c->d, DIAG_ERROR, c->path, line, col, "%s", msg);
    c->nerr++;
}

static void pos_of(conv *c, cmark_node *n, const ast_node *parent, int *line, int *col) {
    if (c->fixed_line) {
        *line = c->fixed_line;
        *col = c->fixed_col;
        return;
    }
    int sl = cmark_node_get_start_line(n), sc = cmark_node_get_start_column(n);
    if (sl > 0) {
        *line = mdpre_file_line(c->pre, sl - 1);
        *col = sc > 0 ? mdpre_src_col(c->pre, sl - 1, sc) : 1;
    } else {
        *line = parent ? parent->line : 0;
        *col = parent ? parent->col : 0;
    }
}

static void convert_children(conv *c, cmark_node *n, ast_node *out);

/* The escape markers, for an answer's own parse. */
static void escape_marks(mdpre *p) {
    if (!p->esc_bracket_cp) p->esc_bracket_cp = mdpre_new_mark(p, MK_ESC_BRACKET, 0);
    if (!p->esc_brace_cp) p->esc_brace_cp = mdpre_new_mark(p, MK_ESC_BRACE, 0);
}

static void put_cp(buf *b, uint32_t cp) {
    char o[4] = {(char)(0xF0 | (cp >> 18)), (char)(0x80 | ((cp >> 12) & 0x3F)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                 (char)(0x80 | (cp & 0x3F))};
    buf_put(b, o, 4);
}

/* Answer alternatives of `[[…]]`: inline Markdown, parsed on its own (a
 * word joiner in front keeps `1. x` or `# x` from becoming a block;
 * escapes become their markers as in prose). */
static ast_node *parse_alt(conv *c, const char *s, size_t n, int line, int col) {
    mdpre *p = c->pre;
    escape_marks(p);
    buf b = BUF_INIT;
    buf_puts(&b, "\xE2\x81\xA0"); /* U+2060 WORD JOINER: not a block start, dropped below */
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '[' || s[i + 1] == '{')) {
            int brace = s[i + 1] == '{';
            uint32_t cp = brace ? p->esc_brace_cp : p->esc_bracket_cp;
            if (cp) {
                put_cp(&b, cp);
                if (brace) p->esc_braces++;
                else p->esc_brackets++;
                i++;
                continue;
            }
        }
        if (s[i] == '\\' && i + 1 < n) {
            buf_put(&b, s + i, 2);
            i++;
            continue;
        }
        buf_putc(&b, s[i]);
    }
    ast_node *span = ast_new(c->a, AST_SPAN, line, col);
    cmark_node *doc = md_parse_text(b.data, b.len, 1, 0);
    buf_free(&b);
    int fl = c->fixed_line, fc = c->fixed_col;
    c->fixed_line = line;
    c->fixed_col = col;
    for (cmark_node *ch = cmark_node_first_child(doc); ch; ch = cmark_node_next(ch)) {
        if (cmark_node_get_type(ch) == CMARK_NODE_PARAGRAPH) convert_children(c, ch, span);
        break;
    }
    c->fixed_line = fl;
    c->fixed_col = fc;
    ast_node *f = span->first;
    if (f && f->type == AST_TEXT && f->text && strncmp(f->text, "\xE2\x81\xA0", 3) == 0) {
        f->text += 3;
        if (!*f->text) ast_unlink(f);
    }
    return span;
}

static size_t utf8_chars(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

/* The Blank of side-table entry k: alternatives parsed from its source. */
static ast_node *make_blank(conv *c, int k) {
    const md_blank *b = &c->pre->blanks[k];
    ast_node *bl = ast_new(c->a, AST_BLANK, b->line, b->col);
    if (b->underscore) {
        bl->underscore = 1;
        bl->width = (int)b->len;
        return bl;
    }
    /* the answer as written: its parts on each line (container prefixes
     * left out), joined by spaces */
    char *s;
    size_t n;
    if (b->lines > 1) {
        buf t = BUF_INIT;
        for (int e = 0; e < c->pre->nedits; e++) {
            const md_edit *ed = &c->pre->edits[e];
            if (ed->cp != b->cp) continue;
            if (t.len) buf_putc(&t, ' ');
            buf_put(&t, c->pre->text + ed->off, ed->len);
        }
        n = t.len >= 4 ? t.len - 4 : 0;
        s = arena_strndup(c->a, t.data ? t.data + 2 : "", n);
        buf_free(&t);
    } else {
        n = b->len - 4;
        s = arena_strndup(c->a, c->pre->text + b->off + 2, n);
    }
    size_t maxch = 0;
    ast_node **tail = &bl->alts;
    /* alternatives split on `|`, and on `\|` (the way to write it in a table) */
    size_t i = 0, start = 0;
    while (i <= n) {
        int sep_len = 0;
        if (i == n) sep_len = 0;
        else if (s[i] == '\\' && i + 1 < n && s[i + 1] == '|') sep_len = 2;
        else if (s[i] == '\\') {
            i += 2;
            continue;
        } else if (s[i] == '|') sep_len = 1;
        else {
            i++;
            continue;
        }
        size_t as = start, ae = i;
        while (as < ae && (s[as] == ' ' || s[as] == '\t')) as++;
        while (ae > as && (s[ae - 1] == ' ' || s[ae - 1] == '\t')) ae--;
        if (ae > as) {
            ast_node *span = parse_alt(c, s + as, ae - as, b->line, b->col + 2 + (int)as);
            size_t ch = utf8_chars(ast_plain_text(c->a, span));
            if (ch > maxch) maxch = ch;
            span->parent = NULL;
            *tail = span;
            tail = &span->next;
        }
        if (i == n) break;
        i += (size_t)sep_len;
        start = i;
    }
    bl->width = ast_blank_step(maxch);
    return bl;
}

/* Where a marker may land. */
typedef enum { IN_TEXT, IN_CODE, IN_URL, IN_TITLE, IN_HTML, IN_INFO } place;

static const char *place_name(place w) {
    switch (w) {
    case IN_URL: return "a URL";
    case IN_TITLE: return "a link or image title";
    case IN_HTML: return "raw HTML";
    case IN_INFO: return "a code block's info string";
    default: return "code";
    }
}

/* A string from cmark (code, URL, title, raw HTML, info) with every marker
 * put back as the source had it; a blank there is an error. *literal: an
 * escaped `[[` was met; *defk: the definition marker at the start (URLs),
 * else -1. */
static const char *restore(conv *c, const char *s, place where, int *literal, int *defk) {
    if (defk) *defk = -1;
    if (!s) return NULL;
    size_t n = strlen(s);
    if (!memchr(s, 0xF3, n) && !memchr(s, 0xF4, n)) return arena_strndup(c->a, s, n);
    mdpre *p = c->pre;
    buf b = BUF_INIT;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        mk_kind kind;
        int k;
        size_t l = mdpre_pua_at(s + i, n - i, &cp);
        if (!l || !mdpre_mark_of(p, cp, &kind, &k)) {
            buf_putc(&b, s[i++]);
            continue;
        }
        i += l;
        switch (kind) {
        case MK_BLANK: {
            md_blank *bl = &p->blanks[k];
            bl->seen++;
            if (!bl->underscore && where != IN_CODE && bl->seen == 1)
                conv_error(c, bl->line, bl->col, "blank `%.*s` cannot stand in %s: write it without the blank",
                           (int)(bl->len < 60 ? bl->len : 60), p->text + bl->off, place_name(where));
            if (bl->lines > 1) { /* each line's part of it has the marker: write it once */
                if (bl->seen == 1) buf_put(&b, p->text + bl->off, bl->len);
            } else {
                buf_put(&b, p->text + bl->off, bl->len);
            }
            break;
        }
        case MK_SPAN_OPEN:
            p->spans[k].seen++;
            buf_putc(&b, '[');
            break;
        case MK_SPAN_CLOSE:
            p->spans[k].seen++;
            buf_put(&b, p->text + p->spans[k].close_off, p->spans[k].close_len);
            break;
        case MK_ATTR:
            p->attrs[k].seen++;
            buf_put(&b, p->text + p->attrs[k].off, p->attrs[k].len);
            break;
        case MK_DEF:
            if (defk && b.len == 0) *defk = k;
            break;
        case MK_ESC_BRACKET:
            c->esc_brackets++;
            if (where == IN_URL || where == IN_TITLE) buf_putc(&b, '[');
            else buf_puts(&b, "\\[");
            if (i < n && s[i] == '[' && literal) *literal = 1;
            break;
        case MK_ESC_BRACE:
            c->esc_braces++;
            if (where == IN_URL || where == IN_TITLE) buf_putc(&b, '{');
            else buf_puts(&b, "\\{");
            break;
        }
    }
    const char *r = arena_strndup(c->a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return r;
}

static void add_text(conv *c, ast_node *out, buf *t, int line, int col) {
    if (!t->len) return;
    ast_node *x = ast_new(c->a, AST_TEXT, line, col);
    x->text = arena_strndup(c->a, t->data, t->len);
    ast_append(out, x);
    t->len = 0;
}

/* The Blank k met in text: a new node, or nothing when it continues the
 * blank of the previous line (then the line break between goes too). */
static void emit_blank(conv *c, ast_node *out, int k) {
    md_blank *b = &c->pre->blanks[k];
    b->seen++;
    if (b->seen > 1) {
        ast_node *last = out->last;
        if (last && last->type == AST_SOFTBREAK) ast_unlink(last);
        return;
    }
    ast_append(out, make_blank(c, k));
}

static void hold_span(conv *c, ast_node *out, int k, int open, int line, int col) {
    ast_node *h = ast_new(c->a, AST_TEXT, line, col);
    h->text = "";
    ast_append(out, h);
    if (c->nholds == c->capholds) {
        c->capholds = c->capholds ? c->capholds * 2 : 16;
        c->holds = xrealloc(c->holds, sizeof *c->holds * (size_t)c->capholds);
    }
    c->holds[c->nholds++] = (span_hold){h, k, open};
}

/* The file position of body offset off. */
static void after(const mdpre *p, size_t off, int *line, int *col) {
    int li = mdpre_line_of(p, off);
    *line = mdpre_file_line(p, li);
    *col = (int)(off - p->line_off[li]) + 1;
}

/* Text with markers → Text, Blank, literal `[[` and span holders, into out. */
static void emit_text(conv *c, ast_node *out, const char *s, size_t n, int line, int col) {
    mdpre *p = c->pre;
    buf t = BUF_INIT;
    int tl = line, tc = col;
    for (size_t i = 0; i < n;) {
        const char *q1 = memchr(s + i, 0xF3, n - i), *q2 = memchr(s + i, 0xF4, n - i);
        const char *q = q1 && (!q2 || q1 < q2) ? q1 : q2;
        size_t j = q ? (size_t)(q - s) : n;
        buf_put(&t, s + i, j - i);
        i = j;
        if (i >= n) break;
        uint32_t cp;
        mk_kind kind;
        int k;
        size_t l = mdpre_pua_at(s + i, n - i, &cp);
        if (!l || !mdpre_mark_of(p, cp, &kind, &k)) {
            buf_putc(&t, s[i++]);
            continue;
        }
        i += l;
        switch (kind) {
        case MK_BLANK:
            add_text(c, out, &t, tl, tc);
            emit_blank(c, out, k);
            after(p, p->blanks[k].off + p->blanks[k].len, &tl, &tc);
            break;
        case MK_SPAN_OPEN:
        case MK_SPAN_CLOSE:
            add_text(c, out, &t, tl, tc);
            hold_span(c, out, k, kind == MK_SPAN_OPEN, p->spans[k].line, p->spans[k].col);
            p->spans[k].seen++;
            if (kind == MK_SPAN_OPEN) tl = p->spans[k].line, tc = p->spans[k].col + 1;
            else after(p, p->spans[k].close_off + p->spans[k].close_len, &tl, &tc);
            break;
        case MK_ATTR: {
            md_attrblk *ab = &p->attrs[k];
            ab->seen++;
            if (ab->seen > 1) break; /* attached to the node before by its converter */
            /* nothing to attach to: the text as written */
            if (md_restricting(&ab->attr, c->opt->role_classes))
                conv_error(c, ab->line, ab->col,
                           "attribute block `%.*s` applies to nothing here: write it right after a link, image, "
                           "code or `[text]` (no space), or use a fenced div",
                           (int)ab->len, p->text + ab->off);
            buf_put(&t, p->text + ab->off, ab->len);
            break;
        }
        case MK_DEF:
            break; /* a definition we misread: it was an insertion, nothing to put back */
        case MK_ESC_BRACKET:
            c->esc_brackets++;
            if (i < n && s[i] == '[') {
                /* `\[[`: a literal `[[`, in a Text node of its own that says so */
                add_text(c, out, &t, tl, tc);
                ast_node *x = ast_new(c->a, AST_TEXT, tl, tc);
                x->text = "[[";
                x->literal = 1;
                ast_append(out, x);
                i++;
            } else buf_putc(&t, '[');
            break;
        case MK_ESC_BRACE:
            c->esc_braces++;
            if (i < n && s[i] == '{') {
                buf_puts(&t, "\\{{"); /* the vars filter makes it a literal `{{` */
                i++;
            } else buf_putc(&t, '{');
            break;
        }
    }
    add_text(c, out, &t, tl, tc);
    buf_free(&t);
}

/* The attribute block written right after node n (a link, image or code):
 * its index, or -1. */
static int attr_after(conv *c, cmark_node *n) {
    cmark_node *nx = cmark_node_next(n);
    if (!nx || cmark_node_get_type(nx) != CMARK_NODE_TEXT) return -1;
    const char *l = cmark_node_get_literal(nx);
    uint32_t cp;
    mk_kind kind;
    int k;
    if (!l || !mdpre_pua_at(l, strlen(l), &cp) || !mdpre_mark_of(c->pre, cp, &kind, &k) || kind != MK_ATTR) return -1;
    return k;
}

static void take_attr(conv *c, cmark_node *n, ast_node *x) {
    int k = attr_after(c, n);
    if (k < 0) return;
    x->attr = c->pre->attrs[k].attr;
    c->pre->attrs[k].seen++; /* emit_text skips it now */
}

/* Inline code: its literal, or with the class `blanks` its Text and Blank
 * children. */
static void convert_code(conv *c, cmark_node *n, ast_node *x) {
    take_attr(c, n, x);
    const char *lit = cmark_node_get_literal(n);
    if (!lit) lit = "";
    if (md_attr_has_class(&x->attr, "blanks")) {
        emit_text(c, x, lit, strlen(lit), x->line, x->col);
        return;
    }
    x->text = restore(c, lit, IN_CODE, &x->literal, NULL);
    x->literal = 1; /* code is printed as written (SPEC §11.4) */
}

static void convert_worksheet(conv *c, cmark_node *n, ast_node *ws) {
    const char *lit = cmark_node_get_literal(n);
    if (!lit) return;
    mdpre *p = c->pre;
    int idx = cmark_node_get_start_line(n); /* body index of the first content line */
    const char *q = lit;
    int first = 1;
    while (*q) {
        const char *e = strchr(q, '\n');
        size_t len = e ? (size_t)(e - q) : strlen(q);
        int line = mdpre_file_line(p, idx), col = ws->col;
        if (idx < p->nlines) {
            size_t ls = p->work_line_off[idx], le = p->work_line_off[idx + 1] - 1;
            if (le > p->work_len) le = p->work_len;
            while (le > ls && (p->work[le - 1] == '\n' || p->work[le - 1] == '\r')) le--;
            if (le - ls >= len && memcmp(p->work + le - len, q, len) == 0)
                col = mdpre_src_col(p, idx, (int)(le - len - ls) + 1);
        }
        if (!first) ast_append(ws, ast_new(c->a, AST_LINEBREAK, line, 1));
        first = 0;
        emit_text(c, ws, q, len, line, col);
        idx++;
        if (!e) break;
        q = e + 1;
    }
}

/* Raw HTML without its comments (SPEC §11.2: comments reach no output). */
static const char *strip_comments(arena *a, const char *s) {
    if (!strstr(s, "<!--")) return s;
    buf b = BUF_INIT;
    for (const char *q = s;;) {
        const char *st = strstr(q, "<!--");
        if (!st) {
            buf_puts(&b, q);
            break;
        }
        buf_put(&b, q, (size_t)(st - q));
        const char *en = strstr(st + 4, "-->");
        if (!en) break; /* an unterminated comment runs to the end */
        q = en + 3;
    }
    const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return r;
}

/* Inline raw HTML opening or closing an <svg> or a <math>: inside one,
 * SVG and MathML elements are elements (c->foreign counts the open ones
 * of the current paragraph or heading). */
static void foreign_tag(conv *c, const char *lit, const char *tag, size_t tn) {
    if (!((tn == 3 && strncasecmp(tag, "svg", 3) == 0) || (tn == 4 && strncasecmp(tag, "math", 4) == 0))) return;
    size_t len = strlen(lit);
    while (len && (lit[len - 1] == ' ' || lit[len - 1] == '\n')) len--;
    if (tag[-1] == '/') {
        if (c->foreign > 0) c->foreign--;
    } else if (!(len >= 2 && lit[len - 2] == '/' && lit[len - 1] == '>')) {
        c->foreign++;
    }
}

/* The element name of the tag raw HTML starts with (`<name` or `</name`),
 * its length, or 0 (a comment, a declaration, text). */
static size_t tag_name(const char *s, const char **name) {
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    if (*s != '<') return 0;
    s++;
    if (*s == '/') s++;
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) return 0;
    const char *b = s;
    while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-') s++;
    *name = b;
    return (size_t)(s - b);
}

static int blank_string(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return 0;
    return 1;
}

/* The title= of an exercise or activity may hold blanks (SPEC §11.4): its
 * inline nodes become the box's first child, a Paragraph with the class
 * `box-title` that the writers show as the title (so an edition with answers
 * shows the answer there); title= keeps the plain text, in which a blank
 * contributes nothing, for filters and contents (a literal `[[` written
 * `\[[` again). */
static void box_title(conv *c, ast_node *div) {
    const char *title = ast_attr_get(&div->attr, "title");
    if (!title || md_find_blank_syntax(title, strlen(title)) < 0) return;
    if (!md_attr_has_class(&div->attr, "exercise") && !md_attr_has_class(&div->attr, "activity")) return;
    ast_node *span = md_parse_plain(c->a, title, strlen(title), div->line, div->col, c->path, c->d);
    ast_node *para = ast_new(c->a, AST_PARAGRAPH, div->line, div->col);
    ast_add_class(c->a, para, "box-title");
    buf plain = BUF_INIT;
    while (span->first) {
        ast_node *x = span->first;
        ast_unlink(x);
        if (x->type == AST_TEXT && x->text) buf_puts(&plain, x->literal ? "\\[[" : x->text);
        ast_append(para, x);
    }
    ast_append(div, para);
    /* a copy of the attributes: the fence table's are shared by every parse of the module */
    ast_attr at = div->attr;
    at.kv = arena_alloc(c->a, sizeof(ast_kv) * (size_t)(at.nkv + 1));
    memcpy(at.kv, div->attr.kv, sizeof(ast_kv) * (size_t)div->attr.nkv);
    for (int i = 0; i < at.nkv; i++)
        if (strcmp(at.kv[i].key, "title") == 0)
            at.kv[i].value = arena_strndup(c->a, plain.data ? plain.data : "", plain.len);
    div->attr = at;
    buf_free(&plain);
}

/* The definition line the structure scan found for footnote definition n
 * (cmark-gfm gives its content's start): the last `[^label]:` line at or
 * before it, or NULL. */
static const md_fndef *note_def(const conv *c, cmark_node *n) {
    const mdpre *p = c->pre;
    int li = cmark_node_get_start_line(n) - 1, lo = 0, hi = p->nfndefs - 1;
    const md_fndef *best = NULL;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (p->fndefs[mid].line <= li) best = &p->fndefs[mid], lo = mid + 1;
        else hi = mid - 1;
    }
    return best;
}

static void convert_node(conv *c, cmark_node *n, ast_node *out) {
    cmark_node_type t = cmark_node_get_type(n);
    int line, col;
    pos_of(c, n, out, &line, &col);
    ast_node *x = NULL;
    int descend = 1;
    if (t == mddiv_div_type()) {
        x = ast_new(c->a, AST_DIV, line, col);
        const md_fence *f = mddiv_fence_of(c->pre, n);
        if (f) {
            x->attr = f->attr;
            x->col = f->col;
        }
        ast_append(out, x);
        box_title(c, x);
        convert_children(c, n, x);
        return;
    }
    if (t == mddiv_close_type() || t == mddiv_bad_type()) return;
    switch (t) {
    case CMARK_NODE_DOCUMENT:
    case CMARK_NODE_CUSTOM_BLOCK:
    case CMARK_NODE_CUSTOM_INLINE:
        convert_children(c, n, out);
        return;
    case CMARK_NODE_FOOTNOTE_DEFINITION:
    case CMARK_NODE_FOOTNOTE_REFERENCE: {
        /* a reference's literal is its footnote's number; the definitions
         * stand last in the document, by number */
        const md_fndef *f = NULL;
        if (t == CMARK_NODE_FOOTNOTE_REFERENCE) {
            const char *num = cmark_node_get_literal(n);
            int k = num ? atoi(num) - 1 : -1;
            f = k >= 0 && k < c->nnotes ? c->notes[k] : NULL;
        } else {
            f = note_def(c, n);
        }
        if (!f) {
            conv_error(c, line, col, "this footnote was not found where the structure scan looked for it: please "
                                     "report this module");
            return;
        }
        x = ast_new(c->a, t == CMARK_NODE_FOOTNOTE_REFERENCE ? AST_NOTEREF : AST_FOOTNOTE, line, col);
        x->label = arena_strndup(c->a, c->pre->text + f->label_off, f->label_len);
        x->defr = f->restr;
        descend = t == CMARK_NODE_FOOTNOTE_DEFINITION;
        break;
    }
    case CMARK_NODE_BLOCK_QUOTE:
        x = ast_new(c->a, AST_BLOCKQUOTE, line, col);
        break;
    case CMARK_NODE_LIST:
        x = ast_new(c->a, AST_LIST, line, col);
        x->ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
        x->start = x->ordered ? cmark_node_get_list_start(n) : 0;
        x->tight = cmark_node_get_list_tight(n);
        break;
    case CMARK_NODE_ITEM: {
        x = ast_new(c->a, AST_ITEM, line, col);
        const char *ts = cmark_node_get_type_string(n);
        x->checked = ts && strcmp(ts, "tasklist") == 0 ? (cmark_gfm_extensions_get_tasklist_item_checked(n) ? 1 : 0)
                                                       : -1;
        break;
    }
    case CMARK_NODE_CODE_BLOCK: {
        const char *info = cmark_node_get_fence_info(n);
        const char *word;
        ast_attr attr;
        md_split_info(c->a, info, &word, &attr);
        int live = (word && strcmp(word, "worksheet") == 0) || md_attr_has_class(&attr, "blanks");
        if (live) {
            x = ast_new(c->a, AST_WORKSHEET, line, col);
            x->attr = attr;
            if (word && strcmp(word, "worksheet") != 0) x->info = restore(c, word, IN_INFO, NULL, NULL);
            convert_worksheet(c, n, x);
        } else {
            x = ast_new(c->a, AST_CODEBLOCK, line, col);
            x->text = restore(c, cmark_node_get_literal(n), IN_CODE, NULL, NULL);
            x->literal = 1; /* code is printed as written (SPEC §11.4) */
            x->info = word ? restore(c, word, IN_INFO, NULL, NULL) : NULL;
            x->attr = attr;
        }
        descend = 0;
        break;
    }
    case CMARK_NODE_HTML_BLOCK:
    case CMARK_NODE_HTML_INLINE: {
        const char *lit = restore(c, cmark_node_get_literal(n), IN_HTML, NULL, NULL);
        lit = strip_comments(c->a, lit ? lit : "");
        if (blank_string(lit)) return; /* a comment, or nothing */
        if (c->opt->safe) {
            diag_report(c->d, DIAG_WARNING, c->path, line, col, "raw HTML dropped (--safe)");
            return;
        }
        const char *tag;
        size_t tn = tag_name(lit, &tag);
        int kind = tn ? mdscan_known_element(tag, tn) : 1;
        if (tn && t == CMARK_NODE_HTML_INLINE) foreign_tag(c, lit, tag, tn);
        if (kind == 2 && (t == CMARK_NODE_HTML_BLOCK || c->foreign)) kind = 1;
        if (kind != 1) {
            /* `<commit message here>`, `<path to file>`: not an element
             * where it stands, text (SPEC §11.7) */
            diag_report(c->d, DIAG_WARNING, c->path, line, col,
                        kind ? "`<%.*s>` is an SVG or MathML element outside any <svg> or <math>: it is shown as "
                               "text (write `&lt;` for a literal `<`)"
                             : "`<%.*s>` is not an HTML, SVG or MathML element: it is shown as text (write `&lt;` "
                               "for a literal `<`)",
                        (int)tn, tag);
            ast_node *txt = ast_new(c->a, AST_TEXT, line, col);
            size_t len = strlen(lit);
            while (len && (lit[len - 1] == '\n' || lit[len - 1] == '\r')) len--;
            txt->text = arena_strndup(c->a, lit, len);
            if (t == CMARK_NODE_HTML_INLINE) {
                ast_append(out, txt);
                return;
            }
            x = ast_new(c->a, AST_PARAGRAPH, line, col);
            ast_append(x, txt);
            ast_append(out, x);
            return;
        }
        x = ast_new(c->a, t == CMARK_NODE_HTML_BLOCK ? AST_HTMLBLOCK : AST_HTMLINLINE, line, col);
        x->text = lit;
        x->format = "html";
        descend = 0;
        break;
    }
    case CMARK_NODE_PARAGRAPH:
        x = ast_new(c->a, AST_PARAGRAPH, line, col);
        c->foreign = 0;
        break;
    case CMARK_NODE_HEADING: {
        x = ast_new(c->a, AST_HEADING, line, col);
        c->foreign = 0;
        x->level = cmark_node_get_heading_level(n);
        int sl = cmark_node_get_start_line(n), el = cmark_node_get_end_line(n);
        if (sl > 0 && !c->fixed_line)
            for (int i = (el > sl ? el : sl) - 1; i >= sl - 1 && i >= 0; i--) {
                const ast_attr *ha = mdpre_hattr(c->pre, i, NULL);
                if (ha) {
                    x->attr = *ha;
                    break;
                }
            }
        break;
    }
    case CMARK_NODE_THEMATIC_BREAK:
        x = ast_new(c->a, AST_THEMATICBREAK, line, col);
        descend = 0;
        break;
    case CMARK_NODE_TEXT: {
        const char *l = cmark_node_get_literal(n);
        if (l) emit_text(c, out, l, strlen(l), line, col);
        return;
    }
    case CMARK_NODE_SOFTBREAK:
        x = ast_new(c->a, AST_SOFTBREAK, line, col);
        descend = 0;
        break;
    case CMARK_NODE_LINEBREAK:
        x = ast_new(c->a, AST_LINEBREAK, line, col);
        descend = 0;
        break;
    case CMARK_NODE_CODE:
        x = ast_new(c->a, AST_CODE, line, col);
        ast_append(out, x);
        convert_code(c, n, x);
        return;
    case CMARK_NODE_EMPH:
        x = ast_new(c->a, AST_EMPH, line, col);
        break;
    case CMARK_NODE_STRONG:
        x = ast_new(c->a, AST_STRONG, line, col);
        break;
    case CMARK_NODE_LINK:
    case CMARK_NODE_IMAGE: {
        int defk = -1, lit = 0;
        const char *url = restore(c, cmark_node_get_url(n), IN_URL, &lit, &defk);
        char scheme[32], why[256];
        safeurl_verdict v = c->opt->safe ? safeurl_check(url, t == CMARK_NODE_IMAGE, scheme, sizeof scheme) : SAFEURL_OK;
        if (v != SAFEURL_OK) {
            diag_report(c->d, DIAG_WARNING, c->path, line, col, "%s", safeurl_message(v, scheme, why, sizeof why));
            convert_children(c, n, out); /* keep the link text / alt text */
            return;
        }
        x = ast_new(c->a, t == CMARK_NODE_LINK ? AST_LINK : AST_IMAGE, line, col);
        x->url = url;
        x->title = restore(c, cmark_node_get_title(n), IN_TITLE, &lit, NULL);
        x->literal = lit;
        if (defk >= 0) x->defr = c->pre->defs[defk].restr;
        take_attr(c, n, x);
        break;
    }
    default: {
        const char *ts = cmark_node_get_type_string(n);
        if (!ts) ts = "";
        if (strcmp(ts, "table") == 0) {
            int ncols = cmark_gfm_extensions_get_table_columns(n);
            if (ncols > MAX_TABLE_COLUMNS) {
                diag_report(c->d, DIAG_ERROR, c->path, line, col,
                            "table has %d columns, over the limit of %d: split it into narrower tables", ncols,
                            MAX_TABLE_COLUMNS);
                c->nerr++;
                return;
            }
            x = ast_new(c->a, AST_TABLE, line, col);
            x->ncols = ncols;
            uint8_t *al = cmark_gfm_extensions_get_table_alignments(n);
            if (x->ncols > 0) {
                x->aligns = arena_alloc(c->a, sizeof(ast_align) * (size_t)x->ncols);
                for (int i = 0; i < x->ncols; i++) {
                    uint8_t v = al ? al[i] : 0;
                    x->aligns[i] = v == 'l'   ? AST_ALIGN_LEFT
                                   : v == 'c' ? AST_ALIGN_CENTER
                                   : v == 'r' ? AST_ALIGN_RIGHT
                                              : AST_ALIGN_NONE;
                }
            }
        } else if (strcmp(ts, "table_header") == 0 || strcmp(ts, "table_row") == 0) {
            x = ast_new(c->a, AST_TABLEROW, line, col);
            x->is_header = strcmp(ts, "table_header") == 0 || cmark_gfm_extensions_get_table_row_is_header(n);
        } else if (strcmp(ts, "table_cell") == 0) {
            x = ast_new(c->a, AST_TABLECELL, line, col);
        } else if (strcmp(ts, "strikethrough") == 0) {
            x = ast_new(c->a, AST_STRIKETHROUGH, line, col);
        } else {
            convert_children(c, n, out); /* unknown extension node: keep its content */
            return;
        }
        break;
    }
    }
    ast_append(out, x);
    if (descend) convert_children(c, n, x);
}

/* Pair the span holders among out's children (from index `from` of
 * c->holds): the nodes between an opening and its closing holder become a
 * Span with the span's attributes. A holder without its partner among the
 * same children is an error (the span crosses other markup). */
static void pair_spans(conv *c, ast_node *out, int from) {
    for (int i = from; i < c->nholds; i++) {
        span_hold *o = &c->holds[i];
        if (!o->open || !o->holder) continue;
        span_hold *cl = NULL;
        for (int j = i + 1; j < c->nholds; j++)
            if (!c->holds[j].open && c->holds[j].k == o->k && c->holds[j].holder) cl = &c->holds[j];
        const md_span *sp = &c->pre->spans[o->k];
        if (!cl || cl->holder->parent != out || o->holder->parent != out) continue;
        ast_node *span = ast_new(c->a, AST_SPAN, sp->line, sp->col);
        span->attr = sp->attr;
        ast_insert_before(o->holder, span);
        for (ast_node *m = o->holder->next; m && m != cl->holder;) {
            ast_node *nx = m->next;
            ast_unlink(m);
            ast_append(span, m);
            m = nx;
        }
        ast_unlink(o->holder);
        ast_unlink(cl->holder);
        o->holder = cl->holder = NULL;
    }
}

static void convert_children(conv *c, cmark_node *n, ast_node *out) {
    if (c->depth >= MAX_TREE_DEPTH) {
        if (!c->too_deep) {
            diag_report(c->d, DIAG_ERROR, c->path, out->line, out->col, "Markdown nested more than %d levels deep",
                        MAX_TREE_DEPTH);
            c->nerr++;
        }
        c->too_deep = 1;
        return;
    }
    c->depth++;
    int holds0 = c->nholds;
    cmark_node *ch = cmark_node_first_child(n);
    while (ch) {
        if (cmark_node_get_type(ch) == CMARK_NODE_TEXT) {
            /* join adjacent text pieces so that markers are whole */
            int line, col;
            pos_of(c, ch, out, &line, &col);
            cmark_node *nx = cmark_node_next(ch);
            if (!nx || cmark_node_get_type(nx) != CMARK_NODE_TEXT) {
                const char *l = cmark_node_get_literal(ch);
                if (l) emit_text(c, out, l, strlen(l), line, col);
                ch = nx;
                continue;
            }
            buf own = BUF_INIT, *t = c->joined_busy ? &own : &c->joined;
            int took = t == &c->joined;
            t->len = 0;
            while (ch && cmark_node_get_type(ch) == CMARK_NODE_TEXT) {
                const char *l = cmark_node_get_literal(ch);
                if (l) buf_puts(t, l);
                ch = cmark_node_next(ch);
            }
            if (took) c->joined_busy = 1;
            emit_text(c, out, t->len ? t->data : "", t->len, line, col);
            if (took) c->joined_busy = 0;
            buf_free(&own);
            continue;
        }
        convert_node(c, ch, out);
        ch = cmark_node_next(ch);
    }
    if (c->nholds > holds0) pair_spans(c, out, holds0);
    c->depth--;
}

/* Adjacent Text nodes become one (a literal `[[` keeps its own node). */
static void merge_texts(arena *a, ast_node *n) {
    for (ast_node *ch = n->first; ch;) {
        ast_node *nx = ch->next;
        if (ch->type == AST_TEXT && nx && nx->type == AST_TEXT && !ch->literal && !nx->literal) {
            ch->text = arena_printf(a, "%s%s", ch->text ? ch->text : "", nx->text ? nx->text : "");
            ast_unlink(nx);
            continue;
        }
        if (ch->type == AST_TEXT && ch->text && !*ch->text && !ch->literal) {
            ast_unlink(ch);
            ch = nx;
            continue;
        }
        if (ch->first) merge_texts(a, ch);
        for (ast_node *alt = ch->alts; alt; alt = alt->next) merge_texts(a, alt);
        ch = nx;
    }
}

/* ---- after the conversion --------------------------------------------------------- */

/* A task list inside a `choice` that cmark-gfm 0.29 did not read as one (in
 * a block quote): items whose text starts `[ ] `, `[x] ` or `[X] `. */
static void choice_items(arena *a, ast_node *n, int in_choice) {
    if (n->type == AST_DIV) {
        for (int i = 0; i < n->attr.nclasses; i++)
            if (strcmp(n->attr.classes[i], "choice") == 0) in_choice = 1;
    }
    if (in_choice && n->type == AST_ITEM && n->checked < 0) {
        ast_node *para = n->first;
        ast_node *t = para && para->type == AST_PARAGRAPH ? para->first : NULL;
        if (t && t->type == AST_TEXT && t->text && strlen(t->text) >= 3 && t->text[0] == '[' && t->text[2] == ']' &&
            (t->text[1] == ' ' || t->text[1] == 'x' || t->text[1] == 'X') &&
            (t->text[3] == ' ' || t->text[3] == 0 || t->text[3] == '\t')) {
            n->checked = t->text[1] != ' ';
            const char *rest = t->text + 3;
            while (*rest == ' ' || *rest == '\t') rest++;
            t->text = arena_strdup(a, rest);
            if (!*t->text) ast_unlink(t);
        }
    }
    for (ast_node *c = n->first; c; c = c->next) choice_items(a, c, in_choice);
}

/* Every marker placed came back exactly once (a multi-line blank once per
 * line); any other count means its construct stood where it cannot (an
 * unused reference definition, say): an error at its source position. */
static void check_counts(conv *c) {
    mdpre *p = c->pre;
    for (int k = 0; k < p->nblanks; k++) {
        md_blank *b = &p->blanks[k];
        if (b->seen == b->lines || (b->seen > 0 && b->underscore)) continue;
        if (b->seen > b->lines) continue; /* also in a URL or title: reported there */
        conv_error(c, b->line, b->col,
                   "blank `%.*s` could not be placed: a blank cannot stand in a link reference definition, a URL "
                   "or a title",
                   (int)(b->len < 60 ? b->len : 60), p->text + b->off);
    }
    for (int k = 0; k < c->nholds; k++) {
        span_hold *h = &c->holds[k];
        if (!h->holder) continue;
        if (h->open) {
            const md_span *s = &p->spans[h->k];
            conv_error(c, s->line, s->col,
                       "bracketed span crosses other markup (emphasis, a link): close inside the span what opens "
                       "inside it");
        }
        ast_unlink(h->holder);
    }
    for (int k = 0; k < p->nspans; k++)
        if (p->spans[k].seen != 2)
            conv_error(c, p->spans[k].line, p->spans[k].col,
                       "bracketed span could not be placed: a span cannot stand in a URL, a title or code");
    for (int k = 0; k < p->nattrs; k++)
        if (p->attrs[k].seen < 1)
            conv_error(c, p->attrs[k].line, p->attrs[k].col,
                       "attribute block `%.*s` could not be placed: write it right after a link, image or code",
                       (int)p->attrs[k].len, p->text + p->attrs[k].off);
    if (c->esc_brackets != p->esc_brackets || c->esc_braces != p->esc_braces)
        conv_error(c, p->first_line, 1, "%d escaped brackets or braces were lost in parsing: please report this module",
                   abs(p->esc_brackets - c->esc_brackets) + abs(p->esc_braces - c->esc_braces));
}

ast_node *mdconv_run(arena *a, mdpre *p, const md_options *opt, cmark_node *fdoc) {
    conv c = {0};
    c.a = a;
    c.pre = p;
    c.opt = opt;
    c.d = p->d;
    c.path = p->path;
    ast_node *doc = ast_new(a, AST_DOCUMENT, p->first_line, 1);
    /* cmark-gfm puts the footnote definitions last, by number */
    cmark_node *first_note = NULL;
    for (cmark_node *ch = cmark_node_last_child(fdoc);
         ch && cmark_node_get_type(ch) == CMARK_NODE_FOOTNOTE_DEFINITION; ch = cmark_node_previous(ch)) {
        first_note = ch;
        c.nnotes++;
    }
    if (c.nnotes) {
        c.notes = arena_alloc(a, sizeof *c.notes * (size_t)c.nnotes);
        int i = 0;
        for (cmark_node *ch = first_note; ch; ch = cmark_node_next(ch)) c.notes[i++] = note_def(&c, ch);
    }
    convert_children(&c, fdoc, doc);
    check_counts(&c);
    buf_free(&c.joined);
    free(c.holds);
    merge_texts(a, doc);
    choice_items(a, doc, 0);
    ast_assign_heading_ids(a, doc, opt->role_classes);
    p->nerr += c.nerr;
    return doc;
}

/* md_parse_plain: `[[…]]` (the last two of a run of brackets) and `\[[`. */
ast_node *mdconv_plain(arena *a, mdpre *pre, int line, int col) {
    const char *s = pre->text;
    size_t len = pre->len;
    ast_node *span = ast_new(a, AST_SPAN, line, col);
    conv c = {0};
    c.a = a;
    c.pre = pre;
    md_options o = {0};
    c.opt = &o;
    c.d = pre->d;
    c.path = pre->path;
    buf t = BUF_INIT;
    for (size_t i = 0; i < len;) {
        if (s[i] == '\\' && i + 2 < len && s[i + 1] == '[' && s[i + 2] == '[') {
            add_text(&c, span, &t, line, col);
            ast_node *x = ast_new(a, AST_TEXT, line, col);
            x->text = "[[";
            x->literal = 1;
            ast_append(span, x);
            i += 3;
            continue;
        }
        if (s[i] == '[' && i + 2 < len && s[i + 1] == '[' && s[i + 2] != '[') {
            size_t e = 0;
            for (size_t j = i + 2; j + 1 < len; j++) {
                if (s[j] == '\\') {
                    j++;
                    continue;
                }
                if (s[j] == ']' && s[j + 1] == ']') {
                    e = j + 2;
                    break;
                }
            }
            if (e) {
                add_text(&c, span, &t, line, col);
                size_t b[1] = {i}, l[1] = {e - i};
                int k = mdpre_add_blank(pre, i, e - i, 0, b, l, 1);
                if (k >= 0) {
                    pre->blanks[k].line = line;
                    pre->blanks[k].col = col + (int)i;
                    ast_append(span, make_blank(&c, k));
                }
                i = e;
                continue;
            }
        }
        buf_putc(&t, s[i++]);
    }
    add_text(&c, span, &t, line, col);
    buf_free(&t);
    merge_texts(a, span);
    pre->nerr += c.nerr;
    return span;
}
