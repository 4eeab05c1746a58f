/* markup.c — the node type table of docs/markup.md and the attribute order
 * both writers follow (markup.h). */
#include "markup.h"
#include "htmlattr.h"
#include "labels.h"
#include <stdio.h>
#include <string.h>

#define MARKUP_STR(k, s) s,
const char *const markup_el_names[ME_COUNT] = {MARKUP_ELEMENTS(MARKUP_STR)};

const char *const markup_attr_names[MA_COUNT] = {
    "alt", "start", "id", "class", "title", "lang", "width", "height", "style", "data-duration", "data-lines",
    "data-page-break", NULL,
};

enum { B = MK_BLOCK, IC = MK_ID | MK_CLASS };

static const markup_rule rules[AST_TYPE_COUNT] = {
    [AST_DOCUMENT] = {ME_NONE, NULL, 0},
    [AST_HEADING] = {ME_NONE, NULL, IC | B}, /* h1..h6 */
    [AST_PARAGRAPH] = {ME_P, NULL, IC | B},
    [AST_BLOCKQUOTE] = {ME_BLOCKQUOTE, NULL, IC | B},
    [AST_LIST] = {ME_NONE, NULL, MK_START | IC | B}, /* ol, ul */
    [AST_ITEM] = {ME_LI, NULL, IC | B},
    [AST_CODEBLOCK] = {ME_PRE, NULL, IC | MK_ATTRS | B},
    [AST_HTMLBLOCK] = {ME_NONE, NULL, 0},
    [AST_THEMATICBREAK] = {ME_HR, NULL, MK_VOID | B},
    [AST_TABLE] = {ME_TABLE, NULL, IC | B},
    [AST_TABLEROW] = {ME_TR, NULL, IC | B},
    [AST_TABLECELL] = {ME_TD, NULL, IC | MK_ALIGN | B}, /* th in a header row */
    [AST_DIV] = {ME_DIV, NULL, IC | MK_DATA | B},
    [AST_WORKSHEET] = {ME_PRE, "worksheet", IC | MK_ATTRS | B},
    [AST_TEXT] = {ME_NONE, NULL, 0},
    [AST_CODE] = {ME_CODE, NULL, IC | MK_ATTRS},
    [AST_EMPH] = {ME_EM, NULL, 0},
    [AST_STRONG] = {ME_STRONG, NULL, 0},
    [AST_STRIKETHROUGH] = {ME_DEL, NULL, 0},
    [AST_LINK] = {ME_A, NULL, IC | MK_ATTRS | MK_TITLE},
    [AST_IMAGE] = {ME_IMG, NULL, MK_ALT | IC | MK_ATTRS | MK_TITLE | MK_VOID},
    [AST_SOFTBREAK] = {ME_NONE, NULL, 0},
    [AST_LINEBREAK] = {ME_BR, NULL, MK_VOID},
    [AST_HTMLINLINE] = {ME_NONE, NULL, 0},
    [AST_SPAN] = {ME_SPAN, NULL, IC | MK_DATA},
    [AST_BLANK] = {ME_NONE, NULL, 0},
    [AST_NOTEREF] = {ME_NONE, NULL, 0},
    [AST_FOOTNOTE] = {ME_NONE, NULL, 0},
};

const markup_rule *markup_rule_of(ast_type t) {
    static const markup_rule none = {ME_NONE, NULL, 0};
    return (unsigned)t < AST_TYPE_COUNT ? &rules[t] : &none;
}

markup_el markup_element(const ast_node *n) {
    switch (n->type) {
    case AST_HEADING: return (markup_el)(ME_H1 + (n->level < 1 ? 0 : n->level > 6 ? 5 : n->level - 1));
    case AST_LIST: return n->ordered ? ME_OL : ME_UL;
    case AST_TABLEROW: return n->parent && n->parent->type == AST_TABLE ? ME_TR : ME_NONE;
    case AST_TABLECELL:
        if (!n->parent || n->parent->type != AST_TABLEROW || !n->parent->parent ||
            n->parent->parent->type != AST_TABLE)
            return ME_NONE;
        return n->parent->is_header ? ME_TH : ME_TD;
    default: return markup_rule_of(n->type)->el;
    }
}

