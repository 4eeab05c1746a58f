/* lpool.c — a Lua state's own memory (see lpool.h): 44 size classes (16-byte
 * steps to 256, then four per doubling to 32 KiB) with free lists carved
 * from chunks of 64 KiB doubling to 1 MiB; larger blocks are anonymous
 * mappings with a small header that links them for lpool_free. A freed
 * large block is kept for the pool's next large request (up to
 * RETAIN_TOTAL bytes of them), or unmapped. */
#include "lpool.h"
#include "util.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define LPOOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LPOOL_ASAN 1
#endif
#endif
#ifdef LPOOL_ASAN
/* Free blocks and unused chunk space are poisoned, so AddressSanitizer still
 * sees overruns and uses after free inside the pool's chunks. */
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ALIGN 16
#define SMALL_MAX 32768
#define NCLASSES 44
#define FIRST_CHUNK ((size_t)64 << 10)
#define MAX_CHUNK ((size_t)1 << 20)
#define RETAIN_TOTAL ((size_t)32 << 20) /* free large blocks kept, at most */

typedef struct chunk {
    struct chunk *next;
    size_t size; /* bytes of the whole chunk, header included */
} chunk;
#define CHUNK_HDR ((sizeof(chunk) + ALIGN - 1) / ALIGN * ALIGN)

/* The header of a large block's mapping; the block follows it. */
typedef struct big {
    struct big *prev, *next;
    size_t size; /* bytes mapped, header included */
} big;
#define BIG_HDR ((sizeof(big) + ALIGN - 1) / ALIGN * ALIGN)

typedef struct freeblk {
    struct freeblk *next;
} freeblk;

struct lpool {
    freeblk *free[NCLASSES];
    char *bump, *end; /* the unused tail of the newest chunk */
    chunk *chunks;
    size_t next_chunk;
    big *bigs;       /* large blocks in use */
    big *free_bigs;  /* large blocks freed, kept for reuse */
    size_t free_big_bytes;
    size_t footprint, max_footprint;
    size_t page;
};

static int make_room(lpool *p, size_t more);

static unsigned class_of(size_t n) {
    if (n <= 256) return n ? (unsigned)((n + 15) / 16 - 1) : 0;
    unsigned lg = 63u - (unsigned)__builtin_clzll((unsigned long long)(n - 1)); /* 8..14 */
    unsigned sub = (unsigned)((n - 1 - ((size_t)1 << lg)) >> (lg - 2));          /* 0..3 */
    return 16 + (lg - 8) * 4 + sub;
}

static size_t class_size(unsigned c) {
    if (c < 16) return (size_t)(c + 1) * 16;
    unsigned lg = 8 + (c - 16) / 4, sub = (c - 16) % 4;
    return ((size_t)1 << lg) + (size_t)(sub + 1) * ((size_t)1 << (lg - 2));
}

lpool *lpool_new(size_t max_footprint) {
    lpool *p = xcalloc(1, sizeof *p);
    p->next_chunk = FIRST_CHUNK;
    p->max_footprint = max_footprint ? max_footprint : SIZE_MAX;
    long pg = sysconf(_SC_PAGESIZE);
    p->page = pg > 0 ? (size_t)pg : 4096;
    return p;
}

void lpool_free(lpool *p) {
    if (!p) return;
    for (chunk *c = p->chunks, *n; c; c = n) {
        n = c->next;
        UNPOISON(c, c->size);
        free(c);
    }
    for (int k = 0; k < 2; k++)
        for (big *b = k ? p->free_bigs : p->bigs, *n; b; b = n) {
            n = b->next;
            UNPOISON(b, b->size);
            munmap(b, b->size);
        }
    free(p);
}

size_t lpool_footprint(const lpool *p) { return p->footprint; }

static void push_free(lpool *p, void *blk, unsigned c) {
    UNPOISON(blk, sizeof(freeblk));
    ((freeblk *)blk)->next = p->free[c];
    p->free[c] = blk;
    POISON(blk, class_size(c));
}

/* The largest class whose blocks fit in n bytes (n >= 16, a multiple of 16). */
static unsigned class_within(size_t n) {
    unsigned c = class_of(n);
    while (c > 0 && class_size(c) > n) c--;
    return c;
}

/* A block of class c carved from the newest chunk (a new chunk when the
 * tail is too short: the old tail goes to the free lists of the classes it
 * can hold, so no byte of a chunk is lost). */
static void *small_carve(lpool *p, unsigned c) {
    size_t sz = class_size(c);
    if ((size_t)(p->end - p->bump) < sz) {
        size_t need = CHUNK_HDR + sz;
        size_t size = p->next_chunk > need ? p->next_chunk : need;
        if (!make_room(p, size)) return NULL;
        while ((size_t)(p->end - p->bump) >= 16) {
            unsigned k = class_within((size_t)(p->end - p->bump));
            void *blk = p->bump;
            p->bump += class_size(k);
            push_free(p, blk, k);
        }
        chunk *ch = malloc(size);
        if (!ch) return NULL;
        ch->next = p->chunks;
        ch->size = size;
        p->chunks = ch;
        p->footprint += size;
        if (p->next_chunk < MAX_CHUNK) p->next_chunk *= 2;
        p->bump = (char *)ch + CHUNK_HDR;
        p->end = (char *)ch + size;
        POISON(p->bump, (size_t)(p->end - p->bump));
    }
    void *blk = p->bump;
    p->bump += sz;
    return blk;
}

