/* astcheck.h — the invariants every tree keeps between the stages of a
 * build, checked: after parsing (and unpacking), after the filters and
 * before the writers. The writers, clone, pack and the filter walk rely on
 * them without checking. */
#ifndef COURSEC_ASTCHECK_H
#define COURSEC_ASTCHECK_H
#include "ast.h"

/* The deepest a checked tree may be, counting through children and answer
 * alternatives: well above any tree the parser or a filter can make
 * (LUAB_MAX_DEPTH), so that deeper means a cycle. */
#define AST_CHECK_MAX_DEPTH 1024

/* NULL when the tree below root keeps every invariant; else what the first
 * fault found is (a fixed string) and *at the node it is on:
 *   root: no parent, no siblings;
 *   every node: a known type; first and last both set or both NULL; each
 *   child's parent link is the node, its prev link the child before it,
 *   the first child has no prev, last is the last child; the child may
 *   stand there (ast_child_ok);
 *   no cycle: no node deeper than AST_CHECK_MAX_DEPTH, no chain of
 *   alternatives that loops;
 *   answer alternatives: Spans in no tree, only on a Blank;
 *   attributes: a count is never negative; an array is set when its count
 *   is not 0; every class, key and value is set; a class or an id is not
 *   empty (neither the parser nor a filter's attr table makes one);
 *   Heading level 1..6; a Table's alignments set only with columns. */
const char *ast_check(const ast_node *root, const ast_node **at);

/* ast_check, and on a fault an internal error naming path, the node's
 * position, the stage the tree came from and the fault on stderr, then
 * abort(): a broken tree is a bug in coursec, and a writer would otherwise
 * produce wrong output from it or crash later. */
void ast_check_or_abort(const ast_node *root, const char *path, const char *stage);

/* The pipeline's checks: compiled in when NDEBUG is not defined or when
 * COURSEC_CHECK is. The Makefile defines COURSEC_CHECK in sanitizer
 * builds (SAN=...) and with CHECK=1, NDEBUG otherwise: the walks cost a
 * few percent of a build's instructions (bench/PROFILE.md). */
#if defined(COURSEC_CHECK) || !defined(NDEBUG)
#define AST_CHECK(root, path, stage) ast_check_or_abort((root), (path), (stage))
#else
#define AST_CHECK(root, path, stage) ((void)0)
#endif

#endif
