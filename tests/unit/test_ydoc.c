/* test_ydoc.c — the libyaml wall: positions, nulls, duplicates, aliases,
 * depth limit, syntax errors at libyaml's context mark. */
#include "../../compiler/arena.h"
#include "../../compiler/diag.h"
#include "../../compiler/ydoc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ydoc_parse, adding the errors it reports to *nerr (a diag scope). */
static ynode *counted_ydoc_parse(arena *a, const char *data, size_t len, const char *path, int first_line, diag *d,
                                 int *nerr) {
    diag *s = diag_scope(d);
    ynode *r = ydoc_parse(a, data, len, path, first_line, s);
    if (nerr) *nerr += diag_errors(s);
    diag_free(s);
    return r;
}

/* Parse text, returning the root and the flushed diagnostics (caller frees). */
static ynode *parse(arena *a, const char *text, int first_line, char **diags, int *nerr) {
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    diag *d = diag_new(f, DIAG_TEXT, 0);
    *nerr = 0;
    ynode *r = counted_ydoc_parse(a, text, strlen(text), "x.yaml", first_line, d, nerr);
    diag_flush(d);
    diag_free(d);
    fclose(f);
    *diags = out;
    return r;
}

int main(void) {
    arena *a = arena_new();
    char *dg;
    int ne;

    ynode *r = parse(a, "id: demo\ntitle: \"Q\"\nlist:\n  - a\n  - ~\n  -\n  - null\n  - 'null'\nn: 12\n", 1, &dg, &ne);
    CHECK(r && r->type == Y_MAP && r->n == 4, "mapping with 4 keys");
    CHECK(ne == 0 && dg && !*dg, "no diagnostics");
    ynode *id = ydoc_get(r, "id");
    CHECK(id && id->type == Y_SCALAR && !strcmp(id->str, "demo") && id->line == 1 && id->col == 5, "id value at 1:5");
    ynode *t = ydoc_get(r, "title");
    CHECK(t && t->quoted && !strcmp(t->str, "Q"), "quoted scalar");
    ynode *l = ydoc_get(r, "list");
    CHECK(l && l->type == Y_SEQ && l->n == 5, "sequence of 5");
    CHECK(l && l->items[0]->line == 4 && l->items[0]->col == 5, "item position 4:5");
    CHECK(l && l->items[1]->type == Y_NULL && l->items[2]->type == Y_NULL && l->items[3]->type == Y_NULL,
       "~, empty, null are Y_NULL");
    CHECK(l && l->items[4]->type == Y_SCALAR && !strcmp(l->items[4]->str, "null"), "quoted 'null' is a string");
    CHECK(r && r->keys[3]->line == 9 && r->keys[3]->col == 1, "key position 9:1");
    CHECK(!strcmp(ydoc_kind(l), "sequence") && !strcmp(ydoc_kind(r), "mapping") && !strcmp(ydoc_kind(id), "string"),
       "ydoc_kind");
    CHECK(ydoc_get(r, "nope") == NULL && ydoc_get(id, "x") == NULL, "ydoc_get absent");
    free(dg);

    /* first_line offset (front matter starts on line 2) */
    r = parse(a, "title: T\nduration: 15m\n", 2, &dg, &ne);
    CHECK(r && ydoc_get(r, "duration")->line == 3, "first_line=2 shifts lines");
    free(dg);

    /* byte columns after multibyte characters */
    r = parse(a, "k: [\xc3\xa9\xc3\xa9, x]\n", 1, &dg, &ne);
    CHECK(r && ydoc_get(r, "k")->items[1]->col == 11, "byte column after UTF-8");
    free(dg);

    /* empty input */
    r = parse(a, "", 1, &dg, &ne);
    CHECK(r && r->type == Y_NULL && ne == 0, "empty input is Y_NULL");
    free(dg);

    /* duplicate keys: error at the second */
    r = parse(a, "a: 1\nb: 2\na: 3\n", 1, &dg, &ne);
    CHECK(!r && ne == 1 && strstr(dg, "x.yaml:3:1: error: duplicate key `a`"), "duplicate key at second");
    free(dg);

    /* duplicate keys in a big mapping (sorted path) */
    {
        char big[8000];
        size_t o = 0;
        for (int i = 0; i < 100; i++) o += (size_t)sprintf(big + o, "k%d: %d\n", i, i);
        sprintf(big + o, "k7: x\n");
        r = parse(a, big, 1, &dg, &ne);
        CHECK(!r && ne == 1 && strstr(dg, "x.yaml:101:1: error: duplicate key `k7`"), "duplicate key in big mapping");
        free(dg);
    }

    /* aliases */
    r = parse(a, "a: &x 1\nb: *x\n", 1, &dg, &ne);
    CHECK(!r && ne == 1 && strstr(dg, "x.yaml:2:4: error: aliases are not allowed in course files"), "alias refused");
    free(dg);

    /* many aliases (an alias bomb) are one error, with the count */
    {
        char *many = malloc(100 * 12 + 1);
        many[0] = 0;
        for (int i = 0; i < 100; i++) strcat(many, "- &a x\n- *a\n");
        r = parse(a, many, 1, &dg, &ne);
        CHECK(!r && ne == 1 && strstr(dg, "x.yaml:2:3: error: aliases are not allowed in course files (this and 99 more)"),
           "aliases: one error with the count");
        free(dg);
        free(many);
    }

    /* a flood of errors stops after a cap */
    {
        char *many = malloc(100 * 12 + 1);
        many[0] = 0;
        for (int i = 0; i < 100; i++) strcat(many, "? [k]\n: v\n");
        r = parse(a, many, 1, &dg, &ne);
        CHECK(!r && ne == 51 && strstr(dg, "too many errors"), "error flood capped");
        free(dg);
        free(many);
    }

    /* non-scalar key */
    r = parse(a, "? [a, b]\n: 1\n", 1, &dg, &ne);
    CHECK(!r && ne == 1 && strstr(dg, "error: a mapping key must be a plain string"), "non-scalar key");
    free(dg);

    /* unterminated quote: reported at the opening quote (conformance 015) */
    r = parse(a, "id: badyaml\ntitle: \"Unterminated\nmodules: [modules/m1.md]\n", 1, &dg, &ne);
    CHECK(!r && ne == 1 && strstr(dg, "x.yaml:2:8: error: cannot read YAML: while scanning a quoted scalar"),
       "syntax error at context mark");
    free(dg);

    /* syntax error without context */
    r = parse(a, "a: b\n c: d\n", 1, &dg, &ne);
    CHECK(!r && ne == 1 && strstr(dg, "x.yaml:2:"), "syntax error at problem mark");
    free(dg);

    /* depth limit: 64 ok, 65 error; 10 000 '[' one clean error */
    {
        char deep[200];
        memset(deep, '[', 64);
        memset(deep + 64, ']', 64);
        deep[128] = 0;
        r = parse(a, deep, 1, &dg, &ne);
        CHECK(r && ne == 0, "64 levels accepted");
        free(dg);
        memset(deep, '[', 65);
        memset(deep + 65, ']', 65);
        deep[130] = 0;
        r = parse(a, deep, 1, &dg, &ne);
        CHECK(!r && ne == 1 && strstr(dg, "x.yaml:1:65: error: YAML is nested more than 64 levels deep"),
           "65 levels refused");
        free(dg);
        char *huge = malloc(10001);
        memset(huge, '[', 10000);
        huge[10000] = 0;
        r = parse(a, huge, 1, &dg, &ne);
        CHECK(!r && ne == 1 && strstr(dg, "nested more than 64"), "10000 nested [ gives one error");
        free(dg);
        free(huge);
    }

    /* two documents */
    r = parse(a, "a: 1\n---\nb: 2\n", 1, &dg, &ne);
    CHECK(!r && ne == 1 && strstr(dg, "only one YAML document"), "second document refused");
    free(dg);

    /* invalid UTF-8 (reader error) */
    r = parse(a, "a: \xff\xfe\n", 1, &dg, &ne);
    CHECK(!r && ne == 1 && strstr(dg, "x.yaml:1:"), "reader error positioned");
    free(dg);

    /* tags: !!str ~ is not null */
    r = parse(a, "a: !!str ~\n", 1, &dg, &ne);
    CHECK(r && ydoc_get(r, "a")->type == Y_SCALAR, "tagged ~ is a string");
    free(dg);

    arena_free(a);
    return harness_summary();
}
