/* test_epub.c — the EPUB writer on hand-made trees: markup of every node kind,
 * raw HTML re-parsed (and a broken fragment reported), links and media,
 * nav/OPF/NCX, EPUBCheck 0 errors/0 warnings, byte-identical rebuilds. */
#include "../../compiler/ast.h"
#include "../../compiler/labels.h"
#include "../../compiler/buf.h"
#include "../../compiler/diag.h"
#include "../../compiler/epub.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, what)                                                     \
    do {                                                                      \
        if (cond) printf("ok   %s\n", what);                                  \
        else {                                                                \
            printf("FAIL %s (%s:%d)\n", what, __FILE__, __LINE__);           \
            failures++;                                                       \
        }                                                                     \
    } while (0)

/* ------------------------------------------------------------ tree helpers */

static arena *A;

static ast_node *node(ast_type t, int line) { return ast_new(A, t, line, 1); }

static ast_node *txt(const char *s) {
    ast_node *n = node(AST_TEXT, 0);
    n->text = s;
    return n;
}

static ast_node *add(ast_node *parent, ast_node *child) {
    ast_append(parent, child);
    return child;
}

static ast_node *heading(ast_node *doc, int level, const char *id, const char *s, int line) {
    ast_node *h = add(doc, node(AST_HEADING, line));
    h->level = level;
    h->attr.id = id;
    add(h, txt(s));
    return h;
}

static ast_node *para(ast_node *parent, int line) { return add(parent, node(AST_PARAGRAPH, line)); }

static ast_node *raw(ast_type t, const char *s, int line) {
    ast_node *n = node(t, line);
    n->text = s;
    return n;
}

static ast_node *blank(int width, const char *alt1, const char *alt2, const char *label) {
    ast_node *b = node(AST_BLANK, 0);
    b->width = width;
    b->label = label;
    const char *alts[2] = {alt1, alt2};
    ast_node **tail = &b->alts;
    for (int i = 0; i < 2; i++) {
        if (!alts[i]) continue;
        ast_node *sp = node(AST_SPAN, 0);
        add(sp, txt(alts[i]));
        *tail = sp;
        tail = &sp->next;
    }
    return b;
}

static ast_node *module1(void) {
    ast_node *doc = node(AST_DOCUMENT, 1);
    heading(doc, 1, "introduction", "Introduction", 1);

    ast_node *p = para(doc, 3);
    add(p, txt("Some "));
    ast_node *em = add(p, node(AST_EMPH, 3));
    add(em, txt("emphasis"));
    add(p, txt(" & a "));
    ast_node *ln = add(p, node(AST_LINK, 3));
    ln->url = "m2.html#part-a";
    add(ln, txt("link to part A"));
    add(p, txt(" "));
    ln = add(p, node(AST_LINK, 3));
    ln->url = "m2.html#pruned-anchor"; /* not in this edition: the link keeps the document */
    add(ln, txt("gone anchor"));
    add(p, node(AST_SOFTBREAK, 3));
    ast_node *st = add(p, node(AST_STRIKETHROUGH, 4));
    add(st, txt("gone"));
    add(p, node(AST_LINEBREAK, 4));
    ast_node *code = add(p, node(AST_CODE, 4));
    code->text = "x < y";

    /* a level-2 heading with an answer blank: nav text must not show it */
    ast_node *h = heading(doc, 2, "your-name", "Your name ", 6);
    add(h, blank(8, "SECRET-ANSWER", NULL, NULL));

    ast_node *t = add(doc, node(AST_TABLE, 8));
    t->ncols = 2;
    t->aligns = arena_alloc(A, 2 * sizeof *t->aligns);
    t->aligns[1] = AST_ALIGN_RIGHT;
    for (int r = 0; r < 3; r++) {
        ast_node *row = add(t, node(AST_TABLEROW, 8 + r));
        row->is_header = r == 0;
        for (int c = 0; c < 2; c++) {
            ast_node *cell = add(row, node(AST_TABLECELL, 8 + r));
            add(cell, txt(r == 0 ? (c ? "Minutes" : "Step") : (c ? "10" : "Warm-up")));
        }
    }

    ast_node *list = add(doc, node(AST_LIST, 12));
    list->tight = 1;
    for (int i = 0; i < 2; i++) {
        ast_node *it = add(list, node(AST_ITEM, 12 + i));
        it->checked = i;
        add(para(it, 12 + i), txt(i ? "done" : "to do"));
    }

    p = para(doc, 15);
    add(p, txt("Answer within "));
    add(p, blank(16, NULL, NULL, NULL));
    add(p, txt(", or "));
    add(p, blank(16, "two rings", "second ring", NULL));
    add(p, txt(". Type: "));
    add(p, blank(12, NULL, NULL, "organization_type"));

    ast_node *ws = add(doc, node(AST_WORKSHEET, 17));
    add(ws, txt("Name: "));
    ast_node *wb = add(ws, blank(10, NULL, NULL, NULL));
    wb->underscore = 1;
    add(ws, node(AST_LINEBREAK, 18));
    add(ws, txt("└── Date: "));
    add(ws, blank(8, NULL, NULL, NULL));

    ast_node *ex = add(doc, node(AST_DIV, 20));
    ast_add_class(A, ex, "exercise");
    ast_attr_set(A, &ex->attr, "title", "Customer priority");
    ast_attr_set(A, &ex->attr, "duration", "15m");
    ast_attr_set(A, &ex->attr, "only", "facilitator");
    add(para(ex, 21), txt("Rank the customers."));

    ast_node *hint = add(doc, node(AST_DIV, 23));
    ast_add_class(A, hint, "hint");
    add(para(hint, 24), txt("Think about urgency."));

    add(doc, raw(AST_HTMLBLOCK, "<div class=\"x\">raw&nbsp;<br>text</div>\n", 26));

    p = para(doc, 28);
    add(p, txt("a "));
    add(p, raw(AST_HTMLINLINE, "<span class=\"y\">", 28));
    ast_node *strong = add(p, node(AST_STRONG, 28));
    add(strong, txt("x"));
    add(p, raw(AST_HTMLINLINE, "</span>", 28));
    add(p, txt(" b"));

    p = para(doc, 30);
    ast_node *img = add(p, node(AST_IMAGE, 30));
    img->url = "assets/media/img/dot.png";
    add(img, txt("a dot"));
    return doc;
}

