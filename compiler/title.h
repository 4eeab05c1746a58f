/* title.h — titles as the writers show them (SPEC §1.2, §2.1, §11.2, §11.4):
 * plain text in which blanks contribute nothing, `{{ var }}` resolved as in
 * a heading, and per edition, since a restricted H1 does not title its
 * module in an edition that excludes it. */
#ifndef COURSEC_TITLE_H
#define COURSEC_TITLE_H
#include "ast.h"
#include "course.h"

/* What pass 1 keeps of one module for its titles (in the arena given to
 * title_collect). */
typedef struct title_src {
    const char *yaml;      /* course.yaml or front-matter title, plain, or NULL */
    int yaml_literal;      /* its `[[` are literal (written `\[[`) */
    const char **h1;       /* the top-level level-1 headings, plain */
    ast_attr *h1_attr;     /* and their attributes */
    int *h1_literal;
    int nh1;
    const char *file_base; /* the file name without its extension */
} title_src;

/* Variables for titles: the --var pairs of the command line, and whether the
 * chain resolves variables at all (the standard `vars` filter). */
typedef struct title_vars {
    const char **names, **values;
    int n;
    int resolve;
} title_vars;

/* A YAML title (or subtitle, edition title) as plain text: blanks contribute
 * nothing, `\[[` is `[[` (*literal set). Problems are reported to d. */
const char *title_plain(arena *a, const char *s, int line, int col, const char *path, diag *d, int *literal);

/* Pass 1: what m's titles come from, from its unpruned tree (doc may be
 * NULL). A YAML title with a blank and no H1 in the module: an H1 made of
 * the title (its blank shown as blanks are) is put first in doc, so that an
 * edition with answers shows the answer there. roles: the role classes
 * (ast_title_text). */
void title_collect(arena *a, const course_module *m, ast_node *doc, const char *const *roles, title_src *out,
                   diag *d);

/* s with `{{ name }}` resolved as in a heading when v says so (built-ins
 * course.title, course.id, module.id, edition; m and ed may be NULL: for
 * the course's own titles, where neither course.title nor edition is
 * known); an unresolved variable or a fill-in contributes nothing, `\{{`
 * is `{{`. *literal is set when a value brought a literal `[[`. */
const char *title_expand(arena *a, const course *c, const course_module *m, const char *module_id,
                         const course_edition *ed, const title_vars *v, const char *s, int *literal);

/* A copy of src in arena a (pass 1 keeps it beyond the module's arena). */
void title_copy(arena *a, const title_src *src, title_src *out);

/* The title of module m in edition ed: the YAML title, else the first H1
 * ed does not exclude, else the file name; variables resolved when v says
 * so (built-ins course.title, course.id, module.id, edition; an unresolved
 * variable or a fill-in contributes nothing). *literal: its `[[` are
 * literal. Allocated in a. */
const char *title_for(arena *a, const course *c, const course_module *m, const char *module_id,
                      const title_src *t, const course_edition *ed, const title_vars *v, int *literal);

#endif
