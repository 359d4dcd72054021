
/*
 * status-edge: one reader per nginx instance.  The worker that holds the
 * lease in the shared zone runs the Redis link (started and stopped
 * through the handlers the module file gives); its states are saved into
 * the zone as they are built.  Every worker watches the zone's sequence
 * and adopts a page's newer bytes, built off the event loop as a read
 * from Redis is.  The holder renews the lease; a worker that finds it
 * released, expired or held by a process that is gone takes it.  The
 * holder also keeps the link's status and its counters in the zone, and
 * each worker the version it serves, for status_edge_metrics.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_reader.h"
#include "ngx_http_status_edge_publish.h"

#if (NGX_HAVE_EVENTFD && NGX_HAVE_SYS_EVENTFD_H)
#include <sys/eventfd.h>
#define NGX_HTTP_STATUS_EDGE_WAKEUP  1
#endif


/* the holder renews; the others look at the same pace, spread */
#define NGX_HTTP_STATUS_EDGE_LEASE_RENEW    250
#define NGX_HTTP_STATUS_EDGE_LEASE_JITTER   100
#define NGX_HTTP_STATUS_EDGE_LEASE_EXPIRES  1000

/*
 * A look at one word of shared memory: about a microsecond of a worker's
 * time a tick, 0.01% of a core.  With epoll the reader also wakes every
 * worker through an eventfd as soon as it saved a state; the look is what
 * bounds the delay when that wakeup is not there (another event method,
 * or an eventfd that could not be made): at most 10 ms added to the time
 * a change takes to reach every worker (the target is 50 ms at p99).
 */
#define NGX_HTTP_STATUS_EDGE_WATCH          10


typedef struct {
    ngx_uint_t                     loads;
    ngx_uint_t                     load_errors;
    ngx_uint_t                     holds;
} ngx_http_status_edge_reported_t;


static void ngx_http_status_edge_reader_check(void);
static void ngx_http_status_edge_reader_take(ngx_pid_t pid,
    ngx_uint_t generation, const char *why);
static void ngx_http_status_edge_reader_give_up(const char *why);
static void ngx_http_status_edge_reader_report_locked(
    ngx_http_status_edge_lease_t *lease);
static void ngx_http_status_edge_reader_version(
    ngx_http_status_edge_source_t *source, ngx_uint_t claim);
static void ngx_http_status_edge_reader_lease_handler(ngx_event_t *ev);
static void ngx_http_status_edge_reader_watch_handler(ngx_event_t *ev);
static ngx_uint_t ngx_http_status_edge_reader_adopt(void);
#if (NGX_HTTP_STATUS_EDGE_WAKEUP)
static void ngx_http_status_edge_reader_close_wakeup(void *data);
static void ngx_http_status_edge_reader_listen(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf);
static void ngx_http_status_edge_reader_wake(void);
static void ngx_http_status_edge_reader_wakeup_handler(ngx_event_t *ev);
#endif


static ngx_cycle_t                           *ngx_http_status_edge_reader_cycle;
static ngx_http_status_edge_main_conf_t      *ngx_http_status_edge_reader_conf;
static ngx_http_status_edge_reader_start_pt   ngx_http_status_edge_reader_start;
static ngx_http_status_edge_reader_stop_pt    ngx_http_status_edge_reader_stop;
static ngx_http_status_edge_reported_t       *ngx_http_status_edge_reported;
static ngx_uint_t                    ngx_http_status_edge_reported_reconnects;
static ngx_uint_t                    ngx_http_status_edge_reported_errors;
static ngx_uint_t                    ngx_http_status_edge_reported_stale;
static ngx_event_t                   ngx_http_status_edge_lease_ev;
static ngx_event_t                   ngx_http_status_edge_watch_ev;
static ngx_uint_t                    ngx_http_status_edge_holder;
static ngx_uint_t                    ngx_http_status_edge_generation;
static uint64_t                      ngx_http_status_edge_watched;
#if (NGX_HTTP_STATUS_EDGE_WAKEUP)
static ngx_connection_t             *ngx_http_status_edge_wakeup;
static uint64_t                      ngx_http_status_edge_woken;
#endif


/*
 * The eventfd the reader wakes the other workers with, made by the master
 * for the workers it forks; closed with the configuration.
 */

