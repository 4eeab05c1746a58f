/* fuzz_md.c — libFuzzer target: the side table and working copy on their
 * own, then the whole md_parse of a module body with the checks the build
 * runs once per module (editions, timings, titles). */
#include "fuzz.h"
#include "ast.h"
#include "edition.h"
#include "md.h"
#include "mdpre.h"
#include "timing.h"
#include <stdlib.h>
#include <string.h>

static int visit(ast_node *n, void *ud) {
    arena *a = ud;
    if (n->type == AST_HEADING) (void)ast_slug(a, ast_plain_text(a, n));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int inited;
    if (!inited) md_init(), inited = 1;
    const char *src = (const char *)data;
    FILE *sink;
    diag *d = fuzz_diag(&sink);

    /* The side table alone: the working copy is built and maps every
     * column back inside its line. */
    if (mdpre_validate(src, size, 0, 1, "fuzz/m.md", d) == 0) {
        arena *a = arena_new();
        mdpre p;
        mdpre_init(&p, a, src, size, 1, "fuzz/m.md", d);
        mdpre_build(&p);
        for (int i = 0; i < p.nlines; i++) {
            size_t wl = p.work_line_off[i + 1] - p.work_line_off[i];
            int c = mdpre_src_col(&p, i, (int)wl);
            if (c < 1 || (size_t)c > p.line_off[i + 1] - p.line_off[i] + 1) abort();
        }
        arena_free(a);
    }

    course *c = fuzz_course();
    md_options mo = {0};
    mo.safe = size && (data[0] & 1);
    ast_node *doc = md_parse(c->arena, src, size, 1, "fuzz/m.md", &mo, d);
    if (doc) {
        (void)edition_check(c, &c->modules[0], doc, d);
        c->modules[0].meta.duration = -1;
        c->modules[0].meta.start = -1;
        (void)timing_module(c, &c->modules[0], doc, d);
        ast_walk(doc, visit, c->arena);
        ast_node *copy = ast_clone(c->arena, doc);
        (void)ast_plain_text(c->arena, copy);
    }
    course_free(c);
    fuzz_diag_free(d, sink);
    return 0;
}
