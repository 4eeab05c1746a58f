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
 * succeeded, and nothing else there is touched (SPEC §8.3, §11.8).
 * This file is the orchestration; the worker threads are pool.c's, links
 * and media links.c's, the output folders commit.c's (buildint.h). */
#include "buildint.h"
#include "labels.h"
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
#include "pdf.h"
#include "questions.h"
#include "schedule.h"
#include "scorm.h"
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

/* Modules an EPUB holds at most while it waits for an earlier one (per
 * worker thread): enough that a worker never waits behind a slow module in
 * practice, few enough that memory stays bounded. */
#define EPUB_WAIT_PER_THREAD 3

/* Pass 1 keeps its packed trees for pass 2 while they fit in this many bytes.
 * A packed tree takes 1.2 times its source (a tree in the arena takes 12
 * times): 96 MB hold some 1900 modules of 40 KB; beyond that pass 2 parses
 * the rest again and memory stays bounded. The environment variable
 * COURSEC_PACK_BYTES sets another budget (tests/repro uses 0 to prove that
 * the re-parse path writes the same bytes). */
#define PACK_CACHE_BYTES ((size_t)96 << 20)
/* -------------------------------------------------------------- pass 1 */

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

/* Module i's facts from the build cache (a clean module whose key is
 * known): what facts_module would find again. Under L->mu. */
static void facts_from_cache(loaded *L, int i, const bc_facts *cf) {
    module_facts *f = &L->facts[i];
    L->pages[i].duration = cf->duration;
    title_copy(L->a, &cf->titles, &L->titles[i]);
    f->ids = arena_alloc(L->a, sizeof(char *) * (size_t)(cf->nids + 1));
    for (int k = 0; k < cf->nids; k++) f->ids[k] = cf->ids[k];
    f->nids = cf->nids;
    f->links = arena_alloc(L->a, sizeof(link_ref) * (size_t)(cf->nlinks + 1));
    for (int k = 0; k < cf->nlinks; k++) f->links[k] = cf->links[k]; /* links_check sets rewrite */
    f->nlinks = cf->nlinks;
    f->packed = cf->packed;
    f->npacked = cf->npacked;
    f->borrowed = 1;
    f->ok = 1;
}

/* The key of what pass 1 reads of module m: course.yaml and the options
 * (L->yaml_key), the module's names and its bytes. */
static bkey module_key(loaded *L, const course_module *m, const char *src, size_t len) {
    bhash *h = bhash_new();
    bhash_key(h, L->yaml_key);
    bhash_str(h, m->path);
    bhash_str(h, m->file);
    bhash_int(h, (long long)len);
    bhash_bytes(h, src, len);
    bkey k = bhash_digest(h);
    bhash_free(h);
    return k;
}

