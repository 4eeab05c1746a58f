/* mdint.h — what the files of md.c's wall share (md.c, mdwalk.c, mdconv.c;
 * with mddiv.c the only files that include cmark-gfm): the parse itself,
 * pass 1 (structure → side table) and pass 2 (working copy → ast_node). */
#ifndef COURSEC_MDINT_H
#define COURSEC_MDINT_H
#include "md.h"
#include "mddiv.h"
#include "mdpre.h"

/* Parse s[0, n) with cmark-gfm into a tree in this thread's cmark store
 * (md.c; dropped whole by md_parse). full: inlines and every extension
 * coursec uses, else blocks only; div: the fenced-div extension (the
 * caller has called mddiv_begin). */
cmark_node *md_parse_text(const char *s, size_t n, int full, int div);

/* The first word of a code block's info string, and its attribute block
 * ("sh {.blanks}", "{.answer}"); both in a. */
void md_split_info(arena *a, const char *info, const char **word, ast_attr *attr);
int md_attr_has_class(const ast_attr *at, const char *cls);
/* Does at restrict (a class in roles, only=, except=)? */
int md_restricting(const ast_attr *at, const char *const *roles);
/* End of body line idx, its line end excluded. */
size_t md_line_end(const mdpre *p, int idx);

/* Pass 1 (mdwalk.c): every leaf of the structural tree scanned into the
 * side table, fence lines and raw HTML checked, unclosed divs reported,
 * reference definitions in restricted content marked. */
void mdwalk_run(mdpre *p, const md_options *opt, cmark_node *sdoc);

/* Pass 2 (mdconv.c): the full tree of the working copy (p built) → the
 * Document, every marker checked; errors reported to p->d and counted in
 * p->nerr. */
ast_node *mdconv_run(arena *a, mdpre *p, const md_options *opt, cmark_node *fdoc);

/* md_parse_plain's work (mdconv.c): p holds the string. */
ast_node *mdconv_plain(arena *a, mdpre *p, int line, int col);

#endif
