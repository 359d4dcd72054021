
/*
 * status-edge: the states a worker serves.  A snapshot read from Redis is
 * built into a state off the event loop (nginx's thread pool), published
 * by swapping one pointer, and copied into shared memory so that a worker
 * started by a reload or after a crash serves the last state at once,
 * even while Redis is down.  Requests borrow a state by reference count.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge.h"
#include "se_raw_codec.h"


/* one page's last snapshot in shared memory */
typedef struct ngx_http_status_edge_shm_page_s
    ngx_http_status_edge_shm_page_t;

struct ngx_http_status_edge_shm_page_s {
    ngx_http_status_edge_shm_page_t  *next;
    u_char                            prefix[NGX_HTTP_STATUS_EDGE_PREFIX_MAX];
    size_t                            prefix_len;
    uint64_t                          hash;
    time_t                            saved_at;
    u_char                           *data;
    size_t                            len;
};


typedef struct {
    ngx_http_status_edge_shm_page_t  *pages;
} ngx_http_status_edge_shctx_t;


typedef struct {
    ngx_http_status_edge_page_t      *page;
    u_char                           *buf;
    size_t                            len;
    se_state_t                       *state;
    ngx_int_t                         rc;
    ngx_log_t                        *log;
} ngx_http_status_edge_build_t;


static ngx_int_t ngx_http_status_edge_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_http_status_edge_shm_page_t *ngx_http_status_edge_shm_page(
    ngx_slab_pool_t *shpool, ngx_http_status_edge_shctx_t *sh,
    ngx_str_t *prefix, ngx_uint_t create);
static ngx_int_t ngx_http_status_edge_save(
    ngx_http_status_edge_page_t *page, u_char *buf, size_t len,
    ngx_log_t *log);
static void ngx_http_status_edge_log_warnings(
    ngx_http_status_edge_page_t *page, se_state_t *state, ngx_log_t *log);
static ngx_int_t ngx_http_status_edge_build(u_char *buf, size_t len,
    se_state_t **state);
static void ngx_http_status_edge_built(ngx_http_status_edge_build_t *ctx);
#if (NGX_THREADS)
static void ngx_http_status_edge_build_thread(void *data, ngx_log_t *log);
static void ngx_http_status_edge_build_event(ngx_event_t *ev);
#endif
static void ngx_http_status_edge_cleanup_snapshot(void *data);


/*
 * Set in init_process from the running cycle's configuration: pointers
 * taken while parsing would dangle after a reload that failed.
 */
static ngx_shm_zone_t  *ngx_http_status_edge_zone;
#if (NGX_THREADS)
static ngx_thread_pool_t  *ngx_http_status_edge_pool;
#endif


ngx_int_t
ngx_http_status_edge_state_conf(ngx_conf_t *cf,
    ngx_http_status_edge_main_conf_t *smcf)
{
    ngx_str_t  name = ngx_string("status_edge");

    smcf->shm_zone = ngx_shared_memory_add(cf, &name, smcf->shm_size,
                                           &ngx_http_status_edge_module);
    if (smcf->shm_zone == NULL) {
        return NGX_ERROR;
    }

    smcf->shm_zone->init = ngx_http_status_edge_init_zone;

#if (NGX_THREADS)
    smcf->thread_pool = ngx_thread_pool_add(cf, NULL);
    if (smcf->thread_pool == NULL) {
        return NGX_ERROR;
    }
#endif

    return NGX_OK;
}


static ngx_int_t
ngx_http_status_edge_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t               *shpool;
    ngx_http_status_edge_shctx_t  *sh;

    if (data) {
        /* a reload: keep the snapshots of the previous configuration */
        shm_zone->data = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        shm_zone->data = shpool->data;
        return NGX_OK;
    }

    sh = ngx_slab_calloc(shpool, sizeof(ngx_http_status_edge_shctx_t));
    if (sh == NULL) {
        return NGX_ERROR;
    }

    shpool->data = sh;
    shm_zone->data = sh;

    shpool->log_nomem = 0;

    return NGX_OK;
}


static ngx_http_status_edge_shm_page_t *
ngx_http_status_edge_shm_page(ngx_slab_pool_t *shpool,
    ngx_http_status_edge_shctx_t *sh, ngx_str_t *prefix, ngx_uint_t create)
{
    ngx_http_status_edge_shm_page_t  *sp;

    for (sp = sh->pages; sp; sp = sp->next) {
        if (sp->prefix_len == prefix->len
            && ngx_memcmp(sp->prefix, prefix->data, prefix->len) == 0)
        {
            return sp;
        }
    }

    if (!create) {
        return NULL;
    }

    sp = ngx_slab_calloc_locked(shpool,
                                sizeof(ngx_http_status_edge_shm_page_t));
    if (sp == NULL) {
        return NULL;
    }

    ngx_memcpy(sp->prefix, prefix->data, prefix->len);
    sp->prefix_len = prefix->len;
    sp->next = sh->pages;
    sh->pages = sp;

    return sp;
}


/* a worker's first state: the last one any worker published */

