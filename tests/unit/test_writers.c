/* test_writers.c — the HTML writer (html.c) and the EPUB writer (epub.c)
 * implement one markup contract (docs/markup.md, compiler/markup.h). One
 * module holding every node type of ast.h, each with every combination of
 * attributes (none, id, classes, a role class, key=value pairs, all of them),
 * is written through both, with and without --safe; the page body and the
 * chapter body are parsed with libxml2 (HTML parser, XML parser), put in a
 * canonical form (names,
 * attributes sorted by name, entities resolved, void and self-closing
 * elements alike, whitespace between elements dropped, text outside `pre`
 * collapsed) and compared top-level element by top-level element. The
 * format differences docs/markup.md lists ("Where the writers differ") are
 * mapped to the HTML form first, each by one rule below, and nothing else.
 * Usage: test_writers (from the repository root) */
#define _XOPEN_SOURCE 700
#include "../../compiler/buf.h"
#include "../../compiler/labels.h"
#include "../../compiler/epub.h"
#include "../../compiler/fs.h"
#include "../../compiler/html.h"
#include "harness.h"
#include <ftw.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ the tree */

static arena *A;
static int nid; /* ids are unique in the module: the EPUB drops duplicates */

static ast_node *node(ast_type t) { return ast_new(A, t, 1, 1); }

static ast_node *add(ast_node *parent, ast_node *child) {
    ast_append(parent, child);
    return child;
}

static ast_node *txt(const char *s) {
    ast_node *n = node(AST_TEXT);
    n->text = s;
    return n;
}

static ast_node *para(ast_node *parent, const char *s) {
    ast_node *p = add(parent, node(AST_PARAGRAPH));
    add(p, txt(s));
    return p;
}

/* The attribute combinations every node type is built with. */
enum { AT_NONE, AT_ID, AT_CLASS, AT_ROLES, AT_KV, AT_ALL, NATTRS };

static void set_attrs(ast_node *n, int combo) {
    if (combo == AT_ID) n->attr.id = arena_printf(A, "n%d", ++nid);
    if (combo == AT_ALL) n->attr.id = arena_printf(A, "n%d and\tspace", ++nid); /* written n..-and-space */
    if (combo == AT_CLASS || combo == AT_ALL) ast_add_class(A, n, "c1");
    if (combo == AT_ROLES || combo == AT_ALL) {
        ast_add_class(A, n, "answer");
        ast_add_class(A, n, "facilitator");
    }
    if (combo == AT_KV || combo == AT_ALL) {
        ast_attr_set(A, &n->attr, "lang", "de-AT");
        ast_attr_set(A, &n->attr, "width", "50%");
        ast_attr_set(A, &n->attr, "height", "12px");
        ast_attr_set(A, &n->attr, "Track:Event", "a \"b\" & <c>");
        ast_attr_set(A, &n->attr, "duration", "5");
        ast_attr_set(A, &n->attr, "lines", "3");
        ast_attr_set(A, &n->attr, "only", "facilitator");
        ast_attr_set(A, &n->attr, "except", "learner");
    }
}

static ast_node *blank(int width, const char *alt1, const char *alt2, const char *label, const char *ltext) {
    ast_node *b = node(AST_BLANK);
    b->width = width;
    b->label = label;
    b->text = ltext;
    if (alt1) {
        ast_node *s1 = node(AST_SPAN);
        ast_append(s1, txt(alt1));
        b->alts = s1;
        if (alt2) {
            ast_node *s2 = node(AST_SPAN);
            ast_append(s2, txt(alt2));
            s2->parent = NULL;
            s1->next = s2;
        }
    }
    return b;
}

