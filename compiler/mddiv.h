/* mddiv.h — fenced divs as a cmark-gfm block extension (SPEC §2.2,
 * §11.3), through the library's public extension API: cmark offers every
 * line to it where a block may start, after the prefixes of the open
 * containers, so a fence inside a list item or a block quote is found
 * exactly where cmark would start a block there. Only md.c includes this
 * (and with it cmark-gfm). */
#ifndef COURSEC_MDDIV_H
#define COURSEC_MDDIV_H
#include "mdpre.h"
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

/* Create the extension and its node types. Once per process, before any
 * parse (md_init does it). */
void mddiv_init(void);
cmark_syntax_extension *mddiv_extension(void);

/* A div (children: its content), the line of a closing fence, and a
 * malformed or misplaced fence line (reported; its text is dropped). */
cmark_node_type mddiv_div_type(void);
cmark_node_type mddiv_close_type(void);
cmark_node_type mddiv_bad_type(void);

/* The parse about to run on this thread: fence lines are recorded in p's
 * table (first): reported and added; else looked up there, silently.
 * max_depth: div nesting allowed. Must be paired with mddiv_end. */
void mddiv_begin(mdpre *p, int first, int max_depth);
void mddiv_end(void);

/* The table entry of a div node of the current or last parse, or NULL. */
const md_fence *mddiv_fence_of(const mdpre *p, cmark_node *div);

#endif
