/* roles.c — the role vocabulary (SPEC §11.1): default roles, class → role
 * lookup, the near-miss checks of names authors write, and the edit
 * distance behind every "did you mean". */
#include "roles.h"
#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Carriers other than the role classes (SPEC §11.1), per kind of name. */
static const char *const carrier_classes[] = {"choice", "response", "worksheet", "blanks", NULL};
static const char *const carrier_keys[] = {"only", "except", NULL};
static const char *const carrier_info[] = {"worksheet", "blanks", NULL};
/* Keys that look like a restriction but are none. */
static const char *const false_keys[] = {"role", "roles", "edition", "editions", NULL};
/* Standard classes that carry nothing; their near misses are warnings. */
static const char *const standard_classes[] = {"hint",     "note",     "tip",   "warning", "important",
                                               "exercise", "activity", "break", NULL};
/* Other names with a meaning of their own: fine as written (§11.4). */
static const char *const other_known[] = {"literal", NULL};

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

int roles_valid_name(const char *name) {
    if (!name || !(*name >= 'a' && *name <= 'z')) return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')) return 0;
    return 1;
}

int roles_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return 1000;
    /* three rows: i-2 (for transpositions), i-1, i */
    int r0[65], r1[65], r2[65];
    int *pp = r0, *p = r1, *cur = r2;
    for (size_t j = 0; j <= lb; j++) p[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        int ai = tolower((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= lb; j++) {
            int bj = tolower((unsigned char)b[j - 1]);
            int v = p[j - 1] + (ai != bj);
            if (p[j] + 1 < v) v = p[j] + 1;
            if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) && tolower((unsigned char)a[i - 2]) == bj &&
                pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cur[j] = v;
        }
        int *t = pp;
        pp = p, p = cur, cur = t;
    }
    return p[lb];
}

const char *roles_suggest(const char *name, const char *const *known, int n) {
    const char *best = NULL;
    int bd = 1 << 30;
    for (int i = 0; n < 0 ? known[i] != NULL : i < n; i++) {
        int dd = roles_distance(name, known[i]);
        if (dd < bd) bd = dd, best = known[i];
    }
    int len = (int)strlen(name);
    int limit = (len + 2) / 3;
    if (limit < 1) limit = 1;
    return best && bd <= limit && bd < len ? best : NULL;
}

/* ---- roles_check_name ---------------------------------------------------- */

static int in_list(const char *const *list, const char *name) {
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], name) == 0) return 1;
    return 0;
}

static int in_list_nocase(const char *const *list, const char *name) {
    for (int i = 0; list[i]; i++)
        if (strcasecmp(list[i], name) == 0) return 1;
    return 0;
}

static int is_quiet(const course *c, const char *name) {
    for (int i = 0; i < c->nquiet_classes; i++)
        if (strcmp(c->quiet_classes[i], name) == 0) return 1;
    return 0;
}

/* name is w + "s" or w + "es", ignoring case. */
static int is_plural_of(const char *name, size_t n, const char *w) {
    size_t k = strlen(w);
    if (n == k + 1) return strncasecmp(name, w, k) == 0 && tolower((unsigned char)name[k]) == 's';
    if (n == k + 2)
        return strncasecmp(name, w, k) == 0 && tolower((unsigned char)name[k]) == 'e' &&
               tolower((unsigned char)name[k + 1]) == 's';
    return 0;
}

/* The i-th carrier for names of this kind (the fixed ones, then every
 * role class where they count), or NULL past the last. */
static const char *carrier_at(const course *c, roles_kind kind, int i) {
    const char *const *fixed = kind == ROLES_KEY ? carrier_keys : kind == ROLES_INFO ? carrier_info : carrier_classes;
    int nf = 0;
    while (fixed[nf]) nf++;
    if (i < nf) return fixed[i];
    if (kind == ROLES_KEY) return NULL;
    i -= nf;
    for (int r = 0; r < c->nroles; r++) {
        if (i < c->roles[r].nclasses) return c->roles[r].classes[i];
        i -= c->roles[r].nclasses;
    }
    return NULL;
}

/* A carrier the name misses narrowly, trying the rules in order of
 * certainty (case, plural, one edit), or NULL. */
static const char *near_carrier(const course *c, roles_kind kind, const char *name) {
    size_t n = strlen(name);
    for (int rule = 0; rule < 3; rule++) {
        const char *w;
        for (int i = 0; (w = carrier_at(c, kind, i)) != NULL; i++) {
            if (rule == 0 && strcasecmp(name, w) == 0) return w;
            if (rule == 1 && is_plural_of(name, n, w)) return w;
            if (rule == 2 && strlen(w) >= 6 && roles_distance(name, w) == 1) return w;
        }
    }
    return NULL;
}

/* A role class (or its plural) that is one `-`/`_`-separated part of a
 * class of two parts or more, or NULL. */
