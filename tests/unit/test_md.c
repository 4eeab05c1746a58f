/* test_md.c — Markdown → AST: blanks (positions, alternatives, widths, code
 * left alone, no emphasis across blanks), fenced divs, heading attributes and
 * ids, worksheets, `\{{`, GFM extensions, --safe, limits, the conformance
 * modules. Includes dump(), a small tree printer for debugging (VERBOSE=1). */
#include "../../compiler/arena.h"
#include "../../compiler/ast.h"
#include "../../compiler/buf.h"
#include "../../compiler/diag.h"
#include "../../compiler/md.h"
#include "counted.h"
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the debugging dumper ----------------------------------------------- */

static void dump_attr(buf *b, const ast_attr *at) {
    if (!at->id && !at->nclasses && !at->nkv) return;
    buf_puts(b, " {");
    if (at->id) buf_printf(b, "#%s", at->id);
    for (int i = 0; i < at->nclasses; i++) buf_printf(b, " .%s", at->classes[i]);
    for (int i = 0; i < at->nkv; i++) buf_printf(b, " %s=\"%s\"", at->kv[i].key, at->kv[i].value);
    buf_puts(b, "}");
}

static void dump_rec(buf *b, const ast_node *n, int depth) {
    for (int i = 0; i < depth; i++) buf_puts(b, "  ");
    buf_printf(b, "%s@%d:%d", ast_type_name(n->type), n->line, n->col);
    if (n->text) buf_printf(b, " \"%s\"", n->text);
    if (n->type == AST_HEADING) buf_printf(b, " level=%d", n->level);
    if (n->type == AST_CODEBLOCK && n->info) buf_printf(b, " info=%s", n->info);
    if (n->type == AST_LIST) buf_printf(b, " ordered=%d start=%d tight=%d", n->ordered, n->start, n->tight);
    if (n->type == AST_ITEM && n->checked >= 0) buf_printf(b, " checked=%d", n->checked);
    if (n->type == AST_TABLE) {
        buf_printf(b, " ncols=%d aligns=", n->ncols);
        for (int i = 0; i < n->ncols; i++) buf_putc(b, "nlcr"[n->aligns[i]]);
    }
    if (n->type == AST_TABLEROW && n->is_header) buf_puts(b, " header");
    if (n->type == AST_LINK || n->type == AST_IMAGE)
        buf_printf(b, " url=%s title=%s", n->url ? n->url : "", n->title ? n->title : "");
    if (n->type == AST_BLANK) buf_printf(b, " width=%d%s", n->width, n->underscore ? " underscore" : "");
    dump_attr(b, &n->attr);
    buf_putc(b, '\n');
    for (const ast_node *alt = n->alts; alt; alt = alt->next) {
        for (int i = 0; i <= depth; i++) buf_puts(b, "  ");
        buf_puts(b, "alt:\n");
        for (const ast_node *c = alt->first; c; c = c->next) dump_rec(b, c, depth + 2);
    }
    for (const ast_node *c = n->first; c; c = c->next) dump_rec(b, c, depth + 1);
}

static char *dump(arena *a, const ast_node *n) {
    buf b = BUF_INIT;
    if (n) dump_rec(&b, n, 0);
    else buf_puts(&b, "(null)\n");
    char *r = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return r;
}

/* ---- helpers ------------------------------------------------------------ */

typedef struct result {
    ast_node *doc;
    char *diags; /* flushed diagnostics text */
    int nerr;
    char *tree;
} result;

static result parse_opt(arena *a, const char *src, size_t len, int first_line, const md_options *opt) {
    result r = {0};
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    diag *d = diag_new(f, DIAG_TEXT, 0);
    r.doc = counted_md_parse(a, src, len, first_line, "m.md", opt, d, &r.nerr);
    /* (diag_flush with nothing collected trips UBSan: qsort(NULL, 0)) */
    if (diag_errors(d) + diag_warnings(d)) diag_flush(d);
    diag_free(d);
    fclose(f);
    r.diags = arena_strdup(a, out ? out : "");
    free(out);
    r.tree = dump(a, r.doc);
    if (harness_verbose()) printf("---- source:\n%s\n---- tree:\n%s---- diags:\n%s", src, r.tree, r.diags);
    return r;
}

static result parse(arena *a, const char *src) {
    md_options o = {0};
    return parse_opt(a, src, strlen(src), 1, &o);
}

typedef struct finder {
    ast_type type;
    int nth;
    ast_node *found;
} finder;

static int find_cb(ast_node *n, void *ud) {
    finder *f = ud;
    if (f->found) return 1;
    if (n->type == f->type && f->nth-- == 0) f->found = n;
    return 0;
}