static size_t big_size(const lpool *p, size_t n) {
    size_t total = BIG_HDR + n;
    return (total + p->page - 1) / p->page * p->page;
}

static void big_link(big **list, big *b) {
    b->prev = NULL;
    b->next = *list;
    if (*list) (*list)->prev = b;
    *list = b;
}

static void big_unlink(big **list, big *b) {
    if (b->prev) b->prev->next = b->next;
    else *list = b->next;
    if (b->next) b->next->prev = b->prev;
}

/* Room for `more` bytes within max_footprint, unmapping kept free blocks if
 * that makes it. */
static int make_room(lpool *p, size_t more) {
    while (more > p->max_footprint || p->footprint > p->max_footprint - more) {
        big *b = p->free_bigs;
        if (!b) return 0;
        big_unlink(&p->free_bigs, b);
        p->free_big_bytes -= b->size;
        p->footprint -= b->size;
        UNPOISON(b, b->size);
        munmap(b, b->size);
    }
    return 1;
}

static void *big_alloc(lpool *p, size_t n) {
    if (n > SIZE_MAX / 2) return NULL;
    size_t size = big_size(p, n);
    big *best = NULL;
    for (big *b = p->free_bigs; b; b = b->next)
        if (b->size >= size && (!best || b->size < best->size)) best = b;
    if (best) {
        big_unlink(&p->free_bigs, best);
        p->free_big_bytes -= best->size;
        UNPOISON((char *)best + BIG_HDR, best->size - BIG_HDR);
        if (best->size / 2 > size && mremap(best, best->size, size, 0) != MAP_FAILED) {
            p->footprint -= best->size - size;
            best->size = size;
        }
        big_link(&p->bigs, best);
        return (char *)best + BIG_HDR;
    }
    if (!make_room(p, size)) return NULL;
    void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    big *b = m;
    b->size = size;
    big_link(&p->bigs, b);
    p->footprint += size;
    return (char *)b + BIG_HDR;
}

static big *big_of(void *ptr) { return (big *)((char *)ptr - BIG_HDR); }

static void big_free(lpool *p, void *ptr) {
    big *b = big_of(ptr);
    big_unlink(&p->bigs, b);
    if (b->size <= RETAIN_TOTAL - p->free_big_bytes) {
        big_link(&p->free_bigs, b);
        p->free_big_bytes += b->size;
        POISON((char *)b + BIG_HDR, b->size - BIG_HDR);
        return;
    }
    p->footprint -= b->size;
    munmap(b, b->size);
}

/* Resize a large block to n (> SMALL_MAX) bytes; mremap keeps the pages. */
static void *big_resize(lpool *p, void *ptr, size_t n) {
    big *b = big_of(ptr);
    if (n > SIZE_MAX / 2) return NULL;
    size_t size = big_size(p, n);
    if (size == b->size) return ptr;
    if (size > b->size && !make_room(p, size - b->size)) return NULL;
    size_t old = b->size;
    big_unlink(&p->bigs, b);
    void *m = mremap(b, old, size, MREMAP_MAYMOVE);
    if (m == MAP_FAILED) {
        big_link(&p->bigs, b);
        return size < old ? ptr : NULL;
    }
    b = m;
    b->size = size;
    big_link(&p->bigs, b);
    p->footprint = p->footprint - old + size;
    return (char *)b + BIG_HDR;
}

static void *alloc(lpool *p, size_t n) {
    if (n > SMALL_MAX) return big_alloc(p, n);
    unsigned c = class_of(n);
    freeblk *f = p->free[c];
    if (f) { /* the common case, kept short */
        UNPOISON(f, sizeof(freeblk));
        p->free[c] = f->next;
    } else {
        f = small_carve(p, c);
    }
    if (f) UNPOISON(f, n);
    return f;
}

static void release(lpool *p, void *ptr, size_t osize) {
    if (osize > SMALL_MAX) big_free(p, ptr);
    else push_free(p, ptr, class_of(osize));
}

void *lpool_alloc(lpool *p, void *ptr, size_t osize, size_t nsize) {
    if (nsize == 0) {
        if (ptr) release(p, ptr, osize);
        return NULL;
    }
    if (!ptr) return alloc(p, nsize);
    if (osize > SMALL_MAX && nsize > SMALL_MAX) return big_resize(p, ptr, nsize);
    if (osize <= SMALL_MAX && nsize <= SMALL_MAX) {
        unsigned oc = class_of(osize), nc = class_of(nsize);
        if (oc == nc) {
            UNPOISON(ptr, nsize);
            if (nsize < osize) POISON((char *)ptr + nsize, osize - nsize);
            return ptr;
        }
        void *q = alloc(p, nsize);
        if (!q) {
            /* a shrink that finds no smaller block keeps its block: freeing
             * it later into the smaller class's list is safe (it is larger) */
            if (nc < oc) {
                POISON((char *)ptr + nsize, osize - nsize);
                return ptr;
            }
            return NULL;
        }
        memcpy(q, ptr, osize < nsize ? osize : nsize);
        push_free(p, ptr, oc);
        return q;
    }
    void *q = alloc(p, nsize);
    if (!q) return NULL;
    memcpy(q, ptr, osize < nsize ? osize : nsize);
    release(p, ptr, osize);
    return q;
}
