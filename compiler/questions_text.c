/* questions_text.c — a question's text (see questions_text.h): escapers
 * and the renderer of a guarded tree's blocks into a question's HTML or
 * plain text. */
#include "questions_text.h"
#include "util.h"
#include "xmlchar.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ escapers */

void questions_cloze_escape(buf *b, const char *s) {
    for (; *s; s++) {
        if (strchr("}#~/\"\\", *s)) buf_putc(b, '\\');
        buf_putc(b, *s);
    }
}

void questions_gift_escape(buf *b, const char *s) {
    for (; *s; s++) {
        if (*s == '\n') {
            buf_puts(b, "\\n");
            continue;
        }
        if (*s == '\r') continue;
        if (strchr("~=#{}:\\", *s)) buf_putc(b, '\\');
        buf_putc(b, *s);
    }
}

void questions_category_escape(buf *b, const char *s) {
    for (; *s; s++) {
        if (*s == '/') buf_putc(b, '/');
        buf_putc(b, *s);
    }
}

/* s[0..n) with every character XML does not allow replaced by U+FFFD,
 * each run given to put. */
static void xml_chars(buf *b, const char *s, size_t n, void (*put)(buf *, const char *, size_t)) {
    while (n > 0) {
        unsigned cp;
        size_t bad = xmlchar_find_bad(s, n, &cp, NULL);
        put(b, s, bad);
        if (bad >= n) break;
        buf_puts(b, "\xEF\xBF\xBD");
        /* skip the bad character: one byte of a broken sequence, else its length */
        size_t len = 1;
        if (cp != XMLCHAR_BAD_UTF8) len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        s += bad + len, n -= bad + len;
    }
}

static void put_raw(buf *b, const char *s, size_t n) { buf_put(b, s, n); }

void questions_xml_text(buf *b, const char *s) { xml_chars(b, s, strlen(s), buf_put_escaped); }

static void put_cdata_part(buf *b, const char *s, size_t n) {
    size_t start = 0;
    for (size_t i = 0; i + 2 < n; i++)
        if (s[i] == ']' && s[i + 1] == ']' && s[i + 2] == '>') {
            buf_put(b, s + start, i + 2 - start);
            buf_puts(b, "]]><![CDATA[");
            start = i + 2;
        }
    buf_put(b, s + start, n - start);
}

void questions_cdata(buf *b, const char *s, size_t n) {
    buf clean = BUF_INIT;
    xml_chars(&clean, s, n, put_raw);
    buf_puts(b, "<![CDATA[");
    if (clean.len) put_cdata_part(b, clean.data, clean.len);
    buf_puts(b, "]]>");
    buf_free(&clean);
}

/* ---------------------------------------------------------- rendering */



static void r_text(qtext *r, const char *s) {
    if (!r->html) {
        buf_puts(r->b, s);
        return;
    }
    /* `{` could open a cloze subquestion: written as a character reference */
    for (const char *p = s; *p;) {
        const char *q = strchr(p, '{');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        buf_put_escaped(r->b, p, len);
        if (!q) break;
        buf_puts(r->b, "&#123;");
        p = q + 1;
    }
}

/* An alternative's answer as plain text (alternatives are Spans). */
const char *qtext_alt(arena *a, const ast_node *alt) { return ast_plain_text(a, alt); }

/* & < > as references: the rest of a cloze answer stays as the cloze
 * escaping left it (Moodle reads `\"` there). */
static void put_html_min(buf *b, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '&')
            buf_puts(b, "&amp;");
        else if (s[i] == '<')
            buf_puts(b, "&lt;");
        else if (s[i] == '>')
            buf_puts(b, "&gt;");
        else
            buf_putc(b, s[i]);
    }
}

