/* astpack.h — a tree packed into one compact byte string, and back.
 *
 * The build parses every module once: pass 1 packs the parsed tree (a tenth of the
 * tree's size in the arena, 1.2 times its source: fields at their default
 * are left out, integers are varints, strings inline)
 * and pass 2 unpacks it instead of parsing the module again. The packed form
 * lives only inside one process run; it is not a file format.
 *
 * ast_pack appends the encoding of `doc` (the node, its answer alternatives
 * and its children, recursively) to `out`. ast_unpack copies `data` into the
 * arena once and rebuilds the tree there; the tree's strings point into that
 * copy. The rebuilt tree equals the packed one field by field (as ast_clone
 * would copy it): parents, siblings and alternatives linked the same way. */
#ifndef COURSEC_ASTPACK_H
#define COURSEC_ASTPACK_H
#include "arena.h"
#include "ast.h"
#include "buf.h"

void ast_pack(const ast_node *doc, buf *out);
ast_node *ast_unpack(arena *a, const char *data, size_t len);
/* The same without the copy: the tree's strings point into `data`, which the
 * caller keeps unchanged until the arena is freed (the build's pass 2 frees
 * the packed bytes after the module's arena: no copy of ~1.2 × the source). */
ast_node *ast_unpack_shared(arena *a, const char *data, size_t len);

#endif
