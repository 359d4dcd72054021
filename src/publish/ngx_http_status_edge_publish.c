
/*
 * status-edge: the states a worker serves.  A snapshot read from Redis is
 * built into a state off the event loop (nginx's thread pool), published
 * by swapping one pointer, and copied into shared memory so that a worker
 * started by a reload or after a crash serves the last state at once,
 * even while Redis is down.  Requests borrow a state by reference count.
 * The snapshot itself is built by src/snapshot; who is told of a
 * publication, and of the end of an update, is registered, not named.
 *
 * The served state never goes backwards: a state built from a read that
 * is lower in the order of states (se_order_hold(): a lower version, an
 * empty page after a non-empty one, unless "status-edge reset" raised
 * Preset) than the one served is held back: not published, not put in
 * the zone nor on disk, logged once per version and counted.  The state
 * a worker starts from (the zone's, so the disk's) is a served one.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_publish.h"
#include "ngx_http_status_edge_reader.h"
#include "ngx_http_status_edge_store.h"
#include "ngx_http_status_edge_compat.h"
#include "se_raw_codec.h"
#include "se_snapshot.h"
#include "se_model.h"
#include "se_state.h"


/* one source's last snapshot in shared memory */
typedef struct ngx_http_status_edge_shm_source_s
    ngx_http_status_edge_shm_source_t;

struct ngx_http_status_edge_shm_source_s {
    ngx_http_status_edge_shm_source_t  *next;
    u_char                              prefix[NGX_HTTP_STATUS_EDGE_PREFIX_MAX];
    size_t                              prefix_len;
    uint64_t                            hash;
    se_order_t                          order;
    time_t                              saved_at;
    u_char                             *data;
    size_t                              len;
    uint64_t                            seq;    /* of data's save */
    ngx_http_status_edge_page_stats_t   stats;
};


typedef struct {
    ngx_http_status_edge_shm_source_t  *sources;
    uint64_t                            seq;    /* of the last save */
    ngx_http_status_edge_lease_t        lease;
} ngx_http_status_edge_shctx_t;


typedef struct {
    ngx_http_status_edge_source_t    *source;
    u_char                           *buf;
    size_t                            len;
    ngx_http_status_edge_variants_t  *variants;
    ngx_http_status_edge_snapshot_t  *snap;
    ngx_log_t                        *log;
    se_order_t                        served; /* when the update began */
    se_hold_e                         hold;   /* SE_HOLD_NONE: kept */
    unsigned                          serving:1; /* "served" is set */
    ngx_int_t                         saved;  /* in the zone: NGX_OK */
    uint64_t                          seq;    /* its save's */
    ngx_http_status_edge_written_t    written;
} ngx_http_status_edge_update_task_t;


static ngx_int_t ngx_http_status_edge_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static void ngx_http_status_edge_init_stored(ngx_shm_zone_t *shm_zone,
    ngx_http_status_edge_main_conf_t *smcf);
static ngx_http_status_edge_shm_source_t *ngx_http_status_edge_shm_source(
    ngx_slab_pool_t *shpool, ngx_http_status_edge_shctx_t *sh,
    ngx_str_t *prefix, ngx_uint_t create);
static void ngx_http_status_edge_keep(ngx_http_status_edge_update_task_t *ctx);
static void ngx_http_status_edge_log_kept(
    ngx_http_status_edge_update_task_t *ctx);
static void ngx_http_status_edge_log_hold(
    ngx_http_status_edge_update_task_t *ctx);
static ngx_int_t ngx_http_status_edge_save(ngx_str_t *prefix,
    se_state_t *state, u_char *buf, size_t len,
    ngx_http_status_edge_stored_t *st);
static void ngx_http_status_edge_keep_bytes(
    ngx_http_status_edge_source_t *source, u_char *buf, size_t len,
    ngx_log_t *log);
static void ngx_http_status_edge_refresh(ngx_event_t *ev);
static void ngx_http_status_edge_log_warnings(
    ngx_http_status_edge_source_t *source, se_state_t *state, ngx_log_t *log);
static void ngx_http_status_edge_update_done(
    ngx_http_status_edge_update_task_t *ctx);
#if (NGX_THREADS)
static void ngx_http_status_edge_update_thread(void *data, ngx_log_t *log);
static void ngx_http_status_edge_update_event(ngx_event_t *ev);
#endif
static void ngx_http_status_edge_request_cleanup(void *data);


