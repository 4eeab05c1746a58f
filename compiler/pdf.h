/* pdf.h — the PDF of an edition (SPEC §11.8): the print workbook
 * site/_print.html laid out by WeasyPrint (CSS paged media), run through
 * its Python API in a child process with a time limit. The child reads
 * nothing but the edition's own site folder and `data:` URLs: every other
 * URL (another file, the network) is refused and reported, and no file is
 * attached to the PDF. The bytes depend only on the workbook, the fonts
 * and the build time given (the PDF's dates and identifier). Only pdf.c
 * starts the child; the Python it runs is pdf.c's own text. */
#ifndef COURSEC_PDF_H
#define COURSEC_PDF_H
#include "diag.h"

/* Where a URL the PDF refused comes from, for the warning: fills path,
 * line and col (a module's link or image) and returns 1, else 0. */
typedef int (*pdf_locate_fn)(void *ud, const char *url, const char **path, int *line, int *col);

typedef struct pdf_job {
    const char *site;       /* the edition's site folder, holding _print.html (a temporary folder) */
    const char *out;        /* the PDF file to write */
    const char *shown;      /* how to name the PDF in diagnostics ("<id>-<edition>.pdf") */
    const char *identifier; /* the PDF's /ID (course and edition): the same in every build */
    long long build_time;   /* seconds since the epoch: the PDF's creation and modification dates */
    pdf_locate_fn locate;   /* may be NULL */
    void *locate_ud;
} pdf_job;

/* Is WeasyPrint there? 0, or -1 after reporting an error with the
 * command that installs it. Asked once per build that writes PDFs. */
int pdf_available(diag *d);

/* Write j->out. Refused URLs and attachments are warnings (at the module
 * line that names them when j->locate finds it). 0, or -1 after reporting
 * (WeasyPrint failed, ran out of time, or wrote nothing). */
int pdf_write(const pdf_job *j, diag *d);

#endif
