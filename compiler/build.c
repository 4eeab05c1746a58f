/* build.c — courses → HTML sites and EPUBs (SPEC §8.3, §9), in two passes
 * over the modules, both on a pool of worker threads:
 *   1. facts: read, parse, check (only=/except=, timings), and keep only what
 *      the writers need of every module (id, title, anchors, links, duration);
 *      then check links across modules. Each tree is packed (astpack.h,
 *      a tenth of its size) and kept for pass 2 while the packs fit in
 *      PACK_CACHE_BYTES, so memory stays bounded however large the course.
 *   2. write: unpack the kept tree, or past the budget parse the module
 *      again (its diagnostics were already given), then for every edition
 *      clone, prune, filter,
 *      guard and hand the tree to that edition's writers. HTML pages are
 *      written in parallel; the EPUB takes its modules in order (a tree
 *      whose turn has not come waits in a short queue, see epub_offer).
 * Each edition is written into a temporary folder inside the course's output
 * folder, which the build holds locked (outdir.h); the formats written are
 * moved into the editions' folders only when every edition of the course
 * succeeded, and nothing else there is touched (SPEC §8.3, §11.8). */
#include "build.h"
#include "arena.h"
#include "ast.h"
#include "astcheck.h"
#include "astpack.h"
#include "buf.h"
#include "course.h"
#include "edition.h"
#include "epub.h"
#include "filter.h"
#include "fs.h"
#include "html.h"
#include "md.h"
#include "outdir.h"
#include "page.h"
#include "timing.h"
#include "title.h"
#include "tmpl.h"
#include "util.h"
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A whole module file, front matter included. 1 MiB is twenty times the
 * largest real module we have seen (55 KB), and at that size every
 * pathological family of tests/pathological finishes in about a second:
 * cmark-gfm 0.29 lacks the 2023 fixes for quadratic inputs. */
#define MODULE_MAX_BYTES ((size_t)1 << 20)

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

/* Modules an EPUB holds at most while it waits for an earlier one (per
 * worker thread): enough that a worker never waits behind a slow module in
 * practice, few enough that memory stays bounded. */
#define EPUB_WAIT_PER_THREAD 3

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
} edition_run;

/* Pass 1 keeps its packed trees for pass 2 while they fit in this many bytes.
 * A packed tree takes 1.2 times its source (a tree in the arena takes 12
 * times): 96 MB hold some 1900 modules of 40 KB; beyond that pass 2 parses
 * the rest again and memory stays bounded. The environment variable
 * COURSEC_PACK_BYTES sets another budget (tests/repro uses 0 to prove that
 * the re-parse path writes the same bytes). */
#define PACK_CACHE_BYTES ((size_t)96 << 20)

/* A number from the environment (a knob for tests), else dflt. */
static unsigned long long env_number(const char *name, unsigned long long dflt) {
    const char *v = getenv(name);
    if (!v || !*v) return dflt;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    return *end ? dflt : n;
}

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
    const char *theme_dir;
    int nerr;
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

/* ------------------------------------------------------------------ paths */

/* Lexically normalise a relative path ("a/./b/../c" → "a/c"); NULL if it
 * climbs above its root or is absolute. */
static char *normalize_rel(arena *a, const char *p) {
    if (!p || p[0] == '/') return NULL;
    size_t n = strlen(p);
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    const char *s = p;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 0 || (len == 1 && s[0] == '.')) {
            /* skip */
        } else if (len == 2 && s[0] == '.' && s[1] == '.') {
            if (o == 0) return NULL;
            while (o > 0 && out[o - 1] != '/') o--;
            if (o > 0) o--;
        } else {
            if (o) out[o++] = '/';
            memcpy(out + o, s, len);
            o += len;
        }
        s += len;
        if (*s == '/') s++;
    }
    out[o] = 0;
    return out;
}

static const char *dirname_rel(arena *a, const char *file) {
    const char *sl = strrchr(file, '/');
    return sl ? arena_strndup(a, file, (size_t)(sl - file)) : "";
}

static int has_scheme(const char *url) {
    const char *p = url;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return 0;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '+' ||
           *p == '-' || *p == '.')
        p++;
    return *p == ':';
}

/* -------------------------------------------------------------- pass 1 */

/* Ids and links of a tree, gathered into growable arrays of the module's
 * own arena (copied into the course arena under the lock afterwards). */
typedef struct gather {
    arena *a;
    const char **ids;
    int nids, capids;
    link_ref *links;
    int nlinks, caplinks;
} gather;

/* Pass 1, for every node (ast_walk): the ids and links of the module. Pass 2
 * (relink_visit) meets the links in the same order. */
static int gather_visit(ast_node *n, void *ud) {
    gather *g = ud;
    if (n->attr.id) {
        arena_grow(g->a, (void **)&g->ids, &g->capids, g->nids, sizeof *g->ids);
        g->ids[g->nids++] = n->attr.id;
    }
    if ((n->type == AST_LINK || n->type == AST_IMAGE) && n->url && *n->url) {
        arena_grow(g->a, (void **)&g->links, &g->caplinks, g->nlinks, sizeof *g->links);
        link_ref *r = &g->links[g->nlinks++];
        r->type = n->type;
        r->url = n->url;
        r->rewrite = NULL;
        r->line = n->line;
        r->col = n->col;
    }
    return 0;
}

static char *read_module(course_module *m, size_t *len, diag *d) {
    char *data = NULL;
    struct stat st;
    if (stat(m->abspath, &st) == 0 && st.st_size > (off_t)MODULE_MAX_BYTES) {
        /* checked before reading: a huge file is never loaded */
        diag_report(d, DIAG_ERROR, m->path, 0, 0,
                    "module is %lld bytes, over the limit of %d MiB: split it into several modules",
                    (long long)st.st_size, (int)(MODULE_MAX_BYTES >> 20));
        return NULL;
    }
    if (fs_read(m->abspath, &data, len) != 0) {
        diag_report(d, DIAG_ERROR, m->path, 0, 0, "cannot read module file: %s", fs_strerror(errno));
        return NULL;
    }
    return data;
}

/* Parse module i; keep its facts. Runs on a worker: the course arena and the
 * course model are shared, so everything written to them is under L->mu. */
