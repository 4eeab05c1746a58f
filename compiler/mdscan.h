/* mdscan.h — the scan of one leaf block's source text for md.c (SPEC
 * §11.2–§11.4): blanks, escapes, bracketed spans, attribute blocks after
 * links, images and code, heading attribute blocks, and the constructs
 * whose precedence over blanks cmark-gfm decides (code spans, raw HTML,
 * autolinks). What it finds goes into the side table (mdpre.h) by source
 * position; problems are reported at their file:line:col. No cmark here. */
#ifndef COURSEC_MDSCAN_H
#define COURSEC_MDSCAN_H
#include "mdpre.h"

/* A leaf block's content on one source line: body bytes [off, off+len). */
typedef struct md_seg {
    size_t off, len;
} md_seg;

/* Is cls one of the role classes (NULL-terminated list)? */
int mdscan_is_role_class(const char *const *roles, const char *cls);

/* Prose: a paragraph, a heading's text or a table cell. roles: the role
 * classes, to refuse an attribute block with a role that attaches to
 * nothing. */
void mdscan_prose(mdpre *p, const md_seg *segs, int nsegs, const char *const *roles);

/* The content of a code block with live blanks (```worksheet, or the class
 * `blanks`): every `[[…]]` (on one line) and run of 5+ underscores is a
 * blank, `\[[` a literal `[[`. */
void mdscan_live(mdpre *p, const md_seg *segs, int nsegs);

/* Code without live blanks: warn when a `[[` starts the code or follows
 * white space and encloses words only (SPEC §11.4). s/n: the code as
 * written; line/col: where it starts; block: a code block (else a span). */
void mdscan_code_warn(mdpre *p, const char *s, size_t n, int line, int col, int block);

/* The attribute block at the end of a heading's last content line (body
 * offsets [off, off+len), trailing spaces included or not): recorded and
 * blanked out of the working copy. Returns the new length of the heading
 * text on that line (without the block), or len when there is none. */
size_t mdscan_heading_attr(mdpre *p, size_t off, size_t len);

/* Raw HTML or an autolink starting at s[0] == '<' (CommonMark 0.29, as
 * cmark-gfm reads them): its length, or 0. *comment: it is a comment. */
size_t mdscan_html_at(const char *s, size_t n, int *comment);

/* Is name[0, n) an element of HTML (obsolete ones included) or a custom
 * element (a hyphen in it): 1; of SVG or MathML only: 2; else 0. Compared
 * as HTML compares tag names (ignoring case). */
int mdscan_known_element(const char *name, size_t n);

/* A reference definition at s (one or more lines of a block): the offset
 * of its destination (inside `<…>` for the angle form), or -1. */
long mdscan_def_dest(const char *s, size_t n);

#endif
