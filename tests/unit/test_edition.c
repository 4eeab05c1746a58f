/* test_edition.c — the learner guarantee in C (SPEC §4, §11): the prune of
 * every restricted construct (heading sections, spans, code, links through
 * restricted definitions, custom roles), the checks of a module, and the
 * last check before the writers, once per kind of string it guards, with
 * the facilitator edition as the control that must pass. */
#include "../../compiler/arena.h"
#include "../../compiler/ast.h"
#include "../../compiler/course.h"
#include "../../compiler/diag.h"
#include "../../compiler/edition.h"
#include "../../compiler/md.h"
#include "../../compiler/roles.h"
#include "counted.h"
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static course C;
static course_edition ED[3];
static course_module M;
static arena *A;

static void setup(void) {
    A = arena_new();
    C.arena = A;
    C.yaml_path = "t/course.yaml";
    static const char *facil[] = {"answer", "facilitator"};
    static const char *key[] = {"answer"};
    ED[0] = (course_edition){"learner", "Learner", NULL, 0, {NULL, 0, 0}};
    ED[1] = (course_edition){"facilitator", "Facilitator", facil, 2, {NULL, 0, 0}};
    ED[2] = (course_edition){"answer-key", "Answer key", key, 1, {NULL, 0, 0}};
    C.editions = ED;
    C.neditions = 3;
    roles_defaults(&C);
    /* a course role class: `key` carries the answer role */
    const char **cls = arena_alloc(A, sizeof(char *) * 3);
    cls[0] = "answer", cls[1] = "solution", cls[2] = "key";
    C.roles[0].classes = cls;
    C.roles[0].nclasses = 3;
    M.path = "t/m.md";
    M.file = "m.md";
}

static const char *ROLES[] = {"answer", "solution", "key", "facilitator", "instructor", NULL};

static ast_node *parse(const char *src, diag *d) {
    md_options o = {0};
    o.role_classes = ROLES;
    int nerr = 0;
    ast_node *doc = counted_md_parse(A, src, strlen(src), 1, "t/m.md", &o, d, &nerr);
    return doc;
}

/* The text of a tree as one string, for contains checks. */
static void flat_rec(char *out, size_t cap, const ast_node *n) {
    if (n->text) strncat(out, n->text, cap - strlen(out) - 1);
    if (n->url) strncat(out, n->url, cap - strlen(out) - 1);
    if (n->title) strncat(out, n->title, cap - strlen(out) - 1);
    for (const ast_node *alt = n->alts; alt; alt = alt->next) flat_rec(out, cap, alt);
    for (const ast_node *c = n->first; c; c = c->next) flat_rec(out, cap, c);
}

static const char *text_of(const ast_node *doc) {
    char out[8192];
    out[0] = 0;
    flat_rec(out, sizeof out, doc);
    return arena_strdup(A, out);
}

static const char *pruned(const char *src, int e, diag *d) {
    ast_node *doc = parse(src, d);
    if (!doc) return "";
    edition_prune(&C, A, doc, &ED[e]);
    edition_guard(&C, A, doc, &ED[e]);
    return text_of(doc);
}

static void test_prune(diag *d) {
    const char *src = "# T\n\nintro\n\n## Notes {only=facilitator}\n\nzqsec1\n\n::: note\nzqsec2\n:::\n\n"
                      "### deeper\n\nzqsec3\n\n## Next\n\nvisible\n";
    const char *l = pruned(src, 0, d), *f = pruned(src, 1, d);
    NOT_CONTAINS(l, "zqsec1");
    NOT_CONTAINS(l, "zqsec2");
    NOT_CONTAINS(l, "zqsec3");
    NOT_CONTAINS(l, "Notes");
    CONTAINS(l, "visible");
    CONTAINS(f, "zqsec1");
    CONTAINS(f, "zqsec3");

    src = "A [zqspan]{.answer} b `zqcode`{.solution} c [zqkey]{.key} d [zqx]{except=learner}.\n";
    l = pruned(src, 0, d);
    NOT_CONTAINS(l, "zqspan");
    NOT_CONTAINS(l, "zqcode");
    NOT_CONTAINS(l, "zqkey");
    NOT_CONTAINS(l, "zqx");
    CONTAINS(pruned(src, 2, d), "zqkey"); /* the course role `key` carries `answer` */
    CONTAINS(pruned(src, 2, d), "zqx"); /* except=learner: shown in the answer key */

    /* a link through a definition inside an answer: as if undefined */
    src = "See [the map] now.\n\n::: answer\n[the map]: http://zqdefurl \"zqdeftitle\"\n:::\n";
    l = pruned(src, 0, d);
    NOT_CONTAINS(l, "zqdefurl");
    NOT_CONTAINS(l, "zqdeftitle");
    CONTAINS(l, "[the map]");
    CONTAINS(pruned(src, 1, d), "zqdefurl");

    /* blanks, responses, choices */
    src = "A [[zqblank]].\n\n::: response\nzqmodel\n:::\n\n::: choice\n- [x] right\n- [ ] wrong\n:::\n";
    ast_node *doc = parse(src, d);
    edition_prune(&C, A, doc, &ED[0]);
    NOT_CONTAINS(text_of(doc), "zqblank");
    NOT_CONTAINS(text_of(doc), "zqmodel");
    OK(edition_final_check(&C, &ED[0], doc, "t/m.md", d) == 0);
    doc = parse(src, d);
    edition_prune(&C, A, doc, &ED[1]);
    CONTAINS(text_of(doc), "zqblank");
    CONTAINS(text_of(doc), "zqmodel");
}

