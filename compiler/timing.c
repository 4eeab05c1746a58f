/* timing.c — durations (SPEC §5.1) and the timing tree with its checks
 * (§5.3): computed once per module on the unpruned tree; the results live on
 * the nodes (duration, tstart, is_break, natural) for filters and writers. */
#include "timing.h"
#include "buf.h"
#include "util.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TIMING_MAX_MINUTES 1000000.0
#define TIMING_MAX_DEPTH   256

typedef struct unit {
    const char *name;
    int minutes;
} unit;

static const unit units[] = {
    {"m", 1},  {"min", 1}, {"mins", 1}, {"minute", 1}, {"minutes", 1},
    {"h", 60}, {"hr", 60}, {"hrs", 60}, {"hour", 60},  {"hours", 60},
};

static int is_hspace(char c) { return c == ' ' || c == '\t'; }
static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static int is_word(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* Number of minutes a unit word stands for, 0 if not a unit. */
static int unit_minutes(const char *w, size_t n) {
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == n && strncasecmp(units[i].name, w, n) == 0) return units[i].minutes;
    return 0;
}

/* Groups "<number> [unit]", hours before minutes ("1h30m", "1 hour 30
 * minutes", "1h30", "1.5h", "90"). whole: the rest must be white space;
 * otherwise the duration must end at a word boundary and name a unit (so a
 * heading "Exercise (2 of 3)" is not read as 2 minutes). */
static int parse_core(const char *s, size_t *used, int whole) {
    const char *p = s;
    while (is_space(*p)) p++;
    double total = 0;
    int groups = 0, have_unit = 0;
    int last = 0; /* 0 nothing yet, 60 hours, 1 minutes, -1 bare number */
    for (;;) {
        const char *q = p;
        if (groups)
            while (is_hspace(*q)) q++;
        if (!isdigit((unsigned char)*q) && !(*q == '.' && isdigit((unsigned char)q[1]))) break;
        double v = 0;
        int digits = 0;
        while (isdigit((unsigned char)*q)) {
            if (++digits > 9) return -1;
            v = v * 10 + (*q++ - '0');
        }
        if (*q == '.' && isdigit((unsigned char)q[1])) {
            double scale = 0.1;
            q++;
            int fd = 0;
            while (isdigit((unsigned char)*q)) {
                if (++fd <= 6) v += (*q - '0') * scale;
                scale /= 10;
                q++;
            }
        }
        const char *r = q;
        while (is_hspace(*r)) r++;
        size_t wl = 0;
        while (isalpha((unsigned char)r[wl])) wl++;
        int mult;
        if (wl > 0) {
            mult = unit_minutes(r, wl);
            if (!mult) {
                if (groups && !whole) break; /* "1h and more": stop before */
                return -1;
            }
            if (mult == 60 && last != 0) return -1; /* hours come first, once */
            if (mult == 1 && last != 0 && last != 60) return -1;
            last = mult;
            have_unit = 1;
            q = r + wl;
        } else {
            if (last != 0 && last != 60) return -1; /* "1h30": bare minutes after hours */
            mult = 1;
            last = -1;
        }
        total += v * mult;
        groups++;
        p = q;
        if (total > TIMING_MAX_MINUTES) return -1;
    }
    if (!groups) return -1;
    if (whole) {
        const char *e = p;
        while (is_space(*e)) e++;
        if (*e) return -1;
    } else {
        if (is_word(*p)) return -1;
        if (!have_unit) return -1;
    }
    if (used) *used = (size_t)(p - s);
    return (int)(total + 0.5);
}

int timing_parse_duration(const char *s) {
    if (!s) return -1;
    return parse_core(s, NULL, 1);
}

int timing_parse_duration_prefix(const char *s, size_t *used) {
    size_t u = 0;
    if (!s) return -1;
    int r = parse_core(s, &u, 0);
    if (r >= 0 && used) *used = u;
    return r;
}

/* ---- the timing tree --------------------------------------------------- */

typedef struct tnode {
    ast_node *n;
    int owner; /* index of the nearest timed ancestor, -1: the module */
} tnode;

typedef struct tctx {
    course *c;
    course_module *m;
    diag *d;
    arena *a;
    tnode *v;
    int nv, cap;
} tctx;

static int add_timed(tctx *t, ast_node *n, int owner) {
    if (t->nv == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->v = xrealloc(t->v, (size_t)t->cap * sizeof *t->v);
    }
    t->v[t->nv].n = n;
    t->v[t->nv].owner = owner;
    return t->nv++;
}

/* The trailing "(...)" of a heading's last Text child: offset of its '(' in
 * that text, or -1. Nested parentheses inside it are balanced. */
