/* test_bcache.c — the build cache of `coursec serve` (bcache.h): keys tell
 * apart what differs (NULL and "", a missing file and an empty one, order);
 * facts come back deep-copied with their diagnostics, and go when a build
 * did not use them; pages of a build are found only once it is committed,
 * a failed build keeps the pages before it, and a build whose inputs
 * changed under it keeps only what it reused. */
#include "../../compiler/bcache.h"
#include "../../compiler/buildint.h"
#include "../../compiler/diag.h"
#include "../../compiler/util.h"
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bkey key_of(const char *a, const char *b) {
    bhash *h = bhash_new();
    bhash_str(h, a);
    bhash_str(h, b);
    bkey k = bhash_digest(h);
    bhash_free(h);
    return k;
}

static bkey file_key(const char *path) {
    bhash *h = bhash_new();
    bhash_file(h, path);
    bkey k = bhash_digest(h);
    bhash_free(h);
    return k;
}

/* Facts of a module with one id, one link and one warning recorded. */
static const bc_facts *put_facts(build_cache *c, bkey k, diag *d) {
    const char *ids[] = {"intro"};
    link_ref links[] = {{AST_LINK, "other.md#x", NULL, 3, 4}};
    const char *h1[] = {"Intro"};
    ast_attr h1_attr[1] = {{0}};
    int h1_lit[] = {0};
    title_src ts = {"Yaml title", 0, h1, h1_attr, h1_lit, 1, "intro"};
    bc_facts f = {xstrdup("PACKED"), 6, ids, 1, links, 1, 25, ts, NULL, 0};
    diag *rec = diag_recorder(d);
    diag_report(rec, DIAG_WARNING, "m.md", 7, 2, "timing: %s", "odd");
    const bc_facts *got = bcache_facts_put(c, k, &f, rec);
    diag_free(rec);
    return got;
}

int main(void) {
    /* keys */
    bkey a = key_of("x", "y");
    OK(bkey_eq(a, key_of("x", "y")));
    OK(!bkey_eq(a, key_of("y", "x")));
    OK(!bkey_eq(key_of(NULL, "y"), key_of("", "y")));
    OK(!bkey_eq(key_of("xy", ""), key_of("x", "y"))); /* lengths are hashed */
    char path[] = "/tmp/coursec-bcache-XXXXXX";
    int fd = mkstemp(path);
    OK(fd >= 0);
    close(fd);
    bkey empty = file_key(path);
    FILE *f = fopen(path, "w");
    fputs("body", f);
    fclose(f);
    OK(!bkey_eq(empty, file_key(path)));
    unlink(path);
    OK(!bkey_eq(empty, file_key(path))); /* gone differs from empty */

    diag *sink = diag_new(NULL, DIAG_TEXT, 0);
    build_cache *c = build_cache_new();

    /* facts: a deep copy, the pack taken over, the warning kept */
    bkey m1 = key_of("m1", "v1"), m2 = key_of("m2", "v1");
    OK(bcache_facts_find(c, m1) == NULL);
    const bc_facts *f1 = put_facts(c, m1, sink);
    put_facts(c, m2, sink);
    const bc_facts *g = bcache_facts_find(c, m1);
    if (!OK(g == f1 && g != NULL)) return harness_summary();
    STR_EQ(g->packed, "PACKED");
    INT_EQ(g->nids, 1);
    STR_EQ(g->ids[0], "intro");
    INT_EQ(g->nlinks, 1);
    STR_EQ(g->links[0].url, "other.md#x");
    INT_EQ(g->links[0].line, 3);
    INT_EQ(g->duration, 25);
    STR_EQ(g->titles.yaml, "Yaml title");
    STR_EQ(g->titles.h1[0], "Intro");
    INT_EQ(g->ndiags, 1);
    STR_EQ(g->diags[0].msg, "timing: odd");
    INT_EQ(g->diags[0].line, 7);
    OK(g->diags[0].sev == DIAG_WARNING);
    build_cache_end(c, NULL, 1);

    /* build 2 asks for m1 only: m2 goes at its end */
    OK(bcache_facts_find(c, m1) != NULL);
    build_cache_end(c, "/out/gen-2/c", 1);
    OK(bcache_facts_find(c, m2) == NULL);
    OK(bcache_facts_find(c, m1) != NULL);

    /* build 4 changed under its feet: the facts it made are dropped, the
     * ones it found stay */
    build_cache_end(c, NULL, 1);
    bkey m3 = key_of("m3", "v2");
    OK(bcache_facts_find(c, m1) != NULL);
    put_facts(c, m3, sink);
    build_cache_end(c, NULL, 0);
    OK(bcache_facts_find(c, m3) == NULL);
    OK(bcache_facts_find(c, m1) != NULL);
    build_cache_end(c, NULL, 1);

    /* pages: found only after the build that wrote them is committed */
    const char *root;
    bkey p1 = key_of("page", "1"), p2 = key_of("page", "2");
    const char *media[] = {"assets/media/a.png"};
    bcache_page_put(c, p1, 0, "learner/site/m1.html", media, 1, "<section>m1</section>", 21);
    bcache_page_put(c, p2, 0, "learner/site/m2.html", NULL, 0, NULL, 0);
    OK(bcache_page_find(c, p1, &root) == NULL);
    bcache_count(c, 0, 2, 0, 0);
    build_cache_end(c, "/out/gen-6/c", 1);
    build_cache_stats st = build_cache_last(c);
    INT_EQ(st.pages_rendered, 2);
    INT_EQ(st.pages_reused, 0);
    const bc_page *bp = bcache_page_find(c, p1, &root);
    if (!OK(bp != NULL)) return harness_summary();
    STR_EQ(root, "/out/gen-6/c");
    STR_EQ(bp->rel, "learner/site/m1.html");
    INT_EQ(bp->nmedia, 1);
    STR_EQ(bp->media[0], "assets/media/a.png");
    OK(bp->nparts == 21 && bp->parts && memcmp(bp->parts, "<section>m1</section>", 21) == 0);

    /* a failed build: the pages of the last good one stay, under its root */
    bcache_page_put(c, key_of("page", "3"), 0, "learner/site/m3.html", NULL, 0, NULL, 0);
    build_cache_end(c, NULL, 1);
    OK(bcache_page_find(c, p1, &root) != NULL);
    STR_EQ(root, "/out/gen-6/c");
    OK(bcache_page_find(c, key_of("page", "3"), &root) == NULL);

    /* a good build that did not write p2 again: p2 is not in its output */
    bcache_page_put(c, p1, 1, "learner/site/m1.html", media, 1, "<section>m1</section>", 21);
    build_cache_end(c, "/out/gen-8/c", 1);
    OK(bcache_page_find(c, p1, &root) != NULL);
    STR_EQ(root, "/out/gen-8/c");
    OK(bcache_page_find(c, p2, &root) == NULL);

    /* changed under its feet: what it rendered is not kept, what it linked is */
    bcache_page_put(c, p1, 1, "learner/site/m1.html", media, 1, "<section>m1</section>", 21);
    bcache_page_put(c, p2, 0, "learner/site/m2.html", NULL, 0, NULL, 0);
    build_cache_end(c, "/out/gen-9/c", 0);
    OK(bcache_page_find(c, p1, &root) != NULL);
    STR_EQ(root, "/out/gen-9/c");
    OK(bcache_page_find(c, p2, &root) == NULL);

    build_cache_free(c);
    diag_free(sink);
    return harness_summary();
}