void
ngx_http_status_edge_state_init_process(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf)
{
    u_char                            *buf;
    size_t                             len;
    time_t                             saved_at;
    ngx_uint_t                         i;
    se_state_t                        *state;
    ngx_slab_pool_t                   *shpool;
    ngx_http_status_edge_page_t      **pages;
    ngx_http_status_edge_shctx_t      *sh;
    ngx_http_status_edge_shm_page_t   *sp;

    ngx_http_status_edge_zone = smcf->shm_zone;
#if (NGX_THREADS)
    ngx_http_status_edge_pool = smcf->thread_pool;
#endif

    if (ngx_http_status_edge_zone == NULL) {
        return;
    }

    shpool = (ngx_slab_pool_t *) ngx_http_status_edge_zone->shm.addr;
    sh = ngx_http_status_edge_zone->data;

    pages = smcf->pages.elts;

    for (i = 0; i < smcf->pages.nelts; i++) {
        buf = NULL;
        len = 0;
        saved_at = 0;

        ngx_shmtx_lock(&shpool->mutex);

        sp = ngx_http_status_edge_shm_page(shpool, sh, &pages[i]->prefix, 0);

        if (sp && sp->data) {
            buf = ngx_alloc(sp->len, cycle->log);
            if (buf) {
                ngx_memcpy(buf, sp->data, sp->len);
                len = sp->len;
                saved_at = sp->saved_at;
            }
        }

        ngx_shmtx_unlock(&shpool->mutex);

        if (buf == NULL) {
            continue;
        }

        /*
         * Built here, before the worker accepts anything, so it never
         * answers 503 while a state exists.
         */

        if (ngx_http_status_edge_build(buf, len, &state) == NGX_OK
            && ngx_http_status_edge_publish(pages[i], state, cycle->log)
               == NGX_OK)
        {
            pages[i]->loaded_at = saved_at;
            pages[i]->stale = 1;
        }

        ngx_free(buf);
    }
}


/* NGX_OK when this worker stored it, NGX_DECLINED when another had */

static ngx_int_t
ngx_http_status_edge_save(ngx_http_status_edge_page_t *page, u_char *buf,
    size_t len, ngx_log_t *log)
{
    u_char                           *data;
    ngx_slab_pool_t                  *shpool;
    ngx_http_status_edge_shctx_t     *sh;
    ngx_http_status_edge_shm_page_t  *sp;

    if (ngx_http_status_edge_zone == NULL) {
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) ngx_http_status_edge_zone->shm.addr;
    sh = ngx_http_status_edge_zone->data;

    ngx_shmtx_lock(&shpool->mutex);

    sp = ngx_http_status_edge_shm_page(shpool, sh, &page->prefix, 1);

    if (sp && sp->data && sp->hash == page->hash) {
        ngx_shmtx_unlock(&shpool->mutex);
        return NGX_DECLINED;
    }

    if (sp == NULL) {
        ngx_shmtx_unlock(&shpool->mutex);
        return NGX_OK;
    }

    if (sp->data) {
        ngx_slab_free_locked(shpool, sp->data);
        sp->data = NULL;
    }

    data = ngx_slab_alloc_locked(shpool, len);

    if (data) {
        ngx_memcpy(data, buf, len);
        sp->data = data;
        sp->len = len;
        sp->hash = page->hash;
        sp->saved_at = ngx_time();
    }

    ngx_shmtx_unlock(&shpool->mutex);

    if (data == NULL) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "status_edge: page \"%V\": snapshot of %uz bytes does "
                      "not fit in \"status_edge_shm_size\"; workers started "
                      "later wait for Redis",
                      &page->prefix, len);
    }

    return NGX_OK;
}


/*
 * Builds the encoded snapshot buf (ngx_alloc'ed, taken over) into a state
 * and publishes it; off the event loop when nginx has threads.  Calls
 * ngx_http_status_edge_redis_built() when done.
 */

ngx_int_t
ngx_http_status_edge_update(ngx_http_status_edge_page_t *page, u_char *buf,
    size_t len, ngx_log_t *log)
{
    ngx_http_status_edge_build_t  *ctx;
#if (NGX_THREADS)
    ngx_thread_task_t             *task;

    task = ngx_calloc(sizeof(ngx_thread_task_t)
                      + sizeof(ngx_http_status_edge_build_t), log);
    if (task == NULL) {
        ngx_free(buf);
        return NGX_ERROR;
    }

    ctx = (ngx_http_status_edge_build_t *) (task + 1);
    task->ctx = ctx;
#else
    ctx = ngx_calloc(sizeof(ngx_http_status_edge_build_t), log);
    if (ctx == NULL) {
        ngx_free(buf);
        return NGX_ERROR;
    }
#endif

    ctx->page = page;
    ctx->buf = buf;
    ctx->len = len;
    ctx->log = log;

#if (NGX_THREADS)
    if (ngx_http_status_edge_pool) {
        task->handler = ngx_http_status_edge_build_thread;
        task->event.handler = ngx_http_status_edge_build_event;
        task->event.data = task;
        task->event.log = log;

        if (ngx_thread_task_post(ngx_http_status_edge_pool, task) == NGX_OK) {
            return NGX_OK;
        }
    }
#endif

    ctx->rc = ngx_http_status_edge_build(buf, len, &ctx->state);
    ngx_http_status_edge_built(ctx);

#if (NGX_THREADS)
    ngx_free(task);
#else
    ngx_free(ctx);
#endif

    return NGX_OK;
}


