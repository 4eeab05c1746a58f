/* md.c — Markdown → ast_node (SPEC §2, §3, §11.2–§11.4): the only file
 * (with mddiv.c) that includes cmark-gfm. One module is parsed in two
 * passes over its text:
 *   1. a structural parse (blocks only, fenced divs by the block extension
 *      of mddiv.c) tells which lines are code, raw HTML and which text
 *      each leaf block (paragraph, heading, table cell) holds; mdscan.c
 *      scans that text and fills the side table (mdpre.h): blanks,
 *      escapes, spans, attribute blocks, restricted definitions;
 *   2. the working copy, with a marker character in place of each of
 *      those constructs, is parsed once in full, and converted: each marker
 *      becomes its construct again (a Blank, a Span, attributes, a literal
 *      `[[`), and one found where its construct may not stand is an error.
 * cmark's trees live in a per-thread bump store, dropped whole once
 * converted. */
#include "md.h"
#include "buf.h"
#include "mddiv.h"
#include "mdpre.h"
#include "mdscan.h"
#include "util.h"
#include <cmark-gfm-core-extensions.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MAX_BYTES ((size_t)1 << 20) /* see MODULE_MAX_BYTES in build.c */
#define DEFAULT_MAX_DEPTH 64
#define MAX_TREE_DEPTH 256   /* nesting of cmark blocks/inlines we convert */
#define MAX_TABLE_COLUMNS 64 /* cmark-gfm 0.29 appends cells in O(cells) each */

/* cmark-gfm keeps one piece of process-global state while parsing inlines:
 * the table of special inline characters, to which every parse adds its
 * inline extensions' characters before parsing inlines and from which it
 * removes them after (cmark_parser_finish). A parse that ends while another
 * parses inlines makes the other lose strikethrough and autolinks. So
 * cmark_parser_finish runs under this lock; feeding lines (the block
 * structure, most of a parse) runs in parallel. */
static pthread_mutex_t finish_lock = PTHREAD_MUTEX_INITIALIZER;

static cmark_syntax_extension *ext_table, *ext_strike, *ext_autolink, *ext_tasklist;
/* The structural parse needs no inlines: its paragraphs and headings get
 * this extension, whose contains_inlines says no. */
static cmark_syntax_extension *no_inlines_ext;

/* ---- cmark's memory -------------------------------------------------------
 * Every cmark tree of one md_parse lives in a bump allocator of this thread
 * (cmark_mem has no context pointer): allocation is a pointer bump, cmark's
 * frees cost nothing, and md_parse drops the whole store at the end instead of
 * walking each tree with cmark_node_free. A block's size sits in front of it
 * so that realloc can copy (or grow the last block in place). */

typedef struct cm_chunk {
    struct cm_chunk *next;
    size_t cap, used;
    max_align_t data[];
} cm_chunk;

typedef struct cm_store {
    cm_chunk *head;
} cm_store;

static _Thread_local cm_store *cm_cur;

#define CM_ALIGN sizeof(max_align_t)
#define CM_CHUNK ((size_t)256 * 1024)

static _Noreturn void cm_oom(void) {
    fputs("coursec: out of memory\n", stderr);
    abort();
}

static cm_chunk *cm_new_chunk(cm_store *st, size_t need) {
    cm_chunk *c = st->head;
    size_t cap = need > CM_CHUNK / 4 ? need : CM_CHUNK;
    cm_chunk *nc = xmalloc(sizeof(cm_chunk) + cap);
    nc->cap = cap;
    nc->used = 0;
    if (c && cap != CM_CHUNK) { /* a big block: keep filling the current chunk */
        nc->next = c->next;
        c->next = nc;
    } else {
        nc->next = c;
        st->head = nc;
    }
    return nc;
}

static inline void *cm_take(size_t n) {
    cm_store *st = cm_cur;
    size_t need = n + CM_ALIGN;
    cm_chunk *c = st->head;
    if (__builtin_expect(!c || c->cap - c->used < need, 0)) c = cm_new_chunk(st, need);
    char *h = (char *)c->data + c->used;
    c->used += need;
    *(size_t *)h = n;
    return h + CM_ALIGN;
}

static size_t cm_round(size_t n) {
    if (n > (size_t)-1 / 4) cm_oom();
    return n ? (n + CM_ALIGN - 1) / CM_ALIGN * CM_ALIGN : CM_ALIGN;
}

static void *cm_calloc(size_t nmem, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(nmem, size, &total)) cm_oom();
    size_t n = cm_round(total);
    void *p = cm_take(n);
    memset(p, 0, n);
    return p;
}

static void *cm_realloc(void *p, size_t size) {
    size_t n = cm_round(size);
    if (!p) return cm_take(n);
    size_t old = *(size_t *)((char *)p - CM_ALIGN);
    if (n <= old) return p;
    cm_chunk *c = cm_cur->head;
    if (c && (char *)p + old == (char *)c->data + c->used && c->cap - c->used >= n - old) {
        c->used += n - old; /* the last block of the chunk grows in place */
        *(size_t *)((char *)p - CM_ALIGN) = n;
        return p;
    }
    void *q = cm_take(n);
    memcpy(q, p, old);
    return q;
}

static void cm_free(void *p) { (void)p; }

static cmark_mem cm_mem = {cm_calloc, cm_realloc, cm_free};

static void cm_store_clear(cm_store *st, int all) {
    cm_chunk *keep = NULL;
    for (cm_chunk *c = st->head, *n; c; c = n) {
        n = c->next;
        if (!all && !keep && c->cap == CM_CHUNK) keep = c;
        else free(c);
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
    }
    st->head = keep;
}

/* ---- parsing ------------------------------------------------------------------ */

static int no_inlines(cmark_syntax_extension *e, cmark_node *n) {
    (void)e, (void)n;
    return 0;
}

/* Every paragraph and heading of the tree skips inline parsing. */
static void skip_inlines(cmark_node *root) {
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER) continue;
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        if ((t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING) && !cmark_node_get_syntax_extension(n))
            cmark_node_set_syntax_extension(n, no_inlines_ext);
    }
    cmark_iter_free(it);
}

/* The root of the parse in progress, caught by an extension's open-block
 * call (cmark gives no other way to reach it before cmark_parser_finish). */
static _Thread_local cmark_node *parse_root;

static cmark_node *note_root(cmark_syntax_extension *e, int indented, cmark_parser *parser, cmark_node *parent,
                             unsigned char *input, int len) {
    (void)e, (void)indented, (void)parser, (void)input, (void)len;
    if (!parse_root && parent) {
        while (cmark_node_parent(parent)) parent = cmark_node_parent(parent);
        parse_root = parent;
    }
    return NULL;
}

