/* buildint.h — what the files of the build share (build.c the orchestration,
 * pool.c the worker threads, links.c links and media, commit.c the output
 * folders): one course's state across both passes. A loaded course and all
 * it points to belong to build.c, which frees it (free_loaded); the other
 * files only read and fill it. */
#ifndef COURSEC_BUILDINT_H
#define COURSEC_BUILDINT_H
#include "arena.h"
#include "ast.h"
#include "bcache.h"
#include "build.h"
#include "course.h"
#include "edition.h"
#include "epub.h"
#include "html.h"
#include "outdir.h"
#include "page.h"
#include "schedule.h"
#include "title.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

/* A link or image of a module, as pass 1 found it and the link check
 * resolved it: pass 2 meets the same nodes in the same order. */
typedef struct link_ref {
    ast_type type;
    const char *url;      /* as written */
    const char *rewrite;  /* new URL, or NULL to keep */
    int line, col;
} link_ref;

typedef struct module_facts {
    int ok;               /* parsed without errors: pass 2 may run */
    char *packed;         /* pass 1's tree, packed for pass 2 (see PACK_CACHE_BYTES) */
    size_t npacked;
    int borrowed;         /* packed belongs to the build cache, not to pass 2 */
    bkey key;             /* with a cache: the key of everything pass 1 read */
    const char **ids;     /* every id in the unpruned tree (anchors) */
    int nids;
    link_ref *links;
    int nlinks;
} module_facts;

/* A module's arena (its trees, one per edition) and the packed tree their
 * strings point into, while its task or an EPUB queue still needs them:
 * freed by whoever lets go last. */
typedef struct module_hold {
    arena *a;
    char *packed;
    atomic_int refs;
} module_hold;

/* A module's tree waiting for its turn in an EPUB (t NULL: the module
 * failed and only passes its turn). */
typedef struct epub_wait {
    int index;
    ast_node *t;
    module_hold *hold;
} epub_wait;

/* One edition being written: its writers, its temporary folder, and the
 * EPUB's sequence: it takes modules in order (turn: the next one). A worker
 * whose module is not next leaves the tree in `waiting` and goes on; the
 * worker that writes a module then writes every waiting one that follows. */
typedef struct edition_run {
    const course_edition *ed;
    edition_ctx ctx;
    page_info *pages;     /* the modules of this edition, in order (ctx.pages) */
    int *page_of;         /* module index → index in pages, -1: not in the edition */
    html_site *site;
    epub_book *book;
    char *tmp;
    pthread_mutex_t mu;
    pthread_cond_t turn_cv; /* turn moved or a waiting slot came free */
    int turn;
    int writing;          /* a worker is writing module `turn` to the EPUB */
    epub_wait *waiting;   /* (unordered) up to maxwaiting */
    int nwaiting, maxwaiting;
    int failed_source;    /* errors in the sources (filters, raw HTML): exit 1 */
    int failed_write;     /* could not write: exit 2 */
    int check_only;       /* coursec check: R->book checks the EPUB, writes nothing */
    bkey nav_key;         /* with a cache: the build's inputs and this edition's nav facts */
    int pdf;              /* write <id>-<edition>.pdf from the site's print workbook */
    int scorm;            /* write <id>-<edition>.scorm.zip from the site */
    int questions;        /* write the edition's question banks (it includes `answer`) */
    struct questions_bank *qbank; /* with questions: the pages' questions so far (build.c frees it) */
    int site_temp;        /* site/ was written only for the PDF or the SCORM package: not moved into place */
    const struct loaded *L; /* the course (a refused URL's module line) */
} edition_run;