static void facts_module(pool *P, int i) {
    loaded *L = P->L;
    course *c = L->c;
    course_module *m = &c->modules[i];
    page_info *p = &L->pages[i];
    if (!m->abspath) return; /* course_load reported it */
    size_t len = 0;
    char *src = read_module(m, &len, P->d);
    if (!src) {
        pthread_mutex_lock(&L->mu);
        L->nerr++;
        pthread_mutex_unlock(&L->mu);
        return;
    }
    int merr = 0;
    pthread_mutex_lock(&L->mu);
    if (course_read_module(c, m, src, len, P->d) != 0) merr++;
    int room = L->packed_bytes < L->pack_budget; /* else pass 2 parses again: no pack */
    pthread_mutex_unlock(&L->mu);
    md_options mo = {0};
    mo.safe = P->o->safe;
    mo.max_bytes = MODULE_MAX_BYTES;
    mo.role_classes = L->role_classes;
    arena *a = arena_new();
    ast_node *doc = md_parse(a, src + m->meta.body_offset, len - m->meta.body_offset,
                             m->meta.body_line > 0 ? m->meta.body_line : 1, m->path, &mo, P->d, &merr);
    free(src);
    gather g = {a, NULL, 0, 0, NULL, 0, 0};
    int duration = -1;
    title_src ts;
    title_collect(a, m, doc, L->role_classes, &ts, P->d, &merr);
    if (doc) {
        if (edition_check(c, m, doc, P->d) != 0) merr++;
        duration = timing_module(c, m, doc, P->d, &merr);
        ast_walk(doc, gather_visit, &g);
    }
    AST_CHECK(doc, m->path, "parsing");
    buf pk = {0};
    if (doc && merr == 0 && room) {
        buf_grow(&pk, len + len / 4); /* a pack is about 1.2 × the source: no doubling copies */
        ast_pack(doc, &pk);
    }

    pthread_mutex_lock(&L->mu);
    module_facts *f = &L->facts[i];
    p->duration = duration;
    if (m->meta.start >= 0) p->start = m->meta.start;
    p->id = course_module_default_id(c, m);
    title_copy(L->a, &ts, &L->titles[i]);
    f->ids = arena_alloc(L->a, sizeof(char *) * (size_t)(g.nids + 1));
    for (int k = 0; k < g.nids; k++) f->ids[k] = arena_strdup(L->a, g.ids[k]);
    f->nids = g.nids;
    f->links = arena_alloc(L->a, sizeof(link_ref) * (size_t)(g.nlinks + 1));
    for (int k = 0; k < g.nlinks; k++) {
        f->links[k] = g.links[k];
        f->links[k].url = arena_strdup(L->a, g.links[k].url);
    }
    f->nlinks = g.nlinks;
    f->ok = doc != NULL && merr == 0;
    L->nerr += merr;
    if (f->ok && pk.len && L->packed_bytes + pk.len <= L->pack_budget) {
        L->packed_bytes += pk.len;
        f->npacked = pk.len;
        f->packed = buf_detach(&pk);
    }
    pthread_mutex_unlock(&L->mu);
    buf_free(&pk);
    arena_free(a);
}

static const char *add_media(loaded *L, const char *rel, const char *src) {
    for (int i = 0; i < L->nmedia; i++)
        if (strcmp(L->media[i].src, src) == 0) return L->media[i].rel;
    arena_grow(L->a, (void **)&L->media, &L->capmedia, L->nmedia, sizeof *L->media);
    media_file *mf = &L->media[L->nmedia++];
    mf->rel = arena_printf(L->a, "assets/media/%s", rel);
    mf->src = src;
    return mf->rel;
}

static int anchor_known(const module_facts *f, const char *anchor) {
    for (int i = 0; i < f->nids; i++)
        if (strcmp(f->ids[i], anchor) == 0) return 1;
    return 0;
}

static int is_page_name(const loaded *L, const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    size_t ext = n > 5 && !strcmp(base + n - 5, ".html") ? 5 : n > 4 && !strcmp(base + n - 4, ".htm") ? 4 : 0;
    if (!ext) return 0;
    if (n - ext == 5 && !strncmp(base, "index", 5)) return 1;
    for (int i = 0; i < L->c->nmodules; i++)
        if (L->pages[i].id && strlen(L->pages[i].id) == n - ext && !strncmp(L->pages[i].id, base, n - ext))
            return 1;
    return 0;
}

/* A link to a file of the course that is not a module (a handout, a data
 * file) makes the file part of the site like an image: copied to
 * assets/media/<path>, into the editions whose pages keep the link (SPEC
 * §11.2). A link to a page by its output name (`02-numpy.html`, as the
 * Carpentries write) stays as written. Anything else is a warning: the
 * link is kept, nothing is copied, and nothing outside the course is read. */
static void linked_file(loaded *L, const course_module *m, link_ref *r, const char *url, const char *path,
                        const char *rel, const char *hash, diag *d) {
    if (!*path || is_page_name(L, path)) return;
    const char *why = "is outside the course folder";
    const char *real = rel ? course_resolve(L->c, rel, &why) : NULL;
    if (!real) {
        diag_report(d, DIAG_WARNING, m->path, r->line, r->col,
                    "link to `%s`: the file %s, so the site cannot carry it (link to a file inside the course, or "
                    "write a full URL)",
                    url, why);
        return;
    }
    const char *media = add_media(L, rel, real);
    r->rewrite = hash ? arena_printf(L->a, "%s%s", media, hash) : media;
}

/* Resolve one link of module mi: links to module sources become
 * "<id>.html#anchor", images and linked files "assets/media/<path>"; warn
 * about missing targets and anchors, refuse images that are missing or
 * leave the course. */
static void check_link(loaded *L, int mi, link_ref *r, diag *d) {
    course *c = L->c;
    course_module *m = &c->modules[mi];
    const char *url = r->url;
    if (has_scheme(url) || url[0] == '/') {
        if (url[0] == '/' && r->type == AST_IMAGE) {
            diag_report(d, DIAG_ERROR, m->path, r->line, r->col,
                        "image `%s` is an absolute path; use a path inside the course folder", url);
            L->nerr++;
        }
        return;
    }
    if (url[0] == '#') {
        if (!anchor_known(&L->facts[mi], url + 1))
            diag_report(d, DIAG_WARNING, m->path, r->line, r->col, "link to `%s`: no heading or element has this id",
                        url);
        return;
    }
    const char *hash = strchr(url, '#');
    const char *q = strchr(url, '?');
    size_t plen = hash ? (size_t)(hash - url) : strlen(url);
    if (q && (size_t)(q - url) < plen) plen = (size_t)(q - url);
    char *path = arena_strndup(L->a, url, plen);
    const char *dir = dirname_rel(L->a, m->file);
    char *rel = normalize_rel(L->a, *dir ? arena_printf(L->a, "%s/%s", dir, path) : path);
    if (r->type == AST_IMAGE) {
        const char *why = "is outside the course folder";
        const char *real = rel ? course_resolve(c, rel, &why) : NULL;
        if (!real) {
            diag_report(d, DIAG_ERROR, m->path, r->line, r->col, "image `%s` %s", url, why);
            L->nerr++;
            return;
        }
        r->rewrite = add_media(L, rel, real);
        return;
    }
    if (!(plen > 3 && strcmp(path + plen - 3, ".md") == 0)) {
        linked_file(L, m, r, url, path, rel, hash, d);
        return;
    }
    int target = -1;
    if (rel)
        for (int i = 0; i < c->nmodules && target < 0; i++)
            if (L->norm_files[i] && strcmp(L->norm_files[i], rel) == 0) target = i;
    if (target < 0) {
        diag_report(d, DIAG_WARNING, m->path, r->line, r->col,
                    "link to `%s`: no module of the course has this file", url);
        return;
    }
    if (!L->pages[target].id) return; /* that module failed; reported */
    if (hash && hash[1] && !anchor_known(&L->facts[target], hash + 1))
        diag_report(d, DIAG_WARNING, m->path, r->line, r->col, "link to `%s`: %s has no heading with id `%s`", url,
                    c->modules[target].file, hash + 1);
    r->rewrite = arena_printf(L->a, "%s.html%s", L->pages[target].id, hash ? hash : "");
}