/*
 * Set in init_process from the running cycle's configuration: pointers
 * taken while parsing would dangle after a reload that failed.
 */
static ngx_shm_zone_t  *ngx_http_status_edge_zone;
static ngx_http_status_edge_variants_t  *ngx_http_status_edge_variants;
static ngx_array_t  *ngx_http_status_edge_published;
#if (NGX_THREADS)
static ngx_thread_pool_t  *ngx_http_status_edge_pool;
#endif


ngx_int_t
ngx_http_status_edge_publish_conf(ngx_conf_t *cf,
    ngx_http_status_edge_main_conf_t *smcf)
{
    ngx_str_t  name = ngx_string("status_edge");

    smcf->shm_zone = ngx_shared_memory_add(cf, &name, smcf->shm_size,
                                           &ngx_http_status_edge_module);
    if (smcf->shm_zone == NULL) {
        return NGX_ERROR;
    }

    smcf->shm_zone->init = ngx_http_status_edge_init_zone;
    smcf->shm_zone->data = smcf;

#if (NGX_THREADS)

    if (!ngx_http_status_edge_have_threads()) {
        ngx_conf_log_error(NGX_LOG_NOTICE, cf, 0,
                           "status_edge: this nginx has no threads, states "
                           "are built on the event loop");
        smcf->thread_pool = NULL;
        return NGX_OK;
    }

    smcf->thread_pool = ngx_thread_pool_add(cf, NULL);
    if (smcf->thread_pool == NULL) {
        return NGX_ERROR;
    }

#endif

    return NGX_OK;
}


/* handler is called with every state a source publishes, in this worker */

ngx_int_t
ngx_http_status_edge_publish_hook_add(ngx_conf_t *cf,
    ngx_http_status_edge_published_pt handler)
{
    ngx_http_status_edge_main_conf_t    *smcf;
    ngx_http_status_edge_published_pt   *hook;

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_status_edge_module);

    if (smcf->published.elts == NULL
        && ngx_array_init(&smcf->published, cf->pool, 2,
                          sizeof(ngx_http_status_edge_published_pt))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    hook = ngx_array_push(&smcf->published);
    if (hook == NULL) {
        return NGX_ERROR;
    }

    *hook = handler;

    return NGX_OK;
}


static ngx_int_t
ngx_http_status_edge_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t                   *shpool;
    ngx_http_status_edge_shctx_t      *sh;
    ngx_http_status_edge_main_conf_t  *smcf;

    smcf = shm_zone->data;

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

    if (smcf->state_path && !ngx_test_config) {
        ngx_http_status_edge_init_stored(shm_zone, smcf);
    }

    return NGX_OK;
}


/*
 * A new zone (a start, a binary upgrade, a new size) begins with the
 * states last saved on disk: read here, once, by the master.
 */

static void
ngx_http_status_edge_init_stored(ngx_shm_zone_t *shm_zone,
    ngx_http_status_edge_main_conf_t *smcf)
{
    ngx_uint_t                          i;
    ngx_slab_pool_t                    *shpool;
    ngx_http_status_edge_source_t     **sources;
    ngx_http_status_edge_shctx_t       *sh;
    se_raw_t                           *raw;
    se_order_t                          order;
    ngx_http_status_edge_stored_t       st;
    ngx_http_status_edge_shm_source_t  *sp;

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;
    sh = shm_zone->data;
    sources = smcf->sources.elts;

    for (i = 0; i < smcf->sources.nelts; i++) {

        if (ngx_http_status_edge_store_read(smcf->state_path,
                                            &sources[i]->prefix,
                                            shm_zone->shm.size, &st,
                                            shm_zone->shm.log)
            != NGX_OK)
        {
            continue;
        }

        /* its place in the order of states, for the saves that follow */

        if (se_raw_decode(st.data, st.len, &raw) != SE_OK) {
            ngx_log_error(NGX_LOG_WARN, shm_zone->shm.log, 0,
                          "status_edge: page \"%V\": the state saved on "
                          "disk cannot be read by this build, not starting "
                          "from it", &sources[i]->prefix);
            ngx_free(st.data);
            continue;
        }

        se_snapshot_order(raw, &order);
        free(raw);

        sp = ngx_http_status_edge_shm_source(shpool, sh, &sources[i]->prefix,
                                             1);

        if (sp) {
            sp->data = ngx_slab_alloc(shpool, st.len);
        }

        if (sp == NULL || sp->data == NULL) {
            ngx_log_error(NGX_LOG_WARN, shm_zone->shm.log, 0,
                          "status_edge: page \"%V\": the state saved on "
                          "disk (%uz bytes) does not fit in "
                          "\"status_edge_shm_size\"", &sources[i]->prefix,
                          st.len);
            ngx_free(st.data);
            continue;
        }

        ngx_memcpy(sp->data, st.data, st.len);
        sp->len = st.len;
        sp->hash = st.hash;
        sp->order = order;
        sp->saved_at = st.saved_at;
        sp->seq = st.seq;

        if (st.seq > sh->seq) {
            sh->seq = st.seq;
        }

        ngx_free(st.data);
    }
}