/* An inline node of type t with attributes `combo`, with content. */
static ast_node *inline_of(ast_type t, int combo) {
    ast_node *n = node(t);
    set_attrs(n, combo);
    switch (t) {
    case AST_TEXT: n->text = "a & b < c > \"d\""; break;
    case AST_CODE: n->text = "x < y && z"; break;
    case AST_LINK:
        n->url = "https://example.org/a b?x=1&y=`2`";
        n->title = combo == AT_KV ? NULL : "Link title";
        if (combo == AT_KV) ast_attr_set(A, &n->attr, "title", "Given title");
        add(n, txt("link"));
        break;
    case AST_IMAGE:
        n->url = "assets/media/img/dot.png";
        n->title = "Image title";
        if (combo == AT_KV) ast_attr_set(A, &n->attr, "alt", "given alt");
        if (combo == AT_ALL) ast_attr_set(A, &n->attr, "height", "40");
        add(n, txt("a dot"));
        break;
    case AST_HTMLINLINE: n->text = "<kbd>Ctrl</kbd>"; break;
    case AST_BLANK: return blank(16, NULL, NULL, NULL, NULL);
    case AST_NOTEREF:
        n->label = "1";
        n->width = 1;
        n->start = ++nid % 2 + 1; /* the first and a later reference */
        break;
    case AST_SOFTBREAK:
    case AST_LINEBREAK: break;
    default: add(n, txt("content")); break;
    }
    return n;
}

static const ast_type inline_types[] = {AST_TEXT,  AST_CODE,      AST_EMPH,      AST_STRONG,    AST_STRIKETHROUGH,
                                        AST_LINK,  AST_IMAGE,     AST_SOFTBREAK, AST_LINEBREAK, AST_HTMLINLINE,
                                        AST_SPAN,  AST_BLANK,     AST_NOTEREF};

static void list_of(ast_node *parent, int combo, int ordered, int tight, int task) {
    ast_node *l = add(parent, node(AST_LIST));
    set_attrs(l, combo);
    l->ordered = ordered;
    l->start = ordered == 2 ? 3 : 1;
    l->tight = tight;
    for (int i = 0; i < 3; i++) {
        ast_node *it = add(l, node(AST_ITEM));
        it->checked = task ? i % 2 : -1;
        set_attrs(it, (combo + i) % NATTRS);
        ast_node *p = para(it, "item");
        set_attrs(p, (combo + i + 1) % NATTRS);
        if (i == 1 && parent->type != AST_ITEM) list_of(it, AT_NONE, 0, 1, 0);
        if (i == 2) para(it, "second paragraph");
    }
}