typedef struct relink {
    const module_facts *f;
    int k;
} relink;

/* Pass 2: apply the rewrites of pass 1 to the same nodes, met in the same
 * order (the parse is deterministic; the URL is compared to be sure). */
static int relink_visit(ast_node *n, void *ud) {
    relink *r = ud;
    if ((n->type == AST_LINK || n->type == AST_IMAGE) && n->url && *n->url && r->k < r->f->nlinks) {
        const link_ref *l = &r->f->links[r->k++];
        if (l->rewrite && strcmp(l->url, n->url) == 0) n->url = l->rewrite;
    }
    return 0;
}

static const char *find_theme(loaded *L, const build_opts *o, diag *d) {
    course *c = L->c;
    const char *name = c->theme ? c->theme : "default";
    if (strchr(name, '/') == NULL && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
        const char *dir = arena_printf(L->a, "%s/themes/%s", o->data_dir, name);
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) return dir;
        if (!c->theme) {
            diag_report(d, DIAG_ERROR, NULL, 0, 0, "coursec's default theme is missing at %s (set COURSEC_DATA)", dir);
            return NULL;
        }
    }
    const char *why = "does not exist";
    char *rel = normalize_rel(L->a, name);
    const char *real = rel ? course_resolve_dir(c, rel, &why) : NULL;
    struct stat st;
    if (!rel)
        why = name[0] == '/' ? "is an absolute path: write it relative to the course folder"
                             : "is outside the course folder";
    else if (real && (stat(real, &st) != 0 || !S_ISDIR(st.st_mode))) real = NULL, why = "is not a folder";
    if (!real) {
        diag_report(d, DIAG_ERROR, c->theme_at.path, c->theme_at.line, c->theme_at.col,
                    "theme `%s` %s (a theme is a folder with page.html, index.html and assets/, under coursec's "
                    "themes/ or inside the course)",
                    name, why);
        return NULL;
    }
    return real;
}

/* ---------------------------------------------------------------- pools */

typedef void (*task_fn)(pool *P, int worker, int i, void *wstate);

typedef struct worker_arg {
    pool *P;
    int id;
    task_fn fn;
    void *state;
    int n;
} worker_arg;

static void *worker_main(void *arg) {
    worker_arg *w = arg;
    pool *P = w->P;
    for (;;) {
        pthread_mutex_lock(&P->mu);
        int i = P->next < w->n ? P->next++ : -1;
        pthread_mutex_unlock(&P->mu);
        if (i < 0) break;
        w->fn(P, w->id, i, w->state);
        pthread_mutex_lock(&P->mu);
        P->done++;
        if (P->progress) {
            fprintf(stderr, "\r%s: %s %d/%d modules", P->L->c->id, P->what, P->done, w->n);
            fflush(stderr);
        }
        pthread_mutex_unlock(&P->mu);
    }
    return NULL;
}

/* Run fn(i) for i in [0, n) on nthreads workers, tasks taken in order. */
static void run_pool(pool *P, int nthreads, int n, task_fn fn, void **states) {
    P->next = P->done = 0;
    if (nthreads > n) nthreads = n;
    if (nthreads < 1) nthreads = 1;
    worker_arg *args = xcalloc((size_t)nthreads, sizeof *args);
    for (int t = 0; t < nthreads; t++) args[t] = (worker_arg){P, t, fn, states ? states[t] : NULL, n};
    if (nthreads == 1) {
        worker_main(&args[0]);
    } else {
        pthread_t *th = xcalloc((size_t)nthreads, sizeof *th);
        for (int t = 0; t < nthreads; t++) pthread_create(&th[t], NULL, worker_main, &args[t]);
        for (int t = 0; t < nthreads; t++) pthread_join(th[t], NULL);
        free(th);
    }
    if (P->progress) fputs("\r\033[K", stderr);
    free(args);
}

static void facts_task(pool *P, int worker, int i, void *state) {
    (void)worker;
    (void)state;
    facts_module(P, i);
}

static int nthreads_for(const build_opts *o) {
    int n = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n;
}

/* Parse the theme's templates once before anything is written, so that a
 * template error is reported against the course (exit 1, with the path the
 * user opens) and a course theme's file cannot be a link out of the course. */
static int check_theme(loaded *L, diag *d) {
    static const char *const names[] = {"page.html", "index.html"};
    course *c = L->c;
    size_t dl = strlen(c->realdir);
    int inside = strncmp(L->theme_dir, c->realdir, dl) == 0 && L->theme_dir[dl] == '/';
    int bad = 0;
    for (int i = 0; i < 2; i++) {
        const char *path = arena_printf(L->a, "%s/%s", L->theme_dir, names[i]);
        const char *shown = path;
        if (inside) {
            const char *rel = arena_printf(L->a, "%s/%s", L->theme_dir + dl + 1, names[i]);
            const char *why = NULL;
            shown = arena_printf(L->a, "%s/%s", c->dir, rel);
            if (!course_resolve(c, rel, &why)) {
                diag_report(d, DIAG_ERROR, c->theme_at.path, c->theme_at.line, c->theme_at.col,
                            "theme template `%s` %s", rel, why);
                bad = 1;
                continue;
            }
        }
        char *src = NULL;
        size_t len = 0;
        if (fs_read(path, &src, &len) != 0) {
            diag_report(d, DIAG_ERROR, c->theme_at.path ? c->theme_at.path : shown, c->theme_at.line,
                        c->theme_at.col, "cannot read the theme's %s: %s (a theme needs page.html and index.html)",
                        names[i], fs_strerror(errno));
            bad = 1;
            continue;
        }
        arena *a = arena_new();
        if (!tmpl_parse(a, src, len, shown, d)) bad = 1;
        arena_free(a);
        free(src);
    }
    return bad ? -1 : 0;
}

