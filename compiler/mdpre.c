/* mdpre.c — md.c's pre-pass on source lines (see mdpre.h): input checks,
 * `:::` fenced divs, heading attribute blocks, and same-length placeholders
 * for `[[…]]` / underscore blanks and `\{{`, all outside code. No cmark here. */
#include "mdpre.h"
#include "v16.h"
#include "md.h"
#include "util.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BLANKS (4096 * 256) /* what a placeholder can number */
#define MAX_BACKTICKS 1000      /* longer backtick runs never open a code span (as cmark) */

/* ---- input checks ------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t k;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) k = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) k = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) k = 4, cp = c & 0x07, min = 0x10000;
    else return 0;
    if (n < k) return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return k;
}

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
        size_t k = utf8_len(s + i, len - i);
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

/* ---- lines --------------------------------------------------------------- */

void mdpre_init(mdpre *p, arena *a, const char *src, size_t len, int first_line, const char *path, diag *d) {
    memset(p, 0, sizeof *p);
    p->a = a;
    p->d = d;
    p->path = path;
    p->first_line = first_line;
    p->src = src;
    p->len = len;
    p->work = arena_alloc(a, len + 1);
    memcpy(p->work, src, len);
    /* A lone CR ends a line for cmark; make it a LF so that our line numbers
     * and cmark's agree (same length, so columns do not move). */
    for (char *q = p->work, *end = p->work + len; (q = memchr(q, '\r', (size_t)(end - q))) != NULL; q++)
        if (q + 1 == end || q[1] != '\n') *q = '\n';
    int n = 1;
    for (const char *q = p->work, *end = p->work + len; (q = memchr(q, '\n', (size_t)(end - q))) != NULL;)
        if (++q < end) n++;
    p->lines = arena_alloc(a, sizeof(mdpre_line) * (size_t)n);
    size_t bol = 0;
    int k = 0;
    while (k < n) {
        const char *q = bol < len ? memchr(p->work + bol, '\n', len - bol) : NULL;
        size_t i = q ? (size_t)(q - p->work) : len;
        if (i == len && bol == len && k > 0) break;
        p->lines[k].off = bol;
        p->lines[k].len = i - bol;
        k++;
        bol = i + 1;
        if (i == len) break;
    }
    p->nlines = k;
}

int mdpre_file_line(const mdpre *p, int idx) { return p->first_line + idx; }

/* Line index holding body offset off (binary search). */
static int line_of(const mdpre *p, size_t off) {
    int lo = 0, hi = p->nlines - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (p->lines[mid].off <= off) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* Content length of line i without trailing CR, spaces and tabs. */
static size_t trimmed_len(const mdpre *p, int i) {
    const char *s = p->work + p->lines[i].off;
    size_t n = p->lines[i].len;
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    return n;
}

/* ---- fenced divs ------------------------------------------------------- */

enum { FENCE_NO, FENCE_OPEN, FENCE_CLOSE };

/* Classify line i. OPEN: *attr filled; an attribute block that does not parse
 * is reported here and the line still opens a div (so its closer matches). */
static int fence_kind(mdpre *p, int i, ast_attr *attr, int *col) {
    const char *s = p->work + p->lines[i].off;
    size_t n = trimmed_len(p, i), k = 0;
    while (k < n && k < 3 && s[k] == ' ') k++;
    size_t c0 = k;
    while (k < n && s[k] == ':') k++;
    if (k - c0 < 3) return FENCE_NO;
    *col = (int)c0 + 1;
    while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
    if (k == n) return FENCE_CLOSE;
    memset(attr, 0, sizeof *attr);
    if (s[k] == '{') {
        const char *err = NULL;
        size_t used = md_parse_attr(p->a, s + k, n - k, attr, &err);
        if (!used) {
            diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, i), (int)k + 1, "%s",
                        err ? err : "bad attribute block");
            p->nerr++;
            memset(attr, 0, sizeof *attr);
            return FENCE_OPEN;
        }
        k += used;
    } else {
        size_t b = k;
        while (k < n && s[k] != ' ' && s[k] != '\t' && s[k] != ':' && s[k] != '{' && s[k] != '}') k++;
        if (k == b) return FENCE_NO;
        const char **cls = arena_alloc(p->a, sizeof(char *));
        cls[0] = arena_strndup(p->a, s + b, k - b);
        attr->classes = cls;
        attr->nclasses = 1;
    }
    while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
    while (k < n && s[k] == ':') k++;
    while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
    if (k != n) {
        if (s[c0 + 3] == '{' || attr->id || attr->nkv || memchr(s, '{', n)) {
            diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, i), (int)k + 1,
                        "unexpected text after the fenced div's attribute block");
            p->nerr++;
            return FENCE_OPEN;
        }
        return FENCE_NO; /* `::: two words` is ordinary text, as in pandoc */
    }
    return FENCE_OPEN;
}

