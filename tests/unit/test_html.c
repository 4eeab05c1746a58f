/* test_html.c — unit tests of the HTML site writer (html.c) with the real
 * themes/default: a hand-built tree rendered with html_begin/html_page/
 * html_end into a temp folder, checked for the exact markup of docs/markup.md,
 * relative-only chrome, the index, copied assets and media, safe mode, and a
 * broken theme template reported at its line:col.
 * Usage: test_html [THEME_DIR]   (default: themes/default from the repo root) */
#define _XOPEN_SOURCE 700
#include "../../compiler/fs.h"
#include "../../compiler/labels.h"
#include "../../compiler/html.h"
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fails, passes;

#define CHECK(cond, name)                                                                          \
    do {                                                                                           \
        if (cond) passes++, printf("ok   %s\n", name);                                             \
        else fails++, printf("FAIL %s (%s:%d)\n", name, __FILE__, __LINE__);                       \
    } while (0)

/* A one-line test name: newlines shown as \n. */
static void label(char *name, size_t cap, const char *file, const char *verb, const char *needle) {
    int n = snprintf(name, cap, "%s %s ", file, verb);
    size_t o = n > 0 ? (size_t)n : 0;
    for (const char *p = needle; *p && o + 3 < cap && o < 200; p++) {
        if (*p == '\n') name[o++] = '\\', name[o++] = 'n';
        else name[o++] = *p;
    }
    name[o] = 0;
}

static void has(const char *file, const char *hay, const char *needle) {
    char name[512];
    label(name, sizeof name, file, "contains", needle);
    int ok = hay && strstr(hay, needle) != NULL;
    CHECK(ok, name);
}

static void lacks(const char *file, const char *hay, const char *needle) {
    char name[512];
    label(name, sizeof name, file, "lacks", needle);
    CHECK(hay && strstr(hay, needle) == NULL, name);
}

