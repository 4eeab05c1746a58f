/* test_attr.c — md_parse_attr: ids, classes, bare/quoted values, escapes,
 * class= and id= keys, and every error (unterminated quote, junk, missing `}`,
 * too many attributes). */
#include "../../compiler/arena.h"
#include "../../compiler/ast.h"
#include "../../compiler/md.h"
#include "harness.h"
#include <string.h>

static size_t pa(arena *a, const char *s, ast_attr *at, const char **err) {
    return md_parse_attr(a, s, strlen(s), at, err);
}

int main(void) {
    arena *a = arena_new();
    ast_attr at;
    const char *err = NULL;

    const char *s = "{#part-a .x .y duration=10m title=\"Say \\\"hi\\\" \\\\ now\" k3='single q' } tail";
    size_t n = pa(a, s, &at, &err);
    INT_EQ(n, strlen(s) - 5);
    OK(err == NULL);
    STR_EQ(at.id, "part-a");
    INT_EQ(at.nclasses, 2);
    STR_EQ(at.classes[0], "x");
    STR_EQ(at.classes[1], "y");
    INT_EQ(at.nkv, 3);
    STR_EQ(ast_attr_get(&at, "duration"), "10m");
    STR_EQ(ast_attr_get(&at, "title"), "Say \"hi\" \\ now");
    STR_EQ(ast_attr_get(&at, "k3"), "single q");

    INT_EQ(pa(a, "{}", &at, &err), 2);
    OK(at.id == NULL && at.nclasses == 0 && at.nkv == 0);

    n = pa(a, "{id=abc class=\"p q\" only=learner,facilitator x=1 x=2}", &at, &err);
    OK(n > 0);
    STR_EQ(at.id, "abc");
    INT_EQ(at.nclasses, 2);
    STR_EQ(at.classes[1], "q");
    STR_EQ(ast_attr_get(&at, "only"), "learner,facilitator");
    STR_EQ(ast_attr_get(&at, "x"), "2");
    INT_EQ(at.nkv, 2);

    INT_EQ(pa(a, "{title=\"open", &at, &err), 0);
    STR_EQ(err, "unterminated quoted value in attribute block");
    INT_EQ(pa(a, "{.x", &at, &err), 0);
    STR_EQ(err, "attribute block is not closed with `}`");
    INT_EQ(pa(a, "{.x\n}", &at, &err), 0);
    STR_EQ(err, "attribute block is not closed with `}`");
    INT_EQ(pa(a, "{a, b}", &at, &err), 0);
    OK(err != NULL);
    INT_EQ(pa(a, "{!x}", &at, &err), 0);
    CONTAINS(err, "unexpected character");
    INT_EQ(pa(a, "{#}", &at, &err), 0);
    CONTAINS(err, "without an id");
    INT_EQ(pa(a, "{k=\"v\"x}", &at, &err), 0);
    CONTAINS(err, "after an attribute value");
    INT_EQ(pa(a, "no brace", &at, &err), 0);
    INT_EQ(pa(a, "{{var}}", &at, &err), 0);

    char big[1024] = "{";
    for (int i = 0; i < 65; i++) strcat(big, ".c ");
    strcat(big, "}");
    INT_EQ(pa(a, big, &at, &err), 0);
    CONTAINS(err, "limit 64");
    big[1] = 0;
    for (int i = 0; i < 64; i++) strcat(big, ".c ");
    strcat(big, "}");
    OK(pa(a, big, &at, &err) == strlen(big));
    INT_EQ(at.nclasses, 64);

    /* len bounds are honoured: no read past len */
    INT_EQ(md_parse_attr(a, "{.x}", 3, &at, &err), 0);
    arena_free(a);
    return harness_summary();
}