ngx_int_t
ngx_http_status_edge_reader_postconfiguration(ngx_conf_t *cf)
{
#if (NGX_HTTP_STATUS_EDGE_WAKEUP)
    int                                fd;
    ngx_pool_cleanup_t                *cln;
    ngx_http_status_edge_main_conf_t  *smcf;

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_status_edge_module);

    if (smcf->sources.nelts == 0 || smcf->servers.nelts == 0) {
        return NGX_OK;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    fd = eventfd(0, EFD_NONBLOCK|EFD_CLOEXEC);

    if (fd == -1) {
        ngx_conf_log_error(NGX_LOG_NOTICE, cf, ngx_errno,
                           "status_edge: eventfd() failed, workers look "
                           "for new states every %d ms",
                           NGX_HTTP_STATUS_EDGE_WATCH);
        return NGX_OK;
    }

    smcf->wakeup = fd;

    cln->handler = ngx_http_status_edge_reader_close_wakeup;
    cln->data = smcf;
#endif

    return NGX_OK;
}


ngx_int_t
ngx_http_status_edge_reader_init_process(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf,
    ngx_http_status_edge_reader_start_pt start,
    ngx_http_status_edge_reader_stop_pt stop)
{
    ngx_uint_t                       i;
    ngx_http_status_edge_source_t  **sources;

    ngx_http_status_edge_reader_cycle = cycle;
    ngx_http_status_edge_reader_conf = smcf;
    ngx_http_status_edge_reader_start = start;
    ngx_http_status_edge_reader_stop = stop;
    ngx_http_status_edge_holder = 0;
    ngx_http_status_edge_watched = 0;

    ngx_http_status_edge_reported = ngx_pcalloc(cycle->pool,
                                  smcf->sources.nelts
                                  * sizeof(ngx_http_status_edge_reported_t));
    if (ngx_http_status_edge_reported == NULL) {
        return NGX_ERROR;
    }

    sources = smcf->sources.elts;

    for (i = 0; i < smcf->sources.nelts; i++) {
        ngx_http_status_edge_reader_version(sources[i], 1);
    }

    ngx_http_status_edge_lease_ev.handler =
                                     ngx_http_status_edge_reader_lease_handler;
    ngx_http_status_edge_lease_ev.log = cycle->log;
    ngx_http_status_edge_lease_ev.cancelable = 1;

    ngx_http_status_edge_watch_ev.handler =
                                     ngx_http_status_edge_reader_watch_handler;
    ngx_http_status_edge_watch_ev.log = cycle->log;
    ngx_http_status_edge_watch_ev.cancelable = 1;

    /* the first worker up reads at once */
    ngx_http_status_edge_reader_check();

    ngx_add_timer(&ngx_http_status_edge_lease_ev,
                  NGX_HTTP_STATUS_EDGE_LEASE_RENEW
                  + (ngx_msec_t) ngx_random()
                    % NGX_HTTP_STATUS_EDGE_LEASE_JITTER);
    ngx_add_timer(&ngx_http_status_edge_watch_ev, NGX_HTTP_STATUS_EDGE_WATCH);

#if (NGX_HTTP_STATUS_EDGE_WAKEUP)
    ngx_http_status_edge_reader_listen(cycle, smcf);
#endif

    return NGX_OK;
}


/* an exiting worker gives the lease up at once, for a reload's workers */

void
ngx_http_status_edge_reader_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                       i;
    ngx_slab_pool_t                 *shpool;
    ngx_http_status_edge_source_t  **sources;
    ngx_http_status_edge_page_stats_t  *page;

    if (ngx_http_status_edge_reader_conf == NULL) {
        return;
    }

    if (ngx_http_status_edge_holder) {
        ngx_http_status_edge_reader_give_up("the worker exits");
    }

    if (ngx_http_status_edge_lease_ev.timer_set) {
        ngx_del_timer(&ngx_http_status_edge_lease_ev);
    }

    if (ngx_http_status_edge_watch_ev.timer_set) {
        ngx_del_timer(&ngx_http_status_edge_watch_ev);
    }