static ngx_http_status_edge_shm_source_t *
ngx_http_status_edge_shm_source(ngx_slab_pool_t *shpool,
    ngx_http_status_edge_shctx_t *sh, ngx_str_t *prefix, ngx_uint_t create)
{
    ngx_http_status_edge_shm_source_t  *sp;

    for (sp = sh->sources; sp; sp = sp->next) {
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
                                sizeof(ngx_http_status_edge_shm_source_t));
    if (sp == NULL) {
        return NULL;
    }

    ngx_memcpy(sp->prefix, prefix->data, prefix->len);
    sp->prefix_len = prefix->len;
    sp->next = sh->sources;
    sh->sources = sp;

    return sp;
}


/* a worker's first state: the last one any worker published */

void
ngx_http_status_edge_publish_init_process(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf)
{
    u_char                             *buf;
    size_t                              len;
    time_t                              saved_at;
    ngx_uint_t                          i;
    ngx_slab_pool_t                    *shpool;
    ngx_http_status_edge_snapshot_t    *snap;
    ngx_http_status_edge_source_t     **sources;
    ngx_http_status_edge_shctx_t       *sh;
    ngx_http_status_edge_shm_source_t  *sp;

    ngx_http_status_edge_zone = smcf->shm_zone;
    ngx_http_status_edge_variants = &smcf->variants;
    ngx_http_status_edge_published = &smcf->published;
#if (NGX_THREADS)
    ngx_http_status_edge_pool = smcf->thread_pool;
#endif

    ngx_http_status_edge_store_init_process(smcf);

    if (ngx_http_status_edge_zone == NULL) {
        return;
    }

    shpool = (ngx_slab_pool_t *) ngx_http_status_edge_zone->shm.addr;
    sh = ngx_http_status_edge_zone->data;

    sources = smcf->sources.elts;

    for (i = 0; i < smcf->sources.nelts; i++) {
        buf = NULL;
        len = 0;
        saved_at = 0;

        ngx_shmtx_lock(&shpool->mutex);

        sp = ngx_http_status_edge_shm_source(shpool, sh, &sources[i]->prefix,
                                             0);

        if (sp && sp->data) {
            buf = ngx_alloc(sp->len, cycle->log);
            if (buf) {
                ngx_memcpy(buf, sp->data, sp->len);
                len = sp->len;
                saved_at = sp->saved_at;
                sources[i]->seq = sp->seq;
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

        snap = ngx_http_status_edge_snapshot_build(buf, len, &smcf->variants);

        if (snap == NULL) {
            ngx_free(buf);
            continue;
        }

        ngx_http_status_edge_publish(sources[i], snap);
        ngx_http_status_edge_keep_bytes(sources[i], buf, len, cycle->log);
        sources[i]->loaded_at = saved_at;
        sources[i]->stale = 1;
    }
}


/* what a worker holds outside its pools, freed as it exits */

void
ngx_http_status_edge_publish_exit_process(
    ngx_http_status_edge_main_conf_t *smcf)
{
    ngx_uint_t                       i;
    ngx_http_status_edge_source_t  **sources, *source;

    sources = smcf->sources.elts;

    for (i = 0; i < smcf->sources.nelts; i++) {
        source = sources[i];

        if (source->current) {
            ngx_http_status_edge_release(source->current);
            source->current = NULL;
        }

        if (source->refresh.timer_set) {
            ngx_del_timer(&source->refresh);
        }

        if (source->held) {
            ngx_free(source->held);
            source->held = NULL;
        }

    }
}


/*
 * Puts a state just built into the zone and on disk, in the thread that
 * built it (or on the event loop without threads): no copy of the bytes
 * is made on the event loop.  A state held back goes nowhere.  Logs
 * nothing: ngx_http_status_edge_update_done() does.
 */

static void
ngx_http_status_edge_keep(ngx_http_status_edge_update_task_t *ctx)
{
    se_order_t                     built;
    ngx_http_status_edge_stored_t  st;

    if (ctx->serving) {
        se_state_order(ctx->snap->state, &built);

        ctx->hold = se_order_hold(&ctx->served, &built);

        if (ctx->hold != SE_HOLD_NONE) {
            return;
        }
    }

    ctx->saved = ngx_http_status_edge_save(&ctx->source->prefix,
                                           ctx->snap->state, ctx->buf,
                                           ctx->len, &st);
    ctx->seq = st.seq;

    /* on disk what the zone has: a state held is not kept anywhere */

    if (ctx->saved == NGX_OK) {
        ngx_http_status_edge_store_write(&ctx->source->prefix, ctx->buf,
                                         ctx->len, &st, &ctx->written);
    }
}


/* what ngx_http_status_edge_keep() did, on the event loop */

static void
ngx_http_status_edge_log_kept(ngx_http_status_edge_update_task_t *ctx)
{
    ngx_http_status_edge_source_t  *source = ctx->source;

    if (ctx->saved == NGX_BUSY
        && source->full_version != se_state_version(ctx->snap->state))
    {
        source->full_version = se_state_version(ctx->snap->state);

        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "status_edge: page \"%V\": version %uL, %uz bytes, "
                      "does not fit in \"status_edge_shm_size\" next to "
                      "the state served; not served by any worker until "
                      "it fits", &source->prefix,
                      se_state_version(ctx->snap->state), ctx->len);
    }

    /* bad data is logged once per state: by the worker that saves it */

    if (ctx->saved != NGX_DECLINED) {
        ngx_http_status_edge_log_warnings(source, ctx->snap->state, ctx->log);
    }

    ngx_http_status_edge_store_log(&source->prefix, &ctx->written, ctx->log);
}


/*
 * A state held back: counted, the source left stale (a state Redis no
 * longer has is served), logged once per state held (with its bad
 * records, which no save logs).
 */

static void
ngx_http_status_edge_log_hold(ngx_http_status_edge_update_task_t *ctx)
{
    se_order_t                      built;
    ngx_http_status_edge_source_t  *source = ctx->source;

    se_state_order(ctx->snap->state, &built);

    source->holds++;
    source->stale = 1;

    if (source->holding
        && source->hold.reset == built.reset
        && source->hold.version == built.version
        && source->hold.empty == built.empty)
    {
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ctx->log, 0,
                       "status_edge: page \"%V\" still holds version %uL "
                       "back", &source->prefix, built.version);
        return;
    }

    source->holding = 1;
    source->hold = built;

    if (ctx->hold == SE_HOLD_EMPTY) {
        ngx_log_error(NGX_LOG_WARN, ctx->log, 0,
                      "status_edge: page \"%V\": Redis has an empty page "
                      "at version %uL (reset %uL) after version %uL "
                      "(reset %uL) served; keeping version %uL until a "
                      "non-empty state or \"status-edge reset\"",
                      &source->prefix, built.version, built.reset,
                      ctx->served.version, ctx->served.reset,
                      ctx->served.version);

    } else {
        ngx_log_error(NGX_LOG_WARN, ctx->log, 0,
                      "status_edge: page \"%V\": Redis has version %uL "
                      "(reset %uL), lower than version %uL (reset %uL) "
                      "served; keeping version %uL until a higher version "
                      "or \"status-edge reset\"",
                      &source->prefix, built.version, built.reset,
                      ctx->served.version, ctx->served.reset,
                      ctx->served.version);
    }

    ngx_http_status_edge_log_warnings(source, ctx->snap->state, ctx->log);
}


