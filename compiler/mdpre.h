/* mdpre.h — the side table of md.c (SPEC §11.4): what the scan of each
 * leaf block found (blanks, escapes, bracketed spans, attribute blocks,
 * restricted reference definitions, fences), each by its SOURCE position,
 * and the working copy of the module body that cmark-gfm parses.
 *
 * cmark must not see blank syntax (it would make links and emphasis of
 * it), so each construct is replaced in the working copy by one marker: a
 * character of Unicode's supplementary private-use planes (U+F0000 up)
 * that occurs nowhere in the module, neither written nor as a character
 * reference. Each marker stands for exactly one entry of this table (the
 * two escape markers for every escape of their kind), so author text can
 * never be taken for one; md.c checks that every marker it placed comes
 * back exactly once, in a place where its construct may stand.
 *
 * Shared by md.c (cmark, conversion), mdscan.c (the scan of leaf blocks)
 * and mddiv.c (the fenced-div block extension); no other file includes it.
 * All memory lives in the arena given to mdpre_init. */
#ifndef COURSEC_MDPRE_H
#define COURSEC_MDPRE_H
#include "arena.h"
#include "ast.h"
#include "diag.h"
#include <stddef.h>
#include <stdint.h>

/* Runs of emphasis markers (`*`, `_`; 5+ underscores are a blank) allowed in
 * one block of lines not separated by a blank line (cmark-gfm 0.29 pairs them
 * in quadratic time; real prose has a few dozen). */
#define MDPRE_MAX_DELIMS 20000

/* `|` characters allowed on one line: cmark-gfm 0.29 appends each table cell
 * by walking the row's list of cells, so a row of n cells costs n²; tables
 * have at most 64 columns (md.c), escaped pipes and ragged rows leave room. */
#define MDPRE_MAX_PIPES 256

/* Markers one module may use (blanks, spans, attribute blocks, definitions):
 * far below the 131 068 private-use characters of planes 15 and 16. */
#define MDPRE_MAX_MARKS 100000

typedef enum {
    MK_BLANK,       /* `[[…]]` or a run of 5+ underscores; k: blank index */
    MK_SPAN_OPEN,   /* the `[` of a bracketed span `[…]{…}`; k: span index */
    MK_SPAN_CLOSE,  /* its `]{…}` */
    MK_ATTR,        /* `{…}` right after `)` or a code span; k: attr index */
    MK_DEF,         /* put before the destination of a reference definition
                       that stands in restricted content; k: def index */
    MK_ESC_BRACKET, /* the `\[` of `\[[` (every one shares the marker) */
    MK_ESC_BRACE    /* the `\{` of `\{{` (likewise) */
} mk_kind;

typedef struct md_blank {
    int line, col;   /* file position of its first byte */
    size_t off, len; /* its bytes in the body (may span lines) */
    int underscore;  /* a run of underscores (no answer) */
    int lines;       /* source lines it spans (1 usually) */
    uint32_t cp;     /* its marker */
    int seen;        /* markers of it met in the parsed tree */
} md_blank;

typedef struct md_span {
    int line, col;      /* the `[` */
    size_t close_off, close_len; /* its `]{…}` in the body */
    ast_attr attr;
    uint32_t open_cp, close_cp;
    int seen;
} md_span;

typedef struct md_attrblk {
    int line, col;      /* the `{` */
    size_t off, len;    /* `{…}` in the body */
    ast_attr attr;
    uint32_t cp;
    int seen;
} md_attrblk;

typedef struct md_def {
    int line, col;      /* the definition's `[` */
    ast_attr restr;     /* the restrictions of the content around it */
    uint32_t cp;
} md_def;

/* A line that starts a footnote definition `[^label]:` (after container
 * prefixes), in body order: the full parse moves every definition to the
 * document's end, and its restrictions are those of the place it was
 * written (SPEC §11.2). */
typedef struct md_fndef {
    int line;           /* body line, 0-based */
    size_t label_off, label_len; /* the label in text */
    ast_attr restr;
} md_fndef;

/* One replacement in the working copy: body bytes [off, off+len) become the
 * marker cp (len 0: cp inserted before off). Never across a line end. */
typedef struct md_edit {
    size_t off, len;
    uint32_t cp;
} md_edit;

/* A fence line, as the fenced-div extension read it (mddiv.c). */
typedef enum { FENCE_OPEN, FENCE_CLOSE, FENCE_BAD } fence_kind;
typedef struct md_fence {
    int line;        /* body line, 0-based */
    int col;         /* 1-based byte column of its first colon */
    fence_kind kind;
    ast_attr attr;   /* FENCE_OPEN */
    int closed;      /* FENCE_OPEN: its closing fence was met */
    int malformed;   /* FENCE_OPEN: opened by a malformed line (reported) */
} md_fence;