#if (NGX_HTTP_STATUS_EDGE_WAKEUP)
    if (ngx_http_status_edge_wakeup) {
        /* this worker's copy: the cycle's cleanup is then left nothing */
        ngx_close_connection(ngx_http_status_edge_wakeup);
        ngx_http_status_edge_wakeup = NULL;
        ngx_http_status_edge_reader_conf->wakeup = NGX_INVALID_FILE;
    }
#endif

    if (ngx_http_status_edge_zone_lease(&shpool) != NULL) {
        sources = ngx_http_status_edge_reader_conf->sources.elts;

        ngx_shmtx_lock(&shpool->mutex);

        for (i = 0; i < ngx_http_status_edge_reader_conf->sources.nelts; i++) {
            page = ngx_http_status_edge_zone_page_locked(&sources[i]->prefix);

            if (page && ngx_worker < page->nworkers
                && page->workers[ngx_worker].pid == ngx_pid)
            {
                page->workers[ngx_worker].pid = 0;
            }
        }

        ngx_shmtx_unlock(&shpool->mutex);
    }

    ngx_http_status_edge_reader_conf = NULL;
}


/*
 * The link says which address it reads and whether it is connected (role:
 * "primary" or "replica", NULL while unknown); only the holder's counts.
 */

void
ngx_http_status_edge_reader_link_status(ngx_str_t *address, ngx_str_t *role,
    ngx_uint_t connected)
{
    ngx_slab_pool_t               *shpool;
    ngx_http_status_edge_lease_t  *lease;

    if (!ngx_http_status_edge_holder) {
        return;
    }

    lease = ngx_http_status_edge_zone_lease(&shpool);
    if (lease == NULL) {
        return;
    }

    ngx_shmtx_lock(&shpool->mutex);

    if (lease->pid == ngx_pid) {
        lease->connected = connected;

        if (address) {
            lease->address_len = ngx_min(address->len,
                                         NGX_HTTP_STATUS_EDGE_ADDRESS_MAX);
            ngx_memcpy(lease->address, address->data, lease->address_len);
        }

        lease->role_len = 0;

        if (role) {
            lease->role_len = ngx_min(role->len, NGX_HTTP_STATUS_EDGE_ROLE_MAX);
            ngx_memcpy(lease->role, role->data, lease->role_len);
        }

        ngx_http_status_edge_reader_report_locked(lease);
    }

    ngx_shmtx_unlock(&shpool->mutex);
}


/* the end of every update of a source, in this worker */

void
ngx_http_status_edge_reader_updated(ngx_http_status_edge_source_t *source)
{
    ngx_slab_pool_t               *shpool;
    ngx_http_status_edge_lease_t  *lease;

    if (ngx_http_status_edge_reader_conf == NULL) {
        return;
    }

    ngx_http_status_edge_reader_version(source, 0);

    if (!ngx_http_status_edge_holder) {
        return;
    }

#if (NGX_HTTP_STATUS_EDGE_WAKEUP)
    ngx_http_status_edge_reader_wake();
#endif

    lease = ngx_http_status_edge_zone_lease(&shpool);
    if (lease == NULL) {
        return;
    }

    ngx_shmtx_lock(&shpool->mutex);

    if (lease->pid == ngx_pid) {
        ngx_http_status_edge_reader_report_locked(lease);
    }

    ngx_shmtx_unlock(&shpool->mutex);
}


/* a copy of the lease, for the metrics: NGX_DECLINED without a zone */

ngx_int_t
ngx_http_status_edge_reader_lease(ngx_http_status_edge_lease_t *copy)
{
    ngx_slab_pool_t               *shpool;
    ngx_http_status_edge_lease_t  *lease;

    lease = ngx_http_status_edge_zone_lease(&shpool);
    if (lease == NULL) {
        return NGX_DECLINED;
    }

    ngx_shmtx_lock(&shpool->mutex);
    *copy = *lease;
    ngx_shmtx_unlock(&shpool->mutex);

    return NGX_OK;
}


/*
 * A copy of a page's figures, its workers' versions in pool; NGX_DECLINED
 * without a zone
 */

