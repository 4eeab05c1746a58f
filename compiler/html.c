/* html.c — the HTML site writer (SPEC §8.1; the markup contract of
 * docs/markup.md, read from markup.h): renders each guarded module tree into
 * the theme's page.html, then the course index, the theme's assets and the
 * media files the edition's pages reference (SPEC §11.2). Links are
 * relative. */
#include "html.h"
#include "buf.h"
#include "catalog.h"
#include "fs.h"
#include "htmlattr.h"
#include "labels.h"
#include "markup.h"
#include "safeurl.h"
#include "schedule.h"
#include "search.h"
#include "strindex.h"
#include "tmpl.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct html_site {
    const edition_ctx *ctx;
    arena *a; /* the templates */
    tmpl *page, *index;
    char *site; /* out_dir/site */
    /* The largest page so far: the next page's buffer starts that large
     * instead of doubling from 256 bytes (each doubling copies the page so
     * far). Pages of one site are written by several workers at once, hence
     * an atomic; only a hint, so relaxed. */
    atomic_size_t page_hint;
    strindex *pages;   /* ids of this edition's pages */
    strindex *course;  /* ids of every module of the course (NULL: the same) */
    strindex *media;   /* media_file.rel of ctx->media */
    /* media_used[i]: a page references ctx->media[i]. Pages are rendered by
     * several workers at once; html_end reads the flags after they joined. */
    atomic_uchar *media_used;
    /* The print workbook (site/_print.html) when the theme has print.html:
     * each page also writes its module's part into the folder `parts`
     * (beside site/, inside the edition's temporary folder), and html_end
     * joins the parts in module order. NULL: no workbook. */
    tmpl *print;
    char *parts;
    /* The search index (site/_search.js, search.h): each page writes its
     * part into the folder `sparts` beside site/; html_end joins them. */
    char *sparts;
    /* An edition without the `answer` role: its module pages are the
     * fillable workbook (form fields, assets/workbook.js); every other
     * edition's site has no workbook.js. */
    int workbook;
};

static int edition_has_role(const course_edition *ed, const char *role);

/* The id of a module's section in the print workbook; an author's id
 * cannot start with `_` there, as every heading id inside the section is
 * "<module id>--<id>". */
#define PRINT_MODULE_ID "_module-"

static void grow_hint(atomic_size_t *hint, size_t len) {
    if (len > atomic_load_explicit(hint, memory_order_relaxed))
        atomic_store_explicit(hint, len, memory_order_relaxed);
}

/* ---- small helpers ---------------------------------------------------------- */

