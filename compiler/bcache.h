/* bcache.h — what `coursec serve` keeps from one build for the next, so that
 * a saved change re-parses the modules that changed and re-renders only the
 * pages whose inputs changed (issue 16). Owned by its creator (serve.c),
 * filled and read by build.c. Only bcache.c includes xxhash.h.
 *
 * Everything is keyed by content: a key is a 128-bit XXH3 digest over every
 * input of a result, so a hit is a result a full build would produce again.
 *   - A module's facts (pass 1): key over course.yaml, the module's path and
 *     bytes and the parse options. Kept when the parse found no error, with
 *     the warnings and notes it reported, which a reuse reports again.
 *   - A page (pass 2, HTML only): key over the build's global inputs (course
 *     file, theme, filter files, variables, time, media), the edition's nav
 *     facts (every page's id, title, duration, start) and the module's facts
 *     key and link rewrites. Kept only when rendering it reported nothing.
 *     A hit is the page file of the last good build, hard-linked.
 * Results of a build are used by the next one only if it is committed (its
 * output became the last good one); a failed build's pages are forgotten.
 * A build during which an input changed (the server's watcher says so) may
 * have read a file after hashing it: what it made is forgotten, what it
 * reused stays (build_cache_end). */
#ifndef COURSEC_BCACHE_H
#define COURSEC_BCACHE_H
#include "build.h"
#include "diag.h"
#include "title.h"
#include <stddef.h>
#include <stdint.h>

typedef struct bkey {
    uint64_t lo, hi;
} bkey;

static inline int bkey_eq(bkey a, bkey b) { return a.lo == b.lo && a.hi == b.hi; }

/* A key being built: feed it the inputs, read the digest. */
typedef struct bhash bhash;
bhash *bhash_new(void);
void bhash_free(bhash *h);
void bhash_bytes(bhash *h, const void *p, size_t n);
/* A string with its length (NULL differs from ""), an integer, a key. */
void bhash_str(bhash *h, const char *s);
void bhash_int(bhash *h, long long v);
void bhash_key(bhash *h, bkey k);
/* A file's bytes (its absence is an input too: hashed as a marker). */
void bhash_file(bhash *h, const char *path);
/* The files of folder dir whose names end in suffix, in name order, with
 * their names. */
void bhash_dir(bhash *h, const char *dir, const char *suffix);
bkey bhash_digest(const bhash *h);

/* A diagnostic kept with a result, to be reported again when it is reused. */
typedef struct bc_diag {
    diag_severity sev;
    const char *path;
    int line, col;
    const char *msg;
} bc_diag;

/* What pass 1 keeps of a module (build.c's module_facts, for a clean parse).
 * Strings and arrays belong to the cache; valid until the build ends. */
typedef struct bc_facts {
    char *packed;
    size_t npacked;
    const char **ids;
    int nids;
    struct link_ref *links; /* rewrite NULL: links_check decides again */
    int nlinks;
    int duration;
    title_src titles;
    bc_diag *diags;         /* what its parse reported (no error) */
    int ndiags;
} bc_facts;

/* Thread-safe. The returned facts stay valid until build_cache_end. */
const bc_facts *bcache_facts_find(build_cache *c, bkey k);
/* Keep f (copied deeply; packed is taken over: the caller lets go of it),
 * with the reports rec (a diag_recorder over the parse) made. */
const bc_facts *bcache_facts_put(build_cache *c, bkey k, const bc_facts *f, const diag *rec);

/* A page of the last good build with key k: its path there (under the root
 * given to build_cache_commit) and the media it references; NULL if none.
 * Valid until build_cache_end. */
typedef struct bc_page {
    const char *rel;        /* "<edition>/site/<id>.html" */
    const char **media;     /* media_file.rel of each */
    int nmedia;
    const char *parts;      /* its parts of the print workbook and search index (html_page_parts), or NULL */
    size_t nparts;
} bc_page;
const bc_page *bcache_page_find(build_cache *c, bkey k, const char **root);
/* The page with key k is in this build's output at rel (reused: linked from
 * the last good build; else newly rendered), with these media and these
 * parts (html_page_parts; copied; NULL: none): the next build may reuse
 * it. */
void bcache_page_put(build_cache *c, bkey k, int reused, const char *rel, const char *const *media, int nmedia,
                     const char *parts, size_t nparts);

/* Add to this build's counts (build_cache_last). */
void bcache_count(build_cache *c, int reused_pages, int rendered_pages, int parsed_modules, int reused_modules);

#endif
