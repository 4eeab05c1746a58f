/* html.h — the HTML site writer (SPEC §8.1): one page per module from the
 * guarded tree, the course index, the theme's assets and the copied media.
 * Pages are written into ctx->out_dir/site/ as they come, so memory stays
 * bounded by one module; so are their parts of the print workbook (into
 * ctx->out_dir/print-parts/) and of the search index (search-parts/),
 * joined in module order by html_end. */
#ifndef COURSEC_HTML_H
#define COURSEC_HTML_H
#include "ast.h"
#include "page.h"

typedef struct html_site html_site;

/* Load the theme's templates (syntax errors are reported at their
 * template line) and create site/. NULL after reporting on failure. */
html_site *html_begin(const edition_ctx *ctx);
/* Write site/<id>.html for module `index` from its guarded tree. */
int html_page(html_site *s, int index, const ast_node *doc);
/* html_page, and the media the page references (their media_file.rel, the
 * strings ctx's) in *used, which the caller frees: what a build cache needs
 * to reuse the page (bcache.h). */
int html_page_used(html_site *s, int index, const ast_node *doc, const char ***used, int *nused);
/* The parts html_page_used wrote for page `index` beside the page — its
 * part of the print workbook (when the theme prints) and of the search
 * index — as one opaque string (malloc'd, the caller frees; NULL when
 * they cannot be read): what a build cache keeps beside the page. */
char *html_page_parts(html_site *s, int index, size_t *len);
/* Page `index` as written by an earlier build from the same inputs: the
 * file `from` hard-linked (else copied) into the site, its media marked
 * for copying, and parts[0..nparts) (html_page_parts of that build) its
 * parts of the print workbook and search index. -1, reporting nothing,
 * when from is gone, a medium is not in ctx, or parts is NULL or not
 * html_page_parts's: the caller renders the page instead. */
int html_page_reuse(html_site *s, int index, const char *from, const char *const *used, int nused,
                    const char *parts, size_t nparts);
/* Write index.html, the print workbook site/_print.html (when the theme
 * has print.html: the whole edition in module order, SPEC §11.8), the
 * search index site/_search.js (search.h: the pages' parts in page
 * order), copy assets and media; frees s. Returns 0 or -1. */
int html_end(html_site *s);
/* Discard without writing the index (a failed edition); frees s. */
void html_abort(html_site *s);


#endif
