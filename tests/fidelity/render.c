/* render.c — the reference of tests/fidelity: stdin rendered to HTML by the
 * libcmark-gfm coursec links, alone, with the extensions coursec attaches
 * (table, strikethrough, autolink, tasklist) and raw HTML kept
 * (CMARK_OPT_UNSAFE), as coursec keeps it, and GFM footnotes. */
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, stdin)) > 0) {
        len += n;
        if (len == cap) buf = realloc(buf, cap *= 2);
    }
    if (!buf) return 2;
    cmark_gfm_core_extensions_ensure_registered();
    int opts = CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES;
    cmark_parser *p = cmark_parser_new(opts);
    static const char *const exts[] = {"table", "strikethrough", "autolink", "tasklist"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);
        if (e) cmark_parser_attach_syntax_extension(p, e);
    }
    cmark_parser_feed(p, buf, len);
    cmark_node *doc = cmark_parser_finish(p);
    char *html = cmark_render_html(doc, opts, cmark_parser_get_syntax_extensions(p));
    fputs(html, stdout);
    free(html);
    cmark_node_free(doc);
    cmark_parser_free(p);
    free(buf);
    return 0;
}
