/* build.c — courses × editions → jobs: load and parse every module once
 * (course model, Markdown, timing tree, link check), then per edition clone,
 * prune, filter, guard and write, on a pool of worker threads; each edition
 * goes to a temporary folder renamed into place only on success. */
#include "build.h"
#include "arena.h"
#include "ast.h"
#include "buf.h"
#include "course.h"
#include "edition.h"
#include "epub.h"
#include "filter.h"
#include "fs.h"
#include "outdir.h"
#include "html.h"
#include "md.h"
#include "page.h"
#include "timing.h"
#include "util.h"
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One course after the parse phase: the unpruned trees and the facts the
 * writers need. Owned by build_run; freed after its editions are written. */
typedef struct loaded {
    course *c;
    arena *a;               /* master trees, pages, media */
    ast_node **docs;        /* per module; NULL where the module failed */
    page_info *pages;
    media_file *media;
    int nmedia, capmedia;
    int total_duration;
    const char *theme_dir;
    int nerr;
    int job_failed;         /* some edition of this course failed: commit none */
} loaded;

typedef struct job {
    loaded *L;
    const course_edition *ed;
    const build_opts *o;
    diag *d;
    const char *course_out; /* OUT/<course-id> */
    int failed_source;      /* filter or writer errors in the sources: exit 1 */
    int failed_write;       /* could not write: exit 2 */
    int files;
    char *tmp;              /* the finished edition, waiting for the commit */
} job;

