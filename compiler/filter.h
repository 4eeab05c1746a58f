/* filter.h — the Lua filter engine (SPEC §7). Only luab.c and filter.c include
 * Lua. A filter_host is one sandboxed lua_State with the course's filter chain
 * compiled once; it serves exactly one edition (SPEC §11.6: a filter's
 * globals cannot carry content from one edition into another), so the build
 * keeps one host per worker and edition. Not thread-safe: one host per
 * thread. */
#ifndef COURSEC_FILTER_H
#define COURSEC_FILTER_H
#include "ast.h"
#include "course.h"
#include "diag.h"

typedef struct filter_opts {
    const char *lua_dir;        /* coursec's standard filters (<exe dir>/lua or COURSEC_DATA/lua) */
    int trust;                  /* --trust-filters: no sandbox, no budget, no cap */
    const char **cli_var_names; /* --var NAME=VALUE, in command-line order */
    const char **cli_var_values;
    int ncli_vars;
    long long instr_budget;     /* per filter run; 0 = default */
    size_t mem_cap;             /* per Lua state; 0 = default */
    long cpu_ms;                /* CPU limit of one filter run; 0 = default */
    /* What the sandbox's os.time() and os.date() report, in seconds since
     * the epoch, the same for every host of the build. SOURCE_DATE_EPOCH,
     * when set, wins; 0 = not given (the time the host is made). The build
     * passes its own start time so all hosts agree. */
    long long build_time;
    /* The owner's answer to a filter run stuck for good: one still running
     * after twice its CPU limit inside a library function, where no Lua
     * error can reach it (luab_watch). The engine reports the run's error
     * to the run's diag, then calls on_fatal(fatal_arg) on the watchdog's
     * thread. The stuck thread cannot be unwound, so on_fatal must end the
     * process (and decides what happens to outputs first); should it
     * return, or be NULL, the engine aborts. */
    void (*on_fatal)(void *fatal_arg);
    void *fatal_arg;
} filter_opts;

/* A filter run that uses this much CPU time is stopped. For a chain of
 * coursec's own filters (not instruction-counted) it is the only limit; for
 * course filters it catches what their instruction budget cannot see: time
 * inside a library function. Generous, so a slow machine or a sanitizer
 * build never trips it. A run still stuck after as long again ends the
 * build (filter_opts.on_fatal). */
#define FILTER_CPU_MS 10000L

typedef struct filter_host filter_host;

/* Resolve and compile the course's chain (standard names → lua_dir/<name>.lua;
 * paths with '/' or ".lua" → inside the course dir, never outside) for
 * edition ed, the only one the host will filter. Problems (missing file,
 * path escaping the course, syntax error) are reported at the course.yaml
 * entry or the filter's line, every one of them; returns NULL then. */
filter_host *filter_host_new(course *c, const course_edition *ed, const filter_opts *o, diag *d);
void filter_host_free(filter_host *h);

/* The real path of the file filter c->filters[i] names, as filter_host_new
 * finds it; NULL when there is none (filter_host_new says why). The caller
 * frees it. A filter can require only files of its own folder (luab.h). */
char *filter_file(course *c, const char *lua_dir, int i);

/* What filters see of the module being filtered. */
typedef struct filter_module {
    course_module *m;
    const char *id, *title;
    int duration;               /* minutes or -1 */
    int start;                  /* minutes after midnight or -1 */
    /* 1: node.line and node.col are nil for every node of this run (SPEC
     * §11.6). The build sets it when the edition excludes a role and the
     * prune removed content from this module's tree (positions would show
     * where, and how much). ctx.warn/ctx.error on a node still report its
     * true position. */
    int hide_positions;
} filter_module;

/* Run the chain over *doc (children before parents, filters in order; the
 * Document handler last). ed must be the edition the host was made for (by
 * name); any other is refused: an internal-error diagnostic, -1.
 * Nodes a filter builds are allocated in a. A filter error is ONE diagnostic
 * `FILTER:LINE: error: msg (while filtering MODULE:L:C, Type)`; returns -1
 * then (the module's output must not be written). */
int filter_run(filter_host *h, const course_edition *ed, const filter_module *fm, arena *a, ast_node *doc,
               diag *d);

#endif
