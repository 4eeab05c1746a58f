/* md.c — Markdown → ast_node (SPEC §2, §3): the only file that includes
 * cmark-gfm. A structural parse (blocks only) classifies lines for the
 * pre-pass (mdpre.c), then each region between `:::` fences is parsed and
 * converted; placeholders become Blank nodes and `\{{`, ```worksheet blocks
 * become Worksheet nodes. cmark's trees live in a per-thread bump store,
 * dropped whole once converted. */
#include "md.h"
#include "buf.h"
#include "mdpre.h"
#include "util.h"
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MAX_BYTES ((size_t)1 << 20) /* see MODULE_MAX_BYTES in build.c */
#define DEFAULT_MAX_DEPTH 64
#define MAX_TREE_DEPTH 256 /* nesting of cmark blocks/inlines we convert */
#define MAX_TABLE_COLUMNS 64 /* cmark-gfm 0.29 appends cells in O(cells) each */

/* cmark-gfm keeps one piece of process-global state while parsing: the table
 * of special inline characters. Every parse adds its extensions' characters
 * before parsing inlines and removes them after
 * (cmark_manage_extensions_special_characters, blocks.c), so a parse that
 * ends while another is parsing inlines makes the other lose strikethrough
 * and autolinks. Every parse of ours attaches a subset of the same four
 * extensions, so the table can hold all their characters for good: md_init
 * adds them once, and the definition of that function below — which the
 * library calls through its PLT, so ours is the one called — leaves the
 * table alone. Characters of an extension a parser lacks are then merely
 * text to that parser (the structural parse, which needs blocks only).
 * md_init proves the library calls our definition (a test parse must reach
 * it); if it does not (another build of cmark-gfm), every parse takes
 * md_lock as before. Reading or dropping a finished cmark tree touches no
 * global state (its memory is the calling thread's cm_store). */
static pthread_mutex_t md_lock = PTHREAD_MUTEX_INITIALIZER;
typedef void (*manage_fn)(cmark_parser *, int);
static manage_fn real_manage;     /* the library's definition */
static atomic_int manage_calls;   /* calls that reached ours */
static int chars_pinned;          /* set once in md_init, read-only after */

void cmark_manage_extensions_special_characters(cmark_parser *parser, int add) {
    atomic_fetch_add_explicit(&manage_calls, 1, memory_order_relaxed);
    if (!chars_pinned && real_manage) real_manage(parser, add);
}

/* cmark_parser_finish ends by merging adjacent text nodes
 * (cmark_consolidate_text_nodes): an iterator over the whole tree, some 5 %
 * of a parse. convert_children merges adjacent text pieces itself (it must:
 * a placeholder may span pieces), taking the first piece's position, as the
 * library's merge does; so this definition, which the library calls through
 * its PLT like the one above, does nothing. Should a build of the library
 * bind its own call, the pieces are merely merged twice: same tree. */
void cmark_consolidate_text_nodes(cmark_node *root) { (void)root; }

static cmark_syntax_extension *blocks_ext;
static const char *const all_exts[] = {"table", "strikethrough", "autolink", "tasklist", NULL};
static const char *const block_exts[] = {"table", "tasklist", NULL};
/* The registered extensions of all_exts / block_exts (NULL-terminated), found
 * once in init_once and read-only after: a parse attaches them without a
 * search of the registry by name. */
static cmark_syntax_extension *all_found[5], *block_found[3];
int md_parses_in_parallel(void) { return chars_pinned; }

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

/* A new chunk for a block of need bytes (header included) that the current
 * chunk cannot hold; returns the chunk to take it from. */
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

/* n bytes (a multiple of CM_ALIGN), not zeroed, after a CM_ALIGN header.
 * cmark allocates some 3 000 blocks per module: the common case (room in the
 * current chunk) is a few instructions, the rest is in cm_new_chunk. */
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
    if (__builtin_mul_overflow(nmem, size, &total)) cm_oom(); /* no division per call */
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

/* Drop every tree in the store; keep (emptied) one chunk for the next parse
 * unless all: then free everything. */
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

/* ---- the structural parse --------------------------------------------------
 * classify_lines needs cmark's blocks only, and cmark parses inlines only in
 * nodes whose contains_inlines says so. A private extension (attached last,
 * its try_opening_block opens nothing) notes the document root; after the
 * last feed every paragraph and heading already closed is handed to it, and
 * its contains_inlines says no. Blocks still open (the last child chain) may
 * take the final line in cmark_parser_finish, so they keep cmark's own
 * handling. The block tree is the one a plain parse makes; only inlines are
 * missing. */