/* The last check: one tree per kind of string, refused in the learner
 * edition, let through in the facilitator edition. */
static int refused(ast_node *doc, int e, diag *d) { return edition_final_check(&C, &ED[e], doc, "t/m.md", d); }

static ast_node *doc_with(ast_node *n) {
    ast_node *doc = ast_new(A, AST_DOCUMENT, 1, 1);
    ast_node *p = ast_new(A, ast_is_inline(n->type) ? AST_PARAGRAPH : AST_DIV, 1, 1);
    ast_append(doc, p);
    ast_append(p, n);
    return doc;
}

static ast_node *leaf(ast_type t, const char *text) {
    ast_node *n = ast_new(A, t, 3, 4);
    n->text = text;
    return n;
}

static void test_final_check(diag *d) {
    /* text */
    ast_node *t = leaf(AST_TEXT, "the answer is [[zq]]");
    INT_EQ(refused(doc_with(t), 0, d), 1);
    INT_EQ(refused(doc_with(t), 1, d), 0);
    t = leaf(AST_TEXT, "[[");
    t->literal = 1;
    INT_EQ(refused(doc_with(t), 0, d), 0);
    t = leaf(AST_TEXT, "written \\[[not]] a blank");
    INT_EQ(refused(doc_with(t), 0, d), 0);
    /* code a filter made (the parser's code is marked literal) */
    t = leaf(AST_CODE, "git [[zq]]");
    INT_EQ(refused(doc_with(t), 0, d), 1);
    t->literal = 1;
    INT_EQ(refused(doc_with(t), 0, d), 0);
    /* code with live blanks: its text children */
    ast_node *code = ast_new(A, AST_CODE, 3, 4);
    ast_append(code, leaf(AST_TEXT, "git [[zq]]"));
    INT_EQ(refused(doc_with(code), 0, d), 1);
    /* raw HTML, inline and block */
    INT_EQ(refused(doc_with(leaf(AST_HTMLINLINE, "<b>[[zq]]</b>")), 0, d), 1);
    INT_EQ(refused(doc_with(leaf(AST_HTMLBLOCK, "<div>[[zq]]</div>")), 0, d), 1);
    INT_EQ(refused(doc_with(leaf(AST_HTMLBLOCK, "<div>[[zq]]</div>")), 1, d), 0);
    /* URLs and titles */
    ast_node *l = ast_new(A, AST_LINK, 3, 4);
    l->url = "http://x/[[zq]]";
    INT_EQ(refused(doc_with(l), 0, d), 1);
    l = ast_new(A, AST_IMAGE, 3, 4);
    l->url = "a.png";
    l->title = "[[zq]]";
    INT_EQ(refused(doc_with(l), 0, d), 1);
    /* attribute values, ids, classes, info strings, labels */
    ast_node *div = ast_new(A, AST_DIV, 3, 4);
    ast_attr_set(A, &div->attr, "title", "Capital [[zq]]");
    INT_EQ(refused(doc_with(div), 0, d), 1);
    div = ast_new(A, AST_SPAN, 3, 4);
    div->attr.id = "[[zq]]";
    INT_EQ(refused(doc_with(div), 0, d), 1);
    div = ast_new(A, AST_SPAN, 3, 4);
    ast_add_class(A, div, "c[[zq]]");
    INT_EQ(refused(doc_with(div), 0, d), 1);
    ast_node *cb = leaf(AST_CODEBLOCK, "x");
    cb->literal = 1;
    cb->info = "[[zq]]";
    INT_EQ(refused(doc_with(cb), 0, d), 1);
    ast_node *bl = ast_new(A, AST_BLANK, 3, 4);
    bl->label = "[[zq]]";
    INT_EQ(refused(doc_with(bl), 0, d), 1);
    /* an answer, a restricted node, a restricted definition, choice marks */
    bl = ast_new(A, AST_BLANK, 3, 4);
    bl->alts = ast_new(A, AST_SPAN, 3, 4);
    INT_EQ(refused(doc_with(bl), 0, d), 1);
    INT_EQ(refused(doc_with(bl), 1, d), 0);
    div = ast_new(A, AST_SPAN, 3, 4);
    ast_add_class(A, div, "solution");
    INT_EQ(refused(doc_with(div), 0, d), 1);
    INT_EQ(refused(doc_with(div), 2, d), 0);
    div = ast_new(A, AST_DIV, 3, 4);
    ast_attr_set(A, &div->attr, "only", "facilitator");
    INT_EQ(refused(doc_with(div), 0, d), 1);
    INT_EQ(refused(doc_with(div), 1, d), 0);
    l = ast_new(A, AST_LINK, 3, 4);
    l->url = "http://x";
    ast_attr_set(A, &l->defr, "except", "learner");
    INT_EQ(refused(doc_with(l), 0, d), 1);
    ast_node *ch = ast_new(A, AST_DIV, 3, 4);
    ast_add_class(A, ch, "choice");
    ast_node *list = ast_new(A, AST_LIST, 3, 4), *item = ast_new(A, AST_ITEM, 3, 4);
    item->checked = 1;
    ast_append(ch, list);
    ast_append(list, item);
    INT_EQ(refused(doc_with(ch), 0, d), 1);
    item->checked = 0;
    ast_add_class(A, item, "correct");
    INT_EQ(refused(doc_with(ch), 0, d), 1);
    /* strings beside the trees: metadata, page titles, nav labels */
    INT_EQ(edition_final_check_string(&ED[0], "the description", "see [[zq]]", 0, "t/course.yaml", d), 1);
    INT_EQ(edition_final_check_string(&ED[0], "a module title", "a [[b]] c", 1, "t/m.md", d), 0);
    INT_EQ(edition_final_check_string(&ED[0], "the description", "see \\[[zq]]", 0, "t/course.yaml", d), 0);
    INT_EQ(edition_final_check_string(&ED[1], "the description", "see [[zq]]", 0, "t/course.yaml", d), 0);
}

