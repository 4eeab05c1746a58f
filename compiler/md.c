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
#include "mdint.h"
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
 * extension coursec uses, and GFM footnotes; else blocks only (where a
 * footnote definition is a paragraph: mdwalk.c finds them by line). div: the fenced-div extension
 * (with mddiv_begin done by the caller). */
cmark_node *md_parse_text(const char *s, size_t n, int full, int div) {
    int opts = CMARK_OPT_SOURCEPOS | CMARK_OPT_UNSAFE | (full ? CMARK_OPT_FOOTNOTES : 0);
    cmark_parser *ps = cmark_parser_new_with_mem(opts, &cm_mem);
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

ast_node *md_parse(arena *a, const char *src, size_t len, int first_line, const char *path,
                   const md_options *opt, diag *d) {
    md_init();
    md_options defaults = {0};
    if (!opt) opt = &defaults;
    size_t max_bytes = opt->max_bytes ? opt->max_bytes : DEFAULT_MAX_BYTES;
    int max_depth = opt->max_depth > 0 ? opt->max_depth : DEFAULT_MAX_DEPTH;
    if (first_line < 1) first_line = 1;
    if (mdpre_validate(src, len, max_bytes, first_line, path, d)) return NULL;
    cm_store store = {0}, *saved = cm_cur;
    cm_cur = &store;
    mdpre pre;
    mdpre_init(&pre, a, src, len, first_line, path, d);

    /* 1. the structure and the side table */
    mddiv_begin(&pre, 1, max_depth);
    cmark_node *sdoc = md_parse_text(pre.text, pre.len, 0, 1);
    mddiv_end();
    mdwalk_run(&pre, opt, sdoc);
    cm_store_clear(&store, 0);

    /* 2. the working copy, parsed in full and converted */
    mdpre_build(&pre);
    mddiv_begin(&pre, 0, max_depth);
    cmark_node *fdoc = md_parse_text(pre.work, pre.work_len, 1, 1);
    mddiv_end();
    ast_node *doc = mdconv_run(a, &pre, opt, fdoc);
    cm_cur = saved;
    cm_store_clear(&store, 1);
    return doc;
}

/* ---- plain strings (titles, vars: values) --------------------------------- */

long md_find_blank_syntax(const char *s, size_t len) {
    /* memchr finds the next `[` sixteen or more bytes at a time (most
     * strings have none); a `[[` is escaped when an odd number of
     * backslashes stands before it */
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, '[', (size_t)(end - p))) != NULL && p + 1 < end; p++) {
        if (p[1] != '[') continue;
        const char *k = p;
        while (k > s && k[-1] == '\\') k--;
        if ((p - k) % 2) continue;
        for (const char *q = p + 2; (q = memchr(q, ']', (size_t)(end - q))) != NULL && q + 1 < end; q++)
            if (q[1] == ']') return (long)(p - s);
        return -1;
    }
    return -1;
}

ast_node *md_parse_plain(arena *a, const char *s, size_t len, int line, int col, const char *path, diag *d) {
    md_init();
    cm_store store = {0}, *saved = cm_cur; /* the answers' own parses */
    cm_cur = &store;
    mdpre pre;
    mdpre_init(&pre, a, s, len, line, path, d);
    ast_node *span = mdconv_plain(a, &pre, line, col);
    cm_cur = saved;
    cm_store_clear(&store, 1);
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
