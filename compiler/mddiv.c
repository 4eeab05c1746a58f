/* mddiv.c — fenced divs as a cmark-gfm block extension (see mddiv.h).
 *
 * An opening fence becomes a div node that holds every following block
 * until its closing fence; a closing fence becomes an empty node inside
 * the div (so the line is content, not a blank line: lists around stay
 * tight) after which the div matches no more lines. A fence line that is
 * malformed, too deep, indented into a paragraph, or that would close a
 * div outside its own container (a list item, a block quote) is an error
 * and becomes an empty "bad" node, so its text never prints. */
#include "mddiv.h"
#include "md.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static cmark_syntax_extension *ext;
static cmark_node_type div_type, close_type, bad_type;

typedef struct state {
    mdpre *p;
    int first;
    int max_depth;
    int ignored; /* opening fences past max_depth not yet closed */
} state;

static _Thread_local state *cur;

cmark_syntax_extension *mddiv_extension(void) { return ext; }
cmark_node_type mddiv_div_type(void) { return div_type; }
cmark_node_type mddiv_close_type(void) { return close_type; }
cmark_node_type mddiv_bad_type(void) { return bad_type; }

/* ---- what a fence line is ------------------------------------------------- */

/* The code point of the UTF-8 sequence at s (*len its bytes), or -1. */
static long decode(const unsigned char *s, size_t n, size_t *len) {
    if (!n) return -1;
    unsigned c = s[0];
    size_t k;
    long cp;
    if (c < 0x80) return *len = 1, (long)c;
    if (c >= 0xC2 && c <= 0xDF) k = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) k = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) k = 4, cp = c & 0x07;
    else return -1;
    if (n < k) return -1;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *len = k;
    return cp;
}