/* extra_html: a raw HTML block added at line 11, or NULL */
static ast_node *module2(const char *extra_html) {
    ast_node *doc = node(AST_DOCUMENT, 1);
    heading(doc, 1, "second-module", "Second module", 1);
    heading(doc, 2, "part-a", "Part A", 3);
    ast_node *p = para(doc, 5);
    ast_node *ln = add(p, node(AST_LINK, 5));
    ln->url = "m1.html#your-name";
    add(ln, txt("back"));
    add(p, txt(" "));
    ln = add(p, node(AST_LINK, 5));
    ln->url = "#part-a";
    add(ln, txt("here"));
    add(p, txt(" "));
    ln = add(p, node(AST_LINK, 5));
    ln->url = "https://example.org/?a=1&b=2";
    add(ln, txt("web"));

    ast_node *choice = add(doc, node(AST_DIV, 7));
    ast_add_class(A, choice, "choice");
    ast_node *list = add(choice, node(AST_LIST, 8));
    list->tight = 1;
    for (int i = 0; i < 2; i++) {
        ast_node *it = add(list, node(AST_ITEM, 8 + i));
        it->checked = i;
        if (i) ast_add_class(A, it, "correct");
        add(para(it, 8 + i), txt(i ? "right" : "wrong"));
    }
    if (extra_html) add(doc, raw(AST_HTMLBLOCK, extra_html, 11));
    return doc;
}

/* ------------------------------------------------------------ harness */

/* a complete 1x1 grey PNG (the EPUB writer walks its chunks: media.h) */
static const unsigned char png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00,
    0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
    0x48, 0xaf, 0xa4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    buf b = BUF_INIT;
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_put(&b, tmp, n);
    fclose(f);
    *len = b.len;
    if (!b.data) buf_puts(&b, "");
    return buf_detach(&b);
}

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

typedef struct result {
    int rc;
    int errors;
    char *diags;
} result;

static result build(const char *dir, const char *theme, const char *media_src, const char *extra_html) {
    result res = {0, 0, NULL};
    A = arena_new();
    course c;
    memset(&c, 0, sizeof c);
    c.id = "demo";
    c.title = "Demo Course";
    c.language = "en";
    c.date = "2026-01-15";
    c.publisher = "Example Publisher";
    c.rights = "CC BY 4.0";
    static const char *authors[] = {"Ada Author", "Bo Builder"};
    c.authors = authors;
    c.nauthors = 2;
    course_edition ed = {.name = "facilitator", .title = "Facilitator"};
    page_info pages[2] = {
        {.id = "m1", .title = "Introduction", .path = "demo/modules/m1.md", .duration = -1, .start = -1},
        {.id = "m2", .title = "Second module", .path = "demo/modules/m2.md", .duration = -1, .start = -1},
    };
    media_file media[1] = {{.rel = "assets/media/img/dot.png", .src = media_src}};
    char dpath[600];
    snprintf(dpath, sizeof dpath, "%s/diags.txt", dir);
    FILE *df = fopen(dpath, "w+");
    diag *d = diag_new(df, DIAG_TEXT, 0);
    int nerr = 0;
    c.labels = labels_load(A, theme, theme, &c, d, &nerr);
    edition_ctx ctx = {
        .c = &c, .ed = &ed, .pages = pages, .npages = 2, .total_duration = -1,
        .media = media, .nmedia = 1, .theme_dir = theme, .out_dir = dir,
        .build_time = 1768435200LL, .safe = 0, .d = d,
    };
    epub_book *b = epub_begin(&ctx);
    if (!b) {
        res.rc = -2;
    } else {
        int rc = 0;
        if (epub_module(b, 0, module1()) < 0) rc = -1;
        if (epub_module(b, 1, module2(extra_html)) < 0) rc = -1;
        if (rc < 0) {
            epub_abort(b);
            res.rc = -1;
        } else {
            res.rc = epub_end(b);
        }
    }
    res.errors = diag_errors(d);
    if (diag_errors(d) + diag_warnings(d)) diag_flush(d); /* diag_flush qsorts NULL when empty */
    diag_free(d);
    fclose(df);
    size_t n;
    res.diags = slurp(dpath, &n);
    arena_free(A);
    return res;
}

