/* roles.h — the role vocabulary of a course (SPEC §11.1): which classes
 * carry which role, and the check of every name an author writes where a
 * near miss would silently print restricted content as ordinary text. Also
 * the "did you mean" distance that course.c shares for unknown keys. */
#ifndef COURSEC_ROLES_H
#define COURSEC_ROLES_H
#include "ast.h"
#include "course.h"
#include "diag.h"

/* The defaults every course starts from: answer [answer, solution] and
 * facilitator [facilitator, instructor] (course_load merges `roles:`). */
void roles_defaults(course *c);

/* The role carried by class cls (compared exactly), or NULL. */
const char *roles_class_role(const course *c, const char *cls);

/* Is name a role of the course (an edition's include: names roles)? */
int roles_is_role(const course *c, const char *name);

/* Is name well-formed as a role or role class name: [a-z][a-z0-9_-]*? */
int roles_valid_name(const char *name);

/* Where a name was written, for roles_check_name. */
typedef enum {
    ROLES_CLASS, /* a class of a div, heading, span, code, link or image */
    ROLES_KEY,   /* the key of an attribute key=value */
    ROLES_INFO   /* the first word of a fenced code block's info string */
} roles_kind;

/* Check one name (SPEC §11.1). Carriers are the classes of every role,
 * `choice`, `response`, `worksheet`, `blanks` (classes), the keys `only`
 * and `except`, and for an info word `worksheet`, `blanks` and the role
 * classes. An error (with "did you mean") when the name equals a carrier
 * of its kind ignoring case but not exactly, equals a carrier plus `s` or
 * `es` (ignoring case), or is one insertion, deletion, substitution or
 * adjacent transposition away from a carrier of six or more letters; for
 * the keys role/roles/edition/editions (any case); and for an info word
 * that is a role class. A warning for a class with a role class (or its
 * plural) as a `-`/`_`-separated part, and for a class one case change,
 * or (for the six-letter-or-longer ones) one edit but not a plural, away
 * from `hint note tip warning important exercise activity break`. A name
 * equal to a carrier or a standard class, or listed in `classes:`
 * (compared exactly), is never flagged. Reported at path:line:col.
 * Returns the number of errors (warnings do not count). */
int roles_check_name(const course *c, roles_kind kind, const char *name, const char *path, int line, int col, diag *d);

/* roles_check_name for every class and key of an attribute block. */
int roles_check_attr(const course *c, const ast_attr *at, const char *path, int line, int col, diag *d);

/* Optimal string alignment distance (Damerau-Levenshtein restricted to
 * non-overlapping edits: insertion, deletion, substitution, transposition
 * of two adjacent characters), ASCII letters compared ignoring case.
 * Strings longer than 64 bytes are never close: returns 1000. */
int roles_distance(const char *a, const char *b);

/* The "did you mean" rule shared by every unknown-name message: the name
 * of known[0..n) (n < 0: known is NULL-terminated) closest to name by
 * roles_distance, when it is at most a third of name's length away (at
 * least 1) and not the whole of it; else NULL. Returns a known[] pointer. */
const char *roles_suggest(const char *name, const char *const *known, int n);

#endif