static long trailing_paren(const ast_node *h) {
    const ast_node *last = h->last;
    if (!last || last->type != AST_TEXT || !last->text) return -1;
    const char *t = last->text;
    size_t e = strlen(t);
    while (e > 0 && is_space(t[e - 1])) e--;
    if (e == 0 || t[e - 1] != ')') return -1;
    int depth = 0;
    for (size_t i = e; i-- > 0;) {
        if (t[i] == ')')
            depth++;
        else if (t[i] == '(' && --depth == 0)
            return (long)i;
    }
    return -1;
}

/* Minutes stated by a natural-timing parenthesis, -1 if none. */
static int natural_minutes(const ast_node *h, long open) {
    const char *t = h->last->text + open + 1;
    size_t e = strlen(t);
    while (e > 0 && is_space(t[e - 1])) e--;
    char *inner = xstrndup(t, e > 0 ? e - 1 : 0); /* without the ')' */
    int r = timing_parse_duration_prefix(inner, NULL);
    free(inner);
    return r;
}

/* Heading text without its natural-timing parenthesis (the attribute block is
 * already gone), blanks contributing nothing. */
static char *heading_title(arena *a, ast_node *h, int strip_paren) {
    long open = strip_paren ? trailing_paren(h) : -1;
    if (open < 0) return ast_plain_text(a, h);
    ast_node *last = h->last;
    const char *saved = last->text;
    /* plain text of the heading as if its last Text stopped at the '(' */
    last->text = arena_strndup(a, saved, (size_t)open);
    char *r = ast_plain_text(a, h);
    last->text = saved;
    return r;
}

static const char *div_title(arena *a, ast_node *n) {
    const char *t = ast_attr_get(&n->attr, "title");
    if (t && *t) return t;
    for (ast_node *c = n->first; c; c = c->next)
        if (c->type == AST_HEADING) return heading_title(a, c, 1);
    if (n->attr.nclasses) return n->attr.classes[0];
    return "div";
}

static const char *node_title(tctx *t, ast_node *n) {
    if (n->type == AST_HEADING) return heading_title(t->a, n, n->natural);
    return div_title(t->a, n);
}

static void bad_duration(tctx *t, ast_node *n, const char *v) {
    diag_report(t->d, DIAG_ERROR, t->m->path, n->line, n->col, "cannot read duration `%s`", v);
}

/* The node's `duration=` (reported when unreadable) into n->duration, -1 if
 * none; returns the attribute's text or NULL. */
static const char *read_duration(tctx *t, ast_node *n) {
    const char *v = ast_attr_get(&n->attr, "duration");
    n->duration = -1;
    if (v) {
        int dmin = timing_parse_duration(v);
        if (dmin < 0)
            bad_duration(t, n, v);
        else
            n->duration = dmin;
    }
    return v;
}

static void annotate_heading(tctx *t, ast_node *h) {
    const char *v = read_duration(t, h);
    h->natural = 0;
    if (t->c->natural_timings) {
        long open = trailing_paren(h);
        if (open >= 0) {
            int nm = natural_minutes(h, open);
            if (nm >= 0) {
                h->natural = 1;
                if (!v) h->duration = nm;
            }
        }
    }
    if (ast_has_class(h, "break"))
        h->is_break = 1;
    else {
        char *title = heading_title(t->a, h, h->natural);
        h->is_break = strcasecmp(title, "break") == 0;
    }
}

static void annotate_div(tctx *t, ast_node *n) {
    read_duration(t, n);
    if (ast_has_class(n, "break")) n->is_break = 1;
}

static int is_block_container(ast_type ty) {
    return ty == AST_DOCUMENT || ty == AST_BLOCKQUOTE || ty == AST_LIST || ty == AST_ITEM || ty == AST_DIV;
}

/* One children list: headings section it (a heading owns what follows up to
 * the next heading of the same or a higher level); nested containers are
 * scanned with the owner in force where they stand. */
static void scan(tctx *t, ast_node *container, int owner, int depth) {
    if (depth > TIMING_MAX_DEPTH) return;
    int open[7]; /* per heading level: timed index, -1 untimed, -2 none */
    for (int l = 0; l < 7; l++) open[l] = -2;
    for (ast_node *c = container->first; c; c = c->next) {
        if (c->type == AST_HEADING) {
            int lvl = c->level < 1 ? 1 : c->level > 6 ? 6 : c->level;
            for (int l = lvl; l <= 6; l++) open[l] = -2;
            int own = owner;
            for (int l = lvl - 1; l >= 1; l--)
                if (open[l] >= 0) {
                    own = open[l];
                    break;
                }
            annotate_heading(t, c);
            open[lvl] = c->duration >= 0 ? add_timed(t, c, own) : -1;
            continue;
        }
        int own = owner;
        for (int l = 6; l >= 1; l--)
            if (open[l] >= 0) {
                own = open[l];
                break;
            }
        if (c->type == AST_DIV) {
            annotate_div(t, c);
            if (c->duration >= 0) own = add_timed(t, c, own);
        }
        if (is_block_container(c->type)) scan(t, c, own, depth + 1);
    }
}