/* nth (0-based) node of a type, in document order (Blank answers included). */
static ast_node *find(ast_node *root, ast_type t, int nth) {
    finder f = {t, nth, NULL};
    if (root) ast_walk(root, find_cb, &f);
    return f.found;
}

static int count_type(ast_node *root, ast_type t) {
    int k = 0;
    while (find(root, t, k)) k++;
    return k;
}

/* ---- tests -------------------------------------------------------------- */

static const char *m003 = "# Blanks\n"
                          "\n"
                          "Calls are answered within [[PELICAN two]] rings.\n"
                          "\n"
                          "Messages are returned within [[four PLATYPUS hours|half a WOMBAT day]].\n"
                          "\n"
                          "Your own standard: [[ ]]\n"
                          "\n"
                          "Priority 1: _________________________________\n"
                          "\n"
                          "| Activity | Practice |\n"
                          "|----------|----------|\n"
                          "| Communicate often | [[Practice KOALA-2]] |\n"
                          "\n"
                          "Code is left alone: `x = a[[0]]` and `______`.\n";

static void test_blanks_003(arena *a) {
    result r = parse(a, m003);
    if (!OK(r.doc != NULL)) return;
    INT_EQ(r.nerr, 0);
    STR_EQ(r.diags, "");
    INT_EQ(count_type(r.doc, AST_BLANK), 5);
    ast_node *b = find(r.doc, AST_BLANK, 0);
    INT_EQ(b->line, 3);
    INT_EQ(b->col, 27);
    OK(b->alts && !b->alts->next);
    STR_EQ(b->alts->first->text, "PELICAN two");
    INT_EQ(b->width, 16);
    OK(b->prev && b->prev->type == AST_TEXT);
    STR_EQ(b->prev->text, "Calls are answered within ");
    STR_EQ(b->next->text, " rings.");
    INT_EQ(b->next->line, 3);
    INT_EQ(b->next->col, 27 + 15);

    b = find(r.doc, AST_BLANK, 1);
    INT_EQ(b->line, 5);
    INT_EQ(b->col, 30);
    OK(b->alts && b->alts->next && !b->alts->next->next);
    STR_EQ(b->alts->first->text, "four PLATYPUS hours");
    STR_EQ(b->alts->next->first->text, "half a WOMBAT day");
    INT_EQ(b->alts->next->col, 30 + 2 + 20);
    INT_EQ(b->width, 24); /* 19 characters -> 24 */

    b = find(r.doc, AST_BLANK, 2);
    INT_EQ(b->line, 7);
    INT_EQ(b->col, 20);
    OK(b->alts == NULL);
    INT_EQ(b->width, 8);
    INT_EQ(b->underscore, 0);

    b = find(r.doc, AST_BLANK, 3);
    INT_EQ(b->line, 9);
    INT_EQ(b->col, 13);
    INT_EQ(b->underscore, 1);
    INT_EQ(b->width, 33);

    b = find(r.doc, AST_BLANK, 4); /* in a table cell */
    INT_EQ(b->line, 13);
    INT_EQ(b->col, 23);
    OK(b->parent && b->parent->type == AST_TABLECELL);
    STR_EQ(b->alts->first->text, "Practice KOALA-2");

    ast_node *code = find(r.doc, AST_CODE, 0);
    STR_EQ(code->text, "x = a[[0]]");
    code = find(r.doc, AST_CODE, 1);
    STR_EQ(code->text, "______");
    ast_node *t = find(r.doc, AST_TABLE, 0);
    INT_EQ(t->ncols, 2);
    INT_EQ(t->line, 11);
    OK(t->first && t->first->is_header && t->first->next && !t->first->next->is_header);
    /* no link was made of a blank */
    INT_EQ(count_type(r.doc, AST_LINK), 0);
}

static void test_positions_with_offset(arena *a) {
    /* body starts at line 4 of the file (front matter above it) */
    const char *body = "# T\n"
                       "\n"
                       "Fill in the missing word: [[answer]] please.\n";
    md_options o = {0};
    result r = parse_opt(a, body, strlen(body), 4, &o);
    ast_node *b = find(r.doc, AST_BLANK, 0);
    if (!OK(b != NULL)) return;
    INT_EQ(b->line, 6);
    INT_EQ(b->col, 27);
    ast_node *h = find(r.doc, AST_HEADING, 0);
    INT_EQ(h->line, 4);
    INT_EQ(h->col, 1);
    ast_node *p = find(r.doc, AST_PARAGRAPH, 0);
    INT_EQ(p->line, 6);

    const char *body2 = "para\n"
                        "\n"
                        "- item one has a blank at col 28 [[x]]\n";
    r = parse_opt(a, body2, strlen(body2), 4, &o);
    b = find(r.doc, AST_BLANK, 0);
    INT_EQ(b->line, 6);
    INT_EQ(b->col, 34);
}

