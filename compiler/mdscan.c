/* mdscan.c — the scan of leaf blocks for md.c (see mdscan.h). A leaf's
 * lines are joined into one text (as cmark's inline parser sees them:
 * container prefixes gone) and read left to right with cmark's precedence:
 * a backslash escape, then code spans, autolinks and raw HTML (whichever
 * starts first wins), then our constructs. Code spans are found as cmark
 * finds them (a backtick run is closed by the next run of the same length
 * in the same block), never across blocks. */
#include "mdscan.h"
#include "md.h"
#include "util.h"
#include "v16.h"
#include <stdlib.h>
#include <string.h>

#define MAX_BACKTICKS 1000 /* longer runs never open a code span (cmark) */

int mdscan_is_role_class(const char *const *roles, const char *cls) {
    static const char *const dflt[] = {"answer", "solution", "facilitator", "instructor", NULL};
    for (const char *const *r = roles ? roles : dflt; *r; r++)
        if (strcmp(*r, cls) == 0) return 1;
    return 0;
}

/* ---- the joined text of a leaf ------------------------------------------- */

typedef struct vtext {
    mdpre *p;
    char *v;        /* the segments joined by '\n' */
    size_t n;
    size_t *vstart; /* where each segment starts in v */
    const md_seg *segs;
    int nsegs;
    /* backtick runs: position, length and the next run of the same length */
    size_t *bt_pos, *bt_len;
    int *bt_next;
    int nbt;
} vtext;

static void vtext_init(vtext *t, mdpre *p, const md_seg *segs, int nsegs) {
    memset(t, 0, sizeof *t);
    t->p = p;
    t->segs = segs;
    t->nsegs = nsegs;
    size_t total = 0;
    for (int i = 0; i < nsegs; i++) total += segs[i].len + 1;
    t->v = xmalloc(total + 1);
    t->vstart = xmalloc(sizeof(size_t) * (size_t)(nsegs + 1));
    size_t o = 0;
    for (int i = 0; i < nsegs; i++) {
        t->vstart[i] = o;
        memcpy(t->v + o, p->text + segs[i].off, segs[i].len);
        o += segs[i].len;
        if (i + 1 < nsegs) t->v[o++] = '\n';
    }
    t->vstart[nsegs] = o + 1;
    t->v[o] = 0;
    t->n = o;
}

static void vtext_free(vtext *t) {
    free(t->v);
    free(t->vstart);
    free(t->bt_pos);
    free(t->bt_len);
    free(t->bt_next);
}

