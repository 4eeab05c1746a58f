/* epub.h — the EPUB 3 writer (SPEC §8.2): one XHTML document per module
 * (serialized by libxml2 from the guarded tree), package document, nav (and
 * NCX), the theme's EPUB CSS, media; a reproducible zip streamed as modules
 * come (mimetype first, stored, no extra field, fixed timestamps).
 *
 * Nothing invalid goes into a book: what coursec cannot write validly is an
 * error at its source position (file:line:col) and the book is not written —
 * a character XML or Unicode interchange forbids (xmlchar.h), raw HTML that
 * is not well-formed, an image whose bytes are not the kind its name claims
 * or an SVG outside what EPUBCheck accepts (media.h, svgcheck.h), two module
 * ids that differ only in case. What it can make valid it does silently
 * (two image names that differ only in case get distinct names in the book).
 * Every module is rendered and checked even after an error in an earlier
 * one, so one run reports every problem of every module. */
#ifndef COURSEC_EPUB_H
#define COURSEC_EPUB_H
#include "ast.h"
#include "page.h"

typedef struct epub_book epub_book;

/* Initialise libxml2 once, before any worker thread starts. */
void epub_init(void);

/* Start ctx->out_dir/<course-id>-<edition>.epub. Problems in course.yaml's
 * strings the book repeats (title, authors...) are reported here and make
 * epub_end fail. NULL after reporting when the file cannot be created. */
epub_book *epub_begin(const edition_ctx *ctx);

/* The same book for `coursec check`: every module is rendered and checked
 * exactly as epub_begin's, in memory, and nothing is written (ctx->out_dir
 * may be NULL). epub_module and epub_end take it as they take a written
 * book; epub_end then returns -1 when anything was reported as an error.
 * Never NULL. */
epub_book *epub_begin_check(const edition_ctx *ctx);

/* Add module `index` (modules come in order; a failed module may be left
 * out) from its guarded tree. Problems in its sources are reported here at
 * file:line:col and make epub_end fail, but do not stop the book: call
 * epub_module for every later module too, so that they are checked in the
 * same run. Returns -1 only when the book can no longer be written (a write
 * error, reported), else 0. */
int epub_module(epub_book *b, int index, const ast_node *doc);

/* Write nav, OPF, NCX, CSS, media; close the zip; frees b. Returns 0, or -1
 * when the book was not written: an error was reported during
 * epub_begin/epub_module/epub_end (the file is removed), or, for a check
 * book, anything was reported as an error. */
int epub_end(epub_book *b);

/* Discard the book (its file removed); frees b. b may be NULL. */
void epub_abort(epub_book *b);

#endif
