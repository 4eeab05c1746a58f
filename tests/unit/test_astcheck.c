/* test_astcheck.c — ast_check (astcheck.h). A well-formed tree with every
 * shape the writers handle (nested blocks, a list, a table, a Blank with
 * answer alternatives, code with live blanks, attributes) passes, and so
 * does every module of the example courses and conformance cases as
 * parsed. Then each kind of fault is made in a fresh copy of the good tree
 * and must be found, on the node that has it: broken parent, sibling,
 * first and last links, a cycle, a node where its parent may not hold it
 * (blocks in inlines, inlines in a List, children of a leaf), malformed
 * attributes, bad answer alternatives, a Heading level, table alignments
 * without columns, an unknown type. Last, AST_CHECK (compiled in here
 * whatever the build's flags) ends the process with an internal error
 * naming the module and the stage. */
#define COURSEC_CHECK 1
#include "../../compiler/arena.h"
#include "../../compiler/ast.h"
#include "../../compiler/astcheck.h"
#include "../../compiler/diag.h"
#include "../../compiler/md.h"
#include "harness.h"
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The good tree and handles on its parts. */
typedef struct good {
    ast_node *doc, *heading, *para, *text, *emph, *blank, *alt, *list, *item, *table, *row, *cell, *code, *div;
} good;

static ast_node *add(arena *a, ast_node *parent, ast_type t) {
    ast_node *n = ast_new(a, t, 1, 1);
    if (parent) ast_append(parent, n);
    return n;
}

static good make_good(arena *a) {
    good g;
    g.doc = add(a, NULL, AST_DOCUMENT);
    g.heading = add(a, g.doc, AST_HEADING);
    g.heading->level = 2;
    g.heading->attr.id = "intro";
    add(a, g.heading, AST_TEXT)->text = "Intro";
    g.div = add(a, g.doc, AST_DIV);
    ast_add_class(a, g.div, "note");
    ast_attr_set(a, &g.div->attr, "only", "facilitator");
    g.para = add(a, g.div, AST_PARAGRAPH);
    g.text = add(a, g.para, AST_TEXT);
    g.text->text = "The capital is ";
    g.emph = add(a, g.para, AST_EMPH);
    add(a, g.emph, AST_TEXT)->text = "really";
    g.blank = add(a, g.para, AST_BLANK);
    g.alt = ast_new(a, AST_SPAN, 1, 1);
    add(a, g.alt, AST_TEXT)->text = "Canberra";
    g.blank->alts = g.alt;
    g.list = add(a, g.doc, AST_LIST);
    g.item = add(a, g.list, AST_ITEM);
    add(a, add(a, g.item, AST_PARAGRAPH), AST_TEXT)->text = "one";
    g.table = add(a, g.doc, AST_TABLE);
    g.table->ncols = 1;
    g.table->aligns = arena_alloc(a, sizeof(ast_align));
    g.row = add(a, g.table, AST_TABLEROW);
    g.cell = add(a, g.row, AST_TABLECELL);
    add(a, g.cell, AST_TEXT)->text = "cell";
    ast_node *p2 = add(a, g.doc, AST_PARAGRAPH);
    g.code = add(a, p2, AST_CODE);
    add(a, g.code, AST_TEXT)->text = "x = ";
    add(a, g.code, AST_BLANK);
    add(a, g.doc, AST_THEMATICBREAK);
    return g;
}

/* One fault: break a fresh good tree, expect `want` in the fault on `on`. */
static void expect_fault(const char *name, void (*breakit)(arena *, good *, ast_node **), const char *want) {
    arena *a = arena_new();
    good g = make_good(a);
    ast_node *on = NULL;
    breakit(a, &g, &on);
    const ast_node *at = NULL;
    const char *why = ast_check(g.doc, &at);
    char what[400];
    snprintf(what, sizeof what, "%s: found as \"%s\" (got \"%s\")", name, want, why ? why : "no fault");
    CHECK(why && strstr(why, want), what);
    snprintf(what, sizeof what, "%s: reported on the broken node", name);
    CHECK(at == on, what);
    arena_free(a);
}