#if (NGX_THREADS)

static void
ngx_http_status_edge_build_thread(void *data, ngx_log_t *log)
{
    ngx_http_status_edge_build_t  *ctx = data;

    ctx->rc = ngx_http_status_edge_build(ctx->buf, ctx->len, &ctx->state);
}


static void
ngx_http_status_edge_build_event(ngx_event_t *ev)
{
    ngx_thread_task_t  *task = ev->data;

    ngx_http_status_edge_built(task->ctx);
    ngx_free(task);
}

#endif


static ngx_int_t
ngx_http_status_edge_build(u_char *buf, size_t len, se_state_t **state)
{
    se_raw_t  *raw;

    *state = NULL;

    if (se_raw_decode(buf, len, &raw) != SE_OK) {
        return NGX_ERROR;
    }

    if (se_state_build(raw, state) != SE_OK) {
        free(raw);
        return NGX_ERROR;
    }

    free(raw);

    return NGX_OK;
}


static void
ngx_http_status_edge_built(ngx_http_status_edge_build_t *ctx)
{
    ngx_http_status_edge_page_t  *page = ctx->page;

    if (ctx->rc == NGX_OK
        && page->current && se_state_hash(ctx->state) == page->hash)
    {
        /* unchanged: a resync or a version bump without a change */
        se_state_free(ctx->state);

    } else if (ctx->rc == NGX_OK) {
        ctx->rc = ngx_http_status_edge_publish(page, ctx->state, ctx->log);

        /* bad data is logged once per state: by the worker that saves it */

        if (ctx->rc == NGX_OK
            && ngx_http_status_edge_save(page, ctx->buf, ctx->len, ctx->log)
               == NGX_OK)
        {
            ngx_http_status_edge_log_warnings(page, page->current->state,
                                              ctx->log);
        }
    }

    if (ctx->rc != NGX_OK) {
        page->load_errors++;
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "status_edge: page \"%V\": no memory to build the "
                      "state", &page->prefix);
    }

    ngx_free(ctx->buf);

    ngx_http_status_edge_redis_built(page, ctx->rc);
}


ngx_http_status_edge_snapshot_t *
ngx_http_status_edge_acquire(ngx_http_request_t *r,
    ngx_http_status_edge_page_t *page)
{
    ngx_pool_cleanup_t               *cln;
    ngx_http_status_edge_snapshot_t  *snap;

    snap = page->current;
    if (snap == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    snap->refs++;

    cln->handler = ngx_http_status_edge_cleanup_snapshot;
    cln->data = snap;

    return snap;
}


static void
ngx_http_status_edge_cleanup_snapshot(void *data)
{
    ngx_http_status_edge_release(data);
}


void
ngx_http_status_edge_release(ngx_http_status_edge_snapshot_t *snap)
{
    if (--snap->refs > 0) {
        return;
    }

    se_state_free(snap->state);
    ngx_free(snap);
}


ngx_int_t
ngx_http_status_edge_publish(ngx_http_status_edge_page_t *page,
    se_state_t *state, ngx_log_t *log)
{
    ngx_http_status_edge_snapshot_t  *snap;

    snap = ngx_alloc(sizeof(ngx_http_status_edge_snapshot_t)
                     + NGX_HTTP_STATUS_EDGE_ETAG_LEN, log);
    if (snap == NULL) {
        se_state_free(state);
        return NGX_ERROR;
    }

    snap->state = state;
    snap->refs = 1;

    /* a strong ETag per state, made once: requests only point at it */
    snap->etag.data = (u_char *) (snap + 1);
    snap->etag.len = ngx_sprintf(snap->etag.data, "\"se-%uL-%016xL\"",
                                 se_state_version(state),
                                 se_state_hash(state))
                     - snap->etag.data;

    if (page->current) {
        ngx_http_status_edge_release(page->current);
    }

    page->current = snap;
    page->hash = se_state_hash(state);
    page->bad_records = se_state_bad_records(state);

    return NGX_OK;
}


static void
ngx_http_status_edge_log_warnings(ngx_http_status_edge_page_t *page,
    se_state_t *state, ngx_log_t *log)
{
    size_t  i, n;

    n = se_state_nwarnings(state);

    for (i = 0; i < n; i++) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "status_edge: page \"%V\" version %uL: %s",
                      &page->prefix, se_state_version(state),
                      se_state_warning(state, i));
    }

    if (se_state_bad_records(state) > n) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "status_edge: page \"%V\" version %uL: %uz bad "
                      "records or fields in all",
                      &page->prefix, se_state_version(state),
                      se_state_bad_records(state));
    }
}