static int seg_of(const vtext *t, size_t vo) {
    int lo = 0, hi = t->nsegs - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (t->vstart[mid] <= vo) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* Body offset of joined offset vo. */
static size_t src_of(const vtext *t, size_t vo) {
    int k = seg_of(t, vo);
    size_t d = vo - t->vstart[k];
    if (d > t->segs[k].len) d = t->segs[k].len;
    return t->segs[k].off + d;
}

static void report(vtext *t, diag_severity sev, size_t vo, const char *fmt, const char *what, size_t wn) {
    mdpre *p = t->p;
    size_t so = src_of(t, vo);
    int li = mdpre_line_of(p, so);
    diag_report(p->d, sev, p->path, mdpre_file_line(p, li), (int)(so - p->line_off[li]) + 1, fmt, (int)wn, what);
    if (sev == DIAG_ERROR) p->nerr++;
}

/* ---- backtick runs and code spans ----------------------------------------- */

static void collect_backticks(vtext *t) {
    int cap = 0;
    for (size_t i = 0; i < t->n;) {
        const char *q = memchr(t->v + i, '`', t->n - i);
        if (!q) break;
        size_t b = (size_t)(q - t->v);
        i = b;
        while (i < t->n && t->v[i] == '`') i++;
        if (t->nbt == cap) {
            cap = cap ? cap * 2 : 16;
            t->bt_pos = xrealloc(t->bt_pos, sizeof(size_t) * (size_t)cap);
            t->bt_len = xrealloc(t->bt_len, sizeof(size_t) * (size_t)cap);
            t->bt_next = xrealloc(t->bt_next, sizeof(int) * (size_t)cap);
        }
        t->bt_pos[t->nbt] = b;
        t->bt_len[t->nbt] = i - b;
        t->bt_next[t->nbt] = -1;
        t->nbt++;
    }
    if (t->nbt < 2) return;
    /* next run of the same length, right to left with the latest run by length */
    int *last = xmalloc(sizeof(int) * (MAX_BACKTICKS + 1));
    for (int i = 0; i <= MAX_BACKTICKS; i++) last[i] = -1;
    for (int r = t->nbt - 1; r >= 0; r--) {
        size_t len = t->bt_len[r];
        if (len > MAX_BACKTICKS) continue;
        t->bt_next[r] = last[len];
        last[len] = r;
    }
    free(last);
}

/* The backtick run starting at vo (index into the runs), or -1. */
static int run_at(const vtext *t, size_t vo) {
    int lo = 0, hi = t->nbt - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (t->bt_pos[mid] == vo) return mid;
        if (t->bt_pos[mid] < vo) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}

/* A code span opened by the run at i: sets *cs and *ce (its content) and
 * returns the offset after the closing run, or 0 (the run is literal). */
static size_t code_span(const vtext *t, size_t i, size_t *cs, size_t *ce) {
    int r = run_at(t, i);
    if (r < 0 || t->bt_next[r] < 0) return 0;
    int c = t->bt_next[r];
    *cs = i + t->bt_len[r];
    *ce = t->bt_pos[c];
    return t->bt_pos[c] + t->bt_len[c];
}

/* ---- raw HTML and autolinks (CommonMark 0.29) ------------------------------ */

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alnum(char c) { return is_alpha(c) || is_digit(c); }
static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

static size_t autolink_uri(const char *s, size_t n) {
    size_t i = 1, k = 0;
    if (i >= n || !is_alpha(s[i])) return 0;
    while (i < n && (is_alnum(s[i]) || s[i] == '+' || s[i] == '.' || s[i] == '-')) i++, k++;
    if (k < 2 || k > 32 || i >= n || s[i] != ':') return 0;
    for (i++; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '>') return i + 1;
        if (c <= 0x20 || c == '<') return 0;
    }
    return 0;
}

static size_t autolink_email(const char *s, size_t n) {
    static const char local[] = ".!#$%&'*+/=?^_`{|}~-";
    size_t i = 1, k = 0;
    while (i < n && (is_alnum(s[i]) || (s[i] && strchr(local, s[i])))) i++, k++;
    if (!k || i >= n || s[i] != '@') return 0;
    i++;
    for (;;) { /* labels separated by dots */
        size_t b = i;
        while (i < n && (is_alnum(s[i]) || s[i] == '-') && i - b < 63) i++;
        if (i == b || s[b] == '-' || s[i - 1] == '-') return 0;
        if (i < n && s[i] == '.') {
            i++;
            continue;
        }
        break;
    }
    return i < n && s[i] == '>' ? i + 1 : 0;
}

/* An attribute value (after '='): its end, or 0. */
static size_t attr_value(const char *s, size_t n, size_t i) {
    if (i >= n) return 0;
    if (s[i] == '"' || s[i] == '\'') {
        const char *q = memchr(s + i + 1, s[i], n - i - 1);
        return q ? (size_t)(q - s) + 1 : 0;
    }
    size_t b = i;
    while (i < n && !is_ws(s[i]) && !strchr("\"'=<>`", s[i])) i++;
    return i > b ? i : 0;
}

