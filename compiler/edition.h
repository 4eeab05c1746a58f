/* edition.h — roles, only=/except=, the prune (before filters) and the guard
 * (after filters, before any writer) of SPEC §4. This is where the learner
 * guarantee lives: whatever the filter chain does, a tree that went through
 * edition_guard holds no content restricted to a role the edition lacks. */
#ifndef COURSEC_EDITION_H
#define COURSEC_EDITION_H
#include "ast.h"
#include "course.h"

int edition_includes(const course_edition *ed, const char *role);

/* Check only=/except= names against the course's editions (unknown name:
 * error at the div). Once per module, on the unpruned tree. */
int edition_check(const course *c, const course_module *m, ast_node *doc, diag *d);

/* Remove from doc everything ed excludes: answer/facilitator divs and spans,
 * only/except, Blank answers (alts), the model answer inside `response`
 * divs, the [x] marks inside `choice` divs. */
void edition_prune(ast_node *doc, const course_edition *ed);

/* The same removal again after the filters (a filter may build an `answer`
 * div in any edition; it never saw pruned content). Also drops raw nodes of
 * formats other than html. Returns the number of nodes removed. */
int edition_guard(ast_node *doc, const course_edition *ed);

#endif
