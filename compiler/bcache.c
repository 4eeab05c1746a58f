/* bcache.c — the build cache of `coursec serve` (see bcache.h and build.h):
 * the keys (XXH3-128), the facts of clean modules, the pages of the last good
 * build. One mutex guards everything; pass 1 and pass 2 workers call in. */
#include "bcache.h"
#include "arena.h"
#include "buildint.h"
#include "fs.h"
#include "util.h"
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* ---- keys ---------------------------------------------------------------- */

struct bhash {
    XXH3_state_t *st;
};

bhash *bhash_new(void) {
    bhash *h = xmalloc(sizeof *h);
    h->st = XXH3_createState();
    if (!h->st) { /* as xmalloc: out of memory is not a reported error */
        fputs("coursec: out of memory\n", stderr);
        abort();
    }
    XXH3_128bits_reset(h->st);
    return h;
}

void bhash_free(bhash *h) {
    if (!h) return;
    XXH3_freeState(h->st);
    free(h);
}

void bhash_bytes(bhash *h, const void *p, size_t n) {
    if (n) XXH3_128bits_update(h->st, p, n);
}

void bhash_int(bhash *h, long long v) { bhash_bytes(h, &v, sizeof v); }

void bhash_str(bhash *h, const char *s) {
    if (!s) {
        bhash_int(h, -1);
        return;
    }
    size_t n = strlen(s);
    bhash_int(h, (long long)n);
    bhash_bytes(h, s, n);
}

void bhash_key(bhash *h, bkey k) {
    bhash_bytes(h, &k.lo, sizeof k.lo);
    bhash_bytes(h, &k.hi, sizeof k.hi);
}

void bhash_file(bhash *h, const char *path) {
    char *data;
    size_t len;
    bhash_str(h, path);
    if (!path || fs_read(path, &data, &len) != 0) {
        bhash_int(h, -1);
        return;
    }
    bhash_int(h, (long long)len);
    bhash_bytes(h, data, len);
    free(data);
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void bhash_dir(bhash *h, const char *dir, const char *suffix) {
    bhash_str(h, dir);
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) {
        bhash_int(h, -1);
        return;
    }
    char **names = NULL;
    size_t n = 0, sl = strlen(suffix);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < sl || strcmp(e->d_name + l - sl, suffix) != 0) continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n; i++) {
        char *p = xasprintf("%s/%s", dir, names[i]);
        bhash_file(h, p);
        free(p);
        free(names[i]);
    }
    free(names);
}

bkey bhash_digest(const bhash *h) {
    XXH128_hash_t d = XXH3_128bits_digest(h->st);
    return (bkey){d.low64, d.high64};
}

/* ---- a table of entries by key ----------------------------------------- */

/* Open addressing on the key's low word; every entry starts with its key. */
typedef struct table {
    void **slot;
    size_t cap, n;
} table;

static void **table_at(const table *t, bkey k) {
    if (!t->cap) return NULL;
    for (size_t i = (size_t)k.lo & (t->cap - 1);; i = (i + 1) & (t->cap - 1))
        if (!t->slot[i] || bkey_eq(*(const bkey *)t->slot[i], k)) return &t->slot[i];
}

static void *table_find(const table *t, bkey k) {
    void **s = table_at(t, k);
    return s ? *s : NULL;
}

static void table_add(table *t, void *e) { /* e's key is not in t */
    if ((t->n + 1) * 2 > t->cap) {
        table old = *t;
        t->cap = old.cap ? old.cap * 2 : 64;
        t->slot = xcalloc(t->cap, sizeof *t->slot);
        t->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slot[i]) table_add(t, old.slot[i]);
        free(old.slot);
    }
    *table_at(t, *(const bkey *)e) = e;
    t->n++;
}

/* ---- the cache ---------------------------------------------------------- */

typedef struct fent {
    bkey k;
    bc_facts f;
    arena *a;
    unsigned long used; /* the last build that used it */
    unsigned long born; /* the build that made it */
    int capdiags;
} fent;

typedef struct pent {
    bkey k;
    bc_page p;
    arena *a;
    int reused;         /* a page of the build before, linked again */
} pent;

struct build_cache {
    pthread_mutex_t mu;
    unsigned long build;   /* the build under way (counts from 1) */
    table facts;
    table pages, next;     /* the last good build's pages, this build's */
    char *root;            /* the last good build's output root */
    build_cache_stats now, last;
};

build_cache *build_cache_new(void) {
    build_cache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    c->build = 1;
    return c;
}

static void free_fent(fent *e) {
    free(e->f.packed);
    arena_free(e->a);
    free(e);
}

static void free_pages(table *t) {
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i]) {
            arena_free(((pent *)t->slot[i])->a);
            free(t->slot[i]);
        }
    free(t->slot);
    memset(t, 0, sizeof *t);
}

