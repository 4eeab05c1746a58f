/* mdwalk.c — pass 1 of md.c (SPEC §2.2, §11.2–§11.4): the structural tree
 * (blocks only, fenced divs from mddiv.c) tells which lines are code, raw
 * HTML, fences and reference definitions, and what text each leaf block
 * holds; mdscan.c reads that text into the side table (mdpre.h). */
#include "mdint.h"
#include "buf.h"
#include "mdscan.h"
#include "util.h"
#include <stdlib.h>
#include <string.h>

/* ---- pass 1: the structure -------------------------------------------------------- */

typedef struct walk {
    mdpre *p;
    const md_options *opt;
    char *covered; /* body lines that belong to a block (defs are the rest) */
    md_seg *segs;
    int cap;
} walk;

static md_seg *segs_room(walk *w, int n) {
    if (n > w->cap) {
        w->cap = n * 2;
        w->segs = xrealloc(w->segs, sizeof(md_seg) * (size_t)w->cap);
    }
    return w->segs;
}

/* End of body line idx, its line end excluded. */
size_t md_line_end(const mdpre *p, int idx) {
    size_t e = p->line_off[idx + 1] - 1;
    if (e > p->len) e = p->len;
    while (e > p->line_off[idx] && (p->text[e - 1] == '\n' || p->text[e - 1] == '\r')) e--;
    return e;
}

static void cover(walk *w, int from, int to) {
    for (int i = from < 0 ? 0 : from; i <= to && i < w->p->nlines; i++) w->covered[i] = 1;
}

/* Map the k lines of a leaf's content (cmark's string content: each line is
 * a source line without its container prefix, leading white space aside)
 * onto source lines first..first+k-1: segments, or 0 if they do not match. */
static int map_lines(walk *w, const char *content, int first, int k, md_seg *segs) {
    const mdpre *p = w->p;
    const char *c = content;
    for (int j = 0; j < k; j++) {
        const char *e = strchr(c, '\n');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        while (len && c[len - 1] == '\r') len--;
        while (len && (*c == ' ' || *c == '\t')) c++, len--;
        int idx = first + j;
        if (idx < 0 || idx >= p->nlines) return 0;
        size_t le = md_line_end(p, idx), ls = p->line_off[idx];
        if (le - ls < len || memcmp(p->text + le - len, c, len) != 0) return 0;
        segs[j].off = le - len;
        segs[j].len = len;
        c = e ? e + 1 : c + len;
    }
    return 1;
}

static int count_lines(const char *s) {
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
    if (!n) return 0;
    int k = 1;
    for (const char *q = s, *end = s + n; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++) k++;
    return k;
}

/* A paragraph or setext heading: find its content lines within [sl, el]
 * (definitions before them and a setext underline are not content). */
static int leaf_segs(walk *w, cmark_node *n, int sl, int el, md_seg **out) {
    const char *content = cmark_node_get_string_content(n);
    if (!content) return 0;
    int k = count_lines(content);
    if (k == 0) return 0;
    md_seg *segs = segs_room(w, k);
    for (int first = el - k + 1; first >= sl; first--)
        if (map_lines(w, content, first, k, segs)) {
            cover(w, first, first + k - 1);
            *out = segs;
            return k;
        }
    return 0;
}

static int is_heading_hash_end(const char *s, size_t b, size_t e) {
    /* a closing sequence: spaces, #s, at the end, preceded by a space */
    size_t i = e;
    while (i > b && s[i - 1] == '#') i--;
    return i < e && (i == b || s[i - 1] == ' ' || s[i - 1] == '\t');
}

static void scan_atx(walk *w, cmark_node *n, int sl) {
    mdpre *p = w->p;
    int col = cmark_node_get_start_column(n);
    size_t ls = p->line_off[sl], le = md_line_end(p, sl);
    size_t i = ls + (size_t)(col > 0 ? col - 1 : 0);
    while (i < le && p->text[i] == '#') i++;
    while (i < le && (p->text[i] == ' ' || p->text[i] == '\t')) i++;
    size_t len = mdscan_heading_attr(p, i, le - i);
    size_t e = i + len;
    while (e > i && (p->text[e - 1] == ' ' || p->text[e - 1] == '\t')) e--;
    if (is_heading_hash_end(p->text, i, e)) {
        while (e > i && p->text[e - 1] == '#') e--;
        while (e > i && (p->text[e - 1] == ' ' || p->text[e - 1] == '\t')) e--;
    }
    md_seg seg = {i, e - i};
    mdscan_prose(p, &seg, 1, w->opt->role_classes);
}

