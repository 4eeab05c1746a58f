/* epub.h — the EPUB 3 writer (SPEC §8.2): one XHTML document per module
 * (serialized by libxml2 from the guarded tree), package document, nav (and
 * NCX), the theme's EPUB CSS, media; a reproducible zip streamed as modules
 * come (mimetype first, stored, no extra field, fixed timestamps). */
#ifndef COURSEC_EPUB_H
#define COURSEC_EPUB_H
#include "ast.h"
#include "page.h"

typedef struct epub_book epub_book;

/* Initialise libxml2 once, before any worker thread starts. */
void epub_init(void);

/* Start ctx->out_dir/<course-id>-<edition>.epub. NULL after reporting. */
epub_book *epub_begin(const edition_ctx *ctx);
/* Add module `index` (modules come in order) from its guarded tree. */
int epub_module(epub_book *b, int index, const ast_node *doc);
/* Write nav, OPF, NCX, CSS, media; close the zip; frees b. 0 or -1. */
int epub_end(epub_book *b);
void epub_abort(epub_book *b);

#endif