/* Every class that carries a role (for the parser), NULL-terminated. */
static const char **role_classes(arena *a, const course *c) {
    int n = 0;
    for (int r = 0; r < c->nroles; r++) n += c->roles[r].nclasses;
    const char **out = arena_alloc(a, sizeof(char *) * (size_t)(n + 1));
    n = 0;
    for (int r = 0; r < c->nroles; r++)
        for (int i = 0; i < c->roles[r].nclasses; i++) out[n++] = c->roles[r].classes[i];
    return out;
}

/* The course's titles as the writers show them: a blank in them contributes
 * nothing (SPEC §11.4), in every edition. */
static void plain_titles(loaded *L, const build_opts *o, diag *d) {
    course *c = L->c;
    title_vars tv = {o->var_names, o->var_values, o->nvars, 0};
    for (int f = 0; f < c->nfilters; f++)
        if (strcmp(c->filters[f], "vars") == 0) tv.resolve = 1;
    L->tv = tv;
    int lit = 0;
    c->title = title_plain(c->arena, c->title, 0, 0, c->yaml_path, d, &L->nerr, &L->title_literal);
    c->title = title_expand(c->arena, c, NULL, NULL, NULL, &tv, c->title, &L->title_literal);
    c->subtitle = title_plain(c->arena, c->subtitle, 0, 0, c->yaml_path, d, &L->nerr, &lit);
    c->subtitle = title_expand(c->arena, c, NULL, NULL, NULL, &tv, c->subtitle, &lit);
    for (int e = 0; e < c->neditions; e++) {
        course_edition *ed = &c->editions[e];
        ed->title = title_plain(c->arena, ed->title, ed->at.line, ed->at.col, c->yaml_path, d, &L->nerr, &lit);
        ed->title = title_expand(c->arena, c, NULL, NULL, ed, &tv, ed->title, &lit);
    }
}

static loaded *load_course(const char *dir, const build_opts *o, diag *d, diag *sink) {
    int nerr = 0;
    course *c = course_load(dir, d, &nerr);
    if (!c) return NULL;
    loaded *L = xcalloc(1, sizeof *L);
    L->c = c;
    L->a = arena_new();
    pthread_mutex_init(&L->mu, NULL);
    L->nerr = nerr;
    L->pack_budget = (size_t)env_number("COURSEC_PACK_BYTES", PACK_CACHE_BYTES);
    L->pages = arena_alloc(L->a, sizeof(page_info) * (size_t)(c->nmodules + 1));
    L->facts = arena_alloc(L->a, sizeof(module_facts) * (size_t)(c->nmodules + 1));
    L->titles = arena_alloc(L->a, sizeof(title_src) * (size_t)(c->nmodules + 1));
    L->role_classes = role_classes(L->a, c);
    plain_titles(L, o, d);
    for (int i = 0; i < c->nmodules; i++) {
        L->pages[i].path = c->modules[i].path;
        L->pages[i].duration = -1;
        L->pages[i].start = c->start;
    }
    L->theme_dir = find_theme(L, o, d);
    if (!L->theme_dir || check_theme(L, d) != 0) L->nerr++;

    pool P = {L, o, d, sink, PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, "reading"};
    P.progress = !o->quiet && isatty(2) && c->nmodules > 50;
    run_pool(&P, nthreads_for(o), c->nmodules, facts_task, NULL);

    int *durs = arena_alloc(L->a, sizeof(int) * (size_t)(c->nmodules + 1));
    int total = -1;
    for (int i = 0; i < c->nmodules; i++) {
        durs[i] = L->pages[i].duration;
        if (durs[i] >= 0) total = (total < 0 ? 0 : total) + durs[i];
    }
    /* duplicate module ids collide on disk */
    for (int i = 0; i < c->nmodules; i++)
        for (int j = 0; j < i; j++)
            if (L->pages[i].id && L->pages[j].id && strcmp(L->pages[i].id, L->pages[j].id) == 0) {
                course_module *m = &c->modules[i];
                diag_report(d, DIAG_ERROR, m->at.path, m->at.line, m->at.col,
                            "module id `%s` is used twice (also by %s); give one an `id:`", L->pages[i].id,
                            c->modules[j].file);
                L->nerr++;
                break;
            }
    L->norm_files = arena_alloc(L->a, sizeof(char *) * (size_t)(c->nmodules + 1));
    for (int i = 0; i < c->nmodules; i++) L->norm_files[i] = normalize_rel(L->a, c->modules[i].file);
    for (int i = 0; i < c->nmodules; i++)
        for (int k = 0; k < L->facts[i].nlinks; k++) check_link(L, i, &L->facts[i].links[k], d);
    timing_course(c, durs, d);
    L->total_duration = total;
    return L;
}

/* -------------------------------------------------------------- pass 2 */

static long long build_time(const course *c) {
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (*end == 0 && v >= 0) return v;
    }
    if (c->date) {
        struct tm tm = {0};
        if (sscanf(c->date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) == 3) {
            tm.tm_year -= 1900;
            tm.tm_mon -= 1;
            return (long long)timegm(&tm);
        }
    }
    return (long long)time(NULL);
}


/* Per worker: one Lua host per edition (a host never serves two editions:
 * their pruned trees differ, SPEC §11.6), created when first needed, its
 * chain compiled once. */
typedef struct worker_state {
    filter_host **hosts;
    int *host_failed;
} worker_state;

static void mark_failed(edition_run *R, int source, int write) {
    pthread_mutex_lock(&R->mu);
    if (source) R->failed_source = 1;
    if (write) R->failed_write = 1;
    pthread_mutex_unlock(&R->mu);
}

static void hold_release(module_hold *h) {
    if (atomic_fetch_sub(&h->refs, 1) == 1) {
        arena_free(h->a);
        free(h->packed);
        free(h);
    }
}

/* Under R->mu: take the waiting tree of module i out of the queue. */
static int take_waiting(edition_run *R, int i, epub_wait *out) {
    for (int k = 0; k < R->nwaiting; k++)
        if (R->waiting[k].index == i) {
            *out = R->waiting[k];
            R->waiting[k] = R->waiting[--R->nwaiting];
            return 1;
        }
    return 0;
}

