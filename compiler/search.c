/* search.c — one edition's search index (search.h): the pages' parts from
 * their guarded trees, joined into site/_search.js in page order. */
#include "search.h"
#include "arena.h"
#include "fold.h"
#include "markup.h"
#include "utf8.h"
#include "util.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- a page's part ---------------------------------------------------------- */

/* A part is one line per section: anchor TAB heading TAB text LF, each
 * field with its controls turned into spaces and its spaces collapsed, so
 * none holds a TAB or LF. */
typedef struct part_state {
    buf out;
    arena *a;
    const char *const *roles;
    int answers;
    int space;    /* the text so far ends with a space (or is empty) */
    int nsection; /* sections begun */
    int empty;    /* the current section has no heading and no text yet */
} part_state;

/* s[0..n) with controls as spaces and runs of spaces as one. */
static int is_gap(unsigned char c) { return c <= 0x20 || c == 0x7F; }

static void put_clean(part_state *p, const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        if (is_gap((unsigned char)s[i])) {
            if (!p->space) buf_putc(&p->out, ' ');
            p->space = 1;
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && !is_gap((unsigned char)s[j])) j++;
        buf_put(&p->out, s + i, j - i);
        p->space = 0, p->empty = 0;
        i = j;
    }
}

static void put_text(part_state *p, const char *s) {
    if (s) put_clean(p, s, strlen(s));
}

/* The end of a section's line, without a trailing space. */
static void end_section(part_state *p) {
    if (p->out.data[p->out.len - 1] == ' ') p->out.len--;
    buf_putc(&p->out, '\n');
}

static void begin_section(part_state *p, const char *anchor, const char *heading) {
    if (p->nsection) end_section(p);
    p->nsection++;
    p->space = 1;
    put_text(p, anchor);
    buf_putc(&p->out, '\t');
    p->space = 1;
    put_text(p, heading);
    if (p->out.data[p->out.len - 1] == ' ') p->out.len--;
    buf_putc(&p->out, '\t');
    p->space = 1;
    p->empty = !(heading && *heading);
}

static void inline_text(part_state *p, const ast_node *n);

static void inlines_text(part_state *p, const ast_node *first) {
    for (const ast_node *c = first; c; c = c->next) inline_text(p, c);
}

static void inline_text(part_state *p, const ast_node *n) {
    switch (n->type) {
        case AST_TEXT: put_text(p, n->text); break;
        case AST_CODE:
            if (n->text)
                put_text(p, n->text);
            else
                inlines_text(p, n->first); /* code with live blanks */
            break;
        case AST_SOFTBREAK:
        case AST_LINEBREAK: put_clean(p, " ", 1); break;
        case AST_IMAGE: {
            const char *alt = ast_attr_get(&n->attr, "alt");
            if (alt)
                put_text(p, alt);
            else
                inlines_text(p, n->first);
            break;
        }
        case AST_BLANK:
            /* an edition with answers shows them (html.c blank()); every other
             * shows an empty field, and its tree has no alternatives anyway */
            if (!p->answers) break;
            for (const ast_node *alt = n->alts; alt; alt = alt->next) {
                if (alt != n->alts) put_clean(p, " / ", 3);
                if (alt->type == AST_SPAN)
                    inlines_text(p, alt->first);
                else
                    inline_text(p, alt);
            }
            break;
        case AST_HTMLINLINE:
        case AST_NOTEREF: break;
        default:
            if (ast_holds_inlines(n->type)) inlines_text(p, n->first);
            break;
    }
}

static void block_text(part_state *p, const ast_node *n) {
    switch (n->type) {
        case AST_HEADING: {
            const char *h = ast_title_text(p->a, n, p->roles);
            const char *id = n->attr.id && *n->attr.id ? markup_id(p->a, n->attr.id) : "";
            /* a first heading with nothing before it names the page's top */
            if (p->nsection == 1 && p->empty) {
                p->out.len = 0;
                p->nsection = 0;
            }
            begin_section(p, id, h);
            return;
        }
        case AST_CODEBLOCK: /* code is not prose: its words would swamp the index */
        case AST_WORKSHEET:
        case AST_HTMLBLOCK: /* raw markup: not text */
        case AST_THEMATICBREAK: return;
        case AST_DIV: {
            const char *title = ast_attr_get(&n->attr, "title");
            if (title && !ast_box_title(n)) put_text(p, title), put_clean(p, " ", 1);
            break;
        }
        default:
            if (ast_holds_inlines(n->type)) {
                inlines_text(p, n->first);
                put_clean(p, " ", 1);
                return;
            }
            break;
    }
    for (const ast_node *c = n->first; c; c = c->next) block_text(p, c);
}

