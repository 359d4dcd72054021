/*
 * Allocation hooks and the bump pool.
 */

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "se_pool.h"

#define SE_POOL_BLOCK  16384
#define SE_POOL_ALIGN  16

typedef struct se_pool_block_s  se_pool_block_t;

struct se_pool_block_s {
    se_pool_block_t  *next;
    size_t            size;
    size_t            used;
    /* data follows, aligned */
};

struct se_pool_s {
    se_pool_block_t  *blocks;
};

#define SE_BLOCK_HDR                                                         \
    ((sizeof(se_pool_block_t) + SE_POOL_ALIGN - 1) & ~(size_t)               \
     (SE_POOL_ALIGN - 1))


static void *(*se_malloc_fn)(size_t) = malloc;
static void (*se_free_fn)(void *) = free;


void
se_set_alloc_funcs(void *(*malloc_fn)(size_t), void (*free_fn)(void *))
{
    if (malloc_fn == NULL || free_fn == NULL) {
        malloc_fn = malloc;
        free_fn = free;
    }

    se_malloc_fn = malloc_fn;
    se_free_fn = free_fn;

    json_set_alloc_funcs(malloc_fn, free_fn);
}


void *
se_malloc(size_t size)
{
    return se_malloc_fn(size);
}


void
se_free(void *p)
{
    if (p) {
        se_free_fn(p);
    }
}


se_pool_t *
se_pool_create(void)
{
    se_pool_t  *pool;

    pool = se_malloc(sizeof(se_pool_t));
    if (pool == NULL) {
        return NULL;
    }

    pool->blocks = NULL;

    return pool;
}


void
se_pool_destroy(se_pool_t *pool)
{
    se_pool_block_t  *b, *next;

    if (pool == NULL) {
        return;
    }

    for (b = pool->blocks; b; b = next) {
        next = b->next;
        se_free(b);
    }

    se_free(pool);
}


void *
se_pcalloc(se_pool_t *pool, size_t size)
{
    se_pool_block_t  *b;
    size_t            bsize;
    char             *p;

    if (size == 0) {
        size = 1;
    }

    if (size > SIZE_MAX / 2) {
        return NULL;
    }

    size = (size + SE_POOL_ALIGN - 1) & ~(size_t) (SE_POOL_ALIGN - 1);

    b = pool->blocks;

    if (b == NULL || b->size - b->used < size) {
        bsize = size > SE_POOL_BLOCK / 4 ? size : SE_POOL_BLOCK;

        b = se_malloc(SE_BLOCK_HDR + bsize);
        if (b == NULL) {
            return NULL;
        }

        b->size = bsize;
        b->used = 0;

        if (size > SE_POOL_BLOCK / 4 && pool->blocks) {
            /* a big one: keep filling the current block */
            b->next = pool->blocks->next;
            pool->blocks->next = b;

        } else {
            b->next = pool->blocks;
            pool->blocks = b;
        }
    }

    p = (char *) b + SE_BLOCK_HDR + b->used;
    b->used += size;

    memset(p, 0, size);

    return p;
}


void *
se_pcalloc_n(se_pool_t *pool, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / 2 / size) {
        return NULL;
    }

    return se_pcalloc(pool, n * size);
}


char *
se_pstrndup(se_pool_t *pool, const char *s, size_t len)
{
    char  *p;

    if (len == SIZE_MAX) {
        return NULL;
    }

    p = se_pcalloc(pool, len + 1);
    if (p == NULL) {
        return NULL;
    }

    if (len) {
        memcpy(p, s, len);
    }

    return p;
}
