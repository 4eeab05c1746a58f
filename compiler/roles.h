/* roles.h — the role vocabulary of a course (SPEC §11.1): which classes
 * carry which role, and the check of every name an author writes where a
 * near miss would silently print restricted content as ordinary text. */
#ifndef COURSEC_ROLES_H
#define COURSEC_ROLES_H
#include "ast.h"
#include "course.h"
#include "diag.h"

/* The defaults every course starts from (course_load merges `roles:`). */
void roles_defaults(course *c);

/* The role carried by class cls (compared exactly), or NULL. */
const char *roles_class_role(const course *c, const char *cls);

/* Is name a role of the course (an edition's include: names roles)? */
int roles_is_role(const course *c, const char *name);

/* Where a name was written, for roles_check_name. */
typedef enum {
    ROLES_CLASS, /* a class of a div, heading, span, code, link or image */
    ROLES_KEY,   /* the key of an attribute key=value */
    ROLES_INFO   /* the first word of a fenced code block's info string */
} roles_kind;

/* Check one name (SPEC §11.1): an error (with "did you mean") for a near
 * miss of a carrier, for the keys role/roles/edition/editions and for a
 * role class as the first word of an info string; a warning for a class
 * with a role word as a `-`/`_` part and for a near miss of another
 * standard class. Names in `classes:` are never flagged. Reported at
 * path:line:col. Returns the number of errors (warnings do not count). */
int roles_check_name(const course *c, roles_kind kind, const char *name, const char *path, int line, int col,
                     diag *d);

/* roles_check_name for every class and key of an attribute block. */
int roles_check_attr(const course *c, const ast_attr *at, const char *path, int line, int col, diag *d);

#endif