char *search_page_part(const ast_node *doc, const char *const *roles, int answers, size_t *len) {
    part_state p = {BUF_INIT, arena_new(), roles, answers, 1, 0, 1};
    begin_section(&p, "", "");
    if (doc) block_text(&p, doc);
    end_section(&p);
    arena_free(p.a);
    *len = p.out.len;
    return buf_detach(&p.out);
}

/* ---- the edition's index ---------------------------------------------------- */

typedef struct section {
    int page;
    const char *anchor, *heading, *text;
} section;

typedef struct term {
    const char *s;
    size_t len;
    uint32_t *post; /* section << 2 | field, in section order, one per section */
    int n, cap;
} term;

struct search_index {
    arena *a;
    const char **ids, **titles;
    int npages, cap_pages;
    section *secs;
    int nsecs, cap_secs;
    term *terms; /* open addressing on the term's bytes; s NULL: free */
    size_t nterms, cap_terms;
    /* while adding a section's terms */
    int cur;
    uint32_t field;
};

search_index *search_new(void) {
    search_index *x = xcalloc(1, sizeof *x);
    x->a = arena_new();
    x->cap_terms = 1024;
    x->terms = xcalloc(x->cap_terms, sizeof *x->terms);
    return x;
}

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void grow_terms(search_index *x) {
    size_t cap = x->cap_terms * 2;
    term *t = xcalloc(cap, sizeof *t);
    for (size_t i = 0; i < x->cap_terms; i++) {
        if (!x->terms[i].s) continue;
        size_t k = hash_bytes(x->terms[i].s, x->terms[i].len) & (cap - 1);
        while (t[k].s) k = (k + 1) & (cap - 1);
        t[k] = x->terms[i];
    }
    free(x->terms);
    x->terms = t, x->cap_terms = cap;
}

static void add_term(void *ud, const char *s, size_t len) {
    search_index *x = ud;
    if (2 * (x->nterms + 1) > x->cap_terms) grow_terms(x);
    size_t k = hash_bytes(s, len) & (x->cap_terms - 1);
    while (x->terms[k].s && (x->terms[k].len != len || memcmp(x->terms[k].s, s, len))) k = (k + 1) & (x->cap_terms - 1);
    term *t = &x->terms[k];
    if (!t->s) {
        t->s = arena_strndup(x->a, s, len);
        t->len = len;
        x->nterms++;
    }
    uint32_t v = (uint32_t)x->cur << 2 | x->field;
    if (t->n && t->post[t->n - 1] >> 2 == (uint32_t)x->cur) {
        if ((t->post[t->n - 1] & 3) < x->field) t->post[t->n - 1] = v;
        return;
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 2;
        t->post = xrealloc(t->post, sizeof *t->post * (size_t)t->cap);
    }
    t->post[t->n++] = v;
}

static void index_field(search_index *x, const char *s, uint32_t field) {
    x->field = field;
    fold_terms(s, strlen(s), add_term, x);
}

int search_add(search_index *x, const char *id, const char *title, const char *part, size_t len) {
    /* check the whole part first, so a bad one adds nothing */
    if (!part || len == 0 || part[len - 1] != '\n' || memchr(part, 0, len)) return -1;
    for (const char *line = part, *end = part + len; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *t1 = memchr(line, '\t', (size_t)(nl - line));
        const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(nl - t1 - 1)) : NULL;
        if (!t2 || memchr(t2 + 1, '\t', (size_t)(nl - t2 - 1))) return -1;
        line = nl + 1;
    }
    if (x->npages == x->cap_pages) {
        x->cap_pages = x->cap_pages ? x->cap_pages * 2 : 16;
        x->ids = xrealloc(x->ids, sizeof *x->ids * (size_t)x->cap_pages);
        x->titles = xrealloc(x->titles, sizeof *x->titles * (size_t)x->cap_pages);
    }
    int page = x->npages++;
    x->ids[page] = arena_strdup(x->a, id ? id : "");
    x->titles[page] = arena_strdup(x->a, title ? title : "");
    char *copy = arena_strndup(x->a, part, len);
    for (char *line = copy; *line;) {
        char *nl = strchr(line, '\n');
        *nl = 0;
        char *t1 = strchr(line, '\t');
        *t1 = 0;
        char *t2 = strchr(t1 + 1, '\t');
        *t2 = 0;
        if (x->nsecs == x->cap_secs) {
            x->cap_secs = x->cap_secs ? x->cap_secs * 2 : 64;
            x->secs = xrealloc(x->secs, sizeof *x->secs * (size_t)x->cap_secs);
        }
        section *sc = &x->secs[x->nsecs];
        *sc = (section){page, line, t1 + 1, t2 + 1};
        x->cur = x->nsecs++;
        if (sc == &x->secs[0] || sc[-1].page != page) index_field(x, x->titles[page], 2);
        index_field(x, sc->heading, 1);
        index_field(x, sc->text, 0);
        line = nl + 1;
    }
    return 0;
}

