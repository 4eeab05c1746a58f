/* edition.c — roles, only=/except=, and the two removals that make the
 * learner guarantee hold: the prune before the filters and the guard after
 * them (SPEC §4). Role-restricted classes are `answer` and `facilitator`. */
#include "edition.h"
#include <string.h>

int edition_includes(const course_edition *ed, const char *role) {
    for (int i = 0; i < ed->ninclude; i++)
        if (strcmp(ed->include[i], role) == 0) return 1;
    return 0;
}

/* Step through a comma-separated list of names (spaces allowed): sets *s
 * and *n to the next non-empty name and returns 1, or returns 0 at the end. */
static int next_name(const char **p, const char **s, size_t *n) {
    for (;;) {
        while (**p == ' ' || **p == ',') (*p)++;
        if (!**p) return 0;
        const char *b = *p;
        while (**p && **p != ',') (*p)++;
        const char *e = *p;
        while (e > b && e[-1] == ' ') e--;
        if (e > b) {
            *s = b;
            *n = (size_t)(e - b);
            return 1;
        }
    }
}

/* Does the comma-separated list name `name`? */
static int list_names(const char *list, const char *name) {
    size_t nl = strlen(name), n;
    const char *p = list, *s;
    while (next_name(&p, &s, &n))
        if (n == nl && memcmp(s, name, nl) == 0) return 1;
    return 0;
}

/* Is this node (div or span) excluded from ed by its classes or only/except? */
static int excluded(const ast_node *n, const course_edition *ed) {
    if (n->type != AST_DIV && n->type != AST_SPAN) return 0;
    if (ast_has_class(n, "answer") && !edition_includes(ed, "answer")) return 1;
    if (ast_has_class(n, "facilitator") && !edition_includes(ed, "facilitator")) return 1;
    const char *only = ast_attr_get(&n->attr, "only");
    if (only && !list_names(only, ed->name)) return 1;
    const char *except = ast_attr_get(&n->attr, "except");
    if (except && list_names(except, ed->name)) return 1;
    return 0;
}

static void strip_choice_marks(ast_node *n) {
    if (n->type == AST_ITEM && n->checked == 1) n->checked = 0;
    if (n->type == AST_ITEM && ast_has_class(n, "correct")) {
        /* drop every class that starts with "correct" */
        int k = 0;
        for (int i = 0; i < n->attr.nclasses; i++)
            if (strncmp(n->attr.classes[i], "correct", 7) != 0) n->attr.classes[k++] = n->attr.classes[i];
        n->attr.nclasses = k;
    }
    for (ast_node *c = n->first; c; c = c->next) strip_choice_marks(c);
}

/* One recursive pass; `before_filters` selects the prune-only rules that
 * would destroy what the filters render (the learner's ruled lines). */
static int remove_pass(ast_node *n, const course_edition *ed, int answers, int before_filters) {
    int removed = 0;
    if (n->type == AST_BLANK && !answers && n->alts) {
        n->alts = NULL;
        removed++;
    }
    if (!answers && n->type == AST_DIV && ast_has_class(n, "choice")) strip_choice_marks(n);
    if (!answers && before_filters && n->type == AST_DIV && ast_has_class(n, "response")) {
        while (n->first) {
            ast_unlink(n->first);
            removed++;
        }
    }
    ast_node *c = n->first;
    while (c) {
        ast_node *next = c->next;
        if (excluded(c, ed)) {
            ast_unlink(c);
            removed++;
        } else if (!before_filters && (c->type == AST_HTMLBLOCK || c->type == AST_HTMLINLINE) && c->format &&
                   strcmp(c->format, "html") != 0) {
            ast_unlink(c);
        } else if (c->first || c->type == AST_BLANK) {
            /* (a leaf other than a Blank has nothing to remove: no call) */
            removed += remove_pass(c, ed, answers, before_filters);
        }
        c = next;
    }
    return removed;
}

void edition_prune(ast_node *doc, const course_edition *ed) {
    remove_pass(doc, ed, edition_includes(ed, "answer"), 1);
}

int edition_guard(ast_node *doc, const course_edition *ed) {
    return remove_pass(doc, ed, edition_includes(ed, "answer"), 0);
}

typedef struct check_ctx {
    const course *c;
    const course_module *m;
    diag *d;
    int nerr;
} check_ctx;

static void check_list(check_ctx *k, const ast_node *n, const char *key) {
    const char *list = ast_attr_get(&n->attr, key);
    if (!list) return;
    const char *p = list, *s;
    size_t len;
    int any = 0;
    while (next_name(&p, &s, &len)) {
        any = 1;
        int found = 0;
        for (int i = 0; i < k->c->neditions; i++)
            if (strlen(k->c->editions[i].name) == len && memcmp(k->c->editions[i].name, s, len) == 0) found = 1;
        if (!found) {
            diag_report(k->d, DIAG_ERROR, k->m->path, n->line, n->col,
                        "%s=%s names edition `%.*s`, which the course does not define (editions are in course.yaml)",
                        key, list, (int)len, s);
            k->nerr++;
        }
    }    if (!any) {
        diag_report(k->d, DIAG_ERROR, k->m->path, n->line, n->col, "%s= needs at least one edition name", key);
        k->nerr++;
    }
}

static int check_visit(ast_node *n, void *ud) {
    if (n->type == AST_DIV || n->type == AST_SPAN) {
        check_list(ud, n, "only");
        check_list(ud, n, "except");
    }
    return 0;
}

int edition_check(const course *c, const course_module *m, ast_node *doc, diag *d) {
    check_ctx k = {c, m, d, 0};
    ast_walk(doc, check_visit, &k);
    return k.nerr ? -1 : 0;
}