/* Table rows: each cell's text on the row's source line. */
static void scan_table(walk *w, cmark_node *table) {
    mdpre *p = w->p;
    /* The header row was the last line of a paragraph, whose first line
     * cmark-gfm gives as the row's: it is the line before the delimiter
     * row, which is the line before the first body row (or the table's last
     * line when it has none). */
    cmark_node *first = cmark_node_first_child(table), *body = first ? cmark_node_next(first) : NULL;
    int delim = body ? cmark_node_get_start_line(body) - 2 : cmark_node_get_end_line(table) - 1;
    for (cmark_node *row = first; row; row = cmark_node_next(row)) {
        int li = row == first ? delim - 1 : cmark_node_get_start_line(row) - 1;
        if (li < 0 || li >= p->nlines) continue;
        size_t ls = p->line_off[li], le = md_line_end(p, li);
        /* the cells are split at every `|` not written `\|` */
        size_t i = ls;
        while (i < le && (p->text[i] == ' ' || p->text[i] == '\t' || p->text[i] == '>')) i++;
        if (i < le && p->text[i] == '|') i++;
        while (i < le) {
            size_t b = i;
            while (i < le && p->text[i] != '|') i += p->text[i] == '\\' && i + 1 < le ? 2 : 1;
            size_t e = i;
            while (b < e && (p->text[b] == ' ' || p->text[b] == '\t')) b++;
            while (e > b && (p->text[e - 1] == ' ' || p->text[e - 1] == '\t')) e--;
            if (e > b) {
                md_seg seg = {b, e - b};
                mdscan_prose(p, &seg, 1, w->opt->role_classes);
            }
            if (i < le) i++;
        }
    }
}

/* The info string of a code block: its first word, and its attribute block
 * ("sh {.blanks}", "{.answer}"). */
void md_split_info(arena *a, const char *info, const char **word, ast_attr *attr) {
    memset(attr, 0, sizeof *attr);
    *word = NULL;
    if (!info) return;
    while (*info == ' ' || *info == '\t') info++;
    const char *brace = strchr(info, '{');
    size_t wl = strcspn(info, " \t{");
    if (wl) *word = arena_strndup(a, info, wl);
    if (brace) {
        const char *err;
        size_t used = md_parse_attr(a, brace, strlen(brace), attr, &err);
        if (!used) memset(attr, 0, sizeof *attr);
    }
}

int md_attr_has_class(const ast_attr *at, const char *cls) {
    for (int i = 0; i < at->nclasses; i++)
        if (strcmp(at->classes[i], cls) == 0) return 1;
    return 0;
}

static int looks_like_fence(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '>')) i++;
    return n - i >= 3 && s[i] == ':' && s[i + 1] == ':' && s[i + 2] == ':';
}

/* A fenced code block that runs to the end of the file: its last line is
 * not a closing fence. */
static int unclosed_fence(const mdpre *p, cmark_node *n, int el) {
    int len = 0, off = 0;
    char ch = 0;
    if (!cmark_node_get_fenced(n, &len, &off, &ch)) return 0;
    if (el < p->nlines - 1) return 0;
    for (int li = p->nlines - 1; li >= 0; li--) {
        size_t ls = p->line_off[li], le = md_line_end(p, li), i = ls;
        while (i < le && (p->text[i] == ' ' || p->text[i] == '>' || p->text[i] == '\t')) i++;
        if (i == le) continue; /* blank lines at the end */
        size_t k = i;
        while (k < le && p->text[k] == ch) k++;
        size_t run = k - i;
        while (k < le && (p->text[k] == ' ' || p->text[k] == '\t')) k++;
        return !(run >= (size_t)len && k == le);
    }
    return 1;
}

