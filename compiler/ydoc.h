/* ydoc.h — libyaml behind one wall: YAML text → a positioned tree in an arena,
 * plus typed getters that report errors at the exact node. Only ydoc.c
 * includes <yaml.h>. Limits (depth, aliases, size) turn abuse into errors. */
#ifndef COURSEC_YDOC_H
#define COURSEC_YDOC_H
#include "arena.h"
#include "diag.h"
#include <stddef.h>

typedef enum { Y_NULL, Y_SCALAR, Y_SEQ, Y_MAP } ytype;

typedef struct ynode ynode;
struct ynode {
    ytype type;
    int line, col;        /* 1-based, in the original file */
    /* byte offsets in the text given to ydoc_parse of the node's first
     * byte (a quote, a block indicator, `[`, `{`) and of the byte after it
     * ends; for locating a position inside a scalar's source text */
    size_t start, end;
    /* scalars: the text (NUL-terminated, len bytes); a plain `~`, `null`,
     * `Null`, `NULL` or empty plain scalar is Y_NULL (str ""). quoted: 1 if
     * the scalar was quoted (then never null, never a number). */
    const char *str;
    size_t len;
    int quoted;
    /* sequences: items[0..n); mappings: keys[i] → items[i] (keys are scalars;
     * duplicate keys are an error at the second one) */
    ynode **keys;
    ynode **items;
    int n;
};

/* Parse one YAML document. path: the display path for diagnostics;
 * first_line: the line number in the original file of data[0] (1 for a
 * whole file, 2 for front matter after a `---` line). Empty input gives a
 * Y_NULL root. On a syntax error reports it (at libyaml's context mark when
 * there is one, else the problem mark) and returns NULL. Aliases are
 * refused with an error (course files do not need them). Besides syntax
 * errors: aliases, duplicate keys (at the later key), non-scalar keys,
 * nesting deeper than 64, more than 16 MiB or 1e6 nodes; any of them makes
 * the result NULL (all are reported first, up to 50 errors). A caller that
 * needs their number counts them with a diag_scope. */
ynode *ydoc_parse(arena *a, const char *data, size_t len, const char *path, int first_line, diag *d);

/* Mapping lookup; NULL if absent or m is not a mapping. */
ynode *ydoc_get(const ynode *m, const char *key);
/* "mapping", "sequence", "string", "null" — for messages. */
const char *ydoc_kind(const ynode *n);

#endif