static _Thread_local cmark_node *blocks_root; /* the current parse's */

static cmark_node *blocks_note_root(cmark_syntax_extension *ext, int indented, cmark_parser *parser,
                                    cmark_node *parent, unsigned char *input, int len) {
    (void)ext, (void)indented, (void)parser, (void)input, (void)len;
    if (!blocks_root && parent) {
        while (cmark_node_parent(parent)) parent = cmark_node_parent(parent);
        blocks_root = parent;
    }
    return NULL;
}

static int blocks_no_inlines(cmark_syntax_extension *ext, cmark_node *node) {
    (void)ext, (void)node;
    return 0;
}

/* Closed paragraphs and headings under root skip inline parsing. */
static void blocks_skip_inlines(cmark_node *root) {
    cmark_node *n = root;
    while (n) {
        cmark_node_type t = cmark_node_get_type(n);
        if ((t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING) && !cmark_node_get_syntax_extension(n))
            cmark_node_set_syntax_extension(n, blocks_ext);
        cmark_node *next = cmark_node_first_child(n);
        while (!next && n && n != root) {
            next = cmark_node_next(n);
            if (!next) n = cmark_node_parent(n);
        }
        if (n == root && !next) break;
        n = next;
    }
    for (n = root; n; n = cmark_node_last_child(n)) /* possibly still open */
        if (cmark_node_get_syntax_extension(n) == blocks_ext) cmark_node_set_syntax_extension(n, NULL);
}

/* full: every extension coursec uses; else only those that shape blocks
 * (table, tasklist) and no inlines, for classify_lines. The tree lives in
 * cm_cur's store (the caller's). */
static cmark_node *parse_text(const char *s, size_t n, int full) {
    if (!chars_pinned) pthread_mutex_lock(&md_lock);
    cmark_parser *ps = cmark_parser_new_with_mem(CMARK_OPT_SOURCEPOS | CMARK_OPT_UNSAFE, &cm_mem);
    for (cmark_syntax_extension *const *x = full ? all_found : block_found; *x; x++)
        cmark_parser_attach_syntax_extension(ps, *x);
    if (!full) {
        cmark_parser_attach_syntax_extension(ps, blocks_ext);
        blocks_root = NULL;
    }
    cmark_parser_feed(ps, s, n);
    if (!full && blocks_root) blocks_skip_inlines(blocks_root);
    cmark_node *doc = cmark_parser_finish(ps);
    cmark_parser_free(ps);
    blocks_root = NULL;
    if (!chars_pinned) pthread_mutex_unlock(&md_lock);
    return doc;
}

static const char *type_string(cmark_node *n) {
    const char *t = cmark_node_get_type_string(n);
    return t ? t : "";
}

static int is_fenced(cmark_node *n) {
    int len = 0, off = 0;
    char ch = 0;
    return cmark_node_get_fenced(n, &len, &off, &ch) != 0;
}

static int is_worksheet_info(const char *info) {
    if (!info) return 0;
    while (*info == ' ' || *info == '\t') info++;
    if (strncmp(info, "worksheet", 9) != 0) return 0;
    char c = info[9];
    return c == 0 || c == ' ' || c == '\t';
}

static int setext_underline(const char *s, size_t n) {
    size_t k = 0;
    while (k < n && k < 3 && s[k] == ' ') k++;
    if (k >= n || (s[k] != '=' && s[k] != '-')) return 0;
    char c = s[k];
    while (k < n && s[k] == c) k++;
    while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r')) k++;
    return k == n;
}

/* Structural parse of the whole body: which lines are code, worksheet
 * content, raw HTML, and which line ends each heading's text. */
static void classify_lines(mdpre *p) {
    cmark_node *doc = parse_text(p->work, p->len, 0);
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER) continue;
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        int sl = cmark_node_get_start_line(n) - 1, el = cmark_node_get_end_line(n) - 1;
        if (sl < 0) continue;
        if (el < sl) el = sl;
        if (el >= p->nlines) el = p->nlines - 1;
        if (t == CMARK_NODE_CODE_BLOCK) {
            int ws = is_fenced(n) && is_worksheet_info(cmark_node_get_fence_info(n));
            for (int i = sl; i <= el; i++) p->lines[i].kind = (ws && i > sl) ? MDPRE_WORKSHEET : MDPRE_CODE;
        } else if (t == CMARK_NODE_HTML_BLOCK) {
            for (int i = sl; i <= el; i++) p->lines[i].kind = MDPRE_HTML;
        } else if (t == CMARK_NODE_HEADING) {
            /* setext: cmark 0.29's end line may run past the underline */
            int last = sl;
            for (int i = el; i > sl; i--)
                if (setext_underline(p->work + p->lines[i].off, p->lines[i].len)) {
                    last = i - 1;
                    break;
                }
            p->lines[last].heading_end = 1;
        }
    }
    cmark_iter_free(it);
}