static ast_node *module(void) {
    nid = 0;
    ast_node *doc = node(AST_DOCUMENT);
    for (int c = 0; c < NATTRS; c++) {
        ast_node *h = add(doc, node(AST_HEADING));
        h->level = c + 1;
        set_attrs(h, c);
        if (!h->attr.id) h->attr.id = arena_printf(A, "h%d", c);
        add(h, txt("Heading"));

        ast_node *p = para(doc, "Paragraph ");
        set_attrs(p, c);
        for (size_t k = 0; k < sizeof inline_types / sizeof inline_types[0]; k++) {
            add(p, inline_of(inline_types[k], c));
            add(p, txt(" "));
        }

        ast_node *q = add(doc, node(AST_BLOCKQUOTE));
        set_attrs(q, c);
        para(q, "quoted");

        for (int task = 0; task < 2; task++) {
            list_of(doc, c, 0, 1, task);
            list_of(doc, c, 2, 0, task);
        }

        ast_node *cb = add(doc, node(AST_CODEBLOCK));
        set_attrs(cb, c);
        cb->info = c % 2 ? "python {.x}" : NULL;
        cb->text = "if a < b && c:\n    pass\n";

        ast_node *hb = add(doc, node(AST_HTMLBLOCK));
        hb->text = "<div class=\"raw\"><p>raw <em>block</em></p></div>\n";

        ast_node *hr = add(doc, node(AST_THEMATICBREAK));
        set_attrs(hr, c);

        ast_node *t = add(doc, node(AST_TABLE));
        set_attrs(t, c);
        t->ncols = 4;
        t->aligns = arena_alloc(A, sizeof *t->aligns * 4);
        for (int i = 0; i < 4; i++) t->aligns[i] = (ast_align)i;
        for (int r = 0; r < 3; r++) {
            ast_node *row = add(t, node(AST_TABLEROW));
            row->is_header = r == 0;
            set_attrs(row, (c + r) % NATTRS);
            for (int i = 0; i < 4; i++) {
                ast_node *cell = add(row, node(AST_TABLECELL));
                set_attrs(cell, (c + i) % NATTRS);
                add(cell, txt(r ? "cell" : "head"));
            }
        }

        ast_node *d = add(doc, node(AST_DIV));
        set_attrs(d, c);
        para(d, "in a div");
        d = add(doc, node(AST_DIV));
        set_attrs(d, c);
        ast_add_class(A, d, "exercise");
        ast_attr_set(A, &d->attr, "title", "Box <title>");
        para(d, "in a box");
        d = add(doc, node(AST_DIV)); /* a response's ruled line: empty */
        set_attrs(d, c);
        ast_add_class(A, d, "rule");
        d = add(doc, node(AST_DIV));
        set_attrs(d, c);
        ast_add_class(A, d, "hint");
        if (c % 2) ast_attr_set(A, &d->attr, "title", "A clue");
        para(d, "hinted");
        d = add(doc, node(AST_DIV));
        set_attrs(d, c);
        ast_add_class(A, d, "choice");
        ast_attr_set(A, &d->attr, "select", c % 2 ? "one" : "many");
        list_of(d, AT_NONE, 0, c % 2, 1);
        d = add(doc, node(AST_DIV)); /* a title holding a blank: the box-title paragraph */
        set_attrs(d, c);
        ast_attr_set(A, &d->attr, "title", "Fill ___");
        ast_node *bt = para(d, "Fill ");
        ast_add_class(A, bt, "box-title");
        add(bt, blank(8, NULL, NULL, NULL, NULL));
        para(d, "after the title");

        ast_node *ws = add(doc, node(AST_WORKSHEET));
        set_attrs(ws, c);
        ws->info = c % 2 ? "sh" : NULL;
        add(ws, txt("Name: "));
        add(ws, blank(10, NULL, NULL, NULL, NULL));
        add(ws, node(AST_LINEBREAK));
        add(ws, txt("Date & <time>: "));
        add(ws, blank(8, "today", "now", NULL, NULL));
        add(ws, node(AST_LINEBREAK));
        ast_node *sp = add(ws, node(AST_SPAN));
        set_attrs(sp, c);
        add(sp, txt("span"));

        p = para(doc, "Blanks: ");
        add(p, blank(0, NULL, NULL, NULL, NULL));
        add(p, blank(24, "one", NULL, NULL, NULL));
        add(p, blank(16, "two rings", "second ring", NULL, NULL));
        add(p, blank(12, NULL, NULL, "org_type", NULL));
        add(p, blank(12, NULL, NULL, "org_name", "Organisation"));
        add(p, blank(12, "Acme", NULL, "org_name", "Organisation")); /* a fill-in with its answer */
        ast_node *code = add(p, node(AST_CODE)); /* code with live blanks */
        set_attrs(code, c);
        ast_add_class(A, code, "blanks");
        add(code, txt("git "));
        add(code, blank(8, c % 2 ? "add" : NULL, NULL, NULL, NULL));

        /* out of place (a filter's doing): their content */
        ast_node *row = add(doc, node(AST_TABLEROW));
        add(row, txt("stray row"));
        ast_node *cell = add(doc, node(AST_TABLECELL));
        add(cell, txt("stray cell"));
    }
    ast_node *fn = add(doc, node(AST_FOOTNOTE));
    fn->label = "1";
    fn->width = 1;
    fn->start = 2;
    para(fn, "The note.");
    fn = add(doc, node(AST_FOOTNOTE));
    fn->label = "2";
    fn->width = 2;
    fn->start = 1;
    para(add(fn, node(AST_BLOCKQUOTE)), "ends in a quote");
    return doc;
}

/* ------------------------------------------------------------ the writers */

static const unsigned char png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00,
    0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
    0x48, 0xaf, 0xa4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

static char *run(const char *cmd) {
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    buf b = BUF_INIT;
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, p)) > 0) buf_put(&b, tmp, n);
    pclose(p);
    if (!b.data) buf_puts(&b, "");
    return buf_detach(&b);
}

static int put_file(const char *path, const void *data, size_t len) {
    return fs_write(path, data, len);
}

/* Writes the module through writer `epub` (0: the site) into dir; returns
 * the page or chapter (malloc'd), NULL after a failure (counted). */