typedef struct pool {
    job *jobs;
    int njobs, next, done;
    pthread_mutex_t mu;
    int progress;           /* show progress on a terminal */
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

/* ------------------------------------------------------------- the parse */

static const char *default_title(loaded *L, course_module *m, ast_node *doc) {
    if (m->title) return m->title;
    if (m->meta.title) return m->meta.title;
    for (ast_node *n = doc ? doc->first : NULL; n; n = n->next)
        if (n->type == AST_HEADING && n->level == 1) {
            char *t = ast_plain_text(L->a, n);
            if (*t) return t;
        }
    const char *base = strrchr(m->file, '/');
    base = base ? base + 1 : m->file;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? arena_strndup(L->a, base, (size_t)(dot - base)) : base;
}

typedef struct ids_ctx {
    const char **ids;
    int n, cap;
    arena *a;
} ids_ctx;

static int collect_ids(ast_node *n, void *ud) {
    ids_ctx *k = ud;
    if (!n->attr.id) return 0;
    if (k->n == k->cap) {
        int cap = k->cap ? k->cap * 2 : 16;
        const char **ni = arena_alloc(k->a, sizeof(char *) * (size_t)cap);
        if (k->n) memcpy(ni, k->ids, sizeof(char *) * (size_t)k->n);
        k->ids = ni;
        k->cap = cap;
    }
    k->ids[k->n++] = n->attr.id;
    return 0;
}

typedef struct link_ctx {
    loaded *L;
    int mi;
    ids_ctx *anchors; /* per module */
    diag *d;
} link_ctx;

static const char *add_media(loaded *L, const char *rel, const char *src) {
    for (int i = 0; i < L->nmedia; i++)
        if (strcmp(L->media[i].src, src) == 0) return L->media[i].rel;
    if (L->nmedia == L->capmedia) {
        L->capmedia = L->capmedia ? L->capmedia * 2 : 8;
        media_file *nm = arena_alloc(L->a, sizeof(media_file) * (size_t)L->capmedia);
        if (L->nmedia) memcpy(nm, L->media, sizeof(media_file) * (size_t)L->nmedia);
        L->media = nm;
    }
    media_file *mf = &L->media[L->nmedia++];
    mf->rel = arena_printf(L->a, "assets/media/%s", rel);
    mf->src = src;
    return mf->rel;
}

static int anchor_known(ids_ctx *k, const char *anchor) {
    for (int i = 0; i < k->n; i++)
        if (strcmp(k->ids[i], anchor) == 0) return 1;
    return 0;
}

/* Rewrite links to module sources and image paths; warn on missing link
 * targets and anchors, error on images that are missing or escape. */
static int link_visit(ast_node *n, void *ud) {
    link_ctx *k = ud;
    loaded *L = k->L;
    course *c = L->c;
    course_module *m = &c->modules[k->mi];
    if ((n->type != AST_LINK && n->type != AST_IMAGE) || !n->url || !*n->url) return 0;
    const char *url = n->url;
    if (has_scheme(url) || url[0] == '/' || (url[0] == '/' && url[1] == '/')) {
        if (url[0] == '/' && n->type == AST_IMAGE) {
            diag_report(k->d, DIAG_ERROR, m->path, n->line, n->col,
                        "image `%s` is an absolute path; use a path inside the course folder", url);
            L->nerr++;
        }
        return 0;
    }
    if (url[0] == '#') {
        if (!anchor_known(&k->anchors[k->mi], url + 1))
            diag_report(k->d, DIAG_WARNING, m->path, n->line, n->col, "link to `%s`: no heading or element has this id",
                        url);
        return 0;
    }
    const char *hash = strchr(url, '#');
    const char *q = strchr(url, '?');
    size_t plen = hash ? (size_t)(hash - url) : strlen(url);
    if (q && (size_t)(q - url) < plen) plen = (size_t)(q - url);
    char *path = arena_strndup(L->a, url, plen);
    const char *dir = dirname_rel(L->a, m->file);
    char *rel = normalize_rel(L->a, *dir ? arena_printf(L->a, "%s/%s", dir, path) : path);
    if (n->type == AST_IMAGE) {
        const char *why = "is outside the course folder";
        const char *real = rel ? course_resolve(c, rel, &why) : NULL;
        if (!real) {
            diag_report(k->d, DIAG_ERROR, m->path, n->line, n->col, "image `%s` %s", url, why);
            L->nerr++;
            return 0;
        }
        n->url = add_media(L, rel, real);
        return 0;
    }
    if (plen > 3 && strcmp(path + plen - 3, ".md") == 0) {
        int target = -1;
        if (rel)
            for (int i = 0; i < c->nmodules; i++) {
                char *mf = normalize_rel(L->a, c->modules[i].file);
                if (mf && strcmp(mf, rel) == 0) target = i;
            }
        if (target < 0 || !L->docs[target]) {
            if (target < 0)
                diag_report(k->d, DIAG_WARNING, m->path, n->line, n->col,
                            "link to `%s`: no module of the course has this file", url);
            return 0;
        }
        if (hash && hash[1] && !anchor_known(&k->anchors[target], hash + 1))
            diag_report(k->d, DIAG_WARNING, m->path, n->line, n->col, "link to `%s`: %s has no heading with id `%s`",
                        url, c->modules[target].file, hash + 1);
        n->url = arena_printf(L->a, "%s.html%s", L->pages[target].id, hash ? hash : "");
    }
    return 0;
}

static char *read_module(course_module *m, size_t *len, diag *d) {
    char *data = NULL;
    if (fs_read(m->abspath, &data, len) != 0) {
        diag_report(d, DIAG_ERROR, m->path, 0, 0, "cannot read module file: %s", strerror(errno));
        return NULL;
    }
    return data;
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
    const char *real = rel ? course_resolve(c, rel, &why) : NULL;
    struct stat st;
    if (!rel) why = "is outside the course folder";
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

static loaded *load_course(const char *dir, const build_opts *o, diag *d) {
    int nerr = 0;
    course *c = course_load(dir, d, &nerr);
    if (!c) return NULL;
    loaded *L = xcalloc(1, sizeof *L);
    L->c = c;
    L->a = arena_new();
    L->nerr = nerr;
    L->docs = arena_alloc(L->a, sizeof(ast_node *) * (size_t)(c->nmodules + 1));
    L->pages = arena_alloc(L->a, sizeof(page_info) * (size_t)(c->nmodules + 1));
    ids_ctx *anchors = arena_alloc(L->a, sizeof(ids_ctx) * (size_t)(c->nmodules + 1));
    md_options mo = {0};
    mo.safe = o->safe;
    int *durs = arena_alloc(L->a, sizeof(int) * (size_t)(c->nmodules + 1));
    int total = -1;

    L->theme_dir = find_theme(L, o, d);
    if (!L->theme_dir) L->nerr++;

    for (int i = 0; i < c->nmodules; i++) {
        course_module *m = &c->modules[i];
        page_info *p = &L->pages[i];
        p->path = m->path;
        p->duration = -1;
        p->start = c->start;
        durs[i] = -1;
        if (!m->abspath) continue; /* course_load reported it */
        size_t len = 0;
        char *src = read_module(m, &len, d);
        if (!src) {
            L->nerr++;
            continue;
        }
        int merr = 0;
        if (course_read_module(c, m, src, len, d) != 0) merr++;
        ast_node *doc = md_parse(L->a, src + m->meta.body_offset, len - m->meta.body_offset,
                                 m->meta.body_line > 0 ? m->meta.body_line : 1, m->path, &mo, d, &merr);
        free(src);
        if (doc) {
            if (edition_check(c, m, doc, d) != 0) merr++;
            p->duration = timing_module(c, m, doc, d, &merr);
            durs[i] = p->duration;
            if (p->duration >= 0) total = (total < 0 ? 0 : total) + p->duration;
            anchors[i].a = L->a;
            ast_walk(doc, collect_ids, &anchors[i]);
        }
        if (m->meta.start >= 0) p->start = m->meta.start;
        p->id = course_module_default_id(c, m);
        p->title = default_title(L, m, doc);
        L->docs[i] = doc;
        L->nerr += merr;
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
    for (int i = 0; i < c->nmodules; i++) {
        if (!L->docs[i]) continue;
        link_ctx k = {L, i, anchors, d};
        ast_walk(L->docs[i], link_visit, &k);
    }
    timing_course(c, durs, d);
    L->total_duration = total;
    return L;
}

static void free_loaded(loaded *L) {
    if (!L) return;
    course_free(L->c);
    arena_free(L->a);
    free(L);
}

/* --------------------------------------------------------------- editions */

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

static int want_edition(const build_opts *o, const char *name) {
    if (!o->editions) return 1;
    for (const char **e = o->editions; *e; e++)
        if (strcmp(*e, name) == 0) return 1;
    return 0;
}

static void run_job(job *J) {
    loaded *L = J->L;
    course *c = L->c;
    const build_opts *o = J->o;
    diag *d = J->d;
    int html = o->want_html || o->want_epub ? o->want_html : c->format_html;
    int epub = o->want_html || o->want_epub ? o->want_epub : c->format_epub;
    char *tmp = NULL;
    edition_ctx ctx = {0};
    ctx.c = c;
    ctx.ed = J->ed;
    ctx.pages = L->pages;
    ctx.npages = c->nmodules;
    ctx.total_duration = L->total_duration;
    ctx.media = L->media;
    ctx.nmedia = L->nmedia;
    ctx.theme_dir = L->theme_dir;
    ctx.build_time = build_time(c);
    ctx.safe = o->safe;
    ctx.d = d;

    if (!o->check_only) {
        if (fs_mkdir_p(J->course_out) != 0) {
            diag_report(d, DIAG_ERROR, J->course_out, 0, 0, "cannot create the output folder: %s", strerror(errno));
            J->failed_write = 1;
            return;
        }
        tmp = outdir_temp(J->course_out, J->ed->name);
        if (!tmp) {
            diag_report(d, DIAG_ERROR, J->course_out, 0, 0, "cannot create a temporary folder: %s", strerror(errno));
            J->failed_write = 1;
            return;
        }
        ctx.out_dir = tmp;
    }

    filter_opts fo = {0};
    char *lua_dir = xmalloc(strlen(o->data_dir) + 5);
    sprintf(lua_dir, "%s/lua", o->data_dir);
    fo.lua_dir = lua_dir;
    fo.trust = o->trust_filters;
    fo.cli_var_names = o->var_names;
    fo.cli_var_values = o->var_values;
    fo.ncli_vars = o->nvars;
    int nerr = 0;
    filter_host *host = c->nfilters ? filter_host_new(c, J->ed, &fo, d, &nerr) : NULL;
    int ok = !(c->nfilters && !host);

    html_site *site = NULL;
    epub_book *book = NULL;
    if (ok && tmp && html && !(site = html_begin(&ctx))) ok = 0, J->failed_write = 1;
    if (ok && tmp && epub && !(book = epub_begin(&ctx))) ok = 0, J->failed_write = 1;

    for (int i = 0; ok && i < c->nmodules; i++) {
        if (!L->docs[i]) continue;
        arena *a = arena_new();
        ast_node *doc = ast_clone(a, L->docs[i]);
        edition_prune(doc, J->ed);
        int fok = 1;
        if (host) {
            filter_module fm = {&c->modules[i], L->pages[i].id, L->pages[i].title, L->pages[i].duration,
                                L->pages[i].start};
            fok = filter_run(host, J->ed, &fm, a, doc, d) == 0;
        }
        if (!fok) {
            J->failed_source = 1;
        } else {
            edition_guard(doc, J->ed);
            if (site && html_page(site, i, doc) != 0) ok = 0, J->failed_write = 1;
            if (book && epub_module(book, i, doc) != 0) ok = 0, J->failed_source = 1;
        }
        arena_free(a);
    }
    if (J->failed_source) ok = 0;
    if (site) {
        if (ok && html_end(site) != 0) ok = 0, J->failed_write = 1;
        else if (!ok) html_abort(site);
    }
    if (book) {
        if (ok && epub_end(book) != 0) ok = 0, J->failed_source = 1;
        else if (!ok) epub_abort(book);
    }
    filter_host_free(host);
    free(lua_dir);
    if (!tmp) return;
    if (!ok) {
        outdir_rm_rf(tmp);
        free(tmp);
        return;
    }
    J->tmp = tmp;
}

/* Move every finished edition into place, or (when the build failed) throw
 * them all away so the previous output stays as it was. */
static void commit_jobs(job *jobs, int nj, int keep, diag *d) {
    for (int j = 0; j < nj; j++)
        if (jobs[j].failed_source || jobs[j].failed_write) jobs[j].L->job_failed = 1;
    for (int j = 0; j < nj; j++) {
        job *J = &jobs[j];
        if (!J->tmp) continue;
        if (!keep || J->L->job_failed) {
            outdir_rm_rf(J->tmp);
        } else {
            char *dest = xmalloc(strlen(J->course_out) + strlen(J->ed->name) + 2);
            sprintf(dest, "%s/%s", J->course_out, J->ed->name);
            if (outdir_replace(J->tmp, dest) != 0) {
                diag_report(d, DIAG_ERROR, dest, 0, 0, "cannot move the new edition into place: %s", strerror(errno));
                outdir_rm_rf(J->tmp);
                J->failed_write = 1;
            } else {
                J->files = outdir_count_files(dest);
            }
            free(dest);
        }
        free(J->tmp);
        J->tmp = NULL;
    }
}

static void *worker(void *arg) {
    pool *P = arg;
    for (;;) {
        pthread_mutex_lock(&P->mu);
        int i = P->next < P->njobs ? P->next++ : -1;
        pthread_mutex_unlock(&P->mu);
        if (i < 0) break;
        run_job(&P->jobs[i]);
        pthread_mutex_lock(&P->mu);
        P->done++;
        if (P->progress) {
            fprintf(stderr, "\r[%d/%d] editions", P->done, P->njobs);
            fflush(stderr);
        }
        pthread_mutex_unlock(&P->mu);
    }
    return NULL;
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

int build_run(const build_opts *o, const char **dirs, int ndirs, diag *d) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    loaded **Ls = xcalloc((size_t)ndirs + 1, sizeof *Ls);
    int status = 0;
    for (int i = 0; i < ndirs; i++) {
        Ls[i] = load_course(dirs[i], o, d);
        if (!Ls[i]) status = 1;
    }
    int write = !o->check_only;
    if (write && check_output(o->out_dir, Ls, ndirs, d) != 0) {
        for (int i = 0; i < ndirs; i++) free_loaded(Ls[i]);
        free(Ls);
        diag_flush(d);
        return 2;
    }

    /* jobs: every wanted edition of every course that parsed cleanly */
    int cap = 0;
    for (int i = 0; i < ndirs; i++)
        if (Ls[i]) cap += Ls[i]->c->neditions;
    job *jobs = xcalloc((size_t)cap + 1, sizeof *jobs);
    int nj = 0;
    for (int i = 0; i < ndirs; i++) {
        loaded *L = Ls[i];
        if (!L) continue;
        if (L->nerr) {
            status = 1;
            continue;
        }
        int any = 0;
        for (int e = 0; e < L->c->neditions; e++) {
            if (!want_edition(o, L->c->editions[e].name)) continue;
            any = 1;
            job *J = &jobs[nj++];
            J->L = L;
            J->ed = &L->c->editions[e];
            J->o = o;
            J->d = d;
            J->course_out = arena_printf(L->a, "%s/%s", o->out_dir, L->c->id);
        }
        if (!any && o->editions) {
            diag_report(d, DIAG_ERROR, L->c->yaml_path, 0, 0, "none of the editions given with -e exists in this course");
            status = 2;
        }
    }
    /* --strict: warnings from the parse phase stop the build before writing */
    if (o->strict && diag_warnings(d) > 0) {
        status = status ? status : 1;
        nj = 0;
    }

    pool P = {jobs, nj, 0, 0, PTHREAD_MUTEX_INITIALIZER, 0};
    P.progress = !o->quiet && isatty(2) && nj > 1;
    int nthreads = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (nthreads < 1) nthreads = 1;
    if (nthreads > nj) nthreads = nj;
    if (nthreads <= 1) {
        worker(&P);
    } else {
        pthread_t *th = xcalloc((size_t)nthreads, sizeof *th);
        for (int t = 0; t < nthreads; t++) pthread_create(&th[t], NULL, worker, &P);
        for (int t = 0; t < nthreads; t++) pthread_join(th[t], NULL);
        free(th);
    }
    if (P.progress) fputs("\r\033[K", stderr);
    for (int j = 0; j < nj; j++) {
        if (jobs[j].failed_write) status = 2;
        else if (jobs[j].failed_source && status == 0) status = 1;
    }
    int strict_fail = o->strict && diag_warnings(d) > 0;
    if (strict_fail && status == 0) status = 1;
    /* each course is committed on its own: a broken course does not keep a
     * good one from being written, but none of a broken course's editions is */
    commit_jobs(jobs, nj, !strict_fail, d);
    int files = 0, editions = 0, courses = 0;
    for (int j = 0; j < nj; j++) {
        if (jobs[j].failed_write && status != 2) status = 2;
        files += jobs[j].files;
        if (jobs[j].files) editions++;
    }
    for (int i = 0; i < ndirs; i++) courses += Ls[i] != NULL;
    diag_flush(d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!o->quiet) {
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        fprintf(stderr, "coursec: %d course%s, %d edition%s %s, %d file%s written, %d warning%s, %d error%s in %.2f s\n",
                courses, courses == 1 ? "" : "s", editions, editions == 1 ? "" : "s",
                o->check_only ? "checked" : "built", files, files == 1 ? "" : "s", diag_warnings(d),
                diag_warnings(d) == 1 ? "" : "s", diag_errors(d), diag_errors(d) == 1 ? "" : "s", secs);
    }
    free(jobs);
    for (int i = 0; i < ndirs; i++) free_loaded(Ls[i]);
    free(Ls);
    return status;
}
