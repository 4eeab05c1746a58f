/* md.h — Markdown → our AST (SPEC §2, §3). The pre-pass on source lines finds
 * `:::` fenced divs (nesting, classes, attribute blocks), `[[…]]` blanks and
 * runs of 5+ underscores outside code, and `\{{` escapes; cmark-gfm (tables,
 * strikethrough, autolinks, tasklists) parses the rest; its tree is converted
 * into ast_node and freed. Only md.c (and its pre-pass file) include cmark-gfm. */
#ifndef COURSEC_MD_H
#define COURSEC_MD_H
#include "arena.h"
#include "ast.h"
#include "diag.h"
#include <stddef.h>

/* Register cmark-gfm's extensions and pin their special characters (see
 * md.c). Runs once per process; md_parse calls it too. */
void md_init(void);

typedef struct md_options {
    int safe;            /* --safe: drop raw HTML and javascript: URLs, warning each */
    size_t max_bytes;    /* input size limit (0 = default 1 MiB) */
    int max_depth;       /* div nesting limit (0 = default 64) */
    /* the course's role classes (NULL-terminated; NULL: answer, solution,
     * facilitator, instructor): an attribute block with one of them that
     * applies to nothing is an error, a reference definition under one
     * restricts the links through it */
    const char *const *role_classes;
} md_options;

/* Parse one module body. src/len: the Markdown body (after front matter);
 * first_line: its line number in the original file; path: display path for
 * diagnostics. Returns the Document node (allocated in a) with:
 *  - Heading attribute blocks removed from the text and put in attr; ids
 *    assigned (explicit first, then derived, unique: -1, -2 ...);
 *  - Div nodes for fenced divs (attr from the fence; `title=` kept in attr);
 *  - Blank nodes (alts = answer alternatives as parsed inline Markdown,
 *    width = step or underscore run length, underscore flag);
 *  - Worksheet nodes for ```worksheet code blocks (Text/LineBreak/Blank);
 *  - `\{{` kept as the two characters `\{{` in Text (the vars filter makes
 *    it a literal `{{`);
 *  - Item.checked for task items.
 * Every problem is reported (unclosed div at its opening line; a fence or
 * blank inside a raw HTML block; bad attribute blocks) to d (a caller that
 * needs the count gives a diag_scope). Returns NULL only if nothing could be
 * parsed (e.g. over the size limit). */
ast_node *md_parse(arena *a, const char *src, size_t len, int first_line, const char *path,
                   const md_options *opt, diag *d);

/* Blank syntax (SPEC §11.4) in a plain string: a `[[` not written `\[[`
 * followed later by `]]`. Returns the byte offset of that `[[`, or -1. */
long md_find_blank_syntax(const char *s, size_t len);

/* A YAML title, an exercise's title= or a vars: value (SPEC §11.4) as a
 * Span of inline nodes: `[[…]]` becomes a Blank (its answer parsed as
 * inline Markdown, as in prose), `\[[` a literal `[[` (a Text node with
 * `literal` set); everything else is Text as written (no other Markdown).
 * line/col: where the string starts in its file, given to every node and
 * diagnostic. Never NULL. */
ast_node *md_parse_plain(arena *a, const char *s, size_t len, int line, int col, const char *path, diag *d);

/* Parse an attribute block `{#id .class key=value key2="quoted"}` at s (s
 * points at '{'). Returns bytes consumed (through '}') or 0 if s does not
 * start a well-formed block (then *err may hold a message). Reports
 * nothing: the caller reports *err at the block's position (diag.h). */
size_t md_parse_attr(arena *a, const char *s, size_t len, ast_attr *out, const char **err);

#endif