/* Parse s[0, n) (the tree lives in cm_cur's store). full: inlines and every
 * extension coursec uses; else blocks only. div: the fenced-div extension
 * (with mddiv_begin done by the caller). */
static cmark_node *parse_text(const char *s, size_t n, int full, int div) {
    cmark_parser *ps = cmark_parser_new_with_mem(CMARK_OPT_SOURCEPOS | CMARK_OPT_UNSAFE, &cm_mem);
    /* ours first: a fence line must not become a table row */
    if (div) cmark_parser_attach_syntax_extension(ps, mddiv_extension());
    if (ext_table) cmark_parser_attach_syntax_extension(ps, ext_table);
    if (full) {
        if (ext_strike) cmark_parser_attach_syntax_extension(ps, ext_strike);
        if (ext_autolink) cmark_parser_attach_syntax_extension(ps, ext_autolink);
    }
    if (ext_tasklist) cmark_parser_attach_syntax_extension(ps, ext_tasklist);
    if (!full) cmark_parser_attach_syntax_extension(ps, no_inlines_ext);
    parse_root = NULL;
    cmark_parser_feed(ps, s, n);
    /* a last line without its line end would still be read by finish, into
     * a paragraph that then no longer matches: end it here */
    if (n && s[n - 1] != '\n' && s[n - 1] != '\r') cmark_parser_feed(ps, "\n", 1);
    if (!full && parse_root) skip_inlines(parse_root);
    pthread_mutex_lock(&finish_lock);
    cmark_node *doc = cmark_parser_finish(ps);
    pthread_mutex_unlock(&finish_lock);
    cmark_parser_free(ps);
    parse_root = NULL;
    return doc;
}

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
static size_t line_end(const mdpre *p, int idx) {
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
        size_t le = line_end(p, idx), ls = p->line_off[idx];
        if (le - ls < len || memcmp(p->text + le - len, c, len) != 0) return 0;
        segs[j].off = le - len;
        segs[j].len = len;
        c = e ? e + 1 : c + len;
    }
    return 1;
}