static char *write_with(const char *dir, const char *theme, const char *png_path, int epub, int safe) {
    A = arena_new();
    course c;
    memset(&c, 0, sizeof c);
    c.id = "w";
    c.title = "Writers";
    c.language = "en";
    /* an edition with answers: the site's blanks and boxes are drawn, as in
     * the EPUB (an edition without answers gets form fields, tests/workbook) */
    static const char *roles[] = {"answer", "facilitator"};
    course_edition ed = {.name = "facilitator", .title = "Facilitator", .include = roles, .ninclude = 2};
    page_info pages[1] = {{.id = "m1", .title = "One", .path = "w/modules/m1.md", .duration = -1, .start = -1}};
    media_file media[1] = {{.rel = "assets/media/img/dot.png", .src = png_path}};
    diag *d = diag_new(stderr, DIAG_TEXT, 0);
    int nerr = 0;
    c.labels = labels_load(A, "themes/default", theme, &c, d, &nerr); /* a theme without labels/ */
    edition_ctx ctx = {
        .c = &c, .ed = &ed, .pages = pages, .npages = 1, .total_duration = -1, .media = media, .nmedia = 1,
        .theme_dir = theme, .out_dir = dir, .build_time = 1768435200LL, .safe = safe, .d = d,
    };
    char *out = NULL;
    char path[700];
    int rc;
    if (epub) {
        epub_book *b = epub_begin(&ctx);
        rc = b ? 0 : -1;
        if (b && epub_module(b, 0, module()) < 0) rc = -1;
        if (b) rc = rc == 0 ? epub_end(b) : (epub_abort(b), -1);
        snprintf(path, sizeof path, "unzip -p '%s/w-facilitator.epub' EPUB/m1.xhtml", dir);
        if (rc == 0) out = run(path);
    } else {
        html_site *s = html_begin(&ctx);
        rc = s ? 0 : -1;
        if (s && html_page(s, 0, module()) < 0) rc = -1;
        if (s) rc = rc == 0 ? html_end(s) : (html_abort(s), -1);
        snprintf(path, sizeof path, "%s/site/m1.html", dir);
        size_t n;
        if (rc == 0 && fs_read(path, &out, &n) != 0) out = NULL;
    }
    if (diag_errors(d) + diag_warnings(d)) diag_flush(d);
    OK(diag_errors(d) == 0);
    diag_free(d);
    arena_free(A);
    OK(out != NULL);
    return out;
}

/* ------------------------------------------------------------ canonical form */

static int has_class(xmlNodePtr x, const char *cls) {
    xmlChar *v = xmlGetProp(x, (const xmlChar *)"class");
    int found = 0;
    if (v) {
        size_t n = strlen(cls);
        for (const char *p = (const char *)v; *p;) {
            size_t w = strcspn(p, " ");
            if (w == n && strncmp(p, cls, n) == 0) found = 1;
            p += w;
            while (*p == ' ') p++;
        }
    }
    xmlFree(v);
    return found;
}

static int is(xmlNodePtr x, const char *name) {
    return x && x->type == XML_ELEMENT_NODE && strcmp((const char *)x->name, name) == 0;
}

/* Adjacent text nodes under x become one (as the HTML parser makes them). */
static void merge_texts(xmlNodePtr x) {
    for (xmlNodePtr t = x->children; t; t = t->next)
        while (t->type == XML_TEXT_NODE && t->next && t->next->type == XML_TEXT_NODE) {
            xmlNodePtr n = t->next;
            xmlUnlinkNode(n);
            t = xmlTextMerge(t, n);
        }
}

