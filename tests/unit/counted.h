/* counted.h — md_parse and course_load for the unit tests that count the
 * errors a call reports: each runs through a diag scope (diag.h's one error
 * channel) and adds what the scope counted to *nerr (NULL: not counted). */
#ifndef COURSEC_TEST_COUNTED_H
#define COURSEC_TEST_COUNTED_H
#include "../../compiler/course.h"
#include "../../compiler/diag.h"
#include "../../compiler/md.h"

static inline ast_node *counted_md_parse(arena *a, const char *src, size_t len, int first_line, const char *path,
                                         const md_options *opt, diag *d, int *nerr) {
    diag *s = diag_scope(d);
    ast_node *doc = md_parse(a, src, len, first_line, path, opt, s);
    if (nerr) *nerr += diag_errors(s);
    diag_free(s);
    return doc;
}

static inline course *counted_course_load(const char *dir, diag *d, int *nerr) {
    diag *s = diag_scope(d);
    course *c = course_load(dir, s);
    if (nerr) *nerr += diag_errors(s);
    diag_free(s);
    return c;
}

#endif