typedef struct find_h1 {
    ast_node *h;
} find_h1;

static int find_h1_cb(ast_node *n, void *ud) {
    find_h1 *f = ud;
    if (f->h) return 1;
    if (n->type == AST_HEADING) {
        if (n->level == 1) f->h = n;
        return 1;
    }
    return !is_block_container(n->type);
}

static const char *module_title(tctx *t, ast_node *doc) {
    if (t->m->title) return t->m->title;
    if (t->m->meta.title) return t->m->meta.title;
    find_h1 f = {NULL};
    ast_walk(doc, find_h1_cb, &f);
    if (f.h) {
        char *s = heading_title(t->a, f.h, f.h->natural);
        if (*s) return s;
    }
    const char *file = t->m->file ? t->m->file : t->m->path;
    const char *slash = file ? strrchr(file, '/') : NULL;
    return slash ? slash + 1 : file ? file : "module";
}

int timing_module(course *c, course_module *m, ast_node *doc, diag *d) {
    /* titles for messages live in a scratch arena: the course arena is not
     * thread-safe and modules may be timed in parallel workers */
    tctx t = {c, m, d, arena_new(), NULL, 0, 0};
    scan(&t, doc, -1, 0);

    int n = t.nv;
    long *sum = xcalloc((size_t)n + 1, sizeof *sum);
    int *parts = xcalloc((size_t)n + 1, sizeof *parts);
    long top_sum = 0;
    int top_parts = 0;
    for (int i = 0; i < n; i++) {
        int o = t.v[i].owner;
        if (o < 0)
            top_sum += t.v[i].n->duration, top_parts++;
        else
            sum[o] += t.v[i].n->duration, parts[o]++;
    }
    for (int i = 0; i < n; i++) {
        ast_node *x = t.v[i].n;
        if (parts[i] && sum[i] != x->duration)
            diag_report(d, DIAG_WARNING, m->path, x->line, x->col,
                        "timing: \"%s\" declares %d min but its parts add up to %ld min", node_title(&t, x),
                        x->duration, sum[i]);
    }
    int fm = m->meta.duration;
    if (fm >= 0 && top_parts && top_sum != fm)
        diag_report(d, DIAG_WARNING, m->meta.duration_at.path ? m->meta.duration_at.path : m->path,
                    m->meta.duration_at.line, m->meta.duration_at.col,
                    "timing: module \"%s\" declares %d min but its parts add up to %ld min", module_title(&t, doc), fm,
                    top_sum);

    /* The time a segment takes in the day: its declared duration, or its
     * parts' when they overrun it (SPEC §11.9: the parts keep their own
     * times and the next sibling starts after them). Parts follow their
     * owner in document order, so a backward pass sees every part first. */
    long *span = xcalloc((size_t)n + 1, sizeof *span);
    long *inner = xcalloc((size_t)n + 1, sizeof *inner);
    for (int i = n - 1; i >= 0; i--) {
        long own = t.v[i].n->duration;
        span[i] = parts[i] && inner[i] > own ? inner[i] : own;
        if (t.v[i].owner >= 0) inner[t.v[i].owner] += span[i];
    }
    /* Starts: a part begins at its owner's start plus the time its earlier
     * siblings take. */
    long *cursor = xcalloc((size_t)n + 1, sizeof *cursor);
    long top_cursor = 0;
    for (int i = 0; i < n; i++) {
        int o = t.v[i].owner;
        long *cur = o < 0 ? &top_cursor : &cursor[o];
        ast_node *x = t.v[i].n;
        x->tstart = (int)*cur;
        cursor[i] = *cur;
        *cur += span[i];
    }
    free(cursor);
    free(span);
    free(inner);
    free(sum);
    free(parts);
    free(t.v);
    arena_free(t.a);
    if (fm >= 0) return fm;
    return top_parts ? (int)top_sum : -1;
}

void timing_course(course *c, const int *module_durations, diag *d) {
    if (c->duration < 0 || !module_durations) return;
    long total = 0;
    int timed = 0;
    for (int i = 0; i < c->nmodules; i++)
        if (module_durations[i] >= 0) total += module_durations[i], timed++;
    if (!timed || total == c->duration) return;
    diag_report(d, DIAG_WARNING, c->duration_at.path ? c->duration_at.path : c->yaml_path, c->duration_at.line,
                c->duration_at.col, "timing: course \"%s\" declares %d min but its modules add up to %ld min",
                c->title ? c->title
                : c->id  ? c->id
                         : "course",
                c->duration, total);
}