/* The format differences of docs/markup.md, EPUB form to HTML form. */
static void epub_to_html(xmlNodePtr x) {
    for (xmlNodePtr c = x->children, next; c; c = next) {
        next = c->next;
        if (c->type != XML_ELEMENT_NODE) continue;
        epub_to_html(c);
        /* epub:type (EPUB 3 Structural Semantics) */
        for (xmlAttrPtr a = c->properties, an; a; a = an) {
            an = a->next;
            if (a->ns) xmlRemoveProp(a);
        }
        /* accessible names and roles of the book: ARIA roles, the names of
         * blanks, boxes and writing spaces, the span or id a task item's
         * text gets to name its box ("_opt-N") */
        xmlChar *role = xmlGetProp(c, (const xmlChar *)"role");
        if (role) {
            if (xmlStrEqual(role, (const xmlChar *)"img")) xmlUnsetProp(c, (const xmlChar *)"aria-label");
            xmlUnsetProp(c, (const xmlChar *)"role");
            xmlFree(role);
        }
        if (is(c, "input")) {
            xmlUnsetProp(c, (const xmlChar *)"aria-label");
            xmlUnsetProp(c, (const xmlChar *)"aria-labelledby");
        }
        xmlChar *cid = xmlGetProp(c, (const xmlChar *)"id");
        int opt = cid && xmlStrncmp(cid, (const xmlChar *)"_opt-", 5) == 0;
        xmlFree(cid);
        if (opt) xmlUnsetProp(c, (const xmlChar *)"id");
        if (opt && is(c, "span") && !c->properties) {
            for (xmlNodePtr t = c->children, tn; t; t = tn) {
                tn = t->next;
                xmlUnlinkNode(t);
                xmlAddPrevSibling(c, t);
            }
            xmlUnlinkNode(c);
            xmlFreeNode(c);
            continue;
        }
        /* an empty header cell is a data cell in the book */
        if (is(c, "td") && !c->children && is(c->parent, "tr") && is(c->parent->parent, "thead"))
            xmlNodeSetName(c, (const xmlChar *)"th");
        /* the chapter: a section in the book's body */
        if (is(c, "section") && !c->properties && is(c->parent, "body")) {
            for (xmlNodePtr t = c->children, tn; t; t = tn) {
                tn = t->next;
                xmlUnlinkNode(t);
                xmlAddPrevSibling(c, t);
            }
            xmlUnlinkNode(c);
            xmlFreeNode(c);
            continue;
        }
        /* a hint: <aside class="hint"><p class="box-title">T</p> is
         * <details class="hint"><summary>T</summary> */
        if (is(c, "aside") && has_class(c, "hint")) {
            xmlNodeSetName(c, (const xmlChar *)"details");
            for (xmlNodePtr t = c->children; t; t = t->next)
                if (is(t, "p")) {
                    xmlNodeSetName(t, (const xmlChar *)"summary");
                    xmlUnsetProp(t, (const xmlChar *)"class");
                    break;
                }
        }
        /* footnotes: <aside id="fn-N"> is the <li> of an <ol>; a reference's
         * class stands on its <sup> */
        if (is(c, "section") && has_class(c, "footnotes")) {
            xmlNodePtr ol = xmlNewNode(NULL, (const xmlChar *)"ol");
            for (xmlNodePtr t = c->children, tn; t; t = tn) {
                tn = t->next;
                if (is(t, "h2")) continue; /* the section's heading stays before the list */
                xmlUnlinkNode(t);
                if (is(t, "aside")) xmlNodeSetName(t, (const xmlChar *)"li");
                xmlAddChild(ol, t);
            }
            xmlAddChild(c, ol);
        }
        if (is(c, "sup") && is(c->children, "a") && has_class(c->children, "footnote-ref")) {
            xmlUnsetProp(c->children, (const xmlChar *)"class");
            xmlSetProp(c, (const xmlChar *)"class", (const xmlChar *)"footnote-ref");
        }
    }
    merge_texts(x); /* around an unwrapped span */
}

/* HTML-only attributes cmark-gfm writes on footnotes, and the number of a
 * later back reference in a <sup>: text in the EPUB. */
static void html_only(xmlNodePtr x) {
    for (xmlNodePtr c = x->children, next; c; c = next) {
        next = c->next;
        if (c->type != XML_ELEMENT_NODE) continue;
        html_only(c);
        static const char *const drop[] = {"data-footnotes", "data-footnote-ref", "data-footnote-backref"};
        for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++) xmlUnsetProp(c, (const xmlChar *)drop[i]);
        if (is(c, "sup") && is(c->parent, "a") && has_class(c->parent, "footnote-backref")) {
            xmlChar *t = xmlNodeGetContent(c);
            xmlNodePtr tn = xmlNewText(t);
            xmlFree(t);
            xmlReplaceNode(c, tn);
            xmlFreeNode(c);
        }
    }
}

/* The site's own markup for small screens and the keyboard (docs/markup.md,
 * "Where the writers differ"): a table's scrolling region, a code block's
 * tabindex. */