static int count_lines(const char *s) {
    int k = 0;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
    if (!n) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n') k++;
    return k + 1;
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
    size_t ls = p->line_off[sl], le = line_end(p, sl);
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
    for (cmark_node *row = cmark_node_first_child(table); row; row = cmark_node_next(row)) {
        int li = cmark_node_get_start_line(row) - 1;
        if (li < 0 || li >= p->nlines) continue;
        size_t ls = p->line_off[li], le = line_end(p, li);
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
static void split_info(arena *a, const char *info, const char **word, ast_attr *attr) {
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

static int attr_has_class(const ast_attr *at, const char *cls) {
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
        size_t ls = p->line_off[li], le = line_end(p, li), i = ls;
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
    split_info(p->a, fenced ? cmark_node_get_fence_info(n) : NULL, &word, &attr);
    int live = (word && strcmp(word, "worksheet") == 0) || attr_has_class(&attr, "blanks");
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
        if (!attr_has_class(&attr, "literal"))
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
            size_t le = line_end(p, idx), ls = p->line_off[idx];
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
            size_t le = line_end(p, li), ls = p->line_off[li];
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
        } else if (cmark_node_get_syntax_extension(n) == ext_table && strcmp(cmark_node_get_type_string(n), "table") == 0) {
            cover(w, sl, el);
            scan_table(w, n);
            cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
        }
    }
    cmark_iter_free(it);
}

/* ---- restricted content in the structure (for reference definitions) ------------ */

static int restricting(const ast_attr *at, const char *const *roles) {
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
            if (ha && restricting(ha, roles)) open[lv] = ha;
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

/* Reference definitions are the lines no block covers: mark those inside
 * restricted content, so that links through them carry the restriction. */
static void find_defs(walk *w, cmark_node *doc) {
    mdpre *p = w->p;
    for (int li = 0; li < p->nlines; li++) {
        if (w->covered[li]) continue;
        size_t ls = p->line_off[li], le = line_end(p, li), i = ls;
        /* container prefixes: block quote markers, list markers, indentation */
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
            break;
        }
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

/* ---- pass 2: conversion -------------------------------------------------------------- */

/* A bracketed span's marker in the tree, waiting to be paired. */
typedef struct span_hold {
    ast_node *holder; /* an empty Text in the parent's children */
    int k;
    int open;
} span_hold;

typedef struct conv {
    arena *a;
    mdpre *pre;
    const md_options *opt;
    diag *d;
    const char *path;
    int fixed_line, fixed_col; /* nonzero: every node gets this position (blank answers) */
    int depth, too_deep;
    int nerr;
    buf joined;
    int joined_busy;
    span_hold *holds;
    int nholds, capholds;
    int esc_brackets, esc_braces; /* escape markers met */
} conv;

static void conv_error(conv *c, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void conv_error(conv *c, int line, int col, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_report(c->d, DIAG_ERROR, c->path, line, col, "%s", msg);
    c->nerr++;
}

static void pos_of(conv *c, cmark_node *n, const ast_node *parent, int *line, int *col) {
    if (c->fixed_line) {
        *line = c->fixed_line;
        *col = c->fixed_col;
        return;
    }
    int sl = cmark_node_get_start_line(n), sc = cmark_node_get_start_column(n);
    if (sl > 0) {
        *line = mdpre_file_line(c->pre, sl - 1);
        *col = sc > 0 ? mdpre_src_col(c->pre, sl - 1, sc) : 1;
    } else {
        *line = parent ? parent->line : 0;
        *col = parent ? parent->col : 0;
    }
}

static void convert_children(conv *c, cmark_node *n, ast_node *out);

/* The escape markers, for an answer's own parse. */
static void escape_marks(mdpre *p) {
    if (!p->esc_bracket_cp) p->esc_bracket_cp = mdpre_new_mark(p, MK_ESC_BRACKET, 0);
    if (!p->esc_brace_cp) p->esc_brace_cp = mdpre_new_mark(p, MK_ESC_BRACE, 0);
}

static void put_cp(buf *b, uint32_t cp) {
    char o[4] = {(char)(0xF0 | (cp >> 18)), (char)(0x80 | ((cp >> 12) & 0x3F)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                 (char)(0x80 | (cp & 0x3F))};
    buf_put(b, o, 4);
}

/* Answer alternatives of `[[…]]`: inline Markdown, parsed on its own (a
 * word joiner in front keeps `1. x` or `# x` from becoming a block;
 * escapes become their markers as in prose). */
static ast_node *parse_alt(conv *c, const char *s, size_t n, int line, int col) {
    mdpre *p = c->pre;
    escape_marks(p);
    buf b = BUF_INIT;
    buf_puts(&b, "\xE2\x81\xA0"); /* U+2060 WORD JOINER: not a block start, dropped below */
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '[' || s[i + 1] == '{')) {
            int brace = s[i + 1] == '{';
            uint32_t cp = brace ? p->esc_brace_cp : p->esc_bracket_cp;
            if (cp) {
                put_cp(&b, cp);
                if (brace) p->esc_braces++;
                else p->esc_brackets++;
                i++;
                continue;
            }
        }
        if (s[i] == '\\' && i + 1 < n) {
            buf_put(&b, s + i, 2);
            i++;
            continue;
        }
        buf_putc(&b, s[i]);
    }
    ast_node *span = ast_new(c->a, AST_SPAN, line, col);
    cmark_node *doc = parse_text(b.data, b.len, 1, 0);
    buf_free(&b);
    int fl = c->fixed_line, fc = c->fixed_col;
    c->fixed_line = line;
    c->fixed_col = col;
    for (cmark_node *ch = cmark_node_first_child(doc); ch; ch = cmark_node_next(ch)) {
        if (cmark_node_get_type(ch) == CMARK_NODE_PARAGRAPH) convert_children(c, ch, span);
        break;
    }
    c->fixed_line = fl;
    c->fixed_col = fc;
    ast_node *f = span->first;
    if (f && f->type == AST_TEXT && f->text && strncmp(f->text, "\xE2\x81\xA0", 3) == 0) {
        f->text += 3;
        if (!*f->text) ast_unlink(f);
    }
    return span;
}

static size_t utf8_chars(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

/* The Blank of side-table entry k: alternatives parsed from its source. */
static ast_node *make_blank(conv *c, int k) {
    const md_blank *b = &c->pre->blanks[k];
    ast_node *bl = ast_new(c->a, AST_BLANK, b->line, b->col);
    if (b->underscore) {
        bl->underscore = 1;
        bl->width = (int)b->len;
        return bl;
    }
    /* the answer as written: its parts on each line (container prefixes
     * left out), joined by spaces */
    char *s;
    size_t n;
    if (b->lines > 1) {
        buf t = BUF_INIT;
        for (int e = 0; e < c->pre->nedits; e++) {
            const md_edit *ed = &c->pre->edits[e];
            if (ed->cp != b->cp) continue;
            if (t.len) buf_putc(&t, ' ');
            buf_put(&t, c->pre->text + ed->off, ed->len);
        }
        n = t.len >= 4 ? t.len - 4 : 0;
        s = arena_strndup(c->a, t.data ? t.data + 2 : "", n);
        buf_free(&t);
    } else {
        n = b->len - 4;
        s = arena_strndup(c->a, c->pre->text + b->off + 2, n);
    }
    size_t maxch = 0;
    ast_node **tail = &bl->alts;
    /* alternatives split on `|`, and on `\|` (the way to write it in a table) */
    size_t i = 0, start = 0;
    while (i <= n) {
        int sep_len = 0;
        if (i == n) sep_len = 0;
        else if (s[i] == '\\' && i + 1 < n && s[i + 1] == '|') sep_len = 2;
        else if (s[i] == '\\') {
            i += 2;
            continue;
        } else if (s[i] == '|') sep_len = 1;
        else {
            i++;
            continue;
        }
        size_t as = start, ae = i;
        while (as < ae && (s[as] == ' ' || s[as] == '\t')) as++;
        while (ae > as && (s[ae - 1] == ' ' || s[ae - 1] == '\t')) ae--;
        if (ae > as) {
            ast_node *span = parse_alt(c, s + as, ae - as, b->line, b->col + 2 + (int)as);
            size_t ch = utf8_chars(ast_plain_text(c->a, span));
            if (ch > maxch) maxch = ch;
            span->parent = NULL;
            *tail = span;
            tail = &span->next;
        }
        if (i == n) break;
        i += (size_t)sep_len;
        start = i;
    }
    bl->width = ast_blank_step(maxch);
    return bl;
}

/* Where a marker may land. */
typedef enum { IN_TEXT, IN_CODE, IN_URL, IN_TITLE, IN_HTML, IN_INFO } place;

static const char *place_name(place w) {
    switch (w) {
    case IN_URL: return "a URL";
    case IN_TITLE: return "a link or image title";
    case IN_HTML: return "raw HTML";
    case IN_INFO: return "a code block's info string";
    default: return "code";
    }
}

/* A string from cmark (code, URL, title, raw HTML, info) with every marker
 * put back as the source had it; a blank there is an error. *literal: an
 * escaped `[[` was met; *defk: the definition marker at the start (URLs),
 * else -1. */
static const char *restore(conv *c, const char *s, place where, int *literal, int *defk) {
    if (defk) *defk = -1;
    if (!s) return NULL;
    size_t n = strlen(s);
    if (!memchr(s, 0xF3, n) && !memchr(s, 0xF4, n)) return arena_strndup(c->a, s, n);
    mdpre *p = c->pre;
    buf b = BUF_INIT;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        mk_kind kind;
        int k;
        size_t l = mdpre_pua_at(s + i, n - i, &cp);
        if (!l || !mdpre_mark_of(p, cp, &kind, &k)) {
            buf_putc(&b, s[i++]);
            continue;
        }
        i += l;
        switch (kind) {
        case MK_BLANK: {
            md_blank *bl = &p->blanks[k];
            bl->seen++;
            if (!bl->underscore && where != IN_CODE && bl->seen == 1)
                conv_error(c, bl->line, bl->col, "blank `%.*s` cannot stand in %s: write it without the blank",
                           (int)(bl->len < 60 ? bl->len : 60), p->text + bl->off, place_name(where));
            if (bl->lines > 1) { /* each line's part of it has the marker: write it once */
                if (bl->seen == 1) buf_put(&b, p->text + bl->off, bl->len);
            } else {
                buf_put(&b, p->text + bl->off, bl->len);
            }
            break;
        }
        case MK_SPAN_OPEN:
            p->spans[k].seen++;
            buf_putc(&b, '[');
            break;
        case MK_SPAN_CLOSE:
            p->spans[k].seen++;
            buf_put(&b, p->text + p->spans[k].close_off, p->spans[k].close_len);
            break;
        case MK_ATTR:
            p->attrs[k].seen++;
            buf_put(&b, p->text + p->attrs[k].off, p->attrs[k].len);
            break;
        case MK_DEF:
            if (defk && b.len == 0) *defk = k;
            break;
        case MK_ESC_BRACKET:
            c->esc_brackets++;
            if (where == IN_URL || where == IN_TITLE) buf_putc(&b, '[');
            else buf_puts(&b, "\\[");
            if (i < n && s[i] == '[' && literal) *literal = 1;
            break;
        case MK_ESC_BRACE:
            c->esc_braces++;
            if (where == IN_URL || where == IN_TITLE) buf_putc(&b, '{');
            else buf_puts(&b, "\\{");
            break;
        }
    }
    const char *r = arena_strndup(c->a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return r;
}

static void add_text(conv *c, ast_node *out, buf *t, int line, int col) {
    if (!t->len) return;
    ast_node *x = ast_new(c->a, AST_TEXT, line, col);
    x->text = arena_strndup(c->a, t->data, t->len);
    ast_append(out, x);
    t->len = 0;
}

/* The Blank k met in text: a new node, or nothing when it continues the
 * blank of the previous line (then the line break between goes too). */
static void emit_blank(conv *c, ast_node *out, int k) {
    md_blank *b = &c->pre->blanks[k];
    b->seen++;
    if (b->seen > 1) {
        ast_node *last = out->last;
        if (last && last->type == AST_SOFTBREAK) ast_unlink(last);
        return;
    }
    ast_append(out, make_blank(c, k));
}

static void hold_span(conv *c, ast_node *out, int k, int open, int line, int col) {
    ast_node *h = ast_new(c->a, AST_TEXT, line, col);
    h->text = "";
    ast_append(out, h);
    if (c->nholds == c->capholds) {
        c->capholds = c->capholds ? c->capholds * 2 : 16;
        c->holds = xrealloc(c->holds, sizeof *c->holds * (size_t)c->capholds);
    }
    c->holds[c->nholds++] = (span_hold){h, k, open};
}

/* The file position of body offset off. */
static void after(const mdpre *p, size_t off, int *line, int *col) {
    int li = mdpre_line_of(p, off);
    *line = mdpre_file_line(p, li);
    *col = (int)(off - p->line_off[li]) + 1;
}

/* Text with markers → Text, Blank, literal `[[` and span holders, into out. */
static void emit_text(conv *c, ast_node *out, const char *s, size_t n, int line, int col) {
    mdpre *p = c->pre;
    buf t = BUF_INIT;
    int tl = line, tc = col;
    for (size_t i = 0; i < n;) {
        const char *q1 = memchr(s + i, 0xF3, n - i), *q2 = memchr(s + i, 0xF4, n - i);
        const char *q = q1 && (!q2 || q1 < q2) ? q1 : q2;
        size_t j = q ? (size_t)(q - s) : n;
        buf_put(&t, s + i, j - i);
        i = j;
        if (i >= n) break;
        uint32_t cp;
        mk_kind kind;
        int k;
        size_t l = mdpre_pua_at(s + i, n - i, &cp);
        if (!l || !mdpre_mark_of(p, cp, &kind, &k)) {
            buf_putc(&t, s[i++]);
            continue;
        }
        i += l;
        switch (kind) {
        case MK_BLANK:
            add_text(c, out, &t, tl, tc);
            emit_blank(c, out, k);
            after(p, p->blanks[k].off + p->blanks[k].len, &tl, &tc);
            break;
        case MK_SPAN_OPEN:
        case MK_SPAN_CLOSE:
            add_text(c, out, &t, tl, tc);
            hold_span(c, out, k, kind == MK_SPAN_OPEN, p->spans[k].line, p->spans[k].col);
            p->spans[k].seen++;
            if (kind == MK_SPAN_OPEN) tl = p->spans[k].line, tc = p->spans[k].col + 1;
            else after(p, p->spans[k].close_off + p->spans[k].close_len, &tl, &tc);
            break;
        case MK_ATTR: {
            md_attrblk *ab = &p->attrs[k];
            ab->seen++;
            if (ab->seen > 1) break; /* attached to the node before by its converter */
            /* nothing to attach to: the text as written */
            if (restricting(&ab->attr, c->opt->role_classes))
                conv_error(c, ab->line, ab->col,
                           "attribute block `%.*s` applies to nothing here: write it right after a link, image, "
                           "code or `[text]` (no space), or use a fenced div",
                           (int)ab->len, p->text + ab->off);
            buf_put(&t, p->text + ab->off, ab->len);
            break;
        }
        case MK_DEF:
            break; /* a definition we misread: it was an insertion, nothing to put back */
        case MK_ESC_BRACKET:
            c->esc_brackets++;
            if (i < n && s[i] == '[') {
                /* `\[[`: a literal `[[`, in a Text node of its own that says so */
                add_text(c, out, &t, tl, tc);
                ast_node *x = ast_new(c->a, AST_TEXT, tl, tc);
                x->text = "[[";
                x->literal = 1;
                ast_append(out, x);
                i++;
            } else buf_putc(&t, '[');
            break;
        case MK_ESC_BRACE:
            c->esc_braces++;
            if (i < n && s[i] == '{') {
                buf_puts(&t, "\\{{"); /* the vars filter makes it a literal `{{` */
                i++;
            } else buf_putc(&t, '{');
            break;
        }
    }
    add_text(c, out, &t, tl, tc);
    buf_free(&t);
}

/* The attribute block written right after node n (a link, image or code):
 * its index, or -1. */
static int attr_after(conv *c, cmark_node *n) {
    cmark_node *nx = cmark_node_next(n);
    if (!nx || cmark_node_get_type(nx) != CMARK_NODE_TEXT) return -1;
    const char *l = cmark_node_get_literal(nx);
    uint32_t cp;
    mk_kind kind;
    int k;
    if (!l || !mdpre_pua_at(l, strlen(l), &cp) || !mdpre_mark_of(c->pre, cp, &kind, &k) || kind != MK_ATTR) return -1;
    return k;
}

static void take_attr(conv *c, cmark_node *n, ast_node *x) {
    int k = attr_after(c, n);
    if (k < 0) return;
    x->attr = c->pre->attrs[k].attr;
    c->pre->attrs[k].seen++; /* emit_text skips it now */
}

/* Inline code: its literal, or with the class `blanks` its Text and Blank
 * children. */
static void convert_code(conv *c, cmark_node *n, ast_node *x) {
    take_attr(c, n, x);
    const char *lit = cmark_node_get_literal(n);
    if (!lit) lit = "";
    if (attr_has_class(&x->attr, "blanks")) {
        emit_text(c, x, lit, strlen(lit), x->line, x->col);
        return;
    }
    x->text = restore(c, lit, IN_CODE, &x->literal, NULL);
    x->literal = 1; /* code is printed as written (SPEC §11.4) */
}

static void convert_worksheet(conv *c, cmark_node *n, ast_node *ws) {
    const char *lit = cmark_node_get_literal(n);
    if (!lit) return;
    mdpre *p = c->pre;
    int idx = cmark_node_get_start_line(n); /* body index of the first content line */
    const char *q = lit;
    int first = 1;
    while (*q) {
        const char *e = strchr(q, '\n');
        size_t len = e ? (size_t)(e - q) : strlen(q);
        int line = mdpre_file_line(p, idx), col = ws->col;
        if (idx < p->nlines) {
            size_t ls = p->work_line_off[idx], le = p->work_line_off[idx + 1] - 1;
            if (le > p->work_len) le = p->work_len;
            while (le > ls && (p->work[le - 1] == '\n' || p->work[le - 1] == '\r')) le--;
            if (le - ls >= len && memcmp(p->work + le - len, q, len) == 0)
                col = mdpre_src_col(p, idx, (int)(le - len - ls) + 1);
        }
        if (!first) ast_append(ws, ast_new(c->a, AST_LINEBREAK, line, 1));
        first = 0;
        emit_text(c, ws, q, len, line, col);
        idx++;
        if (!e) break;
        q = e + 1;
    }
}

static int javascript_url(const char *u) {
    if (!u) return 0;
    while (*u && (unsigned char)*u <= ' ') u++;
    return strncasecmp(u, "javascript:", 11) == 0;
}

/* Raw HTML without its comments (SPEC §11.2: comments reach no output). */
static const char *strip_comments(arena *a, const char *s) {
    if (!strstr(s, "<!--")) return s;
    buf b = BUF_INIT;
    for (const char *q = s;;) {
        const char *st = strstr(q, "<!--");
        if (!st) {
            buf_puts(&b, q);
            break;
        }
        buf_put(&b, q, (size_t)(st - q));
        const char *en = strstr(st + 4, "-->");
        if (!en) break; /* an unterminated comment runs to the end */
        q = en + 3;
    }
    const char *r = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return r;
}

static int blank_string(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return 0;
    return 1;
}

/* The title= of an exercise or activity may hold blanks (SPEC §11.4): its
 * inline nodes become the box's first child, a Paragraph with the class
 * `box-title` that the writers show as the title (so an edition with answers
 * shows the answer there); title= keeps the plain text, in which a blank
 * contributes nothing, for filters and contents (a literal `[[` written
 * `\[[` again). */
static void box_title(conv *c, ast_node *div) {
    const char *title = ast_attr_get(&div->attr, "title");
    if (!title || md_find_blank_syntax(title, strlen(title)) < 0) return;
    if (!attr_has_class(&div->attr, "exercise") && !attr_has_class(&div->attr, "activity")) return;
    ast_node *span = md_parse_plain(c->a, title, strlen(title), div->line, div->col, c->path, c->d, &c->nerr);
    ast_node *para = ast_new(c->a, AST_PARAGRAPH, div->line, div->col);
    ast_add_class(c->a, para, "box-title");
    buf plain = BUF_INIT;
    while (span->first) {
        ast_node *x = span->first;
        ast_unlink(x);
        if (x->type == AST_TEXT && x->text) buf_puts(&plain, x->literal ? "\\[[" : x->text);
        ast_append(para, x);
    }
    ast_append(div, para);
    /* a copy of the attributes: the fence table's are shared by every parse of the module */
    ast_attr at = div->attr;
    at.kv = arena_alloc(c->a, sizeof(ast_kv) * (size_t)(at.nkv + 1));
    memcpy(at.kv, div->attr.kv, sizeof(ast_kv) * (size_t)div->attr.nkv);
    for (int i = 0; i < at.nkv; i++)
        if (strcmp(at.kv[i].key, "title") == 0)
            at.kv[i].value = arena_strndup(c->a, plain.data ? plain.data : "", plain.len);
    div->attr = at;
    buf_free(&plain);
}

static void convert_node(conv *c, cmark_node *n, ast_node *out) {
    cmark_node_type t = cmark_node_get_type(n);
    int line, col;
    pos_of(c, n, out, &line, &col);
    ast_node *x = NULL;
    int descend = 1;
    if (t == mddiv_div_type()) {
        x = ast_new(c->a, AST_DIV, line, col);
        const md_fence *f = mddiv_fence_of(c->pre, n);
        if (f) {
            x->attr = f->attr;
            x->col = f->col;
        }
        ast_append(out, x);
        box_title(c, x);
        convert_children(c, n, x);
        return;
    }
    if (t == mddiv_close_type() || t == mddiv_bad_type()) return;
    switch (t) {
    case CMARK_NODE_DOCUMENT:
    case CMARK_NODE_CUSTOM_BLOCK:
    case CMARK_NODE_CUSTOM_INLINE:
    case CMARK_NODE_FOOTNOTE_DEFINITION:
    case CMARK_NODE_FOOTNOTE_REFERENCE:
        convert_children(c, n, out);
        return;
    case CMARK_NODE_BLOCK_QUOTE:
        x = ast_new(c->a, AST_BLOCKQUOTE, line, col);
        break;
    case CMARK_NODE_LIST:
        x = ast_new(c->a, AST_LIST, line, col);
        x->ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
        x->start = x->ordered ? cmark_node_get_list_start(n) : 0;
        x->tight = cmark_node_get_list_tight(n);
        break;
    case CMARK_NODE_ITEM: {
        x = ast_new(c->a, AST_ITEM, line, col);
        const char *ts = cmark_node_get_type_string(n);
        x->checked = ts && strcmp(ts, "tasklist") == 0 ? (cmark_gfm_extensions_get_tasklist_item_checked(n) ? 1 : 0)
                                                       : -1;
        break;
    }
    case CMARK_NODE_CODE_BLOCK: {
        const char *info = cmark_node_get_fence_info(n);
        const char *word;
        ast_attr attr;
        split_info(c->a, info, &word, &attr);
        int live = (word && strcmp(word, "worksheet") == 0) || attr_has_class(&attr, "blanks");
        if (live) {
            x = ast_new(c->a, AST_WORKSHEET, line, col);
            x->attr = attr;
            if (word && strcmp(word, "worksheet") != 0) x->info = restore(c, word, IN_INFO, NULL, NULL);
            convert_worksheet(c, n, x);
        } else {
            x = ast_new(c->a, AST_CODEBLOCK, line, col);
            x->text = restore(c, cmark_node_get_literal(n), IN_CODE, NULL, NULL);
            x->literal = 1; /* code is printed as written (SPEC §11.4) */
            x->info = word ? restore(c, word, IN_INFO, NULL, NULL) : NULL;
            x->attr = attr;
        }
        descend = 0;
        break;
    }
    case CMARK_NODE_HTML_BLOCK:
    case CMARK_NODE_HTML_INLINE: {
        const char *lit = restore(c, cmark_node_get_literal(n), IN_HTML, NULL, NULL);
        lit = strip_comments(c->a, lit ? lit : "");
        if (blank_string(lit)) return; /* a comment, or nothing */
        if (c->opt->safe) {
            diag_report(c->d, DIAG_WARNING, c->path, line, col, "raw HTML dropped (--safe)");
            return;
        }
        x = ast_new(c->a, t == CMARK_NODE_HTML_BLOCK ? AST_HTMLBLOCK : AST_HTMLINLINE, line, col);
        x->text = lit;
        x->format = "html";
        descend = 0;
        break;
    }
    case CMARK_NODE_PARAGRAPH:
        x = ast_new(c->a, AST_PARAGRAPH, line, col);
        break;
    case CMARK_NODE_HEADING: {
        x = ast_new(c->a, AST_HEADING, line, col);
        x->level = cmark_node_get_heading_level(n);
        int sl = cmark_node_get_start_line(n), el = cmark_node_get_end_line(n);
        if (sl > 0 && !c->fixed_line)
            for (int i = (el > sl ? el : sl) - 1; i >= sl - 1 && i >= 0; i--) {
                const ast_attr *ha = mdpre_hattr(c->pre, i, NULL);
                if (ha) {
                    x->attr = *ha;
                    break;
                }
            }
        break;
    }
    case CMARK_NODE_THEMATIC_BREAK:
        x = ast_new(c->a, AST_THEMATICBREAK, line, col);
        descend = 0;
        break;
    case CMARK_NODE_TEXT: {
        const char *l = cmark_node_get_literal(n);
        if (l) emit_text(c, out, l, strlen(l), line, col);
        return;
    }
    case CMARK_NODE_SOFTBREAK:
        x = ast_new(c->a, AST_SOFTBREAK, line, col);
        descend = 0;
        break;
    case CMARK_NODE_LINEBREAK:
        x = ast_new(c->a, AST_LINEBREAK, line, col);
        descend = 0;
        break;
    case CMARK_NODE_CODE:
        x = ast_new(c->a, AST_CODE, line, col);
        ast_append(out, x);
        convert_code(c, n, x);
        return;
    case CMARK_NODE_EMPH:
        x = ast_new(c->a, AST_EMPH, line, col);
        break;
    case CMARK_NODE_STRONG:
        x = ast_new(c->a, AST_STRONG, line, col);
        break;
    case CMARK_NODE_LINK:
    case CMARK_NODE_IMAGE: {
        int defk = -1, lit = 0;
        const char *url = restore(c, cmark_node_get_url(n), IN_URL, &lit, &defk);
        if (c->opt->safe && javascript_url(url)) {
            diag_report(c->d, DIAG_WARNING, c->path, line, col, "javascript: URL dropped (--safe)");
            convert_children(c, n, out); /* keep the link text / alt text */
            return;
        }
        x = ast_new(c->a, t == CMARK_NODE_LINK ? AST_LINK : AST_IMAGE, line, col);
        x->url = url;
        x->title = restore(c, cmark_node_get_title(n), IN_TITLE, &lit, NULL);
        x->literal = lit;
        if (defk >= 0) x->defr = c->pre->defs[defk].restr;
        take_attr(c, n, x);
        break;
    }
    default: {
        const char *ts = cmark_node_get_type_string(n);
        if (!ts) ts = "";
        if (strcmp(ts, "table") == 0) {
            int ncols = cmark_gfm_extensions_get_table_columns(n);
            if (ncols > MAX_TABLE_COLUMNS) {
                diag_report(c->d, DIAG_ERROR, c->path, line, col,
                            "table has %d columns, over the limit of %d: split it into narrower tables", ncols,
                            MAX_TABLE_COLUMNS);
                c->nerr++;
                return;
            }
            x = ast_new(c->a, AST_TABLE, line, col);
            x->ncols = ncols;
            uint8_t *al = cmark_gfm_extensions_get_table_alignments(n);
            if (x->ncols > 0) {
                x->aligns = arena_alloc(c->a, sizeof(ast_align) * (size_t)x->ncols);
                for (int i = 0; i < x->ncols; i++) {
                    uint8_t v = al ? al[i] : 0;
                    x->aligns[i] = v == 'l'   ? AST_ALIGN_LEFT
                                   : v == 'c' ? AST_ALIGN_CENTER
                                   : v == 'r' ? AST_ALIGN_RIGHT
                                              : AST_ALIGN_NONE;
                }
            }
        } else if (strcmp(ts, "table_header") == 0 || strcmp(ts, "table_row") == 0) {
            x = ast_new(c->a, AST_TABLEROW, line, col);
            x->is_header = strcmp(ts, "table_header") == 0 || cmark_gfm_extensions_get_table_row_is_header(n);
        } else if (strcmp(ts, "table_cell") == 0) {
            x = ast_new(c->a, AST_TABLECELL, line, col);
        } else if (strcmp(ts, "strikethrough") == 0) {
            x = ast_new(c->a, AST_STRIKETHROUGH, line, col);
        } else {
            convert_children(c, n, out); /* unknown extension node: keep its content */
            return;
        }
        break;
    }
    }
    ast_append(out, x);
    if (descend) convert_children(c, n, x);
}

/* Pair the span holders among out's children (from index `from` of
 * c->holds): the nodes between an opening and its closing holder become a
 * Span with the span's attributes. A holder without its partner among the
 * same children is an error (the span crosses other markup). */
static void pair_spans(conv *c, ast_node *out, int from) {
    for (int i = from; i < c->nholds; i++) {
        span_hold *o = &c->holds[i];
        if (!o->open || !o->holder) continue;
        span_hold *cl = NULL;
        for (int j = i + 1; j < c->nholds; j++)
            if (!c->holds[j].open && c->holds[j].k == o->k && c->holds[j].holder) cl = &c->holds[j];
        const md_span *sp = &c->pre->spans[o->k];
        if (!cl || cl->holder->parent != out || o->holder->parent != out) continue;
        ast_node *span = ast_new(c->a, AST_SPAN, sp->line, sp->col);
        span->attr = sp->attr;
        ast_insert_before(o->holder, span);
        for (ast_node *m = o->holder->next; m && m != cl->holder;) {
            ast_node *nx = m->next;
            ast_unlink(m);
            ast_append(span, m);
            m = nx;
        }
        ast_unlink(o->holder);
        ast_unlink(cl->holder);
        o->holder = cl->holder = NULL;
    }
}

static void convert_children(conv *c, cmark_node *n, ast_node *out) {
    if (c->depth >= MAX_TREE_DEPTH) {
        if (!c->too_deep) {
            diag_report(c->d, DIAG_ERROR, c->path, out->line, out->col, "Markdown nested more than %d levels deep",
                        MAX_TREE_DEPTH);
            c->nerr++;
        }
        c->too_deep = 1;
        return;
    }
    c->depth++;
    int holds0 = c->nholds;
    cmark_node *ch = cmark_node_first_child(n);
    while (ch) {
        if (cmark_node_get_type(ch) == CMARK_NODE_TEXT) {
            /* join adjacent text pieces so that markers are whole */
            int line, col;
            pos_of(c, ch, out, &line, &col);
            cmark_node *nx = cmark_node_next(ch);
            if (!nx || cmark_node_get_type(nx) != CMARK_NODE_TEXT) {
                const char *l = cmark_node_get_literal(ch);
                if (l) emit_text(c, out, l, strlen(l), line, col);
                ch = nx;
                continue;
            }
            buf own = BUF_INIT, *t = c->joined_busy ? &own : &c->joined;
            int took = t == &c->joined;
            t->len = 0;
            while (ch && cmark_node_get_type(ch) == CMARK_NODE_TEXT) {
                const char *l = cmark_node_get_literal(ch);
                if (l) buf_puts(t, l);
                ch = cmark_node_next(ch);
            }
            if (took) c->joined_busy = 1;
            emit_text(c, out, t->len ? t->data : "", t->len, line, col);
            if (took) c->joined_busy = 0;
            buf_free(&own);
            continue;
        }
        convert_node(c, ch, out);
        ch = cmark_node_next(ch);
    }
    if (c->nholds > holds0) pair_spans(c, out, holds0);
    c->depth--;
}

/* Adjacent Text nodes become one (a literal `[[` keeps its own node). */
static void merge_texts(arena *a, ast_node *n) {
    for (ast_node *ch = n->first; ch;) {
        ast_node *nx = ch->next;
        if (ch->type == AST_TEXT && nx && nx->type == AST_TEXT && !ch->literal && !nx->literal) {
            ch->text = arena_printf(a, "%s%s", ch->text ? ch->text : "", nx->text ? nx->text : "");
            ast_unlink(nx);
            continue;
        }
        if (ch->type == AST_TEXT && ch->text && !*ch->text && !ch->literal) {
            ast_unlink(ch);
            ch = nx;
            continue;
        }
        if (ch->first) merge_texts(a, ch);
        for (ast_node *alt = ch->alts; alt; alt = alt->next) merge_texts(a, alt);
        ch = nx;
    }
}

/* ---- after the conversion --------------------------------------------------------- */

/* A task list inside a `choice` that cmark-gfm 0.29 did not read as one (in
 * a block quote): items whose text starts `[ ] `, `[x] ` or `[X] `. */
static void choice_items(arena *a, ast_node *n, int in_choice) {
    if (n->type == AST_DIV) {
        for (int i = 0; i < n->attr.nclasses; i++)
            if (strcmp(n->attr.classes[i], "choice") == 0) in_choice = 1;
    }
    if (in_choice && n->type == AST_ITEM && n->checked < 0) {
        ast_node *para = n->first;
        ast_node *t = para && para->type == AST_PARAGRAPH ? para->first : NULL;
        if (t && t->type == AST_TEXT && t->text && strlen(t->text) >= 3 && t->text[0] == '[' && t->text[2] == ']' &&
            (t->text[1] == ' ' || t->text[1] == 'x' || t->text[1] == 'X') &&
            (t->text[3] == ' ' || t->text[3] == 0 || t->text[3] == '\t')) {
            n->checked = t->text[1] != ' ';
            const char *rest = t->text + 3;
            while (*rest == ' ' || *rest == '\t') rest++;
            t->text = arena_strdup(a, rest);
            if (!*t->text) ast_unlink(t);
        }
    }
    for (ast_node *c = n->first; c; c = c->next) choice_items(a, c, in_choice);
}

/* Every marker placed came back exactly once (a multi-line blank once per
 * line); any other count means its construct stood where it cannot (an
 * unused reference definition, say): an error at its source position. */
static void check_counts(conv *c) {
    mdpre *p = c->pre;
    for (int k = 0; k < p->nblanks; k++) {
        md_blank *b = &p->blanks[k];
        if (b->seen == b->lines || (b->seen > 0 && b->underscore)) continue;
        if (b->seen > b->lines) continue; /* also in a URL or title: reported there */
        conv_error(c, b->line, b->col,
                   "blank `%.*s` could not be placed: a blank cannot stand in a link reference definition, a URL "
                   "or a title",
                   (int)(b->len < 60 ? b->len : 60), p->text + b->off);
    }
    for (int k = 0; k < c->nholds; k++) {
        span_hold *h = &c->holds[k];
        if (!h->holder) continue;
        if (h->open) {
            const md_span *s = &p->spans[h->k];
            conv_error(c, s->line, s->col,
                       "bracketed span crosses other markup (emphasis, a link): close inside the span what opens "
                       "inside it");
        }
        ast_unlink(h->holder);
    }
    for (int k = 0; k < p->nspans; k++)
        if (p->spans[k].seen != 2)
            conv_error(c, p->spans[k].line, p->spans[k].col,
                       "bracketed span could not be placed: a span cannot stand in a URL, a title or code");
    for (int k = 0; k < p->nattrs; k++)
        if (p->attrs[k].seen < 1)
            conv_error(c, p->attrs[k].line, p->attrs[k].col,
                       "attribute block `%.*s` could not be placed: write it right after a link, image or code",
                       (int)p->attrs[k].len, p->text + p->attrs[k].off);
    if (c->esc_brackets != p->esc_brackets || c->esc_braces != p->esc_braces)
        conv_error(c, p->first_line, 1, "%d escaped brackets or braces were lost in parsing: please report this module",
                   abs(p->esc_brackets - c->esc_brackets) + abs(p->esc_braces - c->esc_braces));
}

ast_node *md_parse(arena *a, const char *src, size_t len, int first_line, const char *path,
                   const md_options *opt, diag *d, int *nerr) {
    md_init();
    md_options defaults = {0};
    if (!opt) opt = &defaults;
    size_t max_bytes = opt->max_bytes ? opt->max_bytes : DEFAULT_MAX_BYTES;
    int max_depth = opt->max_depth > 0 ? opt->max_depth : DEFAULT_MAX_DEPTH;
    if (first_line < 1) first_line = 1;
    int bad = mdpre_validate(src, len, max_bytes, first_line, path, d);
    if (bad) {
        if (nerr) *nerr += bad;
        return NULL;
    }

    cm_store store = {0}, *saved = cm_cur;
    cm_cur = &store;
    mdpre pre;
    mdpre_init(&pre, a, src, len, first_line, path, d);

    /* 1. the structure and the side table */
    mddiv_begin(&pre, 1, max_depth);
    cmark_node *sdoc = parse_text(pre.text, pre.len, 0, 1);
    mddiv_end();
    walk w = {&pre, opt, xcalloc((size_t)pre.nlines + 1, 1), NULL, 0};
    walk_structure(&w, sdoc);
    for (int i = 0; i < pre.nfences; i++)
        if (pre.fences[i].kind == FENCE_OPEN && !pre.fences[i].closed && !pre.fences[i].malformed) {
            const md_fence *f = &pre.fences[i];
            size_t ls = pre.line_off[f->line], le = line_end(&pre, f->line);
            size_t b = ls + (size_t)(f->col - 1);
            diag_report(d, DIAG_ERROR, path, mdpre_file_line(&pre, f->line), f->col,
                        "fenced div `%.*s` opened here is never closed (add a line `:::`)", (int)(le - b),
                        pre.text + b);
            pre.nerr++;
        }
    find_defs(&w, sdoc);
    free(w.covered);
    free(w.segs);
    cm_store_clear(&store, 0);

    /* 2. the working copy, parsed in full and converted */
    mdpre_build(&pre);
    mddiv_begin(&pre, 0, max_depth);
    cmark_node *fdoc = parse_text(pre.work, pre.work_len, 1, 1);
    mddiv_end();
    conv c = {0};
    c.a = a;
    c.pre = &pre;
    c.opt = opt;
    c.d = d;
    c.path = path;
    ast_node *doc = ast_new(a, AST_DOCUMENT, first_line, 1);
    convert_children(&c, fdoc, doc);
    check_counts(&c);
    cm_cur = saved;
    cm_store_clear(&store, 1);
    buf_free(&c.joined);
    free(c.holds);
    merge_texts(a, doc);
    choice_items(a, doc, 0);
    ast_assign_heading_ids(a, doc, opt->role_classes);
    if (nerr) *nerr += pre.nerr + c.nerr;
    return doc;
}

/* ---- plain strings (titles, vars: values) --------------------------------- */

long md_find_blank_syntax(const char *s, size_t len) {
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] == '\\') {
            i++;
            continue;
        }
        if (s[i] == '[' && s[i + 1] == '[') {
            for (size_t j = i + 2; j + 1 < len; j++)
                if (s[j] == ']' && s[j + 1] == ']') return (long)i;
            return -1;
        }
    }
    return -1;
}

