/* diag.h — diagnostics: collected from every stage and thread, deduplicated,
 * printed sorted (path, line, col) as `PATH:LINE:COL: severity: message`, as
 * one JSON object per line or as GitHub Actions annotations. Thread-safe.
 * Every error names a position and says what to do; a function reports once
 * and returns -1/NULL, its callers never report the same problem again.

 *
 * The one error channel. A problem travels one way: reported here, once, by
 * the function that finds it, at the position it knows. No function passes
 * an error count back through a parameter. A caller that must know whether
 * the work it called found errors (to skip a later stage, to choose the exit
 * status) opens a scope over its diag (diag_scope), passes the scope down in
 * place of the diag, and reads diag_errors(scope) afterwards, as SQLite's
 * parse context collects nErr. One exception, kept narrow: a helper below
 * the diagnostics, that cannot know the position or is used where none
 * exists (a path resolver, a parser given a bare string, the file and
 * output-folder helpers), reports nothing and returns NULL/-1/0 with its
 * reason: errno (fs.h), a static string through `const char **why`
 * (course_resolve, md_parse_attr) or a message with its path (outdir_error).
 * Its caller reports that reason once, at its own position; the helper's
 * header says so. */
#ifndef COURSEC_DIAG_H
#define COURSEC_DIAG_H
#include <stdio.h>

typedef enum { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR } diag_severity;

/* DIAG_GITHUB: GitHub Actions workflow commands (`::error file=P,line=L,col=C::message`,
 * notes as `::notice`), with the format's escaping; meant for stdout. */
typedef enum { DIAG_TEXT, DIAG_JSON, DIAG_GITHUB } diag_format;

typedef struct diag diag;

/* color: 1 force, 0 never, -1 auto (a terminal and NO_COLOR unset).
 * out NULL makes a sink that drops every report (for work repeated after
 * its diagnostics were already given, e.g. the second parse of a module). */
diag *diag_new(FILE *out, diag_format fmt, int color);
void diag_free(diag *d);

/* A scope over parent: every report made through it goes to parent (and so
 * to the root diag, which keeps, deduplicates and prints it) and is also
 * counted in the scope, duplicates included, so that diag_errors(scope) and
 * diag_warnings(scope) say what the work given the scope reported, whatever
 * other threads report to parent meanwhile. A scope over a sink counts all
 * the same. diag_flush on a scope flushes its root. The caller frees it
 * with diag_free (before parent). */
diag *diag_scope(diag *parent);

/* Report. path is as the user would open it (course dir as given + relative
 * path); line/col are 1-based, 0 = unknown (then omitted from the output).
 * The message is copied. Identical diagnostics (same path, position, severity
 * and text) are kept once. */
void diag_report(diag *d, diag_severity sev, const char *path, int line, int col,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Print everything collected since the last flush, sorted by path, line, col
 * (stable for equal keys), and forget it. Counts are kept. */
void diag_flush(diag *d);

/* A second reader of every diagnostic (`coursec serve` shows them in the
 * page): called by diag_flush for each one, in the printed order, under the
 * collector's lock (the listener must not report). NULL removes it. */
typedef void (*diag_listener)(void *ud, diag_severity sev, const char *path, int line, int col, const char *msg);
void diag_set_listener(diag *d, diag_listener fn, void *ud);

/* Errors and warnings reported through d: kept ones for a root diag (a
 * repeat is counted once), every one for a scope. */
int diag_errors(const diag *d);
int diag_warnings(const diag *d);

/* A scope that also keeps a copy of every report made through it: for work
 * whose result is kept and reused, whose diagnostics must then come again
 * (bcache.h). diag_each_recorded calls fn for each, in the order made. */
diag *diag_recorder(diag *parent);
void diag_each_recorded(const diag *rec, diag_listener fn, void *ud);

/* Reports of every severity made through a scope (notes included): 0 means
 * the work given the scope said nothing, so its result can be reused
 * without losing a diagnostic (bcache.h). */
int diag_reports(const diag *d);

/* Severity name: "note", "warning", "error". */
const char *diag_severity_name(diag_severity sev);

#endif