/*
 * NGX_OK when this worker stored it, NGX_BUSY when it did not fit (st
 * says in which order either came), NGX_DECLINED when the zone already
 * has it, or one it would hold back (another worker's later state), or
 * when this worker is not the reader (which alone saves)
 */

static ngx_int_t
ngx_http_status_edge_save(ngx_str_t *prefix, se_state_t *state,
    u_char *buf, size_t len, ngx_http_status_edge_stored_t *st)
{
    u_char                             *data;
    se_order_t                          order;
    ngx_slab_pool_t                    *shpool;
    ngx_http_status_edge_shctx_t       *sh;
    ngx_http_status_edge_shm_source_t  *sp;

    se_state_order(state, &order);

    st->hash = se_state_hash(state);
    st->version = se_state_version(state);
    st->saved_at = ngx_time();
    st->seq = 0;

    if (ngx_http_status_edge_zone == NULL) {
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) ngx_http_status_edge_zone->shm.addr;
    sh = ngx_http_status_edge_zone->data;

    ngx_shmtx_lock(&shpool->mutex);

    sp = ngx_http_status_edge_shm_source(shpool, sh, prefix, 1);

    if ((sp && sp->data
         && (sp->hash == st->hash
             || se_order_hold(&sp->order, &order) != SE_HOLD_NONE))
        || sh->lease.pid != ngx_pid)
    {
        ngx_shmtx_unlock(&shpool->mutex);
        return NGX_DECLINED;
    }

    st->seq = ++sh->seq;

    if (sp == NULL) {
        ngx_shmtx_unlock(&shpool->mutex);
        return NGX_BUSY;
    }

    /* the old copy goes only once the new one is in: never nothing */

    data = ngx_slab_alloc_locked(shpool, len);

    if (data) {
        ngx_memcpy(data, buf, len);

        if (sp->data) {
            ngx_slab_free_locked(shpool, sp->data);
        }

        sp->data = data;
        sp->len = len;
        sp->hash = st->hash;
        sp->order = order;
        sp->saved_at = st->saved_at;
        sp->seq = st->seq;

    } else {
        sp->stats.zone_full++;
    }

    ngx_shmtx_unlock(&shpool->mutex);

    return data ? NGX_OK : NGX_BUSY;
}


