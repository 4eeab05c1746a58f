/* search.h — one edition's search index (site/_search.js), made only from
 * the guarded trees the edition's pages are rendered from (SPEC §11.5):
 * per page a part (its sections' anchors, headings and text, from the
 * page's tree), and at the end the index of the edition's parts in page
 * order: the sections, the folded terms (fold.h) with the sections and
 * field each is in, and the fold table for the client. */
#ifndef COURSEC_SEARCH_H
#define COURSEC_SEARCH_H
#include "ast.h"
#include "buf.h"

/* Page doc's part of the index (malloc'd, the caller frees; *len its
 * bytes): one record per section — the text before the first heading,
 * then each heading's, with the heading's text as the TOC shows it
 * (ast_title_text with roles) and its id as the page writes it. Text is
 * what the page shows of paragraphs, list items, table cells, box titles
 * and image descriptions; never code blocks, worksheets or raw HTML; a
 * blank's answers only when `answers` (an edition with the `answer` role,
 * whose pages show them), never a fill-in's field. */
char *search_page_part(const ast_node *doc, const char *const *roles, int answers, size_t *len);

typedef struct search_index search_index;
search_index *search_new(void);
/* Add the next page in page order: its id, its module title (a term field
 * of its first section) and its part from search_page_part. -1 when the
 * part is not one search_page_part wrote (nothing is added then). */
int search_add(search_index *x, const char *id, const char *title, const char *part, size_t len);
/* Append the index as a script for a <script src> (works from file://):
 * `window.coursecSearch={...};`, JSON whose strings escape `<`, U+2028
 * and U+2029 and invisible characters. Its fields: v (format 1), fold (the
 * fold table: rows of a character followed by its folded form, separated
 * by spaces), pages (id, title, id, title, ...), sections (page, anchor,
 * heading, page, ...; anchor "" for a page's top; flat, so that no `[[`
 * or `]]` appears that the text does not hold), terms (the folded terms in UTF-16 order,
 * separated by spaces), postings (per term, separated by spaces, each
 * section it is in as a number (gap from the previous section << 2 |
 * field: 0 text, 1 heading, 2 module title) written in base 32, digits
 * "ABCDEFGHIJKLMNOPQRSTUVWXYZ()*+,-" before the last one, the last one
 * from "0123456789abcdefghijklmnopqrstuv"), and text (per section, its
 * text, for snippets) last. */
void search_write(search_index *x, buf *out);
void search_free(search_index *x);

#endif