static void r_blank(qtext *r, const ast_node *n) {
    if (n->alts && r->mode == BL_CLOZE) {
        buf_printf(r->b, "{1:SHORTANSWER:");
        for (const ast_node *alt = n->alts; alt; alt = alt->next) {
            buf tmp = BUF_INIT;
            questions_cloze_escape(&tmp, qtext_alt(r->a, alt));
            buf_puts(r->b, alt == n->alts ? "=" : "~=");
            put_html_min(r->b, tmp.data ? tmp.data : "", tmp.len);
            buf_free(&tmp);
        }
        buf_putc(r->b, '}');
        r->nsub++;
        return;
    }
    if (n->alts && r->mode == BL_FILLED) {
        for (const ast_node *alt = n->alts; alt; alt = alt->next) {
            if (alt != n->alts) buf_puts(r->b, " / ");
            r_text(r, qtext_alt(r->a, alt));
        }
        return;
    }
    if (r->mode == BL_TARGET && n != r->target) {
        buf_puts(r->b, "(...)");
        return;
    }
    if (n->label && !n->alts) {
        r_text(r, n->text ? n->text : n->label);
        buf_puts(r->b, ": ");
    }
    buf_puts(r->b, "_____");
}

static int absolute_url(const char *u) {
    return u && (!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8) || !strncmp(u, "mailto:", 7));
}

static void r_wrap(qtext *r, const char *tag, const ast_node *n) {
    if (r->html) buf_printf(r->b, "<%s>", tag);
    qtext_inlines(r, n->first);
    if (r->html) buf_printf(r->b, "</%s>", tag);
}

static void r_inline(qtext *r, const ast_node *n) {
    buf *b = r->b;
    switch (n->type) {
        case AST_TEXT: r_text(r, n->text ? n->text : ""); break;
        case AST_CODE:
            if (r->html) buf_puts(b, "<code>");
            if (n->text)
                r_text(r, n->text);
            else
                qtext_inlines(r, n->first);
            if (r->html) buf_puts(b, "</code>");
            break;
        case AST_EMPH: r_wrap(r, "em", n); break;
        case AST_STRONG: r_wrap(r, "strong", n); break;
        case AST_STRIKETHROUGH: r_wrap(r, "del", n); break;
        case AST_LINK:
            if (r->html && absolute_url(n->url)) {
                buf_puts(b, "<a href=\"");
                buf_puts_escaped(b, n->url);
                buf_puts(b, "\">");
                qtext_inlines(r, n->first);
                buf_puts(b, "</a>");
            } else {
                qtext_inlines(r, n->first);
            }
            break;
        case AST_IMAGE: {
            /* the bank carries no media: the image's text stands in */
            const char *alt = ast_attr_get(&n->attr, "alt");
            if (!alt) alt = ast_plain_text(r->a, n);
            if (alt && *alt) {
                buf_putc(b, '[');
                r_text(r, alt);
                buf_putc(b, ']');
            }
            break;
        }
        case AST_SOFTBREAK: buf_putc(b, r->html ? '\n' : ' '); break;
        case AST_LINEBREAK: buf_puts(b, r->html ? "<br />\n" : "\n"); break;
        case AST_HTMLINLINE:
            if (r->html && n->text && (!n->format || !strcmp(n->format, "html"))) buf_puts(b, n->text);
            break;
        case AST_BLANK: r_blank(r, n); break;
        case AST_SPAN: qtext_inlines(r, n->first); break;
        default: break; /* footnote references: the bank has no notes */
    }
}

void qtext_inlines(qtext *r, const ast_node *n) {
    for (; n; n = n->next) r_inline(r, n);
}

/* Plain text: a block ends with a blank line. */
static void plain_end(qtext *r) {
    if (!r->html) buf_puts(r->b, "\n\n");
}

