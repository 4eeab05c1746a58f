/* ydoc.c — the libyaml wall: YAML text → positioned ynode tree in an arena.
 * Event-driven with an explicit stack (no recursion), so depth, aliases and
 * size abuse become clean errors instead of crashes. */
#include "ydoc.h"
#include "util.h"
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define YDOC_MAX_DEPTH  64
#define YDOC_MAX_NODES  1000000
#define YDOC_MAX_BYTES  (16u * 1024u * 1024u)
#define YDOC_MAX_ERRORS 50 /* then stop: a broken file need not flood the output */

typedef struct frame {
    ynode *node;
    ynode **v; /* seq: items; map: key, value, key, value ... */
    int n, cap;
} frame;

typedef struct ctx {
    arena *a;
    const char *data;
    size_t len;
    const char *path;
    int first_line;
    diag *d;
    int nerr;
    size_t *lines; /* byte offset of each line start (libyaml's line numbering) */
    size_t nlines;
    long nodes;
    long aliases;           /* reported once, at the first, with the count */
    yaml_mark_t first_alias;
} ctx;

/* libyaml counts lines from 0 and columns in characters from 0; we report
 * 1-based lines in the original file and 1-based BYTE columns, like the
 * Markdown positions. The one place marks are converted. */
static void index_lines(ctx *x) {
    size_t cap = 64, n = 0;
    size_t *l = xmalloc(cap * sizeof *l);
    l[n++] = 0;
    for (size_t i = 0; i < x->len; i++) {
        char ch = x->data[i];
        if (ch == '\r' && i + 1 < x->len && x->data[i + 1] == '\n') continue;
        if (ch == '\n' || ch == '\r') {
            if (n == cap) l = xrealloc(l, (cap *= 2) * sizeof *l);
            l[n++] = i + 1;
        }
    }
    x->lines = l;
    x->nlines = n;
}

static void mark_pos(const ctx *x, yaml_mark_t m, int *line, int *col) {
    *line = (int)m.line + x->first_line;
    *col = (int)m.column + 1;
    if (m.line >= x->nlines) return;
    size_t p = x->lines[m.line], chars = 0;
    while (p < x->len && chars < m.column) {
        unsigned char ch = (unsigned char)x->data[p];
        if (ch == '\n' || ch == '\r') break;
        p++;
        while (p < x->len && ((unsigned char)x->data[p] & 0xC0) == 0x80) p++;
        chars++;
    }
    *col = (int)(p - x->lines[m.line]) + 1;
}

/* The byte offset of a mark in the text: its line's start + col - 1, col
 * being the byte column mark_pos gave for it. */
static size_t mark_offset(const ctx *x, yaml_mark_t m, int col) {
    if (m.line >= x->nlines) return x->len;
    size_t off = x->lines[m.line] + (size_t)(col - 1);
    return off < x->len ? off : x->len;
}

/* Position of a byte offset (reader errors give an offset, not a mark). */
static void offset_pos(const ctx *x, size_t off, int *line, int *col) {
    size_t lo = 0;
    for (size_t i = 0; i < x->nlines && x->lines[i] <= off; i++) lo = i;
    *line = (int)lo + x->first_line;
    *col = (int)(off - x->lines[lo]) + 1;
}

static void error_at(ctx *x, yaml_mark_t m, const char *msg) {
    int line, col;
    mark_pos(x, m, &line, &col);
    diag_report(x->d, DIAG_ERROR, x->path, line, col, "%s", msg);
    x->nerr++;
}

static void syntax_error(ctx *x, yaml_parser_t *p) {
    int line, col;
    if (p->error == YAML_READER_ERROR) {
        offset_pos(x, p->problem_offset, &line, &col);
        diag_report(x->d, DIAG_ERROR, x->path, line, col, "cannot read YAML: %s",
                    p->problem ? p->problem : "invalid input");
        x->nerr++;
        return;
    }
    const char *problem = p->problem ? p->problem : "syntax error";
    if (p->context) {
        /* where the faulty construct starts (e.g. the opening quote) */
        int pl, pc;
        mark_pos(x, p->context_mark, &line, &col);
        mark_pos(x, p->problem_mark, &pl, &pc);
        if (pl != line && p->problem_mark.index < x->len)
            diag_report(x->d, DIAG_ERROR, x->path, line, col, "cannot read YAML: %s, %s (at line %d)", p->context,
                        problem, pl);
        else
            diag_report(x->d, DIAG_ERROR, x->path, line, col, "cannot read YAML: %s, %s", p->context, problem);
    } else {
        mark_pos(x, p->problem_mark, &line, &col);
        diag_report(x->d, DIAG_ERROR, x->path, line, col, "cannot read YAML: %s", problem);
    }
    x->nerr++;
}