static int contains(const char *hay, const char *needle) { return hay && strstr(hay, needle) != NULL; }

/* ------------------------------------------------------------ version 2 content */

static ast_node *link_to(const char *url, const char *s) {
    ast_node *l = node(AST_LINK, 0);
    l->url = url;
    add(l, txt(s));
    return l;
}

static ast_node *image_of(const char *url, const char *alt) {
    ast_node *i = node(AST_IMAGE, 0);
    i->url = url;
    add(i, txt(alt));
    return i;
}

static ast_node *choice_div(ast_node *doc, const char *select, int answers, int line) {
    ast_node *d = add(doc, node(AST_DIV, line));
    ast_add_class(A, d, "choice");
    if (select) ast_attr_set(A, &d->attr, "select", select);
    ast_node *l = add(d, node(AST_LIST, line + 1));
    l->tight = 1;
    for (int i = 0; i < 3; i++) {
        ast_node *it = add(l, node(AST_ITEM, line + 1 + i));
        it->checked = answers && i == 1;
        if (answers && i == 1) ast_add_class(A, it, "correct");
        add(para(it, line + 1 + i), txt(i == 0 ? "A" : i == 1 ? "B" : "C"));
    }
    return d;
}

/* Module p1: live blanks in code, attributes, choices, an image only inside
 * an answer (removed from the learner tree, as the prune does), links to a
 * module left out of the learner edition and to the module named `nav`. */
static ast_node *module_v2(int answers) {
    ast_node *doc = node(AST_DOCUMENT, 1);
    heading(doc, 1, "p1", "Page one", 1);
    ast_node *p = para(doc, 3);
    ast_node *code = add(p, node(AST_CODE, 3));
    code->attr.id = "cmd";
    ast_add_class(A, code, "blanks");
    add(code, txt("git "));
    add(code, blank(8, answers ? "add" : NULL, NULL, NULL));
    add(code, txt(" -p"));
    add(p, txt(" "));
    ast_node *c2 = add(p, node(AST_CODE, 3));
    c2->text = "ls";
    ast_add_class(A, c2, "shell");
    ast_attr_set(A, &c2->attr, "Data:Key", "v");
    ast_attr_set(A, &c2->attr, "x.y_9", "w");

    ast_node *ws = add(doc, node(AST_WORKSHEET, 5));
    ws->info = "sh";
    ast_add_class(A, ws, "blanks");
    add(ws, txt("$ cd "));
    add(ws, blank(16, answers ? "/tmp" : NULL, NULL, NULL));
    add(ws, node(AST_LINEBREAK, 6));
    add(ws, txt("$ ls"));

    p = para(doc, 8);
    ast_node *l = add(p, link_to("https://example.org/", "site"));
    l->attr.id = "ext";
    ast_add_class(A, l, "external");
    ast_attr_set(A, &l->attr, "title", "Attr title");
    ast_attr_set(A, &l->attr, "lang", "fr-CA");
    ast_attr_set(A, &l->attr, "Track:Event", "Go \"now\"");
    ast_attr_set(A, &l->attr, "only", "facilitator");
    ast_attr_set(A, &l->attr, "width", "120");
    l->title = "Link title";
    add(p, txt(" "));
    ast_node *im = add(p, image_of("assets/media/img/dot.png", "From children"));
    ast_add_class(A, im, "wide");
    ast_attr_set(A, &im->attr, "width", "50%");
    ast_attr_set(A, &im->attr, "height", "120px");
    ast_attr_set(A, &im->attr, "alt", "Alt override");
    ast_attr_set(A, &im->attr, "caption", "A & B");
    add(p, txt(" "));
    ast_node *im2 = add(p, image_of("assets/media/img/dot.png", "again"));
    ast_attr_set(A, &im2->attr, "width", "300");
    ast_attr_set(A, &im2->attr, "height", "abc");

    ast_node *cb = add(doc, node(AST_CODEBLOCK, 10));
    cb->info = "py";
    cb->text = "print(1)\n";
    cb->attr.id = "snippet";
    ast_add_class(A, cb, "numbered");
    ast_attr_set(A, &cb->attr, "caption", "x");

    choice_div(doc, "one", answers, 12);
    choice_div(doc, NULL, answers, 16);
    choice_div(doc, "one", answers, 20);

    if (answers) {
        ast_node *ans = add(doc, node(AST_DIV, 24));
        ast_add_class(A, ans, "answer");
        add(para(ans, 25), image_of("assets/media/img/secret.png", "secret"));
    }

    p = para(doc, 27);
    add(p, link_to("p2.html#part", "to p2"));
    add(p, txt(" | "));
    add(p, link_to("nav.html#top", "to nav"));
    add(p, txt(" | "));
    add(p, link_to("index.html", "contents"));
    add(doc, raw(AST_HTMLBLOCK, "<p><a href=\"p2.html\">raw to p2</a></p>\n", 29));
    return doc;
}