/*
 * Builds the encoded snapshot buf (ngx_alloc'ed, taken over) into a state
 * and publishes it; off the event loop when nginx has threads.  Calls
 * the source's updated handler when done.
 */

ngx_int_t
ngx_http_status_edge_update(ngx_http_status_edge_source_t *source, u_char *buf,
    size_t len, ngx_log_t *log)
{
    ngx_http_status_edge_update_task_t  *ctx;
#if (NGX_THREADS)
    ngx_thread_task_t             *task;

    task = ngx_calloc(sizeof(ngx_thread_task_t)
                      + sizeof(ngx_http_status_edge_update_task_t), log);
    if (task == NULL) {
        ngx_free(buf);
        return NGX_ERROR;
    }

    ctx = (ngx_http_status_edge_update_task_t *) (task + 1);
    task->ctx = ctx;
#else
    ctx = ngx_calloc(sizeof(ngx_http_status_edge_update_task_t), log);
    if (ctx == NULL) {
        ngx_free(buf);
        return NGX_ERROR;
    }
#endif

    ctx->source = source;
    ctx->buf = buf;
    ctx->len = len;
    ctx->variants = ngx_http_status_edge_variants;
    ctx->log = log;

    /* read here: the build thread does not touch source->current */

    if (source->current) {
        se_state_order(source->current->state, &ctx->served);
        ctx->serving = 1;
    }

#if (NGX_THREADS)
    if (ngx_http_status_edge_pool) {
        task->handler = ngx_http_status_edge_update_thread;
        task->event.handler = ngx_http_status_edge_update_event;
        task->event.data = task;
        task->event.log = log;

        if (ngx_thread_task_post(ngx_http_status_edge_pool, task) == NGX_OK) {
            return NGX_OK;
        }
    }
#endif

    ctx->snap = ngx_http_status_edge_snapshot_build(buf, len, ctx->variants);

    if (ctx->snap) {
        ngx_http_status_edge_keep(ctx);
    }

    ngx_http_status_edge_update_done(ctx);

#if (NGX_THREADS)
    ngx_free(task);
#else
    ngx_free(ctx);
#endif

    return NGX_OK;
}


#if (NGX_THREADS)

static void
ngx_http_status_edge_update_thread(void *data, ngx_log_t *log)
{
    ngx_http_status_edge_update_task_t  *ctx = data;

    ctx->snap = ngx_http_status_edge_snapshot_build(ctx->buf, ctx->len,
                                           ctx->variants);

    if (ctx->snap) {
        ngx_http_status_edge_keep(ctx);
    }
}