static char *slurp(const char *path) {
    char *data;
    size_t len;
    if (fs_read(path, &data, &len) != 0) return NULL;
    return data;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

/* ---- tree building ------------------------------------------------------------ */

static arena *A;

static ast_node *node(ast_type t) { return ast_new(A, t, 1, 1); }

static ast_node *text(const char *s) {
    ast_node *n = node(AST_TEXT);
    n->text = s;
    return n;
}

static ast_node *with(ast_node *parent, ast_node *child) {
    ast_append(parent, child);
    return parent;
}

static ast_node *para(ast_node *child) { return with(node(AST_PARAGRAPH), child); }

static ast_node *mkdiv(const char *cls) {
    ast_node *d = node(AST_DIV);
    ast_add_class(A, d, cls);
    return d;
}

static ast_node *heading(int level, const char *id, const char *s) {
    ast_node *h = node(AST_HEADING);
    h->level = level;
    h->attr.id = id;
    ast_append(h, text(s));
    return h;
}

static ast_node *alt(const char *s) { return with(node(AST_SPAN), text(s)); }

static ast_node *cell(const char *s) { return with(node(AST_TABLECELL), text(s)); }

static ast_node *build_m1(void) {
    ast_node *doc = node(AST_DOCUMENT);
    ast_append(doc, heading(1, "module-one", "Module One"));

    ast_node *h = heading(2, "part-a", "Part A ");
    ast_node *badge = with(node(AST_SPAN), text("10 min"));
    ast_add_class(A, badge, "duration-badge");
    ast_append(h, badge);
    ast_append(doc, h);

    ast_node *p = node(AST_PARAGRAPH);
    ast_append(p, text("Some "));
    ast_append(p, with(node(AST_EMPH), text("emphasis")));
    ast_append(p, text(" & <stuff> \"q\" "));
    ast_node *b1 = node(AST_BLANK);
    b1->width = 16;
    ast_append(p, b1);
    ast_append(p, text(" and "));
    ast_node *b2 = node(AST_BLANK);
    b2->width = 16;
    b2->alts = alt("two rings");
    b2->alts->next = alt("second ring");
    ast_append(p, b2);
    ast_append(p, text(" then "));
    ast_node *b3 = node(AST_BLANK);
    b3->width = 16;
    b3->label = "org_type";
    ast_append(p, b3);
    ast_append(p, node(AST_LINEBREAK));
    ast_append(p, with(node(AST_STRIKETHROUGH), text("old")));
    ast_append(p, node(AST_SOFTBREAK));
    ast_node *ln = with(node(AST_LINK), text("later"));
    ln->url = "m2.html#later";
    ast_append(p, ln);
    ast_node *js = with(node(AST_LINK), text("js"));
    js->url = "javascript:alert(1)";
    ast_append(p, js);
    ast_node *code = node(AST_CODE);
    code->text = "a<b";
    ast_append(p, code);
    ast_node *img = with(node(AST_IMAGE), text("A picture"));
    img->url = "assets/media/img/pic.png";
    ast_append(p, img);
    ast_append(doc, p);

    ast_node *tb = node(AST_TABLE);
    tb->ncols = 2;
    tb->aligns = arena_alloc(A, 2 * sizeof(ast_align));
    tb->aligns[0] = AST_ALIGN_LEFT;
    tb->aligns[1] = AST_ALIGN_RIGHT;
    ast_node *hr = node(AST_TABLEROW);
    hr->is_header = 1;
    ast_append(hr, cell("Name"));
    ast_append(hr, cell("Qty"));
    ast_node *r1 = node(AST_TABLEROW);
    ast_append(r1, cell("Tea"));
    ast_append(r1, cell("3"));
    ast_append(tb, hr);
    ast_append(tb, r1);
    ast_append(doc, tb);

    ast_node *choice = mkdiv("choice");
    ast_node *list = node(AST_LIST);
    list->tight = 1;
    ast_node *yes = with(node(AST_ITEM), para(text("Yes")));
    yes->checked = 1;
    ast_add_class(A, yes, "correct");
    ast_node *no = with(node(AST_ITEM), para(text("No")));
    no->checked = 0;
    ast_append(list, yes);
    ast_append(list, no);
    ast_append(choice, list);
    ast_append(doc, choice);

    ast_node *ws = node(AST_WORKSHEET);
    ast_append(ws, text("Name: "));
    ast_node *wb = node(AST_BLANK);
    wb->width = 12;
    ast_append(ws, wb);
    ast_append(ws, node(AST_LINEBREAK));
    ast_append(ws, text("\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 Touchpoints <x>"));
    ast_append(doc, ws);

    ast_node *ex = mkdiv("exercise");
    ast_attr_set(A, &ex->attr, "title", "Customer priority & rank");
    ast_attr_set(A, &ex->attr, "duration", "15");
    ast_attr_set(A, &ex->attr, "only", "learner");
    ast_append(ex, heading(3, "inside", "Inside exercise"));
    ast_append(ex, para(text("Rank them.")));
    ast_append(doc, ex);

    ast_append(doc, with(mkdiv("hint"), para(text("Think about it"))));
    ast_node *h2 = with(mkdiv("hint"), para(text("More")));
    ast_attr_set(A, &h2->attr, "title", "Clue");
    ast_append(doc, h2);

    ast_node *resp = mkdiv("response");
    ast_attr_set(A, &resp->attr, "lines", "3");
    for (int i = 0; i < 3; i++) ast_append(resp, mkdiv("rule"));
    ast_append(doc, resp);

    static const char *const boxes[][2] = {{"answer", "Answer"}, {"facilitator", "Facilitator note"},
                                           {"note", "Note"}, {"tip", "Tip"}, {"warning", "Warning"},
                                           {"important", "Important"}};
    for (size_t i = 0; i < sizeof boxes / sizeof boxes[0]; i++) {
        ast_node *bx = with(mkdiv(boxes[i][0]), para(text("Box content for the reader.")));
        ast_attr_set(A, &bx->attr, "title", boxes[i][1]);
        ast_append(doc, bx);
    }
    ast_node *model = with(mkdiv("response"), para(text("A model answer.")));
    ast_add_class(A, model, "model-answer");
    ast_attr_set(A, &model->attr, "title", "Model answer");
    ast_append(doc, model);

    ast_node *rs = mkdiv("run-sheet");
    ast_node *rt = node(AST_TABLE);
    rt->ncols = 3;
    const char *rows[][3] = {{"Start", "End", "Segment"}, {"09:00", "09:10", "Part A"}, {"09:10", "09:25", "Break"}};
    for (int i = 0; i < 3; i++) {
        ast_node *row = node(AST_TABLEROW);
        row->is_header = i == 0;
        for (int k = 0; k < 3; k++) ast_append(row, cell(rows[i][k]));
        ast_append(rt, row);
    }
    ast_append(rs, rt);
    ast_append(doc, rs);

    ast_node *cb = node(AST_CODEBLOCK);
    cb->info = "python extra";
    cb->text = "if a < b:\n    pass\n";
    ast_append(doc, cb);

    ast_node *raw = node(AST_HTMLBLOCK);
    raw->text = "<aside>raw</aside>";
    ast_append(doc, raw);
    ast_append(doc, node(AST_THEMATICBREAK));

    ast_node *ol = node(AST_LIST);
    ol->ordered = 1;
    ol->start = 3;
    ol->tight = 0;
    ast_append(ol, with(node(AST_ITEM), para(text("third"))));
    ast_append(doc, ol);

    ast_node *bq = with(node(AST_BLOCKQUOTE), para(text("quoted")));
    ast_append(doc, bq);
    ast_append(doc, heading(2, "later", "Later"));
    return doc;
}

/* ---- version 2 content (SPEC §11.2, §11.3, §11.4, §11.7) ------------------- */

static ast_node *blank_node(int width, const char *answer) {
    ast_node *b = node(AST_BLANK);
    b->width = width;
    if (answer) b->alts = alt(answer);
    return b;
}

static ast_node *image(const char *url, const char *alttext) {
    ast_node *i = with(node(AST_IMAGE), text(alttext));
    i->url = url;
    return i;
}

static ast_node *mklink(const char *url, const char *s) {
    ast_node *l = with(node(AST_LINK), text(s));
    l->url = url;
    return l;
}

static ast_node *task(const char *s, int checked, int correct) {
    ast_node *it = with(node(AST_ITEM), para(text(s)));
    it->checked = checked;
    if (correct) ast_add_class(A, it, "correct");
    return it;
}

/* A choice div: options "A", "B", "C"; B is the answer when answers is set. */
static ast_node *choice(const char *select, int answers) {
    ast_node *d = mkdiv("choice");
    if (select) ast_attr_set(A, &d->attr, "select", select);
    ast_node *l = node(AST_LIST);
    l->tight = 1;
    ast_append(l, task("A", 0, 0));
    ast_append(l, task("B", answers, answers));
    ast_append(l, task("C", 0, 0));
    ast_append(d, l);
    return d;
}

/* Module p1 of the version-2 course: live blanks in code, attributes on
 * links, images and code, choices, media, a link to a module left out. */
static ast_node *build_v2(int answers) {
    ast_node *doc = node(AST_DOCUMENT);
    ast_append(doc, heading(1, "p1", "Page one"));

    /* inline code with live blanks: `git [[add]]`{.blanks #cmd} */
    ast_node *p = node(AST_PARAGRAPH);
    ast_node *code = node(AST_CODE);
    code->attr.id = "cmd";
    ast_add_class(A, code, "blanks");
    ast_append(code, text("git "));
    ast_append(code, blank_node(8, answers ? "add" : NULL));
    ast_append(code, text(" -p"));
    ast_append(p, code);
    ast_append(p, text(" and "));
    ast_node *c2 = node(AST_CODE);
    c2->text = "ls <dir>";
    ast_add_class(A, c2, "shell");
    ast_attr_set(A, &c2->attr, "title", "list");
    ast_append(p, c2);
    ast_append(doc, p);

    /* ```sh {.blanks}: a worksheet with a language */
    ast_node *ws = node(AST_WORKSHEET);
    ws->info = "sh";
    ast_add_class(A, ws, "blanks");
    ast_append(ws, text("$ cd "));
    ast_append(ws, blank_node(16, answers ? "/tmp" : NULL));
    ast_append(ws, node(AST_LINEBREAK));
    ast_append(ws, text("$ ls"));
    ast_append(doc, ws);

    /* attributes on links and images */
    p = node(AST_PARAGRAPH);
    ast_node *l = mklink("https://example.org/", "site");
    l->attr.id = "ext";
    ast_add_class(A, l, "external");
    ast_attr_set(A, &l->attr, "title", "Attr title");
    ast_attr_set(A, &l->attr, "lang", "fr-CA");
    ast_attr_set(A, &l->attr, "Track:Event", "Go \"now\"");
    ast_attr_set(A, &l->attr, "only", "facilitator");
    ast_attr_set(A, &l->attr, "alt", "not for links");
    ast_attr_set(A, &l->attr, "width", "120");
    l->title = "Link title";
    ast_append(p, l);
    ast_append(p, text(" "));
    ast_node *im = image("assets/media/used.png", "From children");
    ast_add_class(A, im, "wide");
    ast_attr_set(A, &im->attr, "width", "50%");
    ast_attr_set(A, &im->attr, "height", "120px");
    ast_attr_set(A, &im->attr, "alt", "Alt override");
    ast_attr_set(A, &im->attr, "lang", "not a tag!");
    ast_attr_set(A, &im->attr, "caption", "A & B");
    ast_append(p, im);
    ast_append(p, text(" "));
    ast_node *im2 = image("assets/media/sp%20ace.png", "spaced");
    ast_attr_set(A, &im2->attr, "width", "300");
    ast_attr_set(A, &im2->attr, "height", "abc");
    ast_attr_set(A, &im2->attr, "except", "learner");
    ast_append(p, im2);
    ast_append(p, text(" "));
    ast_node *im3 = image("assets/media/em.png", "em");
    ast_attr_set(A, &im3->attr, "width", "10EM");
    ast_attr_set(A, &im3->attr, "height", "2.5cm");
    ast_append(p, im3);
    ast_append(p, text(" "));
    ast_append(p, mklink("assets/media/handout.pdf", "handout"));
    ast_append(doc, p);

    /* a code block with attributes: ```py {#snippet .numbered caption=x} */
    ast_node *cb = node(AST_CODEBLOCK);
    cb->info = "py";
    cb->text = "print(1)\n";
    cb->attr.id = "snippet";
    ast_add_class(A, cb, "numbered");
    ast_attr_set(A, &cb->attr, "caption", "x");
    ast_attr_set(A, &cb->attr, "height", "10");
    ast_append(doc, cb);

    /* choices: two single-answer questions, one multiple */
    ast_append(doc, choice("one", answers));
    ast_append(doc, choice(NULL, answers));
    ast_append(doc, choice("one", answers));

    /* an image only inside an answer: the test removes the answer (as the
     * learner edition's prune does) before rendering */
    ast_node *ans = with(mkdiv("answer"), para(image("assets/media/secret.png", "secret")));
    ast_append(doc, ans);
    if (!answers) ast_unlink(ans);

    /* raw HTML naming a media file */
    ast_node *raw = node(AST_HTMLBLOCK);
    raw->text = "<figure><img alt=\"x\" src='assets/media/raw.png'></figure>";
    ast_append(doc, raw);

    /* links to pages: p2 is left out of the learner edition */
    p = node(AST_PARAGRAPH);
    ast_append(p, mklink("p2.html#part", "to p2"));
    ast_append(p, text(" | "));
    ast_append(p, mklink("./p2.html", "to p2 again"));
    ast_append(p, text(" | "));
    ast_append(p, mklink("p3.html", "to p3"));
    ast_append(p, text(" | "));
    ast_append(p, mklink("glossary.html", "glossary"));
    ast_append(doc, p);
    return doc;
}

/* Renders build_v2 as page p1 of an edition whose pages are p1, p3 (or p1,
 * p2, p3 with answers) out of the course's p1, p2, p3; returns site/p1.html
 * and fills *rc with the writer's results. */
static char *render_v2(const char *tmp, const char *theme, const char *sub, int answers, int safe, media_file *media,
                       int nmedia, int *rc, diag *d) {
    static course c;
    memset(&c, 0, sizeof c);
    c.id = "v2";
    c.title = "Version two";
    int nerr = 0;
    static arena *la;
    if (!la) la = arena_new(); /* the labels live as long as the test */
    c.labels = labels_load(la, theme, theme, &c, d, &nerr);
    static course_edition ed;
    memset(&ed, 0, sizeof ed);
    ed.name = answers ? "facilitator" : "learner";
    static const char *roles[] = {"answer", "facilitator"};
    if (answers) ed.include = roles, ed.ninclude = 2; /* the learner's: the fillable workbook */
    static page_info all[] = {
        {"p1", "Page one", "v2/modules/p1.md", -1, -1, 0, 0, 0},
        {"p2", "Page two", "v2/modules/p2.md", -1, -1, 0, 0, 0},
        {"p3", "Page three", "v2/modules/p3.md", -1, -1, 0, 0, 0},
    };
    static page_info learner[] = {
        {"p1", "Page one", "v2/modules/p1.md", -1, -1, 0, 0, 0},
        {"p3", "Page three", "v2/modules/p3.md", -1, -1, 0, 0, 0},
    };
    edition_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.c = &c;
    ctx.ed = &ed;
    ctx.pages = answers ? all : learner;
    ctx.npages = answers ? 3 : 2;
    ctx.course_pages = all;
    ctx.ncourse_pages = 3;
    ctx.total_duration = -1;
    ctx.media = media;
    ctx.nmedia = nmedia;
    ctx.theme_dir = theme;
    ctx.safe = safe;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tmp, sub);
    ctx.out_dir = arena_strdup(A, path);
    ctx.d = d;
    *rc = -1;
    html_site *s = html_begin(&ctx);
    if (!s) return NULL;
    int r1 = html_page(s, 0, build_v2(answers));
    int r2 = html_page(s, 1, with(node(AST_DOCUMENT), para(text("next"))));
    /* every page of the edition is written before html_end (the print
     * workbook joins them all) */
    int r3 = answers ? html_page(s, 2, with(node(AST_DOCUMENT), para(text("third")))) : 0;
    *rc = html_end(s) | r1 | r2 | r3;
    snprintf(path, sizeof path, "%s/%s/site/p1.html", tmp, sub);
    return slurp(path);
}