static void add_event(mdpre *p, mdpre_ev_type t, int line, int col, const ast_attr *attr) {
    if (p->nev == p->capev) {
        int cap = p->capev ? p->capev * 2 : 16;
        mdpre_event *ne = arena_alloc(p->a, sizeof *ne * (size_t)cap);
        if (p->nev) memcpy(ne, p->ev, sizeof *ne * (size_t)p->nev);
        p->ev = ne;
        p->capev = cap;
    }
    mdpre_event *e = &p->ev[p->nev++];
    memset(e, 0, sizeof *e);
    e->type = t;
    e->line = line;
    e->col = col;
    if (attr) e->attr = *attr;
}

static void find_fences(mdpre *p, int max_depth) {
    /* open divs: their opening line; extra (too deep) opens are only counted */
    int *stack = arena_alloc(p->a, sizeof(int) * (size_t)(max_depth + 1));
    int depth = 0, ignored = 0;
    for (int i = 0; i < p->nlines; i++) {
        unsigned char kind = p->lines[i].kind;
        if (kind != MDPRE_PROSE && kind != MDPRE_HTML) continue;
        ast_attr attr;
        int col = 1;
        int f = fence_kind(p, i, &attr, &col);
        if (f == FENCE_NO) continue;
        if (kind == MDPRE_HTML) {
            diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, i), col,
                        "fenced div line inside a raw HTML block: close the HTML block (a blank line) before the "
                        "fence");
            p->nerr++;
        }
        p->lines[i].kind = MDPRE_FENCE;
        if (f == FENCE_OPEN) {
            if (ignored || depth >= max_depth) {
                if (!ignored)
                    diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, i), col,
                                "fenced divs nested more than %d deep", max_depth);
                if (!ignored) p->nerr++;
                ignored++;
                add_event(p, MDPRE_SKIP, i, col, NULL);
                continue;
            }
            stack[depth++] = i;
            add_event(p, MDPRE_OPEN, i, col, &attr);
        } else if (ignored) {
            ignored--;
            add_event(p, MDPRE_SKIP, i, col, NULL);
        } else if (depth == 0) {
            diag_report(p->d, DIAG_WARNING, p->path, mdpre_file_line(p, i), col,
                        "closing fence without an open div (line dropped)");
            add_event(p, MDPRE_SKIP, i, col, NULL);
        } else {
            depth--;
            add_event(p, MDPRE_CLOSE, i, col, NULL);
        }
    }
    while (depth > 0) {
        int i = stack[--depth];
        const char *s = p->work + p->lines[i].off;
        size_t n = trimmed_len(p, i), b = 0;
        while (b < n && s[b] == ' ') b++;
        int col = (int)b + 1;
        diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, i), col,
                    "fenced div `%.*s` opened here is never closed (add a line `:::`)", (int)(n - b), s + b);
        p->nerr++;
        add_event(p, MDPRE_CLOSE, p->nlines, 1, NULL);
    }
}

/* ---- heading attribute blocks ------------------------------------------ */

