/* edition.c — roles, only=/except=, and the removals that make the learner
 * guarantee hold (SPEC §4, §11): the checks of a module once, the prune
 * before the filters, the guard after them and the last check of every
 * string before the writers. A class carries a role when course.yaml's
 * role vocabulary says so (roles.h). */
#include "edition.h"
#include "md.h"
#include "roles.h"
#include "strindex.h"
#include "util.h"
#include <stdlib.h>
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

int edition_excludes(const course *c, const course_edition *ed, const ast_attr *at) {
    for (int i = 0; i < at->nclasses; i++) {
        const char *role = roles_class_role(c, at->classes[i]);
        if (role && !edition_includes(ed, role)) return 1;
    }
    for (int i = 0; i < at->nkv; i++) {
        if (strcmp(at->kv[i].key, "only") == 0 && !list_names(at->kv[i].value, ed->name)) return 1;
        if (strcmp(at->kv[i].key, "except") == 0 && list_names(at->kv[i].value, ed->name)) return 1;
    }
    return 0;
}

static int excluded(const course *c, const course_edition *ed, const ast_node *n) {
    if ((n->attr.nclasses || n->attr.nkv) && edition_excludes(c, ed, &n->attr)) return 1;
    /* a footnote written inside restricted content follows it */
    return n->type == AST_FOOTNOTE && (n->defr.nclasses || n->defr.nkv) && edition_excludes(c, ed, &n->defr);
}

static int has_class_prefix(const ast_node *n, const char *prefix, size_t len) {
    for (int i = 0; i < n->attr.nclasses; i++)
        if (strncmp(n->attr.classes[i], prefix, len) == 0) return 1;
    return 0;
}

static void strip_choice_marks(ast_node *n) {
    if (n->type == AST_ITEM && n->checked == 1) n->checked = 0;
    if (has_class_prefix(n, "correct", 7)) {
        /* drop every class that starts with "correct" */
        int k = 0;
        for (int i = 0; i < n->attr.nclasses; i++)
            if (strncmp(n->attr.classes[i], "correct", 7) != 0) n->attr.classes[k++] = n->attr.classes[i];
        n->attr.nclasses = k;
    }
    for (ast_node *c = n->first; c; c = c->next) strip_choice_marks(c);
}

/* A link or image through a definition the edition excludes renders as if
 * the definition did not exist: its brackets and text, no URL, no title. */
static ast_node *undefine(arena *a, ast_node *n) {
    ast_node *open = ast_new(a, AST_TEXT, n->line, n->col);
    open->text = n->type == AST_IMAGE ? "![" : "[";
    ast_node *close = ast_new(a, AST_TEXT, n->line, n->col);
    close->text = "]";
    ast_insert_before(n, open);
    while (n->first) {
        ast_node *ch = n->first;
        ast_unlink(ch);
        ast_insert_before(n, ch);
    }
    ast_insert_before(n, close);
    ast_unlink(n);
    return open;
}

typedef struct pass {
    const course *c;
    const course_edition *ed;
    arena *a;          /* the tree's: for the text of undefined links */
    int answers;       /* ed includes `answer` */
    int before_filters;
    int removed;
} pass;

/* Unlink n and, for a heading, the rest of its section: the following
 * siblings up to the next heading of the same or a higher level (or the
 * footnotes). Returns
 * the node after what was removed. */
static ast_node *remove_node(pass *P, ast_node *n) {
    ast_node *next = n->next;
    if (n->type == AST_HEADING) {
        /* footnotes stand last but belong to no section: their own
         * restrictions (defr) decide */
        while (next && !(next->type == AST_HEADING && next->level <= n->level) && next->type != AST_FOOTNOTE) {
            ast_node *nn = next->next;
            ast_unlink(next);
            P->removed++;
            next = nn;
        }
    }
    ast_unlink(n);
    P->removed++;
    return next;
}