/* Module i's tree t (NULL: failed) for the EPUB of R. Written now if it is
 * module i's turn, else left waiting (h keeps the arena alive); a worker
 * blocks only when the queue is full. Output is the same whatever the
 * timing: the EPUB still takes the modules in order. */
static void epub_offer(edition_run *R, int i, ast_node *t, module_hold *h) {
    pthread_mutex_lock(&R->mu);
    while (!(R->turn == i && !R->writing) && R->nwaiting >= R->maxwaiting)
        pthread_cond_wait(&R->turn_cv, &R->mu);
    if (R->turn != i || R->writing) {
        atomic_fetch_add(&h->refs, 1);
        R->waiting[R->nwaiting++] = (epub_wait){i, t, h};
        pthread_mutex_unlock(&R->mu);
        return;
    }
    R->writing = 1;
    epub_wait w = {i, t, NULL};
    for (;;) {
        /* after an error in a source the EPUB will not be written, but every
         * later module is still checked by it: all errors in one run */
        int failed = R->failed_write;
        pthread_mutex_unlock(&R->mu);
        if (w.t && !failed && epub_module(R->book, w.index, w.t) != 0) mark_failed(R, 0, 1);
        if (w.hold) hold_release(w.hold);
        pthread_mutex_lock(&R->mu);
        R->turn++;
        pthread_cond_broadcast(&R->turn_cv);
        if (!take_waiting(R, R->turn, &w)) break;
    }
    R->writing = 0;
    pthread_mutex_unlock(&R->mu);
}

/* The edition leaves out content of some role: then a module the prune took
 * something from hides node positions from its filters (SPEC §11.6). */
static int excludes_a_role(const course *c, const course_edition *ed) {
    for (int i = 0; i < c->nroles; i++)
        if (!edition_includes(ed, c->roles[i].name)) return 1;
    return 0;
}

static filter_host *host_for(pool *P, worker_state *W, edition_run *R) {
    course *c = P->L->c;
    int slot = (int)(R - P->L->runs); /* one Lua state per edition (SPEC §11.6) */
    if (!c->nfilters || W->host_failed[slot]) return NULL;
    if (!W->hosts[slot]) {
        const build_opts *o = P->o;
        filter_opts fo = {0};
        char *lua_dir = xmalloc(strlen(o->data_dir) + 5);
        sprintf(lua_dir, "%s/lua", o->data_dir);
        fo.lua_dir = lua_dir;
        fo.trust = o->trust_filters;
        fo.cli_var_names = o->var_names;
        fo.cli_var_values = o->var_values;
        fo.ncli_vars = o->nvars;
        /* COURSEC_FILTER_CPU_MS: tests/sandbox proves the limit (a looping
         * copy of a standard filter, a backtracking pattern) without
         * waiting 10 s */
        fo.cpu_ms = (long)env_number("COURSEC_FILTER_CPU_MS", 0);
        fo.build_time = P->L->build_time;
        int nerr = 0;
        /* resolving course filter paths allocates in the course arena,
         * which the workers share: one host is made at a time */
        pthread_mutex_lock(&P->L->mu);
        W->hosts[slot] = filter_host_new(c, R->ed, &fo, P->d, &nerr);
        pthread_mutex_unlock(&P->L->mu);
        free(lua_dir);
        if (!W->hosts[slot]) W->host_failed[slot] = 1;
    }
    return W->hosts[slot];
}

static void write_task(pool *P, int worker, int i, void *state) {
    (void)worker;
    loaded *L = P->L;
    course *c = L->c;
    course_module *m = &c->modules[i];
    worker_state *W = state;
    arena *a = NULL;
    ast_node *doc = NULL;
    module_hold *hold = NULL;
    char *packed = NULL; /* the tree's strings point into it: freed after the arena */
    if (L->facts[i].packed) {
        a = arena_new();
        packed = L->facts[i].packed;
        L->facts[i].packed = NULL;
        doc = ast_unpack_shared(a, packed, L->facts[i].npacked);
        relink rl = {&L->facts[i], 0};
        ast_walk(doc, relink_visit, &rl);
    } else if (L->facts[i].ok) {
        size_t len = 0;
        char *src = read_module(m, &len, P->d);
        if (src) {
            a = arena_new();
            md_options mo = {0};
            mo.safe = P->o->safe;
            mo.role_classes = L->role_classes;
            int nerr = 0;
            doc = md_parse(a, src + m->meta.body_offset, len - m->meta.body_offset,
                           m->meta.body_line > 0 ? m->meta.body_line : 1, m->path, &mo, P->sink, &nerr);
            free(src);
            if (doc) {
                title_src ts; /* as in pass 1: the H1 a YAML title with a blank may add */
                title_collect(a, m, doc, L->role_classes, &ts, P->sink, &nerr);
                timing_module(c, m, doc, P->sink, &nerr);
                relink rl = {&L->facts[i], 0};
                ast_walk(doc, relink_visit, &rl);
            }
        }
        if (!doc) /* the file changed since pass 1, or cannot be read again */
            for (int e = 0; e < L->nruns; e++) mark_failed(&L->runs[e], 1, 0);
    }
    AST_CHECK(doc, m->path, packed ? "unpacking" : "parsing again");
    int last = -1; /* the last edition with this module takes the parsed tree itself, the others a copy */
    for (int e = 0; e < L->nruns; e++)
        if (L->runs[e].page_of[i] >= 0) last = e;
    for (int e = 0; e < L->nruns; e++) {
        edition_run *R = &L->runs[e];
        int pi = R->page_of[i];
        if (pi < 0) continue; /* not in this edition (only:/except:) */
        ast_node *t = NULL;
        if (doc) {
            t = e == last ? doc : ast_clone(a, doc);
            /* an edition that leaves out some role hides node positions from
             * the filters of a module the prune took something from */
            int hide = edition_prune(c, a, t, R->ed) > 0 && excludes_a_role(c, R->ed);
            filter_host *h = host_for(P, W, R);
            if (c->nfilters && !h) {
                mark_failed(R, 1, 0);
                t = NULL;
            } else if (h) {
                const page_info *pg = &R->pages[pi];
                filter_module fm = {m, pg->id, pg->title, pg->duration, pg->start, hide};
                if (filter_run(h, R->ed, &fm, a, t, P->d) != 0) {
                    mark_failed(R, 1, 0);
                    t = NULL;
                }
            }
            AST_CHECK(t, m->path, "pruning and the filters");
            if (t) {
                edition_guard(c, a, t, R->ed);
                AST_CHECK(t, m->path, "the edition's last changes");
                if (edition_final_check(c, R->ed, t, m->path, P->d) != 0) {
                    mark_failed(R, 1, 0);
                    t = NULL;
                } else if (R->site && html_page(R->site, pi, t) != 0) {
                    mark_failed(R, 0, 1);
                }
            }
        }
        /* the EPUB takes its modules in order: every one passes its turn */
        if (R->book) {
            if (!hold) {
                hold = xmalloc(sizeof *hold);
                hold->a = a;
                hold->packed = packed;
                atomic_init(&hold->refs, 1);
            }
            epub_offer(R, pi, t, hold);
        }
    }
    if (hold) {
        hold_release(hold);
    } else {
        arena_free(a);
        free(packed);
    }
}

