/* test_astpack.c — ast_pack / ast_unpack: every module of every example
 * course and conformance case, parsed, packed and unpacked, equals the
 * original field by field (links between nodes included), and packs again
 * to the same bytes; every integer field survives non-default values,
 * negative ones included. */
#include "../../compiler/arena.h"
#include "../../compiler/ast.h"
#include "../../compiler/astpack.h"
#include "../../compiler/buf.h"
#include "../../compiler/diag.h"
#include "../../compiler/md.h"
#include "harness.h"
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* md_parse, adding the errors it reports to *nerr (a diag scope). */
static ast_node *counted_md_parse(arena *a, const char *src, size_t len, int first_line, const char *path,
                                  const md_options *opt, diag *d, int *nerr) {
    diag *s = diag_scope(d);
    ast_node *doc = md_parse(a, src, len, first_line, path, opt, s);
    if (nerr) *nerr += diag_errors(s);
    diag_free(s);
    return doc;
}

static int str_same(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

/* First difference between two trees, or NULL. */
static const char *diff(const ast_node *x, const ast_node *y) {
    if (x->type != y->type) return "type";
    if (x->line != y->line || x->col != y->col) return "position";
    if (!str_same(x->attr.id, y->attr.id)) return "attr.id";
    if (x->attr.nclasses != y->attr.nclasses) return "attr.nclasses";
    for (int i = 0; i < x->attr.nclasses; i++)
        if (!str_same(x->attr.classes[i], y->attr.classes[i])) return "attr.classes";
    if (x->attr.nkv != y->attr.nkv) return "attr.nkv";
    for (int i = 0; i < x->attr.nkv; i++)
        if (!str_same(x->attr.kv[i].key, y->attr.kv[i].key) || !str_same(x->attr.kv[i].value, y->attr.kv[i].value))
            return "attr.kv";
    if (!str_same(x->text, y->text)) return "text";
    if (!str_same(x->info, y->info)) return "info";
    if (!str_same(x->format, y->format)) return "format";
    if (!str_same(x->url, y->url)) return "url";
    if (!str_same(x->title, y->title)) return "title";
    if (!str_same(x->label, y->label)) return "label";
    if (x->level != y->level || x->ordered != y->ordered || x->start != y->start || x->tight != y->tight ||
        x->checked != y->checked || x->ncols != y->ncols || x->is_header != y->is_header || x->width != y->width ||
        x->underscore != y->underscore || x->duration != y->duration || x->tstart != y->tstart ||
        x->is_break != y->is_break || x->natural != y->natural)
        return "an integer field";
    if ((x->aligns != NULL) != (y->aligns != NULL)) return "aligns";
    for (int i = 0; x->aligns && i < x->ncols; i++)
        if (x->aligns[i] != y->aligns[i]) return "aligns";
    const ast_node *a = x->alts, *b = y->alts;
    for (; a && b; a = a->next, b = b->next) {
        const char *d = diff(a, b);
        if (d) return d;
    }
    if (a || b) return "number of alternatives";
    a = x->first, b = y->first;
    for (; a && b; a = a->next, b = b->next) {
        if (b->parent != y) return "parent link";
        if (b->prev ? b->prev->next != b : y->first != b) return "sibling links";
        const char *d = diff(a, b);
        if (d) return d;
    }
    if (a || b) return "number of children";
    if (y->last && y->last->next) return "last child";
    return NULL;
}

/* Give every integer field a value that is not its default, some negative. */
static int scramble(ast_node *n, void *ud) {
    int *k = ud;
    int v = (*k)++;
    n->level = v % 7;
    n->ordered = v & 1;
    n->start = v % 3 == 0 ? -v : v * 1000;
    n->tight = !(v & 1);
    n->checked = v % 3 - 1;
    n->is_header = v % 5 == 0;
    n->width = v % 2 ? -1 : 200000;
    n->underscore = v % 4 == 0;
    n->duration = v % 3 ? -1 : v;
    n->tstart = v % 3 ? v : -1;
    n->is_break = v % 6 == 0;
    n->natural = v % 7 == 0;
    return 0;
}

static void roundtrip(const char *path, const char *src, size_t len, int scrambled) {
    arena *a = arena_new();
    diag *d = diag_new(NULL, DIAG_TEXT, 0);
    md_options mo = {0};
    int nerr = 0;
    ast_node *doc = counted_md_parse(a, src, len, 1, path, &mo, d, &nerr);
    char what[600];
    snprintf(what, sizeof what, "%s parses%s", path, scrambled ? " (scrambled)" : "");
    if (!OK(doc != NULL)) goto out;
    if (scrambled) {
        int k = 1;
        ast_walk(doc, scramble, &k);
    }
    buf p1 = {0}, p2 = {0};
    ast_pack(doc, &p1);
    arena *b = arena_new();
    ast_node *back = ast_unpack(b, p1.data, p1.len);
    const char *why = diff(doc, back);
    snprintf(what, sizeof what, "%s: unpacked tree equals the parsed one%s (%s)", path,
             scrambled ? " (scrambled)" : "", why ? why : "equal");
    OK(why == NULL);
    ast_pack(back, &p2);
    snprintf(what, sizeof what, "%s: packs again to the same bytes", path);
    OK(p1.len == p2.len && memcmp(p1.data, p2.data, p1.len) == 0);
    buf_free(&p1);
    buf_free(&p2);
    arena_free(b);
out:
    diag_free(d);
    arena_free(a);
}

int main(void) {
    const char *pats[] = {"courses/*/modules/*.md", "courses/*/*.md", "tests/conformance/*/modules/*.md",
                          "tests/conformance/*/*.md"};
    int files = 0;
    for (size_t p = 0; p < sizeof pats / sizeof pats[0]; p++) {
        glob_t g;
        if (glob(pats[p], 0, NULL, &g) != 0) continue;
        for (size_t i = 0; i < g.gl_pathc; i++) {
            FILE *f = fopen(g.gl_pathv[i], "rb");
            if (!f) continue;
            static char src[1 << 20];
            size_t len = fread(src, 1, sizeof src - 1, f);
            fclose(f);
            src[len] = 0;
            roundtrip(g.gl_pathv[i], src, len, 0);
            roundtrip(g.gl_pathv[i], src, len, 1);
            files++;
        }
        globfree(&g);
    }
    OK(files >= 20); /* the globs found the courses: run from the repository root */
    return harness_summary();
}
