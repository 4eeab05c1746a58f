/* course.c — the course model: course.yaml read into typed, positioned values
 * (SPEC §1.1, §11.1: roles and quiet classes; §11.2: whole-module only/except),
 * module front matter (§1.2), the YAML-level checks of §11.4 (no blank syntax
 * outside titles and vars: values) and §11.7 (fill-in labels, the reserved id
 * `index`), and safe resolution of every path the course names (never outside
 * the course folder, symlinks resolved). */
#include "course.h"
#include "fs.h"
#include "md.h"
#include "roles.h"
#include "timing.h"
#include "util.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define COURSE_MAX_YAML ((size_t)1 << 20) /* course.yaml: 1 MiB is far more than any manifest needs */

/* Reading context: where diagnostics go and how many errors so far. */
typedef struct lctx {
    course *c;
    diag *d;
    const char *path; /* display path of the YAML being read */
    const char *text; /* the YAML text the tree was parsed from (positions inside scalars) */
    int nerr;
} lctx;

static void report(lctx *x, diag_severity sev, const ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(lctx *x, diag_severity sev, const ynode *n, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_report(x->d, sev, x->path, n ? n->line : 0, n ? n->col : 0, "%s", msg);
    if (sev == DIAG_ERROR) x->nerr++;
}

static void report_at(lctx *x, diag_severity sev, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void report_at(lctx *x, diag_severity sev, int line, int col, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_report(x->d, sev, x->path, line, col, "%s", msg);
    if (sev == DIAG_ERROR) x->nerr++;
}

#define ERR(x, n, ...)  report((x), DIAG_ERROR, (n), __VA_ARGS__)
#define WARN(x, n, ...) report((x), DIAG_WARNING, (n), __VA_ARGS__)

/* Where the byte at offset off of a scalar's value was written: the
 * (k+1)-th occurrence of needle in the scalar's source text, k being how
 * many start before off in the value (quoting, escapes and line folding
 * keep literal text in order). Falls back to the scalar's own position
 * when the source does not show it (an escape such as `\x5b`). */
static void value_pos(const lctx *x, const ynode *n, size_t off, const char *needle, size_t nl, int *line, int *col) {
    *line = n->line, *col = n->col;
    if (!x->text || !nl || n->end <= n->start) return;
    size_t k = 0;
    for (size_t i = 0; i + nl <= n->len && i < off; i++)
        if (memcmp(n->str + i, needle, nl) == 0) k++;
    const char *src = x->text + n->start, *end = x->text + n->end, *hit = NULL;
    for (const char *p = src; p + nl <= end; p++)
        if (memcmp(p, needle, nl) == 0 && k-- == 0) {
            hit = p;
            break;
        }
    if (!hit) return;
    int l = n->line, c = n->col;
    for (const char *p = src; p < hit; p++) {
        if (*p == '\n' || (*p == '\r' && p[1] != '\n'))
            l++, c = 1;
        else if (*p != '\r')
            c++;
    }
    *line = l, *col = c;
}

static pos pos_of(const lctx *x, const ynode *n) {
    pos p = {x->path, n ? n->line : 0, n ? n->col : 0};
    return p;
}

/* Display path: the directory as the user gave it joined with rel, without
 * doubling the '/'. */
static char *join_path(arena *a, const char *dir, const char *rel) {
    if (!dir || !*dir) return arena_strdup(a, rel);
    size_t dl = strlen(dir);
    if (dir[dl - 1] == '/') return arena_printf(a, "%s%s", dir, rel);
    return arena_printf(a, "%s/%s", dir, rel);
}

static int has_nul(const ynode *n) { return n->type == Y_SCALAR && strlen(n->str) != n->len; }

/* A string value, or NULL after reporting the wrong type. */
static const char *get_str(lctx *x, const ynode *v, const char *what) {
    if (v->type != Y_SCALAR) {
        if (v->type == Y_NULL)
            ERR(x, v, "`%s` must be a string (it is empty)", what);
        else
            ERR(x, v, "`%s` must be a string, not a %s", what, ydoc_kind(v));
        return NULL;
    }
    if (has_nul(v)) {
        ERR(x, v, "`%s` contains a NUL character", what);
        return NULL;
    }
    return v->str;
}

/* Optional metadata strings: null means "not set". */
static const char *get_opt_str(lctx *x, const ynode *v, const char *what) {
    if (v->type == Y_NULL) return NULL;
    return get_str(x, v, what);
}

static int valid_id(const char *s) {
    if (!s || !*s) return 0;
    if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s))) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) return 0;
    return 1;
}

static int parse_bool(const char *s, int *out) {
    static const char *const yes[] = {"true", "yes", "on"};
    static const char *const no[] = {"false", "no", "off"};
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0) return *out = 1, 1;
        if (strcasecmp(s, no[i]) == 0) return *out = 0, 1;
    }
    return 0;
}

static void unknown_key(lctx *x, const ynode *k, const char *const *known) {
    const char *s = roles_suggest(k->str, known, -1);
    if (s)
        WARN(x, k, "unknown key `%s` (did you mean `%s`?)", k->str, s);
    else
        WARN(x, k, "unknown key `%s` (ignored)", k->str);
}

int course_parse_clock(const char *s) {
    if (!s || !isdigit((unsigned char)s[0])) return -1;
    int h = s[0] - '0', i = 1;
    if (isdigit((unsigned char)s[1])) h = h * 10 + (s[1] - '0'), i = 2;
    if (s[i] != ':' || !isdigit((unsigned char)s[i + 1]) || !isdigit((unsigned char)s[i + 2]) || s[i + 3]) return -1;
    int m = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
    if (h > 23 || m > 59) return -1;
    return h * 60 + m;
}

int course_valid_date(const char *s) {
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return 0;
    int y = atoi(s), mo = atoi(s + 5), d = atoi(s + 8);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) return 0;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 0;
    return 1;
}

/* Loose BCP 47 shape: letters, then '-'-separated alphanumeric subtags. */
static int valid_lang(const char *s) {
    size_t n = 0;
    while (isalpha((unsigned char)s[n])) n++;
    if (n < 2 || n > 8) return 0;
    const char *p = s + n;
    while (*p == '-') {
        p++;
        size_t k = 0;
        while (isalnum((unsigned char)p[k])) k++;
        if (k < 1 || k > 8) return 0;
        p += k;
    }
    return *p == 0;
}

/* The paper a course prints on when course.yaml names none (SPEC §11.8):
 * US Letter where the language's region is the US or Canada (en-US,
 * en-CA, fr-CA, en-Latn-US), A4 everywhere else. The region is the first
 * two-letter subtag after the language. */
static int letter_region(const char *lang) {
    const char *p = lang ? strchr(lang, '-') : NULL;
    while (p) {
        p++;
        size_t k = strcspn(p, "-");
        if (k == 2) return strncasecmp(p, "us", 2) == 0 || strncasecmp(p, "ca", 2) == 0;
        p = strchr(p, '-');
    }
    return 0;
}

static int duration_value(lctx *x, const ynode *v, const char *key) {
    if (v->type != Y_SCALAR) {
        ERR(x, v, "`%s` must be a duration such as `15m` or `1h30m`, not %s", key,
            v->type == Y_NULL ? "empty" : ydoc_kind(v));
        return -1;
    }
    int dmin = timing_parse_duration(v->str);
    if (dmin < 0 || has_nul(v)) {
        ERR(x, v, "cannot read duration `%s`", v->str);
        return -1;
    }
    return dmin;
}

static int start_value(lctx *x, const ynode *v) {
    const char *s = get_str(x, v, "start");
    if (!s) return -1;
    int m = course_parse_clock(s);
    if (m < 0) ERR(x, v, "cannot read start time `%s` (write HH:MM, e.g. \"09:30\")", s);
    return m;
}