static void scan_code(walk *w, cmark_node *n, int sl, int el) {
    mdpre *p = w->p;
    cover(w, sl, el);
    const char *lit = cmark_node_get_literal(n);
    if (!lit) lit = "";
    int fenced = 0, flen = 0, foff = 0;
    char fch = 0;
    fenced = cmark_node_get_fenced(n, &flen, &foff, &fch) != 0;
    const char *word;
    ast_attr attr;
    md_split_info(p->a, fenced ? cmark_node_get_fence_info(n) : NULL, &word, &attr);
    int live = (word && strcmp(word, "worksheet") == 0) || md_attr_has_class(&attr, "blanks");
    int first = fenced ? sl + 1 : sl;
    if (fenced && unclosed_fence(p, n, el)) {
        size_t nl = strlen(lit);
        int bad = md_find_blank_syntax(lit, nl) >= 0;
        for (const char *q = lit; !bad && *q;) {
            const char *e = strchr(q, '\n');
            size_t len = e ? (size_t)(e - q) : strlen(q);
            if (looks_like_fence(q, len)) bad = 1;
            q = e ? e + 1 : q + len;
        }
        if (bad) {
            diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, sl), cmark_node_get_start_column(n),
                        "this code block is never closed and swallows the fenced divs or blanks after it: close "
                        "it with a line `%c%c%c`",
                        fch, fch, fch);
            p->nerr++;
        }
    }
    if (!live) {
        if (!md_attr_has_class(&attr, "literal"))
            mdscan_code_warn(p, lit, strlen(lit), mdpre_file_line(p, first), 1, 1);
        return;
    }
    int k = count_lines(lit);
    if (!k) return;
    md_seg *segs = segs_room(w, k);
    const char *c = lit;
    int m = 0;
    for (int j = 0; j < k; j++) {
        const char *e = strchr(c, '\n');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        int idx = first + j;
        if (idx < p->nlines) {
            size_t le = md_line_end(p, idx), ls = p->line_off[idx];
            if (le - ls >= len && memcmp(p->text + le - len, c, len) == 0) segs[m++] = (md_seg){le - len, len};
        }
        c = e ? e + 1 : c + len;
    }
    mdscan_live(p, segs, m);
}

static void scan_html(walk *w, cmark_node *n, int sl, int el) {
    mdpre *p = w->p;
    cover(w, sl, el);
    const char *lit = cmark_node_get_literal(n);
    if (!lit) return;
    /* comments go to no output: what they hold is never an error */
    int li = sl, in_comment = 0;
    buf t = BUF_INIT;
    size_t *at = NULL, capat = 0;
    for (const char *q = lit; *q; li++) {
        const char *e = strchr(q, '\n');
        size_t len = e ? (size_t)(e - q) : strlen(q);
        /* the line outside comments, and where each of its bytes was */
        t.len = 0;
        if (len + 1 > capat) {
            capat = len + 1;
            at = xrealloc(at, sizeof *at * capat);
        }
        for (size_t i = 0; i < len;) {
            if (in_comment) {
                if (i + 2 < len && memcmp(q + i, "-->", 3) == 0) in_comment = 0, i += 3;
                else i++;
            } else if (i + 3 < len && memcmp(q + i, "<!--", 4) == 0) {
                in_comment = 1;
                i += 4;
            } else {
                at[t.len] = i;
                buf_putc(&t, q[i++]);
            }
        }
        const char *tx = t.data ? t.data : "";
        long bl = md_find_blank_syntax(tx, t.len);
        int fence = looks_like_fence(tx, t.len);
        if ((bl >= 0 || fence) && li < p->nlines) {
            /* the literal's line is the end of the source line */
            size_t le = md_line_end(p, li), ls = p->line_off[li];
            int base = le - ls >= len ? (int)(le - ls - len) : 0;
            int col = base + 1 + (int)(bl >= 0 ? at[bl] : (t.len ? at[0] : 0));
            if (bl >= 0) {
                const char *b = tx + bl, *c2 = strstr(b + 2, "]]");
                int bn = c2 ? (int)(c2 + 2 - b) : 2;
                diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, li), col,
                            "blank `%.*s` inside a raw HTML block: close the HTML block (a blank line) before the "
                            "blank",
                            bn, b);
            } else {
                diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, li), col,
                            "fenced div line inside a raw HTML block: close the HTML block (a blank line) before the "
                            "fence");
            }
            p->nerr++;
        }
        q = e ? e + 1 : q + len;
    }
    buf_free(&t);
    free(at);
}