/* Parse module i; keep its facts. Runs on a worker: the course arena and the
 * course model are shared, so everything written to them is under L->mu.
 * With a build cache, a module parsed clean before with the same key is
 * not parsed again: its facts come from the cache. */
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
    diag *md = diag_scope(P->d); /* counts this module's errors */
    int bad = 0;
    pthread_mutex_lock(&L->mu);
    if (course_read_module(c, m, src, len, md) != 0) bad = 1;
    int room = L->cache || L->packed_bytes < L->pack_budget; /* else pass 2 parses again: no pack */
    pthread_mutex_unlock(&L->mu);
    bkey key = {0, 0};
    const bc_facts *cf = NULL;
    if (L->cache) {
        key = module_key(L, m, src, len);
        if (!bad) cf = bcache_facts_find(L->cache, key);
    }
    if (cf) {
        free(src);
        for (int k = 0; k < cf->ndiags; k++) /* what its parse said, said again */
            diag_report(md, cf->diags[k].sev, cf->diags[k].path, cf->diags[k].line, cf->diags[k].col, "%s",
                        cf->diags[k].msg);
        diag_free(md);
        pthread_mutex_lock(&L->mu);
        L->facts[i].key = key;
        facts_from_cache(L, i, cf);
        if (m->meta.start >= 0) p->start = m->meta.start;
        p->id = course_module_default_id(c, m);
        pthread_mutex_unlock(&L->mu);
        bcache_count(L->cache, 0, 0, 0, 1);
        return;
    }
    md_options mo = {0};
    mo.safe = P->o->safe;
    mo.max_bytes = MODULE_MAX_BYTES;
    mo.role_classes = L->role_classes;
    /* with a cache, what the parse reports is kept with its facts */
    diag *pd = L->cache ? diag_recorder(md) : md;
    arena *a = arena_new();
    ast_node *doc = md_parse(a, src + m->meta.body_offset, len - m->meta.body_offset,
                             m->meta.body_line > 0 ? m->meta.body_line : 1, m->path, &mo, pd);
    free(src);
    links_found g = {a, NULL, 0, 0, NULL, 0, 0};
    int duration = -1;
    title_src ts;
    title_collect(a, m, doc, L->role_classes, &ts, pd);
    if (doc) {
        if (edition_check(c, m, doc, pd) != 0) bad = 1;
        duration = timing_module(c, m, doc, pd);
        links_gather(doc, &g);
    }
    AST_CHECK(doc, m->path, "parsing");
    int merr = bad + diag_errors(md);
    buf pk = {0};
    if (doc && merr == 0 && room) {
        buf_grow(&pk, len + len / 4); /* a pack is about 1.2 × the source: no doubling copies */
        ast_pack(doc, &pk);
    }
    if (L->cache && merr == 0 && doc) {
        bc_facts keep = {pk.data, pk.len, g.ids, g.nids, g.links, g.nlinks, duration, ts, NULL, 0};
        cf = bcache_facts_put(L->cache, key, &keep, pd); /* takes the pack */
        memset(&pk, 0, sizeof pk);
    }
    if (L->cache) {
        bcache_count(L->cache, 0, 0, 1, 0);
        diag_free(pd);
    }
    diag_free(md);

    pthread_mutex_lock(&L->mu);
    module_facts *f = &L->facts[i];
    f->key = key;
    if (cf) {
        facts_from_cache(L, i, cf);
    } else {
        p->duration = duration;
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
        if (f->ok && pk.len && L->packed_bytes + pk.len <= L->pack_budget) {
            L->packed_bytes += pk.len;
            f->npacked = pk.len;
            f->packed = buf_detach(&pk);
        }
    }
    if (m->meta.start >= 0) p->start = m->meta.start;
    p->id = course_module_default_id(c, m);
    L->nerr += merr;
    pthread_mutex_unlock(&L->mu);
    buf_free(&pk);
    arena_free(a);
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
    char *rel = links_normalize(L->a, name);
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

static void facts_task(pool *P, int worker, int i, void *state) {
    (void)worker;
    (void)state;
    facts_module(P, i);
}

/* Parse the theme's templates once before anything is written, so that a
 * template error is reported against the course (exit 1, with the path the
 * user opens) and a course theme's file cannot be a link out of the course. */