static size_t open_tag(const char *s, size_t n) {
    size_t i = 1;
    if (i >= n || !is_alpha(s[i])) return 0;
    while (i < n && (is_alnum(s[i]) || s[i] == '-')) i++;
    for (;;) {
        size_t b = i;
        while (i < n && is_ws(s[i])) i++;
        if (i < n && (s[i] == '>' || (s[i] == '/' && i + 1 < n && s[i + 1] == '>')))
            return s[i] == '>' ? i + 1 : i + 2;
        if (i == b) return 0; /* an attribute needs white space before it */
        if (i >= n || !(is_alpha(s[i]) || s[i] == '_' || s[i] == ':')) return 0;
        while (i < n && (is_alnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == ':' || s[i] == '-')) i++;
        size_t save = i;
        while (i < n && is_ws(s[i])) i++;
        if (i < n && s[i] == '=') {
            i++;
            while (i < n && is_ws(s[i])) i++;
            size_t e = attr_value(s, n, i);
            if (!e) return 0;
            i = e;
        } else {
            i = save;
        }
    }
}

size_t mdscan_html_at(const char *s, size_t n, int *comment) {
    *comment = 0;
    if (n < 3 || s[0] != '<') return 0;
    size_t e;
    if ((e = autolink_uri(s, n)) || (e = autolink_email(s, n))) return e;
    if (is_alpha(s[1])) return open_tag(s, n);
    if (s[1] == '/') {
        size_t i = 2;
        if (i >= n || !is_alpha(s[i])) return 0;
        while (i < n && (is_alnum(s[i]) || s[i] == '-')) i++;
        while (i < n && is_ws(s[i])) i++;
        return i < n && s[i] == '>' ? i + 1 : 0;
    }
    if (s[1] == '?') {
        for (size_t i = 2; i + 1 < n; i++)
            if (s[i] == '?' && s[i + 1] == '>') return i + 2;
        return 0;
    }
    if (s[1] != '!') return 0;
    if (n >= 4 && s[2] == '-' && s[3] == '-') {
        /* <!-- text -->: text does not start with > or ->, has no --, and
         * does not end with - ; `<!---->` is a comment */
        if (n >= 7 && memcmp(s + 4, "-->", 3) == 0) return *comment = 1, 7;
        size_t i = 4;
        if (i < n && s[i] == '>') return 0;
        if (i + 1 < n && s[i] == '-' && s[i + 1] == '>') return 0;
        for (; i + 1 < n; i++)
            if (s[i] == '-' && s[i + 1] == '-') {
                if (i + 2 < n && s[i + 2] == '>' && s[i - 1] != '-') return *comment = 1, i + 3;
                return 0;
            }
        return 0;
    }
    if (n >= 9 && memcmp(s + 2, "[CDATA[", 7) == 0) {
        for (size_t i = 9; i + 2 < n; i++)
            if (s[i] == ']' && s[i + 1] == ']' && s[i + 2] == '>') return i + 3;
        return 0;
    }
    if (s[2] >= 'A' && s[2] <= 'Z') {
        size_t i = 2;
        while (i < n && s[i] >= 'A' && s[i] <= 'Z') i++;
        if (i >= n || !is_ws(s[i])) return 0;
        const char *q = memchr(s + i, '>', n - i);
        return q ? (size_t)(q - s) + 1 : 0;
    }
    return 0;
}

/* ---- blanks ------------------------------------------------------------------ */