static void r_list(qtext *r, const ast_node *n) {
    buf *b = r->b;
    if (r->html) buf_puts(b, n->ordered ? "<ol>\n" : "<ul>\n");
    int k = n->start > 0 ? n->start : 1;
    for (const ast_node *it = n->first; it; it = it->next, k++) {
        if (r->html) {
            buf_puts(b, "<li>");
        } else if (n->ordered) {
            buf_printf(b, "%d. ", k);
        } else {
            buf_puts(b, "- ");
        }
        for (const ast_node *c = it->first; c; c = c->next) {
            if (c->type == AST_PARAGRAPH && c == it->first) {
                qtext_inlines(r, c->first); /* the item's own text, bare */
                buf_putc(b, '\n');
            } else {
                qtext_blocks(r, c);
            }
        }
        if (r->html) buf_puts(b, "</li>\n");
    }
    if (r->html)
        buf_puts(b, n->ordered ? "</ol>\n" : "</ul>\n");
    else
        buf_putc(b, '\n');
}

static void r_table(qtext *r, const ast_node *n) {
    buf *b = r->b;
    if (r->html) buf_puts(b, "<table>\n");
    for (const ast_node *row = n->first; row; row = row->next) {
        if (r->html) buf_puts(b, "<tr>");
        for (const ast_node *cell = row->first; cell; cell = cell->next) {
            if (r->html)
                buf_puts(b, row->is_header ? "<th>" : "<td>");
            else if (cell != row->first)
                buf_puts(b, " | ");
            qtext_inlines(r, cell->first);
            if (r->html) buf_puts(b, row->is_header ? "</th>" : "</td>");
        }
        buf_puts(b, r->html ? "</tr>\n" : "\n");
    }
    if (r->html)
        buf_puts(b, "</table>\n");
    else
        buf_putc(b, '\n');
}

/* One block (and, for a Div, its content). */
void qtext_blocks(qtext *r, const ast_node *n) {
    buf *b = r->b;
    switch (n->type) {
        case AST_PARAGRAPH:
            if (r->html) buf_puts(b, "<p>");
            qtext_inlines(r, n->first);
            if (r->html) buf_puts(b, "</p>\n");
            plain_end(r);
            break;
        case AST_HEADING:
            if (r->html) buf_puts(b, "<p><strong>");
            qtext_inlines(r, n->first);
            if (r->html) buf_puts(b, "</strong></p>\n");
            plain_end(r);
            break;
        case AST_LIST: r_list(r, n); break;
        case AST_BLOCKQUOTE:
            if (r->html) buf_puts(b, "<blockquote>\n");
            for (const ast_node *c = n->first; c; c = c->next) qtext_blocks(r, c);
            if (r->html) buf_puts(b, "</blockquote>\n");
            break;
        case AST_CODEBLOCK:
            if (r->html) buf_puts(b, "<pre><code>");
            r_text(r, n->text ? n->text : "");
            if (r->html) buf_puts(b, "</code></pre>\n");
            plain_end(r);
            break;
        case AST_WORKSHEET:
            if (r->html) buf_puts(b, "<pre>");
            qtext_inlines(r, n->first);
            if (r->html) buf_puts(b, "</pre>\n");
            plain_end(r);
            break;
        case AST_HTMLBLOCK:
            if (r->html && n->text && (!n->format || !strcmp(n->format, "html"))) buf_puts(b, n->text);
            break;
        case AST_THEMATICBREAK:
            if (r->html) buf_puts(b, "<hr />\n");
            break;
        case AST_TABLE: r_table(r, n); break;
        case AST_DIV:
            for (const ast_node *c = n->first; c; c = c->next) qtext_blocks(r, c);
            break;
        default: break;
    }
}

/* What r wrote, without the white space at its ends (plain text ends with
 * blank lines). */
char *qtext_take(buf *b) {
    size_t s = 0, e = b->len;
    while (s < e && (b->data[s] == '\n' || b->data[s] == ' ')) s++;
    while (e > s && (b->data[e - 1] == '\n' || b->data[e - 1] == ' ')) e--;
    char *out = xstrndup(b->data ? b->data + s : "", e - s);
    buf_clear(b);
    return out;
}