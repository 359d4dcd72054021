/*
 * Allocation: a replaceable malloc/free pair (tests inject failures
 * through it) and a bump pool that a state frees in one go.
 */

#ifndef SE_POOL_H
#define SE_POOL_H

#include "se_core.h"

typedef struct se_pool_s  se_pool_t;

/*
 * Replaces the allocator of the core and of jansson (json_set_alloc_funcs);
 * NULL restores malloc/free.  Not thread-safe; call before building.
 */
void se_set_alloc_funcs(void *(*malloc_fn)(size_t), void (*free_fn)(void *));

void *se_malloc(size_t size);
void se_free(void *p);

se_pool_t *se_pool_create(void);
void se_pool_destroy(se_pool_t *pool);

/* zeroed, aligned for any object; NULL when out of memory */
void *se_pcalloc(se_pool_t *pool, size_t size);
void *se_pcalloc_n(se_pool_t *pool, size_t n, size_t size);

/* NUL-terminated copy */
char *se_pstrndup(se_pool_t *pool, const char *s, size_t len);

#endif /* SE_POOL_H */