/* ---- writing ---------------------------------------------------------------- */

/* Order of the terms' UTF-16 code units, as the client's string compare
 * sees them (so its binary search for a prefix agrees). */
static int cmp_utf16(const void *x, const void *y) {
    const term *a = *(const term *const *)x, *b = *(const term *const *)y;
    const unsigned char *p = (const unsigned char *)a->s, *q = (const unsigned char *)b->s;
    size_t i = 0, j = 0;
    while (i < a->len && j < b->len) {
        unsigned c = 0, d = 0;
        size_t m = utf8_decode(p + i, a->len - i, &c), k = utf8_decode(q + j, b->len - j, &d);
        if (!m) c = p[i], m = 1;
        if (!k) d = q[j], k = 1;
        /* code points above U+FFFF sort as surrogates: after U+D7FF, before U+E000 */
        unsigned cu = c > 0xFFFF ? 0xD800 + ((c - 0x10000) >> 10) : c;
        unsigned du = d > 0xFFFF ? 0xD800 + ((d - 0x10000) >> 10) : d;
        if (cu != du) return cu < du ? -1 : 1;
        if (c != d) return c < d ? -1 : 1;
        i += m, j += k;
    }
    return (i < a->len) - (j < b->len);
}

/* cp (a table row's: below U+10000) as UTF-8. */
static void put_cp(buf *b, unsigned cp) {
    if (cp < 0x800) {
        buf_putc(b, (int)(0xC0 | (cp >> 6)));
    } else {
        buf_putc(b, (int)(0xE0 | (cp >> 12)));
        buf_putc(b, (int)(0x80 | ((cp >> 6) & 0x3F)));
    }
    buf_putc(b, (int)(0x80 | (cp & 0x3F)));
}

static void put_b32(buf *b, uint32_t v) {
    static const char more[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ()*+,-", last[] = "0123456789abcdefghijklmnopqrstuv";
    char tmp[8];
    int n = 0;
    tmp[n++] = last[v & 31];
    for (v >>= 5; v; v >>= 5) tmp[n++] = more[v & 31];
    while (n) buf_putc(b, tmp[--n]);
}

void search_write(search_index *x, buf *out) {
    buf_puts(out, "window.coursecSearch={\"v\":1,\n\"fold\":");
    buf f = BUF_INIT;
    unsigned cp;
    const char *to;
    for (int i = 0; fold_table_row(i, &cp, &to); i++) {
        if (i) buf_putc(&f, ' ');
        put_cp(&f, cp);
        buf_puts(&f, to);
    }
    buf_putc(&f, 0);
    buf_put_json(out, f.data);
    buf_free(&f);
    buf_puts(out, ",\n\"pages\":[");
    for (int i = 0; i < x->npages; i++) {
        if (i) buf_puts(out, ",\n");
        buf_put_json(out, x->ids[i]);
        buf_putc(out, ',');
        buf_put_json(out, x->titles[i]);
    }
    buf_puts(out, "],\n\"sections\":[");
    for (int i = 0; i < x->nsecs; i++) {
        buf_printf(out, "%s%d,", i ? ",\n" : "", x->secs[i].page);
        buf_put_json(out, x->secs[i].anchor);
        buf_putc(out, ',');
        buf_put_json(out, x->secs[i].heading);
    }
    const term **sorted = xmalloc(sizeof *sorted * (x->nterms + 1));
    size_t n = 0;
    for (size_t i = 0; i < x->cap_terms; i++)
        if (x->terms[i].s) sorted[n++] = &x->terms[i];
    qsort(sorted, n, sizeof *sorted, cmp_utf16);
    buf_puts(out, "],\n\"terms\":\"");
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(out, ' ');
        buf_put(out, sorted[i]->s, sorted[i]->len); /* folded word code points: nothing to escape */
    }
    buf_puts(out, "\",\n\"postings\":\"");
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(out, ' ');
        uint32_t prev = (uint32_t)-1;
        for (int k = 0; k < sorted[i]->n; k++) {
            uint32_t v = sorted[i]->post[k];
            put_b32(out, (((v >> 2) - prev) << 2) | (v & 3));
            prev = v >> 2;
        }
    }
    free(sorted);
    buf_puts(out, "\",\n\"text\":[");
    for (int i = 0; i < x->nsecs; i++) {
        if (i) buf_puts(out, ",\n");
        buf_put_json(out, x->secs[i].text);
    }
    buf_puts(out, "]};\n");
}

void search_free(search_index *x) {
    if (!x) return;
    for (size_t i = 0; i < x->cap_terms; i++) free(x->terms[i].post);
    free(x->terms);
    free(x->ids);
    free(x->titles);
    free(x->secs);
    arena_free(x->a);
    free(x);
}
