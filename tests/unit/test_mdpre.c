/* test_mdpre.c — the pre-pass without cmark: line splitting, fences and
 * their events, placeholders (same length, decodable, columns kept), code
 * spans and escapes, input validation. */
#include "../../compiler/arena.h"
#include "../../compiler/diag.h"
#include "../../compiler/mdpre.h"
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static diag *mkdiag(FILE **f, char **out, size_t *len) {
    *f = open_memstream(out, len);
    return diag_new(*f, DIAG_TEXT, 0);
}

int main(void) {
    arena *a = arena_new();
    FILE *f;
    char *out = NULL;
    size_t outlen = 0;
    diag *d = mkdiag(&f, &out, &outlen);
    mdpre p;

    const char *src = "::: answer\nA [[x|y]] and `[[c]]` \\{{v}} ______ \\[[n]]\n:::\n::: {.a}\n:::\n";
    mdpre_init(&p, a, src, strlen(src), 10, "m.md", d);
    INT_EQ(p.nlines, 5);
    INT_EQ(p.lines[1].off, 11);
    mdpre_run(&p, 64);
    INT_EQ(p.nerr, 0);
    INT_EQ(p.nev, 4);
    OK(p.ev[0].type == MDPRE_OPEN && p.ev[0].line == 0 && p.ev[0].attr.nclasses == 1);
    STR_EQ(p.ev[0].attr.classes[0], "answer");
    OK(p.ev[1].type == MDPRE_CLOSE && p.ev[1].line == 2);
    OK(p.ev[2].type == MDPRE_OPEN && p.ev[3].type == MDPRE_CLOSE);
    INT_EQ(p.lines[0].kind, MDPRE_FENCE);
    INT_EQ(p.nblanks, 2);
    INT_EQ(p.blanks[0].line, 11);
    INT_EQ(p.blanks[0].col, 3);
    INT_EQ(p.blanks[0].len, 7);
    INT_EQ(p.blanks[1].col, 30);
    INT_EQ(p.blanks[1].underscore, 1);
    INT_EQ(p.blanks[1].len, 6);
    size_t plen = 0;
    INT_EQ(mdpre_placeholder_at(&p, p.work + 11 + 2, 30, &plen), 0);
    INT_EQ(plen, 7);
    INT_EQ(mdpre_placeholder_at(&p, p.work + 11 + 29, 10, &plen), 1);
    INT_EQ(mdpre_placeholder_at(&p, p.work + 11 + 22, 10, &plen), MDPRE_ESCAPE);
    INT_EQ(plen, 3);
    OK(memcmp(p.work + 11 + 14, "`[[c]]`", 7) == 0); /* code span untouched */
    OK(memcmp(p.work + 11 + 36, "\\[[n]]", 6) == 0); /* escaped bracket */
    INT_EQ(strlen(p.work), strlen(src));             /* same length */
    INT_EQ(mdpre_placeholder_at(&p, "abc", 3, &plen), MDPRE_NONE);

    /* unclosed and stray fences */
    const char *s2 = ":::\n:::: note\n::: {#i}\n";
    mdpre_init(&p, a, s2, strlen(s2), 1, "m.md", d);
    mdpre_run(&p, 64);
    INT_EQ(p.nerr, 2);
    INT_EQ(p.nev, 5);
    OK(p.ev[0].type == MDPRE_SKIP);
    OK(p.ev[3].type == MDPRE_CLOSE && p.ev[3].line == 3 && p.ev[4].type == MDPRE_CLOSE);
    diag_flush(d);
    fflush(f);
    CONTAINS(out, "m.md:1:1: warning: closing fence without an open div");
    CONTAINS(out, "m.md:2:1: error: fenced div `:::: note` opened here is never closed");
    CONTAINS(out, "m.md:3:1: error: fenced div `::: {#i}` opened here is never closed");

    /* validation */
    INT_EQ(mdpre_validate("ok\n", 3, 100, 1, "m.md", d), 0);
    INT_EQ(mdpre_validate("\xed\xa0\x80", 3, 100, 1, "m.md", d), 1); /* a surrogate */
    INT_EQ(mdpre_validate("\xc0\xaf", 2, 100, 1, "m.md", d), 1);     /* overlong */
    INT_EQ(mdpre_validate("a\0b\0", 4, 100, 1, "m.md", d), 1);
    INT_EQ(mdpre_validate("\xe2\x94\x9c ok \xf0\x9f\x98\x80", 11, 100, 1, "m.md", d), 0);
    diag_flush(d);
    fflush(f);
    CONTAINS(out, "NUL byte in a text file (and 1 more)");

    /* lone CR ends a line */
    mdpre_init(&p, a, "a\rb\r\nc", 6, 1, "m.md", d);
    INT_EQ(p.nlines, 3);
    INT_EQ(p.lines[2].off, 5);

    diag_free(d);
    fclose(f);
    free(out);
    arena_free(a);
    return harness_summary();
}