ngx_int_t
ngx_http_status_edge_reader_page(ngx_http_status_edge_source_t *source,
    ngx_http_status_edge_page_stats_t *stats, ngx_pool_t *pool)
{
    size_t                              size;
    ngx_int_t                           rc;
    ngx_slab_pool_t                    *shpool;
    ngx_http_status_edge_page_stats_t  *page;

    if (ngx_http_status_edge_zone_lease(&shpool) == NULL) {
        return NGX_DECLINED;
    }

    rc = NGX_DECLINED;

    ngx_shmtx_lock(&shpool->mutex);

    page = ngx_http_status_edge_zone_page_locked(&source->prefix);

    if (page) {
        *stats = *page;
        size = page->nworkers * sizeof(ngx_http_status_edge_worker_version_t);

        stats->workers = size ? ngx_palloc(pool, size) : NULL;

        if (stats->workers) {
            ngx_memcpy(stats->workers, page->workers, size);

        } else {
            stats->nworkers = 0;
        }

        rc = NGX_OK;
    }

    ngx_shmtx_unlock(&shpool->mutex);

    return rc;
}


static void
ngx_http_status_edge_reader_check(void)
{
    ngx_pid_t                      pid;
    ngx_msec_t                     now;
    ngx_uint_t                     generation;
    const char                    *why;
    ngx_slab_pool_t               *shpool;
    ngx_http_status_edge_lease_t  *lease;

    lease = ngx_http_status_edge_zone_lease(&shpool);
    if (lease == NULL) {
        return;
    }

    now = ngx_current_msec;

    ngx_shmtx_lock(&shpool->mutex);

    if (ngx_http_status_edge_holder) {

        if (lease->pid != ngx_pid
            || lease->generation != ngx_http_status_edge_generation)
        {
            pid = lease->pid;
            ngx_shmtx_unlock(&shpool->mutex);

            ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                          "status_edge: the reader's lease was taken by "
                          "worker %P while this one was late", pid);

            ngx_http_status_edge_reader_give_up(NULL);
            return;
        }

        if (ngx_exiting || ngx_quit || ngx_terminate) {
            ngx_shmtx_unlock(&shpool->mutex);
            ngx_http_status_edge_reader_give_up("the worker exits");
            return;
        }

        lease->heartbeat = now;
        ngx_http_status_edge_reader_report_locked(lease);

        ngx_shmtx_unlock(&shpool->mutex);
        return;
    }

    pid = lease->pid;
    generation = lease->generation;

    why = NULL;

    if (pid == 0) {
        why = "released";

    } else if (pid == ngx_pid) {
        why = "left by this pid";

    } else if ((ngx_msec_int_t) (now - lease->heartbeat)
               > NGX_HTTP_STATUS_EDGE_LEASE_EXPIRES)
    {
        why = "expired";
    }

    ngx_shmtx_unlock(&shpool->mutex);

    if (ngx_exiting || ngx_quit || ngx_terminate) {
        return;
    }

    if (why == NULL) {
        if (kill(pid, 0) == -1 && ngx_errno == NGX_ESRCH) {
            why = "its worker is gone";

        } else {
            return;
        }
    }

    ngx_http_status_edge_reader_take(pid, generation, why);
}


/* takes the lease if it is still as seen, and starts the link */