static int is_ascii_punct(unsigned char c) {
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

/* The end of the `[[…]]` starting at i (just past `]]`), or 0; a later `[[`
 * before the `]]` starts the blank instead (*restart = its offset). Code
 * spans inside are skipped when t has its backtick runs. */
static size_t blank_end(const vtext *t, size_t i, size_t limit, int spans, size_t *restart) {
    const char *v = t->v;
    *restart = 0;
    for (size_t j = i + 2; j + 1 < limit; j++) {
        char c = v[j];
        if (c == '\\') {
            j++;
            continue;
        }
        if (c == '`' && spans) {
            size_t cs, ce, e = code_span(t, j, &cs, &ce);
            if (e && e <= limit) {
                j = e - 1;
                continue;
            }
            while (j + 1 < limit && v[j + 1] == '`') j++;
            continue;
        }
        if (c == '[' && v[j + 1] == '[') {
            *restart = j;
            return 0;
        }
        if (c == ']' && v[j + 1] == ']') return j + 2;
    }
    return 0;
}

/* Record the blank [vs, ve) of the joined text, one edit per line. */
static void add_blank(vtext *t, size_t vs, size_t ve, int underscore) {
    int k0 = seg_of(t, vs), k1 = seg_of(t, ve - 1);
    size_t so[64], sl[64];
    int nseg = 0;
    if (k1 - k0 >= 64) {
        report(t, DIAG_ERROR, vs, "blank `%.*s…` spans more than 64 lines: shorten its answer", t->v + vs, 20);
        return;
    }
    for (int k = k0; k <= k1; k++) {
        size_t a = k == k0 ? vs : t->vstart[k], b = k == k1 ? ve : t->vstart[k] + t->segs[k].len;
        if (b <= a) continue;
        so[nseg] = src_of(t, a);
        sl[nseg] = b - a;
        nseg++;
    }
    size_t s0 = src_of(t, vs), s1 = src_of(t, ve - 1) + 1;
    mdpre_add_blank(t->p, s0, s1 - s0, underscore, so, sl, nseg);
}

/* ---- prose ------------------------------------------------------------------ */

static int is_keych(char c) { return is_alnum(c) || c == '_' || c == '-'; }

/* Does the `{` at s look like an attribute block the author meant (not
 * `{a, b}` or `{{var}}`)? */
static int looks_like_attr(const char *s, size_t n) {
    if (n < 2 || s[1] == '{') return 0;
    if (s[1] == '#' || s[1] == '.') return 1;
    size_t k = 1;
    while (k < n && is_keych(s[k])) k++;
    return k > 1 && k < n && s[k] == '=';
}

/* An attribute block at v[i] == '{' on its line: its length (through '}')
 * and *attr, or 0. */
static size_t attr_block(vtext *t, size_t i, ast_attr *attr) {
    const char *eol = memchr(t->v + i, '\n', t->n - i);
    size_t lim = eol ? (size_t)(eol - t->v) : t->n;
    const char *err = NULL;
    memset(attr, 0, sizeof *attr);
    return md_parse_attr(t->p->a, t->v + i, lim - i, attr, &err);
}

static int restricts(const ast_attr *at, const char *const *roles) {
    for (int i = 0; i < at->nclasses; i++)
        if (mdscan_is_role_class(roles, at->classes[i])) return 1;
    return ast_attr_get(at, "only") || ast_attr_get(at, "except");
}

static int has_class(const ast_attr *at, const char *cls) {
    for (int i = 0; i < at->nclasses; i++)
        if (strcmp(at->classes[i], cls) == 0) return 1;
    return 0;
}

/* Live blanks inside [s, e) of the joined text (worksheet rules). */
static void live_range(vtext *t, size_t s, size_t e) {
    const char *v = t->v;
    for (size_t i = s; i < e;) {
        i = v16_find4((const unsigned char *)v, i, e, '\\', '[', '_', '_');
        if (i >= e) break;
        if (v[i] == '\\' && i + 2 < e && v[i + 1] == '[' && v[i + 2] == '[') {
            mdpre_add_escape(t->p, src_of(t, i), 0);
            i += 3;
            continue;
        }
        if (v[i] == '[' && i + 1 < e && v[i + 1] == '[') {
            size_t r, end = blank_end(t, i, e, 0, &r);
            const char *nl = memchr(v + i, '\n', (end ? end : e) - i);
            if (end && !nl) {
                add_blank(t, i, end, 0);
                i = end;
                continue;
            }
            i = r ? r : i + 2;
            continue;
        }
        if (v[i] == '_') {
            size_t b = i;
            while (i < e && v[i] == '_') i++;
            if (i - b >= 5) add_blank(t, b, i, 1);
            continue;
        }
        i++;
    }
}

/* `{{ name }` with one closing brace: a warning (SPEC §11.7). */
static void check_var(vtext *t, size_t i) {
    const char *v = t->v;
    for (size_t j = i + 2; j < t->n; j++) {
        if (v[j] == '{' || v[j] == '\n') return;
        if (v[j] == '}') {
            if (j + 1 < t->n && v[j + 1] == '}') return;
            if (j == i + 2) return;
            report(t, DIAG_WARNING, i, "variable `%.*s` is not closed: write `}}` at its end", v + i, j - i + 1);
            return;
        }
    }
}

/* The word-blank warning of §11.4 for the code text s[0, n). */
static int word_blank(const char *s, size_t n, size_t *at, size_t *len) {
    for (size_t i = 0; i + 3 < n; i++) {
        if (s[i] != '[' || s[i + 1] != '[') continue;
        if (i > 0 && !is_ws(s[i - 1])) continue;
        const char *q = NULL;
        for (size_t j = i + 2; j + 1 < n; j++)
            if (s[j] == ']' && s[j + 1] == ']') {
                q = s + j;
                break;
            }
        if (!q) return 0;
        size_t b = i + 2, e = (size_t)(q - s);
        int ok = e > b;
        for (size_t j = b; j < e && ok; j++) {
            unsigned char c = (unsigned char)s[j];
            int letter = is_alpha((char)c) || c >= 0x80;
            if (j == b || j == e - 1) ok = letter;
            else ok = letter || c == '-' || c == ' ';
        }
        if (ok) {
            *at = i;
            *len = e + 2 - i;
            return 1;
        }
    }
    return 0;
}

void mdscan_code_warn(mdpre *p, const char *s, size_t n, int line, int col, int block) {
    size_t at, len;
    if (!word_blank(s, n, &at, &len)) return;
    /* the line and column of the `[[` within s */
    for (size_t i = 0; i < at; i++)
        if (s[i] == '\n') line++, col = 1;
        else col++;
    diag_report(p->d, DIAG_WARNING, p->path, line, col,
                block ? "`%.*s` in a code block is printed as written: for a blank, give the block the class "
                        "`blanks` (```sh {.blanks}); the class `literal` silences this"
                      : "`%.*s` in code is printed as written: for a blank, write `…`{.blanks}; the class "
                        "`literal` silences this",
                (int)len, s + at);
}

/* A code span's content [cs, ce) and what follows it at e: an attribute
 * block makes it restricted, live or quiet. Returns where to go on. */
static size_t after_code(vtext *t, size_t cs, size_t ce, size_t e) {
    ast_attr at;
    size_t alen = e < t->n && t->v[e] == '{' ? attr_block(t, e, &at) : 0;
    if (alen) {
        mdpre_add_attr(t->p, src_of(t, e), alen, &at);
        if (has_class(&at, "blanks")) {
            live_range(t, cs, ce);
            return e + alen;
        }
        if (has_class(&at, "literal")) return e + alen;
    }
    size_t so = src_of(t, cs);
    int li = mdpre_line_of(t->p, so);
    mdscan_code_warn(t->p, t->v + cs, ce - cs, mdpre_file_line(t->p, li), (int)(so - t->p->line_off[li]) + 1, 0);
    return alen ? e + alen : e;
}

/* The first byte at or after i the prose scan looks at. */
static size_t next_special(const char *s, size_t i, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    for (; i + 16 <= n; i += 16) {
        v16 x = v16_load(u + i);
        size_t k = v16_first((v16)((x == '\\') | (x == '`') | (x == '<') | (x == '[') | (x == ']') | (x == ')') |
                                   (x == '{') | (x == '_')));
        if (k < 16) return i + k;
    }
    while (i < n && !strchr("\\`<[])}{_", u[i])) i++;
    return i;
}

void mdscan_prose(mdpre *p, const md_seg *segs, int nsegs, const char *const *roles) {
    if (nsegs <= 0) return;
    vtext t;
    vtext_init(&t, p, segs, nsegs);
    collect_backticks(&t);
    const char *v = t.v;
    size_t n = t.n;
    /* open brackets: offsets; an image's `![` is stored with bit 0 of the
     * flag set so that its `]` forms no span */
    size_t *stack = NULL;
    unsigned char *img = NULL;
    int depth = 0, cap = 0;
    for (size_t i = 0; i < n;) {
        i = next_special(v, i, n);
        if (i >= n) break;
        char c = v[i];
        switch (c) {
        case '\\':
            if (i + 1 < n && is_ascii_punct((unsigned char)v[i + 1])) {
                /* `\[[` and `\{{` need a marker (a literal `[[`; `\{{` for the
                 * vars filter); every other escape is cmark's own, so a
                 * link label with `\[` still matches its definition */
                if ((v[i + 1] == '[' || v[i + 1] == '{') && i + 2 < n && v[i + 2] == v[i + 1])
                    mdpre_add_escape(p, src_of(&t, i), v[i + 1] == '{');
                i += 2;
            } else i++;
            continue;
        case '`': {
            size_t cs, ce, e = code_span(&t, i, &cs, &ce);
            if (!e) {
                while (i < n && v[i] == '`') i++;
                continue;
            }
            i = after_code(&t, cs, ce, e);
            continue;
        }
        case '<': {
            int comment;
            size_t e = mdscan_html_at(v + i, n - i, &comment);
            if (!e) break;
            long bl = comment ? -1 : md_find_blank_syntax(v + i, e);
            if (bl >= 0) {
                const char *b = v + i + bl, *q = strstr(b + 2, "]]");
                report(&t, DIAG_ERROR, i + (size_t)bl,
                       "blank `%.*s` inside raw HTML or an autolink: a blank cannot stand in HTML or a URL", b,
                       q ? (size_t)(q + 2 - b) : 2);
            }
            i += e;
            continue;
        }
        case '[':
            /* in a run of brackets the blank takes the last two: `![[[x]]](i.png)` is an image whose
             * text is a blank */
            if (i + 2 < n && v[i + 1] == '[' && v[i + 2] != '[') {
                size_t r, e = blank_end(&t, i, n, 1, &r);
                if (e) {
                    add_blank(&t, i, e, 0);
                    i = e;
                } else i = r ? r : i + 2;
                continue;
            }
            if (depth == cap) {
                cap = cap ? cap * 2 : 16;
                stack = xrealloc(stack, sizeof *stack * (size_t)cap);
                img = xrealloc(img, (size_t)cap);
            }
            stack[depth] = i;
            img[depth++] = i > 0 && v[i - 1] == '!';
            break;
        case ']':
            if (depth > 0) {
                size_t o = stack[--depth];
                ast_attr at;
                size_t alen = !img[depth] && i + 1 < n && v[i + 1] == '{' ? attr_block(&t, i + 1, &at) : 0;
                if (alen) {
                    mdpre_add_span(p, src_of(&t, o), src_of(&t, i), alen + 1, &at);
                    i += alen + 1;
                    continue;
                }
            }
            break;
        case ')':
            if (i + 1 < n && v[i + 1] == '{') {
                ast_attr at;
                size_t alen = attr_block(&t, i + 1, &at);
                if (alen) {
                    mdpre_add_attr(p, src_of(&t, i + 1), alen, &at);
                    i += alen + 1;
                    continue;
                }
            }
            break;
        case '{':
            if (i + 1 < n && v[i + 1] == '{') {
                check_var(&t, i);
                i += 2;
                continue;
            }
            if (looks_like_attr(v + i, n - i)) {
                ast_attr at;
                size_t alen = attr_block(&t, i, &at);
                if (alen && restricts(&at, roles))
                    report(&t, DIAG_ERROR, i,
                           "attribute block `%.*s` applies to nothing: write it right after the text it restricts "
                           "(`[text]{.answer}`, no space), or use a fenced div",
                           v + i, alen);
                if (alen) {
                    i += alen;
                    continue;
                }
            }
            break;
        case '_': {
            size_t b = i;
            while (i < n && v[i] == '_') i++;
            if (i - b >= 5) add_blank(&t, b, i, 1);
            continue;
        }
        default:
            break;
        }
        i++;
    }
    free(stack);
    free(img);
    vtext_free(&t);
}

void mdscan_live(mdpre *p, const md_seg *segs, int nsegs) {
    if (nsegs <= 0) return;
    vtext t;
    vtext_init(&t, p, segs, nsegs);
    live_range(&t, 0, t.n);
    vtext_free(&t);
}

/* ---- heading attribute blocks ----------------------------------------------- */

size_t mdscan_heading_attr(mdpre *p, size_t off, size_t len) {
    const char *s = p->text + off;
    size_t n = len;
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (!n || s[n - 1] != '}') return len;
    size_t bad = (size_t)-1;
    const char *bad_err = NULL;
    for (size_t k = n; k-- > 0;) {
        if (s[k] != '{' || (k > 0 && (s[k - 1] == '\\' || s[k - 1] == '{'))) continue;
        ast_attr attr;
        const char *err = NULL;
        size_t used = md_parse_attr(p->a, s + k, n - k, &attr, &err);
        if (used == n - k) {
            int li = mdpre_line_of(p, off + k);
            mdpre_add_hattr(p, li, mdpre_col_of(p, off + k), off + k, n - k, &attr);
            size_t keep = k;
            while (keep && (s[keep - 1] == ' ' || s[keep - 1] == '\t')) keep--;
            return keep;
        }
        if (bad == (size_t)-1 && looks_like_attr(s + k, n - k)) {
            bad = k;
            bad_err = used ? "text after the heading's attribute block" : err;
        }
    }
    if (bad != (size_t)-1) {
        int li = mdpre_line_of(p, off + bad);
        diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, li), mdpre_col_of(p, off + bad), "%s",
                    bad_err ? bad_err : "bad attribute block");
        p->nerr++;
    }
    return len;
}