void build_cache_free(build_cache *c) {
    if (!c) return;
    for (size_t i = 0; i < c->facts.cap; i++)
        if (c->facts.slot[i]) free_fent(c->facts.slot[i]);
    free(c->facts.slot);
    free_pages(&c->pages);
    free_pages(&c->next);
    free(c->root);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

void build_cache_end(build_cache *c, const char *root, int consistent) {
    pthread_mutex_lock(&c->mu);
    /* facts no module of this build asked for are gone (deleted or edited);
     * those made by a build whose inputs changed under it may not match
     * their key */
    table keep = {0};
    for (size_t i = 0; i < c->facts.cap; i++) {
        fent *e = c->facts.slot[i];
        if (!e) continue;
        if (e->used == c->build && (consistent || e->born != c->build)) table_add(&keep, e);
        else free_fent(e);
    }
    free(c->facts.slot);
    c->facts = keep;
    if (root) {
        free_pages(&c->pages);
        c->pages = c->next;
        memset(&c->next, 0, sizeof c->next);
        free(c->root);
        c->root = xstrdup(root);
        if (!consistent) { /* only the pages linked from a consistent build stay */
            table t = {0};
            for (size_t i = 0; i < c->pages.cap; i++) {
                pent *e = c->pages.slot[i];
                if (!e) continue;
                if (e->reused) {
                    table_add(&t, e);
                } else {
                    arena_free(e->a);
                    free(e);
                }
            }
            free(c->pages.slot);
            c->pages = t;
        }
    } else {
        free_pages(&c->next);
    }
    c->last = c->now;
    memset(&c->now, 0, sizeof c->now);
    c->build++;
    pthread_mutex_unlock(&c->mu);
}

build_cache_stats build_cache_last(build_cache *c) {
    pthread_mutex_lock(&c->mu);
    build_cache_stats s = c->last;
    pthread_mutex_unlock(&c->mu);
    return s;
}

const bc_facts *bcache_facts_find(build_cache *c, bkey k) {
    pthread_mutex_lock(&c->mu);
    fent *e = table_find(&c->facts, k);
    if (e) e->used = c->build;
    pthread_mutex_unlock(&c->mu);
    return e ? &e->f : NULL;
}

static void keep_diag(void *ud, diag_severity sev, const char *path, int line, int col, const char *msg) {
    fent *e = ud;
    arena_grow(e->a, (void **)&e->f.diags, &e->capdiags, e->f.ndiags, sizeof *e->f.diags);
    e->f.diags[e->f.ndiags++] = (bc_diag){sev, arena_strdup(e->a, path), line, col, arena_strdup(e->a, msg)};
}

const bc_facts *bcache_facts_put(build_cache *c, bkey k, const bc_facts *f, const diag *rec) {
    fent *e = xcalloc(1, sizeof *e);
    e->k = k;
    e->a = arena_new();
    arena *a = e->a;
    e->f.packed = f->packed;
    e->f.npacked = f->npacked;
    e->f.duration = f->duration;
    e->f.ids = arena_alloc(a, sizeof(char *) * (size_t)(f->nids + 1));
    for (int i = 0; i < f->nids; i++) e->f.ids[i] = arena_strdup(a, f->ids[i]);
    e->f.nids = f->nids;
    e->f.links = arena_alloc(a, sizeof(link_ref) * (size_t)(f->nlinks + 1));
    for (int i = 0; i < f->nlinks; i++) {
        e->f.links[i] = f->links[i];
        e->f.links[i].url = arena_strdup(a, f->links[i].url);
        e->f.links[i].rewrite = NULL;
    }
    e->f.nlinks = f->nlinks;
    title_copy(a, &f->titles, &e->f.titles);
    diag_each_recorded(rec, keep_diag, e);
    pthread_mutex_lock(&c->mu);
    e->used = e->born = c->build;
    fent *old = table_find(&c->facts, k);
    if (old) { /* the same module twice in the course: the first one stays */
        pthread_mutex_unlock(&c->mu);
        free_fent(e);
        return &old->f;
    }
    table_add(&c->facts, e);
    pthread_mutex_unlock(&c->mu);
    return &e->f;
}

const bc_page *bcache_page_find(build_cache *c, bkey k, const char **root) {
    pthread_mutex_lock(&c->mu);
    pent *e = c->root ? table_find(&c->pages, k) : NULL;
    *root = c->root;
    pthread_mutex_unlock(&c->mu);
    return e ? &e->p : NULL;
}

void bcache_page_put(build_cache *c, bkey k, int reused, const char *rel, const char *const *media, int nmedia,
                     const char *parts, size_t nparts) {
    pent *e = xcalloc(1, sizeof *e);
    e->k = k;
    e->reused = reused;
    e->a = arena_new();
    e->p.rel = arena_strdup(e->a, rel);
    e->p.media = arena_alloc(e->a, sizeof(char *) * (size_t)(nmedia + 1));
    for (int i = 0; i < nmedia; i++) e->p.media[i] = arena_strdup(e->a, media[i]);
    e->p.nmedia = nmedia;
    if (parts) {
        char *pc = arena_alloc(e->a, nparts + 1);
        memcpy(pc, parts, nparts);
        pc[nparts] = 0;
        e->p.parts = pc;
        e->p.nparts = nparts;
    }
    pthread_mutex_lock(&c->mu);
    int dup = table_find(&c->next, k) != NULL;
    if (!dup) table_add(&c->next, e);
    pthread_mutex_unlock(&c->mu);
    if (dup) {
        arena_free(e->a);
        free(e);
    }
}

void bcache_count(build_cache *c, int reused_pages, int rendered_pages, int parsed_modules, int reused_modules) {
    pthread_mutex_lock(&c->mu);
    c->now.pages_reused += reused_pages;
    c->now.pages_rendered += rendered_pages;
    c->now.modules_parsed += parsed_modules;
    c->now.modules_reused += reused_modules;
    pthread_mutex_unlock(&c->mu);
}
