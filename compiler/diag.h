/* diag.h — diagnostics: collected from every stage and thread, deduplicated,
 * printed sorted (path, line, col) as `PATH:LINE:COL: severity: message`, as
 * one JSON object per line or as GitHub Actions annotations. Thread-safe.
 * Every error names a position and says what to do; a function reports once
 * and returns -1/NULL, its callers never report the same problem again. */
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

int diag_errors(const diag *d);
int diag_warnings(const diag *d);

/* Severity name: "note", "warning", "error". */
const char *diag_severity_name(diag_severity sev);

#endif