static int exists(const char *tmp, const char *sub, const char *rel) {
    char path[1200];
    snprintf(path, sizeof path, "%s/%s/site/%s", tmp, sub, rel);
    return access(path, F_OK) == 0;
}

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *q = hay; q && (q = strstr(q, needle)); q += strlen(needle)) n++;
    return n;
}

static void test_v2(const char *tmp, const char *theme) {
    static const char *const names[] = {"used.png", "sp ace.png", "em.png", "handout.pdf",
                                        "secret.png", "raw.png", "unused.png"};
    media_file media[7];
    char path[1024];
    for (int i = 0; i < 7; i++) {
        snprintf(path, sizeof path, "%s/src-%d", tmp, i);
        fs_write(path, "DATA", 4);
        media[i].src = arena_strdup(A, path);
        media[i].rel = arena_printf(A, "assets/media/%s", names[i]);
    }
    FILE *df = tmpfile();
    diag *d = diag_new(df, DIAG_TEXT, 0);
    int rc;
    const char *f = "learner p1.html";
    char *l = render_v2(tmp, theme, "v2-learner", 0, 0, media, 7, &rc, d);
    CHECK(l && rc == 0, "v2 learner page written");
    CHECK(diag_errors(d) == 0 && diag_warnings(d) == 0, "v2 learner: no diagnostics");

    /* 1. live blanks in code */
    /* the learner's blanks are form fields named "Blank N" */
    has(f, l, "<code id=\"cmd\" class=\"blanks\">git <input type=\"text\" class=\"blank\" style=\"width:8ch\" "
              "aria-label=\"Blank 1\" /> -p</code>");
    has(f, l, "<code class=\"shell\" title=\"list\">ls &lt;dir&gt;</code>");
    has(f, l, "<pre class=\"worksheet blanks\"><code class=\"language-sh\">$ cd <input type=\"text\" class=\"blank\" "
              "style=\"width:16ch\" aria-label=\"Blank 2\" />\n$ ls</code></pre>");
    /* 2. attributes */
    has(f, l, "<a href=\"https://example.org/\" id=\"ext\" class=\"external\" title=\"Attr title\" lang=\"fr-CA\" "
              "style=\"width:120px\" data-track-event=\"Go &quot;now&quot;\">site</a>");
    lacks(f, l, "only="); /* the page's own text may say "only" (the workbook note) */
    lacks(f, l, "except");
    lacks(f, l, "Link title");
    lacks(f, l, "not for links");
    has(f, l, "<img src=\"assets/media/used.png\" alt=\"Alt override\" class=\"wide\" height=\"120\" "
              "style=\"width:50%\" data-caption=\"A &amp; B\" />");
    lacks(f, l, "not a tag");
    has(f, l, "<img src=\"assets/media/sp%20ace.png\" alt=\"spaced\" width=\"300\" />");
    has(f, l, "<img src=\"assets/media/em.png\" alt=\"em\" style=\"width:10em;height:2.5cm\" />");
    has(f, l, "<pre id=\"snippet\" class=\"numbered\" style=\"height:10px\" data-caption=\"x\" tabindex=\"0\"><code class=\"language-py\">print(1)\n</code></pre>");
    /* 3. choices */
    has(f, l, "<li class=\"task-item\"><label><input type=\"radio\" name=\"choice-1\"/> A</label></li>");
    CHECK(count(l, "name=\"choice-1\"") == 3 && count(l, "name=\"choice-2\"") == 3 && !strstr(l, "choice-3"),
          "learner: one radio name per single-answer question, unique on the page");
    CHECK(count(l, "type=\"checkbox\"") == 3, "learner: the other choice keeps checkboxes");
    lacks(f, l, "checked");
    lacks(f, l, "correct");
    lacks(f, l, "select");
    /* 5. a module left out of the edition: no dangling link */
    has(f, l, "<p>to p2 | to p2 again | <a href=\"p3.html\">to p3</a> | <a href=\"glossary.html\">glossary</a></p>");
    lacks(f, l, "p2.html");
    /* prev/next come from this edition's pages */
    has(f, l, "rel=\"next\" href=\"p3.html\"");
    /* 4. media: exactly what the page references */
    CHECK(exists(tmp, "v2-learner", "assets/media/used.png"), "learner: image copied");
    CHECK(exists(tmp, "v2-learner", "assets/media/sp ace.png"), "learner: percent-encoded image copied");
    CHECK(exists(tmp, "v2-learner", "assets/media/em.png"), "learner: third image copied");
    CHECK(exists(tmp, "v2-learner", "assets/media/handout.pdf"), "learner: linked media file copied");
    CHECK(exists(tmp, "v2-learner", "assets/media/raw.png"), "learner: image named by raw HTML copied");
    CHECK(!exists(tmp, "v2-learner", "assets/media/secret.png"), "learner: image only inside an answer NOT copied");
    CHECK(!exists(tmp, "v2-learner", "assets/media/unused.png"), "learner: unreferenced media NOT copied");
    free(l);

    f = "facilitator p1.html";
    char *fa = render_v2(tmp, theme, "v2-facilitator", 1, 0, media, 7, &rc, d);
    CHECK(fa && rc == 0, "v2 facilitator page written");
    has(f, fa, "<code id=\"cmd\" class=\"blanks\">git <span class=\"blank filled\">add</span> -p</code>");
    has(f, fa, "<pre class=\"worksheet blanks\"><code class=\"language-sh\">$ cd <span class=\"blank filled\">/tmp</span>\n$ ls</code></pre>");
    has(f, fa, "<li class=\"correct task-item\"><label><input type=\"radio\" name=\"choice-1\" disabled=\"disabled\" checked=\"checked\"/> B</label></li>");
    has(f, fa, "<li class=\"task-item\"><label><input type=\"radio\" name=\"choice-1\" disabled=\"disabled\"/> A</label></li>");
    has(f, fa, "<li class=\"correct task-item\"><label><input type=\"checkbox\" disabled=\"disabled\" checked=\"checked\"/> B</label></li>");
    has(f, fa, "<p><a href=\"p2.html#part\">to p2</a> | <a href=\"./p2.html\">to p2 again</a>");
    CHECK(exists(tmp, "v2-facilitator", "assets/media/secret.png"), "facilitator: the answer's image copied");
    CHECK(!exists(tmp, "v2-facilitator", "assets/media/unused.png"), "facilitator: unreferenced media NOT copied");
    free(fa);

    /* --safe: no data-* */
    f = "safe p1.html";
    char *sf = render_v2(tmp, theme, "v2-safe", 0, 1, media, 7, &rc, d);
    CHECK(sf && rc == 0, "v2 safe page written");
    lacks(f, sf, "data-caption");
    lacks(f, sf, "data-track");
    has(f, sf, "title=\"Attr title\" lang=\"fr-CA\" style=\"width:120px\">site</a>");
    CHECK(!exists(tmp, "v2-safe", "assets/media/raw.png"), "safe: raw HTML dropped, so is its image");
    free(sf);

    if (diag_errors(d) || diag_warnings(d)) diag_flush(d);
    diag_free(d);
    fclose(df);
}