static ast_node *module_nav(void) {
    ast_node *doc = node(AST_DOCUMENT, 1);
    heading(doc, 1, "top", "Navigating", 1);
    add(para(doc, 3), txt("A module whose id is nav."));
    return doc;
}

/* Builds the v2 book of an edition into dir: pages nav, p1 (and p2 with
 * answers) of the course's nav, p1, p2. Returns epub_end's result. */
static int build_v2(const char *dir, const char *theme, const char *const media_src[3], int answers, char **diags) {
    A = arena_new();
    course c;
    memset(&c, 0, sizeof c);
    c.id = "vtwo";
    c.title = "Version two";
    c.language = "en";
    course_edition ed = {.name = answers ? "facilitator" : "learner"};
    page_info all[3] = {
        {.id = "nav", .title = "Navigating", .path = "vtwo/modules/nav.md", .duration = -1, .start = -1},
        {.id = "p1", .title = "Page one", .path = "vtwo/modules/p1.md", .duration = -1, .start = -1},
        {.id = "p2", .title = "Page two", .path = "vtwo/modules/p2.md", .duration = -1, .start = -1},
    };
    media_file media[3] = {{.rel = "assets/media/img/dot.png", .src = media_src[0]},
                           {.rel = "assets/media/img/secret.png", .src = media_src[1]},
                           {.rel = "assets/media/img/unused.png", .src = media_src[2]}};
    char dpath[600];
    snprintf(dpath, sizeof dpath, "%s/diags-v2.txt", dir);
    FILE *df = fopen(dpath, "w+");
    diag *d = diag_new(df, DIAG_TEXT, 0);
    int nerr = 0;
    c.labels = labels_load(A, theme, theme, &c, d, &nerr);
    edition_ctx ctx = {
        .c = &c, .ed = &ed, .pages = all, .npages = answers ? 3 : 2, .course_pages = all, .ncourse_pages = 3,
        .total_duration = -1, .media = media, .nmedia = 3, .theme_dir = theme, .out_dir = dir,
        .build_time = 1768435200LL, .d = d,
    };
    int rc = -2;
    epub_book *b = epub_begin(&ctx);
    if (b) {
        rc = 0;
        if (epub_module(b, 0, module_nav()) < 0) rc = -1;
        if (epub_module(b, 1, module_v2(answers)) < 0) rc = -1;
        if (answers) {
            ast_node *p2 = node(AST_DOCUMENT, 1);
            heading(p2, 2, "part", "Part", 1);
            if (epub_module(b, 2, p2) < 0) rc = -1;
        }
        if (rc < 0) epub_abort(b);
        else rc = epub_end(b);
    }
    if (diag_errors(d) + diag_warnings(d)) {
        diag_flush(d);
        if (rc == 0) rc = -3; /* a clean book has no diagnostics */
    }
    diag_free(d);
    fclose(df);
    size_t n;
    *diags = slurp(dpath, &n);
    arena_free(A);
    return rc;
}

static int epubcheck_clean(const char *path) {
    char cmd[1200];
    if (system("command -v java >/dev/null 2>&1") != 0 || access("/usr/share/java/epubcheck.jar", R_OK) != 0) {
        printf("SKIP EPUBCheck (no java or no epubcheck.jar)\n");
        return 1;
    }
    snprintf(cmd, sizeof cmd, "java -jar /usr/share/java/epubcheck.jar '%s' 2>&1", path);
    char *out = run(cmd);
    int clean = (contains(out, "0 fatals / 0 errors / 0 warnings") || contains(out, "No errors or warnings detected")) &&
                !contains(out, "ERROR") && !contains(out, "WARNING");
    if (!clean) printf("%s", out);
    free(out);
    return clean;
}

