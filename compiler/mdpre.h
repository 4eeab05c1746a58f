/* mdpre.h — the line pre-pass of md.c (SPEC §2.2, §3, §6 `\{{`), without
 * cmark: input checks, `:::` fenced divs, heading attribute blocks, and
 * same-length placeholders for blanks and `\{{` so that cmark's inline parser
 * never sees them and every byte column stays true.
 *
 * Use: mdpre_validate; mdpre_init; the caller classifies lines (kind,
 * heading_end) from a structural cmark parse of p->work; mdpre_run; then the
 * caller parses the regions between fence events of p->work and turns
 * placeholders back into Blank nodes / `\{{` with mdpre_placeholder_at. All
 * memory lives in the arena given to mdpre_init. */
#ifndef COURSEC_MDPRE_H
#define COURSEC_MDPRE_H

/* Runs of emphasis markers (`*`, `_`; 5+ underscores are a blank) allowed in
 * one block of lines not separated by a blank line (cmark-gfm 0.29 pairs them
 * in quadratic time; real prose has a few dozen). */
#define MDPRE_MAX_DELIMS 20000

/* `|` characters allowed on one line: cmark-gfm 0.29 appends each table cell
 * by walking the row's list of cells, so a row of n cells costs n²; tables
 * have at most 64 columns (md.c), escaped pipes and ragged rows leave room. */
#define MDPRE_MAX_PIPES 256
#include "arena.h"
#include "ast.h"
#include "diag.h"
#include <stddef.h>

enum {
    MDPRE_PROSE,     /* Markdown text: blanks and `\{{` are recognised */
    MDPRE_CODE,      /* inside a code block (fences included): left alone */
    MDPRE_WORKSHEET, /* content of a ```worksheet block: blanks, no escapes */
    MDPRE_HTML,      /* inside a raw HTML block: a fence or `[[…]]` is an error */
    MDPRE_FENCE      /* a `:::` line (set by mdpre_run; never given to cmark) */
};

typedef struct mdpre_line {
    size_t off, len;      /* byte range in the body, newline excluded */
    unsigned char kind;   /* MDPRE_*; the caller sets it before mdpre_run */
    unsigned char heading_end; /* caller: last content line of a heading */
    const ast_attr *hattr;     /* heading attribute block taken from this line */
    int hattr_col;             /* its column (1-based) */
} mdpre_line;

typedef struct mdpre_blank {
    int line, col;   /* position in the original file (1-based, byte column) */
    size_t off, len; /* bytes in the body: `[[…]]` or the underscore run */
    int underscore;  /* 1: a run of underscores (no answer) */
} mdpre_blank;

typedef enum { MDPRE_OPEN, MDPRE_CLOSE, MDPRE_SKIP } mdpre_ev_type;

/* Fence events in line order. Every OPEN has a matching CLOSE (a div left open
 * gets a CLOSE at the end, after its error was reported). SKIP: a fence line
 * that is dropped (stray closer, too deep). */
typedef struct mdpre_event {
    mdpre_ev_type type;
    int line;      /* 0-based body line of the fence */
    int col;       /* 1-based column of its first ':' */
    ast_attr attr; /* OPEN: class word or attribute block */
} mdpre_event;

typedef struct mdpre {
    arena *a;
    diag *d;
    const char *path;
    int first_line; /* file line of body line 0 */
    const char *src; /* the body as given */
    char *work;      /* same length as src: lone CR -> LF, placeholders, stripped heading attributes */
    size_t len;
    mdpre_line *lines;
    int nlines;
    mdpre_blank *blanks;
    int nblanks, capblanks;
    mdpre_event *ev;
    int nev, capev;
    int nerr; /* errors reported by the pre-pass */
} mdpre;

/* Input checks before anything else: size over max_bytes, NUL bytes, invalid
 * UTF-8; each reported (first of each kind, with a count of the others).
 * Returns the number of errors. */
int mdpre_validate(const char *src, size_t len, size_t max_bytes, int first_line, const char *path, diag *d);

/* Copy src into p->work and split it into lines (all MDPRE_PROSE). */
void mdpre_init(mdpre *p, arena *a, const char *src, size_t len, int first_line, const char *path, diag *d);

/* Fences (events, errors), heading attribute blocks (stripped from work,
 * stored in lines[].hattr), blanks and `\{{` (placeholders in work). */
void mdpre_run(mdpre *p, int max_depth);

#define MDPRE_NONE (-1)
#define MDPRE_ESCAPE (-2) /* the 3-byte placeholder of `\{{` */
/* If s (n bytes available) starts with a placeholder, return the blank index
 * (or MDPRE_ESCAPE) and set *plen to its byte length; else MDPRE_NONE. */
int mdpre_placeholder_at(const mdpre *p, const char *s, size_t n, size_t *plen);

/* File line of body line idx (0-based). */
int mdpre_file_line(const mdpre *p, int idx);

#endif