/* ---- reference definitions ------------------------------------------------------- */

long mdscan_def_dest(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && i < 3 && s[i] == ' ') i++;
    if (i >= n || s[i] != '[') return -1;
    for (i++; i < n && s[i] != ']'; i++) {
        if (s[i] == '\\') i++;
        else if (s[i] == '[') return -1;
    }
    if (i + 1 >= n || s[i + 1] != ':') return -1;
    i += 2;
    int nl = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || (s[i] == '\n' && !nl++) || s[i] == '\r')) i++;
    if (i >= n) return -1;
    if (s[i] == '<') return (long)i + 1;
    return (long)i;
}

/* ---- element names ----------------------------------------------------------------- */

static int in_sorted(const char *const *list, size_t n, const char *s) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(list[mid], s);
        if (!c) return 1;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

int mdscan_known_element(const char *name, size_t n) {
    /* HTML (the living standard's elements and its obsolete ones, which
     * browsers still parse), SVG and MathML, lower case; compared ignoring
     * case, as HTML does */
    static const char *const names[] = {
        "a", "abbr", "acronym", "address", "animate", "animatemotion", "animatetransform", "annotation",
        "annotation-xml", "applet", "area", "article", "aside", "audio", "b", "base", "basefont", "bdi", "bdo",
        "bgsound", "big", "blink", "blockquote", "body", "br", "button", "canvas", "caption", "center", "circle",
        "cite", "clippath", "code", "col", "colgroup", "data", "datalist", "dd", "defs", "del", "desc", "details",
        "dfn", "dialog", "dir", "div", "dl", "dt", "ellipse", "em", "embed", "feblend", "fecolormatrix",
        "fecomponenttransfer", "fecomposite", "feconvolvematrix", "fediffuselighting", "fedisplacementmap",
        "fedistantlight", "fedropshadow", "feflood", "fefunca", "fefuncb", "fefuncg", "fefuncr", "fegaussianblur",
        "feimage", "femerge", "femergenode", "femorphology", "feoffset", "fepointlight", "fespecularlighting",
        "fespotlight", "fetile", "feturbulence", "fieldset", "figcaption", "figure", "filter", "font", "footer",
        "foreignobject", "form", "frame", "frameset", "g", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header",
        "hgroup", "hr", "html", "i", "iframe", "image", "img", "input", "ins", "isindex", "kbd", "keygen", "label",
        "legend", "li", "line", "lineargradient", "link", "listing", "maction", "main", "map", "mark", "marker",
        "marquee", "mask", "math", "menclose", "menu", "menuitem", "merror", "meta", "metadata", "meter",
        "mfenced", "mfrac", "mi", "mmultiscripts", "mn", "mo", "mover", "mpadded", "mpath", "mphantom",
        "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt", "mstyle", "msub", "msubsup", "msup", "mtable",
        "mtd", "mtext", "mtr", "multicol", "munder", "munderover", "nav", "nextid", "nobr", "noembed", "noframes",
        "none", "noscript", "object", "ol", "optgroup", "option", "output", "p", "param", "path", "pattern",
        "picture", "plaintext", "polygon", "polyline", "pre", "progress", "q", "radialgradient", "rb", "rect",
        "rp", "rt", "rtc", "ruby", "s", "samp", "script", "search", "section", "select", "semantics", "set",
        "slot", "small", "source", "spacer", "span", "stop", "strike", "strong", "style", "sub", "summary", "sup",
        "svg", "switch", "symbol", "table", "tbody", "td", "template", "text", "textarea", "textpath", "tfoot",
        "th", "thead", "time", "title", "tr", "track", "tspan", "tt", "u", "ul", "use", "var", "video", "view",
        "wbr", "xmp"};
    /* SVG and MathML elements that HTML does not have: valid only inside
     * an <svg> or a <math> */
    static const char *const foreign[] = {
        "animate", "animatemotion", "animatetransform", "annotation", "annotation-xml", "circle", "clippath",
        "defs", "desc", "ellipse", "feblend", "fecolormatrix", "fecomponenttransfer", "fecomposite",
        "feconvolvematrix", "fediffuselighting", "fedisplacementmap", "fedistantlight", "fedropshadow", "feflood",
        "fefunca", "fefuncb", "fefuncg", "fefuncr", "fegaussianblur", "feimage", "femerge", "femergenode",
        "femorphology", "feoffset", "fepointlight", "fespecularlighting", "fespotlight", "fetile", "feturbulence",
        "filter", "foreignobject", "g", "line", "lineargradient", "maction", "marker", "mask", "menclose",
        "merror", "metadata", "mfenced", "mfrac", "mi", "mmultiscripts", "mn", "mo", "mover", "mpadded", "mpath",
        "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt", "mstyle", "msub", "msubsup", "msup",
        "mtable", "mtd", "mtext", "mtr", "munder", "munderover", "none", "path", "pattern", "polygon", "polyline",
        "radialgradient", "rect", "semantics", "set", "stop", "switch", "symbol", "text", "textpath", "tspan",
        "use", "view"};
    if (!n || n > 40) return 0;
    char low[41];
    int hyphen = 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        low[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        if (c == '-') hyphen = 1;
    }
    low[n] = 0;
    /* a custom element: a letter first, a hyphen somewhere (HTML's rule) */
    if (hyphen && low[0] >= 'a' && low[0] <= 'z') return 1;
    if (!in_sorted(names, sizeof names / sizeof names[0], low)) return 0;
    return in_sorted(foreign, sizeof foreign / sizeof foreign[0], low) ? 2 : 1;
}