static void
ngx_http_status_edge_update_event(ngx_event_t *ev)
{
    ngx_thread_task_t  *task = ev->data;

    ngx_http_status_edge_update_done(task->ctx);
    ngx_free(task);
}

#endif


static void
ngx_http_status_edge_update_done(ngx_http_status_edge_update_task_t *ctx)
{
    ngx_int_t                         rc;
    ngx_http_status_edge_source_t    *source = ctx->source;
    ngx_http_status_edge_snapshot_t  *snap = ctx->snap;

    rc = NGX_OK;

    if (snap == NULL) {
        rc = NGX_ERROR;
        source->load_errors++;
        ngx_log_error(NGX_LOG_ERR, ctx->log, 0,
                      "status_edge: page \"%V\": no memory to build the "
                      "state", &source->prefix);

    } else if (ctx->hold != SE_HOLD_NONE) {
        ngx_http_status_edge_log_hold(ctx);
        ngx_http_status_edge_release(snap);
        rc = NGX_DECLINED;

    } else if (ctx->saved == NGX_BUSY) {
        /* the other workers cannot see it: the instance keeps one state */
        ngx_http_status_edge_log_kept(ctx);
        ngx_http_status_edge_release(snap);
        rc = NGX_ERROR;

    } else {
        if (!source->refreshing) {
            source->holding = 0;
        }

        ngx_http_status_edge_log_kept(ctx);

        if (ctx->saved == NGX_OK) {
            source->seq = ctx->seq;
        }

        if (source->current
            && se_state_hash(snap->state) == source->hash
            && source->current->refresh_at > (int64_t) ngx_time())
        {
            /* unchanged: a resync, or a version bump without a change */
            ngx_http_status_edge_release(snap);

        } else {
            ngx_http_status_edge_publish(source, snap);
            ngx_http_status_edge_keep_bytes(source, ctx->buf, ctx->len,
                                            ctx->log);
            ctx->buf = NULL;
        }
    }

    if (ctx->buf) {
        ngx_free(ctx->buf);
    }

    if (source->refreshing || source->adopting) {
        /* rebuilt from the bytes held, or the zone's: not a load */
        source->refreshing = 0;
        source->adopting = 0;
        rc = NGX_DECLINED;
    }

    source->building = 0;

    if (source->updated) {
        source->updated(source, rc);
    }

    ngx_http_status_edge_reader_updated(source);
}


/*
 * Keeps the current state's bytes (taken over), and sets the timer for
 * the moment its banners or status page change by the clock alone (a
 * maintenance window that starts or ends, a banner lead time that
 * begins), so that they change on time from the state held, Redis or not.
 */

static void
ngx_http_status_edge_keep_bytes(ngx_http_status_edge_source_t *source,
    u_char *buf, size_t len, ngx_log_t *log)
{
    int64_t      at;
    ngx_msec_t   delay;
    ngx_time_t  *tp;

    if (source->held) {
        ngx_free(source->held);
    }

    source->held = buf;
    source->held_len = len;

    if (source->refresh.handler == NULL) {
        source->refresh.handler = ngx_http_status_edge_refresh;
        source->refresh.data = source;
        source->refresh.log = log;
        source->refresh.cancelable = 1;
    }

    if (source->refresh.timer_set) {
        ngx_del_timer(&source->refresh);
    }

    at = source->current->refresh_at;

    if (at == INT64_MAX || ngx_exiting) {
        return;
    }

    tp = ngx_timeofday();

    if (at - (int64_t) tp->sec > 7 * 86400) {
        at = (int64_t) tp->sec + 7 * 86400;
    }

    delay = at > (int64_t) tp->sec
            ? (ngx_msec_t) (at - (int64_t) tp->sec) * 1000 - tp->msec + 50
            : 1000;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, log, 0,
                   "status_edge: page \"%V\" changes by time in %M ms",
                   &source->prefix, delay);

    ngx_add_timer(&source->refresh, delay);
}