static int want_edition(const build_opts *o, const char *name) {
    if (!o->editions) return 1;
    for (const char **e = o->editions; *e; e++)
        if (strcmp(*e, name) == 0) return 1;
    return 0;
}

/* fn(args[i]) for every i < n, each on a thread of its own (the last on the
 * calling thread, and any whose thread cannot be started), all done on
 * return. For a few independent jobs: the editions of a course. */
static void run_each(void *(*fn)(void *), void **args, int n) {
    pthread_t *t = xcalloc((size_t)n + 1, sizeof *t);
    int *started = xcalloc((size_t)n + 1, sizeof *started);
    for (int i = 0; i < n; i++)
        if (i < n - 1 && pthread_create(&t[i], NULL, fn, args[i]) == 0) started[i] = 1;
        else fn(args[i]);
    for (int i = 0; i < n; i++)
        if (started[i]) pthread_join(t[i], NULL);
    free(started);
    free(t);
}

/* Close an edition's writers: finished when the edition succeeded so far,
 * else abandoned. */
static void *finish_main(void *arg) {
    edition_run *R = arg;
    int ok = !R->failed_source && !R->failed_write;
    if (R->site) {
        if (ok && html_end(R->site) != 0) ok = 0, R->failed_write = 1;
        else if (!ok) html_abort(R->site);
    }
    if (R->book) {
        /* a check book reports at its end what it found there (links to
         * modules that never came) even when the edition failed already */
        if ((ok || R->check_only) && epub_end(R->book) != 0) ok = 0, R->failed_source = 1;
        else if (!ok) epub_abort(R->book);
    }
    return NULL;
}

/* The modules of edition R, in order, each with its title in that edition
 * (a module's `only:`/`except:` leave it out; SPEC §11.2). */
static void edition_pages(loaded *L, edition_run *R) {
    course *c = L->c;
    R->pages = arena_alloc(L->a, sizeof(page_info) * (size_t)(c->nmodules + 1));
    R->page_of = arena_alloc(L->a, sizeof(int) * (size_t)(c->nmodules + 1));
    int n = 0;
    for (int i = 0; i < c->nmodules; i++) {
        R->page_of[i] = -1;
        if (!course_module_in_edition(&c->modules[i], R->ed->name)) continue;
        R->page_of[i] = n;
        page_info *pg = &R->pages[n++];
        *pg = L->pages[i];
        int lit = 0;
        pg->title = title_for(L->a, c, &c->modules[i], pg->id, &L->titles[i], R->ed, &L->tv, &lit);
        pg->title_literal = lit;
    }
    R->ctx.npages = n;
}

/* The strings the writers emit beside the trees (SPEC §11.5): the course's
 * metadata and the edition's page titles. */
static int metadata_check(loaded *L, edition_run *R, diag *d) {
    course *c = L->c;
    const course_edition *ed = R->ed;
    const char *p = c->yaml_path;
    int bad = edition_final_check_string(ed, "the course title", c->title, L->title_literal, p, d);
    bad += edition_final_check_string(ed, "the subtitle", c->subtitle, 0, p, d);
    bad += edition_final_check_string(ed, "the description", c->description, 0, p, d);
    bad += edition_final_check_string(ed, "the publisher", c->publisher, 0, p, d);
    bad += edition_final_check_string(ed, "the rights", c->rights, 0, p, d);
    bad += edition_final_check_string(ed, "the edition title", ed->title, 0, p, d);
    for (int i = 0; i < c->nauthors; i++) bad += edition_final_check_string(ed, "an author", c->authors[i], 0, p, d);
    for (int k = 0; k < R->ctx.npages; k++)
        bad += edition_final_check_string(ed, "a module title", R->pages[k].title, R->pages[k].title_literal,
                                          R->pages[k].path, d);
    return bad ? -1 : 0;
}

/* Each -e name the course does not define is an error that lists the
 * course's editions (a typo must not quietly build less). The count. */
static int unknown_editions(const course *c, const build_opts *o, diag *d) {
    int bad = 0;
    for (const char **e = o->editions; e && *e; e++) {
        int known = 0, best = -1, bestd = 3;
        for (int k = 0; k < c->neditions && !known; k++) {
            known = strcmp(*e, c->editions[k].name) == 0;
            int dist = util_edit_distance(*e, c->editions[k].name);
            if (dist < bestd) bestd = dist, best = k;
        }
        if (known) continue;
        buf names = BUF_INIT;
        for (int k = 0; k < c->neditions; k++)
            buf_printf(&names, "%s`%s`", k == 0 ? "" : k == c->neditions - 1 ? " and " : ", ",
                       c->editions[k].name);
        buf hint = BUF_INIT;
        if (best >= 0) buf_printf(&hint, "did you mean `%s`? ", c->editions[best].name);
        diag_report(d, DIAG_ERROR, c->yaml_path, 0, 0, "no edition `%s` in this course (-e %s): %sits editions are %s",
                    *e, *e, hint.len ? hint.data : "", names.data);
        buf_free(&hint);
        buf_free(&names);
        bad++;
    }
    return bad;
}

/* Pass 2 for one course: open every wanted edition's writers, run the
 * workers over the modules, close the writers. Returns -1 if an edition
 * given with -e does not exist in the course. */