void markup_scratch_free(markup_scratch *ms) {
    buf_free(&ms->cls);
    if (ms->a) arena_free(ms->a);
    ms->a = NULL;
}

static arena *scratch_arena(markup_scratch *ms) {
    if (!ms->a) ms->a = arena_new();
    return ms->a;
}

static void put_str(markup_put_fn put, void *ud, markup_attr which, const char *v) {
    put(ud, which, markup_attr_names[which], v, strlen(v));
}

const char *markup_id(arena *a, const char *id) {
    size_t n = strlen(id);
    if (strcspn(id, " \t\n\r\f") == n) return id;
    char *v = arena_alloc(a, n + 1);
    for (size_t i = 0; i <= n; i++)
        v[i] = id[i] == ' ' || id[i] == '\t' || id[i] == '\n' || id[i] == '\r' || id[i] == '\f' ? '-' : id[i];
    return v;
}

/* class="pre c1 c2 post": the node's classes in order, one equal to pre
 * not repeated; nothing when empty. */
static void put_classes(markup_scratch *ms, markup_put_fn put, void *ud, const ast_attr *at, const char *pre,
                        const char *post) {
    if (!pre && !post && at->nclasses == 1 && at->classes[0] && *at->classes[0]) {
        put_str(put, ud, MA_CLASS, at->classes[0]);
        return;
    }
    buf *o = &ms->cls;
    buf_clear(o);
    if (pre) buf_puts(o, pre);
    for (int i = 0; i < at->nclasses; i++) {
        const char *c = at->classes[i];
        if (!c || !*c || (pre && strcmp(c, pre) == 0)) continue;
        if (o->len) buf_putc(o, ' ');
        buf_puts(o, c);
    }
    if (post) {
        if (o->len) buf_putc(o, ' ');
        buf_puts(o, post);
    }
    if (o->len) put(ud, MA_CLASS, markup_attr_names[MA_CLASS], o->data, o->len);
}

/* style="text-align:X" of a cell, from its column in the table. */
static const char *cell_align(const ast_node *cell) {
    static const char *const styles[] = {NULL, "text-align:left", "text-align:center", "text-align:right"};
    const ast_node *t = cell->parent ? cell->parent->parent : NULL;
    if (!t || t->type != AST_TABLE || !t->aligns) return NULL;
    int col = 0;
    for (const ast_node *c = cell->prev; c; c = c->prev) col++;
    if (col >= t->ncols) return NULL;
    ast_align al = t->aligns[col];
    return al > AST_ALIGN_NONE && al <= AST_ALIGN_RIGHT ? styles[al] : NULL;
}