static void b_root_parent(arena *a, good *g, ast_node **on) {
    g->doc->parent = ast_new(a, AST_DIV, 1, 1);
    *on = g->doc;
}
static void b_parent_link(arena *a, good *g, ast_node **on) {
    (void)a;
    g->emph->parent = g->div;
    *on = g->emph;
}
static void b_prev_link(arena *a, good *g, ast_node **on) {
    (void)a;
    g->blank->prev = g->text;
    *on = g->blank;
}
static void b_first_prev(arena *a, good *g, ast_node **on) {
    (void)a;
    g->text->prev = g->blank;
    *on = g->text;
}
static void b_last(arena *a, good *g, ast_node **on) {
    (void)a;
    g->para->last = g->emph;
    *on = g->para;
}
static void b_first_last(arena *a, good *g, ast_node **on) {
    (void)a;
    g->para->last = NULL;
    *on = g->para;
}
static void b_sibling_loop(arena *a, good *g, ast_node **on) {
    (void)a;
    g->blank->next = g->text; /* text's prev is NULL: the loop shows there */
    *on = g->text;
}
static void b_alt_cycle(arena *a, good *g, ast_node **on) {
    /* a Blank inside the alternative whose alternative is that same Span:
     * every parent link holds, only the depth shows the cycle */
    ast_node *inner = add(a, g->alt, AST_BLANK);
    inner->alts = g->alt;
    *on = NULL;
}
static void b_deep(arena *a, good *g, ast_node **on) {
    ast_node *p = g->div;
    for (int i = 0; i < AST_CHECK_MAX_DEPTH + 5; i++) p = add(a, p, AST_DIV);
    *on = NULL;
}
static void b_block_in_inline(arena *a, good *g, ast_node **on) { *on = add(a, g->emph, AST_PARAGRAPH); }
static void b_inline_in_block(arena *a, good *g, ast_node **on) { *on = add(a, g->div, AST_TEXT); }
static void b_inline_in_list(arena *a, good *g, ast_node **on) { *on = add(a, g->list, AST_TEXT); }
static void b_item_in_div(arena *a, good *g, ast_node **on) { *on = add(a, g->div, AST_ITEM); }
static void b_cell_in_table(arena *a, good *g, ast_node **on) { *on = add(a, g->table, AST_TABLECELL); }
static void b_leaf_child(arena *a, good *g, ast_node **on) { *on = add(a, g->text, AST_TEXT); }
static void b_code_child(arena *a, good *g, ast_node **on) { *on = add(a, g->code, AST_EMPH); }
static void b_document_inside(arena *a, good *g, ast_node **on) { *on = add(a, g->div, AST_DOCUMENT); }
static void b_type(arena *a, good *g, ast_node **on) {
    (void)a;
    g->emph->type = AST_TYPE_COUNT;
    *on = g->emph;
}
static void b_neg_count(arena *a, good *g, ast_node **on) {
    (void)a;
    g->div->attr.nclasses = -1;
    *on = g->div;
}
static void b_no_array(arena *a, good *g, ast_node **on) {
    (void)a;
    g->para->attr.nkv = 2;
    *on = g->para;
}
static void b_empty_id(arena *a, good *g, ast_node **on) {
    (void)a;
    g->heading->attr.id = "";
    *on = g->heading;
}
static void b_empty_class(arena *a, good *g, ast_node **on) {
    (void)a;
    g->div->attr.classes[0] = "";
    *on = g->div;
}
static void b_null_class(arena *a, good *g, ast_node **on) {
    (void)a;
    g->div->attr.classes[0] = NULL;
    *on = g->div;
}
static void b_null_key(arena *a, good *g, ast_node **on) {
    (void)a;
    g->div->attr.kv[0].key = NULL;
    *on = g->div;
}
static void b_null_value(arena *a, good *g, ast_node **on) {
    (void)a;
    g->div->attr.kv[0].value = NULL;
    *on = g->div;
}
static void b_defr(arena *a, good *g, ast_node **on) {
    ast_attr_set(a, &g->emph->defr, "only", "x");
    g->emph->defr.kv[0].key = NULL;
    *on = g->emph;
}
static void b_level(arena *a, good *g, ast_node **on) {
    (void)a;
    g->heading->level = 7;
    *on = g->heading;
}
static void b_aligns(arena *a, good *g, ast_node **on) {
    (void)a;
    g->table->ncols = 0;
    *on = g->table;
}
static void b_alts_not_blank(arena *a, good *g, ast_node **on) {
    (void)a;
    g->emph->alts = ast_new(a, AST_SPAN, 1, 1);
    *on = g->emph;
}
static void b_alt_type(arena *a, good *g, ast_node **on) {
    (void)a;
    g->alt->type = AST_EMPH;
    *on = g->alt;
}
static void b_alt_parent(arena *a, good *g, ast_node **on) {
    (void)a;
    g->alt->parent = g->para;
    *on = g->alt;
}
static void b_alt_loop(arena *a, good *g, ast_node **on) {
    ast_node *second = ast_new(a, AST_SPAN, 1, 1);
    g->alt->next = second;
    second->next = g->alt;
    *on = g->blank;
}

/* A cycle is found where the walk passes the depth bound, somewhere on
 * the cycle: only the fault is checked. */
static void expect_depth_fault(const char *name, void (*breakit)(arena *, good *, ast_node **)) {
    arena *a = arena_new();
    good g = make_good(a);
    ast_node *on = NULL;
    breakit(a, &g, &on);
    const ast_node *at = NULL;
    const char *why = ast_check(g.doc, &at);
    char what[400];
    snprintf(what, sizeof what, "%s: found as a cycle (got \"%s\")", name, why ? why : "no fault");
    CHECK(why && strstr(why, "a cycle"), what);
    arena_free(a);
}