static void test_emphasis_and_escapes(arena *a) {
    result r = parse(a, "Yes (_____) No (_____)\n");
    INT_EQ(count_type(r.doc, AST_EMPH), 0);
    INT_EQ(count_type(r.doc, AST_BLANK), 2);
    ast_node *p = find(r.doc, AST_PARAGRAPH, 0);
    OK(p && p->first && p->first->type == AST_TEXT);
    STR_EQ(p->first->text, "Yes (");
    STR_EQ(p->first->next->next->text, ") No (");
    INT_EQ(find(r.doc, AST_BLANK, 1)->col, 17);
    STR_EQ(p->last->text, ")");

    r = parse(a, "*a [[b]] c* and [[*very* polite]] and `_____` and [[x]](not a link)\n");
    ast_node *em = find(r.doc, AST_EMPH, 0);
    OK(em && em->first && em->first->next && em->first->next->type == AST_BLANK);
    ast_node *b = find(r.doc, AST_BLANK, 1);
    OK(b && b->alts && b->alts->first && b->alts->first->type == AST_EMPH);
    STR_EQ(b->alts->first->first->text, "very");
    STR_EQ(b->alts->first->next->text, " polite");
    INT_EQ(b->width, 16); /* "very polite" = 11 chars */
    INT_EQ(count_type(r.doc, AST_LINK), 0);
    STR_EQ(find(r.doc, AST_CODE, 0)->text, "_____");

    r = parse(a, "Literal \\{{braces}} stay, \\\\{{var}} and `\\{{code}}`.\n");
    p = find(r.doc, AST_PARAGRAPH, 0);
    STR_EQ(p->first->text, "Literal \\{{braces}} stay, \\{{var}} and ");
    STR_EQ(find(r.doc, AST_CODE, 0)->text, "\\{{code}}");

    r = parse(a, "```\n[[x]] and _____ \\{{y}}\n```\n\n    [[indented]] _____\n");
    STR_EQ(find(r.doc, AST_CODEBLOCK, 0)->text, "[[x]] and _____ \\{{y}}\n");
    STR_EQ(find(r.doc, AST_CODEBLOCK, 1)->text, "[[indented]] _____\n");
    INT_EQ(count_type(r.doc, AST_BLANK), 0);

    /* a multi-line code span, escaped brackets, a rule of underscores */
    r = parse(a, "a `code [[x]]\nstill` and \\[[no]] b\n\n_____\n\nsnake_case_name and [[1. first]]\n");
    STR_EQ(find(r.doc, AST_CODE, 0)->text, "code [[x]] still");
    INT_EQ(count_type(r.doc, AST_THEMATICBREAK), 1);
    INT_EQ(count_type(r.doc, AST_BLANK), 1);
    b = find(r.doc, AST_BLANK, 0);
    STR_EQ(b->alts->first->text, "1. first");
    OK(find(r.doc, AST_TEXT, 0) != NULL);

    /* alternatives in a table cell with \| */
    r = parse(a, "| a | b |\n|---|:-:|\n| x | [[one\\|two]] |\n");
    b = find(r.doc, AST_BLANK, 0);
    OK(b && b->alts && b->alts->next);
    STR_EQ(b->alts->first->text, "one");
    STR_EQ(b->alts->next->first->text, "two");
    ast_node *t = find(r.doc, AST_TABLE, 0);
    OK(t->aligns[0] == AST_ALIGN_NONE && t->aligns[1] == AST_ALIGN_CENTER);

    /* a blank in a heading contributes nothing to the id */
    r = parse(a, "# Question [[secret]] here\n");
    STR_EQ(find(r.doc, AST_HEADING, 0)->attr.id, "question-here");
}

