/* labels.c — the label tables of a theme (labels.h): THEME/labels/<lang>.yaml
 * read through ydoc, merged default theme → course theme → course
 * `labels:`, checked against the English vocabulary and its placeholders;
 * lookups, `{name}` substitution, and a variable's name in words. */
#include "labels.h"
#include "buf.h"
#include "fs.h"
#include "roles.h"
#include "ydoc.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct labels {
    const char **keys;   /* the vocabulary, in the English table's order */
    const char **en;     /* the English strings */
    const char **val;    /* the strings in the course's language */
    int n, cap;
};

/* ---- placeholders ----------------------------------------------------------- */

/* The length of a placeholder `{name}` starting at s, or 0. */
static size_t placeholder_at(const char *s) {
    if (s[0] != '{') return 0;
    size_t i = 1;
    while (s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z')) i++;
    return i > 1 && s[i] == '}' ? i + 1 : 0;
}

/* Is the placeholder p[0..len) somewhere in s? */
static int holds(const char *s, const char *p, size_t len) {
    for (; *s; s++)
        if (placeholder_at(s) == len && memcmp(s, p, len) == 0) return 1;
    return 0;
}

/* The first placeholder of a that b lacks, copied without braces. */
static int missing_from(const char *a, const char *b, char *which, size_t size) {
    for (const char *s = a; *s; s++) {
        size_t k = placeholder_at(s);
        if (!k) continue;
        if (!holds(b, s, k)) {
            size_t w = k - 2 < size - 1 ? k - 2 : size - 1;
            memcpy(which, s + 1, w);
            which[w] = 0;
            return 1;
        }
        s += k - 1;
    }
    return 0;
}

int labels_same_placeholders(const char *s, const char *ref, char *which, size_t size) {
    if (size) which[0] = 0;
    if (size < 2) return missing_from(s, ref, which, 2) == 0 && missing_from(ref, s, which, 2) == 0;
    return !missing_from(ref, s, which, size) && !missing_from(s, ref, which, size);
}

/* ---- the table ---------------------------------------------------------------- */

static int find(const label_table *l, const char *key) {
    for (int i = 0; l && i < l->n; i++)
        if (!strcmp(l->keys[i], key)) return i;
    return -1;
}

static void add_key(arena *a, label_table *l, const char *key, const char *en) {
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        const char **k = arena_alloc(a, sizeof *k * (size_t)cap), **e = arena_alloc(a, sizeof *e * (size_t)cap),
                   **v = arena_alloc(a, sizeof *v * (size_t)cap);
        if (l->n) {
            memcpy(k, l->keys, sizeof *k * (size_t)l->n);
            memcpy(e, l->en, sizeof *e * (size_t)l->n);
            memcpy(v, l->val, sizeof *v * (size_t)l->n);
        }
        l->keys = k, l->en = e, l->val = v, l->cap = cap;
    }
    l->keys[l->n] = key;
    l->en[l->n] = en;
    l->val[l->n] = en;
    l->n++;
}

/* Report key k (of a table or `labels:`) that is not in the vocabulary. */
static void unknown(const label_table *l, const char *path, int line, int col, const char *key, const char *where, diag *d) {
    const char *s = roles_suggest(key, l->keys, l->n);
    if (s)
        diag_report(d, DIAG_ERROR, path, line, col, "unknown label `%s` in %s (did you mean `%s`?)", key, where, s);
    else
        diag_report(d, DIAG_ERROR, path, line, col,
                    "unknown label `%s` in %s: a label key is one of the theme's labels/en.yaml", key, where);
}

/* Set key's string in the language's table (en: an English table, which
 * sets the English string too, and whose new keys join the vocabulary). A
 * known key keeps the placeholders of its English string, whatever table
 * sets it. Returns 0, or -1 after reporting. */
