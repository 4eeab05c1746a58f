/* edition.h — roles, only=/except=, and what makes the learner guarantee
 * hold (SPEC §4, §11): the checks of a module's syntax once (role names,
 * choice, response, heading sections), the prune (before filters), the
 * guard (after filters, before any writer) and the last check of every
 * string the writers will emit (§11.5). Whatever the filter chain does, a
 * tree that passed edition_guard and edition_final_check holds no content
 * restricted to a role, or to editions, that the edition lacks. */
#ifndef COURSEC_EDITION_H
#define COURSEC_EDITION_H
#include "ast.h"
#include "course.h"

int edition_includes(const course_edition *ed, const char *role);

/* Does an attribute block exclude ed: a class that carries a role ed does
 * not include, an only= (any, if repeated) that does not name it, an
 * except= that does? */
int edition_excludes(const course *c, const course_edition *ed, const ast_attr *at);

/* Once per module, on the unpruned tree: only=/except= name editions of the
 * course; every class, key and info word passes roles_check_name; a choice
 * has a task list (no [x]: a warning; select=one: exactly one); lines= is a
 * positive integer; no heading of a restricted heading's level or higher
 * inside a container of its section; blank syntax in no attribute value.
 * Reports each problem; returns -1 if there were errors. */
int edition_check(const course *c, const course_module *m, ast_node *doc, diag *d);

/* Remove from doc everything ed excludes: restricted nodes (a heading with
 * its section), Blank answers, links through restricted definitions (their
 * text stays, as if the definition did not exist), the model answer inside
 * `response` divs, the [x] marks inside `choice` divs. Returns the number
 * of removals (0: the edition sees the module whole). Nodes the prune
 * makes (the brackets of such links) are allocated in a, the tree's arena. */
int edition_prune(const course *c, arena *a, ast_node *doc, const course_edition *ed);

/* The same removal again after the filters (a filter may build an `answer`
 * div in any edition; it never saw pruned content), keeping what the
 * filters made of response divs; also drops raw nodes of formats other
 * than html. Returns the number of removals. */
int edition_guard(const course *c, arena *a, ast_node *doc, const course_edition *ed);

/* The last check before the writers (SPEC §11.5), on the guarded tree of
 * one module: any node that carries a role ed lacks or an only=/except=
 * that excludes ed, and, when ed has no `answer` role, any Blank answer,
 * choice mark or blank syntax `[[…]]` in a string the writers emit (text,
 * code, raw HTML, URL, title, info, label, attribute value) that the
 * parser did not mark literal. Each is an error at the node (path: the
 * module); returns the number of errors. */
int edition_final_check(const course *c, const course_edition *ed, const ast_node *doc, const char *path, diag *d);

/* The same check for one plain string the writers emit outside the trees
 * (course metadata, a page title, a nav label): blank syntax there is an
 * error unless every `[[` of it is written `\[[` or literal says the
 * string's brackets are literal. what names it in the message. */
int edition_final_check_string(const course_edition *ed, const char *what, const char *s, int literal,
                               const char *path, diag *d);

#endif