static void remove_pass(pass *P, ast_node *n) {
    if (n->type == AST_BLANK && !P->answers && n->alts) {
        n->alts = NULL;
        P->removed++;
    }
    for (ast_node *alt = n->alts; alt; alt = alt->next) remove_pass(P, alt);
    if (!P->answers && n->type == AST_DIV && ast_has_class(n, "choice")) strip_choice_marks(n);
    if (!P->answers && P->before_filters && n->type == AST_DIV && ast_has_class(n, "response")) {
        while (n->first) {
            ast_unlink(n->first);
            P->removed++;
        }
    }
    ast_node *c = n->first;
    while (c) {
        if (excluded(P->c, P->ed, c)) {
            c = remove_node(P, c);
            continue;
        }
        if ((c->type == AST_LINK || c->type == AST_IMAGE) && (c->defr.nclasses || c->defr.nkv) &&
            edition_excludes(P->c, P->ed, &c->defr)) {
            c = undefine(P->a, c); /* its text is processed next, as siblings */
            P->removed++;
            continue;
        }
        ast_node *next = c->next;
        if (!P->before_filters && (c->type == AST_HTMLBLOCK || c->type == AST_HTMLINLINE) && c->format &&
            strcmp(c->format, "html") != 0) {
            ast_unlink(c);
        } else if (c->first || c->type == AST_BLANK) {
            remove_pass(P, c);
        }
        c = next;
    }
}

/* ---- footnotes (SPEC §11.2) ---------------------------------------------------- */

typedef struct notes {
    pass *P;
    ast_node *doc;
    ast_node **defs;
    int n, cap;
    strindex *ix; /* labels of defs */
    int numbered;
} notes;

/* Unlink every Footnote of the tree (a filter may have moved one), in
 * document order, its own nested ones after it. */
static void take_notes(notes *N, ast_node *n) {
    for (ast_node *c = n->first; c;) {
        ast_node *next = c->next;
        if (c->type == AST_FOOTNOTE) {
            ast_unlink(c);
            if (N->n == N->cap) {
                N->cap = N->cap ? N->cap * 2 : 16;
                N->defs = xrealloc(N->defs, sizeof *N->defs * (size_t)N->cap);
            }
            N->defs[N->n++] = c;
            c->width = c->start = 0;
        }
        if (c->first) take_notes(N, c);
        c = next;
    }
}

/* Number the references in document order; a footnote goes back to the
 * end of the document when its first reference is met, so footnotes stand
 * in the order of their numbers. A reference whose footnote is gone (left
 * out of this edition) reads as if it had no definition: `[^label]`. */
static void number_notes(notes *N, ast_node *n) {
    for (ast_node *c = n->first; c;) {
        if (c->type == AST_NOTEREF) {
            int k = c->label ? strindex_find(N->ix, c->label, strlen(c->label)) : -1;
            ast_node *d = k >= 0 ? N->defs[k] : NULL;
            if (!d) {
                ast_node *t = ast_new(N->P->a, AST_TEXT, c->line, c->col);
                t->text = arena_printf(N->P->a, "[^%s]", c->label ? c->label : "");
                ast_insert_before(c, t);
                ast_unlink(c);
                N->P->removed++;
                c = t;
            } else {
                if (!d->width) {
                    d->width = ++N->numbered;
                    ast_append(N->doc, d);
                }
                c->width = d->width;
                c->start = ++d->start;
            }
        } else if (c->first) {
            number_notes(N, c);
        }
        c = c->next;
    }
}

/* After the removals: footnotes at the end in the order of their numbers,
 * each reference numbered; a footnote no reference is left to is removed. */
static void footnotes(pass *P, ast_node *doc) {
    notes N = {P, doc, NULL, 0, 0, NULL, 0};
    take_notes(&N, doc);
    if (N.n) {
        const char **keys = xmalloc(sizeof *keys * (size_t)N.n);
        for (int i = 0; i < N.n; i++) keys[i] = N.defs[i]->label;
        N.ix = strindex_new(keys, N.n);
        free(keys);
    }
    number_notes(&N, doc);
    P->removed += N.n - N.numbered;
    strindex_free(N.ix);
    free(N.defs);
}

int edition_prune(const course *c, arena *a, ast_node *doc, const course_edition *ed) {
    pass P = {c, ed, a, edition_includes(ed, "answer"), 1, 0};
    remove_pass(&P, doc);
    footnotes(&P, doc);
    return P.removed;
}

int edition_guard(const course *c, arena *a, ast_node *doc, const course_edition *ed) {
    pass P = {c, ed, a, edition_includes(ed, "answer"), 0, 0};
    remove_pass(&P, doc);
    footnotes(&P, doc);
    return P.removed;
}

/* ---- the checks of a module ------------------------------------------------ */

typedef struct check_ctx {
    const course *c;
    const course_module *m;
    diag *d;
    int nerr;
} check_ctx;

static void check_list(check_ctx *k, const ast_node *n, const char *key, const char *list) {
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
    }
    if (!any) {
        diag_report(k->d, DIAG_ERROR, k->m->path, n->line, n->col, "%s= needs at least one edition name", key);
        k->nerr++;
    }
}

