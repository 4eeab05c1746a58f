/* mdpre.c — md.c's side table (see mdpre.h): input checks, lines, the
 * markers (private-use code points the module does not use) and the
 * working copy cmark parses, with the column map back to the source. No
 * cmark here. */
#include "mdpre.h"
#include "utf8.h"
#include "util.h"
#include "v16.h"
#include <stdlib.h>
#include <string.h>

/* ---- input checks ------------------------------------------------------ */

int mdpre_validate(const char *src, size_t len, size_t max_bytes, int first_line, const char *path, diag *d) {
    if (len > max_bytes) {
        if (max_bytes % (1024 * 1024) == 0)
            diag_report(d, DIAG_ERROR, path, first_line, 1, "module is %zu bytes, over the limit of %zu MiB", len,
                        max_bytes / (1024 * 1024));
        else
            diag_report(d, DIAG_ERROR, path, first_line, 1, "module is %zu bytes, over the limit of %zu bytes", len,
                        max_bytes);
        return 1;
    }
    const unsigned char *s = (const unsigned char *)src;
    int line = first_line, nerr = 0;
    size_t bol = 0, nnul = 0, nbad = 0;
    int nul_line = 0, nul_col = 0, bad_line = 0, bad_col = 0;
    /* emphasis delimiters in the current block (lines up to a blank line):
     * cmark-gfm 0.29 pairs them in quadratic time, so a block may hold at
     * most MDPRE_MAX_DELIMS of them (real prose holds a few dozen) */
    size_t delims = 0, pipes = 0;
    int block_line = first_line, blank_line = 1, delim_reported = 0, pipe_reported = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c < 0x80 && c != '\n' && c != '|' && c != '*' && c != '_' && c != 0) {
            /* an ordinary ASCII byte: only the first non-space one of a line
             * matters (it ends a blank line); then skip to the next byte that
             * needs a look, sixteen at a time */
            i++;
            if (blank_line) {
                if (c == ' ' || c == '\t' || c == '\r') continue;
                if (delims == 0) block_line = line;
                blank_line = 0;
            }
            while (i + 16 <= len) {
                v16 x = v16_load(s + i);
                size_t k = v16_first((v16)((x == '\n') | (x == '|') | (x == '*') | (x == '_') | (x == 0) | (x >= 0x80)));
                i += k;
                if (k < 16) break;
            }
            while (i < len && (c = s[i]) < 0x80 && c != '\n' && c != '|' && c != '*' && c != '_' && c != 0) i++;
            continue;
        }
        if (c == '|' && ++pipes > MDPRE_MAX_PIPES && !pipe_reported) {
            diag_report(d, DIAG_ERROR, path, line, 1,
                        "more than %d `|` on one line: a table has at most 64 columns (split the table)",
                        MDPRE_MAX_PIPES);
            pipe_reported = 1;
            nerr++;
        }
        if (c == '\n') {
            pipes = 0;
            if (blank_line) delims = 0;
            blank_line = 1;
            line++;
            bol = ++i;
            continue;
        }
        if (blank_line && delims == 0) block_line = line;
        blank_line = 0;
        if (c == '*' || c == '_') {
            /* one delimiter run; 5+ underscores are a blank, not a delimiter */
            size_t j = i;
            while (j < len && s[j] == c) j++;
            if (!(c == '_' && j - i >= 5) && ++delims > MDPRE_MAX_DELIMS && !delim_reported) {
                diag_report(d, DIAG_ERROR, path, block_line, 1,
                            "this block holds more than %d runs of `*`/`_` emphasis markers: split it with blank "
                            "lines (cmark-gfm pairs them in quadratic time)",
                            MDPRE_MAX_DELIMS);
                delim_reported = 1;
                nerr++;
            }
            i = j;
            continue;
        }
        if (c == '|') {
            i++;
            continue;
        }
        if (c == 0) {
            if (!nnul++) nul_line = line, nul_col = (int)(i - bol) + 1;
            i++;
            continue;
        }
        unsigned cp;
        size_t k = utf8_decode(s + i, len - i, &cp);
        if (!k) {
            if (!nbad++) bad_line = line, bad_col = (int)(i - bol) + 1;
            i++;
            continue;
        }
        i += k;
    }
    if (nnul) {
        if (nnul > 1)
            diag_report(d, DIAG_ERROR, path, nul_line, nul_col,
                        "NUL byte in a text file (and %zu more): is this really Markdown?", nnul - 1);
        else
            diag_report(d, DIAG_ERROR, path, nul_line, nul_col, "NUL byte in a text file: is this really Markdown?");
        nerr++;
    }
    if (nbad) {
        if (nbad > 1)
            diag_report(d, DIAG_ERROR, path, bad_line, bad_col,
                        "invalid UTF-8 (and %zu more bad bytes): save the file as UTF-8", nbad - 1);
        else
            diag_report(d, DIAG_ERROR, path, bad_line, bad_col, "invalid UTF-8: save the file as UTF-8");
        nerr++;
    }
    return nerr;
}