int main(int argc, char **argv) {
    const char *theme = argc > 1 ? argv[1] : "themes/default";
    if (!fs_is_dir(theme)) {
        printf("FAIL theme folder %s not found (run from the repository root or pass THEME_DIR)\n", theme);
        return 1;
    }
    A = arena_new();
    char tmp[] = "/tmp/test_html.XXXXXX";
    if (!mkdtemp(tmp)) return perror("mkdtemp"), 1;
    char path[1024];

    /* a media file to copy */
    snprintf(path, sizeof path, "%s/pic.png", tmp);
    fs_write(path, "PNGDATA", 7);
    media_file media[] = {{"assets/media/img/pic.png", arena_strdup(A, path)}};

    course c;
    memset(&c, 0, sizeof c);
    c.id = "demo";
    c.title = "Demo Course";
    c.subtitle = "A subtitle";
    c.description = "About <this> course";
    c.language = "en-AU";
    int nerr = 0;
    diag *ld = diag_new(stderr, DIAG_TEXT, 0);
    c.labels = labels_load(A, theme, theme, &c, ld, &nerr);
    diag_free(ld);
    const char *authors[] = {"Ann Author"};
    c.authors = authors;
    c.nauthors = 1;
    course_edition ed;
    memset(&ed, 0, sizeof ed);
    ed.name = "learner";
    ed.title = "Learner";
    /* the tree below holds answers (ticks, model answers): an edition that
     * includes them, whose blanks and boxes are drawn, not form fields */
    const char *answer_role[] = {"answer"};
    ed.include = answer_role;
    ed.ninclude = 1;
    page_info pages[] = {
        {"m1", "Module One", "demo/modules/m1.md", 25, -1, 0, 0, 0},
        {"m2", "Second Module", "demo/modules/m2.md", 15, -1, 0, 0, 0},
    };
    FILE *df = tmpfile();
    diag *d = diag_new(df, DIAG_TEXT, 0);
    edition_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.c = &c;
    ctx.ed = &ed;
    ctx.pages = pages;
    ctx.npages = 2;
    ctx.total_duration = 40;
    ctx.media = media;
    ctx.nmedia = 1;
    ctx.theme_dir = theme;
    snprintf(path, sizeof path, "%s/out", tmp);
    ctx.out_dir = arena_strdup(A, path);
    ctx.d = d;

    html_site *s = html_begin(&ctx);
    CHECK(s != NULL, "html_begin with the default theme");
    if (!s) return 1;
    ast_node *m1 = build_m1();
    CHECK(html_page(s, 0, m1) == 0, "html_page m1");
    ast_node *m2 = node(AST_DOCUMENT);
    ast_append(m2, heading(2, "later", "Later on"));
    ast_append(m2, para(text("Back to m1.")));
    CHECK(html_page(s, 1, m2) == 0, "html_page m2");
    CHECK(html_end(s) == 0, "html_end");
    CHECK(diag_errors(d) == 0 && diag_warnings(d) == 0, "no diagnostics");

    snprintf(path, sizeof path, "%s/out/site/m1.html", tmp);
    char *p1 = slurp(path);
    CHECK(p1 != NULL, "site/m1.html written");
    const char *f = "m1.html";
    /* chrome */
    has(f, p1, "<!DOCTYPE html>");
    has(f, p1, "<html lang=\"en-AU\">");
    has(f, p1, "<title>Module One \xe2\x80\x94 Demo Course</title>");
    has(f, p1, "<link rel=\"stylesheet\" href=\"assets/coursec.css\" />");
    has(f, p1, "href=\"index.html\">Demo Course</a>");
    has(f, p1, "Learner");
    has(f, p1, "<a class=\"next\" rel=\"next\" href=\"m2.html\">Second Module &rarr;</a>");
    lacks(f, p1, "rel=\"prev\"");
    has(f, p1, "<li class=\"toc-level-2\"><a href=\"#part-a\">Part A</a></li>");
    has(f, p1, "<li class=\"toc-level-3\"><a href=\"#inside\">Inside exercise</a></li>");
    has(f, p1, "<a href=\"#later\">Later</a>");
    lacks(f, p1, ">Module One</a></li>"); /* level 1 is not in the TOC */
    lacks(f, p1, "<h1>Module One</h1>"); /* the module has its own h1 */
    lacks(f, p1, "{{");
    /* body */
    has(f, p1, "<h1 id=\"module-one\">Module One</h1>");
    has(f, p1, "<h2 id=\"part-a\">Part A <span class=\"duration-badge\">10 min</span></h2>");
    has(f, p1, "<p>Some <em>emphasis</em> &amp; &lt;stuff&gt; &quot;q&quot; <span class=\"blank\" style=\"width:16ch\" role=\"img\" aria-label=\"Blank 1\"></span> and ");
    has(f, p1, "<span class=\"blank filled\">two rings<span class=\"alt-sep\"> / </span>second ring</span>");
    has(f, p1, "<span class=\"fill-in\" data-var=\"org_type\"><span class=\"blank-label\">Org type:</span> <span class=\"blank\" style=\"width:16ch\" role=\"img\" aria-label=\"Org type\"></span></span>");
    has(f, p1, "<br />\n<del>old</del>\n<a href=\"m2.html#later\">later</a>");
    has(f, p1, "<a href=\"javascript:alert(1)\">js</a>"); /* authors are trusted without --safe */
    has(f, p1, "<code>a&lt;b</code>");
    has(f, p1, "<img src=\"assets/media/img/pic.png\" alt=\"A picture\" />");
    has(f, p1, "<table>\n<thead>\n<tr>\n<th style=\"text-align:left\">Name</th>\n<th style=\"text-align:right\">Qty</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td style=\"text-align:left\">Tea</td>\n<td style=\"text-align:right\">3</td>\n</tr>\n</tbody>\n</table>");
    has(f, p1, "<div class=\"choice\">\n<ul>\n<li class=\"correct task-item\"><label><input type=\"checkbox\" disabled=\"disabled\" checked=\"checked\"/> Yes</label></li>\n<li class=\"task-item\"><label><input type=\"checkbox\" disabled=\"disabled\"/> No</label></li>\n</ul>\n</div>");
    {
        const char *li = p1 ? strstr(p1, "<li class=\"correct") : NULL;
        CHECK(li != NULL, "class=\"correct starts the li class");
    }
    has(f, p1, "<pre class=\"worksheet\"><code>Name: <span class=\"blank\" style=\"width:12ch\" role=\"img\" aria-label=\"Blank 2\"></span>\n\xe2\x94\x94\xe2\x94\x80\xe2\x94\x80 Touchpoints &lt;x&gt;</code></pre>");
    has(f, p1, "<div class=\"exercise\" data-duration=\"15\">\n<p class=\"box-title\">Customer priority &amp; rank</p>\n<h3 id=\"inside\">Inside exercise</h3>");
    has(f, p1, "<div class=\"answer\">\n<p class=\"box-title\">Answer</p>\n<p>Box content for the reader.</p>\n</div>");
    has(f, p1, "<div class=\"response model-answer\">\n<p class=\"box-title\">Model answer</p>");
    has(f, p1, "<div class=\"run-sheet\">\n<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Table\">\n<table>\n<thead>");
    lacks(f, p1, "only=");
    lacks(f, p1, "data-only");
    lacks(f, p1, "data-title");
    has(f, p1, "<details class=\"hint\"><summary>Hint</summary>\n<p>Think about it</p>\n</details>");
    has(f, p1, "<details class=\"hint\"><summary>Clue</summary>\n<p>More</p>\n</details>");
    has(f, p1, "<div class=\"response\" data-lines=\"3\">\n<div class=\"rule\"></div>\n<div class=\"rule\"></div>\n<div class=\"rule\"></div>\n</div>");
    has(f, p1, "<pre tabindex=\"0\"><code class=\"language-python\">if a &lt; b:\n    pass\n</code></pre>");
    has(f, p1, "<aside>raw</aside>\n<hr />");
    has(f, p1, "<ol start=\"3\">\n<li>\n<p>third</p>\n</li>\n</ol>");
    has(f, p1, "<blockquote>\n<p>quoted</p>\n</blockquote>");
    /* the learner-like blank carries nothing: every empty blank is exactly the empty markup */
    {
        int bad = 0;
        for (const char *q = p1; q && (q = strstr(q, "<span class=\"blank\"")); q++) {
            const char *end = strstr(q, "</span>");
            const char *gt = strchr(q, '>');
            if (!end || !gt || gt + 1 != end) bad = 1;
        }
        CHECK(p1 && !bad, "empty blanks have no text inside");
    }
    /* relative links only, nothing from the network */
    {
        const char *chrome_end = p1 ? strstr(p1, "<article") : NULL;
        size_t n = chrome_end ? (size_t)(chrome_end - p1) : 0;
        char *head = p1 ? strndup(p1, n) : NULL;
        lacks("m1.html chrome", head, "http");
        free(head);
        const char *foot = p1 ? strstr(p1, "</article>") : NULL;
        lacks("m1.html footer", foot, "http");
        lacks(f, p1, "src=\"//");
        lacks(f, p1, "href=\"//");
        lacks(f, p1, "href=\"/");
        /* the theme's own scripts only */
        int remote = 0;
        for (const char *q = p1; q && (q = strstr(q, "<script")); q++)
            if (strncmp(q, "<script src=\"assets/", 20) != 0) remote = 1;
        CHECK(p1 && !remote, "m1.html loads no script but the theme's own");
    }

    snprintf(path, sizeof path, "%s/out/site/m2.html", tmp);
    char *p2 = slurp(path);
    f = "m2.html";
    has(f, p2, "<title>Second Module \xe2\x80\x94 Demo Course</title>");
    has(f, p2, "<h1>Second Module</h1>"); /* no h1 in the tree: the template adds the module title */
    has(f, p2, "<a class=\"prev\" rel=\"prev\" href=\"m1.html\">&larr; Module One</a>");
    lacks(f, p2, "rel=\"next\"");
    has(f, p2, "<p class=\"toc-duration\">15 min</p>");

    snprintf(path, sizeof path, "%s/out/site/index.html", tmp);
    char *ix = slurp(path);
    f = "index.html";
    has(f, ix, "<html lang=\"en-AU\">");
    has(f, ix, "<h1>Demo Course</h1>");
    has(f, ix, "A subtitle");
    has(f, ix, "About &lt;this&gt; course");
    has(f, ix, "<span class=\"author\">Ann Author</span>");
    has(f, ix, "<li><a href=\"m1.html\">Module One</a> <span class=\"duration-badge\">25 min</span></li>");
    has(f, ix, "<li><a href=\"m2.html\">Second Module</a> <span class=\"duration-badge\">15 min</span></li>");
    has(f, ix, "Total: <span class=\"duration-badge\">40 min</span>");
    has(f, ix, "href=\"assets/coursec.css\"");
    /* the catalogue data names its vocabulary; nothing else is a URL */
    const char *jsonld = ix ? strstr(ix, "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\"") : NULL;
    CHECK(jsonld != NULL, "index.html has its catalogue data");
    const char *ld_end = jsonld ? strstr(jsonld, "</script>") : NULL;
    CHECK(ld_end && !strstr(ld_end, "http") && !memmem(ix, (size_t)(jsonld - ix), "http", 4),
          "index.html has no URL outside its catalogue data");
    lacks(f, ix, "{{");

    snprintf(path, sizeof path, "%s/out/site/assets/coursec.css", tmp);
    char *css = slurp(path);
    CHECK(css != NULL, "theme assets copied");
    has("coursec.css", css, "@media print");
    snprintf(path, sizeof path, "%s/out/site/assets/media/img/pic.png", tmp);
    char *png = slurp(path);
    CHECK(png && strcmp(png, "PNGDATA") == 0, "media file copied to site/<rel>");
    snprintf(path, sizeof path, "%s/out/site/m1.html.tmp", tmp);
    CHECK(access(path, F_OK) != 0, "no temp file left behind");

    /* --safe: raw HTML and javascript: URLs dropped */
    {
        edition_ctx sctx = ctx;
        sctx.safe = 1;
        snprintf(path, sizeof path, "%s/safe", tmp);
        sctx.out_dir = arena_strdup(A, path);
        html_site *ss = html_begin(&sctx);
        CHECK(ss && html_page(ss, 0, m1) == 0, "safe page");
        html_abort(ss);
        snprintf(path, sizeof path, "%s/safe/site/m1.html", tmp);
        char *sp = slurp(path);
        lacks("safe m1.html", sp, "<aside>");
        lacks("safe m1.html", sp, "javascript:");
        has("safe m1.html", sp, "<a>js</a>");
        snprintf(path, sizeof path, "%s/safe/site/index.html", tmp);
        CHECK(access(path, F_OK) != 0, "html_abort writes no index");
        free(sp);
    }

    /* a broken theme: reported at the template's line:col, html_begin fails */
    {
        char bt[1024], bp[1100];
        snprintf(bt, sizeof bt, "%s/badtheme", tmp);
        fs_mkdir_p(bt);
        snprintf(bp, sizeof bp, "%s/page.html", bt);
        fs_write(bp, "<p>\n  {{#toc}}x\n", 16);
        /* index.html missing */
        edition_ctx bctx = ctx;
        bctx.theme_dir = bt;
        FILE *bf = tmpfile();
        diag *bd = diag_new(bf, DIAG_TEXT, 0);
        bctx.d = bd;
        html_site *bs = html_begin(&bctx);
        CHECK(bs == NULL, "broken theme: html_begin returns NULL");
        CHECK(diag_errors(bd) == 2, "broken theme: two errors (bad page.html, missing index.html)");
        diag_flush(bd);
        diag_free(bd);
        long n = ftell(bf);
        rewind(bf);
        char *msg = calloc(1, (size_t)n + 1);
        if (fread(msg, 1, (size_t)n, bf) != (size_t)n) msg[0] = 0;
        fclose(bf);
        has("diagnostics", msg, "badtheme/page.html:2:3: error: section `toc` is never closed");
        has("diagnostics", msg, "badtheme/index.html: error: cannot read theme template");
        free(msg);
    }

    /* fs_copy_tree: symlinks inside the tree are followed, ones leading out are refused */
    {
        char src[1100], dst[1100], f1[1200], l1[1200];
        snprintf(src, sizeof src, "%s/tree", tmp);
        snprintf(f1, sizeof f1, "%s/sub/a.txt", src);
        snprintf(l1, sizeof l1, "%s/sub", src);
        fs_mkdir_p(l1);
        fs_write(f1, "A", 1);
        snprintf(l1, sizeof l1, "%s/link-in.txt", src);
        CHECK(symlink("sub/a.txt", l1) == 0, "make inner symlink");
        snprintf(dst, sizeof dst, "%s/copy1", tmp);
        char *failed = NULL;
        CHECK(fs_copy_tree(src, dst, &failed) == 0 && !failed, "copy tree with inner symlink");
        snprintf(f1, sizeof f1, "%s/link-in.txt", dst);
        char *got = slurp(f1);
        CHECK(got && strcmp(got, "A") == 0, "inner symlink copied as a file");
        free(got);
        snprintf(l1, sizeof l1, "%s/zz-out", src);
        CHECK(symlink("../pic.png", l1) == 0, "make escaping symlink");
        snprintf(dst, sizeof dst, "%s/copy2", tmp);
        int r = fs_copy_tree(src, dst, &failed);
        CHECK(r == -2 && failed && strstr(failed, "zz-out"), "escaping symlink refused and named");
        free(failed);
    }

    test_v2(tmp, theme);

    free(p1);
    free(p2);
    free(ix);
    free(css);
    free(png);
    if (diag_errors(d) || diag_warnings(d)) diag_flush(d);
    diag_free(d);
    fclose(df);
    arena_free(A);
    if (getenv("TEST_HTML_KEEP")) printf("kept %s\n", tmp);
    else nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    printf("%d passed, %d failed\n", passes, fails);
    return fails ? 1 : 0;
}