static void walk_structure(walk *w, cmark_node *doc) {
    mdpre *p = w->p;
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER) continue;
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        int sl = cmark_node_get_start_line(n) - 1, el = cmark_node_get_end_line(n) - 1;
        if (el < sl) el = sl;
        if (t == mddiv_div_type()) {
            cover(w, sl, sl);
        } else if (t == mddiv_close_type() || t == mddiv_bad_type() || t == CMARK_NODE_THEMATIC_BREAK) {
            cover(w, sl, el);
        } else if (t == CMARK_NODE_PARAGRAPH) {
            md_seg *segs;
            int k = leaf_segs(w, n, sl, el, &segs);
            if (k) mdscan_prose(p, segs, k, w->opt->role_classes);
        } else if (t == CMARK_NODE_HEADING) {
            const char *content = cmark_node_get_string_content(n);
            int k = content ? count_lines(content) : 0;
            /* an ATX heading is one line; a setext heading's text lines are followed by its underline */
            size_t hs = p->line_off[sl] + (size_t)(cmark_node_get_start_column(n) - 1);
            if (hs < p->len && p->text[hs] == '#') {
                cover(w, sl, sl);
                scan_atx(w, n, sl);
            } else if (k) {
                md_seg *segs = segs_room(w, k);
                for (int first = sl; first + k - 1 <= el; first++)
                    if (map_lines(w, content, first, k, segs)) {
                        cover(w, first, first + k);
                        segs[k - 1].len = mdscan_heading_attr(p, segs[k - 1].off, segs[k - 1].len);
                        mdscan_prose(p, segs, k, w->opt->role_classes);
                        break;
                    }
            }
            cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
        } else if (t == CMARK_NODE_CODE_BLOCK) {
            scan_code(w, n, sl, el);
        } else if (t == CMARK_NODE_HTML_BLOCK) {
            scan_html(w, n, sl, el);
        } else if (cmark_node_get_type_string(n) && strcmp(cmark_node_get_type_string(n), "table") == 0) {
            cover(w, sl, el);
            scan_table(w, n);
            cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
        }
    }
    cmark_iter_free(it);
}

/* ---- restricted content in the structure (for reference definitions) ------------ */

int md_restricting(const ast_attr *at, const char *const *roles) {
    for (int i = 0; i < at->nclasses; i++)
        if (mdscan_is_role_class(roles, at->classes[i])) return 1;
    return ast_attr_get(at, "only") || ast_attr_get(at, "except");
}

/* Add the restricting parts of at to out (role classes; only/except). */
static void merge_restr(arena *a, ast_attr *out, const ast_attr *at, const char *const *roles) {
    for (int i = 0; i < at->nclasses; i++) {
        if (!mdscan_is_role_class(roles, at->classes[i])) continue;
        const char **nc = arena_alloc(a, sizeof(char *) * (size_t)(out->nclasses + 1));
        if (out->nclasses) memcpy(nc, out->classes, sizeof(char *) * (size_t)out->nclasses);
        nc[out->nclasses++] = at->classes[i];
        out->classes = nc;
    }
    for (int i = 0; i < at->nkv; i++) {
        if (strcmp(at->kv[i].key, "only") != 0 && strcmp(at->kv[i].key, "except") != 0) continue;
        ast_kv *nk = arena_alloc(a, sizeof(ast_kv) * (size_t)(out->nkv + 1));
        if (out->nkv) memcpy(nk, out->kv, sizeof(ast_kv) * (size_t)out->nkv);
        nk[out->nkv++] = at->kv[i];
        out->kv = nk;
    }
}

/* The restrictions around body line li: of every div holding it and every
 * heading whose section holds it (SPEC §11.2). */
static void restrictions_at(const mdpre *p, cmark_node *container, int li, ast_attr *out, const char *const *roles) {
    /* open heading sections among the children before li */
    const ast_attr *open[7] = {0};
    cmark_node *down = NULL;
    for (cmark_node *c = cmark_node_first_child(container); c; c = cmark_node_next(c)) {
        int sl = cmark_node_get_start_line(c) - 1, el = cmark_node_get_end_line(c) - 1;
        if (sl > li) break;
        if (cmark_node_get_type(c) == CMARK_NODE_HEADING) {
            int lv = cmark_node_get_heading_level(c);
            for (int l = lv; l <= 6; l++) open[l] = NULL;
            const ast_attr *ha = NULL;
            for (int l2 = sl; l2 <= (el > sl ? el : sl) && !ha; l2++) ha = mdpre_hattr(p, l2, NULL);
            if (ha && md_restricting(ha, roles)) open[lv] = ha;
        }
        if (sl <= li && li <= el) down = c;
    }
    for (int l = 1; l <= 6; l++)
        if (open[l]) merge_restr(p->a, out, open[l], roles);
    if (!down) return;
    if (cmark_node_get_type(down) == mddiv_div_type()) {
        const md_fence *f = mddiv_fence_of(p, down);
        if (f) merge_restr(p->a, out, &f->attr, roles);
    }
    if (cmark_node_first_child(down)) restrictions_at(p, down, li, out, roles);
}

/* Where line li's content starts after its container prefixes (block
 * quote markers, list markers, indentation). */
