/* questions.h — an edition's question banks (SPEC §11.8): from the guarded
 * trees of an edition that includes `answer`, `<id>-<edition>.questions.xml`
 * (Moodle XML) and `<id>-<edition>.gift` (GIFT), one category per module.
 *
 * What becomes a question (docs/lms.md):
 *   a `choice` div            multichoice (single with exactly one [x])
 *   a paragraph (list items are paragraphs) or table cell holding blanks
 *   with answers              Moodle cloze; in GIFT one short answer per blank
 *   a `response` div          essay, its model answer the grader information
 * Free blanks and fill-ins, blanks in worksheets and `.blanks` code, blanks
 * in headings and box titles, and choices Moodle cannot take (fewer than two
 * options, an option without text, no [x], more than ten [x]) are skipped and counted in a comment at
 * the top of both files. Question ids are `<module-id>-q<N>` (N: the
 * question's place in its module) or `<module-id>-<id>` for an element with
 * an `id`, so a module added before another leaves its ids alone. */
#ifndef COURSEC_QUESTIONS_H
#define COURSEC_QUESTIONS_H
#include "ast.h"
#include "buf.h"
#include "diag.h"
#include "page.h"

typedef struct questions_bank questions_bank;

/* A bank for the edition of ctx, which must outlive it (its pages, course
 * and edition are read, not copied). The caller frees it (questions_free). */
questions_bank *questions_new(const edition_ctx *ctx);

/* Collect the questions of page `index` (an index into ctx->pages) from its
 * guarded tree. Different pages may be collected on different threads at
 * the same time; each page once. Nothing of doc is kept. */
void questions_module(questions_bank *qb, int index, const ast_node *doc);

/* Write both files into dir, the pages' questions in page order. 0, or -1
 * after reporting to d. */
int questions_write(questions_bank *qb, const char *dir, diag *d);

void questions_free(questions_bank *qb);

#endif