/* ---- conversion ---------------------------------------------------------- */

typedef struct conv {
    arena *a;
    mdpre *pre;
    const md_options *opt;
    diag *d;
    const char *path;
    int line0;            /* body line index of the region's first line */
    int fixed_line, fixed_col; /* nonzero: every node gets this position (blank answers) */
    int depth, too_deep;
    int nerr;
    /* convert_children's joined text pieces: one buffer for the whole parse,
     * not one malloc per run of pieces (cmark leaves a piece at every special
     * character); busy while its text is being emitted, as an answer inside
     * it is parsed and converted in turn (then a buffer of its own is used) */
    buf joined;
    int joined_busy;
} conv;

static void pos_of(conv *c, cmark_node *n, const ast_node *parent, int *line, int *col) {
    if (c->fixed_line) {
        *line = c->fixed_line;
        *col = c->fixed_col;
        return;
    }
    int sl = cmark_node_get_start_line(n), sc = cmark_node_get_start_column(n);
    if (sl > 0) {
        *line = mdpre_file_line(c->pre, c->line0 + sl - 1);
        *col = sc > 0 ? sc : 1;
    } else {
        *line = parent ? parent->line : 0;
        *col = parent ? parent->col : 0;
    }
}

static void convert_children(conv *c, cmark_node *n, ast_node *out);