static void test_worksheet(arena *a) {
    const char *m013 = "# Matrix\n"
                       "\n"
                       "```worksheet\n"
                       "IMMEDIATE PRIORITIES (Next 4 Hours):\n"
                       "Priority 1: [[Nguyen family EMU-SAFETY]]\n"
                       "Resource Allocation: _______________________\n"
                       "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Touchpoints: {{website_ads_social}}\n"
                       "```\n";
    result r = parse(a, m013);
    ast_node *w = find(r.doc, AST_WORKSHEET, 0);
    if (!OK(w != NULL)) return;
    INT_EQ(r.nerr, 0);
    INT_EQ(count_type(r.doc, AST_CODEBLOCK), 0);
    INT_EQ(w->line, 3);
    ast_node *c = w->first;
    OK(c->type == AST_TEXT);
    STR_EQ(c->text, "IMMEDIATE PRIORITIES (Next 4 Hours):");
    INT_EQ(c->line, 4);
    INT_EQ(c->col, 1);
    c = c->next;
    OK(c->type == AST_LINEBREAK);
    c = c->next;
    STR_EQ(c->text, "Priority 1: ");
    INT_EQ(c->line, 5);
    c = c->next;
    OK(c->type == AST_BLANK);
    INT_EQ(c->line, 5);
    INT_EQ(c->col, 13);
    STR_EQ(c->alts->first->text, "Nguyen family EMU-SAFETY");
    c = c->next;
    OK(c->type == AST_LINEBREAK);
    c = c->next;
    STR_EQ(c->text, "Resource Allocation: ");
    c = c->next;
    OK(c->type == AST_BLANK && c->underscore && c->width == 23);
    INT_EQ(c->line, 6);
    INT_EQ(c->col, 22);
    c = c->next->next;
    STR_EQ(c->text, "\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Touchpoints: {{website_ads_social}}");
    INT_EQ(c->line, 7);
    OK(c->next == NULL);

    /* indented fence inside a list item: columns follow the content */
    r = parse(a, "- item\n\n  ```worksheet\n  Name: _____\n  ```\n");
    ast_node *b = find(r.doc, AST_BLANK, 0);
    OK(b && b->line == 4 && b->col == 9);
    ast_node *t = find(r.doc, AST_WORKSHEET, 0);
    OK(t && t->first && t->first->col == 3);
}

static void test_divs(arena *a) {
    const char *m026 = "# Exercises\n"
                       "\n"
                       ":::: {.exercise title=\"Priority assessment\" duration=15m}\n"
                       "Rank the four customers.\n"
                       "\n"
                       "::: answer\n"
                       "The elderly couple with the leaking roof comes first (TAIPAN).\n"
                       ":::\n"
                       "\n"
                       "```\n"
                       "::: not a fence inside code\n"
                       "```\n"
                       "::::\n"
                       "\n"
                       "After the exercise.\n";
    result r = parse(a, m026);
    INT_EQ(r.nerr, 0);
    STR_EQ(r.diags, "");
    ast_node *ex = find(r.doc, AST_DIV, 0);
    if (!OK(ex != NULL)) return;
    OK(ex->parent == r.doc);
    INT_EQ(ex->line, 3);
    INT_EQ(ex->col, 1);
    OK(ast_has_class(ex, "exercise"));
    STR_EQ(ast_attr_get(&ex->attr, "title"), "Priority assessment");
    STR_EQ(ast_attr_get(&ex->attr, "duration"), "15m");
    ast_node *ans = find(r.doc, AST_DIV, 1);
    OK(ans && ans->parent == ex && ast_has_class(ans, "answer"));
    INT_EQ(ans->line, 6);
    OK(ans->first && ans->first->type == AST_PARAGRAPH && ans->first->line == 7);
    ast_node *cb = find(r.doc, AST_CODEBLOCK, 0);
    OK(cb && cb->parent == ex);
    STR_EQ(cb->text, "::: not a fence inside code\n");
    INT_EQ(cb->line, 10);
    ast_node *last = r.doc->last;
    OK(last->type == AST_PARAGRAPH && last->line == 15);
    STR_EQ(last->first->text, "After the exercise.");

    /* 014: unclosed div, error at the opening line */
    r = parse(a, "# Title\n\nSome text.\n\n::: answer\nNever closed.\n");
    INT_EQ(r.nerr, 1);
    CONTAINS(r.diags, "m.md:5:1: error: fenced div `::: answer` opened here is never closed (add a line `:::`)");
    OK(r.doc && find(r.doc, AST_DIV, 0));

    /* stray closer: an error (SPEC §11.3), its line dropped */
    r = parse(a, "text\n\n:::\n\nmore\n");
    INT_EQ(r.nerr, 1);
    CONTAINS(r.diags, "m.md:3:1: error: closing fence without an open div");
    INT_EQ(count_type(r.doc, AST_PARAGRAPH), 2);

    /* indented 4 spaces: code, not a fence; `::: two words` is an error
     * (SPEC §11.3), once: the div it opens is not also "never closed" */
    r = parse(a, "    ::: answer\n\n::: two words\n");
    INT_EQ(count_type(r.doc, AST_CODEBLOCK), 1);
    INT_EQ(r.nerr, 1);
    CONTAINS(r.diags, "m.md:3:9: error: unexpected text after the fenced div's class word");

    /* fence in a raw HTML block */
    r = parse(a, "<div>\n::: answer\nx\n:::\n</div>\n");
    OK(r.nerr >= 1);
    CONTAINS(r.diags, "m.md:2:1: error: fenced div line inside a raw HTML block");

    /* nesting limit */
    md_options o = {0};
    o.max_depth = 2;
    const char *deep = "::: a\n::: b\n::: c\ntext\n:::\n:::\n:::\n";
    r = parse_opt(a, deep, strlen(deep), 1, &o);
    INT_EQ(r.nerr, 1);
    CONTAINS(r.diags, "m.md:3:1: error: fenced divs nested more than 2 deep");
    INT_EQ(count_type(r.doc, AST_DIV), 2);
    NOT_CONTAINS(r.diags, "warning");

    /* bad attribute block on a fence */
    r = parse(a, "::: {.x title=\"open\n:::\n");
    INT_EQ(r.nerr, 1);
    CONTAINS(r.diags, "m.md:1:5: error: unterminated quoted value");

    /* unclosed code fence inside a div swallows the closer: both reported */
    r = parse(a, "::: note\n```\ncode\n:::\n");
    INT_EQ(r.nerr, 2);
    CONTAINS(r.diags, "m.md:2:1: error: this code block is never closed");
    CONTAINS(r.diags, "m.md:1:1: error: fenced div `::: note` opened here is never closed");

    /* div with id, only=, lines= and colons after; divs in list regions */
    r = parse(a, "::: {#r1 .response lines=4 only=learner,facilitator} :::\nbody [[x]]\n:::\n");
    ast_node *d = find(r.doc, AST_DIV, 0);
    OK(d && d->attr.id && strcmp(d->attr.id, "r1") == 0);
    STR_EQ(ast_attr_get(&d->attr, "lines"), "4");
    STR_EQ(ast_attr_get(&d->attr, "only"), "learner,facilitator");
    ast_node *b = find(r.doc, AST_BLANK, 0);
    OK(b && b->line == 2 && b->col == 6);
}