static int write_course(loaded *L, const build_opts *o, diag *d, diag *sink) {
    course *c = L->c;
    if (unknown_editions(c, o, d)) return -1;
    int html = o->want_html || o->want_epub ? o->want_html : c->format_html;
    int epub = o->want_html || o->want_epub ? o->want_epub : c->format_epub;
    L->runs = arena_alloc(L->a, sizeof(edition_run) * (size_t)(c->neditions + 1));
    L->build_time = build_time(c); /* once: every edition and Lua state of the build sees the same time */
    for (int e = 0; e < c->neditions; e++) {
        if (!want_edition(o, c->editions[e].name)) continue;
        edition_run *R = &L->runs[L->nruns++];
        R->ed = &c->editions[e];
        edition_pages(L, R);
        pthread_mutex_init(&R->mu, NULL);
        pthread_cond_init(&R->turn_cv, NULL);
        R->maxwaiting = EPUB_WAIT_PER_THREAD * nthreads_for(o);
        R->waiting = arena_alloc(L->a, sizeof(epub_wait) * (size_t)R->maxwaiting);
        edition_ctx *x = &R->ctx;
        x->c = c;
        x->ed = R->ed;
        x->pages = R->pages;
        x->course_pages = L->pages;
        x->ncourse_pages = c->nmodules;
        x->total_duration = -1;
        for (int k = 0; k < x->npages; k++)
            if (R->pages[k].duration >= 0) x->total_duration = (x->total_duration < 0 ? 0 : x->total_duration) + R->pages[k].duration;
        x->media = L->media;
        x->nmedia = L->nmedia;
        x->theme_dir = L->theme_dir;
        x->role_classes = L->role_classes;
        x->build_time = L->build_time;
        x->safe = o->safe;
        x->d = d;
        if (metadata_check(L, R, d) != 0) R->failed_source = 1;
        if (o->check_only) {
            R->check_only = 1;
            if (epub) R->book = epub_begin_check(x);
            continue;
        }
        outdir_error err;
        if (outdir_check_edition(L->out, R->ed->name, &err) != 0) {
            diag_report(d, DIAG_ERROR, err.path, 0, 0, "%s", err.msg);
            R->failed_write = 1;
            continue;
        }
        if (!(R->tmp = outdir_temp(L->out, R->ed->name))) {
            diag_report(d, DIAG_ERROR, outdir_path(L->out), 0, 0, "cannot create a temporary folder: %s",
                        strerror(errno));
            R->failed_write = 1;
            continue;
        }
        x->out_dir = R->tmp;
        if (html && !(R->site = html_begin(x))) R->failed_write = 1;
        if (epub && !R->failed_write && !(R->book = epub_begin(x))) R->failed_source = 1;
    }
    int nthreads = nthreads_for(o);
    if (nthreads > c->nmodules) nthreads = c->nmodules > 0 ? c->nmodules : 1;
    worker_state *ws = xcalloc((size_t)nthreads, sizeof *ws);
    void **states = xcalloc((size_t)nthreads, sizeof *states);
    for (int t = 0; t < nthreads; t++) {
        ws[t].hosts = xcalloc((size_t)L->nruns + 1, sizeof(filter_host *));
        ws[t].host_failed = xcalloc((size_t)L->nruns + 1, sizeof(int));
        states[t] = &ws[t];
    }
    pool P = {L, o, d, sink, PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, o->check_only ? "checking" : "writing"};
    P.progress = !o->quiet && isatty(2) && c->nmodules > 50;
    run_pool(&P, nthreads, c->nmodules, write_task, states);
    for (int t = 0; t < nthreads; t++) {
        for (int s = 0; s < L->nruns; s++) filter_host_free(ws[t].hosts[s]);
        free(ws[t].hosts);
        free(ws[t].host_failed);
    }
    free(ws);
    free(states);

    /* the editions' last files (index page, nav, package document) are
     * independent of each other: each edition finishes on a thread */
    void **args = xcalloc((size_t)L->nruns + 1, sizeof *args);
    for (int e = 0; e < L->nruns; e++) args[e] = &L->runs[e];
    run_each(finish_main, args, L->nruns);
    free(args);
    return 0;
}

static void *discard_main(void *tmp) {
    outdir_discard(tmp);
    return NULL;
}

/* Remove the temporary folders paths[0..n) (and free the paths), each on a
 * thread of its own: after a commit they hold the previous outputs, and
 * rebuilding the 1000-module bench course in place took 1.25 s with them
 * removed one after the other, 1.13 s so. */
static void discard_all(char **paths, int n) {
    run_each(discard_main, (void **)paths, n);
    for (int i = 0; i < n; i++) free(paths[i]);
}

/* Move the formats every edition of a course wrote into place, or, when any
 * edition failed (or keep is 0), throw them all away: the previous output
 * stays as it was. outdir_commit moves each path atomically and undoes its
 * moves when one fails, so a course is written all or nothing unless the
 * process dies in the middle. */
static void commit_course(loaded *L, int keep, int verbose, diag *d) {
    int ntmps = 0;
    for (int e = 0; e < L->nruns; e++) {
        if (L->runs[e].failed_source || L->runs[e].failed_write) keep = 0;
        if (L->runs[e].tmp) ntmps++;
    }
    char **tmps = xcalloc((size_t)ntmps + 1, sizeof *tmps);
    const char **eds = xcalloc((size_t)ntmps + 1, sizeof *eds);
    int *nfiles = xcalloc((size_t)ntmps + 1, sizeof *nfiles);
    int n = 0;
    for (int e = 0; e < L->nruns; e++) {
        edition_run *R = &L->runs[e];
        if (!R->tmp) continue;
        tmps[n] = R->tmp;
        eds[n] = R->ed->name;
        if (keep) nfiles[n] = outdir_count_files(R->tmp); /* before the commit puts the previous outputs there */
        n++;
        R->tmp = NULL;
    }
    outdir_error err;
    if (keep && n > 0 && outdir_commit(L->out, eds, tmps, n, &err) != 0) {
        diag_report(d, DIAG_ERROR, err.path, 0, 0, "%s", err.msg);
        for (int e = 0; e < L->nruns; e++) L->runs[e].failed_write = 1;
        keep = 0;
    }
    for (int i = 0; i < n && keep; i++) {
        L->files += nfiles[i];
        if (verbose) fprintf(stderr, "coursec: wrote %s/%s (%d files)\n", outdir_path(L->out), eds[i], nfiles[i]);
    }
    discard_all(tmps, n);
    free(tmps);
    free(eds);
    free(nfiles);
}

static void free_loaded(loaded *L) {
    if (!L) return;
    for (int i = 0; i < L->c->nmodules; i++) free(L->facts[i].packed);
    for (int e = 0; e < L->nruns; e++) {
        pthread_mutex_destroy(&L->runs[e].mu);
        pthread_cond_destroy(&L->runs[e].turn_cv);
        free(L->runs[e].tmp);
    }
    pthread_mutex_destroy(&L->mu);
    course_free(L->c);
    arena_free(L->a);
    free(L);
}