/* Answer alternatives of `[[…]]`: inline Markdown, parsed on its own. */
static ast_node *parse_alt(conv *c, const char *s, size_t n, int line, int col) {
    buf b = BUF_INIT;
    /* a private-use prefix keeps `1. x` or `# x` from becoming a block */
    buf_put(&b, "\xEF\x80\x81", 3);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 2 < n && s[i + 1] == '{' && s[i + 2] == '{') {
            buf_put(&b, "\xEF\x80\x80", 3);
            i += 2;
        } else buf_putc(&b, s[i]);
    }
    ast_node *span = ast_new(c->a, AST_SPAN, line, col);
    cmark_node *doc = parse_text(b.data, b.len, 1);
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
    if (f && f->type == AST_TEXT && f->text && strncmp(f->text, "\xEF\x80\x81", 3) == 0) {
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

static ast_node *make_blank(conv *c, int k) {
    const mdpre_blank *b = &c->pre->blanks[k];
    ast_node *bl = ast_new(c->a, AST_BLANK, b->line, b->col);
    if (b->underscore) {
        bl->underscore = 1;
        bl->width = (int)b->len;
        return bl;
    }
    const char *s = c->pre->src + b->off + 2;
    size_t n = b->len - 4, maxch = 0;
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

/* Index of the first byte >= 0xEE (where a placeholder may start) in s[i, n). */
static size_t skip_to_high(const char *s, size_t i, size_t n) {
    typedef unsigned char v16 __attribute__((vector_size(16)));
    while (i + 16 <= n) {
        v16 x;
        memcpy(&x, s + i, 16);
        v16 m = (v16)(x >= 0xEE);
        uint64_t w[2];
        memcpy(w, &m, 16);
        if (w[0] | w[1]) break;
        i += 16;
    }
    while (i < n && (unsigned char)s[i] < 0xEE) i++;
    return i;
}

/* A Text node for s[0, n) (nothing if empty); esc: it holds `\{{`
 * placeholders, put back in the copy (both are three bytes). */
static void add_text(conv *c, ast_node *out, const char *s, size_t n, int esc, int line, int col) {
    if (!n) return;
    ast_node *x = ast_new(c->a, AST_TEXT, line, col);
    char *t = arena_strndup(c->a, s, n);
    for (char *q = t; esc && (q = memchr(q, 0xEF, n - (size_t)(q - t))) != NULL;) {
        if (n - (size_t)(q - t) >= 3 && (unsigned char)q[1] == 0x80 && (unsigned char)q[2] == 0x80) {
            q[0] = '\\', q[1] = '{', q[2] = '{';
            q += 3;
        } else q++;
    }
    x->text = t;
    ast_append(out, x);
}

/* Text (after merging cmark's pieces) → Text, Blank, Text ... into out. */
static void emit_text(conv *c, ast_node *out, const char *s, size_t n, int line, int col) {
    size_t seg = 0; /* start of the pending Text */
    int tl = line, tc = col, esc = 0;
    for (size_t i = skip_to_high(s, 0, n); i < n; i = skip_to_high(s, i, n)) {
        size_t plen = 0;
        int k = mdpre_placeholder_at(c->pre, s + i, n - i, &plen);
        if (k == MDPRE_ESCAPE) { /* stays in the Text; add_text restores it */
            esc = 1;
            i += plen;
            continue;
        }
        if (k < 0) {
            i++;
            continue;
        }
        add_text(c, out, s + seg, i - seg, esc, tl, tc);
        esc = 0;
        ast_node *bl = make_blank(c, k);
        ast_append(out, bl);
        tl = bl->line;
        tc = bl->col + (int)plen;
        i += plen;
        seg = i;
    }
    add_text(c, out, s + seg, n - seg, esc, tl, tc);
}

/* Literal text with placeholders put back as written (code, URLs, raw HTML).
 * html: a `[[…]]` blank in it is an error (it could not be pruned). */
static const char *restore(conv *c, const char *s, int html) {
    if (!s) return NULL;
    size_t n = strlen(s);
    if (!memchr(s, 0xEE, n) && !memchr(s, 0xEF, n)) return arena_strdup(c->a, s);
    buf b = BUF_INIT;
    for (size_t i = 0; i < n;) {
        size_t plen = 0;
        int k = MDPRE_NONE;
        if ((unsigned char)s[i] == 0xEE || (unsigned char)s[i] == 0xEF)
            k = mdpre_placeholder_at(c->pre, s + i, n - i, &plen);
        if (k == MDPRE_ESCAPE) {
            buf_puts(&b, "\\{{");
            i += plen;
        } else if (k >= 0) {
            const mdpre_blank *bl = &c->pre->blanks[k];
            if (html && !bl->underscore) {
                diag_report(c->d, DIAG_ERROR, c->path, bl->line, bl->col,
                            "blank `%.*s` inside raw HTML: close the HTML element before the blank", (int)bl->len,
                            c->pre->src + bl->off);
                c->nerr++;
            }
            buf_put(&b, c->pre->src + bl->off, bl->len);
            i += plen;
        } else buf_putc(&b, s[i++]);
    }
    const char *r = arena_strndup(c->a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return r;
}

static int javascript_url(const char *u) {
    if (!u) return 0;
    while (*u && (unsigned char)*u <= ' ') u++;
    return strncasecmp(u, "javascript:", 11) == 0;
}

static void convert_worksheet(conv *c, cmark_node *n, ast_node *ws) {
    const char *lit = cmark_node_get_literal(n);
    if (!lit) return;
    int sl = cmark_node_get_start_line(n);
    int idx = c->line0 + sl; /* body index of the first content line */
    const char *p = lit;
    int first = 1;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        int line = mdpre_file_line(c->pre, idx), col = ws->col;
        if (idx < c->pre->nlines) {
            const mdpre_line *L = &c->pre->lines[idx];
            size_t sl2 = L->len;
            if (sl2 && c->pre->work[L->off + sl2 - 1] == '\r') sl2--;
            if (sl2 >= len && memcmp(c->pre->work + L->off + sl2 - len, p, len) == 0) col = (int)(sl2 - len) + 1;
        }
        if (!first) ast_append(ws, ast_new(c->a, AST_LINEBREAK, line, 1));
        first = 0;
        emit_text(c, ws, p, len, line, col);
        idx++;
        if (!e) break;
        p = e + 1;
    }
}

static void convert_node(conv *c, cmark_node *n, ast_node *out) {
    cmark_node_type t = cmark_node_get_type(n);
    const char *ts = NULL; /* the type's name: needed by items and extension nodes only */
    int line, col;
    pos_of(c, n, out, &line, &col);
    ast_node *x = NULL;
    int descend = 1;
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
    case CMARK_NODE_ITEM:
        x = ast_new(c->a, AST_ITEM, line, col);
        ts = type_string(n);
        x->checked = strcmp(ts, "tasklist") == 0 ? (cmark_gfm_extensions_get_tasklist_item_checked(n) ? 1 : 0) : -1;
        break;
    case CMARK_NODE_CODE_BLOCK: {
        const char *info = cmark_node_get_fence_info(n);
        if (is_fenced(n) && is_worksheet_info(info)) {
            x = ast_new(c->a, AST_WORKSHEET, line, col);
            convert_worksheet(c, n, x);
        } else {
            x = ast_new(c->a, AST_CODEBLOCK, line, col);
            x->text = restore(c, cmark_node_get_literal(n), 0);
            x->info = info && *info ? restore(c, info, 0) : NULL;
        }
        descend = 0;
        break;
    }
    case CMARK_NODE_HTML_BLOCK:
    case CMARK_NODE_HTML_INLINE:
        if (c->opt->safe) {
            diag_report(c->d, DIAG_WARNING, c->path, line, col, "raw HTML dropped (--safe)");
            return;
        }
        x = ast_new(c->a, t == CMARK_NODE_HTML_BLOCK ? AST_HTMLBLOCK : AST_HTMLINLINE, line, col);
        x->text = restore(c, cmark_node_get_literal(n), 1);
        x->format = "html";
        descend = 0;
        break;
    case CMARK_NODE_PARAGRAPH:
        x = ast_new(c->a, AST_PARAGRAPH, line, col);
        break;
    case CMARK_NODE_HEADING: {
        x = ast_new(c->a, AST_HEADING, line, col);
        x->level = cmark_node_get_heading_level(n);
        int sl = cmark_node_get_start_line(n), el = cmark_node_get_end_line(n);
        if (sl > 0 && !c->fixed_line)
            for (int i = c->line0 + (el > sl ? el : sl) - 1; i >= c->line0 + sl - 1 && i >= 0; i--)
                if (i < c->pre->nlines && c->pre->lines[i].hattr) {
                    x->attr = *c->pre->lines[i].hattr;
                    break;
                }
        break;
    }
    case CMARK_NODE_THEMATIC_BREAK:
        x = ast_new(c->a, AST_THEMATICBREAK, line, col);
        descend = 0;
        break;
    case CMARK_NODE_TEXT:
        emit_text(c, out, cmark_node_get_literal(n), strlen(cmark_node_get_literal(n)), line, col);
        return;
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
        x->text = restore(c, cmark_node_get_literal(n), 0);
        descend = 0;
        break;
    case CMARK_NODE_EMPH:
        x = ast_new(c->a, AST_EMPH, line, col);
        break;
    case CMARK_NODE_STRONG:
        x = ast_new(c->a, AST_STRONG, line, col);
        break;
    case CMARK_NODE_LINK:
    case CMARK_NODE_IMAGE:
        if (c->opt->safe && javascript_url(cmark_node_get_url(n))) {
            diag_report(c->d, DIAG_WARNING, c->path, line, col, "javascript: URL dropped (--safe)");
            convert_children(c, n, out); /* keep the link text / alt text */
            return;
        }
        x = ast_new(c->a, t == CMARK_NODE_LINK ? AST_LINK : AST_IMAGE, line, col);
        x->url = restore(c, cmark_node_get_url(n), 0);
        x->title = restore(c, cmark_node_get_title(n), 0);
        break;
    default:
        ts = type_string(n);
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
                    x->aligns[i] = v == 'l' ? AST_ALIGN_LEFT
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
    ast_append(out, x);
    if (descend) convert_children(c, n, x);
}

static void convert_children(conv *c, cmark_node *n, ast_node *out) {
    if (c->depth >= MAX_TREE_DEPTH) {
        if (!c->too_deep) {
            diag_report(c->d, DIAG_ERROR, c->path, out->line, out->col,
                        "Markdown nested more than %d levels deep", MAX_TREE_DEPTH);
            c->nerr++;
        }
        c->too_deep = 1;
        return;
    }
    c->depth++;
    cmark_node *ch = cmark_node_first_child(n);
    while (ch) {
        if (cmark_node_get_type(ch) == CMARK_NODE_TEXT) {
            /* merge cmark's adjacent text pieces so placeholders are whole */
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
    c->depth--;
}

/* Adjacent Text nodes (left by --safe unwrapping) become one. */
static void merge_texts(arena *a, ast_node *n) {
    for (ast_node *ch = n->first; ch;) {
        ast_node *nx = ch->next;
        if (ch->type == AST_TEXT && nx && nx->type == AST_TEXT) {
            ch->text = arena_printf(a, "%s%s", ch->text ? ch->text : "", nx->text ? nx->text : "");
            ast_unlink(nx);
            continue;
        }
        if (ch->first) merge_texts(a, ch); /* (a leaf has nothing to merge: no call) */
        for (ast_node *alt = ch->alts; alt; alt = alt->next) merge_texts(a, alt);
        ch = nx;
    }
}

static void parse_region(conv *c, int from, int to, ast_node *parent) {
    mdpre *p = c->pre;
    if (from >= to || from >= p->nlines) return;
    if (to > p->nlines) to = p->nlines;
    size_t s = p->lines[from].off, e = to < p->nlines ? p->lines[to].off : p->len;
    size_t k;
    for (k = s; k < e; k++)
        if (p->work[k] != ' ' && p->work[k] != '\t' && p->work[k] != '\n' && p->work[k] != '\r') break;
    if (k == e) return;
    c->line0 = from;
    cmark_node *doc = parse_text(p->work + s, e - s, 1);
    convert_children(c, doc, parent);
    cm_store_clear(cm_cur, 0);
}

ast_node *md_parse(arena *a, const char *src, size_t len, int first_line, const char *path,
                   const md_options *opt, diag *d, int *nerr) {
    md_init(); /* once per process (callers that forgot it included) */
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
    classify_lines(&pre);
    cm_store_clear(&store, 0);
    mdpre_run(&pre, max_depth);

    conv c = {0};
    c.a = a;
    c.pre = &pre;
    c.opt = opt;
    c.d = d;
    c.path = path;
    ast_node *doc = ast_new(a, AST_DOCUMENT, first_line, 1);
    ast_node **stack = arena_alloc(a, sizeof(ast_node *) * (size_t)(max_depth + 2));
    int depth = 0;
    ast_node *cur = doc;
    int start = 0;
    for (int i = 0; i < pre.nev; i++) {
        const mdpre_event *e = &pre.ev[i];
        parse_region(&c, start, e->line, cur);
        if (e->type == MDPRE_OPEN) {
            ast_node *div = ast_new(a, AST_DIV, mdpre_file_line(&pre, e->line), e->col);
            div->attr = e->attr;
            ast_append(cur, div);
            stack[depth++] = cur;
            cur = div;
        } else if (e->type == MDPRE_CLOSE && depth > 0) {
            cur = stack[--depth];
        }
        start = e->line + 1;
    }
    parse_region(&c, start, pre.nlines, cur);

    cm_cur = saved;
    cm_store_clear(&store, 1);
    buf_free(&c.joined);
    merge_texts(a, doc);
    ast_assign_heading_ids(a, doc);
    if (nerr) *nerr += pre.nerr + c.nerr;
    return doc;
}

/* ---- set-up (see the special characters at the top) ---------------------- */

static void init_once(void) {
    cmark_gfm_core_extensions_ensure_registered();
    int k = 0;
    for (const char *const *x = all_exts; *x; x++)
        if ((all_found[k] = cmark_find_syntax_extension(*x)) != NULL) k++;
    k = 0;
    for (const char *const *x = block_exts; *x; x++)
        if ((block_found[k] = cmark_find_syntax_extension(*x)) != NULL) k++;
    blocks_ext = cmark_syntax_extension_new("coursec-blocks");
    cmark_syntax_extension_set_open_block_func(blocks_ext, blocks_note_root);
    cmark_syntax_extension_set_contains_inlines_func(blocks_ext, blocks_no_inlines);
    real_manage = (manage_fn)(uintptr_t)dlsym(RTLD_NEXT, "cmark_manage_extensions_special_characters");
    if (!real_manage) return; /* cannot pin: every parse locks */
    atomic_store(&manage_calls, 0);
    cm_store st = {0};
    cm_cur = &st;
    parse_text("x", 1, 1);
    cm_cur = NULL;
    cm_store_clear(&st, 1);
    if (atomic_load(&manage_calls) == 0) return; /* the library calls its own: every parse locks */
    cmark_parser *ps = cmark_parser_new(CMARK_OPT_DEFAULT);
    for (const char *const *x = all_exts; *x; x++) {
        cmark_syntax_extension *e = cmark_find_syntax_extension(*x);
        if (e) cmark_parser_attach_syntax_extension(ps, e);
    }
    real_manage(ps, 1);
    cmark_parser_free(ps);
    chars_pinned = 1;
}

static pthread_once_t md_once = PTHREAD_ONCE_INIT;

void md_init(void) { pthread_once(&md_once, init_once); }

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
    (void)path, (void)d, (void)nerr;
    ast_node *span = ast_new(a, AST_SPAN, line, col);
    if (len) {
        ast_node *t = ast_new(a, AST_TEXT, line, col);
        t->text = arena_strndup(a, s, len);
        ast_append(span, t);
    }
    return span;
}