static void test_headings(arena *a) {
    result r = parse(a, "# Module\n\n## Custom id {#my-id .special}\n\n## Repeated\n\n## Repeated\n");
    INT_EQ(r.nerr, 0);
    ast_node *h = find(r.doc, AST_HEADING, 1);
    STR_EQ(h->attr.id, "my-id");
    OK(ast_has_class(h, "special"));
    STR_EQ(h->first->text, "Custom id");
    OK(h->first->next == NULL);
    STR_EQ(find(r.doc, AST_HEADING, 0)->attr.id, "module");
    STR_EQ(find(r.doc, AST_HEADING, 2)->attr.id, "repeated");
    STR_EQ(find(r.doc, AST_HEADING, 3)->attr.id, "repeated-1");
    NOT_CONTAINS(r.tree, "\"Custom id {");

    r = parse(a, "## Part A {duration=10m .break}\n\nSetext {#st}\n======\n\n# Set {a, b}\n\n# Hi {{name}}\n");
    INT_EQ(r.nerr, 0);
    h = find(r.doc, AST_HEADING, 0);
    STR_EQ(ast_attr_get(&h->attr, "duration"), "10m");
    OK(ast_has_class(h, "break"));
    STR_EQ(h->attr.id, "part-a");
    h = find(r.doc, AST_HEADING, 1);
    STR_EQ(h->attr.id, "st");
    STR_EQ(h->first->text, "Setext");
    h = find(r.doc, AST_HEADING, 2);
    STR_EQ(h->first->text, "Set {a, b}");
    h = find(r.doc, AST_HEADING, 3);
    STR_EQ(h->first->text, "Hi {{name}}");

    r = parse(a, "# Title\n\n## Bad {#id title=\"x}\n");
    INT_EQ(r.nerr, 1);
    CONTAINS(r.diags, "m.md:3:8: error: unterminated quoted value");

    /* attribute text in a code block is not touched */
    r = parse(a, "```\n# x {#y}\n```\n");
    STR_EQ(find(r.doc, AST_CODEBLOCK, 0)->text, "# x {#y}\n");
}

