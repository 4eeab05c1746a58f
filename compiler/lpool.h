/* lpool.h — the memory of one Lua state (SPEC §11.6: each state allocates
 * from its own arena). Small blocks come from size-class free lists carved
 * out of chunks the pool owns and frees only when it is freed, so a block a
 * state freed (which may have held an answer) is only ever reused by the same
 * state; large blocks are mappings of their own, given back to the kernel
 * (which hands out zeroed pages) when freed. Not thread-safe: one pool per
 * state, used by the thread running that state. */
#ifndef COURSEC_LPOOL_H
#define COURSEC_LPOOL_H
#include <stddef.h>

typedef struct lpool lpool;

/* max_footprint: the most memory the pool may hold from the system (chunks
 * and mappings, used or free); 0 = no limit. Past it an allocation fails
 * (returns NULL), which Lua turns into a memory error. Never NULL (plain OOM
 * aborts). The caller frees with lpool_free. */
lpool *lpool_new(size_t max_footprint);
/* Give back every chunk and mapping (blocks still in use included). */
void lpool_free(lpool *p);

/* lua_Alloc semantics without a cap of its own: nsize 0 frees ptr (osize
 * bytes; NULL does nothing) and returns NULL; ptr NULL allocates nsize bytes;
 * otherwise resizes ptr from osize to nsize bytes, keeping the contents.
 * osize must be the size the block was allocated or last resized with.
 * Returns NULL when the request cannot be met (then ptr is unchanged).
 * Blocks are aligned for any type. */
void *lpool_alloc(lpool *p, void *ptr, size_t osize, size_t nsize);

/* Bytes held from the system: chunks plus mappings. */
size_t lpool_footprint(const lpool *p);

#endif
