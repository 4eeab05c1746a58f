/* test_lpool.c — a Lua state's own memory (lpool.c): contents survive
 * resizing across size classes and into and out of large blocks, a block one
 * pool freed is never handed out by another, the footprint limit holds and
 * memory freed under it is reused. Prints ok/FAIL lines; exits 1 on any
 * failure. */
#include "../../compiler/lpool.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, passes;

static void check(int cond, const char *name) {
    if (cond) passes++, printf("ok %s\n", name);
    else failures++, printf("FAIL %s\n", name);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A size from 1 byte to 200 KiB, most of them small (as Lua's are). */
static size_t some_size(void) {
    uint64_t r = next();
    switch (r % 8) {
    case 0: return 1 + (r >> 8) % 200000;
    case 1:
    case 2: return 1 + (r >> 8) % 4096;
    default: return 1 + (r >> 8) % 256;
    }
}

static void fill(unsigned char *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(seed + i * 31);
}

static int same(const unsigned char *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed + i * 31)) return 0;
    return 1;
}

#define NB 2000

static void test_stress(void) {
    lpool *p = lpool_new(0);
    unsigned char *blk[NB] = {0};
    size_t size[NB] = {0};
    int ok = 1, aligned = 1;
    for (int step = 0; step < 60000 && ok; step++) {
        int i = (int)(next() % NB);
        if (!blk[i]) {
            size[i] = some_size();
            blk[i] = lpool_alloc(p, NULL, 0, size[i]);
            if (!blk[i]) ok = 0;
            else fill(blk[i], size[i], (unsigned)i);
        } else if (next() % 3 == 0) {
            ok &= same(blk[i], size[i], (unsigned)i);
            lpool_alloc(p, blk[i], size[i], 0);
            blk[i] = NULL;
        } else {
            size_t ns = some_size();
            unsigned char *q = lpool_alloc(p, blk[i], size[i], ns);
            if (!q) {
                ok = 0;
                break;
            }
            ok &= same(q, size[i] < ns ? size[i] : ns, (unsigned)i);
            blk[i] = q;
            size[i] = ns;
            fill(q, ns, (unsigned)i);
        }
        if (blk[i]) aligned &= ((uintptr_t)blk[i] % 16) == 0;
    }
    for (int i = 0; i < NB; i++)
        if (blk[i]) ok &= same(blk[i], size[i], (unsigned)i);
    check(ok, "stress: contents survive allocation, resizing and freeing");
    check(aligned, "stress: blocks aligned to 16 bytes");
    for (int i = 0; i < NB; i++)
        if (blk[i]) lpool_alloc(p, blk[i], size[i], 0);
    lpool_free(p);
}

/* What one pool freed (it may have held an answer) is never handed out by
 * another pool: pool a frees its blocks and keeps them, pool c allocates as
 * many (malloc would give it a's blocks back). */
static void test_no_sharing(void) {
    lpool *a = lpool_new(0), *c = lpool_new(0);
    enum { N = 4000 };
    static char *pa[N];
    static size_t sa[N];
    for (int i = 0; i < N; i++) {
        sa[i] = 1 + next() % 2048;
        pa[i] = lpool_alloc(a, NULL, 0, sa[i]);
        memset(pa[i], 'A', sa[i]);
    }
    for (int i = 0; i < N; i++) lpool_alloc(a, pa[i], sa[i], 0);
    int overlap = 0;
    for (int k = 0; k < N; k++) {
        size_t n = 1 + next() % 2048;
        char *q = lpool_alloc(c, NULL, 0, n);
        for (int i = 0; i < N; i++)
            if (q < pa[i] + sa[i] && pa[i] < q + n) overlap = 1;
    }
    check(!overlap, "no sharing: a block freed by one pool is never handed out by another");
    lpool_free(a);
    lpool_free(c);
}

static void test_limit(void) {
    size_t max = (size_t)4 << 20;
    lpool *p = lpool_new(max);
    enum { N = 100000 };
    static void *blk[N];
    static size_t sz[N];
    int n = 0;
    size_t total = 0;
    while (n < N) {
        sz[n] = some_size();
        blk[n] = lpool_alloc(p, NULL, 0, sz[n]);
        if (!blk[n]) break;
        total += sz[n++];
    }
    check(n < N && lpool_footprint(p) <= max && total <= max, "limit: allocations fail at the footprint limit");
    for (int i = 0; i < n; i++) lpool_alloc(p, blk[i], sz[i], 0);
    int again = 0;
    for (int i = 0; i < n; i++) again += lpool_alloc(p, NULL, 0, sz[i]) != NULL;
    check(again == n, "limit: memory freed under the limit is used again");
    check(lpool_footprint(p) <= max, "limit: the footprint stays under the limit");
    lpool_free(p);
}

static void test_large(void) {
    lpool *p = lpool_new(0);
    unsigned char *q = lpool_alloc(p, NULL, 0, 100);
    fill(q, 100, 7);
    q = lpool_alloc(p, q, 100, 5000000);
    int ok = same(q, 100, 7);
    fill(q, 5000000, 9);
    q = lpool_alloc(p, q, 5000000, 9000000);
    ok &= same(q, 5000000, 9);
    q = lpool_alloc(p, q, 9000000, 40000);
    ok &= same(q, 40000, 9);
    q = lpool_alloc(p, q, 40000, 50);
    ok &= same(q, 50, 9);
    check(ok, "large: contents survive small → large → larger → smaller → small");
    size_t before = lpool_footprint(p);
    void *big1 = lpool_alloc(p, NULL, 0, 1 << 20);
    lpool_alloc(p, big1, 1 << 20, 0);
    size_t kept = lpool_footprint(p);
    void *big2 = lpool_alloc(p, NULL, 0, 1 << 20);
    check(big2 == big1 && lpool_footprint(p) == kept && kept > before, "large: a freed large block is reused");
    lpool_alloc(p, big2, 1 << 20, 0);
    lpool_alloc(p, q, 50, 0);
    lpool_free(p);
}

int main(void) {
    test_stress();
    test_no_sharing();
    test_limit();
    test_large();
    printf("%d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