static void html_scroll(xmlNodePtr x) {
    for (xmlNodePtr c = x->children, next; c; c = next) {
        next = c->next;
        if (c->type != XML_ELEMENT_NODE) continue;
        html_scroll(c);
        if (is(c, "pre")) xmlUnsetProp(c, (const xmlChar *)"tabindex");
        if (is(c, "div") && has_class(c, "table-scroll")) {
            for (xmlNodePtr t = c->children, tn; t; t = tn) {
                tn = t->next;
                xmlUnlinkNode(t);
                xmlAddPrevSibling(c, t);
            }
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
}

/* Accessible names, in both bodies: a drawn blank's role and name, a
 * footnote back link's name, and a task item's <label> around its box and
 * first paragraph's text are undone (the box back before the paragraph):
 * the writers name things each in its own way (a <label> on the site,
 * aria-labelledby in the EPUB); contract_choices checks the site's names
 * and tests/epub-a11y the book's. */
static void unname(xmlNodePtr x) {
    for (xmlNodePtr c = x->children, next; c; c = next) {
        next = c->next;
        if (c->type != XML_ELEMENT_NODE) continue;
        unname(c);
        if ((is(c, "span") && has_class(c, "blank")) || (is(c, "a") && has_class(c, "footnote-backref"))) {
            xmlUnsetProp(c, (const xmlChar *)"role");
            xmlUnsetProp(c, (const xmlChar *)"aria-label");
        }
        if (!is(c, "label")) continue;
        xmlNodePtr p = c->parent, box = NULL;
        for (xmlNodePtr t = c->children, tn; t; t = tn) {
            tn = t->next;
            xmlUnlinkNode(t);
            if (!box && is(t, "input")) box = t;
            else xmlAddPrevSibling(c, t);
        }
        xmlNodePtr before = c->prev, after = c->next;
        xmlUnlinkNode(c);
        xmlFreeNode(c);
        if (before && after && before->type == XML_TEXT_NODE && after->type == XML_TEXT_NODE) {
            if (next == after) next = after->next;
            xmlTextMerge(before, after);
        }
        if (!box) continue;
        if (is(p, "p") && is(p->parent, "li")) { /* <li><input/> <p>text */
            xmlAddPrevSibling(p, box);
            xmlNodePtr sp = xmlNewText((const xmlChar *)" ");
            xmlAddPrevSibling(p, sp);
            xmlNodePtr t = p->children;
            if (t && t->type == XML_TEXT_NODE && t->content && t->content[0] == ' ') {
                xmlChar *rest = xmlStrdup(t->content + 1);
                xmlNodeSetContent(t, rest);
                xmlFree(rest);
            }
        } else { /* a tight item: <li><input/> text */
            xmlNodePtr first = p->children;
            if (first) xmlAddPrevSibling(first, box);
            else xmlAddChild(p, box);
        }
    }
}

static int by_name(const void *x, const void *y) {
    return strcmp((const char *)(*(xmlAttrPtr const *)x)->name, (const char *)(*(xmlAttrPtr const *)y)->name);
}

static void canon_text(buf *o, const char *s, int pre) {
    for (; *s; s++) {
        if (!pre && (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')) {
            while (s[1] == ' ' || s[1] == '\n' || s[1] == '\t' || s[1] == '\r') s++;
            buf_putc(o, ' ');
        } else if (*s == '<' || *s == '>' || *s == '&' || *s == '"') {
            buf_puts(o, *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : "&quot;");
        } else {
            buf_putc(o, *s);
        }
    }
}

static void canon(buf *o, xmlNodePtr x, int pre);

static void canon_children(buf *o, xmlNodePtr x, int pre) {
    for (xmlNodePtr c = x->children; c; c = c->next) canon(o, c, pre);
}

static void canon(buf *o, xmlNodePtr x, int pre) {
    if (x->type == XML_TEXT_NODE || x->type == XML_CDATA_SECTION_NODE) {
        const char *s = (const char *)x->content;
        if (!s) return;
        if (!pre) {
            /* whitespace between elements is formatting */
            const char *p = s;
            while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
            if (!*p && (!x->prev || !x->next || x->prev->type != XML_ELEMENT_NODE ||
                        x->next->type != XML_ELEMENT_NODE || !strchr(s, ' ')))
                return;
        }
        buf b = BUF_INIT;
        canon_text(&b, s, pre);
        if (b.data) buf_puts(o, b.data);
        buf_free(&b);
        return;
    }
    if (x->type != XML_ELEMENT_NODE) return;
    buf_putc(o, '<');
    buf_puts(o, (const char *)x->name);
    int na = 0;
    for (xmlAttrPtr a = x->properties; a; a = a->next) na++;
    xmlAttrPtr *as = calloc((size_t)na + 1, sizeof *as);
    na = 0;
    for (xmlAttrPtr a = x->properties; a; a = a->next) as[na++] = a;
    qsort(as, (size_t)na, sizeof *as, by_name);
    for (int i = 0; i < na; i++) {
        xmlChar *v = xmlNodeGetContent((xmlNodePtr)as[i]);
        buf_putc(o, ' ');
        buf_puts(o, (const char *)as[i]->name);
        buf_puts(o, "=\"");
        canon_text(o, v ? (const char *)v : "", 1);
        buf_putc(o, '"');
        xmlFree(v);
    }
    free(as);
    buf_putc(o, '>');
    canon_children(o, x, pre || is(x, "pre"));
    buf_puts(o, "</");
    buf_puts(o, (const char *)x->name);
    buf_putc(o, '>');
}

static xmlNodePtr body_of(xmlDocPtr doc) {
    xmlNodePtr root = xmlDocGetRootElement(doc);
    for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next)
        if (is(c, "body")) return c;
    return NULL;
}

/* One line per top-level node of the body (elements; text that is not only
 * whitespace). */
static int lines_of(xmlNodePtr body, char ***out) {
    int n = 0;
    char **v = NULL;
    for (xmlNodePtr c = body->children; c; c = c->next) {
        buf b = BUF_INIT;
        canon(&b, c, 0);
        const char *s = b.data ? b.data : "";
        while (*s == ' ') s++;
        if (*s) {
            v = realloc(v, sizeof *v * (size_t)(n + 1));
            v[n++] = strdup(s);
        }
        buf_free(&b);
    }
    *out = v;
    return n;
}

#define CHECK_DETAIL(cond, what, detail) harness_check((cond), __FILE__, __LINE__, (what), (detail))

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

/* The contract's choices where the writers once differed, in the site's
 * body (the comparison carries them to the EPUB). */
static void contract_choices(const char *body) {
    /* a tight item's paragraph with an id keeps its <p> */
    CONTAINS(body, "<li><p id=\"n2\">item</p>");
    /* paragraphs of a tight item: a newline apart */
    CONTAINS(body, "item second paragraph</li>");
    /* a task item's box first, then its first paragraph as a block */
    CONTAINS(body, "<li class=\"task-item\"><input disabled=\"disabled\" type=\"checkbox\"></input> <p id=\"n");
    /* a fill-in with its answer keeps its label */
    CONTAINS(body, "<span class=\"fill-in\" data-var=\"org_name\"><span class=\"blank-label\">Organisation:</span> "
                   "<span class=\"blank filled\">Acme</span></span>");
    /* a span's duration and lines */
    CONTAINS(body, "<span data-duration=\"5\" data-lines=\"3\">content</span>");
    /* whitespace in an id becomes - */
    CONTAINS(body, "-and-space\"");
    NOT_CONTAINS(body, "and space");
    /* a hint's own class first */
    CONTAINS(body, "<details class=\"hint c1\">");
}

/* The site's accessible names (docs/markup.md), in its page as written. */
static void site_names(const char *page) {
    /* a drawn blank: an image named "Blank N" */
    CONTAINS(page, "<span class=\"blank\" style=\"width:16ch\" role=\"img\" aria-label=\"Blank 1\"></span>");
    /* a drawn fill-in: named by its label */
    CONTAINS(page, "<span class=\"blank-label\">Organisation:</span> <span class=\"blank\" style=\"width:12ch\" "
                   "role=\"img\" aria-label=\"Organisation\"></span>");
    /* a task item's box and its paragraph's text: one label */
    CONTAINS(page, "<li class=\"task-item\"><p id=\"n10\"><label><input type=\"checkbox\" disabled=\"disabled\"/> "
                   "item</label></p>");
    /* a table scrolls in a region the keyboard reaches; so does code */
    CONTAINS(page, "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Table\">\n<table>");
    CONTAINS(page, "<pre tabindex=\"0\"><code>");
    /* a later back link's name holds the number it shows */
    CONTAINS(page, "aria-label=\"Back to content 2\">\xe2\x86\xa9<sup class=\"footnote-ref\">2</sup></a>");
}

/* Both writers, one module, --safe or not: the bodies compared. */
static void compare(const char *dir, const char *theme, const char *png_path, int safe) {
    char hdir[600], edir[600];
    snprintf(hdir, sizeof hdir, "%s/html%d", dir, safe);
    snprintf(edir, sizeof edir, "%s/epub%d", dir, safe);
    fs_mkdir_p(hdir);
    fs_mkdir_p(edir);
    char *html = write_with(hdir, theme, png_path, 0, safe);
    char *xhtml = write_with(edir, "themes/default", png_path, 1, safe);
    if (!html || !xhtml) {
        free(html);
        free(xhtml);
        return;
    }
    if (!safe) site_names(html);
    xmlDocPtr hd = htmlReadMemory(html, (int)strlen(html), "m1.html", "UTF-8",
                                  HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    xmlDocPtr xd = xmlReadMemory(xhtml, (int)strlen(xhtml), "m1.xhtml", NULL, XML_PARSE_NONET);
    xmlNodePtr hb = hd ? body_of(hd) : NULL, xb = xd ? body_of(xd) : NULL;
    if (OK(hb && xb)) {
        html_only(hb);
        html_scroll(hb);
        epub_to_html(xb);
        unname(hb);
        unname(xb);
        char **hl, **xl;
        int nh = lines_of(hb, &hl), nx = lines_of(xb, &xl);
        INT_EQ(nh, nx);
        int n = nh < nx ? nh : nx;
        buf all = BUF_INIT;
        for (int i = 0; i < n; i++) {
            buf_puts(&all, hl[i]);
            if (strcmp(hl[i], xl[i]) == 0) {
                OK(1);
                continue;
            }
            char what[80];
            snprintf(what, sizeof what, "%stop-level node %d of the body is the same in both", safe ? "--safe: " : "",
                     i + 1);
            size_t cap = strlen(hl[i]) + strlen(xl[i]) + 32;
            char *detail = malloc(cap);
            snprintf(detail, cap, "\n  html: %s\n  epub: %s", hl[i], xl[i]);
            CHECK_DETAIL(0, what, detail);
            free(detail);
        }
        if (!safe) contract_choices(all.data);
        buf_free(&all);
        for (int i = 0; i < nh; i++) free(hl[i]);
        for (int i = 0; i < nx; i++) free(xl[i]);
        free(hl);
        free(xl);
    }
    if (hd) xmlFreeDoc(hd);
    if (xd) xmlFreeDoc(xd);
    free(html);
    free(xhtml);
}

static int mark_type(ast_node *n, void *ud) {
    ((int *)ud)[n->type] = 1;
    return 0;
}

/* A node type added to ast.h must be added to the module too. */
static void covers_every_type(void) {
    int seen[AST_TYPE_COUNT] = {0};
    A = arena_new();
    ast_walk(module(), mark_type, seen);
    arena_free(A);
    for (int t = 0; t < AST_TYPE_COUNT; t++) {
        char what[80];
        snprintf(what, sizeof what, "the module holds a %s", ast_type_name((ast_type)t));
        CHECK(seen[t], what);
    }
}

int main(void) {
    char dir[] = "/tmp/coursec-writers-XXXXXX";
    if (!OK(mkdtemp(dir) != NULL)) return harness_summary();
    char theme[600], path[700], png_path[700];
    snprintf(theme, sizeof theme, "%s/theme", dir);
    fs_mkdir_p(theme);
    /* a page that is the body and nothing else */
    static const char page[] = "<!DOCTYPE html>\n<html><head><title>{{title}}</title></head><body>\n{{{body}}}</body></html>\n";
    static const char index[] = "<!DOCTYPE html>\n<html><head><title>{{title}}</title></head><body></body></html>\n";
    snprintf(path, sizeof path, "%s/page.html", theme);
    put_file(path, page, sizeof page - 1);
    snprintf(path, sizeof path, "%s/index.html", theme);
    put_file(path, index, sizeof index - 1);
    snprintf(png_path, sizeof png_path, "%s/dot.png", dir);
    put_file(png_path, png, sizeof png);

    covers_every_type();
    epub_init();
    for (int safe = 0; safe < 2; safe++) compare(dir, theme, png_path, safe);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return harness_summary();
}