static int check_theme(loaded *L, diag *d) {
    static const char *const names[] = {"page.html", "index.html"};
    course *c = L->c;
    size_t dl = strlen(c->realdir);
    char *in = fs_within(c->realdir, L->theme_dir, 0);
    const char *real = in ? arena_strdup(L->a, in) : NULL; /* starts with c->realdir "/" */
    int inside = in != NULL;
    free(in);
    int bad = 0;
    for (int i = 0; i < 2; i++) {
        const char *path = arena_printf(L->a, "%s/%s", L->theme_dir, names[i]);
        const char *shown = path;
        if (inside) {
            const char *rel = arena_printf(L->a, "%s/%s", real + dl + 1, names[i]);
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
    diag *s = diag_scope(d); /* counts the titles' errors */
    c->title = title_plain(c->arena, c->title, 0, 0, c->yaml_path, s, &L->title_literal);
    c->title = title_expand(c->arena, c, NULL, NULL, NULL, &tv, c->title, &L->title_literal);
    c->subtitle = title_plain(c->arena, c->subtitle, 0, 0, c->yaml_path, s, &lit);
    c->subtitle = title_expand(c->arena, c, NULL, NULL, NULL, &tv, c->subtitle, &lit);
    for (int e = 0; e < c->neditions; e++) {
        course_edition *ed = &c->editions[e];
        ed->title = title_plain(c->arena, ed->title, ed->at.line, ed->at.col, c->yaml_path, s, &lit);
        ed->title = title_expand(c->arena, c, NULL, NULL, ed, &tv, ed->title, &lit);
    }
    L->nerr += diag_errors(s);
    diag_free(s);
}

/* With a cache: what every module's parse reads besides its own file. */
static bkey yaml_key(const course *c, const build_opts *o) {
    bhash *h = bhash_new();
    bhash_int(h, (long long)c->yaml_len);
    bhash_bytes(h, c->yaml_src, c->yaml_len);
    bhash_str(h, c->dir);
    bhash_int(h, o->safe);
    bkey k = bhash_digest(h);
    bhash_free(h);
    return k;
}

static loaded *load_course(const char *dir, const build_opts *o, build_cache *cache, diag *d, diag *sink) {
    diag *s = diag_scope(d); /* counts course.yaml's errors */
    course *c = course_load(dir, s);
    int nerr = diag_errors(s);
    diag_free(s);
    if (!c) return NULL;
    loaded *L = xcalloc(1, sizeof *L);
    L->c = c;
    L->a = arena_new();
    pthread_mutex_init(&L->mu, NULL);
    L->nerr = nerr;
    if ((L->cache = cache)) L->yaml_key = yaml_key(c, o);
    L->pack_budget = (size_t)build_env_number("COURSEC_PACK_BYTES", PACK_CACHE_BYTES);
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
    if (L->theme_dir) { /* the strings of the theme in the course's language (labels.h) */
        int lerr = 0;
        c->labels = labels_load(L->a, arena_printf(L->a, "%s/themes/default", o->data_dir), L->theme_dir, c, d, &lerr);
        L->nerr += lerr;
    }

    pool P = {L, o, d, sink, PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, "reading"};
    P.progress = !o->quiet && isatty(2) && c->nmodules > 50;
    pool_run(&P, pool_nthreads(o), c->nmodules, facts_task, NULL);

    diag *ss = diag_scope(d); /* counts the schedule's errors */
    schedule_make(L->a, c, L->pages, L->titles, o->start ? course_parse_clock(o->start) : -1, o->date, &L->sched, ss);
    L->nerr += diag_errors(ss);
    diag_free(ss);
    int *durs = arena_alloc(L->a, sizeof(int) * (size_t)(c->nmodules + 1));
    int total = -1;
    for (int i = 0; i < c->nmodules; i++) {
        durs[i] = L->pages[i].is_break ? -1 : L->pages[i].duration; /* breaks are not the course's time */
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
    for (int i = 0; i < c->nmodules; i++) L->norm_files[i] = links_normalize(L->a, c->modules[i].file);
    for (int i = 0; i < c->nmodules; i++)
        for (int k = 0; k < L->facts[i].nlinks; k++) links_check(L, i, &L->facts[i].links[k], d);
    timing_course(c, durs, d);
    L->total_duration = total;
    return L;
}

/* -------------------------------------------------------------- pass 2 */

static long long build_time(const course *c, const build_opts *o) {
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
    return o->now > 0 ? o->now : (long long)time(NULL);
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

/* A filter run stuck for good inside a library function (filter_opts
 * on_fatal, on the watchdog's thread): its thread cannot be unwound, so the
 * build ends here. The diagnostics so far and the filter's are printed, the
 * unfinished editions' temporary folders removed (the previous output
 * stays as it was) and the process exits 1. */
static void stop_build(void *d) {
    diag_flush(d);
    outdir_abandon_all();
    _exit(1);
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
        fo.cpu_ms = (long)build_env_number("COURSEC_FILTER_CPU_MS", 0);
        fo.build_time = P->L->build_time;
        fo.on_fatal = stop_build;
        fo.fatal_arg = P->d;
        /* resolving course filter paths allocates in the course arena,
         * which the workers share: one host is made at a time */
        pthread_mutex_lock(&P->L->mu);
        W->hosts[slot] = filter_host_new(c, R->ed, &fo, P->d);
        pthread_mutex_unlock(&P->L->mu);
        free(lua_dir);
        if (!W->hosts[slot]) W->host_failed[slot] = 1;
    }
    return W->hosts[slot];
}

/* With a cache: the key of module i's page in edition R (its pass-1 key,
 * its links as resolved, its place in the edition, the nav). */
static bkey page_key(const loaded *L, const edition_run *R, int i, int pi) {
    const module_facts *f = &L->facts[i];
    bhash *h = bhash_new();
    bhash_key(h, R->nav_key);
    bhash_key(h, f->key);
    bhash_int(h, pi);
    for (int k = 0; k < f->nlinks; k++) bhash_str(h, f->links[k].rewrite);
    bkey key = bhash_digest(h);
    bhash_free(h);
    return key;
}

/* Module i's page of edition R as the last good build wrote it, if its key
 * is the same: linked into this build. 1 if so. */
static int reuse_page(loaded *L, edition_run *R, int pi, bkey key) {
    const char *root;
    const bc_page *bp = bcache_page_find(L->cache, key, &root);
    if (!bp) return 0;
    char *from = xasprintf("%s/%s", root, bp->rel);
    int ok = html_page_reuse(R->site, pi, from, bp->media, bp->nmedia, bp->parts, bp->nparts) == 0;
    free(from);
    if (ok) bcache_page_put(L->cache, key, 1, bp->rel, bp->media, bp->nmedia, bp->parts, bp->nparts);
    return ok;
}

static void write_trees(pool *P, worker_state *W, int i, const bkey *keys, const int *reused);

static void write_task(pool *P, int worker, int i, void *state) {
    (void)worker;
    loaded *L = P->L;
    worker_state *W = state;
    /* with a cache, the pages that need not change are linked first: when
     * every page of the module is, its tree is not even unpacked */
    bkey *keys = xcalloc((size_t)L->nruns + 1, sizeof *keys);
    int *reused = xcalloc((size_t)L->nruns + 1, sizeof *reused);
    int todo = 0, nreused = 0;
    for (int e = 0; e < L->nruns; e++) {
        edition_run *R = &L->runs[e];
        int pi = R->page_of[i];
        reused[e] = 0;
        if (pi < 0) continue;
        if (L->reuse_pages && L->facts[i].ok && R->site && !R->book && !R->questions) {
            keys[e] = page_key(L, R, i, pi);
            reused[e] = reuse_page(L, R, pi, keys[e]);
            nreused += reused[e];
        }
        todo += !reused[e];
    }
    if (L->cache) bcache_count(L->cache, nreused, 0, 0, 0);
    if (todo) write_trees(P, W, i, keys, reused);
    free(keys);
    free(reused);
}

/* Module i's tree for every edition whose page was not reused: unpacked
 * (or parsed again), then per edition cloned, pruned, filtered, guarded and
 * written. */
static void write_trees(pool *P, worker_state *W, int i, const bkey *keys, const int *reused) {
    loaded *L = P->L;
    course *c = L->c;
    course_module *m = &c->modules[i];
    arena *a = NULL;
    ast_node *doc = NULL;
    module_hold *hold = NULL;
    char *packed = NULL; /* the tree's strings point into it: freed after the arena (unless the cache's) */
    if (L->facts[i].packed) {
        a = arena_new();
        doc = ast_unpack_shared(a, L->facts[i].packed, L->facts[i].npacked);
        if (!L->facts[i].borrowed) packed = L->facts[i].packed;
        L->facts[i].packed = NULL;
        links_apply(doc, &L->facts[i]);
    } else if (L->facts[i].ok) {
        size_t len = 0;
        char *src = read_module(m, &len, P->d);
        if (src) {
            a = arena_new();
            md_options mo = {0};
            mo.safe = P->o->safe;
            mo.role_classes = L->role_classes;
            doc = md_parse(a, src + m->meta.body_offset, len - m->meta.body_offset,
                           m->meta.body_line > 0 ? m->meta.body_line : 1, m->path, &mo, P->sink);
            free(src);
            if (doc) {
                title_src ts; /* as in pass 1: the H1 a YAML title with a blank may add */
                title_collect(a, m, doc, L->role_classes, &ts, P->sink);
                timing_module(c, m, doc, P->sink);
                links_apply(doc, &L->facts[i]);
            }
        }
        if (!doc) /* the file changed since pass 1, or cannot be read again */
            for (int e = 0; e < L->nruns; e++) mark_failed(&L->runs[e], 1, 0);
    }
    AST_CHECK(doc, m->path, L->facts[i].npacked ? "unpacking" : "parsing again");
    int last = -1; /* the last edition with this module takes the parsed tree itself, the others a copy */
    for (int e = 0; e < L->nruns; e++)
        if (L->runs[e].page_of[i] >= 0 && !reused[e]) last = e;
    for (int e = 0; e < L->nruns; e++) {
        edition_run *R = &L->runs[e];
        int pi = R->page_of[i];
        if (pi < 0 || reused[e]) continue; /* not in this edition (only:/except:), or linked */
        ast_node *t = NULL;
        /* with a cache, a page whose writing reports nothing is kept */
        int keep = L->reuse_pages && R->site && !R->book;
        diag *pd = keep ? diag_scope(P->d) : P->d;
        const char **used = NULL;
        int nused = 0, written = 0;
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
                if (filter_run(h, R->ed, &fm, a, t, pd) != 0) {
                    mark_failed(R, 1, 0);
                    t = NULL;
                }
            }
            AST_CHECK(t, m->path, "pruning and the filters");
            if (t) {
                edition_guard(c, a, t, R->ed);
                AST_CHECK(t, m->path, "the edition's last changes");
                if (edition_final_check(c, R->ed, t, m->path, pd) != 0) {
                    mark_failed(R, 1, 0);
                    t = NULL;
                } else if (R->site && html_page_used(R->site, pi, t, keep ? &used : NULL, &nused) != 0) {
                    mark_failed(R, 0, 1);
                } else {
                    written = 1;
                }
                if (t && R->questions) questions_module(R->qbank, pi, t);
            }
        }
        if (keep) {
            if (written && diag_reports(pd) == 0) {
                char *rel = xasprintf("%s/site/%s.html", R->ed->name, R->pages[pi].id);
                size_t nparts = 0;
                char *parts = html_page_parts(R->site, pi, &nparts);
                bcache_page_put(L->cache, keys[e], 0, rel, used, nused, parts, nparts);
                free(parts);
                free(rel);
            }
            free(used);
            diag_free(pd);
        }
        if (L->cache && R->site) bcache_count(L->cache, 0, 1, 0, 0);
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


/* The module link or image that names url, for a warning about it. */
static int locate_url(void *ud, const char *url, const char **path, int *line, int *col) {
    const loaded *L = ud;
    for (int i = 0; i < L->c->nmodules; i++)
        for (int k = 0; k < L->facts[i].nlinks; k++) {
            const link_ref *r = &L->facts[i].links[k];
            if (r->url && (!strcmp(r->url, url) || (r->rewrite && !strcmp(r->rewrite, url)))) {
                *path = L->c->modules[i].path, *line = r->line, *col = r->col;
                return 1;
            }
        }
    /* raw HTML names it (an <img src=...>): its first place in a module file */
    for (int i = 0; i < L->c->nmodules; i++) {
        const course_module *m = &L->c->modules[i];
        char *src = NULL;
        size_t len = 0;
        if (!m->abspath || fs_read(m->abspath, &src, &len) != 0) continue;
        const char *at = strstr(src, url);
        int found = at != NULL;
        if (found) {
            int ln = 1;
            const char *bol = src;
            for (const char *p = src; p < at; p++)
                if (*p == '\n') ln++, bol = p + 1;
            *path = m->path, *line = ln, *col = (int)(at - bol) + 1;
        }
        free(src);
        if (found) return 1;
    }
    return 0;
}

/* The edition's PDF from its print workbook. */
static int write_pdf(edition_run *R) {
    const course *c = R->ctx.c;
    char *site = xasprintf("%s/site", R->tmp);
    char *wb = xasprintf("%s/_print.html", site);
    char *name = xasprintf("%s-%s.pdf", c->id, R->ed->name);
    char *out = xasprintf("%s/%s", R->tmp, name);
    char *ident = xasprintf("coursec:%s:%s", c->id, R->ed->name);
    int rc = 0;
    struct stat st;
    if (stat(wb, &st) != 0) {
        diag_report(R->ctx.d, DIAG_ERROR, c->theme_at.path ? c->theme_at.path : c->yaml_path, c->theme_at.line,
                    c->theme_at.col, "the theme has no print.html, so no PDF can be made: add one (see coursec's "
                    "themes/default/print.html) or leave out `pdf`");
        rc = -1;
    } else {
        pdf_job j = {site, out, name, ident, R->ctx.build_time, locate_url, (void *)R->L};
        rc = pdf_write(&j, R->ctx.d);
    }
    free(site), free(wb), free(name), free(out), free(ident);
    return rc;
}

/* The edition's SCORM package from its finished site. */
static int write_scorm(edition_run *R) {
    const course *c = R->ctx.c;
    char *site = xasprintf("%s/site", R->tmp);
    char *out = xasprintf("%s/%s-%s.scorm.zip", R->tmp, c->id, R->ed->name);
    int rc = scorm_write(&R->ctx, site, out);
    free(site), free(out);
    return rc;
}

/* The site goes when it was made only for the PDF or the package. */
static int drop_temp_site(edition_run *R) {
    if (outdir_drop(R->tmp, "site") == 0) return 0;
    diag_report(R->ctx.d, DIAG_ERROR, R->tmp, 0, 0, "cannot remove a temporary folder: %s", strerror(errno));
    return -1;
}

/* Close an edition's writers: finished when the edition succeeded so far,
 * else abandoned. */
static void *finish_main(void *arg) {
    edition_run *R = arg;
    int ok = !R->failed_source && !R->failed_write;
    if (R->site) {
        if (ok && html_end(R->site) != 0) ok = 0, R->failed_write = 1;
        else if (!ok) html_abort(R->site);
        if (ok && R->pdf && write_pdf(R) != 0) ok = 0, R->failed_write = 1;
        if (ok && R->scorm && write_scorm(R) != 0) ok = 0, R->failed_write = 1;
        if (ok && R->site_temp && drop_temp_site(R) != 0) ok = 0, R->failed_write = 1;
    }
    if (ok && R->questions && questions_write(R->qbank, R->tmp, R->ctx.d) != 0) ok = 0, R->failed_write = 1;
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
    bad += edition_final_check_string(ed, "the version", c->version, 0, p, d);
    bad += edition_final_check_string(ed, "the organisation", c->organisation, 0, p, d);
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

/* Question banks are written only for editions that include `answer`
 * (SPEC §11.8): asking for them when no selected edition does is an error. */
static int no_answer_edition(const course *c, const build_opts *o, int explicit, diag *d) {
    buf names = BUF_INIT;
    int n = 0;
    for (int e = 0; e < c->neditions; e++) {
        if (!want_edition(o, c->editions[e].name)) continue;
        if (edition_includes(&c->editions[e], "answer")) {
            buf_free(&names);
            return 0;
        }
        buf_printf(&names, "%s`%s`", n++ ? ", " : "", c->editions[e].name);
    }
    const char *fix = explicit ? "leave out -f questions or choose an edition with answers with -e"
                               : "remove `questions` from `formats` or add an edition that includes `answer`";
    const pos *at = explicit ? NULL : &c->formats_at;
    diag_report(d, DIAG_ERROR, at && at->path ? at->path : c->yaml_path, at ? at->line : 0, at ? at->col : 0,
                "no question bank can be written: no edition built here includes the role `answer` (%s); %s",
                names.len ? names.data : "none", fix);
    buf_free(&names);
    return 1;
}

/* With a cache: the key of what every page reads besides its module and
 * the nav: course.yaml, the theme's templates, the filters (and every file
 * of their folders, which they may require), the variables, the time and
 * the course's media. */
static bkey global_key(loaded *L, const build_opts *o) {
    course *c = L->c;
    bhash *h = bhash_new();
    bhash_key(h, L->yaml_key);
    bhash_str(h, L->theme_dir);
    const char *tp = arena_printf(L->a, "%s/page.html", L->theme_dir);
    bhash_file(h, tp);
    bhash_dir(h, arena_printf(L->a, "%s/labels", L->theme_dir), ".yaml");
    bhash_dir(h, arena_printf(L->a, "%s/themes/default/labels", o->data_dir), ".yaml");
    const char *lua_dir = arena_printf(L->a, "%s/lua", o->data_dir);
    for (int i = 0; i < c->nfilters; i++) {
        char *f = filter_file(c, lua_dir, i);
        char *slash = f ? strrchr(f, '/') : NULL;
        if (slash) *slash = 0;
        bhash_dir(h, f, ".lua");
        free(f);
    }
    bhash_int(h, o->nvars);
    for (int i = 0; i < o->nvars; i++) {
        bhash_str(h, o->var_names[i]);
        bhash_str(h, o->var_values[i]);
    }
    bhash_int(h, L->build_time);
    bhash_str(h, o->start);
    bhash_str(h, o->date);
    bhash_int(h, L->nmedia);
    for (int i = 0; i < L->nmedia; i++) {
        bhash_str(h, L->media[i].rel);
        bhash_str(h, L->media[i].src);
    }
    bkey k = bhash_digest(h);
    bhash_free(h);
    return k;
}

/* The global key and what every page of edition R shows of the others:
 * their ids, titles, durations and starts, and the course's module ids. */
static bkey nav_key(loaded *L, bkey global, const edition_run *R) {
    bhash *h = bhash_new();
    bhash_key(h, global);
    bhash_str(h, R->ed->name);
    bhash_int(h, R->ctx.npages);
    for (int k = 0; k < R->ctx.npages; k++) {
        const page_info *pg = &R->pages[k];
        bhash_str(h, pg->id);
        bhash_str(h, pg->title);
        bhash_str(h, pg->path);
        bhash_int(h, pg->duration);
        bhash_int(h, pg->start);
        bhash_int(h, pg->day);
        bhash_int(h, pg->is_break);
        bhash_int(h, pg->title_literal);
    }
    bhash_int(h, R->ctx.total_duration);
    bhash_int(h, R->ctx.scorm);
    for (int i = 0; i < L->c->nmodules; i++) bhash_str(h, L->pages[i].id);
    bkey k = bhash_digest(h);
    bhash_free(h);
    return k;
}

/* Pass 2 for one course: open every wanted edition's writers, run the
 * workers over the modules, close the writers. Returns -1 when the command
 * line asks for what the course cannot give (an edition given with -e that
 * does not exist, -f questions with no edition that includes `answer`) or
 * the PDF tool is missing, 1 when course.yaml does (`questions` in formats
 * with no such edition), else 0. */
static int write_course(loaded *L, const build_opts *o, diag *d, diag *sink) {
    course *c = L->c;
    if (unknown_editions(c, o, d)) return -1;
    int explicit = o->want_html || o->want_epub || o->want_pdf || o->want_scorm || o->want_questions; /* -f given */
    int html = explicit ? o->want_html : c->format_html;
    int epub = explicit ? o->want_epub : c->format_epub;
    int pdf = explicit ? o->want_pdf : c->format_pdf;
    int scorm = explicit ? o->want_scorm : c->format_scorm;
    int questions = explicit ? o->want_questions : c->format_questions;
    if (pdf && !o->check_only && pdf_available(d) != 0) return -1;
    if (questions && no_answer_edition(c, o, explicit, d)) return explicit ? -1 : 1;
    L->runs = arena_alloc(L->a, sizeof(edition_run) * (size_t)(c->neditions + 1));
    L->build_time = build_time(c, o); /* once: every edition and Lua state of the build sees the same time */
    for (int e = 0; e < c->neditions; e++) {
        if (!want_edition(o, c->editions[e].name)) continue;
        edition_run *R = &L->runs[L->nruns++];
        R->ed = &c->editions[e];
        R->L = L;
        edition_pages(L, R);
        pthread_mutex_init(&R->mu, NULL);
        pthread_cond_init(&R->turn_cv, NULL);
        R->maxwaiting = EPUB_WAIT_PER_THREAD * pool_nthreads(o);
        R->waiting = arena_alloc(L->a, sizeof(epub_wait) * (size_t)R->maxwaiting);
        edition_ctx *x = &R->ctx;
        x->c = c;
        x->ed = R->ed;
        x->pages = R->pages;
        x->course_pages = L->pages;
        x->ncourse_pages = c->nmodules;
        x->total_duration = -1;
        for (int k = 0; k < x->npages; k++)
            if (R->pages[k].duration >= 0 && !R->pages[k].is_break) x->total_duration = (x->total_duration < 0 ? 0 : x->total_duration) + R->pages[k].duration;
        x->sched = &L->sched;
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
        /* a PDF is laid out from the site's print workbook */
        R->pdf = pdf;
        R->scorm = scorm;
        R->questions = questions && edition_includes(R->ed, "answer");
        if (R->questions) R->qbank = questions_new(x);
        R->site_temp = (pdf || scorm) && !html;
        x->scorm = scorm; /* module pages load the LMS runtime */
        if ((html || pdf || scorm) && !(R->site = html_begin(x))) R->failed_write = 1;
        if (epub && !R->failed_write && !(R->book = epub_begin(x))) R->failed_source = 1;
    }
    /* a trusted filter may read any file: its pages are never reused */
    L->reuse_pages = L->cache && !o->trust_filters;
    if (L->reuse_pages) {
        bkey g = global_key(L, o);
        for (int e = 0; e < L->nruns; e++) L->runs[e].nav_key = nav_key(L, g, &L->runs[e]);
    }
    int nthreads = pool_nthreads(o);
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
    pool_run(&P, nthreads, c->nmodules, write_task, states);
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
    pool_each(finish_main, args, L->nruns);
    free(args);
    return 0;
}

static void free_loaded(loaded *L) {
    if (!L) return;
    for (int i = 0; i < L->c->nmodules; i++)
        if (!L->facts[i].borrowed) free(L->facts[i].packed);
    for (int e = 0; e < L->nruns; e++) {
        pthread_mutex_destroy(&L->runs[e].mu);
        pthread_cond_destroy(&L->runs[e].turn_cv);
        questions_free(L->runs[e].qbank);
        free(L->runs[e].tmp);
    }
    pthread_mutex_destroy(&L->mu);
    course_free(L->c);
    arena_free(L->a);
    free(L);
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
    filter_host_free(filter_host_new(c, &c->editions[0], &fo, d));
}

int build_run(const build_opts *o, const char **dirs, int ndirs, diag *d) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    diag *sink = diag_new(NULL, DIAG_TEXT, 0);
    loaded **Ls = xcalloc((size_t)ndirs + 1, sizeof *Ls);
    int status = 0;
    for (int i = 0; i < ndirs; i++) {
        Ls[i] = load_course(dirs[i], o, ndirs == 1 && !o->check_only ? o->cache : NULL, d, sink);
        if (!Ls[i] || Ls[i]->nerr) status = 1;
    }
    if (!o->check_only && commit_check_output(o->out_dir, Ls, ndirs, d) != 0) {
        for (int i = 0; i < ndirs; i++) free_loaded(Ls[i]);
        free(Ls);
        diag_free(sink);
        diag_flush(d);
        return 2;
    }
    /* --strict: warnings so far stop the build before anything is written */
    int strict_stop = o->strict && diag_warnings(d) > 0;
    if (!o->check_only && !strict_stop) commit_lock(Ls, ndirs, o, d);
    for (int i = 0; i < ndirs && !strict_stop; i++) {
        if (Ls[i] && Ls[i]->nerr) check_filters(Ls[i], o, d);
        if (!Ls[i] || Ls[i]->nerr) continue;
        if (Ls[i]->out_failed) {
            status = 2;
            continue;
        }
        int wc = write_course(Ls[i], o, d, sink);
        if (wc != 0) status = status ? status : wc > 0 ? 1 : 2;
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
    commit_unlock(Ls, ndirs);
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

