/* fuzz_html.c — libFuzzer target: a whole module file through the build's
 * path to the writers: front matter, md_parse, edition and timing checks,
 * then for each edition clone → prune → guard → html_page with the default
 * theme into a scratch folder, and for one edition (chosen by the input's
 * length) the whole EPUB. Checks the learner guarantee on every pruned tree. */
#include "fuzz.h"
#include "ast.h"
#include "edition.h"
#include "epub.h"
#include "html.h"
#include "md.h"
#include "page.h"
#include "timing.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


/* The default theme: $COURSEC_ROOT/themes/default, else relative to the
 * repository root (make and tests/fuzz/run.sh run from there). */
static const char *theme_dir(void) {
    static char dir[4096];
    if (!dir[0]) {
        const char *root = getenv("COURSEC_ROOT");
        snprintf(dir, sizeof dir, "%s/themes/default", root && *root ? root : ".");
    }
    return dir;
}

/* Nothing an edition excludes may survive its prune and guard. */
static int check_pruned(ast_node *n, void *ud) {
    const course_edition *ed = ud;
    int answers = edition_includes(ed, "answer");
    if (n->type == AST_BLANK && !answers && n->alts) abort();
    if (n->type == AST_DIV || n->type == AST_SPAN) {
        if (ast_has_class(n, "answer") && !answers) abort();
        if (ast_has_class(n, "facilitator") && !edition_includes(ed, "facilitator")) abort();
    }
    if (!answers && n->type == AST_ITEM && n->checked == 1) {
        for (ast_node *p = n->parent; p; p = p->parent)
            if (p->type == AST_DIV && ast_has_class(p, "choice")) abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int inited;
    if (!inited) md_init(), epub_init(), inited = 1;
    const char *src = (const char *)data;
    FILE *sink;
    diag *d = fuzz_diag(&sink);
    course *c = fuzz_course();
    course_module *m = &c->modules[0];
    (void)course_read_module(c, m, src, size, d);
    md_options mo = {0};
    mo.safe = size && (data[size - 1] & 1);
    ast_node *doc = md_parse(c->arena, src + m->meta.body_offset, size - m->meta.body_offset,
                             m->meta.body_line > 0 ? m->meta.body_line : 1, m->path, &mo, d);
    if (doc) {
        (void)edition_check(c, m, doc, d);
        page_info pg = {course_module_default_id(c, m), "Fuzz module", m->path, -1, -1, 0, 0, 0};
        pg.duration = timing_module(c, m, doc, d);
        edition_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.c = c;
        ctx.pages = &pg;
        ctx.npages = 1;
        ctx.total_duration = pg.duration;
        ctx.theme_dir = theme_dir();
        ctx.out_dir = fuzz_scratch_dir("html");
        ctx.build_time = 0;
        ctx.safe = mo.safe;
        ctx.d = d;
        for (int e = 0; e < c->neditions; e++) {
            const course_edition *ed = &c->editions[e];
            arena *a = arena_new();
            ast_node *copy = ast_clone(a, doc);
            edition_prune(c, a, copy, ed);
            ast_walk(copy, check_pruned, (void *)ed);
            if (edition_guard(c, a, copy, ed) != 0) abort(); /* the prune left nothing to guard */
            ctx.ed = ed;
            html_site *s = html_begin(&ctx);
            if (!s) abort(); /* the default theme always loads */
            (void)html_page(s, 0, copy);
            html_abort(s);
            if ((size_t)e == size % (size_t)c->neditions) {
                epub_book *b = epub_begin(&ctx);
                if (!b) abort(); /* the scratch folder is writable */
                if (epub_module(b, 0, copy) == 0)
                    (void)epub_end(b);
                else
                    epub_abort(b);
            }
            arena_free(a);
        }
    }
    course_free(c);
    fuzz_diag_free(d, sink);
    return 0;
}