static void
ngx_http_status_edge_refresh(ngx_event_t *ev)
{
    u_char                         *buf;
    ngx_http_status_edge_source_t  *source = ev->data;

    if (ngx_exiting || ngx_terminate || source->held == NULL) {
        return;
    }

    if (source->loading || source->building) {
        /* a state on its way is built for the time as well */
        ngx_add_timer(ev, 1000);
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                   "status_edge: page \"%V\" rebuilt for the time",
                   &source->prefix);

    buf = ngx_alloc(source->held_len, ev->log);
    if (buf == NULL) {
        ngx_add_timer(ev, 1000);
        return;
    }

    ngx_memcpy(buf, source->held, source->held_len);

    source->building = 1;
    source->refreshing = 1;

    if (ngx_http_status_edge_update(source, buf, source->held_len, ev->log)
        != NGX_OK)
    {
        source->building = 0;
        source->refreshing = 0;
        ngx_add_timer(ev, 1000);
    }
}


ngx_http_status_edge_snapshot_t *
ngx_http_status_edge_request_acquire(ngx_http_request_t *r,
    ngx_http_status_edge_source_t *source)
{
    ngx_pool_cleanup_t               *cln;
    ngx_http_status_edge_snapshot_t  *snap;

    snap = source->current;
    if (snap == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    snap->refs++;

    cln->handler = ngx_http_status_edge_request_cleanup;
    cln->data = snap;

    return snap;
}


static void
ngx_http_status_edge_request_cleanup(void *data)
{
    ngx_http_status_edge_release(data);
}


/*
 * As ngx_http_status_edge_request_acquire(), with a cleanup record the caller
 * keeps in memory of r's pool (its ctx): no allocation, and the state is
 * given back early by ngx_http_status_edge_request_release() without a search.
 * The record is linked as ngx_pool_cleanup_add() links it, so the state
 * is released when the pool goes and ngx_http_status_edge_request_release_all()
 * finds it.
 */

void
ngx_http_status_edge_request_acquire_cln(ngx_http_request_t *r,
    ngx_http_status_edge_snapshot_t *snap, ngx_pool_cleanup_t *cln)
{
    snap->refs++;

    cln->handler = ngx_http_status_edge_request_cleanup;
    cln->data = snap;
    cln->next = r->pool->cleanup;

    r->pool->cleanup = cln;
}


/* gives back early what request_acquire_cln() took, if still held */

void
ngx_http_status_edge_request_release(ngx_pool_cleanup_t *cln)
{
    if (cln->handler == ngx_http_status_edge_request_cleanup) {
        cln->handler = NULL;
        ngx_http_status_edge_release(cln->data);
    }
}


/*
 * Gives back every state the request holds: for a request that lives
 * for hours (an event stream), whatever was decided before it, even in
 * a location it left by an internal redirect (which cleared its ctx).
 */

void
ngx_http_status_edge_request_release_all(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t  *cln;

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_http_status_edge_request_cleanup) {
            cln->handler = NULL;
            ngx_http_status_edge_release(cln->data);
        }
    }
}


void
ngx_http_status_edge_release(ngx_http_status_edge_snapshot_t *snap)
{
    if (--snap->refs > 0) {
        return;
    }

    ngx_http_status_edge_snapshot_free(snap);
}


void
ngx_http_status_edge_publish(ngx_http_status_edge_source_t *source,
    ngx_http_status_edge_snapshot_t *snap)
{
    ngx_uint_t                          i;
    ngx_http_status_edge_published_pt  *published;

    if (source->current) {
        ngx_http_status_edge_release(source->current);
    }

    source->current = snap;
    source->hash = se_state_hash(snap->state);
    source->bad_records = se_state_bad_records(snap->state);
    source->trimmed_records = se_state_model(snap->state)->trimmed_incidents
                            + se_state_model(snap->state)->trimmed_maintenances;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                   "status_edge: page \"%V\" publishes version %uL, "
                   "%ui hooks", &source->prefix,
                   se_state_version(snap->state),
                   ngx_http_status_edge_published->nelts);

    published = ngx_http_status_edge_published->elts;

    for (i = 0; i < ngx_http_status_edge_published->nelts; i++) {
        published[i](source);
    }
}