static size_t after_prefixes(const mdpre *p, size_t i, size_t le) {
    for (;;) {
        while (i < le && (p->text[i] == ' ' || p->text[i] == '\t' || p->text[i] == '>')) i++;
        size_t k = i;
        while (k < le && k - i < 9 && p->text[k] >= '0' && p->text[k] <= '9') k++;
        if (k < le && ((k > i && (p->text[k] == '.' || p->text[k] == ')')) ||
                       (k == i && (p->text[k] == '-' || p->text[k] == '+' || p->text[k] == '*'))) &&
            k + 1 < le && (p->text[k + 1] == ' ' || p->text[k + 1] == '\t')) {
            i = k + 1;
            continue;
        }
        return i;
    }
}

/* Reference definitions are the lines no block covers: mark those inside
 * restricted content, so that links through them carry the restriction. */
static void find_defs(walk *w, cmark_node *doc) {
    mdpre *p = w->p;
    for (int li = 0; li < p->nlines; li++) {
        if (w->covered[li]) continue;
        size_t ls = p->line_off[li], le = md_line_end(p, li), i = after_prefixes(p, ls, le);
        long bl = md_find_blank_syntax(p->text + ls, le - ls);
        if (bl >= 0) {
            const char *b = p->text + ls + bl, *q = memmem(b + 2, le - ls - (size_t)bl - 2, "]]", 2);
            diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, li), (int)bl + 1,
                        "blank `%.*s` in a link reference definition: a blank cannot stand in a URL or title",
                        q ? (int)(q + 2 - b) : 2, b);
            p->nerr++;
        }
        if (i >= le || p->text[i] != '[') continue;
        long d = mdscan_def_dest(p->text + i, p->len - i);
        if (d < 0) continue;
        ast_attr restr = {0};
        restrictions_at(p, doc, li, &restr, w->opt->role_classes);
        if (restr.nclasses || restr.nkv)
            mdpre_add_def(p, i + (size_t)d, mdpre_file_line(p, li), (int)(i - ls) + 1, &restr);
    }
}

/* Does any div or heading of the module restrict its content? */
static int module_restricts(const mdpre *p, const char *const *roles) {
    for (int i = 0; i < p->nfences; i++)
        if (p->fences[i].kind == FENCE_OPEN && md_restricting(&p->fences[i].attr, roles)) return 1;
    for (int i = 0; i < p->nhattr; i++)
        if (md_restricting(&p->hattr[i], roles)) return 1;
    return 0;
}

#define MAX_FOOTNOTES 10000 /* restrictions_at is linear in a container's blocks */

/* Footnote definitions (`[^label]:`, as cmark-gfm reads them: no space,
 * tab or `]` in the label): the full parse moves each to the document's
 * end, so their labels and the restrictions of where they were written are
 * kept here by line (the structure parse reads them as paragraphs). */
static void find_footnotes(walk *w, cmark_node *doc) {
    mdpre *p = w->p;
    int restricts = module_restricts(p, w->opt->role_classes);
    for (int li = 0; li < p->nlines; li++) {
        size_t ls = p->line_off[li], le = md_line_end(p, li), i = after_prefixes(p, ls, le);
        if (i + 4 > le || p->text[i] != '[' || p->text[i + 1] != '^') continue;
        size_t k = i + 2;
        while (k < le && p->text[k] != ']' && p->text[k] != ' ' && p->text[k] != '\t') k++;
        if (k == i + 2 || k + 1 >= le || p->text[k] != ']' || p->text[k + 1] != ':') continue;
        if (p->nfndefs == MAX_FOOTNOTES) {
            diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, li), (int)(i - ls) + 1,
                        "more than %d footnote definitions in one module: split the module", MAX_FOOTNOTES);
            p->nerr++;
            return;
        }
        ast_attr restr = {0};
        if (restricts) restrictions_at(p, doc, li, &restr, w->opt->role_classes);
        mdpre_add_fndef(p, li, i + 2, k - (i + 2), &restr);
    }
}

void mdwalk_run(mdpre *p, const md_options *opt, cmark_node *sdoc) {
    walk w = {p, opt, xcalloc((size_t)p->nlines + 1, 1), NULL, 0};
    walk_structure(&w, sdoc);
    for (int i = 0; i < p->nfences; i++)
        if (p->fences[i].kind == FENCE_OPEN && !p->fences[i].closed && !p->fences[i].malformed) {
            const md_fence *f = &p->fences[i];
            size_t ls = p->line_off[f->line], le = md_line_end(p, f->line);
            size_t b = ls + (size_t)(f->col - 1);
            diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, f->line), f->col,
                        "fenced div `%.*s` opened here is never closed (add a line `:::`)", (int)(le - b),
                        p->text + b);
            p->nerr++;
        }
    find_defs(&w, sdoc);
    find_footnotes(&w, sdoc);
    free(w.covered);
    free(w.segs);
}