static int set_one(arena *a, label_table *l, const char *key, const char *value, int en, const char *path,
                   int kline, int kcol, int vline, int vcol, const char *where, diag *d) {
    int i = find(l, key);
    if (i < 0 && !en) {
        unknown(l, path, kline, kcol, key, where, d);
        return -1;
    }
    if (i >= 0) {
        char which[64];
        const char *ref = l->en[i];
        if (!labels_same_placeholders(value, ref, which, sizeof which)) {
            diag_report(d, DIAG_ERROR, path, vline, vcol,
                        "label `%s` must hold the same placeholders as its English string \"%s\" (`{%s}` is in one "
                        "but not the other)",
                        key, ref, which);
            return -1;
        }
    }
    if (i < 0) {
        add_key(a, l, key, value);
        return 0;
    }
    if (en) l->en[i] = value;
    l->val[i] = value;
    return 0;
}

/* Read dir/labels/<lang>.yaml into l (when the file exists; *found set);
 * en: it is an English table (set_one). */
static int read_table(arena *a, label_table *l, const char *dir, const char *lang, int en, int *found,
                      diag *d) {
    *found = 0;
    const char *path = arena_printf(a, "%s/labels/%s.yaml", dir, lang);
    char *src = NULL;
    size_t len = 0;
    if (fs_read(path, &src, &len) != 0) {
        if (errno == ENOENT) return 0;
        diag_report(d, DIAG_ERROR, path, 0, 0, "cannot read the theme's label table: %s", fs_strerror(errno));
        return 1;
    }
    *found = 1;
    diag *s = diag_scope(d);
    ynode *root = ydoc_parse(a, src, len, path, 1, s);
    int nerr = diag_errors(s);
    diag_free(s);
    free(src);
    if (!root) return nerr ? nerr : 1;
    if (root->type == Y_NULL) return 0;
    if (root->type != Y_MAP) {
        diag_report(d, DIAG_ERROR, path, root->line, root->col,
                    "a label table is a mapping of label keys to strings, not a %s", ydoc_kind(root));
        return 1;
    }
    const char *where = arena_printf(a, "the %s label table", lang);
    for (int i = 0; i < root->n; i++) {
        const ynode *k = root->keys[i], *v = root->items[i];
        if (v->type != Y_SCALAR || strlen(v->str) != v->len) {
            diag_report(d, DIAG_ERROR, path, v->line, v->col, "label `%s` must be a string, not %s%s",
                        k->str, v->type == Y_NULL ? "" : "a ", v->type == Y_NULL ? "empty" : ydoc_kind(v));
            nerr++;
            continue;
        }
        if (set_one(a, l, k->str, v->str, en, path, k->line, k->col, v->line, v->col, where, d) != 0) nerr++;
    }
    return nerr;
}

/* "de" of "de-CH", lower case; NULL when it is no language subtag. */
static const char *primary(arena *a, const char *lang) {
    if (!lang) return NULL;
    size_t n = 0;
    while (isalpha((unsigned char)lang[n])) n++;
    if (n < 2 || n > 8 || (lang[n] && lang[n] != '-')) return NULL;
    char *p = arena_strndup(a, lang, n);
    for (size_t i = 0; i < n; i++) p[i] = (char)tolower((unsigned char)p[i]);
    return p;
}

label_table *labels_load(arena *a, const char *default_dir, const char *theme_dir, const course *c, diag *d, int *nerr) {
    label_table *l = arena_alloc(a, sizeof *l);
    int err = 0, found = 0;
    int own = theme_dir && default_dir && strcmp(theme_dir, default_dir) != 0;
    err += read_table(a, l, default_dir, "en", 1, &found, d);
    if (!found)
        diag_report(d, DIAG_ERROR, arena_printf(a, "%s/labels/en.yaml", default_dir), 0, 0,
                    "coursec's default theme has no English label table (set COURSEC_DATA)"),
            err++;
    if (own) err += read_table(a, l, theme_dir, "en", 1, &found, d);
    const char *lang = primary(a, c ? c->language : NULL);
    if (lang && strcmp(lang, "en") != 0) {
        err += read_table(a, l, default_dir, lang, 0, &found, d);
        if (own) err += read_table(a, l, theme_dir, lang, 0, &found, d);
    }
    for (int i = 0; c && i < c->nlabel_set; i++) {
        const course_label *o = &c->label_set[i];
        if (set_one(a, l, o->key, o->value, 0, o->key_at.path, o->key_at.line, o->key_at.col, o->value_at.line,
                    o->value_at.col, "`labels:`", d) != 0)
            err++;
    }
    *nerr = err;
    return l;
}