static void test_gfm(arena *a) {
    const char *src = "Plain *CommonMark* with a [link](m2.md#later \"T\") and ~~old~~ www.example.com.\n"
                      "\n"
                      "- [ ] Bring laptops\n"
                      "- [x] Print handouts\n"
                      "\n"
                      "3. three\n"
                      "4. four\n"
                      "\n"
                      "> quote  \n"
                      "> hard break\n"
                      "\n"
                      "---\n"
                      "\n"
                      "<div class=\"x\">raw</div>\n"
                      "\n"
                      "inline <b>bold</b> html ![img](a.png)\n";
    result r = parse(a, src);
    INT_EQ(r.nerr, 0);
    ast_node *l = find(r.doc, AST_LINK, 0);
    STR_EQ(l->url, "m2.md#later");
    STR_EQ(l->title, "T");
    INT_EQ(l->line, 1);
    OK(find(r.doc, AST_STRIKETHROUGH, 0) != NULL);
    l = find(r.doc, AST_LINK, 1);
    STR_EQ(l ? l->url : NULL, "http://www.example.com");
    ast_node *it = find(r.doc, AST_ITEM, 0);
    INT_EQ(it->checked, 0);
    INT_EQ(find(r.doc, AST_ITEM, 1)->checked, 1);
    INT_EQ(find(r.doc, AST_ITEM, 2)->checked, -1);
    ast_node *ol = find(r.doc, AST_LIST, 1);
    OK(ol->ordered && ol->start == 3 && ol->tight);
    OK(find(r.doc, AST_LINEBREAK, 0) != NULL);
    OK(find(r.doc, AST_THEMATICBREAK, 0) != NULL);
    STR_EQ(find(r.doc, AST_HTMLBLOCK, 0)->text, "<div class=\"x\">raw</div>\n");
    STR_EQ(find(r.doc, AST_HTMLINLINE, 0)->text, "<b>");
    STR_EQ(find(r.doc, AST_IMAGE, 0)->url, "a.png");
    INT_EQ(find(r.doc, AST_HTMLBLOCK, 0)->line, 14);

    /* --safe */
    md_options o = {0};
    o.safe = 1;
    const char *s2 = "<div>x</div>\n\nclick [here](javascript:alert(1)) or <i>this</i>\n";
    r = parse_opt(a, s2, strlen(s2), 1, &o);
    INT_EQ(r.nerr, 0);
    INT_EQ(count_type(r.doc, AST_HTMLBLOCK) + count_type(r.doc, AST_HTMLINLINE), 0);
    INT_EQ(count_type(r.doc, AST_LINK), 0);
    CONTAINS(r.diags, "m.md:1:1: warning: raw HTML dropped (--safe)");
    CONTAINS(r.diags, "warning: javascript: URL dropped (--safe)");
    ast_node *p = find(r.doc, AST_PARAGRAPH, 0);
    STR_EQ(p->first->text, "click here or this");

    /* blanks inside raw HTML are errors */
    r = parse(a, "<div>\nanswer [[x]]\n</div>\n\ntext <span title=\"[[y]]\">z</span>\n");
    INT_EQ(r.nerr, 2);
    CONTAINS(r.diags, "m.md:2:8: error: blank `[[x]]` inside a raw HTML block");
    CONTAINS(r.diags, "m.md:5:19: error: blank `[[y]]` inside raw HTML");
    STR_EQ(find(r.doc, AST_HTMLINLINE, 0)->text, "<span title=\"[[y]]\">");
}

static void test_limits(arena *a) {
    md_options o = {0};
    o.max_bytes = 16;
    const char *big = "0123456789abcdefXYZ";
    result r = parse_opt(a, big, strlen(big), 3, &o);
    OK(r.doc == NULL);
    INT_EQ(r.nerr, 1);
    CONTAINS(r.diags, "m.md:3:1: error: module is 19 bytes, over the limit of 16 bytes");
    o.max_bytes = 0;
    char *huge = malloc(1024 * 1024 + 2);
    memset(huge, 'a', 1024 * 1024 + 1);
    huge[1024 * 1024 + 1] = 0;
    r = parse_opt(a, huge, 1024 * 1024 + 1, 1, &o);
    OK(r.doc == NULL);
    CONTAINS(r.diags, "over the limit of 1 MiB");
    free(huge);

    const char nul[] = "ok\nab\0c\n";
    r = parse_opt(a, nul, sizeof nul - 1, 1, &o);
    OK(r.doc == NULL);
    CONTAINS(r.diags, "m.md:2:3: error: NUL byte");
    r = parse_opt(a, "x\n\n  caf\xe9\n", 9, 10, &o);
    OK(r.doc == NULL);
    CONTAINS(r.diags, "m.md:12:6: error: invalid UTF-8");

    /* CRLF: positions stay exact */
    const char *crlf = "# T\r\n\r\nA [[b]] c\r\n";
    r = parse_opt(a, crlf, strlen(crlf), 1, &o);
    ast_node *b = find(r.doc, AST_BLANK, 0);
    OK(b && b->line == 3 && b->col == 3);
    STR_EQ(find(r.doc, AST_HEADING, 0)->attr.id, "t");

    /* deep nesting is cut with one error, not a crash */
    size_t n = 2000;
    char *q = malloc(n * 2 + 8);
    for (size_t i = 0; i < n; i++) q[2 * i] = '>', q[2 * i + 1] = ' ';
    strcpy(q + 2 * n, "x\n");
    r = parse_opt(a, q, strlen(q), 1, &o);
    OK(r.doc != NULL);
    INT_EQ(r.nerr, 1);
    CONTAINS(r.diags, "nested more than");
    free(q);

    /* empty body */
    r = parse(a, "");
    OK(r.doc && r.doc->first == NULL && r.nerr == 0);
    /* many blanks */
    buf mb = BUF_INIT;
    for (int i = 0; i < 5000; i++) buf_puts(&mb, "[[a]] _____ ");
    buf_putc(&mb, '\n');
    r = parse_opt(a, mb.data, mb.len, 1, &o);
    INT_EQ(count_type(r.doc, AST_BLANK), 10000);
    b = find(r.doc, AST_BLANK, 9999);
    OK(b && b->underscore && b->col == 4999 * 12 + 7);
    buf_free(&mb);
}