static int restricts(const course *c, const ast_attr *at) {
    for (int i = 0; i < at->nclasses; i++)
        if (roles_class_role(c, at->classes[i])) return 1;
    return ast_attr_get(at, "only") || ast_attr_get(at, "except");
}

/* A heading of level <= level inside n (a container of a restricted
 * section): the first one, or NULL. */
static const ast_node *heading_in(const ast_node *n, int level) {
    for (const ast_node *c = n->first; c; c = c->next) {
        if (c->type == AST_HEADING && c->level <= level) return c;
        const ast_node *h = c->first ? heading_in(c, level) : NULL;
        if (h) return h;
    }
    return NULL;
}

static void check_sections(check_ctx *k, const ast_node *n) {
    for (const ast_node *c = n->first; c; c = c->next) {
        if (c->type != AST_HEADING || !restricts(k->c, &c->attr)) continue;
        for (const ast_node *s = c->next; s && !(s->type == AST_HEADING && s->level <= c->level); s = s->next) {
            const ast_node *h = s->first ? heading_in(s, c->level) : NULL;
            if (h) {
                diag_report(k->d, DIAG_ERROR, k->m->path, h->line, h->col,
                            "this heading is inside the section of the restricted heading at line %d, one level "
                            "down in a %s: it cannot end that section there (close the %s first, or lower the "
                            "heading's level)",
                            c->line, ast_type_name(s->type), ast_type_name(s->type));
                k->nerr++;
            }
        }
    }
}

/* The task items of a choice: how many, and how many marked. */
static void count_items(const ast_node *n, int *items, int *marked) {
    for (const ast_node *c = n->first; c; c = c->next) {
        if (c->type == AST_ITEM && c->checked >= 0) {
            (*items)++;
            if (c->checked == 1) (*marked)++;
        }
        if (c->first) count_items(c, items, marked);
    }
}

static void check_choice(check_ctx *k, const ast_node *n) {
    int items = 0, marked = 0;
    count_items(n, &items, &marked);
    const char *sel = ast_attr_get(&n->attr, "select");
    if (!items) {
        diag_report(k->d, DIAG_ERROR, k->m->path, n->line, n->col,
                    "this choice has no task list: write its options as `- [ ] option` and mark the right ones "
                    "`- [x] option`");
        k->nerr++;
    } else if (sel && strcmp(sel, "one") != 0) {
        diag_report(k->d, DIAG_ERROR, k->m->path, n->line, n->col,
                    "select=%s: the only value is `one` (a single right option); leave it out for any number", sel);
        k->nerr++;
    } else if (sel && marked != 1) {
        diag_report(k->d, DIAG_ERROR, k->m->path, n->line, n->col,
                    "select=one needs exactly one option marked `[x]`, this choice has %d", marked);
        k->nerr++;
    } else if (!marked) {
        diag_report(k->d, DIAG_WARNING, k->m->path, n->line, n->col,
                    "no option of this choice is marked `[x]`: the answer key will show none as right");
    }
}

static void check_lines(check_ctx *k, const ast_node *n) {
    const char *v = ast_attr_get(&n->attr, "lines");
    if (!v) return;
    char *end;
    long l = strtol(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || l < 1 || l > 1000) {
        diag_report(k->d, DIAG_ERROR, k->m->path, n->line, n->col,
                    "lines=%s: write the number of ruled lines as a positive whole number (lines=4)", v);
        k->nerr++;
    }
}

static void check_attr_blanks(check_ctx *k, const ast_node *n) {
    const ast_attr *at = &n->attr;
    const char *what = NULL, *v = NULL;
    if (at->id && md_find_blank_syntax(at->id, strlen(at->id)) >= 0) what = "id", v = at->id;
    for (int i = 0; !what && i < at->nclasses; i++)
        if (md_find_blank_syntax(at->classes[i], strlen(at->classes[i])) >= 0) what = "class", v = at->classes[i];
    for (int i = 0; !what && i < at->nkv; i++)
        if (md_find_blank_syntax(at->kv[i].value, strlen(at->kv[i].value)) >= 0) what = at->kv[i].key, v = at->kv[i].value;
    if (!what) return;
    diag_report(k->d, DIAG_ERROR, k->m->path, n->line, n->col,
                "a blank cannot stand in the attribute `%s` (`%s`): blanks are allowed in the text, and in the "
                "title= of an exercise or activity",
                what, v);
    k->nerr++;
}

