/* serve.h — `coursec serve` (SPEC §11.8): a preview server for one course.
 * It builds the course's HTML into a private temporary folder, serves one
 * edition at a time over HTTP (libmicrohttpd) with a switcher between the
 * editions, rebuilds when a file of the course changes (fswatch.h) and tells
 * the open pages to reload (server-sent events). Diagnostics go to the
 * terminal and to an overlay in the page. The reload script is added to the
 * pages as they are sent (servejs.c); the built files never hold it. */
#ifndef COURSEC_SERVE_H
#define COURSEC_SERVE_H
#include "build.h"
#include "diag.h"

/* The documented default port; taken, the next free one up to +SERVE_PORT_TRIES. */
#define SERVE_PORT 8357
#define SERVE_PORT_TRIES 20

typedef struct serve_opts {
    build_opts build;       /* vars, strict, trust...; out_dir and formats are the server's */
    const char *course_dir;
    const char *host;       /* NULL: 127.0.0.1 */
    int port;               /* 0: SERVE_PORT or the next free one; else exactly this one */
    const char *edition;    /* the edition "/" opens; NULL: facilitator if the course has it, else the first */
} serve_opts;

/* Runs until SIGINT or SIGTERM. Returns the exit status: 0 after a signal,
 * 2 when the server cannot start (port taken, no inotify, no temporary
 * folder), with the reason in d. */
int serve_run(const serve_opts *o, diag *d);

/* The script added to served pages (servejs.c). */
extern const char serve_live_js[];

#endif