static void
ngx_http_status_edge_reader_take(ngx_pid_t pid, ngx_uint_t generation,
    const char *why)
{
    ngx_uint_t                       i;
    ngx_slab_pool_t                 *shpool;
    ngx_http_status_edge_lease_t    *lease;
    ngx_http_status_edge_source_t  **sources;

    lease = ngx_http_status_edge_zone_lease(&shpool);

    ngx_shmtx_lock(&shpool->mutex);

    if (lease->pid != pid || lease->generation != generation) {
        /* another worker was first: the mutex decides */
        ngx_shmtx_unlock(&shpool->mutex);
        return;
    }

    lease->pid = ngx_pid;
    lease->generation++;
    lease->heartbeat = ngx_current_msec;
    lease->connected = 0;
    lease->tracking = 0;
    lease->role_len = 0;

    ngx_http_status_edge_generation = lease->generation;
    ngx_http_status_edge_holder = 1;

    /* counted from here on: what this worker did before is in already */

    ngx_http_status_edge_reported_reconnects =
                                       ngx_http_status_edge_stats.reconnects;
    ngx_http_status_edge_reported_errors =
                                    ngx_http_status_edge_stats.error_replies;
    ngx_http_status_edge_reported_stale =
                                    ngx_http_status_edge_stats.stale_replicas;

    sources = ngx_http_status_edge_reader_conf->sources.elts;

    for (i = 0; i < ngx_http_status_edge_reader_conf->sources.nelts; i++) {
        ngx_http_status_edge_reported[i].loads = sources[i]->loads;
        ngx_http_status_edge_reported[i].load_errors = sources[i]->load_errors;
        ngx_http_status_edge_reported[i].holds = sources[i]->holds;
    }

    ngx_shmtx_unlock(&shpool->mutex);

    if (pid && pid != ngx_pid) {
        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "status_edge: this worker reads Redis for the "
                      "instance, reader %ui; the lease of worker %P: %s",
                      ngx_http_status_edge_generation, pid, why);

    } else {
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "status_edge: this worker reads Redis for the "
                      "instance, reader %ui", ngx_http_status_edge_generation);
    }

    if (ngx_http_status_edge_reader_start(ngx_http_status_edge_reader_cycle,
                                          ngx_http_status_edge_reader_conf)
        != NGX_OK)
    {
        ngx_http_status_edge_reader_give_up("the link did not start");
    }
}


/* stops the link, and releases the lease when why says why */

static void
ngx_http_status_edge_reader_give_up(const char *why)
{
    ngx_uint_t                       i;
    ngx_slab_pool_t                 *shpool;
    ngx_http_status_edge_lease_t    *lease;
    ngx_http_status_edge_source_t  **sources;

    ngx_http_status_edge_holder = 0;

    ngx_http_status_edge_reader_stop(ngx_http_status_edge_reader_cycle);

    /*
     * The replies due are dropped with the link: no load is on its way,
     * and nothing here is confirmed by Redis until this worker reads again.
     */

    ngx_http_status_edge_stats.connected = 0;

    sources = ngx_http_status_edge_reader_conf->sources.elts;

    for (i = 0; i < ngx_http_status_edge_reader_conf->sources.nelts; i++) {
        sources[i]->loading = 0;
        sources[i]->reload = 0;
        sources[i]->stale = 1;
    }

    if (why == NULL) {
        return;
    }

    lease = ngx_http_status_edge_zone_lease(&shpool);
    if (lease == NULL) {
        return;
    }

    ngx_shmtx_lock(&shpool->mutex);

    if (lease->pid == ngx_pid
        && lease->generation == ngx_http_status_edge_generation)
    {
        ngx_http_status_edge_reader_report_locked(lease);
        lease->pid = 0;
        lease->connected = 0;
        lease->tracking = 0;
    }

    ngx_shmtx_unlock(&shpool->mutex);

    ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                  "status_edge: reader %ui released: %s",
                  ngx_http_status_edge_generation, why);
}


/*
 * The holder's counters into the zone: what they grew by since the last
 * report, so that the instance's totals never go back when the reader
 * changes.
 */

static void
ngx_http_status_edge_reader_report_locked(ngx_http_status_edge_lease_t *lease)
{
    ngx_uint_t                          i;
    ngx_http_status_edge_source_t     **sources, *source;
    ngx_http_status_edge_reported_t    *reported;
    ngx_http_status_edge_page_stats_t  *page;

    lease->connected = ngx_http_status_edge_stats.connected;
    lease->reconnects += ngx_http_status_edge_stats.reconnects
                         - ngx_http_status_edge_reported_reconnects;
    ngx_http_status_edge_reported_reconnects =
                                       ngx_http_status_edge_stats.reconnects;
    lease->tracking = ngx_http_status_edge_stats.tracking;
    lease->error_replies += ngx_http_status_edge_stats.error_replies
                            - ngx_http_status_edge_reported_errors;
    ngx_http_status_edge_reported_errors =
                                    ngx_http_status_edge_stats.error_replies;
    lease->stale_replicas += ngx_http_status_edge_stats.stale_replicas
                             - ngx_http_status_edge_reported_stale;
    ngx_http_status_edge_reported_stale =
                                    ngx_http_status_edge_stats.stale_replicas;

    sources = ngx_http_status_edge_reader_conf->sources.elts;

    for (i = 0; i < ngx_http_status_edge_reader_conf->sources.nelts; i++) {
        source = sources[i];
        reported = &ngx_http_status_edge_reported[i];

        page = ngx_http_status_edge_zone_page_locked(&source->prefix);
        if (page == NULL) {
            continue;
        }

        page->loads += source->loads - reported->loads;
        page->load_errors += source->load_errors - reported->load_errors;
        reported->loads = source->loads;
        reported->load_errors = source->load_errors;
        page->holds += source->holds - reported->holds;
        reported->holds = source->holds;
        page->holding = source->holding;

        if (source->loaded_at > page->loaded_at) {
            page->loaded_at = source->loaded_at;
        }

        page->stale = source->stale;
    }
}