static const char *role_part(const course *c, const char *name) {
    if (!strpbrk(name, "-_")) return NULL;
    const char *p = name;
    while (*p) {
        size_t k = strcspn(p, "-_");
        for (int r = 0; r < c->nroles; r++)
            for (int i = 0; i < c->roles[r].nclasses; i++) {
                const char *w = c->roles[r].classes[i];
                if (k && ((strlen(w) == k && strncasecmp(p, w, k) == 0) || is_plural_of(p, k, w))) return w;
            }
        p += k;
        if (*p) p++;
    }
    return NULL;
}

/* A standard class the name misses narrowly (SPEC §11.1), or NULL. */
static const char *near_standard(const char *name) {
    size_t n = strlen(name);
    for (int i = 0; standard_classes[i]; i++) {
        const char *w = standard_classes[i];
        if (strcasecmp(name, w) == 0) return w;
        if (strlen(w) >= 6 && !is_plural_of(name, n, w) && roles_distance(name, w) == 1) return w;
    }
    return NULL;
}

int roles_check_name(const course *c, roles_kind kind, const char *name, const char *path, int line, int col, diag *d) {
    if (!name || !*name || is_quiet(c, name)) return 0;
    if (kind == ROLES_KEY && in_list_nocase(false_keys, name)) {
        diag_report(d, DIAG_ERROR, path, line, col,
                    "attribute `%s=` restricts nothing: use `only=`/`except=` with edition names, or a role class "
                    "such as `.answer`",
                    name);
        return 1;
    }
    if (kind == ROLES_INFO && roles_class_role(c, name)) {
        diag_report(d, DIAG_ERROR, path, line, col,
                    "`%s` code block: wrap it in `::: %s` instead (an info string names a language and restricts "
                    "nothing, so every edition would show it)",
                    name, name);
        return 1;
    }
    /* exactly a carrier or a standard class: what the author meant */
    const char *w;
    for (int i = 0; (w = carrier_at(c, kind, i)) != NULL; i++)
        if (strcmp(name, w) == 0) return 0;
    if (kind == ROLES_CLASS && (in_list(standard_classes, name) || in_list(other_known, name))) return 0;

    const char *near = near_carrier(c, kind, name);
    if (near) {
        if (kind == ROLES_KEY)
            diag_report(d, DIAG_ERROR, path, line, col,
                        "attribute `%s=` is not `%s=`: as written it restricts nothing (did you mean `%s`?)", name,
                        near, near);
        else if (kind == ROLES_INFO && roles_class_role(c, near))
            diag_report(d, DIAG_ERROR, path, line, col,
                        "`%s` code block: did you mean `%s`? An info string restricts nothing: wrap the block in "
                        "`::: %s` instead",
                        name, near, near);
        else if (kind == ROLES_INFO)
            diag_report(d, DIAG_ERROR, path, line, col,
                        "code block `%s` is not a `%s` block: as written its `[[…]]` stay text in every edition "
                        "(did you mean `%s`?)",
                        name, near, near);
        else if (roles_class_role(c, near))
            diag_report(d, DIAG_ERROR, path, line, col,
                        "class `%s` is not the role class `%s`: as written it restricts nothing and every edition "
                        "shows this content (did you mean `%s`? if the name is meant, list it under `classes:` "
                        "in course.yaml)",
                        name, near, near);
        else
            diag_report(d, DIAG_ERROR, path, line, col,
                        "class `%s` is not `%s`: as written it does nothing and what `%s` would hide reaches every "
                        "edition (did you mean `%s`? if the name is meant, list it under `classes:` in "
                        "course.yaml)",
                        name, near, near, near);
        return 1;
    }
    if (kind != ROLES_CLASS) return 0;
    const char *part = role_part(c, name);
    if (part) {
        diag_report(d, DIAG_WARNING, path, line, col,
                    "class `%s` has the role word `%s` in it but restricts nothing: every edition shows it (add "
                    "`.%s` to restrict it; list `%s` under `classes:` in course.yaml to silence this)",
                    name, part, part, name);
        return 0;
    }
    const char *std = near_standard(name);
    if (std)
        diag_report(d, DIAG_WARNING, path, line, col,
                    "class `%s` is not the standard class `%s` (did you mean `%s`? if the name is meant, list it "
                    "under `classes:` in course.yaml)",
                    name, std, std);
    return 0;
}

int roles_check_attr(const course *c, const ast_attr *at, const char *path, int line, int col, diag *d) {
    int nerr = 0;
    for (int i = 0; i < at->nclasses; i++) nerr += roles_check_name(c, ROLES_CLASS, at->classes[i], path, line, col, d);
    for (int i = 0; i < at->nkv; i++) nerr += roles_check_name(c, ROLES_KEY, at->kv[i].key, path, line, col, d);
    return nerr;
}