/* Refuse an output folder that is a file or that contains the course. */
static int check_output(const char *out, loaded **Ls, int n, diag *d) {
    struct stat st;
    if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode)) {
        diag_report(d, DIAG_ERROR, out, 0, 0, "the output folder is a file; choose another with -o");
        return -1;
    }
    if (fs_mkdir_p(out) != 0) {
        diag_report(d, DIAG_ERROR, out, 0, 0, "cannot create the output folder: %s", strerror(errno));
        return -1;
    }
    char *rout = realpath(out, NULL);
    if (!rout) {
        diag_report(d, DIAG_ERROR, out, 0, 0, "cannot resolve the output folder: %s", strerror(errno));
        return -1;
    }
    int bad = 0;
    size_t lo = strlen(rout);
    for (int i = 0; i < n; i++) {
        if (!Ls[i]) continue;
        const char *rd = Ls[i]->c->realdir;
        if (strncmp(rd, rout, lo) == 0 && (rd[lo] == '/' || rd[lo] == 0 || lo == 1)) {
            diag_report(d, DIAG_ERROR, out, 0, 0,
                        "the output folder contains the course sources of %s; choose another with -o", Ls[i]->c->dir);
            bad = 1;
        }
    }
    free(rout);
    return bad ? -1 : 0;
}

/* A course with errors is never filtered, but its filter chain is still
 * loaded once so that a filter that does not compile or cannot be found is
 * reported in the same run as the other problems (SPEC §9). */
static void check_filters(loaded *L, const build_opts *o, diag *d) {
    course *c = L->c;
    if (c->nfilters < 1 || c->neditions < 1) return;
    filter_opts fo = {0};
    fo.lua_dir = arena_printf(L->a, "%s/lua", o->data_dir);
    fo.trust = o->trust_filters;
    int nerr = 0;
    filter_host_free(filter_host_new(c, &c->editions[0], &fo, d, &nerr));
}

/* How long a build waits for another build of the same course into the same
 * output folder (seconds): generous, since the other build is making
 * progress (the 1000-module bench course builds in about 2 s), yet finite,
 * so that a CI job stuck behind a hung build ends. COURSEC_LOCK_WAIT sets
 * another (tests/outputs uses 1 s). */
#define LOCK_WAIT_SECONDS 600

static int by_course_id(const void *a, const void *b) {
    const loaded *x = *(loaded *const *)a, *y = *(loaded *const *)b;
    return strcmp(x->c->id, y->c->id);
}

/* Lock the output folder of every course about to be written (outdir_lock),
 * in the order of their ids, so that two builds of the same courses never
 * wait for each other in a circle; courses with the same id share one
 * lock. A course whose folder cannot be locked is not written (exit 2). */
static void lock_outputs(loaded **Ls, int n, const build_opts *o, diag *d) {
    loaded **order = xcalloc((size_t)n + 1, sizeof *order);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (Ls[i] && !Ls[i]->nerr) order[k++] = Ls[i];
    qsort(order, (size_t)k, sizeof *order, by_course_id);
    long wait_s = (long)env_number("COURSEC_LOCK_WAIT", LOCK_WAIT_SECONDS);
    for (int i = 0; i < k; i++) {
        loaded *L = order[i];
        if (i > 0 && strcmp(L->c->id, order[i - 1]->c->id) == 0) {
            L->out = order[i - 1]->out;
            L->out_failed = order[i - 1]->out_failed;
            continue;
        }
        outdir_error err;
        L->out = outdir_lock(o->out_dir, L->c->id, wait_s, o->quiet, &err);
        if (!L->out) {
            diag_report(d, DIAG_ERROR, err.path, 0, 0, "%s", err.msg);
            L->out_failed = 1;
        }
    }
    free(order);
}

/* Let go of every course's output folder (each shared lock once). */
static void unlock_outputs(loaded **Ls, int n) {
    for (int i = 0; i < n; i++) {
        if (!Ls[i] || !Ls[i]->out) continue;
        outdir *out = Ls[i]->out;
        for (int j = i; j < n; j++)
            if (Ls[j] && Ls[j]->out == out) Ls[j]->out = NULL;
        outdir_unlock(out);
    }
}

int build_run(const build_opts *o, const char **dirs, int ndirs, diag *d) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    diag *sink = diag_new(NULL, DIAG_TEXT, 0);
    loaded **Ls = xcalloc((size_t)ndirs + 1, sizeof *Ls);
    int status = 0;
    for (int i = 0; i < ndirs; i++) {
        Ls[i] = load_course(dirs[i], o, d, sink);
        if (!Ls[i] || Ls[i]->nerr) status = 1;
    }
    if (!o->check_only && check_output(o->out_dir, Ls, ndirs, d) != 0) {
        for (int i = 0; i < ndirs; i++) free_loaded(Ls[i]);
        free(Ls);
        diag_free(sink);
        diag_flush(d);
        return 2;
    }
    /* --strict: warnings so far stop the build before anything is written */
    int strict_stop = o->strict && diag_warnings(d) > 0;
    if (!o->check_only && !strict_stop) lock_outputs(Ls, ndirs, o, d);
    for (int i = 0; i < ndirs && !strict_stop; i++) {
        if (Ls[i] && Ls[i]->nerr) check_filters(Ls[i], o, d);
        if (!Ls[i] || Ls[i]->nerr) continue;
        if (Ls[i]->out_failed) {
            status = 2;
            continue;
        }
        if (write_course(Ls[i], o, d, sink) != 0) status = status ? status : 2;
    }
    int strict_fail = o->strict && diag_warnings(d) > 0;
    if (strict_fail && status == 0) status = 1;
    int editions = 0, courses = 0, files = 0;
    for (int i = 0; i < ndirs; i++) {
        loaded *L = Ls[i];
        if (!L) continue;
        courses++;
        commit_course(L, !strict_fail, o->verbose, d);
        for (int e = 0; e < L->nruns; e++) {
            if (L->runs[e].failed_write) status = 2;
            else if (L->runs[e].failed_source && status == 0) status = 1;
            else if (!L->runs[e].failed_source && !strict_fail) editions++;
        }
        files += L->files;
    }
    unlock_outputs(Ls, ndirs);
    diag_flush(d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!o->quiet) {
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        int w = diag_warnings(d);
        const char *strict_note = !o->strict || w == 0 ? ""
                                  : w == 1             ? " (an error under --strict)"
                                                       : " (errors under --strict)";
        fprintf(stderr,
                "coursec: %d course%s, %d edition%s %s, %d file%s written, %d warning%s%s, %d error%s in %.2f s\n",
                courses, courses == 1 ? "" : "s", editions, editions == 1 ? "" : "s",
                o->check_only ? "checked" : "built", files, files == 1 ? "" : "s", w, w == 1 ? "" : "s",
                strict_note, diag_errors(d), diag_errors(d) == 1 ? "" : "s", secs);
    }
    for (int i = 0; i < ndirs; i++) free_loaded(Ls[i]);
    free(Ls);
    diag_free(sink);
    return status;
}