ast_node *md_parse_plain(arena *a, const char *s, size_t len, int line, int col, const char *path, diag *d,
                         int *nerr) {
    md_init();
    ast_node *span = ast_new(a, AST_SPAN, line, col);
    cm_store store = {0}, *saved = cm_cur;
    cm_cur = &store;
    mdpre pre;
    mdpre_init(&pre, a, s, len, line, path, d);
    conv c = {0};
    c.a = a;
    c.pre = &pre;
    md_options o = {0};
    c.opt = &o;
    c.d = d;
    c.path = path;
    buf t = BUF_INIT;
    for (size_t i = 0; i < len;) {
        if (s[i] == '\\' && i + 2 < len && s[i + 1] == '[' && s[i + 2] == '[') {
            if (t.len) add_text(&c, span, &t, line, col);
            ast_node *x = ast_new(a, AST_TEXT, line, col);
            x->text = "[[";
            x->literal = 1;
            ast_append(span, x);
            i += 3;
            continue;
        }
        if (s[i] == '[' && i + 1 < len && s[i + 1] == '[') {
            size_t e = 0;
            for (size_t j = i + 2; j + 1 < len; j++) {
                if (s[j] == '\\') {
                    j++;
                    continue;
                }
                if (s[j] == ']' && s[j + 1] == ']') {
                    e = j + 2;
                    break;
                }
            }
            if (e) {
                if (t.len) add_text(&c, span, &t, line, col);
                size_t b[1] = {i}, l[1] = {e - i};
                int k = mdpre_add_blank(&pre, i, e - i, 0, b, l, 1);
                if (k >= 0) {
                    pre.blanks[k].line = line;
                    pre.blanks[k].col = col + (int)i;
                    ast_append(span, make_blank(&c, k));
                }
                i = e;
                continue;
            }
        }
        buf_putc(&t, s[i++]);
    }
    add_text(&c, span, &t, line, col);
    buf_free(&t);
    cm_cur = saved;
    cm_store_clear(&store, 1);
    merge_texts(a, span);
    if (nerr) *nerr += c.nerr + pre.nerr;
    return span;
}

/* ---- set-up ----------------------------------------------------------------- */

static void init_once(void) {
    cmark_gfm_core_extensions_ensure_registered();
    ext_table = cmark_find_syntax_extension("table");
    ext_strike = cmark_find_syntax_extension("strikethrough");
    ext_autolink = cmark_find_syntax_extension("autolink");
    ext_tasklist = cmark_find_syntax_extension("tasklist");
    no_inlines_ext = cmark_syntax_extension_new("coursec-no-inlines");
    cmark_syntax_extension_set_open_block_func(no_inlines_ext, note_root);
    cmark_syntax_extension_set_contains_inlines_func(no_inlines_ext, no_inlines);
    mddiv_init();
}

static pthread_once_t md_once = PTHREAD_ONCE_INIT;

void md_init(void) { pthread_once(&md_once, init_once); }