/* Unicode categories Zs (space separators) and Cf (format characters). */
static int is_cf_zs(long cp) {
    static const long ranges[][2] = {
        {0x00A0, 0x00A0},   {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
        {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x1680, 0x1680},   {0x180E, 0x180E},
        {0x2000, 0x200F},   {0x202A, 0x202F},   {0x205F, 0x2064},   {0x2066, 0x206F},   {0x3000, 0x3000},
        {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F},
        {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (cp >= ranges[i][0] && cp <= ranges[i][1]) return 1;
    return 0;
}

/* Bytes of white space at s: spaces, tabs, and Cf/Zs characters, which
 * count as spaces on a fence line. */
static size_t skip_space(const unsigned char *s, size_t n) {
    size_t i = 0, k;
    while (i < n) {
        if (s[i] == ' ' || s[i] == '\t') {
            i++;
            continue;
        }
        long cp = decode(s + i, n - i, &k);
        if (cp < 0x80 || !is_cf_zs(cp)) break;
        i += k;
    }
    return i;
}

/* Bytes of a run of colons (`:` or the full-width U+FF1A) at s; *count. */
static size_t skip_colons(const unsigned char *s, size_t n, int *count) {
    size_t i = 0;
    *count = 0;
    for (;;) {
        if (i < n && s[i] == ':') i++;
        else if (i + 2 < n && s[i] == 0xEF && s[i + 1] == 0xBC && s[i + 2] == 0x9A) i += 3;
        else break;
        (*count)++;
    }
    return i;
}

/* Read the fence line s[0, n) (from the first non-space character, line end
 * excluded). Returns FENCE_OPEN/CLOSE with *attr, FENCE_BAD with *why
 * (and *attr: what could be read, so the div still opens), or -1: not a
 * fence line. *colon: offset of the first colon. */
static int read_fence(arena *a, const unsigned char *s, size_t n, ast_attr *attr, const char **why, size_t *colon,
                      int *bad_col) {
    memset(attr, 0, sizeof *attr);
    *why = NULL;
    *bad_col = 0;
    size_t i = skip_space(s, n);
    int count;
    *colon = i;
    i += skip_colons(s + i, n - i, &count);
    if (count < 3) return -1;
    i += skip_space(s + i, n - i);
    if (i >= n) return FENCE_CLOSE;
    int braced = s[i] == '{';
    if (braced) {
        const char *err = NULL;
        size_t used = md_parse_attr(a, (const char *)s + i, n - i, attr, &err);
        if (!used) {
            *why = err ? err : "bad attribute block";
            *bad_col = (int)i + 1;
            return FENCE_BAD;
        }
        i += used;
    } else {
        size_t b = i;
        while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != ':' && s[i] != '{' && s[i] != '}') {
            size_t k;
            long cp = decode(s + i, n - i, &k);
            if (cp < 0 || (cp >= 0x80 && (is_cf_zs(cp) || cp == 0xFF1A))) break;
            i += k;
        }
        if (i == b) {
            *why = "a fence line needs a class word or an attribute block after the colons";
            return FENCE_BAD;
        }
        const char **cls = arena_alloc(a, sizeof(char *));
        cls[0] = arena_strndup(a, (const char *)s + b, i - b);
        attr->classes = cls;
        attr->nclasses = 1;
    }
    i += skip_space(s + i, n - i);
    i += skip_colons(s + i, n - i, &count);
    i += skip_space(s + i, n - i);
    if (i < n) {
        *bad_col = (int)i + 1;
        *why = !braced
                   ? "unexpected text after the fenced div's class word: an opening fence takes one class word or "
                     "an attribute block (`::: answer`, `::: {.answer title=\"Q1\"}`)"
                   : "unexpected text after the fenced div's attribute block";
        return FENCE_BAD;
    }
    return FENCE_OPEN;
}

/* ---- the extension ------------------------------------------------------------ */

/* A div node's user data: its index in the fence table, shifted, with bit 0
 * set once its closing fence was met. */
#define DIV_DATA(idx, closed) ((void *)(uintptr_t)(((uintptr_t)(idx) << 1) | (closed)))

static int is_div(cmark_node *n) { return n && cmark_node_get_type(n) == div_type; }

static const char *container_name(cmark_node *n) {
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_ITEM: return "a list item";
    case CMARK_NODE_BLOCK_QUOTE: return "a block quote";
    default: return "another container";
    }
}

/* The container a fence line at parent belongs to: leaves and lists that
 * the line ends (paragraphs, tables, a list whose item it left) are
 * skipped. */
static cmark_node *container_of(cmark_node *parent) {
    cmark_node *c = parent;
    while (c) {
        cmark_node_type t = cmark_node_get_type(c);
        if (t == CMARK_NODE_DOCUMENT || t == CMARK_NODE_BLOCK_QUOTE || t == CMARK_NODE_ITEM || t == div_type) break;
        c = cmark_node_parent(c);
    }
    return c;
}

static void fence_error(state *st, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fence_error(state *st, int line, int col, const char *fmt, ...) {
    if (!st->first) return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_report(st->p->d, DIAG_ERROR, st->p->path, mdpre_file_line(st->p, line), col, "%s", msg);
    st->p->nerr++;
}

/* Consume the rest of the line (a fence line holds nothing else). */
static void take_line(cmark_parser *parser, const unsigned char *input, int len) {
    int end = len;
    while (end > 0 && (input[end - 1] == '\n' || input[end - 1] == '\r')) end--;
    int off = cmark_parser_get_offset(parser);
    if (end > off) cmark_parser_advance_offset(parser, (const char *)input, end - off, 0);
}

static cmark_node *add_node(cmark_parser *parser, cmark_node *parent, cmark_node_type t, int col) {
    cmark_node *n = cmark_parser_add_child(parser, parent, t, col);
    cmark_node_set_syntax_extension(n, ext);
    return n;
}

static cmark_node *bad_line(state *st, cmark_parser *parser, cmark_node *parent, const unsigned char *input, int len,
                            int line, int col) {
    md_fence *f = st->first ? mdpre_add_fence(st->p) : NULL;
    if (f) f->line = line, f->col = col, f->kind = FENCE_BAD;
    cmark_node *n = add_node(parser, parent, bad_type, col);
    take_line(parser, input, len);
    return n;
}

static cmark_node *try_open(cmark_syntax_extension *self, int indented, cmark_parser *parser, cmark_node *parent,
                            unsigned char *input, int len) {
    (void)self;
    state *st = cur;
    if (!st) return NULL;
    int fns = cmark_parser_get_first_nonspace(parser);
    if (fns >= len) return NULL;
    ast_attr attr;
    const char *why;
    size_t colon;
    int n = len;
    while (n > fns && (input[n - 1] == '\n' || input[n - 1] == '\r')) n--;
    int bad_col;
    int kind = read_fence(st->p->a, input + fns, (size_t)(n - fns), &attr, &why, &colon, &bad_col);
    if (kind < 0) return NULL;
    int line = cmark_parser_get_line_number(parser) - 1; /* 0-based body line */
    int col = fns + (int)colon + 1;
    if (indented) {
        fence_error(st, line, col,
                    "fence line indented four or more spaces inside a paragraph: indent it as its container's "
                    "content (or end the paragraph with a blank line)");
        return bad_line(st, parser, parent, input, len, line, col);
    }
    if (kind == FENCE_CLOSE) {
        cmark_node *c = container_of(parent);
        if (st->ignored > 0) { /* the closer of a fence that was too deep */
            st->ignored--;
            return bad_line(st, parser, parent, input, len, line, col);
        }
        if (is_div(c)) {
            uintptr_t data = (uintptr_t)cmark_node_get_user_data(c);
            cmark_node_set_user_data(c, (void *)(data | 1));
            if (st->first) st->p->fences[data >> 1].closed = 1;
            md_fence *f = st->first ? mdpre_add_fence(st->p) : NULL;
            if (f) f->line = line, f->col = col, f->kind = FENCE_CLOSE;
            cmark_node *m = add_node(parser, parent, close_type, col);
            take_line(parser, input, len);
            return m;
        }
        cmark_node *outer = c;
        while (outer && !is_div(outer)) outer = cmark_node_parent(outer);
        if (outer) {
            const md_fence *of = &st->p->fences[(uintptr_t)cmark_node_get_user_data(outer) >> 1];
            fence_error(st, line, col, "this closing fence is inside %s, but the div it would close (line %d) is outside it: "
                        "close the div at its own indentation",
                        container_name(c), mdpre_file_line(st->p, of->line));
        } else {
            fence_error(st, line, col, "closing fence without an open div: remove it, or open a div before it");
        }
        return bad_line(st, parser, parent, input, len, line, col);
    }
    /* an opening fence (possibly malformed: it still opens, so its closing
     * fence matches and one mistake gives one message) */
    int depth = 0;
    for (cmark_node *u = parent; u; u = cmark_node_parent(u))
        if (is_div(u)) depth++;
    /* too deep: reported once and not opened (cmark walks the open blocks
     * on every line); its closing fence is dropped with it */
    if (depth >= st->max_depth) {
        if (!st->ignored++) fence_error(st, line, col, "fenced divs nested more than %d deep", st->max_depth);
        return bad_line(st, parser, parent, input, len, line, col);
    }
    if (kind == FENCE_BAD) fence_error(st, line, bad_col ? fns + bad_col : col, "%s", why);
    int idx;
    if (st->first) {
        md_fence *f = mdpre_add_fence(st->p);
        f->line = line;
        f->col = col;
        f->kind = FENCE_OPEN;
        f->malformed = kind == FENCE_BAD;
        f->attr = attr;
        idx = st->p->nfences - 1;
    } else {
        const md_fence *f = mdpre_fence_at(st->p, line);
        idx = f ? (int)(f - st->p->fences) : 0;
    }
    cmark_node *d = add_node(parser, parent, div_type, col);
    cmark_node_set_user_data(d, DIV_DATA(idx, 0));
    take_line(parser, input, len);
    return d;
}

static int matches(cmark_syntax_extension *self, cmark_parser *parser, unsigned char *input, int len,
                   cmark_node *container) {
    (void)self, (void)parser, (void)input, (void)len;
    if (cmark_node_get_type(container) != div_type) return 0; /* closing and bad lines hold one line */
    return ((uintptr_t)cmark_node_get_user_data(container) & 1) == 0;
}

static int can_contain(cmark_syntax_extension *self, cmark_node *node, cmark_node_type child) {
    (void)self;
    if (cmark_node_get_type(node) != div_type) return 0;
    return (child & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK && child != CMARK_NODE_ITEM;
}

static int no_inlines(cmark_syntax_extension *self, cmark_node *node) {
    (void)self, (void)node;
    return 0;
}

static const char *type_string(cmark_syntax_extension *self, cmark_node *node) {
    (void)self;
    cmark_node_type t = cmark_node_get_type(node);
    return t == div_type ? "coursec_div" : t == close_type ? "coursec_div_close" : "coursec_fence_bad";
}

void mddiv_init(void) {
    div_type = cmark_syntax_extension_add_node(0);
    close_type = cmark_syntax_extension_add_node(0);
    bad_type = cmark_syntax_extension_add_node(0);
    ext = cmark_syntax_extension_new("coursec-div");
    cmark_syntax_extension_set_open_block_func(ext, try_open);
    cmark_syntax_extension_set_match_block_func(ext, matches);
    cmark_syntax_extension_set_can_contain_func(ext, can_contain);
    cmark_syntax_extension_set_contains_inlines_func(ext, no_inlines);
    cmark_syntax_extension_set_get_type_string_func(ext, type_string);
}

void mddiv_begin(mdpre *p, int first, int max_depth) {
    state *st = arena_alloc(p->a, sizeof *st);
    st->p = p;
    st->first = first;
    st->max_depth = max_depth;
    cur = st;
}

void mddiv_end(void) { cur = NULL; }

const md_fence *mddiv_fence_of(const mdpre *p, cmark_node *div) {
    if (!is_div(div)) return NULL;
    uintptr_t data = (uintptr_t)cmark_node_get_user_data(div);
    int idx = (int)(data >> 1);
    return idx < p->nfences ? &p->fences[idx] : NULL;
}