static int is_keych(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Does the `{` at s look like an attribute block the author meant (so that a
 * parse failure is an error and not just text like `{a, b}` or `{{var}}`)? */
static int looks_like_attr(const char *s, size_t n) {
    if (n < 2 || s[1] == '{') return 0;
    if (s[1] == '#' || s[1] == '.') return 1;
    size_t k = 1;
    while (k < n && is_keych(s[k])) k++;
    return k > 1 && k < n && s[k] == '=';
}

static void heading_attrs(mdpre *p) {
    for (int i = 0; i < p->nlines; i++) {
        if (!p->lines[i].heading_end || p->lines[i].kind != MDPRE_PROSE) continue;
        char *s = p->work + p->lines[i].off;
        size_t n = trimmed_len(p, i);
        if (!n || s[n - 1] != '}') continue;
        size_t bad = (size_t)-1;
        const char *bad_err = NULL;
        for (size_t k = n; k-- > 0;) {
            if (s[k] != '{' || (k > 0 && (s[k - 1] == '\\' || s[k - 1] == '{'))) continue;
            ast_attr attr;
            const char *err = NULL;
            size_t used = md_parse_attr(p->a, s + k, n - k, &attr, &err);
            if (used == n - k) {
                ast_attr *keep = arena_alloc(p->a, sizeof *keep);
                *keep = attr;
                p->lines[i].hattr = keep;
                p->lines[i].hattr_col = (int)k + 1;
                memset(s + k, ' ', n - k); /* cmark trims the trailing spaces */
                bad = (size_t)-1;
                break;
            }
            if (bad == (size_t)-1 && looks_like_attr(s + k, n - k)) {
                bad = k;
                bad_err = used ? "text after the heading's attribute block" : err;
            }
        }
        if (bad != (size_t)-1) {
            diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, i), (int)bad + 1, "%s",
                        bad_err ? bad_err : "bad attribute block");
            p->nerr++;
        }
    }
}

/* ---- blanks and escapes ------------------------------------------------ */

static void make_placeholder(char *out, int k, size_t len) {
    unsigned lo = (unsigned)k % 4096, hi = (unsigned)k / 4096;
    out[0] = (char)0xEE;
    out[1] = (char)(0x80 | (lo >> 6));
    out[2] = (char)(0x80 | (lo & 0x3F));
    out[3] = (char)('a' + ((hi >> 4) & 15));
    out[4] = (char)('a' + (hi & 15));
    for (size_t i = 5; i < len; i++) out[i] = 'x';
}

int mdpre_placeholder_at(const mdpre *p, const char *s, size_t n, size_t *plen) {
    const unsigned char *u = (const unsigned char *)s;
    if (n >= 3 && u[0] == 0xEF && u[1] == 0x80 && u[2] == 0x80) {
        *plen = 3;
        return MDPRE_ESCAPE;
    }
    if (n < 5 || u[0] != 0xEE || (u[1] & 0xC0) != 0x80 || (u[2] & 0xC0) != 0x80) return MDPRE_NONE;
    if (u[3] < 'a' || u[3] > 'p' || u[4] < 'a' || u[4] > 'p') return MDPRE_NONE;
    unsigned lo = ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu), hi = (unsigned)(u[3] - 'a') * 16 + (u[4] - 'a');
    unsigned long k = (unsigned long)hi * 4096 + lo;
    if (k >= (unsigned long)p->nblanks) return MDPRE_NONE;
    const mdpre_blank *b = &p->blanks[k];
    if (b->len > n) return MDPRE_NONE;
    for (size_t i = 5; i < b->len; i++)
        if (s[i] != 'x') return MDPRE_NONE;
    *plen = b->len;
    return (int)k;
}

static void add_blank(mdpre *p, size_t off, size_t len, int underscore) {
    if (p->nblanks >= MAX_BLANKS) {
        if (p->nblanks == MAX_BLANKS) {
            int li = line_of(p, off);
            diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, li), (int)(off - p->lines[li].off) + 1,
                        "too many blanks in one module (limit %d)", MAX_BLANKS);
            p->nerr++;
            p->nblanks++; /* report once; placeholders stop here */
        }
        return;
    }
    if (p->nblanks == p->capblanks) {
        int cap = p->capblanks ? p->capblanks * 2 : 16;
        mdpre_blank *nb = arena_alloc(p->a, sizeof *nb * (size_t)cap);
        if (p->nblanks) memcpy(nb, p->blanks, sizeof *nb * (size_t)p->nblanks);
        p->blanks = nb;
        p->capblanks = cap;
    }
    int li = line_of(p, off);
    mdpre_blank *b = &p->blanks[p->nblanks];
    b->line = mdpre_file_line(p, li);
    b->col = (int)(off - p->lines[li].off) + 1;
    b->off = off;
    b->len = len;
    b->underscore = underscore;
    make_placeholder(p->work + off, p->nblanks, len);
    p->nblanks++;
}

