/* test_md_threads.c — md_parse from several threads at once (md.c pins
 * cmark-gfm's special characters instead of locking every parse): the
 * pinning is in effect with Debian's cmark-gfm, and four threads parsing
 * strikethrough, autolinks, tables and task lists at the same time each get
 * the tree a lone parse gets. Before the pinning (and without a lock),
 * concurrent parses lost strikethrough and autolinks. */
#include "../../compiler/arena.h"
#include "../../compiler/ast.h"
#include "../../compiler/diag.h"
#include "../../compiler/md.h"
#include "counted.h"
#include "harness.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 400

static const char *const DOC =
    "# Title {#t}\n\nSome ~~struck~~ text and www.example.com and https://example.org/x.\n\n"
    "| a | b |\n|---|---|\n| ~~c~~ | d@example.com |\n\n- [x] done ~~old~~\n- [ ] open\n\n"
    "::: note\nA ~~div~~ with a [[blank]] and www.inside.example.\n:::\n";

/* The types of a tree, in document order, as a string. */
static void shape(const ast_node *n, char *out, size_t cap) {
    size_t len = strlen(out);
    snprintf(out + len, cap - len, "%s%s", ast_type_name(n->type), n->first ? "(" : " ");
    for (const ast_node *c = n->first; c; c = c->next) shape(c, out, cap);
    if (n->first) {
        len = strlen(out);
        snprintf(out + len, cap - len, ") ");
    }
}

static char expected[8192];

static void parse_shape(char *out, size_t cap) {
    arena *a = arena_new();
    diag *d = diag_new(NULL, DIAG_TEXT, 0);
    md_options mo = {0};
    int nerr = 0;
    ast_node *doc = counted_md_parse(a, DOC, strlen(DOC), 1, "t.md", &mo, d, &nerr);
    out[0] = 0;
    if (doc) shape(doc, out, cap);
    diag_free(d);
    arena_free(a);
}

static void *worker(void *arg) {
    int *bad = arg;
    char got[8192];
    for (int r = 0; r < ROUNDS; r++) {
        parse_shape(got, sizeof got);
        if (strcmp(got, expected) != 0) (*bad)++;
    }
    return NULL;
}

int main(void) {
    md_init();
    parse_shape(expected, sizeof expected);
    OK(strstr(expected, "Strikethrough") != NULL);
    OK(strstr(expected, "Link") != NULL);
    OK(strstr(expected, "Table(") != NULL);
    OK(strstr(expected, "Blank") != NULL);
    pthread_t t[THREADS];
    int bad[THREADS] = {0};
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, &bad[i]);
    int total = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        total += bad[i];
    }
    if (total) printf("%d of %d concurrent parses differed from a lone parse\n", total, THREADS * ROUNDS);
    INT_EQ(total, 0);
    return harness_summary();
}
