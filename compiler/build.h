/* build.h — compile courses: load, parse every module once, check, then build
 * every (course, edition) job on a worker pool into a temporary folder that is
 * renamed into place only when the edition succeeded (SPEC §8.3, §9). */
#ifndef COURSEC_BUILD_H
#define COURSEC_BUILD_H
#include "diag.h"

typedef struct build_opts {
    int check_only;          /* `coursec check`: everything but writing */
    const char *out_dir;     /* default "output" */
    const char **editions;   /* -e, NULL-terminated list or NULL = all */
    int want_html, want_epub;/* -f; both 0 = the course's formats */
    const char **var_names, **var_values;
    int nvars;
    int strict, safe, trust_filters;
    int jobs;                /* 0 = number of cores */
    int quiet, verbose;
    const char *data_dir;    /* coursec's lua/ and themes/ live here */
} build_opts;

/* Build (or check) each course dir. Returns the exit status: 0 success,
 * 1 a course has errors (or warnings under --strict), 2 output could not be
 * written (or refused). All diagnostics go to d. */
int build_run(const build_opts *o, const char **dirs, int ndirs, diag *d);

#endif
