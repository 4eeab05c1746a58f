/* fuzz_tmpl.c — libFuzzer target: theme templates (tmpl_parse) rendered
 * (tmpl_render) with a context shaped like the HTML writer's. */
#include "fuzz.h"
#include "buf.h"
#include "tmpl.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    FILE *sink;
    diag *d = fuzz_diag(&sink);
    arena *a = arena_new();
    tmpl *t = tmpl_parse(a, (const char *)data, size, "fuzz/page.html", d);
    if (t) {
        tmpl_ctx *c = tmpl_ctx_new(a);
        tmpl_set(c, "title", "A <title> & \"more\"");
        tmpl_set(c, "body", "<p>body</p>");
        tmpl_set(c, "empty", "");
        tmpl_set_bool(c, "yes", 1);
        tmpl_set_bool(c, "no", 0);
        tmpl_ctx *cm = tmpl_map(c, "course");
        tmpl_set(cm, "title", "Course");
        tmpl_set(cm, "id", "course");
        tmpl_list(cm, "authors");
        tmpl_list_push_str(cm, "authors", "Ann");
        tmpl_list_push_str(cm, "authors", "Bob");
        tmpl_ctx *deep = tmpl_map(tmpl_map(cm, "a"), "b");
        tmpl_set(deep, "c", "deep");
        tmpl_list(c, "toc");
        tmpl_list(c, "none");
        for (int i = 0; i < 3; i++) {
            tmpl_ctx *it = tmpl_list_push(c, "toc");
            tmpl_set(it, "title", i ? "Part" : "Intro");
            tmpl_set(it, "href", "#x");
            tmpl_list_push_str(it, "sub", "s");
        }
        buf out = BUF_INIT;
        tmpl_render(t, c, &out);
        tmpl_render(t, NULL, &out);
        buf_free(&out);
    }
    arena_free(a);
    fuzz_diag_free(d, sink);
    return 0;
}