/*
 * The version this worker serves, in its slot (its worker number); a
 * worker of a reload claims the slot from the exiting one of its number.
 */

static void
ngx_http_status_edge_reader_version(ngx_http_status_edge_source_t *source,
    ngx_uint_t claim)
{
    ngx_uint_t                              n;
    ngx_slab_pool_t                        *shpool;
    ngx_core_conf_t                        *ccf;
    ngx_http_status_edge_page_stats_t      *page;
    ngx_http_status_edge_worker_version_t  *workers, *w;

    if (ngx_http_status_edge_zone_lease(&shpool) == NULL) {
        return;
    }

    ngx_shmtx_lock(&shpool->mutex);

    page = ngx_http_status_edge_zone_page_locked(&source->prefix);
    if (page == NULL) {
        goto done;
    }

    if (ngx_worker >= page->nworkers) {
        ccf = (ngx_core_conf_t *) ngx_get_conf(ngx_cycle->conf_ctx,
                                               ngx_core_module);

        n = ngx_max(ngx_worker + 1, (ngx_uint_t) ccf->worker_processes);

        workers = ngx_slab_calloc_locked(shpool,
                          n * sizeof(ngx_http_status_edge_worker_version_t));
        if (workers == NULL) {
            goto done;
        }

        if (page->workers) {
            ngx_memcpy(workers, page->workers, page->nworkers
                       * sizeof(ngx_http_status_edge_worker_version_t));
            ngx_slab_free_locked(shpool, page->workers);
        }

        page->workers = workers;
        page->nworkers = n;
    }

    w = &page->workers[ngx_worker];

    if (claim || w->pid == ngx_pid) {
        w->pid = ngx_pid;
        w->version = source->current ? se_state_version(source->current->state)
                                     : 0;
    }

done:

    ngx_shmtx_unlock(&shpool->mutex);
}


static void
ngx_http_status_edge_reader_lease_handler(ngx_event_t *ev)
{
    ngx_http_status_edge_reader_check();

    ngx_add_timer(ev, NGX_HTTP_STATUS_EDGE_LEASE_RENEW
                      + (ngx_http_status_edge_holder
                         ? 0
                         : (ngx_msec_t) ngx_random()
                           % NGX_HTTP_STATUS_EDGE_LEASE_JITTER));
}


static void
ngx_http_status_edge_reader_watch_handler(ngx_event_t *ev)
{
    uint64_t                       seq;
    ngx_slab_pool_t               *shpool;
    ngx_http_status_edge_lease_t  *lease;

    lease = ngx_http_status_edge_zone_lease(&shpool);
    if (lease == NULL) {
        return;
    }

    /*
     * A lease released (a reload's old worker exiting) is taken without
     * waiting for the next look, and an exiting holder lets it go.
     */

    if (ngx_http_status_edge_holder
        ? (ngx_exiting || ngx_quit || ngx_terminate)
        : (*(volatile ngx_pid_t *) &lease->pid == 0
           && !ngx_exiting && !ngx_quit && !ngx_terminate))
    {
        ngx_http_status_edge_reader_check();
    }

    seq = ngx_http_status_edge_zone_seq();

    if (seq != ngx_http_status_edge_watched
        && ngx_http_status_edge_reader_adopt())
    {
        ngx_http_status_edge_watched = seq;
    }

    ngx_add_timer(ev, NGX_HTTP_STATUS_EDGE_WATCH);
}


/*
 * Builds each page whose bytes in the zone are newer than the ones this
 * worker built; one build at a time per page, so a page being built is
 * looked at again at the next tick.  1 when every page is up to date.
 */