static void courses_pass(void) {
    const char *pats[] = {"courses/*/modules/*.md", "courses/*/*.md", "tests/conformance/*/modules/*.md",
                          "tests/conformance/*/*.md"};
    int files = 0, bad = 0;
    for (size_t p = 0; p < sizeof pats / sizeof pats[0]; p++) {
        glob_t gl;
        if (glob(pats[p], 0, NULL, &gl) != 0) continue;
        for (size_t i = 0; i < gl.gl_pathc; i++) {
            FILE *f = fopen(gl.gl_pathv[i], "rb");
            if (!f) continue;
            static char src[1 << 20];
            size_t len = fread(src, 1, sizeof src - 1, f);
            fclose(f);
            src[len] = 0;
            arena *a = arena_new();
            diag *d = diag_new(NULL, DIAG_TEXT, 0);
            md_options mo = {0};
            ast_node *doc = md_parse(a, src, len, 1, gl.gl_pathv[i], &mo, d);
            const ast_node *at = NULL;
            const char *why = doc ? ast_check(doc, &at) : NULL;
            if (why) {
                bad++;
                printf("FAIL %s:%d:%d: %s\n", gl.gl_pathv[i], at->line, at->col, why);
            }
            diag_free(d);
            arena_free(a);
            files++;
        }
        globfree(&gl);
    }
    OK(files >= 20);
    CHECK(bad == 0, "every parsed module of the courses and conformance cases keeps the invariants");
}

/* AST_CHECK on a broken tree in a child: SIGABRT, and stderr names the
 * module, the stage and the fault. */
static void check_aborts(void) {
    char tmpl[] = "/tmp/coursec-astcheck-XXXXXX";
    int fd = mkstemp(tmpl);
    if (!OK(fd >= 0)) return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(120); /* a hang guard only */
        dup2(fd, 2);
        arena *a = arena_new();
        good g = make_good(a);
        g.heading->level = 0;
        AST_CHECK(g.doc, "m1.md", "the filters");
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "AST_CHECK on a broken tree aborts (checked build)");
    char msg[1000] = {0};
    lseek(fd, 0, SEEK_SET);
    ssize_t r = read(fd, msg, sizeof msg - 1);
    msg[r > 0 ? r : 0] = 0;
    close(fd);
    unlink(tmpl);
    CONTAINS(msg, "m1.md:1:1: internal error: the tree after the filters breaks an invariant: a Heading level");
}

int main(void) {
    arena *a = arena_new();
    good g = make_good(a);
    const ast_node *at = (const ast_node *)1;
    const char *why = ast_check(g.doc, &at);
    CHECK(why == NULL && at == NULL, why ? why : "the good tree passes");
    arena_free(a);

    expect_fault("root with a parent", b_root_parent, "the root has a parent");
    expect_fault("wrong parent link", b_parent_link, "parent link");
    expect_fault("wrong previous-sibling link", b_prev_link, "previous-sibling link");
    expect_fault("first child with a previous sibling", b_first_prev, "first child has a previous sibling");
    expect_fault("last not the last child", b_last, "last is not the last child");
    expect_fault("first without last", b_first_last, "first and last child disagree");
    expect_fault("a loop of siblings", b_sibling_loop, "previous-sibling link");
    expect_depth_fault("a cycle through an answer alternative", b_alt_cycle);
    expect_depth_fault("a tree deeper than the bound", b_deep);
    expect_fault("a block in an inline", b_block_in_inline, "may not hold");
    expect_fault("an inline in a Div", b_inline_in_block, "may not hold");
    expect_fault("an inline in a List", b_inline_in_list, "may not hold");
    expect_fault("an Item in a Div", b_item_in_div, "may not hold");
    expect_fault("a TableCell in a Table", b_cell_in_table, "may not hold");
    expect_fault("a child of a Text", b_leaf_child, "may not hold");
    expect_fault("an Emph in code with blanks", b_code_child, "may not hold");
    expect_fault("a Document inside", b_document_inside, "may not hold");
    expect_fault("an unknown type", b_type, "unknown node type");
    expect_fault("a negative class count", b_neg_count, "count is negative");
    expect_fault("key/values counted without an array", b_no_array, "array is missing");
    expect_fault("an empty id", b_empty_id, "empty id");
    expect_fault("an empty class", b_empty_class, "empty class");
    expect_fault("a missing class", b_null_class, "missing or empty class");
    expect_fault("a missing attribute key", b_null_key, "missing attribute key");
    expect_fault("a missing attribute value", b_null_value, "missing attribute value");
    expect_fault("a malformed defr", b_defr, "attribute key");
    expect_fault("a Heading level 7", b_level, "Heading level");
    expect_fault("alignments without columns", b_aligns, "alignments without columns");
    expect_fault("alternatives on an Emph", b_alts_not_blank, "not a Blank");
    expect_fault("an alternative that is an Emph", b_alt_type, "not a Span");
    expect_fault("an alternative with a parent", b_alt_parent, "with a parent");
    expect_fault("a loop of alternatives", b_alt_loop, "alternatives loops");
    courses_pass();
    check_aborts();
    return harness_summary();
}