/* End of `[[…]]` starting at i (before eol): offset just past `]]`, or 0. */
static size_t bracket_blank_end(const char *s, size_t i, size_t eol) {
    if (i + 1 >= eol || s[i] != '[' || s[i + 1] != '[') return 0;
    for (size_t j = i + 2; j + 1 < eol; j++) {
        if (s[j] == '\\') {
            j++;
            continue;
        }
        if (s[j] == '[' && s[j + 1] == '[') return 0; /* a later `[[` starts the blank */
        if (s[j] == ']' && s[j + 1] == ']') return j > i + 2 ? j + 2 : 0;
    }
    return 0;
}

/* A line that is a thematic break made of underscores (`_____`, `> ___`). */
static int underscore_rule(const char *s, size_t n) {
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_') k++;
        else if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || (s[i] == '>' && k == 0)) continue;
        else return 0;
    }
    return k >= 3;
}

static int is_ascii_punct(unsigned char c) {
    return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

/* Backtick runs of a prose run, each with the index of the next run of the
 * same length (its closer, -1 if none): code spans found in linear time. */
typedef struct bt_run {
    size_t pos, len;
    int next_same;
} bt_run;

typedef struct bt_scratch {
    bt_run *runs;
    int n, cap;
    int last[MAX_BACKTICKS + 1]; /* by length: latest run seen (right to left) */
} bt_scratch;

static void collect_backticks(bt_scratch *bt, const char *s, size_t start, size_t end) {
    bt->n = 0;
    for (size_t i = start; i < end;) {
        const char *q = memchr(s + i, '`', end - i);
        if (!q) break;
        size_t b = (size_t)(q - s);
        i = b;
        while (i < end && s[i] == '`') i++;
        if (bt->n == bt->cap) {
            bt->cap = bt->cap ? bt->cap * 2 : 64;
            bt->runs = xrealloc(bt->runs, sizeof(bt_run) * (size_t)bt->cap);
        }
        bt->runs[bt->n].pos = b;
        bt->runs[bt->n].len = i - b;
        bt->runs[bt->n].next_same = -1;
        bt->n++;
    }
    for (int r = bt->n - 1; r >= 0; r--) {
        size_t len = bt->runs[r].len;
        if (len > MAX_BACKTICKS) continue; /* as cmark: too long to open a span */
        bt->runs[r].next_same = bt->last[len];
        bt->last[len] = r;
    }
    for (int r = 0; r < bt->n; r++) /* reset only what was touched */
        if (bt->runs[r].len <= MAX_BACKTICKS) bt->last[bt->runs[r].len] = -1;
}

/* First byte at or after i (before eol) that scan_prose must look at. */
static size_t skip_prose(const char *s, size_t i, size_t eol) {
    const unsigned char *u = (const unsigned char *)s;
    while (i + 16 <= eol) {
        v16 x = v16_load(u + i);
        size_t k = v16_first((v16)((x == '\\') | (x == '`') | (x == '[') | (x == '_')));
        i += k;
        if (k < 16) return i;
    }
    while (i < eol && u[i] != '\\' && u[i] != '`' && u[i] != '[' && u[i] != '_') i++;
    return i;
}

/* Prose lines [from, to]: a paragraph-like run (code spans may cross lines). */
static void scan_prose(mdpre *p, bt_scratch *bt, int from, int to) {
    char *s = p->work;
    size_t start = p->lines[from].off, end = p->lines[to].off + p->lines[to].len;
    collect_backticks(bt, s, start, end);
    int r = 0;
    int li = from;
    size_t eol = p->lines[li].off + p->lines[li].len;
    int rule = -1; /* is line li an underscore thematic break? -1: not yet known */
    for (size_t i = start; i < end;) {
        if (i > eol) {
            while (i > eol) {
                li++;
                eol = p->lines[li].off + p->lines[li].len;
            }
            rule = -1;
        }
        i = skip_prose(s, i, eol);
        if (i == eol) {
            i++; /* the line's newline (or the end) */
            continue;
        }
        char c = s[i];
        if (c == '\\') {
            if (i + 2 < eol && s[i + 1] == '{' && s[i + 2] == '{') {
                s[i] = (char)0xEF, s[i + 1] = (char)0x80, s[i + 2] = (char)0x80;
                i += 3;
            } else if (i + 1 < eol && is_ascii_punct((unsigned char)s[i + 1])) i += 2;
            else i++;
            continue;
        }
        if (c == '`') {
            while (r < bt->n && bt->runs[r].pos < i) r++;
            if (r < bt->n && bt->runs[r].pos == i && bt->runs[r].next_same >= 0) {
                const bt_run *cl = &bt->runs[bt->runs[r].next_same];
                i = cl->pos + cl->len; /* a code span: blanks inside stay code */
            } else {
                while (i < end && s[i] == '`') i++; /* literal backticks */
            }
            continue;
        }
        if (c == '[') {
            size_t e = bracket_blank_end(s, i, eol);
            if (e) {
                add_blank(p, i, e - i, 0);
                i = e;
            } else i++;
            continue;
        }
        /* c == '_' */
        size_t b = i;
        while (i < eol && s[i] == '_') i++;
        if (i - b >= 5) {
            if (rule < 0) rule = underscore_rule(s + p->lines[li].off, p->lines[li].len);
            if (!rule) add_blank(p, b, i - b, 1);
        }
    }
}

/* Worksheet content: every `[[…]]` and run of 5+ underscores is a blank. */
static void scan_worksheet_line(mdpre *p, int li) {
    char *s = p->work;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = p->lines[li].off, eol = i + p->lines[li].len;
    while (i < eol) {
        while (i + 16 <= eol) { /* to the next `[` or `_` */
            v16 x = v16_load(u + i);
            size_t k = v16_first((v16)((x == '[') | (x == '_')));
            i += k;
            if (k < 16) break;
        }
        while (i < eol && s[i] != '[' && s[i] != '_') i++;
        if (i == eol) break;
        if (s[i] == '[') {
            size_t e = bracket_blank_end(s, i, eol);
            if (e) {
                add_blank(p, i, e - i, 0);
                i = e;
                continue;
            }
        } else if (s[i] == '_') {
            size_t b = i;
            while (i < eol && s[i] == '_') i++;
            if (i - b >= 5) add_blank(p, b, i - b, 1);
            continue;
        }
        i++;
    }
}

/* A `[[…]]` inside a raw HTML block could not be pruned: an error. */
static void scan_html_line(mdpre *p, int li) {
    const char *s = p->work;
    size_t i = p->lines[li].off, eol = i + p->lines[li].len;
    for (; i < eol; i++) {
        const char *q = memchr(s + i, '[', eol - i);
        if (!q) break;
        i = (size_t)(q - s);
        size_t e = bracket_blank_end(s, i, eol);
        if (!e) continue;
        diag_report(p->d, DIAG_ERROR, p->path, mdpre_file_line(p, li), (int)(i - p->lines[li].off) + 1,
                    "blank `%.*s` inside a raw HTML block: close the HTML block (a blank line) before the blank",
                    (int)(e - i), s + i);
        p->nerr++;
        i = e - 1;
    }
}

static int blank_line(const mdpre *p, int i) { return trimmed_len(p, i) == 0; }

static void find_blanks(mdpre *p) {
    bt_scratch *bt = xcalloc(1, sizeof *bt);
    for (int k = 0; k <= MAX_BACKTICKS; k++) bt->last[k] = -1;
    int run = -1;
    for (int i = 0; i <= p->nlines; i++) {
        int prose = i < p->nlines && p->lines[i].kind == MDPRE_PROSE && !blank_line(p, i);
        if (prose && run < 0) run = i;
        if (!prose && run >= 0) {
            scan_prose(p, bt, run, i - 1);
            run = -1;
        }
        if (i == p->nlines) break;
        if (p->lines[i].kind == MDPRE_WORKSHEET) scan_worksheet_line(p, i);
        else if (p->lines[i].kind == MDPRE_HTML) scan_html_line(p, i);
    }
    free(bt->runs);
    free(bt);
}

void mdpre_run(mdpre *p, int max_depth) {
    find_fences(p, max_depth);
    heading_attrs(p);
    find_blanks(p);
}