static ngx_uint_t
ngx_http_status_edge_reader_adopt(void)
{
    u_char                          *buf;
    size_t                           len;
    uint64_t                         seq;
    ngx_int_t                        rc;
    ngx_uint_t                       i, done;
    ngx_log_t                       *log;
    ngx_http_status_edge_source_t  **sources, *source;

    log = ngx_http_status_edge_watch_ev.log;
    sources = ngx_http_status_edge_reader_conf->sources.elts;
    done = 1;

    for (i = 0; i < ngx_http_status_edge_reader_conf->sources.nelts; i++) {
        source = sources[i];

        if (source->building || source->loading) {
            done = 0;
            continue;
        }

        rc = ngx_http_status_edge_zone_copy(&source->prefix, source->seq,
                                            &buf, &len, &seq, log);

        if (rc == NGX_DECLINED) {
            continue;
        }

        if (rc == NGX_ERROR) {
            done = 0;
            continue;
        }

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, log, 0,
                       "status_edge: page \"%V\" adopts save %uL of the "
                       "zone", &source->prefix, seq);

        source->seq = seq;
        source->building = 1;
        source->adopting = 1;

        if (ngx_http_status_edge_update(source, buf, len, log) != NGX_OK) {
            source->building = 0;
            source->adopting = 0;
            source->seq = 0;
            done = 0;
        }
    }

    return done;
}


#if (NGX_HTTP_STATUS_EDGE_WAKEUP)

static void
ngx_http_status_edge_reader_close_wakeup(void *data)
{
    ngx_http_status_edge_main_conf_t  *smcf = data;

    if (smcf->wakeup == NGX_INVALID_FILE) {
        return;
    }

    if (close(smcf->wakeup) == -1) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, ngx_errno,
                      "status_edge: close() of the eventfd failed");
    }

    smcf->wakeup = NGX_INVALID_FILE;
}


/*
 * Edge-triggered, every write wakes every worker's epoll, whether or not
 * another worker read the counter: so none reads it, and no wakeup is
 * lost to a race.  A level-triggered method would see it ready forever:
 * without epoll the workers only look on their timer.
 */

static void
ngx_http_status_edge_reader_listen(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf)
{
    ngx_connection_t  *c;

    if (smcf->wakeup == NGX_INVALID_FILE
        || !(ngx_event_flags & NGX_USE_EPOLL_EVENT))
    {
        return;
    }

    c = ngx_get_connection(smcf->wakeup, cycle->log);
    if (c == NULL) {
        return;
    }

    c->read->handler = ngx_http_status_edge_reader_wakeup_handler;
    c->read->log = cycle->log;
    c->write->log = cycle->log;

    /* the master's descriptor: this worker's own copy is what is closed */

    if (ngx_add_event(c->read, NGX_READ_EVENT, NGX_CLEAR_EVENT) != NGX_OK) {
        ngx_close_connection(c);
        return;
    }

    ngx_http_status_edge_wakeup = c;
}


/* the holder wakes every worker once per save it made */

static void
ngx_http_status_edge_reader_wake(void)
{
    uint64_t  seq, one;

    if (ngx_http_status_edge_wakeup == NULL) {
        return;
    }

    seq = ngx_http_status_edge_zone_seq();

    if (seq == ngx_http_status_edge_woken) {
        return;
    }

    ngx_http_status_edge_woken = seq;
    one = 1;

    if (write(ngx_http_status_edge_wakeup->fd, &one, sizeof(uint64_t))
        != (ssize_t) sizeof(uint64_t))
    {
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, ngx_errno,
                      "status_edge: write() to the eventfd failed; the "
                      "workers look on their timer");
    }
}


static void
ngx_http_status_edge_reader_wakeup_handler(ngx_event_t *ev)
{
    uint64_t  seq;

    if (ngx_http_status_edge_reader_conf == NULL) {
        return;
    }

    seq = ngx_http_status_edge_zone_seq();

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                   "status_edge: woken by the reader, save %uL", seq);

    if (seq != ngx_http_status_edge_watched
        && ngx_http_status_edge_reader_adopt())
    {
        ngx_http_status_edge_watched = seq;
    }
}

#endif
