/* astcheck.c — ast_check: the tree invariants (see astcheck.h). One
 * recursive walk, no allocation. */
#include "astcheck.h"
#include <stdio.h>
#include <stdlib.h>

typedef struct checker {
    const ast_node *at;
} checker;

static const char *fault(checker *k, const ast_node *n, const char *why) {
    k->at = n;
    return why;
}

static const char *check_attr(checker *k, const ast_node *n, const ast_attr *at) {
    if (at->nclasses < 0 || at->nkv < 0) return fault(k, n, "an attribute count is negative");
    if ((at->nclasses && !at->classes) || (at->nkv && !at->kv))
        return fault(k, n, "an attribute count is not 0 but its array is missing");
    if (at->id && !*at->id) return fault(k, n, "an empty id");
    for (int i = 0; i < at->nclasses; i++)
        if (!at->classes[i] || !*at->classes[i]) return fault(k, n, "a missing or empty class");
    for (int i = 0; i < at->nkv; i++) {
        if (!at->kv[i].key) return fault(k, n, "a missing attribute key");
        if (!at->kv[i].value) return fault(k, n, "a missing attribute value");
    }
    return NULL;
}

/* Floyd's two pointers: 1 when the chain from x through next loops. */
static int chain_loops(const ast_node *x) {
    const ast_node *slow = x, *fast = x;
    while (fast && fast->next) {
        slow = slow->next;
        fast = fast->next->next;
        if (slow == fast) return 1;
    }
    return 0;
}

static const char *check_node(checker *k, const ast_node *n, int depth) {
    if (depth > AST_CHECK_MAX_DEPTH) return fault(k, n, "the tree is deeper than any build makes (a cycle)");
    if ((unsigned)n->type >= AST_TYPE_COUNT) return fault(k, n, "an unknown node type");
    const char *why = check_attr(k, n, &n->attr);
    if (!why) why = check_attr(k, n, &n->defr);
    if (why) return why;
    if (n->type == AST_HEADING && (n->level < 1 || n->level > 6)) return fault(k, n, "a Heading level not 1 to 6");
    if (n->aligns && n->ncols <= 0) return fault(k, n, "table alignments without columns");
    if (n->alts) {
        if (n->type != AST_BLANK) return fault(k, n, "answer alternatives on a node that is not a Blank");
        if (chain_loops(n->alts)) return fault(k, n, "the chain of answer alternatives loops");
        for (const ast_node *alt = n->alts; alt; alt = alt->next) {
            if (alt->type != AST_SPAN) return fault(k, alt, "an answer alternative that is not a Span");
            if (alt->parent) return fault(k, alt, "an answer alternative with a parent");
            if ((why = check_node(k, alt, depth + 1))) return why;
        }
    }
    if (!n->first != !n->last) return fault(k, n, "first and last child disagree");
    if (n->first && n->first->prev) return fault(k, n->first, "the first child has a previous sibling");
    const ast_node *prev = NULL;
    for (const ast_node *c = n->first; c; prev = c, c = c->next) {
        if (c->parent != n) return fault(k, c, "a child whose parent link is another node");
        if (c->prev != prev) return fault(k, c, "a child whose previous-sibling link is wrong");
        if ((unsigned)c->type >= AST_TYPE_COUNT) return fault(k, c, "an unknown node type");
        if (!ast_child_ok(n->type, c->type)) return fault(k, c, "a child of a type its parent may not hold");
        if ((why = check_node(k, c, depth + 1))) return why;
    }
    if (n->last != prev) return fault(k, n, "last is not the last child");
    return NULL;
}

const char *ast_check(const ast_node *root, const ast_node **at) {
    checker k = {root};
    const char *why = NULL;
    if (root->parent || root->prev || root->next)
        why = fault(&k, root, "the root has a parent or siblings");
    else
        why = check_node(&k, root, 0);
    if (at) *at = why ? k.at : NULL;
    return why;
}

void ast_check_or_abort(const ast_node *root, const char *path, const char *stage) {
    const ast_node *at = NULL;
    const char *why = root ? ast_check(root, &at) : NULL;
    if (!why) return;
    fprintf(stderr,
            "%s:%d:%d: internal error: the tree after %s breaks an invariant: %s (on a %s node); please report "
            "this with the module\n",
            path ? path : "-", at->line, at->col, stage, why, ast_type_name(at->type));
    abort();
}