static int errors_of(const char *src, diag *d) {
    ast_node *doc = parse(src, d);
    return doc && edition_check(&C, &M, doc, d) != 0;
}

static void test_check(diag *d) {
    OK(errors_of("::: choice\nWhich?\n:::\n", d));                            /* no task list */
    OK(errors_of("::: {.choice select=one}\n- [x] a\n- [x] b\n:::\n", d));    /* two marks */
    OK(!errors_of("::: {.choice select=one}\n- [x] a\n- [ ] b\n:::\n", d));
    OK(!errors_of("::: choice\n- [ ] a\n- [ ] b\n:::\n", d)); /* no mark: a warning only */
    OK(errors_of("::: {.response lines=0}\n:::\n", d));
    OK(errors_of("::: {.response lines=many}\n:::\n", d));
    OK(!errors_of("::: {.response lines=4}\n:::\n", d));
    OK(errors_of("## A {.answer}\n\n::: note\n## B\n:::\n", d)); /* a heading ends the section in a box */
    OK(!errors_of("## A {.answer}\n\n::: note\n### B\n:::\n\n## C\n", d));
    OK(errors_of("::: {.note data-x=\"[[zq]]\"}\nx\n:::\n", d));
    OK(errors_of("::: {.note only=nobody}\nx\n:::\n", d));
}

int main(void) {
    setup();
    FILE *f;
    char *out = NULL;
    size_t len = 0;
    f = open_memstream(&out, &len);
    diag *d = diag_new(f, DIAG_TEXT, 0);
    test_prune(d);
    test_final_check(d);
    test_check(d);
    diag_flush(d);
    fclose(f);
    if (getenv("VERBOSE")) fputs(out, stdout);
    free(out);
    diag_free(d);
    arena_free(A);
    return harness_summary();
}