static int check_visit(ast_node *n, void *ud) {
    check_ctx *k = ud;
    if (n->attr.nclasses || n->attr.nkv || n->attr.id) {
        k->nerr += roles_check_attr(k->c, &n->attr, k->m->path, n->line, n->col, k->d);
        for (int i = 0; i < n->attr.nkv; i++)
            if (strcmp(n->attr.kv[i].key, "only") == 0 || strcmp(n->attr.kv[i].key, "except") == 0)
                check_list(k, n, n->attr.kv[i].key, n->attr.kv[i].value);
        check_attr_blanks(k, n);
    }
    if ((n->type == AST_CODEBLOCK || n->type == AST_WORKSHEET) && n->info && *n->info)
        k->nerr += roles_check_name(k->c, ROLES_INFO, n->info, k->m->path, n->line, n->col, k->d);
    if (n->type == AST_DIV && ast_has_class(n, "choice")) check_choice(k, n);
    if (n->type == AST_DIV && ast_has_class(n, "response")) check_lines(k, n);
    if (n->first) check_sections(k, n);
    return 0;
}

int edition_check(const course *c, const course_module *m, ast_node *doc, diag *d) {
    check_ctx k = {c, m, d, 0};
    ast_walk(doc, check_visit, &k);
    return k.nerr ? -1 : 0;
}

/* ---- the last check ------------------------------------------------------------ */

typedef struct final_ctx {
    const course *c;
    const course_edition *ed;
    const char *path;
    diag *d;
    int answers;
    int nerr;
} final_ctx;

static void refuse(final_ctx *f, const ast_node *n, const char *what) {
    diag_report(f->d, DIAG_ERROR, f->path, n->line, n->col,
                "the %s edition would hold %s: the build stops here (a filter made it, or coursec has a bug; "
                "please report it)",
                f->ed->name, what);
    f->nerr++;
}

/* Blank syntax in s that a backslash does not escape. */
static int raw_blank(const char *s) { return s && md_find_blank_syntax(s, strlen(s)) >= 0; }

static int final_visit(ast_node *n, void *ud) {
    final_ctx *f = ud;
    if ((n->attr.nclasses || n->attr.nkv) && edition_excludes(f->c, f->ed, &n->attr))
        refuse(f, n, "content restricted to other editions or roles");
    if ((n->defr.nclasses || n->defr.nkv) && edition_excludes(f->c, f->ed, &n->defr))
        refuse(f, n, "a link or footnote through a restricted definition");
    if (f->answers) return 0;
    if (n->type == AST_BLANK && n->alts) refuse(f, n, "a blank's answer");
    if (n->type == AST_ITEM && n->checked == 1 && n->parent) {
        for (const ast_node *u = n->parent; u; u = u->parent)
            if (u->type == AST_DIV && ast_has_class(u, "choice")) {
                refuse(f, n, "a choice's [x] mark");
                break;
            }
    }
    if (has_class_prefix(n, "correct", 7)) refuse(f, n, "a `correct` class");
    int lit = n->literal;
    if ((!lit && raw_blank(n->text)) || (!lit && (raw_blank(n->url) || raw_blank(n->title))))
        refuse(f, n, "blank syntax `[[…]]` written as text");
    if (raw_blank(n->info) || raw_blank(n->label) || raw_blank(n->attr.id))
        refuse(f, n, "blank syntax `[[…]]` in an info string, label or id");
    for (int i = 0; i < n->attr.nclasses; i++)
        if (raw_blank(n->attr.classes[i])) refuse(f, n, "blank syntax `[[…]]` in a class");
    for (int i = 0; i < n->attr.nkv; i++)
        if (raw_blank(n->attr.kv[i].value)) refuse(f, n, "blank syntax `[[…]]` in an attribute value");
    return 0;
}

int edition_final_check(const course *c, const course_edition *ed, const ast_node *doc, const char *path, diag *d) {
    final_ctx f = {c, ed, path, d, edition_includes(ed, "answer"), 0};
    ast_walk((ast_node *)doc, final_visit, &f);
    return f.nerr;
}

int edition_final_check_string(const course_edition *ed, const char *what, const char *s, int literal,
                               const char *path, diag *d) {
    if (!s || literal || edition_includes(ed, "answer") || !raw_blank(s)) return 0;
    diag_report(d, DIAG_ERROR, path, 0, 0,
                "the %s edition would hold blank syntax `[[…]]` in %s: the build stops here (please report it)",
                ed->name, what);
    return 1;
}