/* Every conformance module parses (bodies as the front-matter reader gives them). */
static void test_conformance_modules(arena *a) {
    static const struct {
        const char *body;
        int first_line, nerr, ndivs, nblanks;
    } cases[] = {
        {"# First Module\n\nPlain *CommonMark* with a [link](m2.md#later) and a table:\n\n| Stage | Goal |\n|-------|------|\n| Intake | Understand the customer |\n\n- [ ] Bring laptops\n- [x] Print handouts\n", 4, 0, 0, 0},
        {"# Second Module\n\n~~old~~ new text, www.example.com autolinked.\n\n## Later\n", 1, 0, 0, 0},
        {"# Standards\n\nSet a standard for answering the phone.\n\n::: answer\nAll calls are answered within ZEBRA-TWO rings.\n:::\n\n::: facilitator\nAsk the group for QUOKKA-NOTE examples first.\n:::\n\n::: hint\nThink about how the caller feels.\n:::\n", 1, 0, 3, 0},
        {"# Widths\n\nA: [[abcdefghij]]\n\nB: [[abcdefghijk]]\n", 1, 0, 0, 2},
        {"# Making connections\n\nService is a philosophy, not a department. What does this mean in your role?\n\n::: {.response lines=4}\nEvery member of the company shares responsibility for a DINGO-MODEL reputation of service.\n:::\n", 1, 0, 1, 0},
        {"# Self-assessment\n\n::: choice\nDo people usually buy from someone they dislike?\n\n- [ ] Yes\n- [x] No\n:::\n", 1, 0, 1, 0},
        {"# Editions\n\n::: {only=learner}\nWrite your answers in the spaces provided, ONLY-LEARNER.\n:::\n\n::: {except=answer-key}\nDiscussion prompt EXCEPT-KEY.\n:::\n\nCapital of Australia: [[Canberra]]\n\n::: facilitator\nTiming tip FACIL-ONLY.\n:::\n", 1, 0, 3, 1},
        {"# Time Management\n\n## Opening Segment (20 minutes)\n\n### Welcome (10 minutes)\n\n### Overview (10 minutes)\n\n## Core Delivery (30 minutes with 1 break)\n\n### Lesson 1 (15 minutes)\n\n### Break (10 minutes)\n\n### Lesson 2 (15 minutes)\n\n## Wrap-Up (10 minutes)\n", 4, 0, 0, 0},
        {"# Afternoon\n\n## Priority workshop {duration=15m}\n\n## Coordination drill {duration=20m}\n\n## Break {.break duration=10m}\n", 5, 0, 0, 0},
        {"# Working at {{organization}}\n\nOur main channel is {{ channel }}. Team size: {{team_size}}.\n\n```\ntemplate: {{unknown_in_code}} and {{organization}}\n```\n\nLiteral \\{{braces}} stay.\n", 5, 0, 0, 0},
        {"# Title\n\n![secret](../../../../../../etc/hostname)\n", 1, 0, 0, 0},
        {"# Guard\n\n::: answer\nThe LYREBIRD answer must never reach learners.\n:::\n\n::: facilitator\nCASSOWARY note.\n:::\n", 1, 0, 2, 0},
        {"# Context\n\nOrganization type: {{organization_type}}. Industry: {{industry}}.\n", 1, 0, 0, 0},
        {"# Template\n\n```worksheet\n\xe2\x94\x9c\xe2\x94\x80\xe2\x94\x80 Touchpoints: {{website_ads_social_referrals}}\n\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 Emotions: {{curious_anxious_hopeful}}\n```\n", 4, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        md_options o = {0};
        result r = parse_opt(a, cases[i].body, strlen(cases[i].body), cases[i].first_line, &o);
        char what[64];
        snprintf(what, sizeof what, "conformance module %zu", i);
        if (!harness_check(r.doc != NULL, __FILE__, __LINE__, what, r.diags)) continue;
        INT_EQ(r.nerr, cases[i].nerr);
        INT_EQ(count_type(r.doc, AST_DIV), cases[i].ndivs);
        INT_EQ(count_type(r.doc, AST_BLANK), cases[i].nblanks);
        INT_EQ(r.doc->first->line, cases[i].first_line);
        if (i == 8) {
            ast_node *h = find(r.doc, AST_HEADING, 3);
            STR_EQ(h->first->text, "Break");
            OK(ast_has_class(h, "break"));
            STR_EQ(ast_attr_get(&h->attr, "duration"), "10m");
            INT_EQ(h->line, 5 + 6);
        }
        if (i == 9) {
            CONTAINS(r.tree, "Text@13:1 \"Literal \\{{braces}} stay.\"");
            CONTAINS(r.tree, "template: {{unknown_in_code}} and {{organization}}");
        }
        if (i == 3) {
            INT_EQ(find(r.doc, AST_BLANK, 0)->width, 16);
            INT_EQ(find(r.doc, AST_BLANK, 1)->width, 16);
        }
    }
}

/* SPEC §11.2-§11.4: one parse with divs found in containers, blanks by
 * source position (across lines, after a paragraph in a table header),
 * spans, attributes after links, images and code, restricted definitions,
 * and author text shaped like a marker printed as written. */
static void test_total_recognition(arena *a) {
    result r = parse(a, "1. Q\n   ::: answer\n   secret\n   :::\n2. Next\n\n> ::: facilitator\n> note\n> :::\n");
    INT_EQ(r.nerr, 0);
    INT_EQ(count_type(r.doc, AST_DIV), 2);
    ast_node *list = find(r.doc, AST_LIST, 0);
    OK(list && list->tight); /* the closing fence is not a blank line */
    ast_node *div = find(r.doc, AST_DIV, 0);
    OK(div && div->parent && div->parent->type == AST_ITEM);
    div = find(r.doc, AST_DIV, 1);
    OK(div && div->parent && div->parent->type == AST_BLOCKQUOTE);

    r = parse(a, "A [[two\n  rings]] b\n");
    INT_EQ(count_type(r.doc, AST_BLANK), 1);
    INT_EQ(count_type(r.doc, AST_SOFTBREAK), 0);
    ast_node *b = find(r.doc, AST_BLANK, 0);
    OK(b && b->alts && b->alts->first && strcmp(b->alts->first->text, "two rings") == 0);

    r = parse(a, "Intro\nmore\n| [[head]] | b |\n|---|---|\n| c | d |\n");
    INT_EQ(count_type(r.doc, AST_BLANK), 1);

    r = parse(a, "A [span]{.answer} and ![i](a.png){width=50%} and [l](u){.c} and `c [[x]]`{.blanks}.\n");
    INT_EQ(r.nerr, 0);
    ast_node *sp = find(r.doc, AST_SPAN, 0);
    OK(sp && sp->attr.nclasses == 1 && strcmp(sp->attr.classes[0], "answer") == 0);
    ast_node *img = find(r.doc, AST_IMAGE, 0);
    OK(img && ast_attr_get(&img->attr, "width") && strcmp(ast_attr_get(&img->attr, "width"), "50%") == 0);
    ast_node *code = find(r.doc, AST_CODE, 0);
    OK(code && !code->text && code->first && find(code, AST_BLANK, 0));

    r = parse(a, "See [map].\n\n::: answer\n[map]: http://secret.example \"t\"\n:::\n");
    ast_node *link = find(r.doc, AST_LINK, 0);
    OK(link && link->defr.nclasses == 1 && strcmp(link->defr.classes[0], "answer") == 0);

    /* the module's own private-use characters, written and referenced, are text */
    r = parse(a, "x \xF3\xB0\x80\x80 &#xF0001; \xEE\x80\x80 [[y]]\n");
    INT_EQ(r.nerr, 0);
    INT_EQ(count_type(r.doc, AST_BLANK), 1);
    ast_node *t = find(r.doc, AST_TEXT, 0);
    OK(t && strstr(t->text, "\xF3\xB0\x80\x80") && strstr(t->text, "\xF3\xB0\x80\x81"));

    /* blank syntax where it cannot be pruned */
    r = parse(a, "[a]([[x]]) and <span title=\"[[y]]\">z</span>\n");
    INT_EQ(r.nerr, 2);
    r = parse(a, "::: answer for Q1\nx\n:::\n");
    INT_EQ(r.nerr, 1);
    r = parse(a, "```\ncode\n::: answer\nsecret\n:::\n");
    INT_EQ(r.nerr, 1);
    CONTAINS(r.diags, "m.md:1:1: error: this code block is never closed");
}

int main(void) {
    md_init();
    arena *a = arena_new();
    test_blanks_003(a);
    test_positions_with_offset(a);
    test_emphasis_and_escapes(a);
    test_worksheet(a);
    test_divs(a);
    test_headings(a);
    test_gfm(a);
    test_limits(a);
    test_conformance_modules(a);
    test_total_recognition(a);
    arena_free(a);
    return harness_summary();
}
