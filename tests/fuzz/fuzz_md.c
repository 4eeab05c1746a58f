/* fuzz_md.c — libFuzzer target: the line pre-pass (fences, blanks, heading
 * attributes, `\{{`) on its own, then the whole md_parse of a module body with
 * the checks the build runs once per module (editions, timings, titles). */
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

    /* The pre-pass alone, every line prose (a valid classification). */
    if (mdpre_validate(src, size, 0, 1, "fuzz/m.md", d) == 0) {
        arena *a = arena_new();
        mdpre p;
        mdpre_init(&p, a, src, size, 1, "fuzz/m.md", d);
        mdpre_run(&p, 0);
        for (int i = 0; i < p.nblanks; i++)
            if (p.blanks[i].off + p.blanks[i].len > size) abort();
        for (size_t i = 0; i < p.len; i++) {
            size_t pl = 0;
            if (mdpre_placeholder_at(&p, p.work + i, p.len - i, &pl) != MDPRE_NONE && (pl == 0 || pl > p.len - i))
                abort();
        }
        arena_free(a);
    }

    course *c = fuzz_course();
    int nerr = 0;
    md_options mo = {0};
    mo.safe = size && (data[0] & 1);
    ast_node *doc = md_parse(c->arena, src, size, 1, "fuzz/m.md", &mo, d, &nerr);
    if (doc) {
        (void)edition_check(c, &c->modules[0], doc, d);
        c->modules[0].meta.duration = -1;
        c->modules[0].meta.start = -1;
        (void)timing_module(c, &c->modules[0], doc, d, &nerr);
        ast_walk(doc, visit, c->arena);
        ast_node *copy = ast_clone(c->arena, doc);
        (void)ast_plain_text(c->arena, copy);
    }
    course_free(c);
    fuzz_diag_free(d, sink);
    return 0;
}