static void
ngx_http_status_edge_log_warnings(ngx_http_status_edge_source_t *source,
    se_state_t *state, ngx_log_t *log)
{
    size_t             i, n;
    const se_model_t  *m;

    m = se_state_model(state);

    if (m->trimmed_incidents || m->trimmed_maintenances) {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "status_edge: page \"%V\" version %uL: %uL resolved "
                      "incidents and %uL completed maintenances left out "
                      "(history kept: " SE_SNAPSHOT_MAX_HISTORY " records, "
                      SE_SNAPSHOT_MAX_BYTES " bytes)",
                      &source->prefix, se_state_version(state),
                      m->trimmed_incidents, m->trimmed_maintenances);
    }

    if (m->limited_hashes) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "status_edge: page \"%V\" version %uL: %uL records "
                      "with more than " SE_SNAPSHOT_MAX_FIELDS " fields or "
                      "over " SE_SNAPSHOT_MAX_VALUE " bytes read by known "
                      "fields only",
                      &source->prefix, se_state_version(state),
                      m->limited_hashes);
    }

    n = se_state_nwarnings(state);

    for (i = 0; i < n; i++) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "status_edge: page \"%V\" version %uL: %s",
                      &source->prefix, se_state_version(state),
                      se_state_warning(state, i));
    }

    if (se_state_bad_records(state) > n) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "status_edge: page \"%V\" version %uL: %uz bad "
                      "records or fields in all",
                      &source->prefix, se_state_version(state),
                      se_state_bad_records(state));
    }
}


/*
 * The zone for the reader (ngx_http_status_edge_reader.c): the lease, and
 * the pool whose mutex guards it; NULL without a zone.
 */

ngx_http_status_edge_lease_t *
ngx_http_status_edge_zone_lease(ngx_slab_pool_t **shpool)
{
    ngx_http_status_edge_shctx_t  *sh;

    if (ngx_http_status_edge_zone == NULL) {
        return NULL;
    }

    *shpool = (ngx_slab_pool_t *) ngx_http_status_edge_zone->shm.addr;
    sh = ngx_http_status_edge_zone->data;

    return &sh->lease;
}


/* a page's figures in the zone, made when missing; the mutex is held */

ngx_http_status_edge_page_stats_t *
ngx_http_status_edge_zone_page_locked(ngx_str_t *prefix)
{
    ngx_slab_pool_t                    *shpool;
    ngx_http_status_edge_shm_source_t  *sp;

    if (ngx_http_status_edge_zone == NULL) {
        return NULL;
    }

    shpool = (ngx_slab_pool_t *) ngx_http_status_edge_zone->shm.addr;

    sp = ngx_http_status_edge_shm_source(shpool,
                                         ngx_http_status_edge_zone->data,
                                         prefix, 1);

    return sp ? &sp->stats : NULL;
}


/*
 * The sequence of the zone's last save, read without the mutex: one
 * aligned word, so that a worker can watch it often and cheaply.
 */

uint64_t
ngx_http_status_edge_zone_seq(void)
{
    ngx_http_status_edge_shctx_t  *sh;

    if (ngx_http_status_edge_zone == NULL) {
        return 0;
    }

    sh = ngx_http_status_edge_zone->data;

    return *(volatile uint64_t *) &sh->seq;
}


/*
 * A copy (ngx_alloc'ed) of a page's state in the zone when its save is
 * not the one seen: NGX_OK, NGX_DECLINED when there is none newer,
 * NGX_ERROR without memory.
 */

ngx_int_t
ngx_http_status_edge_zone_copy(ngx_str_t *prefix, uint64_t seen,
    u_char **buf, size_t *len, uint64_t *seq, ngx_log_t *log)
{
    ngx_int_t                           rc;
    ngx_slab_pool_t                    *shpool;
    ngx_http_status_edge_shm_source_t  *sp;

    if (ngx_http_status_edge_zone == NULL) {
        return NGX_DECLINED;
    }

    shpool = (ngx_slab_pool_t *) ngx_http_status_edge_zone->shm.addr;

    rc = NGX_DECLINED;

    ngx_shmtx_lock(&shpool->mutex);

    sp = ngx_http_status_edge_shm_source(shpool,
                                         ngx_http_status_edge_zone->data,
                                         prefix, 0);

    if (sp && sp->data && sp->seq != seen) {
        *buf = ngx_alloc(sp->len, log);

        if (*buf) {
            ngx_memcpy(*buf, sp->data, sp->len);
            *len = sp->len;
            *seq = sp->seq;
            rc = NGX_OK;

        } else {
            rc = NGX_ERROR;
        }
    }

    ngx_shmtx_unlock(&shpool->mutex);

    return rc;
}