const char *labels_get(const label_table *l, const char *key) {
    int i = find(l, key);
    return i >= 0 ? l->val[i] : key;
}

int labels_has(const label_table *l, const char *key) { return find(l, key) >= 0; }

const char *labels_suggest(const label_table *l, const char *key) { return l ? roles_suggest(key, l->keys, l->n) : NULL; }

const char *labels_format(arena *a, const label_table *l, const char *key, const char *const *names,
                          const char *const *values, int n) {
    const char *s = labels_get(l, key);
    if (!strchr(s, '{')) return s;
    buf b = BUF_INIT;
    for (const char *p = s; *p;) {
        size_t k = placeholder_at(p);
        int done = 0;
        for (int i = 0; k && i < n && !done; i++)
            if (strlen(names[i]) == k - 2 && !memcmp(names[i], p + 1, k - 2)) {
                buf_puts(&b, values[i] ? values[i] : "");
                done = 1;
            }
        if (done) {
            p += k;
        } else {
            buf_putc(&b, *p);
            p++;
        }
    }
    const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return r;
}

const char *labels_format_n(arena *a, const label_table *l, const char *key, long n) {
    const char *names[] = {"n"};
    const char *values[] = {arena_printf(a, "%ld", n)};
    return labels_format(a, l, key, names, values, 1);
}

int labels_count(const label_table *l) { return l ? l->n : 0; }
const char *labels_key(const label_table *l, int i) { return l->keys[i]; }
const char *labels_value(const label_table *l, int i) { return l->val[i]; }

/* ---- a name in words ---------------------------------------------------------- */

static int is_sep(char ch) { return ch == '_' || ch == '-' || ch == '.' || ch == ' ' || ch == '\t'; }

const char *labels_words(arena *a, const char *name) {
    if (!name) return "";
    int any_lower = 0, any_alpha = 0;
    for (const char *p = name; *p; p++) {
        any_lower |= islower((unsigned char)*p) != 0;
        any_alpha |= isalpha((unsigned char)*p) != 0;
    }
    if (!any_alpha) return name;
    buf b = BUF_INIT;
    size_t n = strlen(name);
    size_t i = 0;
    while (i < n) {
        while (i < n && is_sep(name[i])) i++;
        if (i >= n) break;
        /* one word: up to a separator or a hump (aB, or ABc: the A ends a
         * capital run) */
        size_t s = i++;
        while (i < n && !is_sep(name[i])) {
            unsigned char p = (unsigned char)name[i - 1], ch = (unsigned char)name[i];
            if (any_lower && isupper(ch) && (islower(p) || isdigit(p))) break;
            if (any_lower && isupper(p) && isupper(ch) && i + 1 < n && islower((unsigned char)name[i + 1])) break;
            i++;
        }
        int caps = 1; /* an all-capital word of two or more letters in a mixed-case name */
        size_t letters = 0;
        for (size_t k = s; k < i; k++)
            if (isalpha((unsigned char)name[k])) {
                letters++;
                if (!isupper((unsigned char)name[k])) caps = 0;
            }
        int keep = any_lower && caps && letters >= 2;
        if (b.len) buf_putc(&b, ' ');
        for (size_t k = s; k < i; k++) {
            char ch = name[k];
            buf_putc(&b, keep ? ch : (char)tolower((unsigned char)ch));
        }
    }
    if (b.len) b.data[0] = (char)toupper((unsigned char)b.data[0]);
    const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return r;
}