static void test_v2(const char *dir, const char *theme, const char *png_path) {
    char cmd[2048], path[700], sec[700], unused[700];
    snprintf(sec, sizeof sec, "%s/secret.png", dir);
    snprintf(unused, sizeof unused, "%s/unused.png", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && cp '%s' '%s'", png_path, sec, png_path, unused);
    if (system(cmd) != 0) printf("note: could not copy the test image\n");
    const char *const media[3] = {png_path, sec, unused};
    for (int answers = 0; answers <= 1; answers++) {
        const char *ed = answers ? "facilitator" : "learner";
        char *diags = NULL;
        int rc = build_v2(dir, theme, media, answers, &diags);
        char what[200];
        snprintf(what, sizeof what, "v2 %s book builds without diagnostics", ed);
        CHECK(rc == 0, what);
        if (rc) printf("     rc %d, diagnostics were:\n%s", rc, diags);
        free(diags);
        snprintf(path, sizeof path, "%s/vtwo-%s.epub", dir, ed);
        snprintf(cmd, sizeof cmd, "unzip -Z1 '%s'", path);
        char *names = run(cmd);
        snprintf(cmd, sizeof cmd, "unzip -p '%s' EPUB/p1.xhtml", path);
        char *p1 = run(cmd);
        snprintf(cmd, sizeof cmd, "unzip -p '%s' EPUB/_package.opf", path);
        char *opf = run(cmd);
        snprintf(cmd, sizeof cmd, "unzip -p '%s' EPUB/nav.xhtml", path);
        char *navmod = run(cmd);
        snprintf(cmd, sizeof cmd, "unzip -p '%s' EPUB/_nav.xhtml", path);
        char *nav = run(cmd);
#define V2(cond, msg)                                                                                  \
    do {                                                                                               \
        snprintf(what, sizeof what, "v2 %s: %s", ed, msg);                                             \
        CHECK(cond, what);                                                                             \
    } while (0)
        /* 6. names no module id can take */
        V2(contains(names, "\nEPUB/nav.xhtml\n") && contains(names, "\nEPUB/_nav.xhtml\n"),
           "module `nav` and the navigation document are two members");
        V2(contains(names, "\nEPUB/_package.opf\n") && contains(names, "\nEPUB/_toc.ncx\n") &&
               contains(names, "\nEPUB/_epub.css\n") && !contains(names, "EPUB/package.opf") &&
               !contains(names, "EPUB/toc.ncx") && !contains(names, "EPUB/epub.css"),
           "package, NCX and CSS have `_` names");
        V2(contains(navmod, "A module whose id is nav."), "EPUB/nav.xhtml is the module");
        V2(contains(nav, "epub:type=\"toc\"") && contains(nav, "<a href=\"nav.xhtml\">Navigating</a>"),
           "EPUB/_nav.xhtml is the navigation document, listing the module nav");
        V2(contains(opf, "href=\"_nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"") &&
               contains(opf, "href=\"nav.xhtml\" media-type=\"application/xhtml+xml\"/>"),
           "OPF: the nav document and the module nav");
        V2(contains(p1, "<a href=\"nav.xhtml#top\">to nav</a>") && contains(p1, "<a href=\"_nav.xhtml\">contents</a>"),
           "links to the module nav and to the contents");
        V2(contains(p1, "href=\"_epub.css\""), "chapters link the `_` stylesheet");
        /* 1. live blanks in code */
        V2(contains(p1, answers ? "<code id=\"cmd\" class=\"blanks\">git <span class=\"blank filled\">add</span> -p</code>"
                                : "<code id=\"cmd\" class=\"blanks\">git <span class=\"blank\" style=\"width:8ch\" role=\"img\" aria-label=\"Blank 1\"></span> -p</code>"),
           "inline code with a live blank");
        V2(contains(p1, answers ? "<pre class=\"worksheet blanks\"><code class=\"language-sh\">$ cd <span class=\"blank filled\">/tmp</span>\n$ ls</code></pre>"
                                : "<pre class=\"worksheet blanks\"><code class=\"language-sh\">$ cd <span class=\"blank\" style=\"width:16ch\" role=\"img\" aria-label=\"Blank 2\"></span>\n$ ls</code></pre>"),
           "worksheet code block keeps its language");
        /* 2. attributes, in the HTML writer's order */
        V2(contains(p1, "<code class=\"shell\" data-data-key=\"v\" data-x.y_9=\"w\">ls</code>"), "inline code attributes");
        V2(contains(p1, "<a href=\"https://example.org/\" id=\"ext\" class=\"external\" title=\"Attr title\" "
                        "lang=\"fr-CA\" style=\"width:120px\" data-track-event=\"Go &quot;now&quot;\">site</a>"),
           "link attributes");
        V2(!contains(p1, "only") && !contains(p1, "Link title"), "no only=, the attribute title wins");
        V2(contains(p1, "<img src=\"assets/media/img/dot.png\" alt=\"Alt override\" class=\"wide\" height=\"120\" "
                        "style=\"width:50%\" data-caption=\"A &amp; B\"/>"),
           "image attributes");
        V2(contains(p1, "<img src=\"assets/media/img/dot.png\" alt=\"again\" width=\"300\"/>"),
           "integer width kept, bad height dropped");
        V2(contains(p1, "<pre id=\"snippet\" class=\"numbered\" data-caption=\"x\"><code class=\"language-py\">"),
           "code block attributes on pre, language on code");
        /* 3. choices */
        V2(contains(p1, "<li class=\"task-item\"><input type=\"radio\" name=\"choice-1\" disabled=\"disabled\" "
                        "aria-labelledby=\"_opt-1\"/> <span id=\"_opt-1\">A</span></li>"),
           "single-answer question: radio buttons");
        V2(contains(p1, "name=\"choice-2\"") && !contains(p1, "choice-3"), "one name per question");
        V2(answers ? contains(p1, "<li class=\"correct task-item\"><input type=\"radio\" name=\"choice-1\" "
                                  "disabled=\"disabled\" checked=\"checked\" aria-labelledby=\"_opt-2\"/> "
                                  "<span id=\"_opt-2\">B</span></li>")
                   : !contains(p1, "checked") && !contains(p1, "correct"),
           answers ? "the answer is checked" : "nothing checked, nothing marked");
        V2(contains(p1, "<input type=\"checkbox\" disabled=\"disabled\" aria-labelledby=\"_opt-4\"/> <span id=\"_opt-4\">A"),
           "a multiple choice keeps checkboxes");
        /* 4. media */
        V2(contains(names, "EPUB/assets/media/img/dot.png"), "the referenced image is in the book");
        V2(answers == contains(names, "secret.png") && answers == contains(opf, "secret.png"),
           answers ? "the answer's image is in the book" : "the answer's image is NOT in the book nor the OPF");
        V2(!contains(names, "unused.png") && !contains(opf, "unused.png"), "unreferenced media are not in the book");
        /* 5. a module left out */
        if (!answers) {
            V2(contains(p1, "<p>to p2 | ") && !contains(p1, "p2.xhtml") && !contains(p1, "p2.html"),
               "a link to a module left out keeps its text, not the link");
            V2(contains(p1, "<p><span>raw to p2</span></p>"), "raw HTML link to it becomes a span");
            V2(!contains(opf, "p2.xhtml") && !contains(names, "p2.xhtml"), "the module left out is not in the book");
        } else {
            V2(contains(p1, "<a href=\"p2.xhtml#part\">to p2</a>"), "the module is linked where it is in the edition");
        }
#undef V2
        snprintf(what, sizeof what, "v2 %s: EPUBCheck 0 fatals, 0 errors, 0 warnings", ed);
        CHECK(epubcheck_clean(path), what);
        free(names);
        free(p1);
        free(opf);
        free(navmod);
        free(nav);
    }
}

int main(int argc, char **argv) {
    const char *root = argc > 1 ? argv[1] : ".";
    char theme[512], dir[] = "/tmp/test_epub_XXXXXX", cmd[2048], path[700], media[700];
    snprintf(theme, sizeof theme, "%s/themes/default", root);
    if (!mkdtemp(dir)) return 1;
    snprintf(media, sizeof media, "%s/dot.png", dir);
    FILE *f = fopen(media, "wb");
    fwrite(png, 1, sizeof png, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/demo-facilitator.epub", dir);

    /* 1. a broken raw fragment: reported at its line, no book left behind */
    result r = build(dir, theme, media, "<p>fine</p>\n<b>unclosed\n");
    CHECK(r.rc == -1, "broken raw HTML makes the module fail");
    CHECK(r.errors == 1, "exactly one error reported");
    CHECK(contains(r.diags, "demo/modules/m2.md:12:1: error: raw HTML at this line is not well-formed"),
          "diagnostic at the display path and the line of <b>unclosed");
    if (r.errors != 1 || !contains(r.diags, "m2.md:12:")) printf("     diagnostics were:\n%s", r.diags);
    CHECK(access(path, F_OK) != 0, "the partial EPUB is removed");
    free(r.diags);

    /* 1b. libxml2 reports these by error code; each test fails when the
     * code is not recognised. An element left open is reported at its start
     * tag, not at the wrapper's end tag (line 13, where libxml2 sees it). */
    r = build(dir, theme, media, "<p>fine</p>\nsee <em>open\nmore\n");
    CHECK(r.rc == -1 && r.errors == 1 &&
              contains(r.diags, "demo/modules/m2.md:12:5: error: raw HTML at this line is not well-formed"),
          "an element left open at the fragment's end: reported at its start tag");
    if (r.errors != 1 || !contains(r.diags, "m2.md:12:5:")) printf("     diagnostics were:\n%s", r.diags);
    free(r.diags);
    /* a bare '&' and "&name" without ';' are legal HTML (written as &amp;) */
    r = build(dir, theme, media, "<p>\xc3\xa9 a & b, &c d, <a href=\"https://example.org/?x=1&y=&\">q</a></p>\n");
    CHECK(r.rc == 0 && r.errors == 0, "raw HTML with a bare & and an unterminated &name: no error");
    if (r.rc || r.errors) printf("     diagnostics were:\n%s", r.diags);
    free(r.diags);
    snprintf(cmd, sizeof cmd, "unzip -p '%s' EPUB/m2.xhtml", path);
    char *amp = run(cmd);
    CHECK(contains(amp, "<p>\xc3\xa9 a &amp; b, &amp;c d, <a href=\"https://example.org/?x=1&amp;y=&amp;\">q</a></p>"),
          "the bare & and &name written as &amp;");
    free(amp);
    /* the code of a bare '&' also marks a bad attribute name, a real error */
    r = build(dir, theme, media, "<p 1a=\"c\">x</p>\n");
    CHECK(r.rc == -1 && r.errors == 1 &&
              contains(r.diags, "demo/modules/m2.md:11:") && contains(r.diags, "not well-formed"),
          "a bad attribute name in raw HTML is still an error");
    if (r.errors != 1) printf("     diagnostics were:\n%s", r.diags);
    free(r.diags);

    /* 2. a good book, twice */
    r = build(dir, theme, media, NULL);
    CHECK(r.rc == 0 && r.errors == 0, "clean book builds without errors");
    if (r.rc || r.errors) printf("     diagnostics were:\n%s", r.diags);
    free(r.diags);
    size_t la = 0, lb = 0;
    char *a = slurp(path, &la);
    char copy[800];
    snprintf(copy, sizeof copy, "%s/first.epub", dir);
    rename(path, copy);
    r = build(dir, theme, media, NULL);
    free(r.diags);
    char *b = slurp(path, &lb);
    CHECK(a && b && la == lb && memcmp(a, b, la) == 0, "two builds are byte-identical");
    free(a);
    free(b);

    /* 3. contents */
    snprintf(cmd, sizeof cmd, "unzip -p '%s' EPUB/m1.xhtml", path);
    char *m1 = run(cmd);
    snprintf(cmd, sizeof cmd, "unzip -p '%s' EPUB/m2.xhtml", path);
    char *m2 = run(cmd);
    snprintf(cmd, sizeof cmd, "unzip -p '%s' EPUB/_nav.xhtml EPUB/_toc.ncx", path);
    char *nav = run(cmd);
    snprintf(cmd, sizeof cmd, "unzip -p '%s' EPUB/_package.opf", path);
    char *opf = run(cmd);
    snprintf(cmd, sizeof cmd, "unzip -Z1 '%s'", path);
    char *names = run(cmd);
    CHECK(names && strncmp(names, "mimetype\n", 9) == 0, "mimetype is the first member");
    CHECK(contains(names, "EPUB/assets/media/img/dot.png"), "image included under its media path");
    CHECK(contains(m1, "<!DOCTYPE html>") && contains(m1, "xmlns=\"http://www.w3.org/1999/xhtml\"") &&
              contains(m1, "xmlns:epub=\"http://www.idpf.org/2007/ops\""),
          "XHTML document with the XHTML and epub namespaces");
    CHECK(contains(m1, "<h1 id=\"introduction\">Introduction</h1>"), "heading with its id");
    CHECK(contains(m1, "<em>emphasis</em> &amp; a <a href=\"m2.xhtml#part-a\">link to part A</a>"),
          "emphasis, escaping, link to the other module rewritten to .xhtml");
    CHECK(contains(m1, "<a href=\"m2.xhtml\">gone anchor</a>"),
          "link to an anchor missing from a later module points at the module");
    CHECK(contains(m1, "<del>gone</del><br/><code>x &lt; y</code>"), "del, br, code");
    CHECK(contains(m1, "<th>Step</th><th style=\"text-align:right\">Minutes</th>"), "table header and alignment");
    CHECK(contains(m1, "<td style=\"text-align:right\">10</td>"), "aligned body cell");
    CHECK(contains(m1, "<li class=\"task-item\"><input type=\"checkbox\" disabled=\"disabled\" aria-labelledby=\"_opt-1\"/> "
                       "<span id=\"_opt-1\">to do</span></li>") &&
              contains(m1, "<input type=\"checkbox\" disabled=\"disabled\" checked=\"checked\" aria-labelledby=\"_opt-2\"/> "
                           "<span id=\"_opt-2\">done</span>"),
          "task list checkboxes, named by their text");
    CHECK(contains(m1, "<span class=\"blank\" style=\"width:16ch\" role=\"img\" aria-label=\"Blank 1\"></span>"),
          "blank without alternatives, named by its number");
    CHECK(contains(m1, "<span class=\"blank filled\">two rings<span class=\"alt-sep\"> / </span>second ring</span>"),
          "filled blank with two alternatives");
    CHECK(contains(m1, "<span class=\"fill-in\" data-var=\"organization_type\"><span class=\"blank-label\">Organization type:</span> "
                       "<span class=\"blank\" style=\"width:12ch\" role=\"img\" aria-label=\"Organization type\"></span></span>"),
          "fill-in");
    CHECK(contains(m1, "<pre class=\"worksheet\"><code>Name: <span class=\"blank\" style=\"width:10ch\" role=\"img\" "
                       "aria-label=\"Blank 2\"></span>\n"
                       "└── Date: <span class=\"blank\" style=\"width:8ch\" role=\"img\" aria-label=\"Blank 3\"></span></code></pre>"),
          "worksheet keeps its layout");
    CHECK(contains(m1, "<div class=\"exercise\" data-duration=\"15m\">\n<p class=\"box-title\">Customer priority</p>"),
          "titled div with data-duration, no only=");
    CHECK(!contains(m1, "only="), "only= not emitted");
    CHECK(contains(m1, "<aside class=\"hint\" role=\"doc-tip\">\n<p class=\"box-title\">Hint</p>"),
          "hint as aside (a tip, not a landmark) with box-title");
    CHECK(contains(m1, "<div class=\"x\">raw\xc2\xa0<br/>text</div>"), "raw HTML block re-parsed as XHTML");
    CHECK(contains(m1, "a <span class=\"y\"><strong>x</strong></span> b"),
          "inline raw HTML split over nodes joined into one element");
    CHECK(contains(m1, "<img src=\"assets/media/img/dot.png\" alt=\"a dot\"/>"), "image");
    CHECK(contains(m2, "<a href=\"m1.xhtml#your-name\">back</a>") && contains(m2, "<a href=\"#part-a\">here</a>"),
          "backward and same-page links");
    CHECK(contains(m2, "href=\"https://example.org/?a=1&amp;b=2\""), "external link kept, escaped");
    CHECK(contains(m2, "<li class=\"correct task-item\">"), "a correct item's class begins with correct");
    CHECK(contains(nav, "<a href=\"m1.xhtml#your-name\">Your name</a>"), "nav lists level-2 headings");
    CHECK(contains(nav, "<a href=\"m2.xhtml#part-a\">Part A</a>"), "nav lists module 2 headings");
    CHECK(!contains(nav, "SECRET") && !contains(opf, "SECRET"), "blank answers never reach nav, NCX or OPF");
    CHECK(contains(m1, "SECRET-ANSWER"), "(the answer is in the body of this answer edition)");
    CHECK(contains(opf, "<meta property=\"dcterms:modified\">2026-01-15T00:00:00Z</meta>"), "dcterms:modified");
    CHECK(contains(opf, "<dc:title>Demo Course \xe2\x80\x94 Facilitator</dc:title>"), "title with edition");
    CHECK(contains(opf, "<dc:identifier id=\"pub-id\">urn:uuid:"), "derived urn:uuid identifier");
    CHECK(contains(opf, "<dc:creator>Ada Author</dc:creator>") && contains(opf, "<dc:creator>Bo Builder</dc:creator>"),
          "one dc:creator per author");
    CHECK(contains(opf, "media-type=\"image/png\""), "image in the manifest with its media type");
    CHECK(contains(opf, "<itemref idref=\"doc-1\"/>\n    <itemref idref=\"doc-2\"/>"), "spine in module order");
    const char *u = opf ? strstr(opf, "urn:uuid:") : NULL;
    if (u) {
        u += 9;
        int ok = 1;
        for (int i = 0; i < 36; i++) {
            char ch = u[i];
            if (i == 8 || i == 13 || i == 18 || i == 23) ok &= ch == '-';
            else ok &= (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
        }
        ok &= u[14] == '5' && strchr("89ab", u[19]) != NULL && u[36] == '<';
        CHECK(ok, "identifier is a valid version-5 UUID");
    }
    free(m1);
    free(m2);
    free(nav);
    free(opf);
    free(names);

    /* 4. EPUBCheck */
    if (system("command -v java >/dev/null 2>&1") != 0 || access("/usr/share/java/epubcheck.jar", R_OK) != 0) {
        printf("SKIP EPUBCheck (no java or no epubcheck.jar)\n");
    } else {
        snprintf(cmd, sizeof cmd, "java -jar /usr/share/java/epubcheck.jar '%s' 2>&1", path);
        char *out = run(cmd);
        int clean = contains(out, "0 fatals / 0 errors / 0 warnings") ||
                    contains(out, "No errors or warnings detected");
        CHECK(clean && !contains(out, "ERROR") && !contains(out, "WARNING"), "EPUBCheck: 0 fatals, 0 errors, 0 warnings");
        if (!clean) printf("%s", out);
        free(out);
    }

    /* TEST_EPUB_KEEP=FILE keeps a copy of the book for inspection */
    if (getenv("TEST_EPUB_KEEP")) {
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, getenv("TEST_EPUB_KEEP"));
        if (system(cmd) != 0) printf("note: could not keep the book\n");
    }

    /* 5. a failed write is an error, not a crash */
    {
        diag *d = diag_new(stderr, DIAG_TEXT, 0);
        course c;
        memset(&c, 0, sizeof c);
        c.id = "demo";
        course_edition ed = {.name = "learner"};
        edition_ctx ctx = {.c = &c, .ed = &ed, .out_dir = "/nonexistent-dir/x", .theme_dir = theme, .d = d};
        CHECK(epub_begin(&ctx) == NULL && diag_errors(d) == 1, "unwritable output folder: one error, NULL");
        diag_flush(d);
        diag_free(d);
    }

    test_v2(dir, theme, media);

    /* TEST_EPUB_KEEPDIR=1 keeps every book built (the folder is printed) */
    if (getenv("TEST_EPUB_KEEPDIR")) {
        printf("kept %s\n", dir);
    } else {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) printf("note: could not remove %s\n", dir);
    }
    printf("%s\n", failures ? "FAIL test_epub" : "ok test_epub");
    return failures ? 1 : 0;
}