void markup_attrs(markup_scratch *ms, const ast_node *n, const char *pre, markup_put_fn put, void *ud) {
    const markup_rule *rule = markup_rule_of(n->type);
    unsigned f = rule->flags;
    const ast_attr *at = &n->attr;
    htmlattr h; /* read only when kv */
    int kv = (f & MK_ATTRS) && at->nkv > 0;
    if (kv) htmlattr_get(scratch_arena(ms), at, n->type == AST_IMAGE, ms->safe, &h);
    if (f & MK_ALT) put_str(put, ud, MA_ALT, kv && h.alt ? h.alt : ast_plain_text(scratch_arena(ms), n));
    if ((f & MK_START) && n->ordered && n->start != 1) {
        char num[24];
        char *p = num + sizeof num;
        long v = n->start < 0 ? -(long)n->start : n->start;
        *--p = 0;
        do *--p = (char)('0' + v % 10), v /= 10;
        while (v);
        if (n->start < 0) *--p = '-';
        put_str(put, ud, MA_START, p);
    }
    if ((f & MK_ID) && at->id && *at->id) put_str(put, ud, MA_ID, markup_id(scratch_arena(ms), at->id));
    if (f & MK_CLASS) {
        if (!pre) pre = rule->class_pre;
        if (n->type == AST_DIV && !pre && ast_has_class(n, "hint")) pre = "hint";
        put_classes(ms, put, ud, at, pre, n->type == AST_ITEM && n->checked >= 0 ? "task-item" : NULL);
    }
    if (f & MK_ATTRS) {
        const char *title = kv && h.title ? h.title : (f & MK_TITLE) ? n->title : NULL;
        if (title && *title) put_str(put, ud, MA_TITLE, title);
    }
    if (kv) {
        if (h.lang) put_str(put, ud, MA_LANG, h.lang);
        if (h.width) put_str(put, ud, MA_WIDTH, h.width);
        if (h.height) put_str(put, ud, MA_HEIGHT, h.height);
        if (h.style) put_str(put, ud, MA_STYLE, h.style);
        for (int i = 0; i < h.ndata; i++) put(ud, MA_DATA, h.data[i].name, h.data[i].value, strlen(h.data[i].value));
    }
    if (f & MK_ALIGN) {
        const char *s = cell_align(n);
        if (s) put_str(put, ud, MA_STYLE, s);
    }
    if ((f & MK_DATA) && at->nkv > 0) {
        const char *v = ast_attr_get(at, "duration");
        if (v) put_str(put, ud, MA_DATA_DURATION, v);
        if ((v = ast_attr_get(at, "lines"))) put_str(put, ud, MA_DATA_LINES, v);
        /* page-break=before: print starts the box on a new page (SPEC §11.9) */
        if ((v = ast_attr_get(at, "page-break"))) put_str(put, ud, MA_DATA_PAGE_BREAK, v);
    }
}

const char *markup_alt(markup_scratch *ms, const ast_node *n) {
    if (n->attr.nkv > 0) {
        htmlattr h;
        htmlattr_get(scratch_arena(ms), &n->attr, 1, ms->safe, &h);
        if (h.alt) return h.alt;
    }
    return ast_plain_text(scratch_arena(ms), n);
}

int markup_tight_bare(const ast_node *n) {
    if (n->attr.id && *n->attr.id) return 0;
    for (int i = 0; i < n->attr.nclasses; i++)
        if (n->attr.classes[i] && *n->attr.classes[i]) return 0;
    return 1;
}

size_t markup_language(const char *info) { return info ? strcspn(info, " \t\n{") : 0; }

void markup_blank_style(const ast_node *n, char *out) {
    int w = n->width > 0 ? n->width : ast_blank_step(0);
    char digits[12];
    int nd = 0;
    do digits[nd++] = (char)('0' + w % 10), w /= 10;
    while (w && nd < 11);
    memcpy(out, "width:", 6);
    out += 6;
    while (nd) *out++ = digits[--nd];
    memcpy(out, "ch", 3);
}

const char *markup_input_type(const char *radio) { return radio ? "radio" : "checkbox"; }

const char *markup_radio_group(const ast_node *n, const char *outer, int *nchoice, char out[32]) {
    if (!ast_has_class(n, "choice")) return outer;
    const char *sel = ast_attr_get(&n->attr, "select");
    if (!sel || strcmp(sel, "one") != 0) return NULL;
    snprintf(out, 32, "choice-%d", ++*nchoice);
    return out;
}

const char *markup_choice_name(arena *a, const ast_node *n, const char *const *roles) {
    if (!ast_has_class(n, "choice") || ast_attr_get(&n->attr, "role") || ast_attr_get(&n->attr, "aria-label") ||
        ast_attr_get(&n->attr, "aria-labelledby"))
        return NULL;
    const char *t = ast_attr_get(&n->attr, "title");
    if (t && *t) return t;
    if (!n->first || n->first->type != AST_PARAGRAPH) return NULL;
    const char *q = ast_title_text(a, n->first, roles);
    return q && *q ? q : NULL;
}

const char *markup_fill_in_name(arena *a, const ast_node *n) {
    return n->text && *n->text ? n->text : labels_words(a, n->label);
}

const char *markup_fill_in_label(arena *a, const label_table *l, const char *name) {
    const char *names[] = {"label"};
    return labels_format(a, l, "fill_in", names, &name, 1);
}