static int unset_vars_value(lctx *x, const ynode *v) {
    const char *s = get_str(x, v, "unset_vars");
    if (!s) return -1;
    if (strcmp(s, "warn") == 0) return 0;
    if (strcmp(s, "blank") == 0) return 1;
    ERR(x, v, "`unset_vars` must be `warn` or `blank`, not `%s`", s);
    return -1;
}

static int vars_value(lctx *x, const ynode *v, course_var **out) {
    *out = NULL;
    if (v->type == Y_NULL) return 0;
    if (v->type != Y_MAP) {
        ERR(x, v, "`vars` must be a mapping of names to values");
        return 0;
    }
    course_var *vars = arena_alloc(x->c->arena, sizeof *vars * (size_t)(v->n ? v->n : 1));
    int n = 0;
    for (int i = 0; i < v->n; i++) {
        const ynode *k = v->keys[i], *val = v->items[i];
        if (k->type != Y_SCALAR || !*k->str || has_nul(k) || strchr(k->str, '{') || strchr(k->str, '}')) {
            ERR(x, k, "variable name `%s` is not allowed (a name is any characters except `{` and `}`)", k->str);
            continue;
        }
        const ynode *value = val, *label = NULL;
        int ok = 1;
        if (val->type == Y_MAP) {
            /* a fill-in with a label (SPEC §11.7): {value: ~, label: "Trainer's name"} */
            static const char *const var_keys[] = {"value", "label", NULL};
            value = NULL;
            for (int j = 0; j < val->n; j++) {
                if (!strcmp(val->keys[j]->str, "value"))
                    value = val->items[j];
                else if (!strcmp(val->keys[j]->str, "label"))
                    label = val->items[j];
                else
                    unknown_key(x, val->keys[j], var_keys);
            }
        }
        if (value && (value->type == Y_MAP || value->type == Y_SEQ)) {
            ERR(x, value,
                "variable `%s` must be a string or a number (or `~` for a fill-in, or {value: ..., label: ...}), "
                "not a %s",
                k->str, ydoc_kind(value));
            ok = 0;
        } else if (value && has_nul(value)) {
            ERR(x, value, "variable `%s` contains a NUL character", k->str);
            ok = 0;
        }
        const char *lab = NULL;
        if (label && label->type != Y_NULL) {
            lab = get_str(x, label, "label");
            if (!lab) ok = 0;
        }
        if (!ok) continue;
        vars[n].name = k->str;
        vars[n].value = !value || value->type == Y_NULL ? NULL : value->str;
        vars[n].label = lab && *lab ? lab : NULL; /* an empty label: the name, as without one */
        vars[n].at = pos_of(x, k);
        n++;
    }
    *out = vars;
    return n;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* ---- paths ------------------------------------------------------------- */

/* Does a relative path climb above its starting folder, read lexically? */
static int lexically_escapes(const char *rel) {
    int depth = 0;
    const char *p = rel;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0) return 1;
        } else if (n && !(n == 1 && p[0] == '.')) {
            depth++;
        }
        p += n;
        if (*p == '/') p++;
    }
    return 0;
}

static const char *resolve(course *c, const char *rel, int want_dir, const char **why) {
    const char *dummy;
    if (!why) why = &dummy;
    *why = NULL;
    if (!rel || !*rel) return *why = "is empty", NULL;
    if (rel[0] == '/') return *why = "is an absolute path (write it relative to the course folder)", NULL;
    if (!c->realdir) return *why = "does not exist", NULL;
    char *full = join_path(c->arena, c->realdir, rel);
    char *rp = fs_within(c->realdir, full, FS_ROOT_OK);
    if (!rp) {
        int e = errno;
        if (e == FS_EOUTSIDE || lexically_escapes(rel))
            *why = "is outside the course folder";
        else if (e == ENOENT || e == ENOTDIR)
            *why = "does not exist";
        else if (e == ELOOP)
            *why = "is a symbolic link loop";
        else if (e == EACCES)
            *why = "cannot be read (permission denied)";
        else
            *why = "cannot be read";
        return NULL;
    }
    if (!want_dir && strcmp(rp, c->realdir) == 0) { /* the course folder itself */
        *why = "is a directory";
        free(rp);
        return NULL;
    }
    struct stat st;
    if (stat(rp, &st) != 0)
        *why = "cannot be read";
    else if (want_dir && !S_ISDIR(st.st_mode))
        *why = "is not a directory";
    else if (!want_dir && S_ISDIR(st.st_mode))
        *why = "is a directory";
    else if (!want_dir && !S_ISREG(st.st_mode))
        *why = "is not a regular file";
    const char *r = *why ? NULL : arena_strdup(c->arena, rp);
    free(rp);
    return r;
}

const char *course_resolve(course *c, const char *rel, const char **why) { return resolve(c, rel, 0, why); }

const char *course_resolve_dir(course *c, const char *rel, const char **why) { return resolve(c, rel, 1, why); }

/* Reads a whole regular file (malloc'd, NUL-terminated; a FIFO or device is
 * refused before it could block, fs_open_read); NULL with errno set, or
 * with *too_big set to the size seen (> limit) when it is larger than limit. */
