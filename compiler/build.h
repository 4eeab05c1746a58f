/* build.h — compile courses: load, parse every module once, check, then build
 * every (course, edition) job on a worker pool into a temporary folder that is
 * renamed into place only when the edition succeeded (SPEC §8.3, §9). */
#ifndef COURSEC_BUILD_H
#define COURSEC_BUILD_H
#include "diag.h"

/* What one build keeps for the next (bcache.h): `coursec serve` passes one
 * to every build of its course, so that a change re-parses and re-renders
 * only what it can change. A cache serves one course (build_run uses it
 * only with one course dir); a plain build has none. */
typedef struct build_cache build_cache;
build_cache *build_cache_new(void);
void build_cache_free(build_cache *c);
/* After each build_run with the cache: root is its output folder of the
 * course (OUT/<id>) when that output became the one served, NULL when the
 * build failed (the pages of the build before stay the ones to reuse).
 * consistent: no input changed while the build ran (else what it made is
 * not kept: it may not match the key it was computed under). */
void build_cache_end(build_cache *c, const char *root, int consistent);
typedef struct build_cache_stats {
    int modules_parsed, modules_reused; /* pass 1 */
    int pages_rendered, pages_reused;   /* HTML pages */
} build_cache_stats;
/* The counts of the last build that ended. */
build_cache_stats build_cache_last(build_cache *c);

typedef struct build_opts {
    int check_only;          /* `coursec check`: everything but writing */
    const char *out_dir;     /* default "output" */
    const char **editions;   /* -e, NULL-terminated list or NULL = all */
    int want_html, want_epub;/* -f; all 0 = the course's formats */
    int want_pdf;            /* -f pdf: the print workbook as a PDF (WeasyPrint) */
    int want_scorm;          /* -f scorm: the site as a SCORM 1.2 package */
    int want_questions;      /* -f questions: question banks of the editions with answers */
    const char **var_names, **var_values;
    int nvars;
    int strict, safe, trust_filters;
    int jobs;                /* 0 = number of cores */
    int quiet, verbose;
    const char *data_dir;    /* coursec's lua/ and themes/ live here */
    const char *start;       /* --start HH:MM (checked by the caller) or NULL: the course's start */
    const char *date;        /* --date YYYY-MM-DD (checked by the caller) or NULL: day 1's date */
    build_cache *cache;      /* NULL: build everything */
    long long now;           /* the time a course without SOURCE_DATE_EPOCH or date: is built at; 0: now */
} build_opts;

/* Build (or check) each course dir. Returns the exit status: 0 success,
 * 1 a course has errors (or warnings under --strict), 2 output could not be
 * written (or refused). All diagnostics go to d. */
int build_run(const build_opts *o, const char **dirs, int ndirs, diag *d);

#endif