static char *path_join(arena *a, const char *dir, const char *name) {
    size_t n = strlen(dir);
    return arena_printf(a, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

static tmpl *load_template(arena *a, const char *dir, const char *name, diag *d) {
    const char *path = path_join(a, dir, name);
    char *src;
    size_t len;
    if (fs_read(path, &src, &len) != 0) {
        diag_report(d, DIAG_ERROR, path, 0, 0, "cannot read theme template: %s", fs_strerror(errno));
        return NULL;
    }
    tmpl *t = tmpl_parse(a, src, len, path, d);
    free(src);
    return t;
}

/* The label `key` in the course's language (labels.h). */
static const char *label_of(const edition_ctx *ctx, const char *key) { return labels_get(ctx->c->labels, key); }

/* "N min" in the course's language, or NULL for an untimed -1. */
static const char *minutes(const edition_ctx *ctx, arena *a, int m) {
    return m >= 0 ? labels_format_n(a, ctx->c->labels, "minutes", m) : NULL;
}

/* Always a string, so a section's lookup never falls through to an outer
 * context's `title`. */
static const char *page_title(const page_info *pg) {
    return pg->title && *pg->title ? pg->title : pg->id ? pg->id : "";
}

/* A module id or media path must stay inside site/. */
static int safe_rel(const char *rel) {
    if (!rel || !*rel || rel[0] == '/') return 0;
    for (const char *p = rel; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return 0;
        p += n + (e ? 1 : 0);
    }
    return 1;
}

/* ---- rendering the tree ------------------------------------------------------ */

typedef struct rend {
    buf *b;
    html_site *s;
    const char *path;  /* display path of the module (diagnostics) */
    int safe;
    int in_ws;         /* inside a Worksheet: line breaks are newlines */
    markup_scratch ms; /* attribute values (markup.h) */
    const char *radio; /* inside a choice with select=one: the name of its radio buttons */
    int nchoice;       /* choices with select=one so far on the page */
    struct media_rec *rec; /* the media this page references, or NULL */
    /* The print workbook holds every module in one document: there each id
     * is prefixed "<module id>--" (idpre), and a link to a module page or an
     * anchor becomes a link inside the workbook. NULL on a module page. */
    const char *idpre;
    arena *pa;         /* the print workbook's rewritten strings, made on first use */
    /* A module page of an edition without answers: blanks, response areas
     * and choices are form fields a learner fills in (the fillable
     * workbook, docs/markup.md); elsewhere they are drawn for a pen. */
    int fields;
    int in_link;  /* inside <a>: no field (interactive content) */
    int in_label; /* inside a choice option's <label>: no field, no nested label */
    int nblank;   /* empty blanks so far on the page ("Blank N") */
    int noption;  /* choice options without a paragraph so far ("Option N") */
    const char *answer_name; /* a response's field name: the enclosing exercise's title, or NULL */
} rend;

static arena *scratch(rend *r) {
    if (!r->pa) r->pa = arena_new();
    return r->pa;
}

/* Indices into ctx->media, in the order a page meets them (html_page_used). */
typedef struct media_rec {
    int *idx;
    int n, cap;
} media_rec;

static void block(rend *r, const ast_node *n, int tight);
static void inl(rend *r, const ast_node *n);

/* A label of the page's course (labels.h). */
static const char *rlabel(const rend *r, const char *key) {
    return labels_get(r->s ? r->s->ctx->c->labels : NULL, key);
}

/* A label whose `{n}` is k ("Blank 3"), escaped into r's buffer. */
static void put_label_n(rend *r, const char *key, int k) {
    buf_puts_escaped(r->b, labels_format_n(scratch(r), r->s ? r->s->ctx->c->labels : NULL, key, k));
}

static void inlines(rend *r, const ast_node *n) {
    for (; n; n = n->next) inl(r, n);
}

static void blocks(rend *r, const ast_node *n, int tight) {
    for (; n; n = n->next) block(r, n, tight);
}

/* The writer runs once per node of every page: no printf-family call in it
 * (a format string costs hundreds of instructions per call). */
static void put_attr(buf *b, const char *name, const char *value) {
    buf_putc(b, ' ');
    buf_puts(b, name);
    buf_put(b, "=\"", 2);
    buf_puts_escaped(b, value);
    buf_putc(b, '"');
}

/* A URL attribute, percent-encoded as cmark-gfm writes it. */
static void put_url(buf *b, const char *name, const char *url) {
    buf u = BUF_INIT;
    htmlattr_href(&u, url);
    put_attr(b, name, u.data ? u.data : "");
    buf_free(&u);
}

/* name="<pre><label>[-k]" (k > 1), encoded as cmark-gfm encodes footnote
 * labels in its ids and links. */
static void put_note_attr(rend *r, const char *name, const char *pre, const char *label, int k) {
    buf *b = r->b;
    buf s = BUF_INIT;
    if (r->idpre) { /* "#fn-x" → "#<module>--fn-x" */
        if (*pre == '#') buf_putc(&s, '#'), pre++;
        buf_puts(&s, r->idpre);
    }
    buf_puts(&s, pre);
    buf_puts(&s, label ? label : "");
    if (k > 1) {
        char num[16];
        snprintf(num, sizeof num, "-%d", k);
        buf_puts(&s, num);
    }
    put_url(b, name, s.data);
    buf_free(&s);
}

/* The links back from footnote n to its references, as cmark-gfm writes
 * them. */
static void note_backrefs(rend *r, const ast_node *n) {
    buf *b = r->b;
    for (int k = 1; k <= n->start; k++) {
        if (k > 1) buf_putc(b, ' ');
        buf_puts(b, "<a");
        put_note_attr(r, "href", "#fnref-", n->label, k);
        /* the name holds the visible number of a later reference (WCAG 2.5.3) */
        char num[16];
        snprintf(num, sizeof num, "%d", k);
        buf_puts(b, " class=\"footnote-backref\" data-footnote-backref aria-label=\"");
        buf_puts_escaped(b, rlabel(r, "back_to_content"));
        if (k > 1) buf_putc(b, ' '), buf_puts(b, num);
        buf_puts(b, "\">\u21a9");
        if (k > 1) {
            buf_puts(b, "<sup class=\"footnote-ref\">");
            buf_puts(b, num);
            buf_puts(b, "</sup>");
        }
        buf_puts(b, "</a>");
    }
}

static void put_markup_attr(void *ud, markup_attr which, const char *name, const char *value, size_t len) {
    rend *r = ud;
    buf *b = r->b;
    buf_putc(b, ' ');
    buf_puts(b, name);
    buf_put(b, "=\"", 2);
    if (which == MA_ID && r->idpre) buf_puts_escaped(b, r->idpre);
    buf_put_escaped(b, value, len);
    buf_putc(b, '"');
}

/* The start tag of n's element el without its closing `>`: the name and
 * every attribute the contract gives n (markup.h). pre: a class first. */
static void open_tag(rend *r, const ast_node *n, markup_el el, const char *pre) {
    buf_putc(r->b, '<');
    buf_puts(r->b, markup_el_names[el]);
    markup_attrs(&r->ms, n, pre, put_markup_attr, r);
}

static void close_tag(buf *b, markup_el el) {
    buf_put(b, "</", 2);
    buf_puts(b, markup_el_names[el]);
    buf_putc(b, '>');
}

/* class="language-X" from the first word of a code block's info string. */
static void put_language(buf *b, const char *info) {
    size_t w = markup_language(info);
    if (!w) return;
    buf_puts(b, " class=\"language-");
    buf_put_escaped(b, info, w);
    buf_putc(b, '"');
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The media file that url[0..n) names (as written, or percent-decoded),
 * or -1. */
static int find_media(const html_site *s, const char *url, size_t n) {
    int i = strindex_find(s->media, url, n);
    if (i >= 0 || !memchr(url, '%', n)) return i;
    char *dec = xmalloc(n + 1);
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        int h, l;
        if (url[j] == '%' && j + 2 < n && (h = hexval(url[j + 1])) >= 0 && (l = hexval(url[j + 2])) >= 0) {
            dec[k++] = (char)(h * 16 + l);
            j += 2;
        } else {
            dec[k++] = url[j];
        }
    }
    i = strindex_find(s->media, dec, k);
    free(dec);
    return i;
}

/* A page references url[0..n): if it is a media file (a #fragment or
 * ?query aside), the site gets it. */
static void note_media(rend *r, const char *url, size_t n) {
    if (!r->s || !r->s->media) return;
    for (size_t j = 0; j < n; j++)
        if (url[j] == '#' || url[j] == '?') {
            n = j;
            break;
        }
    int i = find_media(r->s, url, n);
    if (i < 0) return;
    atomic_store_explicit(&r->s->media_used[i], 1, memory_order_relaxed);
    media_rec *m = r->rec;
    if (m) {
        if (m->n == m->cap) m->idx = xrealloc(m->idx, sizeof *m->idx * (size_t)(m->cap = m->cap ? m->cap * 2 : 8));
        m->idx[m->n++] = i;
    }
}

/* The media files raw HTML names in src=, href= or poster= (an image the
 * author placed with <img>, say): a scan of its attributes, not a parse. */
static void note_raw_media(rend *r, const char *t) {
    if (!r->s || !r->s->media || !t) return;
    static const char *const names[] = {"src", "href", "poster"};
    for (const char *p = t; *p; p++) {
        if (p == t || !(p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n' || p[-1] == '\r' || p[-1] == '\f'))
            continue;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            size_t nl = strlen(names[k]);
            if (strncasecmp(p, names[k], nl) != 0) continue;
            const char *q = p + nl;
            while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
            if (*q != '=') continue;
            q++;
            while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
            char quote = *q == '"' || *q == '\'' ? *q++ : 0;
            const char *v = q;
            while (*q && (quote ? *q != quote : !(*q == ' ' || *q == '>' || *q == '\t' || *q == '\n' || *q == '\r')))
                q++;
            if (q > v) note_media(r, v, (size_t)(q - v));
            p = q > p ? q - 1 : p;
            break;
        }
    }
}

/* Does url name the page of a module that this edition does not have
 * (SPEC §11.2: whole modules)? "<id>.html" or "<id>.html#x", with an
 * optional "./", where <id> is a module of the course but not a page here. */
static int excluded_page(const html_site *s, const char *url) {
    if (!url || !s->course) return 0;
    if (url[0] == '.' && url[1] == '/') url += 2;
    size_t plen = strcspn(url, "#?");
    if (plen <= 5 || strncmp(url + plen - 5, ".html", 5) != 0) return 0;
    size_t idlen = plen - 5;
    if (memchr(url, '/', idlen)) return 0;
    return strindex_find(s->pages, url, idlen) < 0 && strindex_find(s->course, url, idlen) >= 0;
}

static int is_html(const ast_node *n) {
    const char *f = n->format ? n->format : n->info;
    return !f || strcmp(f, "html") == 0;
}

/* In the print workbook: a link to an anchor of this module, to the page of
 * another module of the edition, or to an anchor there, as a link inside
 * the workbook (its ids are "<module id>--<id>", its modules' sections
 * PRINT_MODULE_ID "<module id>"); NULL for every other URL. */
static const char *print_href(rend *r, const char *url) {
    if (url[0] == '#') return url[1] ? arena_printf(scratch(r), "#%s%s", r->idpre, url + 1) : NULL;
    if (!r->s) return NULL;
    if (url[0] == '.' && url[1] == '/') url += 2;
    size_t plen = strcspn(url, "#?");
    if (plen <= 5 || url[plen] == '?' || strncmp(url + plen - 5, ".html", 5) != 0) return NULL;
    size_t idlen = plen - 5;
    if (memchr(url, '/', idlen) || strindex_find(r->s->pages, url, idlen) < 0) return NULL;
    if (url[plen] == '#' && url[plen + 1])
        return arena_printf(scratch(r), "#%.*s--%s", (int)idlen, url, url + plen + 1);
    return arena_printf(scratch(r), "#" PRINT_MODULE_ID "%.*s", (int)idlen, url);
}

/* Under --safe, may n's URL be written (safeurl.h)? The parser already
 * dropped the ones written in Markdown, with a warning; these came from a
 * filter, so they are reported here. */
static int url_allowed(rend *r, const ast_node *n) {
    if (!r->safe) return 1;
    char scheme[32], why[256];
    safeurl_verdict v = safeurl_check(n->url, n->type == AST_IMAGE, scheme, sizeof scheme);
    if (v == SAFEURL_OK) return 1;
    if (r->s && r->path)
        diag_report(r->s->ctx->d, DIAG_WARNING, r->path, n->line, n->col, "%s",
                    safeurl_message(v, scheme, why, sizeof why));
    return 0;
}

/* An empty blank; label: the fill-in's name, or NULL. As a form field
 * (r->fields, not inside a link or a choice option's label): <input
 * type="text" class="blank">, named by the fill-in's <label> around it
 * (blank()) or "Blank N"; else drawn for a pen, a <span class="blank">
 * with role="img" and the same name. */
static void empty_blank(rend *r, const ast_node *n, const char *label) {
    buf *b = r->b;
    char style[32];
    markup_blank_style(n, style);
    int k = label ? 0 : ++r->nblank;
    if (r->fields && !r->in_link && !r->in_label) {
        buf_puts(b, "<input type=\"text\" class=\"blank\" style=\"");
        buf_puts(b, style);
        buf_putc(b, '"');
        if (!label) {
            buf_puts(b, " aria-label=\"");
            put_label_n(r, "blank_n", k);
            buf_putc(b, '"');
        }
        buf_puts(b, " />");
        return;
    }
    buf_puts(b, "<span class=\"blank\" style=\"");
    buf_puts(b, style);
    buf_puts(b, "\" role=\"img\" aria-label=\"");
    if (label) buf_puts_escaped(b, label);
    else put_label_n(r, "blank_n", k);
    buf_puts(b, "\"></span>");
}

static void blank(rend *r, const ast_node *n) {
    buf *b = r->b;
    const char *label = n->label ? markup_fill_in_name(scratch(r), n) : NULL;
    /* a fill-in that becomes a field: its label names it */
    int wrap = label && !n->alts && r->fields && !r->in_link && !r->in_label;
    if (label) { /* a fill-in: its variable's name, and its visible label in the course's punctuation */
        buf_puts(b, "<span class=\"fill-in\"");
        put_attr(b, "data-var", n->label);
        buf_puts(b, wrap ? "><label><span class=\"blank-label\">" : "><span class=\"blank-label\">");
        buf_puts_escaped(b, markup_fill_in_label(scratch(r), r->s ? r->s->ctx->c->labels : NULL, label));
        buf_puts(b, "</span> ");
    }
    if (n->alts) {
        buf_puts(b, "<span class=\"blank filled\">");
        for (const ast_node *alt = n->alts; alt; alt = alt->next) {
            if (alt != n->alts) buf_puts(b, "<span class=\"alt-sep\"> / </span>");
            if (alt->type == AST_SPAN) inlines(r, alt->first);
            else inl(r, alt);
        }
        buf_puts(b, "</span>");
    } else {
        empty_blank(r, n, label);
    }
    if (wrap) buf_puts(b, "</label>");
    if (n->label) buf_puts(b, "</span>");
}

/* An element of the contract with inline content. */
static void inline_el(rend *r, const ast_node *n) {
    markup_el el = markup_element(n);
    open_tag(r, n, el, NULL);
    buf_putc(r->b, '>');
    inlines(r, n->first);
    close_tag(r->b, el);
}

static void inl(rend *r, const ast_node *n) {
    buf *b = r->b;
    switch (n->type) {
    case AST_TEXT:
        if (n->text) buf_puts_escaped(b, n->text);
        break;
    case AST_CODE:
        /* code written with the class `blanks` has no text but Text and
         * Blank children */
        open_tag(r, n, ME_CODE, NULL);
        buf_putc(b, '>');
        if (n->text) buf_puts_escaped(b, n->text);
        else inlines(r, n->first);
        close_tag(b, ME_CODE);
        break;
    case AST_EMPH:
    case AST_STRONG:
    case AST_STRIKETHROUGH:
    case AST_SPAN: inline_el(r, n); break;
    case AST_LINK:
        if (r->s && excluded_page(r->s, n->url)) {
            /* a module this edition leaves out: no dangling link */
            inlines(r, n->first);
            break;
        }
        buf_puts(b, "<a");
        if (n->url && url_allowed(r, n)) {
            const char *inside = r->idpre ? print_href(r, n->url) : NULL;
            put_url(b, "href", inside ? inside : n->url);
            note_media(r, n->url, strlen(n->url));
        }
        markup_attrs(&r->ms, n, NULL, put_markup_attr, r);
        buf_putc(b, '>');
        r->in_link++;
        inlines(r, n->first);
        r->in_link--;
        buf_puts(b, "</a>");
        break;
    case AST_IMAGE: {
        int ok = n->url && url_allowed(r, n);
        buf_puts(b, "<img");
        put_url(b, "src", ok ? n->url : "");
        if (ok) note_media(r, n->url, strlen(n->url));
        markup_attrs(&r->ms, n, NULL, put_markup_attr, r);
        buf_puts(b, " />");
        break;
    }
    case AST_SOFTBREAK: buf_putc(b, '\n'); break;
    case AST_LINEBREAK: buf_puts(b, r->in_ws ? "\n" : "<br />\n"); break;
    case AST_HTMLINLINE:
        if (!r->safe && is_html(n) && n->text) {
            buf_puts(b, n->text);
            note_raw_media(r, n->text);
        }
        break;
    case AST_BLANK: blank(r, n); break;
    case AST_NOTEREF: {
        char num[16];
        snprintf(num, sizeof num, "%d", n->width);
        buf_puts(b, "<sup class=\"footnote-ref\"><a");
        put_note_attr(r, "href", "#fn-", n->label, 1);
        put_note_attr(r, "id", "fnref-", n->label, n->start);
        buf_puts(b, " data-footnote-ref>");
        buf_puts(b, num);
        buf_puts(b, "</a></sup>");
        break;
    }
    default:
        if (ast_is_block(n->type)) block(r, n, 0);
        break;
    }
}

/* A header row before the first body row goes into <thead>; every other
 * row into <tbody>. */
static void table(rend *r, const ast_node *n) {
    buf *b = r->b;
    /* a table wider than a phone's screen scrolls inside a region the
     * keyboard reaches, not the page */
    buf_puts(b, "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"");
    buf_puts_escaped(b, rlabel(r, "table"));
    buf_puts(b, "\">\n");
    open_tag(r, n, ME_TABLE, NULL);
    buf_puts(b, ">\n");
    int in_body = 0, any_head = 0;
    for (const ast_node *row = n->first; row; row = row->next) {
        if (row->type != AST_TABLEROW) continue;
        if (row->is_header && !in_body) {
            if (!any_head) buf_puts(b, "<thead>\n");
            any_head = 1;
        } else if (!in_body) {
            if (any_head) buf_puts(b, "</thead>\n");
            buf_puts(b, "<tbody>\n");
            in_body = 1;
        }
        markup_el cel = row->is_header && !in_body ? ME_TH : ME_TD;
        open_tag(r, row, ME_TR, NULL);
        buf_puts(b, ">\n");
        for (const ast_node *cell = row->first; cell; cell = cell->next) {
            open_tag(r, cell, cel, NULL);
            buf_putc(b, '>');
            if (cell->type == AST_TABLECELL) inlines(r, cell->first);
            else inl(r, cell);
            close_tag(b, cel);
            buf_putc(b, '\n');
        }
        buf_puts(b, "</tr>\n");
    }
    if (in_body) buf_puts(b, "</tbody>\n");
    else if (any_head) buf_puts(b, "</thead>\n");
    buf_puts(b, "</table>\n</div>\n");
}

/* A task item's box: operable in the fillable workbook (r->fields), else
 * disabled; checked where the author ticked it. */
static void task_input(rend *r, const ast_node *n, int named) {
    buf *b = r->b;
    /* a radio button inside a choice with select=one: one question, one
     * answer, the same name for all its options */
    buf_puts(b, "<input type=\"");
    buf_puts(b, markup_input_type(r->radio));
    buf_putc(b, '"');
    if (r->radio) put_attr(b, "name", r->idpre ? arena_printf(scratch(r), "%s%s", r->idpre, r->radio) : r->radio);
    if (!named) {
        buf_puts(b, " aria-label=\"");
        put_label_n(r, "option", ++r->noption);
        buf_putc(b, '"');
    }
    /* the author's tick (a choice's ticks are gone from editions without
     * answers: the guard removed them) */
    if (!r->fields) buf_puts(b, " disabled=\"disabled\"");
    if (n->checked > 0) buf_puts(b, " checked=\"checked\"");
    buf_puts(b, "/> ");
}

/* A task item: its box and the text of its first paragraph inside one
 * <label> (the box's name; a click on the text ticks it); an item that
 * does not begin with a paragraph names its box "Option N". */
static void item(rend *r, const ast_node *n, int tight) {
    buf *b = r->b;
    open_tag(r, n, ME_LI, NULL);
    buf_putc(b, '>');
    const ast_node *c = n->first;
    if (n->checked >= 0) {
        const ast_node *p = c && c->type == AST_PARAGRAPH ? c : NULL;
        if (!p) {
            task_input(r, n, 0);
        } else {
            int bare = tight && markup_tight_bare(p);
            if (!bare) open_tag(r, p, ME_P, NULL), buf_putc(b, '>');
            buf_puts(b, "<label>");
            task_input(r, n, 1);
            r->in_label++;
            inlines(r, p->first);
            r->in_label--;
            buf_puts(b, "</label>");
            buf_puts(b, bare ? (p->next ? "\n" : "") : "</p>\n");
            c = p->next;
        }
    }
    for (; c; c = c->next) {
        if (tight && c->type == AST_PARAGRAPH && markup_tight_bare(c)) {
            inlines(r, c->first);
            if (c->next) buf_putc(b, '\n');
        } else {
            if (c == n->first && !(n->checked >= 0 && c->type == AST_PARAGRAPH)) buf_putc(b, '\n');
            block(r, c, tight);
        }
    }
    buf_puts(b, "</li>\n");
}

/* The number of writing lines of a learner's response: its children are
 * all ruled lines (lua/answers.lua), else 0. */
static int ruled_lines(const ast_node *n) {
    if (!ast_has_class(n, "response")) return 0;
    int k = 0;
    for (const ast_node *c = n->first; c; c = c->next) {
        if (c->type != AST_DIV || c->first || !ast_has_class(c, "rule")) return 0;
        k++;
    }
    return k;
}

/* A response's ruled lines as one field of as many rows, named by the
 * response's title, else its exercise's, else "Your answer". */
static void response_field(rend *r, const char *title, int lines) {
    buf *b = r->b;
    char rows[16];
    snprintf(rows, sizeof rows, "%d", lines);
    buf_puts(b, "<textarea class=\"response-field\"");
    put_attr(b, "rows", rows);
    const char *name = title && *title ? title : r->answer_name ? r->answer_name : rlabel(r, "your_answer");
    put_attr(b, "aria-label", name);
    buf_puts(b, "></textarea>\n");
}

/* The title an exercise or activity box gives the responses inside it:
 * its title=, else its first heading's text. */
static const char *exercise_name(rend *r, const ast_node *n) {
    if (!ast_has_class(n, "exercise") && !ast_has_class(n, "activity")) return NULL;
    const char *t = ast_attr_get(&n->attr, "title");
    if (t && *t) return t;
    for (const ast_node *c = n->first; c; c = c->next)
        if (c->type == AST_HEADING) {
            const char *h = ast_title_text(scratch(r), c, r->s ? r->s->ctx->role_classes : NULL);
            return h && *h ? h : NULL;
        }
    return NULL;
}

static void div_box(rend *r, const ast_node *n) {
    buf *b = r->b;
    const char *title = ast_attr_get(&n->attr, "title");
    const char *outer_radio = r->radio;
    char radio[32];
    r->radio = markup_radio_group(n, outer_radio, &r->nchoice, radio);
    const char *outer_name = r->answer_name;
    if (r->fields) {
        const char *en = exercise_name(r, n);
        if (en) r->answer_name = en;
    }
    int lines = r->fields ? ruled_lines(n) : 0;
    if (ast_has_class(n, "hint")) {
        /* the site folds a hint away (docs/markup.md: where the writers differ) */
        buf_puts(b, "<details");
        markup_attrs(&r->ms, n, NULL, put_markup_attr, r);
        buf_puts(b, "><summary>");
        buf_puts_escaped(b, title && *title ? title : rlabel(r, "hint"));
        buf_puts(b, "</summary>\n");
        blocks(r, n->first, 0);
        buf_puts(b, "</details>\n");
    } else {
        open_tag(r, n, ME_DIV, NULL);
        const char *group = markup_choice_name(scratch(r), n, r->s ? r->s->ctx->role_classes : NULL);
        if (group) {
            buf_puts(b, " role=\"group\"");
            put_attr(b, "aria-label", group);
        }
        if (!n->first && !(title && *title)) { /* e.g. a response's ruled line */
            buf_puts(b, "></div>\n");
        } else {
            buf_puts(b, ">\n");
            if (title && *title && !ast_box_title(n)) {
                buf_puts(b, "<p class=\"box-title\">");
                buf_puts_escaped(b, title);
                buf_puts(b, "</p>\n");
            }
            if (lines) response_field(r, title, lines);
            else blocks(r, n->first, 0);
            buf_puts(b, "</div>\n");
        }
    }
    r->radio = outer_radio;
    r->answer_name = outer_name;
}

/* A code block, or a worksheet (a code block with live blanks: a
 * ```worksheet block, no info, or one written with the class `blanks`, its
 * language kept). */
static void pre_code(rend *r, const ast_node *n) {
    buf *b = r->b;
    open_tag(r, n, ME_PRE, NULL);
    /* a code block scrolls sideways on a narrow screen: the keyboard
     * reaches it (a worksheet wraps its lines instead) */
    if (n->type == AST_CODEBLOCK) buf_puts(b, " tabindex=\"0\"");
    buf_puts(b, "><code");
    put_language(b, n->info);
    buf_putc(b, '>');
    if (n->type == AST_WORKSHEET) {
        r->in_ws++;
        inlines(r, n->first);
        r->in_ws--;
    } else if (n->text) {
        buf_puts_escaped(b, n->text);
    }
    buf_puts(b, "</code></pre>\n");
}

static void block(rend *r, const ast_node *n, int tight) {
    buf *b = r->b;
    switch (n->type) {
    case AST_DOCUMENT: blocks(r, n->first, 0); break;
    case AST_HEADING:
        inline_el(r, n);
        buf_putc(b, '\n');
        break;
    case AST_PARAGRAPH:
        open_tag(r, n, ME_P, NULL);
        buf_putc(b, '>'), inlines(r, n->first);
        if (n->parent && n->parent->type == AST_FOOTNOTE && !n->next) {
            buf_putc(b, ' ');
            note_backrefs(r, n->parent);
        }
        buf_puts(b, "</p>\n");
        break;
    case AST_FOOTNOTE:
        /* the footnotes stand last, in one list (edition.c) */
        if (!n->prev || n->prev->type != AST_FOOTNOTE) {
            /* a section has a heading (for a screen reader's outline), seen
             * only by assistive technology, as GitHub does */
            buf_puts(b, "<section class=\"footnotes\" data-footnotes>\n<h2 class=\"visually-hidden\">");
            buf_puts_escaped(b, rlabel(r, "footnotes"));
            buf_puts(b, "</h2>\n<ol>\n");
        }
        buf_puts(b, "<li");
        put_note_attr(r, "id", "fn-", n->label, 1);
        buf_puts(b, ">\n");
        blocks(r, n->first, 0);
        if (!n->last || n->last->type != AST_PARAGRAPH) {
            note_backrefs(r, n);
            buf_putc(b, '\n');
        }
        buf_puts(b, "</li>\n");
        if (!n->next || n->next->type != AST_FOOTNOTE) buf_puts(b, "</ol>\n</section>\n");
        break;
    case AST_BLOCKQUOTE:
        open_tag(r, n, ME_BLOCKQUOTE, NULL);
        buf_puts(b, ">\n"), blocks(r, n->first, 0), buf_puts(b, "</blockquote>\n");
        break;
    case AST_LIST: {
        markup_el el = markup_element(n);
        open_tag(r, n, el, NULL);
        buf_puts(b, ">\n");
        for (const ast_node *c = n->first; c; c = c->next) {
            if (c->type == AST_ITEM) item(r, c, n->tight);
            else block(r, c, n->tight);
        }
        close_tag(b, el);
        buf_putc(b, '\n');
        break;
    }
    case AST_ITEM: item(r, n, tight); break;
    case AST_CODEBLOCK:
    case AST_WORKSHEET: pre_code(r, n); break;
    case AST_HTMLBLOCK:
        if (!r->safe && is_html(n) && n->text) {
            note_raw_media(r, n->text);
            size_t l = strlen(n->text);
            buf_put(b, n->text, l);
            if (l && n->text[l - 1] != '\n') buf_putc(b, '\n');
        }
        break;
    case AST_THEMATICBREAK: buf_puts(b, "<hr />\n"); break;
    case AST_TABLE: table(r, n); break;
    case AST_TABLEROW:
    case AST_TABLECELL: /* stray (filters): render the content */
        inlines(r, n->first);
        break;
    case AST_DIV: div_box(r, n); break;
    default: /* an inline where a block was expected (filters): keep it */
        inl(r, n);
        break;
    }
}

/* ---- the module page --------------------------------------------------------- */

/* The page body is rendered where the template places it (`{{{body}}}`),
 * straight into the page's buffer, instead of into a buffer of its own that
 * the template then copies. */
typedef struct page_body {
    const ast_node *doc;
    html_site *s;
    const char *path;
    media_rec *rec;
    const char *idpre; /* the print workbook's part: rend.idpre */
} page_body;

static void write_body(void *ud, buf *out) {
    const page_body *pb = ud;
    rend r = {0};
    r.b = out;
    r.s = pb->s;
    r.path = pb->path;
    r.rec = pb->rec;
    r.safe = pb->s->ctx->safe;
    r.ms.safe = r.safe;
    r.idpre = pb->idpre;
    r.fields = pb->s->workbook && !pb->idpre;
    if (pb->doc) block(&r, pb->doc, 0);
    markup_scratch_free(&r.ms);
    if (r.pa) arena_free(r.pa);
}

typedef struct toc_state {
    arena *a;
    const char *const *roles;
    tmpl_ctx *ctx;
    int has_h1;
    int ntoc;
} toc_state;

/* For every node (ast_walk): a heading of level 2 or 3 becomes a TOC entry;
 * the walk does not descend into headings. */
static int collect_toc(ast_node *n, void *ud) {
    toc_state *t = ud;
    if (n->type != AST_HEADING) return 0;
    if (n->level == 1) t->has_h1 = 1;
    if (n->level < 2 || n->level > 3) return 1;
    /* the TOC names the heading, not its duration badge */
    const char *text = ast_title_text(t->a, n, t->roles);
    if (!*text) return 1;
    tmpl_ctx *e = tmpl_list_push(t->ctx, "toc");
    t->ntoc++;
    tmpl_set(e, "text", text);
    tmpl_set(e, "level", n->level == 2 ? "2" : "3");
    tmpl_set_bool(e, "sub", n->level == 3);
    if (n->attr.id && *n->attr.id) tmpl_set(e, "href", arena_printf(t->a, "#%s", markup_id(t->a, n->attr.id)));
    return 1;
}

static void common_ctx(const edition_ctx *ctx, arena *a, tmpl_ctx *t) {
    const course *c = ctx->c;
    tmpl_set(t, "lang", c->language && *c->language ? c->language : "en");
    tmpl_set(t, "assets", "assets");
    tmpl_set(t, "index_href", "index.html");
    tmpl_ctx *cm = tmpl_map(t, "course");
    tmpl_set(cm, "id", c->id);
    tmpl_set(cm, "title", c->title ? c->title : c->id);
    tmpl_set(cm, "subtitle", c->subtitle);
    tmpl_set(cm, "description", c->description);
    tmpl_set(cm, "publisher", c->publisher);
    tmpl_set(cm, "rights", c->rights);
    tmpl_set(cm, "date", c->date);
    tmpl_set(cm, "duration", minutes(ctx, a, ctx->total_duration));
    tmpl_list(cm, "authors");
    tmpl_set_bool(cm, "has_authors", c->nauthors > 0);
    for (int i = 0; i < c->nauthors; i++) tmpl_list_push_str(cm, "authors", c->authors[i]);
    tmpl_ctx *em = tmpl_map(t, "edition");
    const char *name = ctx->ed && ctx->ed->name ? ctx->ed->name : "";
    tmpl_set(em, "name", name);
    tmpl_set(em, "title", ctx->ed && ctx->ed->title ? ctx->ed->title : name);
    /* {{labels.KEY}}: every label in the course's language */
    tmpl_ctx *lm = tmpl_map(t, "labels");
    for (int i = 0; i < labels_count(c->labels); i++)
        tmpl_set(lm, labels_key(c->labels, i), labels_value(c->labels, i));
    /* the fillable workbook: what a learner enters is kept per course,
     * edition and version (course.yaml `version:`, else the build's date) */
    if (!edition_has_role(ctx->ed, "answer")) {
        tmpl_ctx *wm = tmpl_map(t, "workbook");
        const char *v = c->version;
        if (!v || !*v) {
            time_t tt = (time_t)ctx->build_time;
            struct tm tmv;
            char day[32];
            v = gmtime_r(&tt, &tmv) && strftime(day, sizeof day, "%Y-%m-%d", &tmv) ? arena_strdup(a, day) : "";
        }
        tmpl_set(wm, "version", v);
    }
}

/* Label key with its one placeholder `{name}` replaced by value. */
static const char *label_with(const edition_ctx *ctx, arena *a, const char *key, const char *name, const char *value) {
    return labels_format(a, ctx->c->labels, key, &name, &value, 1);
}

static int write_file(const edition_ctx *ctx, const char *path, const buf *b) {
    if (fs_write(path, b->data ? b->data : "", b->len) != 0) {
        diag_report(ctx->d, DIAG_ERROR, path, 0, 0, "cannot write output file: %s", strerror(errno));
        return -1;
    }
    return 0;
}

html_site *html_begin(const edition_ctx *ctx) {
    html_site *s = xcalloc(1, sizeof *s);
    atomic_init(&s->page_hint, 0);
    s->ctx = ctx;
    s->a = arena_new();
    s->workbook = !edition_has_role(ctx->ed, "answer");
    const char *dir = ctx->theme_dir ? ctx->theme_dir : ".";
    s->page = load_template(s->a, dir, "page.html", ctx->d);
    s->index = load_template(s->a, dir, "index.html", ctx->d);
    int ok = s->page && s->index;
    const char **keys = arena_alloc(s->a, sizeof *keys * (size_t)(ctx->npages + ctx->ncourse_pages + ctx->nmedia + 1));
    for (int i = 0; i < ctx->npages; i++) keys[i] = ctx->pages[i].id;
    s->pages = strindex_new(keys, ctx->npages);
    if (ctx->course_pages) {
        for (int i = 0; i < ctx->ncourse_pages; i++) keys[i] = ctx->course_pages[i].id;
        s->course = strindex_new(keys, ctx->ncourse_pages);
    }
    if (ctx->nmedia > 0) {
        for (int i = 0; i < ctx->nmedia; i++) keys[i] = ctx->media[i].rel;
        s->media = strindex_new(keys, ctx->nmedia);
        s->media_used = xcalloc((size_t)ctx->nmedia, sizeof *s->media_used);
        for (int i = 0; i < ctx->nmedia; i++) atomic_init(&s->media_used[i], 0);
    }
    s->site = path_join(s->a, ctx->out_dir ? ctx->out_dir : ".", "site");
    if (ok && fs_mkdir_p(s->site) != 0) {
        diag_report(ctx->d, DIAG_ERROR, s->site, 0, 0, "cannot create output folder: %s", strerror(errno));
        ok = 0;
    }
    /* a theme prints when it has print.html (themes/default does) */
    const char *pt = path_join(s->a, dir, "print.html");
    if (ok && access(pt, F_OK) == 0) {
        if (!(s->print = load_template(s->a, dir, "print.html", ctx->d))) ok = 0;
        s->parts = path_join(s->a, ctx->out_dir ? ctx->out_dir : ".", "print-parts");
        if (ok && fs_mkdir_p(s->parts) != 0) {
            diag_report(ctx->d, DIAG_ERROR, s->parts, 0, 0, "cannot create output folder: %s", strerror(errno));
            ok = 0;
        }
    }
    s->sparts = path_join(s->a, ctx->out_dir ? ctx->out_dir : ".", "search-parts");
    if (ok && fs_mkdir_p(s->sparts) != 0) {
        diag_report(ctx->d, DIAG_ERROR, s->sparts, 0, 0, "cannot create output folder: %s", strerror(errno));
        ok = 0;
    }
    if (!ok) {
        html_abort(s);
        return NULL;
    }
    return s;
}

/* Where page `index` leaves its part of the print workbook. */
static const char *part_path(const html_site *s, arena *a, int index) {
    return arena_printf(a, "%s/%d.html", s->parts, index);
}

/* Where page `index` leaves its part of the search index. */
static const char *search_part_path(const html_site *s, arena *a, int index) {
    return arena_printf(a, "%s/%d.txt", s->sparts, index);
}

int html_page(html_site *s, int index, const ast_node *doc) { return html_page_used(s, index, doc, NULL, NULL); }

int html_page_used(html_site *s, int index, const ast_node *doc, const char ***used, int *nused) {
    const edition_ctx *ctx = s->ctx;
    if (index < 0 || index >= ctx->npages) return -1;
    const page_info *pg = &ctx->pages[index];
    if (!safe_rel(pg->id) || strchr(pg->id, '/')) {
        diag_report(ctx->d, DIAG_ERROR, pg->path, 0, 0, "module id `%s` cannot name an HTML page", pg->id);
        return -1;
    }
    arena *a = arena_new();
    buf out = BUF_INIT;

    tmpl_ctx *t = tmpl_ctx_new(a);
    common_ctx(ctx, a, t);
    const char *ctitle = ctx->c->title ? ctx->c->title : ctx->c->id;
    const char *mtitle = page_title(pg);
    tmpl_set(t, "title", arena_printf(a, "%s \xe2\x80\x94 %s", mtitle, ctitle));
    tmpl_ctx *mm = tmpl_map(t, "module");
    tmpl_set(mm, "id", pg->id);
    tmpl_set(mm, "title", mtitle);
    tmpl_set(mm, "duration", minutes(ctx, a, pg->duration));
    tmpl_set(mm, "number", arena_printf(a, "%d", index + 1));
    tmpl_set(t, "module_count", arena_printf(a, "%d", ctx->npages));
    toc_state ts = {a, ctx->role_classes, t, 0, 0};
    tmpl_list(t, "toc");
    if (doc) ast_walk((ast_node *)doc, collect_toc, &ts);
    tmpl_set_bool(t, "has_h1", ts.has_h1);
    tmpl_set_bool(t, "has_toc", ts.ntoc > 0);
    tmpl_set_bool(t, "scorm", ctx->scorm);
    if (index > 0) {
        tmpl_ctx *p = tmpl_map(t, "prev");
        tmpl_set(p, "href", arena_printf(a, "%s.html", ctx->pages[index - 1].id));
        tmpl_set(p, "title", page_title(&ctx->pages[index - 1]));
    }
    if (index + 1 < ctx->npages) {
        tmpl_ctx *p = tmpl_map(t, "next");
        tmpl_set(p, "href", arena_printf(a, "%s.html", ctx->pages[index + 1].id));
        tmpl_set(p, "title", page_title(&ctx->pages[index + 1]));
    }
    media_rec rec = {0};
    page_body pb = {doc, s, pg->path, used ? &rec : NULL, NULL};
    tmpl_set_fn(t, "body", write_body, &pb);
    buf_grow(&out, atomic_load_explicit(&s->page_hint, memory_order_relaxed));
    tmpl_render(s->page, t, &out);
    grow_hint(&s->page_hint, out.len);

    int rc = write_file(ctx, arena_printf(a, "%s/%s.html", s->site, pg->id), &out);
    if (rc == 0) {
        /* the page's part of the search index, from the same tree */
        buf part = BUF_INIT;
        part.data = search_page_part(doc, ctx->role_classes, !s->workbook, &part.len);
        part.cap = part.len;
        rc = write_file(ctx, search_part_path(s, a, index), &part);
        buf_free(&part);
    }
    if (rc == 0 && s->print) {
        /* the module's part of the print workbook, from the same tree */
        out.len = 0;
        buf_puts(&out, "<section class=\"print-module\"");
        put_attr(&out, "id", arena_printf(a, PRINT_MODULE_ID "%s", pg->id));
        put_attr(&out, "data-module", pg->id);
        buf_puts(&out, ">\n");
        if (!ts.has_h1) {
            buf_puts(&out, "<h1 class=\"module-title\">");
            buf_puts_escaped(&out, mtitle);
            buf_puts(&out, "</h1>\n");
        }
        /* no path: the page has reported its URLs already */
        page_body ppb = {doc, s, NULL, NULL, arena_printf(a, "%s--", pg->id)};
        write_body(&ppb, &out);
        buf_puts(&out, "</section>\n");
        rc = write_file(ctx, part_path(s, a, index), &out);
    }
    buf_free(&out);
    arena_free(a);
    if (used) {
        *used = xmalloc(sizeof **used * (size_t)(rec.n + 1));
        for (int k = 0; k < rec.n; k++) (*used)[k] = ctx->media[rec.idx[k]].rel;
        *nused = rec.n;
        free(rec.idx);
    }
    return rc;
}

/* The parts as one string: the print part's length in decimal and a LF,
 * the print part (when the theme prints), the search part. */
char *html_page_parts(html_site *s, int index, size_t *len) {
    *len = 0;
    if (index < 0 || index >= s->ctx->npages) return NULL;
    arena *a = arena_new();
    char *print = NULL, *search = NULL;
    size_t nprint = 0, nsearch = 0;
    buf out = BUF_INIT;
    if ((!s->print || fs_read(part_path(s, a, index), &print, &nprint) == 0) &&
        fs_read(search_part_path(s, a, index), &search, &nsearch) == 0) {
        buf_printf(&out, "%zu\n", nprint);
        buf_put(&out, print ? print : "", nprint);
        buf_put(&out, search, nsearch);
        *len = out.len;
    }
    free(print);
    free(search);
    arena_free(a);
    return *len ? buf_detach(&out) : (buf_free(&out), NULL);
}

int html_page_reuse(html_site *s, int index, const char *from, const char *const *used, int nused,
                    const char *parts, size_t nparts) {
    const edition_ctx *ctx = s->ctx;
    if (index < 0 || index >= ctx->npages || !parts) return -1;
    char *end;
    unsigned long long nprint = strtoull(parts, &end, 10);
    if (end == parts || end >= parts + nparts || *end != '\n' || nprint > nparts - (size_t)(end + 1 - parts))
        return -1;
    const char *print = end + 1, *search = print + nprint;
    arena *a = arena_new();
    int bad = fs_write(search_part_path(s, a, index), search, nparts - (size_t)(search - parts)) != 0;
    /* the workbook needs the module's part too */
    if (!bad && s->print) bad = fs_write(part_path(s, a, index), print, (size_t)nprint) != 0;
    arena_free(a);
    if (bad) return -1;
    int *idx = xmalloc(sizeof *idx * (size_t)(nused + 1));
    for (int k = 0; k < nused; k++)
        if ((idx[k] = s->media ? strindex_find(s->media, used[k], strlen(used[k])) : -1) < 0) {
            free(idx);
            return -1;
        }
    char *to = xasprintf("%s/%s.html", s->site, ctx->pages[index].id);
    int rc = link(from, to) == 0 || (errno != ENOENT && fs_copy_file(from, to) == 0) ? 0 : -1;
    free(to);
    if (rc == 0)
        for (int k = 0; k < nused; k++) atomic_store_explicit(&s->media_used[idx[k]], 1, memory_order_relaxed);
    free(idx);
    return rc;
}

static int by_rel(const void *x, const void *y) {
    return strcmp((*(const media_file *const *)x)->rel, (*(const media_file *const *)y)->rel);
}

static int copy_assets(html_site *s) {
    const edition_ctx *ctx = s->ctx;
    int rc = 0;
    const char *src = path_join(s->a, ctx->theme_dir ? ctx->theme_dir : ".", "assets");
    const char *dst = path_join(s->a, s->site, "assets");
    if (fs_is_dir(src)) {
        char *failed = NULL;
        int r = fs_copy_tree(src, dst, &failed);
        if (r == -2)
            diag_report(ctx->d, DIAG_ERROR, failed ? failed : src, 0, 0,
                        "theme asset is a symbolic link leading outside the theme's assets folder");
        else if (r != 0)
            diag_report(ctx->d, DIAG_ERROR, failed ? failed : src, 0, 0, "cannot copy theme asset: %s",
                        strerror(errno));
        free(failed);
        if (r != 0) rc = -1;
        /* the workbook's script only where pages have fields to keep */
        const char *wb = path_join(s->a, dst, "workbook.js");
        if (r == 0 && !s->workbook && remove(wb) != 0 && errno != ENOENT) {
            diag_report(ctx->d, DIAG_ERROR, wb, 0, 0, "cannot remove a file: %s", strerror(errno));
            rc = -1;
        }
        /* the LMS runtime only in a site that is also a SCORM package */
        const char *sj = path_join(s->a, dst, "scorm.js");
        if (r == 0 && !ctx->scorm && remove(sj) != 0 && errno != ENOENT) {
            diag_report(ctx->d, DIAG_ERROR, sj, 0, 0, "cannot remove a file: %s", strerror(errno));
            rc = -1;
        }
    }
    /* only the media this edition's pages reference (SPEC §11.2), in the
     * order of their paths */
    const media_file **used = xmalloc(sizeof *used * (size_t)(ctx->nmedia > 0 ? ctx->nmedia : 1));
    int nused = 0;
    for (int i = 0; i < ctx->nmedia; i++)
        if (atomic_load_explicit(&s->media_used[i], memory_order_relaxed)) used[nused++] = &ctx->media[i];
    qsort(used, (size_t)nused, sizeof *used, by_rel);
    for (int k = 0; k < nused; k++) {
        const media_file *m = used[k];
        if (!safe_rel(m->rel) || !m->src) {
            diag_report(ctx->d, DIAG_ERROR, m->src ? m->src : "", 0, 0,
                        "media path `%s` would leave the site folder", m->rel ? m->rel : "");
            rc = -1;
            continue;
        }
        char *to = path_join(s->a, s->site, m->rel);
        char *slash = strrchr(to, '/');
        *slash = 0;
        int r = fs_mkdir_p(to);
        *slash = '/';
        if (r == 0) r = fs_copy_file(m->src, to);
        if (r != 0) {
            diag_report(ctx->d, DIAG_ERROR, m->src, 0, 0, "cannot copy media file to %s: %s", to,
                        fs_strerror(errno));
            rc = -1;
        }
    }
    free(used);
    return rc;
}

/* The edition's page of course module i, or -1 when it leaves it out. */
static int page_of_module(const edition_ctx *ctx, int i) {
    const page_info *cp = ctx->course_pages ? ctx->course_pages : ctx->pages;
    int n = ctx->course_pages ? ctx->ncourse_pages : ctx->npages;
    if (i < 0 || i >= n || !cp[i].id) return -1;
    for (int k = 0; k < ctx->npages; k++)
        if (ctx->pages[k].id && !strcmp(ctx->pages[k].id, cp[i].id)) return k;
    return -1;
}

static int edition_has_role(const course_edition *ed, const char *role) {
    for (int i = 0; ed && i < ed->ninclude; i++)
        if (!strcmp(ed->include[i], role)) return 1;
    return 0;
}

/* The day on the index (SPEC §11.9): an edition that includes the
 * `facilitator` role gets the whole schedule (`schedule`: days of rows
 * with start, end, title, href, duration, break and past-end marks);
 * any other the agenda (`agenda`: days of rows with start and title only).
 * Modules the edition leaves out are not listed; breaks always are. */
static void schedule_ctx(const edition_ctx *ctx, arena *a, tmpl_ctx *t) {
    const schedule *sc = ctx->sched;
    if (!sc || !sc->known || sc->nrows == 0) return;
    int full = edition_has_role(ctx->ed, "facilitator");
    tmpl_ctx *top = tmpl_map(t, full ? "schedule" : "agenda");
    if (sc->end >= 0) tmpl_set(top, "day_end", schedule_clock(a, sc->end));
    int ndays = 0, last_day = 0;
    for (int i = 0; i < sc->nrows; i++)
        if (sc->rows[i].day != last_day) ndays++, last_day = sc->rows[i].day;
    tmpl_list(top, "days");
    tmpl_ctx *day = NULL;
    last_day = 0;
    for (int i = 0; i < sc->nrows; i++) {
        const sched_row *r = &sc->rows[i];
        int pi = r->module >= 0 ? page_of_module(ctx, r->module) : -1;
        if (r->module >= 0 && pi < 0) continue;
        if (r->day != last_day) {
            last_day = r->day;
            day = tmpl_list_push(top, "days");
            const char *date = schedule_day_date(a, sc, r->day);
            const char *label = NULL;
            if (ndays > 1 || r->day > 1) label = labels_format_n(a, ctx->c->labels, "day_n", r->day);
            if (date) label = label ? arena_printf(a, "%s \xc2\xb7 %s", label, date) : date;
            tmpl_set(day, "label", label);
            tmpl_set(day, "day", arena_printf(a, "%d", r->day));
            tmpl_list(day, "rows");
        }
        tmpl_ctx *row = tmpl_list_push(day, "rows");
        tmpl_set(row, "start", r->start >= 0 ? schedule_clock(a, r->start) : "");
        tmpl_set(row, "title", pi >= 0 ? page_title(&ctx->pages[pi]) : r->title ? r->title : label_of(ctx, "break"));
        if (!full) continue;
        int d = r->duration;
        tmpl_set(row, "end", r->start >= 0 && d >= 0 ? schedule_clock(a, r->start + d) : "");
        tmpl_set(row, "duration", d >= 0 ? minutes(ctx, a, d) : "");
        tmpl_set(row, "href", pi >= 0 ? arena_printf(a, "%s.html", ctx->pages[pi].id) : NULL);
        tmpl_set_bool(row, "break", r->is_break);
        tmpl_set_bool(row, "past_end", r->past_end);
        if (r->past_end && sc->end >= 0) {
            const char *names[] = {"end"};
            const char *values[] = {schedule_clock(a, sc->end)};
            tmpl_set(row, "past_end_text", labels_format(a, ctx->c->labels, "past_day_end", names, values, 1));
        }
    }
}

/* The print template's {{{body}}}: the modules' parts go there, streamed
 * from their files, so only where it stands is noted. */
static void mark_body(void *ud, buf *out) { *(size_t *)ud = out->len; }

/* Write the bytes of f's stream, reporting at path on failure. */
static int put_out(FILE *f, const char *path, const void *p, size_t n, diag *d) {
    if (n == 0 || fwrite(p, 1, n, f) == n) return 0;
    diag_report(d, DIAG_ERROR, path, 0, 0, "cannot write output file: %s", strerror(errno));
    return -1;
}

/* site/_print.html: the print template around the modules' parts in
 * module order (each part's file is removed once copied, the parts'
 * folder at the end, so nothing of them is left in the edition). */
static int write_print(html_site *s, arena *a) {
    const edition_ctx *ctx = s->ctx;
    const course *c = ctx->c;
    tmpl_ctx *t = tmpl_ctx_new(a);
    common_ctx(ctx, a, t);
    const char *ctitle = c->title ? c->title : c->id;
    const char *etitle = ctx->ed && ctx->ed->title ? ctx->ed->title : NULL;
    tmpl_set(t, "title", etitle ? arena_printf(a, "%s \xe2\x80\x94 %s", ctitle, etitle) : ctitle);
    tmpl_ctx *cm = tmpl_map(t, "course");
    tmpl_set(cm, "version", c->version);
    if (c->version) tmpl_set(cm, "version_text", label_with(ctx, a, "cover_version", "version", c->version));
    tmpl_set(cm, "organisation", c->organisation);
    /* the @page size (CSS keywords) and a class naming it */
    tmpl_ctx *pm = tmpl_map(t, "paper");
    tmpl_set(pm, "name", c->paper_letter ? "letter" : "a4");
    tmpl_set(pm, "size", c->paper_letter ? "letter" : "A4");
    tmpl_set(t, "total_duration", minutes(ctx, a, ctx->total_duration));
    /* the day (the index's schedule or agenda, on a page of its own where it
     * fits) and the delivery's date from --date on the cover */
    schedule_ctx(ctx, a, t);
    if (ctx->sched && ctx->sched->date) tmpl_set(t, "delivery_date", ctx->sched->date);
    tmpl_list(t, "modules");
    for (int i = 0; i < ctx->npages; i++) {
        const page_info *pg = &ctx->pages[i];
        tmpl_ctx *m = tmpl_list_push(t, "modules");
        tmpl_set(m, "id", pg->id);
        tmpl_set(m, "href", arena_printf(a, "#" PRINT_MODULE_ID "%s", pg->id));
        tmpl_set(m, "title", page_title(pg));
        tmpl_set(m, "number", arena_printf(a, "%d", i + 1));
        tmpl_set(m, "duration", minutes(ctx, a, pg->duration));
    }
    size_t at = (size_t)-1;
    tmpl_set_fn(t, "body", mark_body, &at);
    buf out = BUF_INIT;
    tmpl_render(s->print, t, &out);
    if (at == (size_t)-1) at = out.len; /* a template without {{{body}}}: the parts follow it */
    const char *path = arena_printf(a, "%s/_print.html", s->site);
    int rc = -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        diag_report(ctx->d, DIAG_ERROR, path, 0, 0, "cannot write output file: %s", strerror(errno));
        if (fd >= 0) close(fd);
    } else {
        rc = put_out(f, path, out.data, at, ctx->d);
        for (int i = 0; i < ctx->npages && rc == 0; i++) {
            const char *pp = part_path(s, a, i);
            char *data = NULL;
            size_t len = 0;
            if (fs_read(pp, &data, &len) != 0) {
                diag_report(ctx->d, DIAG_ERROR, pp, 0, 0, "cannot read the print workbook's part: %s",
                            fs_strerror(errno));
                rc = -1;
                break;
            }
            rc = put_out(f, path, data, len, ctx->d);
            free(data);
            remove(pp);
        }
        if (rc == 0) rc = put_out(f, path, out.data + at, out.len - at, ctx->d);
        if (fclose(f) != 0 && rc == 0) {
            diag_report(ctx->d, DIAG_ERROR, path, 0, 0, "cannot write output file: %s", strerror(errno));
            rc = -1;
        }
    }
    buf_free(&out);
    if (rc == 0 && rmdir(s->parts) != 0) {
        diag_report(ctx->d, DIAG_ERROR, s->parts, 0, 0, "cannot remove a temporary folder: %s", strerror(errno));
        rc = -1;
    }
    return rc;
}

/* site/_search.js: the pages' parts of the search index in page order
 * (each part's file removed once read, the parts' folder at the end). */
static int write_search(html_site *s, arena *a) {
    const edition_ctx *ctx = s->ctx;
    search_index *x = search_new();
    int rc = 0;
    for (int i = 0; i < ctx->npages && rc == 0; i++) {
        const char *pp = search_part_path(s, a, i);
        char *data = NULL;
        size_t len = 0;
        if (fs_read(pp, &data, &len) != 0 ||
            search_add(x, ctx->pages[i].id, page_title(&ctx->pages[i]), data, len) != 0) {
            diag_report(ctx->d, DIAG_ERROR, pp, 0, 0, "cannot read the search index's part: %s",
                        data ? "not a part coursec wrote" : fs_strerror(errno));
            rc = -1;
        }
        free(data);
        remove(pp);
    }
    if (rc == 0) {
        buf out = BUF_INIT;
        search_write(x, &out);
        rc = write_file(ctx, arena_printf(a, "%s/_search.js", s->site), &out);
        buf_free(&out);
    }
    search_free(x);
    if (rc == 0 && rmdir(s->sparts) != 0) {
        diag_report(ctx->d, DIAG_ERROR, s->sparts, 0, 0, "cannot remove a temporary folder: %s", strerror(errno));
        rc = -1;
    }
    return rc;
}

int html_end(html_site *s) {
    if (!s) return -1;
    const edition_ctx *ctx = s->ctx;
    arena *a = arena_new();
    tmpl_ctx *t = tmpl_ctx_new(a);
    common_ctx(ctx, a, t);
    if (s->print) {
        tmpl_set(t, "print_href", "_print.html");
        const char *en = ctx->ed && ctx->ed->title ? ctx->ed->title : ctx->ed ? ctx->ed->name : "";
        tmpl_set(t, "print_text", label_with(ctx, a, "print_link", "edition", en));
    }
    const char *ctitle = ctx->c->title ? ctx->c->title : ctx->c->id;
    const char *etitle = ctx->ed && ctx->ed->title ? ctx->ed->title : NULL;
    tmpl_set(t, "title", etitle ? arena_printf(a, "%s \xe2\x80\x94 %s", ctitle, etitle) : ctitle);
    tmpl_set(t, "total_duration", minutes(ctx, a, ctx->total_duration));
    tmpl_list(t, "modules");
    for (int i = 0; i < ctx->npages; i++) {
        const page_info *pg = &ctx->pages[i];
        tmpl_ctx *m = tmpl_list_push(t, "modules");
        tmpl_set(m, "id", pg->id);
        tmpl_set(m, "href", arena_printf(a, "%s.html", pg->id));
        tmpl_set(m, "title", page_title(pg));
        tmpl_set(m, "number", arena_printf(a, "%d", i + 1));
        tmpl_set(m, "duration", minutes(ctx, a, pg->duration));
    }
    schedule_ctx(ctx, a, t);
    char *catalog = catalog_jsonld(ctx, page_title);
    tmpl_set(t, "catalog", arena_strdup(a, catalog));
    free(catalog);
    if (ctx->npages > 0) {
        tmpl_ctx *f = tmpl_map(t, "first");
        tmpl_set(f, "href", arena_printf(a, "%s.html", ctx->pages[0].id));
        tmpl_set(f, "title", page_title(&ctx->pages[0]));
        tmpl_set(f, "text", label_with(ctx, a, "start_link", "title", page_title(&ctx->pages[0])));
    }
    buf out = BUF_INIT;
    tmpl_render(s->index, t, &out);
    int rc = write_file(ctx, arena_printf(a, "%s/index.html", s->site), &out);
    buf_free(&out);
    if (s->print && write_print(s, a) != 0) rc = -1;
    if (write_search(s, a) != 0) rc = -1;
    arena_free(a);
    if (copy_assets(s) != 0) rc = -1;
    html_abort(s);
    return rc;
}

void html_abort(html_site *s) {
    if (!s) return;
    strindex_free(s->pages);
    strindex_free(s->course);
    strindex_free(s->media);
    free(s->media_used);
    arena_free(s->a);
    free(s);
}
