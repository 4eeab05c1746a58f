/* test_epub.c — the EPUB writer on hand-made trees: markup of every node kind,
 * raw HTML re-parsed (and a broken fragment reported), links and media,
 * nav/OPF/NCX, EPUBCheck 0 errors/0 warnings, byte-identical rebuilds. */
#include "../../compiler/ast.h"
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

static ast_node *module2(int broken) {
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
    if (broken) add(doc, raw(AST_HTMLBLOCK, "<p>fine</p>\n<b>unclosed\n", 11));
    return doc;
}

/* ------------------------------------------------------------ harness */

static const unsigned char png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
    0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
    0x0f, 0x04, 0x00, 0x09, 0xfb, 0x03, 0xfd, 0xe3, 0x55, 0xf2, 0x9c, 0x00, 0x00, 0x00, 0x00,
    0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

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

static result build(const char *dir, const char *theme, const char *media_src, int broken) {
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
        if (epub_module(b, 1, module2(broken)) < 0) rc = -1;
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
    result r = build(dir, theme, media, 1);
    CHECK(r.rc == -1, "broken raw HTML makes the module fail");
    CHECK(r.errors == 1, "exactly one error reported");
    CHECK(contains(r.diags, "demo/modules/m2.md:12: error: raw HTML at this line is not well-formed"),
          "diagnostic at the display path and the line of <b>unclosed");
    if (r.errors != 1 || !contains(r.diags, "m2.md:12:")) printf("     diagnostics were:\n%s", r.diags);
    CHECK(access(path, F_OK) != 0, "the partial EPUB is removed");
    free(r.diags);

    /* 2. a good book, twice */
    r = build(dir, theme, media, 0);
    CHECK(r.rc == 0 && r.errors == 0, "clean book builds without errors");
    if (r.rc || r.errors) printf("     diagnostics were:\n%s", r.diags);
    free(r.diags);
    size_t la = 0, lb = 0;
    char *a = slurp(path, &la);
    char copy[800];
    snprintf(copy, sizeof copy, "%s/first.epub", dir);
    rename(path, copy);
    r = build(dir, theme, media, 0);
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
    snprintf(cmd, sizeof cmd, "unzip -p '%s' EPUB/nav.xhtml EPUB/toc.ncx", path);
    char *nav = run(cmd);
    snprintf(cmd, sizeof cmd, "unzip -p '%s' EPUB/package.opf", path);
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
    CHECK(contains(m1, "<li class=\"task-item\"><input type=\"checkbox\" disabled=\"disabled\"/> to do</li>") &&
              contains(m1, "<input type=\"checkbox\" disabled=\"disabled\" checked=\"checked\"/> done"),
          "task list checkboxes");
    CHECK(contains(m1, "<span class=\"blank\" style=\"width:16ch\"></span>"), "blank without alternatives");
    CHECK(contains(m1, "<span class=\"blank filled\">two rings<span class=\"alt-sep\"> / </span>second ring</span>"),
          "filled blank with two alternatives");
    CHECK(contains(m1, "<span class=\"fill-in\"><span class=\"blank-label\">organization_type:</span> "
                       "<span class=\"blank\" style=\"width:12ch\"></span></span>"),
          "fill-in");
    CHECK(contains(m1, "<pre class=\"worksheet\"><code>Name: <span class=\"blank\" style=\"width:10ch\"></span>\n"
                       "└── Date: <span class=\"blank\" style=\"width:8ch\"></span></code></pre>"),
          "worksheet keeps its layout");
    CHECK(contains(m1, "<div class=\"exercise\" data-duration=\"15m\">\n<p class=\"box-title\">Customer priority</p>"),
          "titled div with data-duration, no only=");
    CHECK(!contains(m1, "only="), "only= not emitted");
    CHECK(contains(m1, "<aside class=\"hint\">\n<p class=\"box-title\">Hint</p>"), "hint as aside with box-title");
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

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("note: could not remove %s\n", dir);
    printf("%s\n", failures ? "FAIL test_epub" : "ok test_epub");
    return failures ? 1 : 0;
}