static char *slurp(const char *path, size_t limit, size_t *len, size_t *too_big) {
    *too_big = 0;
    FILE *f = fs_fopen_read(path);
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *b = xmalloc(cap + 1);
    for (;;) {
        if (n > limit) {
            *too_big = n;
            break;
        }
        if (n == cap) {
            cap *= 2;
            b = xrealloc(b, cap + 1);
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    int bad = ferror(f) || *too_big;
    int e = errno;
    fclose(f);
    if (bad) {
        free(b);
        errno = e ? e : EIO;
        return NULL;
    }
    b[n] = 0;
    *len = n;
    return b;
}

/* ---- course.yaml ------------------------------------------------------- */

static const char *const course_keys[] = {
    "id",      "title",      "subtitle", "description", "publisher", "rights",  "authors",    "language",
    "date",    "identifier", "modules",  "duration",    "start",     "vars",    "unset_vars", "timings",
    "filters", "editions",   "formats",  "theme",       "roles",     "classes", "schedule", "paper",
    "version", "organisation", "labels", "audience", "level", NULL,
};

static const char *const module_entry_keys[] = {"file", "id", "title", "only", "except", NULL};
static const char *const edition_keys[] = {"include", "title", NULL};
static const char *const timings_keys[] = {"natural", NULL};
static const char *const schedule_keys[] = {"end", "breaks", NULL};
static const char *const break_keys[] = {"after", "duration", "title", NULL};

/* "`a`, `b`, `c`" for messages that list what may be written. */
static const char *name_list(arena *a, const char *const *names, int n) {
    const char *s = "";
    for (int i = 0; i < n; i++) s = arena_printf(a, "%s%s`%s`", s, i ? ", " : "", names[i]);
    return s;
}

/* The id `index` names the course's index page (index.html) in every
 * output, so no module may take it (SPEC §11.7). */
static int reserved_id(lctx *x, const ynode *v, const char *id) {
    if (strcmp(id, "index") != 0) return 0;
    ERR(x, v, "module id `index` is reserved for the course's index page: choose another id");
    return 1;
}

/* ---- roles and quiet classes (SPEC §11.1) ------------------------------ */

/* Classes whose meaning is their own (SPEC §2.3, §11.4): a role on them
 * would remove what the learner edition shows (ruled lines, empty boxes). */
static const char *const own_meaning_classes[] = {"choice", "response", "worksheet", "blanks", "literal", NULL};

static void add_role_class(lctx *x, course_role *r, const ynode *item) {
    course *c = x->c;
    const char *cls = get_str(x, item, "roles");
    if (!cls) return;
    if (!roles_valid_name(cls)) {
        ERR(x, item, "class `%s` of role `%s` must be lower-case letters, digits, `-` and `_`, starting with a letter",
            cls, r->name);
        return;
    }
    for (int i = 0; own_meaning_classes[i]; i++)
        if (!strcmp(cls, own_meaning_classes[i])) {
            ERR(x, item, "class `%s` has a meaning of its own and cannot carry the role `%s`", cls, r->name);
            return;
        }
    const char *owner = roles_class_role(c, cls);
    if (owner && !strcmp(owner, r->name)) return; /* listed again (e.g. a default restated): once is enough */
    if (owner) {
        ERR(x, item, "class `%s` already carries the role `%s`: a class carries one role", cls, owner);
        return;
    }
    const char **nc = arena_alloc(c->arena, sizeof(char *) * (size_t)(r->nclasses + 1));
    if (r->nclasses) memcpy(nc, r->classes, sizeof(char *) * (size_t)r->nclasses);
    nc[r->nclasses++] = cls;
    r->classes = nc;
}

/* `roles:` merged into the defaults: new roles are added, the classes of a
 * role already known are added to its own (answer and facilitator keep
 * theirs). Read before `editions:` and `classes:`, which depend on it. */
static void read_roles(lctx *x, const ynode *v) {
    course *c = x->c;
    if (v->type == Y_NULL) return;
    if (v->type != Y_MAP) {
        ERR(x, v, "`roles` must be a mapping of role names to lists of classes, e.g. {answer: [answer, solution]}");
        return;
    }
    course_role *roles = arena_alloc(c->arena, sizeof *roles * (size_t)(c->nroles + v->n));
    memcpy(roles, c->roles, sizeof *roles * (size_t)c->nroles);
    c->roles = roles;
    for (int i = 0; i < v->n; i++) {
        const ynode *k = v->keys[i], *val = v->items[i];
        if (has_nul(k) || !roles_valid_name(k->str)) {
            ERR(x, k, "role name `%s` must be lower-case letters, digits, `-` and `_`, starting with a letter", k->str);
            continue;
        }
        course_role *r = NULL;
        for (int j = 0; j < c->nroles && !r; j++)
            if (!strcmp(c->roles[j].name, k->str)) r = &c->roles[j];
        if (!r) {
            r = &c->roles[c->nroles++];
            memset(r, 0, sizeof *r);
            r->name = k->str;
            r->at = pos_of(x, k);
        }
        if (val->type == Y_SCALAR)
            add_role_class(x, r, val); /* one class written without brackets */
        else if (val->type == Y_SEQ)
            for (int j = 0; j < val->n; j++) add_role_class(x, r, val->items[j]);
        else if (val->type != Y_NULL)
            ERR(x, val, "role `%s` must list its classes, e.g. `%s: [%s]`", k->str, k->str, k->str);
    }
}

/* Is s usable as a class or key name written in an attribute block? */
static int valid_quiet_name(const char *s) {
    if (!*s) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("{}\"'=", *p)) return 0;
    return 1;
}

/* A value that may be one name or a list of them: its items (the value
 * itself when a scalar). *v must live as long as the items are used.
 * Returns 0 when it is neither. */
static int scalar_or_list(const ynode *const *v, const ynode *const **items, int *n) {
    if ((*v)->type == Y_SCALAR) {
        *items = v;
        *n = 1;
    } else if ((*v)->type == Y_SEQ) {
        *items = (const ynode *const *)(*v)->items;
        *n = (*v)->n;
    } else {
        return 0;
    }
    return 1;
}

/* `classes:` — names used on purpose, never flagged by roles_check_name. */
static void read_classes(lctx *x, const ynode *v) {
    course *c = x->c;
    if (v->type == Y_NULL) return;
    const ynode *const *items;
    int n;
    if (!scalar_or_list(&v, &items, &n)) {
        ERR(x, v, "`classes` must be a list of class names, e.g. [answers-table]");
        return;
    }
    c->quiet_classes = arena_alloc(c->arena, sizeof(char *) * (size_t)(n ? n : 1));
    c->nquiet_classes = 0;
    for (int i = 0; i < n; i++) {
        const char *s = get_str(x, items[i], "classes");
        if (!s) continue;
        if (!valid_quiet_name(s)) {
            ERR(x, items[i], "`%s` is not a class name (no spaces, quotes, braces or `=`)", s);
            continue;
        }
        const char *role = roles_class_role(c, s);
        if (role) {
            WARN(x, items[i], "`%s` carries the role `%s`: listing it under `classes:` changes nothing (remove it)", s,
                 role);
            continue;
        }
        c->quiet_classes[c->nquiet_classes++] = s;
    }
}

/* An include: name that is not a role: say what was probably meant. */
static void unknown_role(lctx *x, const ynode *item, const char *edition, const char *role) {
    course *c = x->c;
    const char *owner = roles_class_role(c, role);
    if (owner) {
        ERR(x, item, "edition `%s` includes `%s`, a class of the role `%s`: include: lists roles (did you mean `%s`?)",
            edition, role, owner, owner);
        return;
    }
    const char **names = arena_alloc(c->arena, sizeof(char *) * (size_t)c->nroles);
    for (int r = 0; r < c->nroles; r++) names[r] = c->roles[r].name;
    const char *s = roles_suggest(role, names, c->nroles);
    if (s)
        ERR(x, item, "edition `%s` includes `%s`, which is not a role of this course (did you mean `%s`?)", edition,
            role, s);
    else
        ERR(x, item,
            "edition `%s` includes `%s`, which is not a role of this course (the roles are %s; declare new ones "
            "under `roles:`)",
            edition, role, name_list(c->arena, names, c->nroles));
}

/* ---- only:/except: of whole modules (SPEC §11.2) ------------------------ */

static const course_edition *find_edition(const course *c, const char *name, size_t n) {
    for (int i = 0; i < c->neditions; i++)
        if (strlen(c->editions[i].name) == n && !memcmp(c->editions[i].name, name, n)) return &c->editions[i];
    return NULL;
}

/* One name of an only:/except: value, written at [name, name + n) of the
 * scalar v: 1 if it is an edition, else 0 after an error at the name. */
static int check_edition_name(lctx *x, const ynode *v, const char *key, const char *name, size_t n) {
    course *c = x->c;
    if (find_edition(c, name, n)) return 1;
    char *nm = arena_strndup(c->arena, name, n);
    int line, col;
    value_pos(x, v, (size_t)(name - v->str), nm, n, &line, &col);
    const char **names = arena_alloc(c->arena, sizeof(char *) * (size_t)c->neditions);
    for (int i = 0; i < c->neditions; i++) names[i] = c->editions[i].name;
    const char *s = roles_suggest(nm, names, c->neditions);
    if (s)
        report_at(x, DIAG_ERROR, line, col,
                  "`%s` names `%s`, which is not an edition of this course (did you mean `%s`?)", key, nm, s);
    else if (roles_is_role(c, nm))
        report_at(x, DIAG_ERROR, line, col,
                  "`%s` names `%s`, a role, not an edition: `%s` lists editions (the editions are %s)", key, nm, key,
                  name_list(c->arena, names, c->neditions));
    else
        report_at(x, DIAG_ERROR, line, col,
                  "`%s` names `%s`, which is not an edition of this course (the editions are %s)", key, nm,
                  name_list(c->arena, names, c->neditions));
    return 0;
}

/* An only:/except: value: edition names separated by commas in one string,
 * or a list of them. Returns the names joined by "," (each once, in the
 * order written), or NULL when null or after reporting an error. *at is set
 * to the value's position. */
static const char *edition_list(lctx *x, const ynode *v, const char *key, pos *at) {
    course *c = x->c;
    *at = pos_of(x, v);
    if (v->type == Y_NULL) return NULL;
    const ynode *const *items;
    int n;
    if (!scalar_or_list(&v, &items, &n)) {
        ERR(x, v, "`%s` must be edition names, e.g. `%s: facilitator` or `%s: [learner, facilitator]`", key, key, key);
        return NULL;
    }
    char *out = arena_alloc(c->arena, 1);
    int ok = 1, count = 0;
    for (int i = 0; i < n; i++) {
        const char *s = get_str(x, items[i], key);
        if (!s) {
            ok = 0;
            continue;
        }
        for (const char *p = s; *p;) {
            while (*p == ',' || *p == ' ' || *p == '\t') p++;
            const char *b = p;
            while (*p && *p != ',') p++;
            const char *e = p;
            while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
            if (e == b) continue;
            if (!check_edition_name(x, items[i], key, b, (size_t)(e - b))) {
                ok = 0;
                continue;
            }
            size_t len = (size_t)(e - b), ol = strlen(out);
            int dup = 0;
            for (const char *q = out; *q && !dup;) {
                size_t k = strcspn(q, ",");
                dup = k == len && !memcmp(q, b, len);
                q += k;
                if (*q) q++;
            }
            if (dup) continue;
            char *o2 = arena_alloc(c->arena, ol + len + 2);
            memcpy(o2, out, ol);
            if (ol) o2[ol++] = ',';
            memcpy(o2 + ol, b, len);
            out = o2;
            count++;
        }
    }
    if (!ok) return NULL;
    if (!count) {
        ERR(x, v, "`%s` names no edition (write e.g. `%s: facilitator`, or remove it)", key, key);
        return NULL;
    }
    return out;
}

/* ---- blank syntax in YAML strings (SPEC §11.4) --------------------------- */

/* An error at the `[[` of a scalar that holds blank syntax. what: the key
 * the string belongs to, or NULL for a mapping key itself. */
static void blank_scalar(lctx *x, const ynode *n, const char *what) {
    if (n->type != Y_SCALAR) return;
    long o = md_find_blank_syntax(n->str, n->len);
    if (o < 0) return;
    int line, col;
    value_pos(x, n, (size_t)o, "[[", 2, &line, &col);
    if (what)
        report_at(x, DIAG_ERROR, line, col,
                  "a blank cannot stand in `%s`: blanks are allowed in titles and vars: values only", what);
    else
        report_at(x, DIAG_ERROR, line, col,
                  "a blank cannot stand in a key: blanks are allowed in titles and vars: values only");
}

/* Every string of n and below (keys too). what: the nearest key. The tree
 * is at most 64 deep (ydoc's limit), so recursion is bounded. */
static void blanks_in(lctx *x, const ynode *n, const char *what) {
    if (n->type == Y_SCALAR)
        blank_scalar(x, n, what);
    else if (n->type == Y_SEQ)
        for (int i = 0; i < n->n; i++) blanks_in(x, n->items[i], what);
    else if (n->type == Y_MAP)
        for (int i = 0; i < n->n; i++) {
            blank_scalar(x, n->keys[i], NULL);
            blanks_in(x, n->items[i], n->keys[i]->str);
        }
}

/* A mapping whose string value under `title` may hold blanks (an edition,
 * a course.yaml module entry); everything else in it may not. */
static void blanks_titled(lctx *x, const ynode *n, const char *what) {
    if (n->type != Y_MAP) {
        blanks_in(x, n, what);
        return;
    }
    for (int i = 0; i < n->n; i++) {
        blank_scalar(x, n->keys[i], NULL);
        if (strcmp(n->keys[i]->str, "title") != 0 || n->items[i]->type != Y_SCALAR)
            blanks_in(x, n->items[i], n->keys[i]->str);
    }
}

/* vars: values (a string, or `value` of a labelled fill-in) are parsed for
 * blanks later; names and labels may not hold any. */
static void blanks_vars(lctx *x, const ynode *vars) {
    if (vars->type != Y_MAP) {
        blanks_in(x, vars, "vars");
        return;
    }
    for (int i = 0; i < vars->n; i++) {
        const ynode *val = vars->items[i];
        blank_scalar(x, vars->keys[i], NULL);
        if (val->type == Y_MAP)
            for (int j = 0; j < val->n; j++) {
                blank_scalar(x, val->keys[j], NULL);
                if (strcmp(val->keys[j]->str, "value") != 0 || val->items[j]->type != Y_SCALAR)
                    blanks_in(x, val->items[j], val->keys[j]->str);
            }
        else if (val->type != Y_SCALAR)
            blanks_in(x, val, vars->keys[i]->str);
    }
}

/* course.yaml: titles are the course's `title` and `subtitle`, editions'
 * and module entries' `title`. */
static void blanks_course(lctx *x, const ynode *root) {
    for (int i = 0; i < root->n; i++) {
        const ynode *k = root->keys[i], *v = root->items[i];
        blank_scalar(x, k, NULL);
        if ((!strcmp(k->str, "title") || !strcmp(k->str, "subtitle")) && v->type == Y_SCALAR) continue;
        if (!strcmp(k->str, "vars"))
            blanks_vars(x, v);
        else if (!strcmp(k->str, "editions") && v->type == Y_MAP)
            for (int j = 0; j < v->n; j++) {
                blank_scalar(x, v->keys[j], NULL);
                blanks_titled(x, v->items[j], v->keys[j]->str);
            }
        else if (!strcmp(k->str, "modules") && v->type == Y_SEQ)
            for (int j = 0; j < v->n; j++) blanks_titled(x, v->items[j], "modules");
        else
            blanks_in(x, v, k->str);
    }
}

/* Front matter: its `title` and its vars: values only. */
static void blanks_front(lctx *x, const ynode *root) {
    for (int i = 0; i < root->n; i++) {
        const ynode *k = root->keys[i], *v = root->items[i];
        blank_scalar(x, k, NULL);
        if (!strcmp(k->str, "title") && v->type == Y_SCALAR) continue;
        if (!strcmp(k->str, "vars"))
            blanks_vars(x, v);
        else
            blanks_in(x, v, k->str);
    }
}

static void read_authors(lctx *x, const ynode *v) {
    course *c = x->c;
    if (v->type == Y_NULL) return;
    if (v->type == Y_SCALAR) {
        const char *s = get_str(x, v, "authors");
        if (!s) return;
        c->authors = arena_alloc(c->arena, sizeof(char *));
        c->authors[0] = s;
        c->nauthors = 1;
        return;
    }
    if (v->type != Y_SEQ) {
        ERR(x, v, "`authors` must be a string or a list of strings");
        return;
    }
    c->authors = arena_alloc(c->arena, sizeof(char *) * (size_t)(v->n ? v->n : 1));
    for (int i = 0; i < v->n; i++) {
        const char *s = get_str(x, v->items[i], "authors");
        if (s) c->authors[c->nauthors++] = s;
    }
}

static void read_modules(lctx *x, const ynode *v) {
    course *c = x->c;
    if (v->type != Y_SEQ) {
        ERR(x, v, "`modules` must be a list of module files");
        return;
    }
    if (v->n == 0) {
        ERR(x, v, "`modules` is empty: list at least one module file");
        return;
    }
    c->modules = arena_alloc(c->arena, sizeof *c->modules * (size_t)v->n);
    for (int i = 0; i < v->n; i++) {
        const ynode *it = v->items[i], *fnode = NULL, *idnode = NULL;
        const char *id = NULL, *title = NULL, *only = NULL, *except = NULL;
        pos only_at = {0}, except_at = {0};
        if (it->type == Y_SCALAR) {
            fnode = it;
        } else if (it->type == Y_MAP) {
            for (int k = 0; k < it->n; k++) {
                const ynode *key = it->keys[k], *val = it->items[k];
                if (!strcmp(key->str, "file"))
                    fnode = val;
                else if (!strcmp(key->str, "id")) {
                    idnode = val;
                    id = get_str(x, val, "id");
                    if (id && !valid_id(id)) {
                        ERR(x, val,
                            "module id `%s` must be lower-case letters, digits and `-` (starting with a "
                            "letter or digit)",
                            id);
                        id = NULL;
                    } else if (id && reserved_id(x, val, id))
                        id = NULL;
                } else if (!strcmp(key->str, "title"))
                    title = get_str(x, val, "title");
                else if (!strcmp(key->str, "only"))
                    only = edition_list(x, val, "only", &only_at);
                else if (!strcmp(key->str, "except"))
                    except = edition_list(x, val, "except", &except_at);
                else
                    unknown_key(x, key, module_entry_keys);
            }
            if (!fnode) {
                ERR(x, it, "module entry has no `file:` (write `- {file: modules/intro.md}`)");
                continue;
            }
        } else {
            ERR(x, it, "a module must be a file path or a mapping {file: ..., id: ..., title: ...}");
            continue;
        }
        const char *file = get_str(x, fnode, "file");
        if (!file) continue;
        const char *why = NULL;
        const char *abs = course_resolve(c, file, &why);
        if (!abs) {
            if (!strcmp(why, "does not exist"))
                ERR(x, fnode, "module file `%s` does not exist", file);
            else if (!strncmp(why, "is outside", 10) || !strncmp(why, "is an absolute", 14))
                ERR(x, fnode, "module path `%s` %s", file, why);
            else
                ERR(x, fnode, "module file `%s` %s", file, why);
            continue;
        }
        int dup = 0;
        for (int j = 0; j < c->nmodules && !dup; j++) {
            if (!strcmp(c->modules[j].abspath, abs)) {
                ERR(x, fnode, "module file `%s` is listed twice (first at line %d)", file, c->modules[j].at.line);
                dup = 1;
            } else if (id && c->modules[j].id && !strcmp(c->modules[j].id, id)) {
                ERR(x, idnode, "module id `%s` is used twice (first at line %d)", id, c->modules[j].at.line);
                dup = 1;
            }
        }
        if (dup) continue;
        course_module *m = &c->modules[c->nmodules++];
        memset(m, 0, sizeof *m);
        m->file = file;
        m->path = join_path(c->arena, c->dir, file);
        m->abspath = abs;
        m->id = id;
        m->title = title;
        m->only = only, m->only_at = only_at;
        m->except = except, m->except_at = except_at;
        m->at = pos_of(x, it);
        m->meta.duration = -1;
        m->meta.teaching = m->meta.exercises = -1;
        m->meta.start = -1;
        m->meta.unset_vars = -1;
        m->meta.body_line = 1;
    }
}

static char *capitalised(arena *a, const char *s) {
    char *r = arena_strdup(a, s);
    if (r[0] >= 'a' && r[0] <= 'z') r[0] = (char)(r[0] - 'a' + 'A');
    return r;
}

static void default_editions(course *c) {
    c->neditions = 2;
    c->editions = arena_alloc(c->arena, sizeof *c->editions * 2);
    c->editions[0].name = "learner";
    c->editions[0].title = "Learner";
    c->editions[1].name = "facilitator";
    c->editions[1].title = "Facilitator";
    const char **inc = arena_alloc(c->arena, sizeof(char *) * 2);
    inc[0] = "answer";
    inc[1] = "facilitator";
    c->editions[1].include = inc;
    c->editions[1].ninclude = 2;
}

static void read_editions(lctx *x, const ynode *v) {
    course *c = x->c;
    if (v->type != Y_MAP) {
        ERR(x, v, "`editions` must be a mapping of edition names to {include: [roles]}");
        return;
    }
    if (v->n == 0) {
        ERR(x, v, "`editions` is empty: define at least one edition");
        return;
    }
    course_edition *eds = arena_alloc(c->arena, sizeof *eds * (size_t)v->n);
    int n = 0;
    for (int i = 0; i < v->n; i++) {
        const ynode *k = v->keys[i], *e = v->items[i];
        int ok = 1;
        if (!valid_id(k->str) || has_nul(k)) {
            ERR(x, k,
                "edition name `%s` must be lower-case letters, digits and `-` (starting with a letter or "
                "digit)",
                k->str);
            ok = 0;
        }
        course_edition ed = {k->str, NULL, NULL, 0, pos_of(x, k)};
        if (e->type == Y_MAP) {
            for (int j = 0; j < e->n; j++) {
                const ynode *ek = e->keys[j], *ev = e->items[j];
                if (!strcmp(ek->str, "title")) {
                    ed.title = get_str(x, ev, "title");
                    if (!ed.title) ok = 0;
                } else if (!strcmp(ek->str, "include")) {
                    if (ev->type == Y_NULL) continue;
                    if (ev->type != Y_SEQ) {
                        ERR(x, ev, "`include` must be a list of roles, e.g. [answer, facilitator]");
                        ok = 0;
                        continue;
                    }
                    const char **inc = arena_alloc(c->arena, sizeof(char *) * (size_t)(ev->n ? ev->n : 1));
                    int ni = 0;
                    for (int r = 0; r < ev->n; r++) {
                        const char *role = get_str(x, ev->items[r], "include");
                        if (!role) {
                            ok = 0;
                            continue;
                        }
                        if (!roles_is_role(c, role)) {
                            /* the edition is kept without it, so only:/except: naming it are not errors too */
                            unknown_role(x, ev->items[r], k->str, role);
                            continue;
                        }
                        inc[ni++] = role;
                    }
                    qsort(inc, (size_t)ni, sizeof *inc, cmp_str);
                    int u = 0;
                    for (int r = 0; r < ni; r++)
                        if (u == 0 || strcmp(inc[u - 1], inc[r])) inc[u++] = inc[r];
                    ed.include = inc;
                    ed.ninclude = u;
                } else {
                    unknown_key(x, ek, edition_keys);
                }
            }
        } else if (e->type != Y_NULL) {
            ERR(x, e, "edition `%s` must be a mapping like {include: [answer], title: \"Answer key\"}", k->str);
            ok = 0;
        }
        if (!ok) continue;
        if (!ed.title) ed.title = capitalised(c->arena, ed.name);
        eds[n++] = ed;
    }
    if (n > 0) {
        c->editions = eds;
        c->neditions = n;
    }
}

static void read_filters(lctx *x, const ynode *v) {
    course *c = x->c;
    if (v->type != Y_SEQ) {
        ERR(x, v, "`filters` must be a list of filter names or paths");
        return;
    }
    c->filters = arena_alloc(c->arena, sizeof(char *) * (size_t)(v->n ? v->n : 1));
    c->filter_at = arena_alloc(c->arena, sizeof(pos) * (size_t)(v->n ? v->n : 1));
    c->nfilters = 0;
    for (int i = 0; i < v->n; i++) {
        const char *s = get_str(x, v->items[i], "filters");
        if (!s) continue;
        if (!*s) {
            ERR(x, v->items[i], "empty filter name");
            continue;
        }
        c->filter_at[c->nfilters] = pos_of(x, v->items[i]);
        c->filters[c->nfilters++] = s;
    }
}

static void read_formats(lctx *x, const ynode *v) {
    course *c = x->c;
    const ynode *const *items = NULL;
    int n = 0;
    if (!scalar_or_list(&v, &items, &n)) {
        ERR(x, v, "`formats` must be a list of `html`, `epub`, `pdf`, `scorm` and/or `questions`");
        return;
    }
    if (n == 0) {
        ERR(x, v, "`formats` is empty: list `html`, `epub`, `pdf`, `scorm`, `questions` or several");
        return;
    }
    int html = 0, epub = 0, pdf = 0, scorm = 0, questions = 0, bad = 0;
    for (int i = 0; i < n; i++) {
        const char *s = get_str(x, items[i], "formats");
        if (!s)
            bad = 1;
        else if (!strcmp(s, "html"))
            html = 1;
        else if (!strcmp(s, "epub"))
            epub = 1;
        else if (!strcmp(s, "pdf"))
            pdf = 1;
        else if (!strcmp(s, "scorm"))
            scorm = 1;
        else if (!strcmp(s, "questions"))
            questions = 1;
        else {
            ERR(x, items[i], "unknown format `%s` (use `html`, `epub`, `pdf`, `scorm` or `questions`)", s);
            bad = 1;
        }
    }
    if (bad) return;
    c->format_html = html, c->format_epub = epub, c->format_pdf = pdf;
    c->format_scorm = scorm, c->format_questions = questions;
    c->formats_at = pos_of(x, v);
}

static void read_timings(lctx *x, const ynode *v) {
    if (v->type == Y_NULL) return;
    if (v->type != Y_MAP) {
        ERR(x, v, "`timings` must be a mapping such as {natural: false}");
        return;
    }
    for (int i = 0; i < v->n; i++) {
        const ynode *k = v->keys[i], *val = v->items[i];
        if (!strcmp(k->str, "natural")) {
            int b;
            if (val->type != Y_SCALAR || !parse_bool(val->str, &b))
                ERR(x, val, "`natural` must be true or false");
            else
                x->c->natural_timings = b;
        } else {
            unknown_key(x, k, timings_keys);
        }
    }
}

/* A key of `schedule:` or of one of its breaks that is not known: an error
 * (a misspelt `end` would otherwise silently lose the day's end). */
static void unknown_schedule_key(lctx *x, const ynode *k, const char *const *known, const char *where) {
    const char *s = roles_suggest(k->str, known, -1);
    if (s)
        ERR(x, k, "unknown key `%s` in %s (did you mean `%s`?)", k->str, where, s);
    else
        ERR(x, k, "unknown key `%s` in %s: write %s", k->str, where, name_list(x->c->arena, known, known == schedule_keys ? 2 : 3));
}

static void read_break(lctx *x, const ynode *item) {
    if (item->type != Y_MAP) {
        ERR(x, item, "a break must be a mapping such as {after: MODULE_ID, duration: 45m, title: Lunch}");
        return;
    }
    course_break b = {NULL, pos_of(x, item), -1, NULL};
    int seen_after = 0, seen_duration = 0;
    for (int i = 0; i < item->n; i++) {
        const ynode *k = item->keys[i], *v = item->items[i];
        if (!strcmp(k->str, "after")) {
            seen_after = 1;
            b.after = get_str(x, v, "after");
            b.after_at = pos_of(x, v);
        } else if (!strcmp(k->str, "duration")) {
            seen_duration = 1;
            b.duration = duration_value(x, v, "duration");
        } else if (!strcmp(k->str, "title")) {
            const char *t = get_str(x, v, "title");
            if (t && !*t)
                ERR(x, v, "a break's `title` is empty (leave it out for \"Break\")");
            else if (t)
                b.title = t;
        } else
            unknown_schedule_key(x, k, break_keys, "a break");
    }
    if (!seen_after) ERR(x, item, "a break needs `after:`, the id of the module it follows");
    if (!seen_duration) ERR(x, item, "a break needs `duration:`, such as `15m`");
    if (!b.after || b.duration < 0) return;
    course *c = x->c;
    course_break *nb = arena_alloc(c->arena, sizeof *nb * (size_t)(c->nbreaks + 1));
    if (c->nbreaks) memcpy(nb, c->breaks, sizeof *nb * (size_t)c->nbreaks);
    nb[c->nbreaks++] = b;
    c->breaks = nb;
}

static void read_schedule(lctx *x, const ynode *v) {
    if (v->type == Y_NULL) return;
    if (v->type != Y_MAP) {
        ERR(x, v, "`schedule` must be a mapping such as {end: \"16:30\", breaks: [...]}, not a %s", ydoc_kind(v));
        return;
    }
    for (int i = 0; i < v->n; i++) {
        const ynode *k = v->keys[i], *val = v->items[i];
        if (!strcmp(k->str, "end")) {
            const char *s = get_str(x, val, "end");
            int m = s ? course_parse_clock(s) : -1;
            if (s && m < 0) ERR(x, val, "cannot read the schedule's end `%s` (write HH:MM, e.g. \"16:30\")", s);
            x->c->sched_end = m;
            x->c->sched_end_at = pos_of(x, val);
        } else if (!strcmp(k->str, "breaks")) {
            if (val->type == Y_NULL) continue;
            if (val->type != Y_SEQ) {
                ERR(x, val, "`breaks` must be a list of {after: MODULE_ID, duration: 45m, title: Lunch}");
                continue;
            }
            for (int j = 0; j < val->n; j++) read_break(x, val->items[j]);
        } else
            unknown_schedule_key(x, k, schedule_keys, "`schedule`");
    }
}

/* `labels:` (SPEC §11.8): a mapping of label keys to strings; which keys
 * exist is the theme's to say (labels_load checks them). */
static void read_labels(lctx *x, const ynode *v) {
    if (v->type == Y_NULL) return;
    if (v->type != Y_MAP) {
        ERR(x, v, "`labels` must be a mapping of label keys to strings, such as {answer: Solution}, not a %s",
            ydoc_kind(v));
        return;
    }
    course *c = x->c;
    c->label_set = arena_alloc(c->arena, sizeof *c->label_set * (size_t)(v->n ? v->n : 1));
    for (int i = 0; i < v->n; i++) {
        const ynode *k = v->keys[i], *val = v->items[i];
        if (val->type != Y_SCALAR) {
            ERR(x, val, "label `%s` must be a string, not %s%s", k->str,
                val->type == Y_NULL ? "" : "a ", val->type == Y_NULL ? "empty" : ydoc_kind(val));
            continue;
        }
        if (has_nul(val)) {
            ERR(x, val, "label `%s` contains a NUL character", k->str);
            continue;
        }
        course_label *l = &c->label_set[c->nlabel_set++];
        l->key = k->str;
        l->value = val->str;
        l->key_at = pos_of(x, k);
        l->value_at = pos_of(x, val);
    }
}

static void course_defaults(course *c) {
    static const char *const std_filters[] = {"vars", "blanks", "answers", "timings"};
    c->language = "en";
    c->duration = -1;
    c->start = -1;
    c->sched_end = -1;
    c->natural_timings = 1;
    c->format_html = c->format_epub = 1;
    c->theme = "default";
    c->nfilters = 4;
    c->filters = arena_alloc(c->arena, sizeof(char *) * 4);
    c->filter_at = arena_alloc(c->arena, sizeof(pos) * 4);
    for (int i = 0; i < 4; i++) c->filters[i] = std_filters[i];
    default_editions(c);
    roles_defaults(c);
}

course *course_load(const char *dir, diag *d) {
    arena *a = arena_new();
    course *c = arena_alloc(a, sizeof *c);
    c->arena = a;
    c->dir = arena_strdup(a, dir && *dir ? dir : ".");
    c->yaml_path = join_path(a, c->dir, "course.yaml");
    course_defaults(c);
    lctx x = {c, d, c->yaml_path, NULL, 0};

    char *rd = realpath(c->dir, NULL);
    if (!rd) {
        diag_report(d, DIAG_ERROR, c->dir, 0, 0, "cannot open the course folder: %s", strerror(errno));
        arena_free(a);
        return NULL;
    }
    c->realdir = arena_strdup(a, rd);
    free(rd);

    size_t len = 0, too_big = 0;
    char *src = slurp(c->yaml_path, COURSE_MAX_YAML, &len, &too_big);
    if (!src) {
        struct stat st;
        if (too_big && stat(c->yaml_path, &st) == 0 && (size_t)st.st_size > too_big) too_big = (size_t)st.st_size;
        if (too_big)
            diag_report(d, DIAG_ERROR, c->yaml_path, 0, 0,
                        "course.yaml is %zu bytes, over the limit of %zu MiB: keep long texts in the modules",
                        too_big, COURSE_MAX_YAML >> 20);
        else
            diag_report(d, DIAG_ERROR, c->yaml_path, 0, 0, "cannot read course.yaml: %s", fs_strerror(errno));
        arena_free(a);
        return NULL;
    }
    ynode *root = ydoc_parse(a, src, len, c->yaml_path, 1, d);
    if (!root) {
        free(src);
        arena_free(a);
        return NULL;
    }
    if (root->type != Y_MAP) {
        free(src);
        ERR(&x, root, "course.yaml must be a mapping of keys (id:, title:, modules: ...), not %s",
            root->type == Y_NULL ? "empty" : ydoc_kind(root));
        arena_free(a);
        return NULL;
    }
    c->root = root;
    x.text = src; /* positions inside scalars, until the model is read */
    blanks_course(&x, root);

    /* the vocabulary first: editions name roles, modules name editions */
    const ynode *v;
    if ((v = ydoc_get(root, "roles")) != NULL) read_roles(&x, v);
    if ((v = ydoc_get(root, "classes")) != NULL) read_classes(&x, v);
    if ((v = ydoc_get(root, "editions")) != NULL) read_editions(&x, v);

    int seen_id = 0, seen_title = 0, seen_modules = 0;
    int paper = -1; /* `paper:` as written, -1: none */
    for (int i = 0; i < root->n; i++) {
        const ynode *k = root->keys[i];
        const char *key = k->str;
        v = root->items[i];
        if (!strcmp(key, "roles") || !strcmp(key, "classes") || !strcmp(key, "editions"))
            ; /* read above */
        else if (!strcmp(key, "id")) {
            seen_id = 1;
            const char *s = get_str(&x, v, "id");
            if (s && !valid_id(s))
                ERR(&x, v,
                    "course id `%s` must be lower-case letters, digits and `-` (starting with a letter or "
                    "digit)",
                    s);
            else if (s)
                c->id = s;
        } else if (!strcmp(key, "title")) {
            seen_title = 1;
            c->title = get_str(&x, v, "title");
        } else if (!strcmp(key, "subtitle"))
            c->subtitle = get_opt_str(&x, v, key);
        else if (!strcmp(key, "description"))
            c->description = get_opt_str(&x, v, key);
        else if (!strcmp(key, "publisher"))
            c->publisher = get_opt_str(&x, v, key);
        else if (!strcmp(key, "rights"))
            c->rights = get_opt_str(&x, v, key);
        else if (!strcmp(key, "identifier"))
            c->identifier = get_opt_str(&x, v, key);
        else if (!strcmp(key, "version"))
            c->version = get_opt_str(&x, v, key);
        else if (!strcmp(key, "organisation"))
            c->organisation = get_opt_str(&x, v, key);
        else if (!strcmp(key, "audience"))
            c->audience = get_opt_str(&x, v, key);
        else if (!strcmp(key, "level"))
            c->level = get_opt_str(&x, v, key);
        else if (!strcmp(key, "paper")) {
            const char *s = get_opt_str(&x, v, key);
            if (s && strcasecmp(s, "a4") != 0 && strcasecmp(s, "letter") != 0)
                ERR(&x, v, "`paper` must be `a4` or `letter`, not `%s`", s);
            else if (s)
                paper = strcasecmp(s, "letter") == 0;
        }
        else if (!strcmp(key, "authors"))
            read_authors(&x, v);
        else if (!strcmp(key, "language")) {
            const char *s = get_opt_str(&x, v, key);
            if (s && !valid_lang(s))
                ERR(&x, v, "`language` must be a BCP 47 tag such as `en` or `en-AU`, not `%s`", s);
            else if (s)
                c->language = s;
        } else if (!strcmp(key, "date")) {
            const char *s = get_opt_str(&x, v, key);
            if (s && !course_valid_date(s))
                ERR(&x, v, "`date` must be a date written YYYY-MM-DD, not `%s`", s);
            else
                c->date = s;
        } else if (!strcmp(key, "modules")) {
            seen_modules = 1;
            read_modules(&x, v);
        } else if (!strcmp(key, "duration")) {
            c->duration = duration_value(&x, v, "duration");
            c->duration_at = pos_of(&x, k);
        } else if (!strcmp(key, "start"))
            c->start = start_value(&x, v);
        else if (!strcmp(key, "vars"))
            c->nvars = vars_value(&x, v, &c->vars);
        else if (!strcmp(key, "unset_vars")) {
            int u = unset_vars_value(&x, v);
            if (u >= 0) c->unset_vars_blank = u;
        } else if (!strcmp(key, "timings"))
            read_timings(&x, v);
        else if (!strcmp(key, "filters"))
            read_filters(&x, v);
        else if (!strcmp(key, "formats"))
            read_formats(&x, v);
        else if (!strcmp(key, "schedule"))
            read_schedule(&x, v);
        else if (!strcmp(key, "labels"))
            read_labels(&x, v);
        else if (!strcmp(key, "theme")) {
            const char *s = get_opt_str(&x, v, key);
            if (s && !*s)
                ERR(&x, v, "`theme` is empty");
            else if (s)
                c->theme = s, c->theme_at = pos_of(&x, v);
        } else
            unknown_key(&x, k, course_keys);
    }
    c->paper_letter = paper >= 0 ? paper : letter_region(c->language);
    if (!seen_id) ERR(&x, root, "missing required key `id`");
    if (!seen_title) ERR(&x, root, "missing required key `title`");
    if (!seen_modules) ERR(&x, root, "missing required key `modules`");
    c->yaml_src = arena_strndup(a, src, len);
    c->yaml_len = len;
    free(src);
    return c;
}

void course_free(course *c) {
    if (c) arena_free(c->arena);
}

/* ---- module front matter ----------------------------------------------- */

/* Is [s, e) exactly `mark` followed only by spaces, tabs or a CR? */
static int is_fence_line(const char *s, const char *e, const char *mark) {
    size_t n = strlen(mark);
    if ((size_t)(e - s) < n || memcmp(s, mark, n) != 0) return 0;
    for (const char *p = s + n; p < e; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r') return 0;
    return 1;
}

static const char *file_slug(course *c, const char *file);

/* The front matter's known keys into m->meta (course_read_module). *id_written
 * is set when the front matter has an `id:` key, valid or not. */
static int read_front_matter(lctx *x, course_module *m, const char *src, size_t len, int *id_written) {
    course *c = x->c;
    diag *d = x->d;
    module_meta *mm = &m->meta;

    size_t off = 0;
    if (len >= 3 && (unsigned char)src[0] == 0xEF && (unsigned char)src[1] == 0xBB && (unsigned char)src[2] == 0xBF)
        off = 3; /* a UTF-8 byte order mark does not hide the front matter */
    const char *p = src + off, *end = src + len;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    if (!is_fence_line(p, le, "---")) return 0;
    if (!nl) {
        diag_report(d, DIAG_ERROR, x->path, 1, 1, "front matter starting here is never closed (add a line `---`)");
        return -1;
    }
    const char *ystart = nl + 1, *q = ystart;
    int line = 2;
    const char *close = NULL, *after = NULL;
    while (q < end) {
        const char *n2 = memchr(q, '\n', (size_t)(end - q));
        const char *e2 = n2 ? n2 : end;
        if (is_fence_line(q, e2, "---") || is_fence_line(q, e2, "...")) {
            close = q;
            after = n2 ? n2 + 1 : end;
            break;
        }
        line++;
        if (!n2) break;
        q = n2 + 1;
    }
    if (!close) {
        diag_report(d, DIAG_ERROR, x->path, 1, 1, "front matter starting here is never closed (add a line `---`)");
        return -1;
    }
    mm->body_line = line + 1;
    mm->body_offset = (size_t)(after - src);

    ynode *root = ydoc_parse(c->arena, ystart, (size_t)(close - ystart), x->path, 2, d);
    if (!root) return -1;
    if (root->type == Y_NULL) return 0;
    if (root->type != Y_MAP) {
        ERR(x, root, "front matter must be a mapping of keys (title:, duration: ...), not a %s", ydoc_kind(root));
        return -1;
    }
    mm->root = root;
    x->text = ystart;
    blanks_front(x, root);
    pos parts_at = {0};
    for (int i = 0; i < root->n; i++) {
        const ynode *k = root->keys[i], *v = root->items[i];
        const char *key = k->str;
        if (!strcmp(key, "title"))
            mm->title = get_str(x, v, "title");
        else if (!strcmp(key, "id")) {
            *id_written = 1;
            const char *s = get_str(x, v, "id");
            if (s && !valid_id(s))
                ERR(x, v,
                    "module id `%s` must be lower-case letters, digits and `-` (starting with a letter or "
                    "digit)",
                    s);
            else if (s && !reserved_id(x, v, s))
                mm->id = s;
        } else if (!strcmp(key, "duration")) {
            mm->duration = duration_value(x, v, "duration");
            mm->duration_at = pos_of(x, k);
        } else if (!strcmp(key, "teaching") || !strcmp(key, "exercises")) {
            *(key[0] == 't' ? &mm->teaching : &mm->exercises) = duration_value(x, v, key);
            if (!parts_at.line) parts_at = pos_of(x, k);
        } else if (!strcmp(key, "start")) {
            mm->start = start_value(x, v);
            mm->start_at = pos_of(x, v);
        } else if (!strcmp(key, "day")) {
            char *rest = NULL;
            long n = v->type == Y_SCALAR && !has_nul(v) ? strtol(v->str, &rest, 10) : 0;
            if (!rest || rest == v->str || *rest || n < 1 || n > 366)
                ERR(x, v, "`day` must be a whole number from 1 (the course's first day), such as `day: 2`");
            else
                mm->day = (int)n, mm->day_at = pos_of(x, v);
        } else if (!strcmp(key, "break")) {
            int b;
            if (v->type != Y_SCALAR || !parse_bool(v->str, &b))
                ERR(x, v, "`break` must be true or false");
            else
                mm->is_break = b;
        } else if (!strcmp(key, "vars"))
            mm->nvars = vars_value(x, v, &mm->vars);
        else if (!strcmp(key, "unset_vars"))
            mm->unset_vars = unset_vars_value(x, v);
        else if (!strcmp(key, "only"))
            mm->only = edition_list(x, v, "only", &mm->only_at);
        else if (!strcmp(key, "except"))
            mm->except = edition_list(x, v, "except", &mm->except_at);
        else if (!strcmp(key, "objectives") || !strcmp(key, "materials")) {
            if (v->type != Y_SEQ && v->type != Y_NULL) ERR(x, v, "`%s` must be a list", key);
        } else if (!strcmp(key, "participants")) {
            if (v->type == Y_MAP || v->type == Y_SEQ)
                ERR(x, v, "`participants` must be a number or a short text such as \"8-12\"");
        }
        /* every other key is metadata for filters and templates */
    }
    /* The Carpentries' split: their sum is the duration unless one is given */
    if (mm->teaching >= 0 || mm->exercises >= 0) {
        int sum = (mm->teaching > 0 ? mm->teaching : 0) + (mm->exercises > 0 ? mm->exercises : 0);
        if (mm->duration < 0) {
            mm->duration = sum;
            mm->duration_at = parts_at;
        } else if (sum != mm->duration)
            diag_report(d, DIAG_WARNING, x->path, mm->duration_at.line, mm->duration_at.col,
                        "timing: `duration` is %d min but `teaching` and `exercises` add up to %d min", mm->duration,
                        sum);
    }
    x->text = NULL; /* src belongs to the caller */
    return x->nerr ? -1 : 0;
}

/* Does the comma-separated list (as edition_list builds it) hold name? */
static int list_has(const char *list, const char *name) {
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && !memcmp(p, name, n)) return 1;
        p += k;
        if (*p) p++;
    }
    return 0;
}

