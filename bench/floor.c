/* floor.c — the benchmark's floor (issue 7): libcmark-gfm parse + HTML render of
 * every file named on the command line, in one process, with the GFM extensions
 * coursec uses (table, strikethrough, autolink, tasklist): the least any
 * cmark-gfm based tool can do. Prints the files and bytes rendered. */
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const extension_names[] = {"table", "strikethrough", "autolink", "tasklist"};

/* Reads PATH whole; the caller frees. NULL (after a message) when it cannot. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    size_t got;
    while (s && (got = fread(s + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) s = realloc(s, cap *= 2);
    }
    fclose(f);
    if (!s) {
        fputs("floor: out of memory\n", stderr);
        exit(2);
    }
    *len = n;
    return s;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: floor FILE.md...\n", stderr);
        return 2;
    }
    cmark_gfm_core_extensions_ensure_registered();
    const int options = CMARK_OPT_DEFAULT | CMARK_OPT_UNSAFE;
    size_t total_in = 0, total_out = 0;
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        size_t len;
        char *src = read_file(argv[i], &len);
        if (!src) {
            failed = 1;
            continue;
        }
        cmark_parser *p = cmark_parser_new(options);
        for (size_t k = 0; k < sizeof extension_names / sizeof extension_names[0]; k++) {
            cmark_syntax_extension *ext = cmark_find_syntax_extension(extension_names[k]);
            if (!ext) {
                fprintf(stderr, "floor: no cmark-gfm extension %s\n", extension_names[k]);
                return 2;
            }
            cmark_parser_attach_syntax_extension(p, ext);
        }
        cmark_parser_feed(p, src, len);
        cmark_node *doc = cmark_parser_finish(p);
        char *html = cmark_render_html(doc, options, cmark_parser_get_syntax_extensions(p));
        total_in += len;
        total_out += strlen(html);
        free(html);
        cmark_node_free(doc);
        cmark_parser_free(p);
        free(src);
    }
    printf("floor: %d files, %zu bytes in, %zu bytes of HTML\n", argc - 1, total_in, total_out);
    return failed;
}