typedef struct mdpre {
    arena *a;
    diag *d;
    const char *path;
    int first_line;     /* file line of body line 0 */
    const char *src;    /* the body as given (lone CRs are line ends) */
    char *text;         /* the body with lone CRs made LF (what is scanned) */
    size_t len;
    size_t *line_off;   /* start of each body line in text */
    int nlines;

    md_blank *blanks;
    int nblanks, capblanks;
    md_span *spans;
    int nspans, capspans;
    md_attrblk *attrs;
    int nattrs, capattrs;
    md_def *defs;
    int ndefs, capdefs;
    md_fndef *fndefs;
    int nfndefs, capfndefs;
    md_edit *edits;
    int nedits, capedits;
    md_fence *fences;
    int nfences, capfences;
    /* heading attribute blocks: body line of the heading's last content
     * line → its attributes (blanked out of the working copy) */
    int *hattr_line;
    ast_attr *hattr;
    int *hattr_col;
    int nhattr, caphattr;

    /* markers: cp → (kind, k). Allocated upwards from U+F0000, skipping
     * every code point of planes 15–16 that the module contains. */
    uint32_t *used_cps; /* sorted, the module's own */
    int nused;
    uint32_t next_cp;
    uint32_t esc_bracket_cp, esc_brace_cp;
    mk_kind *mark_kind; /* by cp - MARK_BASE */
    int *mark_k;
    int nmarks, capmarks;
    int esc_brackets, esc_braces; /* escapes replaced */

    char *work;         /* the working copy (built by mdpre_build) */
    size_t work_len;
    size_t *work_line_off; /* start of each line in work */
    int *line_edit;     /* index of the first edit at or after each line's start */
    int nerr;           /* errors reported through this table */
} mdpre;

#define MARK_BASE 0xF0000u

/* Input checks before anything else: size over max_bytes, NUL bytes, invalid
 * UTF-8, runs of emphasis markers and pipes over the limits above; each kind
 * reported once (with a count of the others). Returns the number of errors. */
int mdpre_validate(const char *src, size_t len, size_t max_bytes, int first_line, const char *path, diag *d);

/* Copy src, split it into lines and find the private-use code points it
 * uses (written or as character references). */
void mdpre_init(mdpre *p, arena *a, const char *src, size_t len, int first_line, const char *path, diag *d);

/* File line of body line idx (0-based); body line of offset off. */
int mdpre_file_line(const mdpre *p, int idx);
int mdpre_line_of(const mdpre *p, size_t off);
/* 1-based byte column of body offset off on its line. */
int mdpre_col_of(const mdpre *p, size_t off);

/* Allocate a marker for (kind, k); 0 when the module has used them all
 * (reported once). */
uint32_t mdpre_new_mark(mdpre *p, mk_kind kind, int k);
/* The entry a code point stands for: returns 1 and sets *kind, *k if cp is
 * one of this module's markers, else 0 (author text). */
int mdpre_mark_of(const mdpre *p, uint32_t cp, mk_kind *kind, int *k);

/* Table entries; each returns the new entry's index (-1 when over the
 * marker limit). The edits for the working copy are recorded too. */
int mdpre_add_blank(mdpre *p, size_t off, size_t len, int underscore, const size_t *seg_off,
                    const size_t *seg_len, int nseg);
int mdpre_add_span(mdpre *p, size_t open_off, size_t close_off, size_t close_len, const ast_attr *attr);
int mdpre_add_attr(mdpre *p, size_t off, size_t len, const ast_attr *attr);
int mdpre_add_def(mdpre *p, size_t dest_off, int line, int col, const ast_attr *restr);
/* A footnote definition's line li, its label text[label_off, +label_len)
 * and the restrictions around it (body lines in increasing order). */
void mdpre_add_fndef(mdpre *p, int li, size_t label_off, size_t label_len, const ast_attr *restr);
void mdpre_add_escape(mdpre *p, size_t off, int brace);
/* Blank out a heading's attribute block (spaces in the working copy). */
void mdpre_add_hattr(mdpre *p, int line, int col, size_t off, size_t len, const ast_attr *attr);
const ast_attr *mdpre_hattr(const mdpre *p, int line, int *col);
md_fence *mdpre_add_fence(mdpre *p);
const md_fence *mdpre_fence_at(const mdpre *p, int line);

/* Build the working copy from text and the edits (sorted here). */
void mdpre_build(mdpre *p);
/* A byte column on line idx of the working copy → the column in the
 * source. */
int mdpre_src_col(const mdpre *p, int idx, int work_col);

/* Decode the UTF-8 code point at s (n bytes available); returns its length
 * (0 if s does not start a 4-byte sequence in planes 15–16). */
size_t mdpre_pua_at(const char *s, size_t n, uint32_t *cp);

#endif
