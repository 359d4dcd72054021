/*
 * A counting allocator for the out-of-memory tests: fails the fail_at-th
 * allocation (0: never) and counts live blocks, to prove nothing leaks.
 * Install with se_set_alloc_funcs(t_malloc, t_free).
 */

#ifndef SE_FAILALLOC_H
#define SE_FAILALLOC_H

#include <stdlib.h>

static long  fail_at;       /* fail the n-th allocation, 0: never */
static long  nalloc;
static long  live;


static void *
t_malloc(size_t size)
{
    void  *p;

    nalloc++;

    if (fail_at && nalloc == fail_at) {
        return NULL;
    }

    p = malloc(size);
    if (p) {
        live++;
    }

    return p;
}


static void
t_free(void *p)
{
    if (p) {
        live--;
        free(p);
    }
}

#endif /* SE_FAILALLOC_H */