int course_module_in_edition(const course_module *m, const char *edition) {
    const char *only[2] = {m->only, m->meta.only}, *except[2] = {m->except, m->meta.except};
    for (int i = 0; i < 2; i++) {
        if (only[i] && !list_has(only[i], edition)) return 0;
        if (except[i] && list_has(except[i], edition)) return 0;
    }
    return 1;
}

int course_read_module(course *c, course_module *m, const char *src, size_t len, diag *d) {
    module_meta *mm = &m->meta;
    mm->root = NULL;
    mm->body_line = 1;
    mm->body_offset = 0;
    mm->title = mm->id = NULL;
    mm->duration = -1;
    mm->teaching = mm->exercises = -1;
    mm->start = -1;
    memset(&mm->start_at, 0, sizeof mm->start_at);
    mm->day = 0;
    memset(&mm->day_at, 0, sizeof mm->day_at);
    mm->is_break = 0;
    mm->vars = NULL;
    mm->nvars = 0;
    mm->unset_vars = -1;
    mm->only = mm->except = NULL;
    memset(&mm->only_at, 0, sizeof mm->only_at);
    memset(&mm->except_at, 0, sizeof mm->except_at);
    lctx x = {c, d, m->path ? m->path : m->file, NULL, 0};
    int id_written = 0;
    int r = read_front_matter(&x, m, src, len, &id_written);

    /* index.md (no id written anywhere) would take the index page's name */
    if (!m->id && !id_written && !strcmp(file_slug(c, m->file), "index")) {
        if (m->at.path)
            diag_report(d, DIAG_NOTE, m->at.path, m->at.line, m->at.col,
                        "module `%s` gets the id `index-page`: `index` is reserved for the course's index page "
                        "(write `id:` to choose another)",
                        m->file);
        else
            diag_report(d, DIAG_NOTE, x.path, 0, 0,
                        "this module gets the id `index-page`: `index` is reserved for the course's index page "
                        "(write `id:` to choose another)");
    }

    /* only:/except: that leave the module in no edition are almost surely a slip */
    if (m->only || m->except || mm->only || mm->except) {
        int in = 0;
        for (int i = 0; i < c->neditions && !in; i++) in = course_module_in_edition(m, c->editions[i].name);
        if (!in) {
            pos at = mm->only ? mm->only_at : mm->except ? mm->except_at : m->only ? m->only_at : m->except_at;
            diag_report(d, DIAG_WARNING, at.path, at.line, at.col,
                        "module `%s` is in no edition: its only:/except: exclude every edition of the course",
                        m->file ? m->file : x.path);
        }
    }
    return r;
}

const char *course_module_default_id(course *c, const course_module *m) {
    if (m->id) return m->id;
    if (m->meta.id) return m->meta.id;
    const char *s = file_slug(c, m->file);
    return strcmp(s, "index") ? s : "index-page";
}

/* The file name without its extension, slugified: [a-z0-9-], "module" if
 * nothing is left. In the course arena (or a static string). */
static const char *file_slug(course *c, const char *file) {
    if (!file) file = "";
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *s = arena_alloc(c->arena, n + 8);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)base[i];
        if (isalnum(ch) && ch < 0x80)
            s[o++] = (char)tolower(ch);
        else if (o && s[o - 1] != '-')
            s[o++] = '-';
    }
    while (o && s[o - 1] == '-') o--;
    if (!o) return "module";
    s[o] = 0;
    return s;
}