/* One course: the model, the facts of pass 1 and the editions of pass 2. */
typedef struct loaded {
    course *c;
    arena *a;             /* pages, facts, media; guarded by mu in pass 1 */
    pthread_mutex_t mu;
    page_info *pages;
    module_facts *facts;
    media_file *media;
    int nmedia, capmedia;
    int total_duration;
    schedule sched;       /* the course's day */
    const char *theme_dir;
    int nerr;             /* errors found in pass 1 (course, titles, modules, links) */
    const char **norm_files;  /* module files, normalised, for link targets */
    size_t packed_bytes;  /* packed trees kept by pass 1 */
    size_t pack_budget;   /* at most this many (PACK_CACHE_BYTES) */
    title_src *titles;    /* per module: what its titles come from */
    const char **role_classes; /* every class that carries a role, NULL-terminated */
    title_vars tv;        /* the variables titles resolve */
    long long build_time; /* SOURCE_DATE_EPOCH, else the course date, else now */
    int title_literal;    /* the course title's `[[` are literal */
    edition_run *runs;
    int nruns;
    outdir *out;          /* OUT/<id>, locked while this build writes it */
    int out_failed;       /* it could not be locked: nothing is written (exit 2) */
    int files;
    build_cache *cache;   /* o->cache for a build of one course, else NULL */
    int reuse_pages;      /* the cache may give pages too (not with trusted filters) */
    bkey yaml_key;        /* with a cache: course.yaml and the parse options */
} loaded;

/* The shared state of one pass's worker pool. */
typedef struct pool {
    loaded *L;
    const build_opts *o;
    diag *d;              /* the user's diagnostics */
    diag *sink;           /* drops repeats of pass-1 diagnostics in pass 2 */
    pthread_mutex_t mu;
    int next, done, progress;
    const char *what;
} pool;

/* A number from the environment (a knob for tests), else dflt. */
static inline unsigned long long build_env_number(const char *name, unsigned long long dflt) {
    const char *v = getenv(name);
    if (!v || !*v) return dflt;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    return *end ? dflt : n;
}

/* ------------------------------------------------------------ pool.c */

/* One task: item i of the pool's work, on worker number `worker` with that
 * worker's own state (run_pool's states[worker], or NULL). */
typedef void (*task_fn)(pool *P, int worker, int i, void *wstate);

/* Run fn(i) for i in [0, n) on nthreads workers, tasks taken in order;
 * with P->progress a counter on stderr names P->what. All done on return. */
void pool_run(pool *P, int nthreads, int n, task_fn fn, void **states);

/* fn(args[i]) for every i < n, each on a thread of its own (the last on the
 * calling thread, and any whose thread cannot be started), all done on
 * return. For a few independent jobs: the editions of a course. */
void pool_each(void *(*fn)(void *), void **args, int n);

/* Worker threads for o: -j, else the number of cores; at least 1. */
int pool_nthreads(const build_opts *o);

/* ----------------------------------------------------------- links.c */

/* Lexically normalise a relative path ("a/./b/../c" → "a/c") into a; NULL
 * if it climbs above its root or is absolute. */
char *links_normalize(arena *a, const char *p);

/* Ids and links of a tree, gathered into growable arrays of the module's
 * own arena (copied into the course arena under the lock afterwards). */
typedef struct links_found {
    arena *a;
    const char **ids;
    int nids, capids;
    link_ref *links;
    int nlinks, caplinks;
} links_found;

/* Pass 1: add the ids and the links of doc to g (g->a set, the rest zero
 * before the first call). Pass 2 (links_apply) meets the links in the same
 * order. */
void links_gather(ast_node *doc, links_found *g);

/* Resolve link r of module mi once every module's facts are in: links to
 * module sources become "<id>.html#anchor", images and linked files
 * "assets/media/<path>" (added to L->media). Warns about missing targets
 * and anchors; an image missing or outside the course is an error
 * (L->nerr). Runs on one thread. */
void links_check(loaded *L, int mi, link_ref *r, diag *d);

/* Pass 2: apply the rewrites links_check put in f to doc's nodes. */
void links_apply(ast_node *doc, const module_facts *f);

/* ---------------------------------------------------------- commit.c */

/* Refuse an output folder that is a file or that contains a course of
 * Ls[0..n) (NULL entries skipped); create it. -1 after reporting. */
int commit_check_output(const char *out, loaded **Ls, int n, diag *d);

/* Lock the output folder of every course of Ls[0..n) without errors
 * (L->out); one that cannot be locked gets L->out_failed. */
void commit_lock(loaded **Ls, int n, const build_opts *o, diag *d);

/* Let go of every course's output folder (each shared lock once). */
void commit_unlock(loaded **Ls, int n);

/* Move the formats every edition of L wrote into place, or, when any
 * edition failed (or keep is 0), throw them all away; adds the files
 * written to L->files. */
void commit_course(loaded *L, int keep, int verbose, diag *d);

#endif