/* ---- lines and the module's own private-use code points --------------- */

static void add_used(mdpre *p, uint32_t cp, int *cap) {
    if (cp < MARK_BASE || cp > 0x10FFFF) return;
    if (p->nused == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        uint32_t *n = arena_alloc(p->a, sizeof *n * (size_t)*cap);
        if (p->nused) memcpy(n, p->used_cps, sizeof *n * (size_t)p->nused);
        p->used_cps = n;
    }
    p->used_cps[p->nused++] = cp;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

size_t mdpre_pua_at(const char *s, size_t n, uint32_t *cp) {
    const unsigned char *u = (const unsigned char *)s;
    if (n < 4) return 0;
    if (!((u[0] == 0xF3 && u[1] >= 0xB0 && u[1] <= 0xBF) || (u[0] == 0xF4 && u[1] >= 0x80 && u[1] <= 0x8F)))
        return 0;
    if ((u[2] & 0xC0) != 0x80 || (u[3] & 0xC0) != 0x80) return 0;
    *cp = ((uint32_t)(u[0] & 7) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) | ((uint32_t)(u[2] & 0x3F) << 6) |
          (uint32_t)(u[3] & 0x3F);
    return 4;
}

/* A numeric character reference at s (`&#…;` / `&#x…;`): its code point,
 * or 0. */
static uint32_t char_ref(const char *s, size_t n) {
    if (n < 4 || s[0] != '&' || s[1] != '#') return 0;
    size_t i = 2;
    int hex = 0;
    if (s[i] == 'x' || s[i] == 'X') hex = 1, i++;
    uint32_t v = 0;
    size_t digits = 0;
    for (; i < n && digits < 8; i++, digits++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'             ? c - '0'
                : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                              : -1;
        if (d < 0) break;
        v = v * (hex ? 16u : 10u) + (uint32_t)d;
    }
    return digits && i < n && s[i] == ';' ? v : 0;
}

void mdpre_init(mdpre *p, arena *a, const char *src, size_t len, int first_line, const char *path, diag *d) {
    memset(p, 0, sizeof *p);
    p->a = a;
    p->d = d;
    p->path = path;
    p->first_line = first_line;
    p->src = src;
    p->len = len;
    p->text = arena_alloc(a, len + 1);
    memcpy(p->text, src, len);
    /* A lone CR ends a line for cmark; make it a LF so that our line numbers
     * and cmark's agree (same length, so columns do not move). */
    for (char *q = p->text, *end = p->text + len; (q = memchr(q, '\r', (size_t)(end - q))) != NULL; q++)
        if (q + 1 == end || q[1] != '\n') *q = '\n';
    int n = 1;
    for (const char *q = p->text, *end = p->text + len; (q = memchr(q, '\n', (size_t)(end - q))) != NULL;)
        if (++q < end) n++;
    p->line_off = arena_alloc(a, sizeof(size_t) * (size_t)(n + 1));
    int k = 0;
    p->line_off[k++] = 0;
    /* one pass: line starts, and the module's own characters of planes
     * 15-16, written or referenced (sixteen bytes at a time to the next
     * line end, `&` or 4-byte lead of those planes) */
    int cap = 0;
    const unsigned char *u = (const unsigned char *)p->text;
    for (size_t i = v16_find4(u, 0, len, '\n', '&', 0xF3, 0xF4); i < len; i = v16_find4(u, i, len, '\n', '&', 0xF3, 0xF4)) {
        if (u[i] == '\n') {
            if (i + 1 < len) p->line_off[k++] = i + 1;
        } else if (u[i] == '&') {
            uint32_t cp = i + 2 < len && u[i + 1] == '#' ? char_ref(p->text + i, len - i) : 0;
            if (cp) add_used(p, cp, &cap);
        } else {
            uint32_t cp;
            if (mdpre_pua_at(p->text + i, len - i, &cp)) add_used(p, cp, &cap);
        }
        i++;
    }
    p->nlines = k;
    p->line_off[k] = len + 1;
    if (p->nused > 1) qsort(p->used_cps, (size_t)p->nused, sizeof *p->used_cps, cmp_u32);
    p->next_cp = MARK_BASE;
}

int mdpre_file_line(const mdpre *p, int idx) { return p->first_line + idx; }

int mdpre_line_of(const mdpre *p, size_t off) {
    int lo = 0, hi = p->nlines - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (p->line_off[mid] <= off) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

int mdpre_col_of(const mdpre *p, size_t off) { return (int)(off - p->line_off[mdpre_line_of(p, off)]) + 1; }

/* ---- markers -------------------------------------------------------------- */

static int is_used(const mdpre *p, uint32_t cp) {
    int lo = 0, hi = p->nused - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (p->used_cps[mid] == cp) return 1;
        if (p->used_cps[mid] < cp) lo = mid + 1;
        else hi = mid - 1;
    }
    return 0;
}

uint32_t mdpre_new_mark(mdpre *p, mk_kind kind, int k) {
    /* skip the module's own characters and the noncharacters U+xFFFE/F */
    while (p->next_cp <= 0x10FFFD && (is_used(p, p->next_cp) || (p->next_cp & 0xFFFE) == 0xFFFE)) p->next_cp++;
    if (p->next_cp > 0x10FFFD || p->nmarks < 0 || p->nmarks >= MDPRE_MAX_MARKS) {
        if (p->nmarks >= 0) {
            diag_report(p->d, DIAG_ERROR, p->path, p->first_line, 1,
                        "too many blanks, spans and attribute blocks in one module (limit %d): split the module",
                        MDPRE_MAX_MARKS);
            p->nerr++;
            p->nmarks = -1; /* reported once; no more markers */
        }
        return 0;
    }
    uint32_t cp = p->next_cp++;
    int idx = (int)(cp - MARK_BASE);
    if (idx >= p->capmarks) {
        int cap = p->capmarks ? p->capmarks : 64;
        while (cap <= idx) cap *= 2;
        mk_kind *nk = arena_alloc(p->a, sizeof *nk * (size_t)cap);
        int *nn = arena_alloc(p->a, sizeof *nn * (size_t)cap);
        for (int i = 0; i < cap; i++) nn[i] = -1;
        if (p->capmarks) {
            memcpy(nk, p->mark_kind, sizeof *nk * (size_t)p->capmarks);
            memcpy(nn, p->mark_k, sizeof *nn * (size_t)p->capmarks);
        }
        p->mark_kind = nk;
        p->mark_k = nn;
        p->capmarks = cap;
    }
    p->mark_kind[idx] = kind;
    p->mark_k[idx] = k;
    p->nmarks++;
    return cp;
}

int mdpre_mark_of(const mdpre *p, uint32_t cp, mk_kind *kind, int *k) {
    if (cp < MARK_BASE) return 0;
    int idx = (int)(cp - MARK_BASE);
    if (idx >= p->capmarks || p->mark_k[idx] < 0) return 0;
    *kind = p->mark_kind[idx];
    *k = p->mark_k[idx];
    return 1;
}

/* ---- entries -------------------------------------------------------------- */

/* Room for one more element in the growable array p->arr (count p->n). */
#define GROW(p, arr, n, cap)                                                                                       \
    do {                                                                                                           \
        if ((p)->n == (p)->cap) {                                                                                  \
            int nc_ = (p)->cap ? (p)->cap * 2 : 16;                                                                \
            void *na_ = arena_alloc((p)->a, sizeof *(p)->arr * (size_t)nc_);                                       \
            if ((p)->n) memcpy(na_, (p)->arr, sizeof *(p)->arr * (size_t)(p)->n);                                  \
            (p)->arr = na_;                                                                                        \
            (p)->cap = nc_;                                                                                        \
        }                                                                                                          \
    } while (0)

/* The file line and byte column of body offset off. */
static void pos_at(const mdpre *p, size_t off, int *line, int *col) {
    int li = mdpre_line_of(p, off);
    *line = mdpre_file_line(p, li);
    *col = (int)(off - p->line_off[li]) + 1;
}

static void add_edit(mdpre *p, size_t off, size_t len, uint32_t cp) {
    GROW(p, edits, nedits, capedits);
    p->edits[p->nedits++] = (md_edit){off, len, cp};
}

int mdpre_add_blank(mdpre *p, size_t off, size_t len, int underscore, const size_t *seg_off,
                    const size_t *seg_len, int nseg) {
    int k = p->nblanks;
    uint32_t cp = mdpre_new_mark(p, MK_BLANK, k);
    if (!cp) return -1;
    GROW(p, blanks, nblanks, capblanks);
    md_blank *b = &p->blanks[p->nblanks++];
    memset(b, 0, sizeof *b);
    pos_at(p, off, &b->line, &b->col);
    b->off = off;
    b->len = len;
    b->underscore = underscore;
    b->cp = cp;
    b->lines = nseg > 0 ? nseg : 1;
    if (nseg <= 0) add_edit(p, off, len, cp);
    for (int i = 0; i < nseg; i++) add_edit(p, seg_off[i], seg_len[i], cp);
    return k;
}

int mdpre_add_span(mdpre *p, size_t open_off, size_t close_off, size_t close_len, const ast_attr *attr) {
    int k = p->nspans;
    uint32_t ocp = mdpre_new_mark(p, MK_SPAN_OPEN, k);
    uint32_t ccp = ocp ? mdpre_new_mark(p, MK_SPAN_CLOSE, k) : 0;
    if (!ccp) return -1;
    GROW(p, spans, nspans, capspans);
    md_span *s = &p->spans[p->nspans++];
    memset(s, 0, sizeof *s);
    pos_at(p, open_off, &s->line, &s->col);
    s->attr = *attr;
    s->close_off = close_off;
    s->close_len = close_len;
    s->open_cp = ocp;
    s->close_cp = ccp;
    add_edit(p, open_off, 1, ocp);
    add_edit(p, close_off, close_len, ccp);
    return k;
}

int mdpre_add_attr(mdpre *p, size_t off, size_t len, const ast_attr *attr) {
    int k = p->nattrs;
    uint32_t cp = mdpre_new_mark(p, MK_ATTR, k);
    if (!cp) return -1;
    GROW(p, attrs, nattrs, capattrs);
    md_attrblk *b = &p->attrs[p->nattrs++];
    memset(b, 0, sizeof *b);
    pos_at(p, off, &b->line, &b->col);
    b->off = off;
    b->len = len;
    b->attr = *attr;
    b->cp = cp;
    add_edit(p, off, len, cp);
    return k;
}

int mdpre_add_def(mdpre *p, size_t dest_off, int line, int col, const ast_attr *restr) {
    int k = p->ndefs;
    uint32_t cp = mdpre_new_mark(p, MK_DEF, k);
    if (!cp) return -1;
    GROW(p, defs, ndefs, capdefs);
    md_def *df = &p->defs[p->ndefs++];
    df->line = line;
    df->col = col;
    df->restr = *restr;
    df->cp = cp;
    add_edit(p, dest_off, 0, cp);
    return k;
}

void mdpre_add_fndef(mdpre *p, int li, size_t label_off, size_t label_len, const ast_attr *restr) {
    GROW(p, fndefs, nfndefs, capfndefs);
    md_fndef *f = &p->fndefs[p->nfndefs++];
    f->line = li;
    f->label_off = label_off;
    f->label_len = label_len;
    f->restr = *restr;
}

void mdpre_add_escape(mdpre *p, size_t off, int brace) {
    uint32_t *cp = brace ? &p->esc_brace_cp : &p->esc_bracket_cp;
    if (!*cp) *cp = mdpre_new_mark(p, brace ? MK_ESC_BRACE : MK_ESC_BRACKET, 0);
    if (!*cp) return;
    if (brace) p->esc_braces++;
    else p->esc_brackets++;
    add_edit(p, off, 2, *cp);
}

void mdpre_add_hattr(mdpre *p, int line, int col, size_t off, size_t len, const ast_attr *attr) {
    if (p->nhattr == p->caphattr) {
        int cap = p->caphattr ? p->caphattr * 2 : 16;
        int *nl = arena_alloc(p->a, sizeof *nl * (size_t)cap), *nc = arena_alloc(p->a, sizeof *nc * (size_t)cap);
        ast_attr *na = arena_alloc(p->a, sizeof *na * (size_t)cap);
        if (p->nhattr) {
            memcpy(nl, p->hattr_line, sizeof *nl * (size_t)p->nhattr);
            memcpy(nc, p->hattr_col, sizeof *nc * (size_t)p->nhattr);
            memcpy(na, p->hattr, sizeof *na * (size_t)p->nhattr);
        }
        p->hattr_line = nl, p->hattr_col = nc, p->hattr = na;
        p->caphattr = cap;
    }
    p->hattr_line[p->nhattr] = line;
    p->hattr_col[p->nhattr] = col;
    p->hattr[p->nhattr] = *attr;
    p->nhattr++;
    add_edit(p, off, len, 0);
}

const ast_attr *mdpre_hattr(const mdpre *p, int line, int *col) {
    /* added in line order: a binary search */
    int lo = 0, hi = p->nhattr - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (p->hattr_line[mid] == line) {
            if (col) *col = p->hattr_col[mid];
            return &p->hattr[mid];
        }
        if (p->hattr_line[mid] < line) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

md_fence *mdpre_add_fence(mdpre *p) {
    GROW(p, fences, nfences, capfences);
    md_fence *f = &p->fences[p->nfences++];
    memset(f, 0, sizeof *f);
    return f;
}

const md_fence *mdpre_fence_at(const mdpre *p, int line) {
    int lo = 0, hi = p->nfences - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (p->fences[mid].line == line) return &p->fences[mid];
        if (p->fences[mid].line < line) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

/* ---- the working copy --------------------------------------------------- */

static int cmp_edit(const void *a, const void *b) {
    const md_edit *x = a, *y = b;
    if (x->off != y->off) return x->off < y->off ? -1 : 1;
    /* an insertion (len 0) goes before a replacement at the same place */
    return (x->len > 0) - (y->len > 0);
}

static size_t put_cp(char *o, uint32_t cp) {
    if (!cp) return 0;
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

void mdpre_build(mdpre *p) {
    if (p->nedits > 1) qsort(p->edits, (size_t)p->nedits, sizeof *p->edits, cmp_edit);
    p->work = arena_alloc(p->a, p->len + 4 * (size_t)p->nedits + 1);
    p->work_line_off = arena_alloc(p->a, sizeof(size_t) * (size_t)(p->nlines + 1));
    size_t o = 0, i = 0;
    int li = 0;
    for (int e = 0; e <= p->nedits; e++) {
        size_t next = e < p->nedits ? p->edits[e].off : p->len;
        if (next < i) continue; /* overlaps an earlier edit (cannot happen: the scan never overlaps) */
        for (; li < p->nlines && p->line_off[li] <= next; li++) p->work_line_off[li] = o + (p->line_off[li] - i);
        memcpy(p->work + o, p->text + i, next - i);
        o += next - i;
        i = next;
        if (e == p->nedits) break;
        o += put_cp(p->work + o, p->edits[e].cp);
        i += p->edits[e].len;
    }
    for (; li < p->nlines; li++) p->work_line_off[li] = o;
    p->line_edit = arena_alloc(p->a, sizeof(int) * (size_t)(p->nlines + 1));
    for (int l = 0, e = 0; l < p->nlines; l++) {
        while (e < p->nedits && p->edits[e].off < p->line_off[l]) e++;
        p->line_edit[l] = e;
    }
    p->work[o] = 0;
    p->work_len = o;
    p->work_line_off[p->nlines] = o + 1;
}

int mdpre_src_col(const mdpre *p, int idx, int work_col) {
    if (idx < 0 || idx >= p->nlines || p->nedits == 0 || !p->line_edit) return work_col;
    size_t lstart = p->line_off[idx], lend = p->line_off[idx + 1];
    int lo = p->line_edit[idx];
    if (lo >= p->nedits || p->edits[lo].off >= lend) return work_col; /* no edit on the line */
    long shift = 0; /* work bytes minus source bytes before this point of the line */
    long w = (long)work_col - 1;
    for (int e = lo; e < p->nedits && p->edits[e].off < lend; e++) {
        const md_edit *ed = &p->edits[e];
        long wstart = (long)(ed->off - lstart) + shift;
        long wlen = ed->cp ? 4 : 0;
        if (w < wstart) break;
        if (w < wstart + wlen) return (int)(ed->off - lstart) + 1;
        shift += wlen - (long)ed->len;
    }
    long c = w - shift + 1;
    return c < 1 ? 1 : (int)c;
}