static ynode *new_node(ctx *x, ytype t, yaml_mark_t m) {
    ynode *n = arena_alloc(x->a, sizeof *n);
    n->type = t;
    mark_pos(x, m, &n->line, &n->col);
    n->start = n->end = mark_offset(x, m, n->col);
    n->str = "";
    return n;
}

static int is_null_text(const char *s, size_t len) {
    return len == 0 || (len == 1 && s[0] == '~') ||
           (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

static void frame_push(frame *f, ynode *n) {
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->v = xrealloc(f->v, (size_t)f->cap * sizeof *f->v);
    }
    f->v[f->n++] = n;
}

typedef struct keyref {
    const ynode *k;
    int idx;
} keyref;

static int key_cmp(const ynode *a, const ynode *b) {
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->str, b->str, n);
    if (c) return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int keyref_cmp(const void *pa, const void *pb) {
    const keyref *a = pa, *b = pb;
    int c = key_cmp(a->k, b->k);
    if (c) return c;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void dup_error(ctx *x, const ynode *k) {
    if (x->nerr >= YDOC_MAX_ERRORS) return; /* already failing; do not flood */
    diag_report(x->d, DIAG_ERROR, x->path, k->line, k->col, "duplicate key `%s` in mapping", k->str);
    x->nerr++;
}

/* Duplicate keys: an error at every later occurrence. Sorted when big so a
 * huge mapping is not quadratic. */
static void check_duplicates(ctx *x, ynode *m) {
    if (m->n < 2) return;
    if (m->n <= 32) {
        for (int i = 1; i < m->n; i++)
            for (int j = 0; j < i; j++)
                if (key_cmp(m->keys[i], m->keys[j]) == 0) {
                    dup_error(x, m->keys[i]);
                    break;
                }
        return;
    }
    keyref *r = xmalloc((size_t)m->n * sizeof *r);
    for (int i = 0; i < m->n; i++) r[i].k = m->keys[i], r[i].idx = i;
    qsort(r, (size_t)m->n, sizeof *r, keyref_cmp);
    for (int i = 1; i < m->n; i++)
        if (key_cmp(r[i].k, r[i - 1].k) == 0) dup_error(x, r[i].k);
    free(r);
}

static void frame_close(ctx *x, frame *f) {
    ynode *n = f->node;
    if (n->type == Y_SEQ) {
        n->n = f->n;
        n->items = arena_alloc(x->a, sizeof(ynode *) * (size_t)(f->n ? f->n : 1));
        if (f->n) memcpy(n->items, f->v, sizeof(ynode *) * (size_t)f->n);
    } else {
        int pairs = f->n / 2;
        n->n = pairs;
        n->keys = arena_alloc(x->a, sizeof(ynode *) * (size_t)(pairs ? pairs : 1));
        n->items = arena_alloc(x->a, sizeof(ynode *) * (size_t)(pairs ? pairs : 1));
        for (int i = 0; i < pairs; i++) {
            n->keys[i] = f->v[2 * i];
            n->items[i] = f->v[2 * i + 1];
        }
        check_duplicates(x, n);
    }
    free(f->v);
    f->v = NULL;
    f->n = f->cap = 0;
}

/* Attach a finished node to the open collection (or make it the root). */
static void attach(ctx *x, frame *stack, int depth, ynode **root, ynode *n) {
    if (depth == 0) {
        *root = n;
        return;
    }
    frame *f = &stack[depth - 1];
    if (f->node->type == Y_MAP && f->n % 2 == 0 && n->type != Y_SCALAR && n->type != Y_NULL) {
        diag_report(x->d, DIAG_ERROR, x->path, n->line, n->col, "a mapping key must be a plain string, not a %s",
                    ydoc_kind(n));
        x->nerr++;
    }
    frame_push(f, n);
}

ynode *ydoc_parse(arena *a, const char *data, size_t len, const char *path, int first_line, diag *d) {
    ctx x = {0};
    x.a = a;
    x.data = data ? data : "";
    x.len = data ? len : 0;
    x.path = path;
    x.first_line = first_line > 0 ? first_line : 1;
    x.d = d;
    if (x.len > YDOC_MAX_BYTES) {
        diag_report(d, DIAG_ERROR, path, x.first_line, 1, "YAML text is larger than %u MiB",
                    YDOC_MAX_BYTES / (1024u * 1024u));
        return NULL;
    }
    index_lines(&x);

    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        fputs("coursec: out of memory\n", stderr);
        abort();
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)x.data, x.len);

    frame stack[YDOC_MAX_DEPTH];
    memset(stack, 0, sizeof stack);
    int depth = 0, docs = 0, done = 0, failed = 0;
    ynode *root = NULL;

    while (!done && !failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            syntax_error(&x, &p);
            failed = 1;
            break;
        }
        switch (ev.type) {
            case YAML_STREAM_END_EVENT: done = 1; break;
            case YAML_DOCUMENT_START_EVENT:
                if (++docs > 1) {
                    error_at(&x, ev.start_mark, "only one YAML document is allowed here (remove the extra `---`)");
                    failed = 1;
                }
                break;
            case YAML_ALIAS_EVENT: {
                /* one error for all of them: an alias bomb is one problem */
                if (x.aliases++ == 0) x.first_alias = ev.start_mark, x.nerr++;
                ynode *n = new_node(&x, Y_NULL, ev.start_mark);
                attach(&x, stack, depth, &root, n);
                break;
            }
            case YAML_SCALAR_EVENT: {
                const char *s = (const char *)ev.data.scalar.value;
                size_t sl = ev.data.scalar.length;
                int plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && ev.data.scalar.tag == NULL;
                ynode *n = new_node(&x, plain && is_null_text(s, sl) ? Y_NULL : Y_SCALAR, ev.start_mark);
                if (n->type == Y_SCALAR) {
                    n->str = arena_strndup(a, s, sl);
                    n->len = sl;
                }
                int el, ec;
                mark_pos(&x, ev.end_mark, &el, &ec);
                n->end = mark_offset(&x, ev.end_mark, ec);
                n->quoted = ev.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                            ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
                            ev.data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                            ev.data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
                attach(&x, stack, depth, &root, n);
                break;
            }
            case YAML_SEQUENCE_START_EVENT:
            case YAML_MAPPING_START_EVENT:
                if (depth == YDOC_MAX_DEPTH) {
                    error_at(&x, ev.start_mark, "YAML is nested more than 64 levels deep");
                    failed = 1;
                    break;
                }
                stack[depth].node = new_node(&x, ev.type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP, ev.start_mark);
                depth++;
                break;
            case YAML_SEQUENCE_END_EVENT:
            case YAML_MAPPING_END_EVENT:
                if (depth > 0) {
                    depth--;
                    int el, ec;
                    mark_pos(&x, ev.end_mark, &el, &ec);
                    stack[depth].node->end = mark_offset(&x, ev.end_mark, ec);
                    frame_close(&x, &stack[depth]);
                    attach(&x, stack, depth, &root, stack[depth].node);
                }
                break;
            default: break;
        }
        if (!failed && ev.type != YAML_STREAM_END_EVENT && ++x.nodes > YDOC_MAX_NODES) {
            error_at(&x, ev.start_mark, "YAML has too many nodes");
            failed = 1;
        }
        if (!failed && x.nerr >= YDOC_MAX_ERRORS) {
            error_at(&x, ev.start_mark, "too many errors in this YAML, stopping here");
            failed = 1;
        }
        yaml_event_delete(&ev);
    }
    if (x.aliases) {
        int line, col;
        mark_pos(&x, x.first_alias, &line, &col);
        if (x.aliases > 1)
            diag_report(d, DIAG_ERROR, path, line, col,
                        "aliases are not allowed in course files (this and %ld more): write each value out in full",
                        x.aliases - 1);
        else
            diag_report(d, DIAG_ERROR, path, line, col,
                        "aliases are not allowed in course files: write the value out in full");
    }
    for (int i = 0; i < depth; i++) free(stack[i].v);
    yaml_parser_delete(&p);
    free(x.lines);
    if (failed || x.nerr) return NULL;
    if (!root) {
        /* empty input: a null document at the start */
        root = arena_alloc(a, sizeof *root);
        root->type = Y_NULL;
        root->line = x.first_line;
        root->col = 1;
        root->str = "";
    }
    return root;
}

ynode *ydoc_get(const ynode *m, const char *key) {
    if (!m || m->type != Y_MAP) return NULL;
    size_t kl = strlen(key);
    for (int i = 0; i < m->n; i++)
        if (m->keys[i]->len == kl && memcmp(m->keys[i]->str, key, kl) == 0) return m->items[i];
    return NULL;
}

const char *ydoc_kind(const ynode *n) {
    if (!n) return "null";
    switch (n->type) {
        case Y_MAP: return "mapping";
        case Y_SEQ: return "sequence";
        case Y_SCALAR: return "string";
        default: return "null";
    }
}
