
/*
 * status-edge: the Redis adapter.  Per worker, on nginx's event loop: two
 * connections (ngx_http_status_edge_conn.c), one for commands and one for
 * SUBSCRIBE, timeouts and reconnects with capped backoff and jitter
 * across ordered fallbacks.
 *
 * Changes are pushed: a writer's PUBLISH on a page's channel, and Redis'
 * own invalidations (CLIENT TRACKING ... BCAST PREFIX, redirected to the
 * subscriber connection) for any key under a page's prefix, hand edits
 * included.  A Redis that refuses tracking is polled for Pversion
 * instead; a slow, jittered full resync is the last resort.
 *
 * An address whose replies are errors (LOADING, MASTERDOWN, BUSY, NOPERM,
 * ...) or that is a replica whose link to its primary is down (ROLE) is
 * left for the next one; when every address is unusable and some were
 * stale replicas, the freshest of those is read and its state served as
 * stale.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_http.h>

#include <hiredis/hiredis.h>

#include "ngx_http_status_edge_redis.h"
#include "ngx_http_status_edge_conn.h"
#include "ngx_http_status_edge_sentinel.h"
#include "ngx_http_status_edge_publish.h"
#include "se_snapshot.h"
#include "se_raw_codec.h"
#include "se_redis_raw.h"


#define NGX_HTTP_STATUS_EDGE_BACKOFF_MIN   100
#define NGX_HTTP_STATUS_EDGE_BACKOFF_MAX   1000
#define NGX_HTTP_STATUS_EDGE_FALLBACK_NEXT 20
#define NGX_HTTP_STATUS_EDGE_KEEPALIVE     10000
#define NGX_HTTP_STATUS_EDGE_COALESCE      50


typedef struct {
    ngx_http_status_edge_conn_t    conn;
    const char                    *role;
} ngx_http_status_edge_link_t;


/* the link's side of a source */
typedef struct {
    ngx_http_status_edge_source_t  *source;
    ngx_event_t                     coalesce;  /* a change to read at */
    ngx_msec_t                      sent_at;   /* the last read queued */
    uint64_t                        mark;      /* the command bytes then */
    unsigned                        subscribed:1;
    unsigned                        synced:1;  /* read on this link */
    unsigned                        sent:1;    /* sent_at is set */
    unsigned                        changed:1; /* keys, during a read */
    unsigned                        by_sha:1;  /* the read is an EVALSHA */
} ngx_http_status_edge_page_t;


typedef struct {
    ngx_http_status_edge_main_conf_t  *smcf;
    ngx_log_t                         *log;
    ngx_http_status_edge_link_t        cmd;
    ngx_http_status_edge_link_t        sub;
    ngx_http_status_edge_page_t       *pages;
    ngx_uint_t                         npages;
    const char                       **track_argv;
    size_t                            *track_argvlen;
    int                                track_argc;
    ngx_uint_t                         server;
    ngx_uint_t                         failures;
    ngx_uint_t                         stale_best; /* index + 1 */
    long long                          stale_offset;
    ngx_event_t                        reconnect;
    ngx_event_t                        poll;
    ngx_event_t                        resync;
    ngx_event_t                        keepalive;
    ngx_resolver_ctx_t                *resolving;
    ngx_addr_t                         resolved;
    ngx_sockaddr_t                     resolved_sockaddr;
    u_char                             resolved_text[NGX_SOCKADDR_STRLEN];
    u_char                             sub_id[NGX_INT64_LEN];
    size_t                             sub_id_len; /* 0: no CLIENT ID */
    u_char                             script_sha[40];
    unsigned                           script_known:1; /* script_sha */
    unsigned                           no_script_load:1; /* refused */
    unsigned                           ready:1;
    unsigned                           probing:1;  /* the first again */
    unsigned                           tearing_down:1;
    unsigned                           stopped:1;
    unsigned                           tracking:1; /* invalidations on */
    unsigned                           role_checked:1;
    unsigned                           no_role:1;  /* ROLE refused */
    unsigned                           replica:1;
    unsigned                           accept_stale:1; /* none is fresh */
    unsigned                           serving_stale:1;
} ngx_http_status_edge_sync_t;


static void ngx_http_status_edge_resolve(
    ngx_http_status_edge_server_t *server);
static void ngx_http_status_edge_resolved(ngx_resolver_ctx_t *ctx);
static void ngx_http_status_edge_connect_at(ngx_addr_t *addr);
static ngx_int_t ngx_http_status_edge_connect(ngx_addr_t *addr);
static ngx_int_t ngx_http_status_edge_link_open(
    ngx_http_status_edge_link_t *link, ngx_http_status_edge_server_t *server,
    ngx_addr_t *addr);
static void ngx_http_status_edge_link_close(ngx_http_status_edge_link_t *link);
static void ngx_http_status_edge_link_error(ngx_http_status_edge_conn_t *conn,
    const char *what, ngx_str_t *reason);
static void ngx_http_status_edge_fail(ngx_http_status_edge_link_t *link,
    const char *what, ngx_str_t *reason);
static void ngx_http_status_edge_fail_reply(ngx_http_status_edge_conn_t *conn,
    const char *what, redisReply *reply);
static void ngx_http_status_edge_reset_pages(void);
static void ngx_http_status_edge_retry_first(void);
static ngx_int_t ngx_http_status_edge_send(ngx_http_status_edge_link_t *link,
    ngx_http_status_edge_conn_reply_pt handler, void *data, int argc,
    const char **argv, const size_t *argvlen);
static ngx_int_t ngx_http_status_edge_send1(ngx_http_status_edge_link_t *link,
    ngx_http_status_edge_conn_reply_pt handler, void *data, const char *cmd);
static ngx_int_t ngx_http_status_edge_tracking_conf(
    ngx_http_status_edge_sync_t *sync);
static void ngx_http_status_edge_tracking_refused(const char *what,
    redisReply *reply);
static void ngx_http_status_edge_changed(ngx_http_status_edge_page_t *page,
    ngx_uint_t coalesce);
static void ngx_http_status_edge_load(ngx_http_status_edge_page_t *page);
static void ngx_http_status_edge_load_all(void);
static void ngx_http_status_edge_poll_page(ngx_http_status_edge_page_t *page);
static ngx_http_status_edge_page_t *ngx_http_status_edge_page_of(
    ngx_http_status_edge_source_t *source);
static void ngx_http_status_edge_redis_updated(
    ngx_http_status_edge_source_t *source, ngx_int_t rc);
static ngx_uint_t ngx_http_status_edge_error_is(redisReply *reply,
    const char *code);
static ngx_uint_t ngx_http_status_edge_script_failed(redisReply *reply);
static ngx_msec_t ngx_http_status_edge_jitter(ngx_msec_t interval);

static void ngx_http_status_edge_on_setup(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data);
static void ngx_http_status_edge_on_role(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data);
static void ngx_http_status_edge_on_client_id(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_on_tracking(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_report_link(ngx_uint_t connected);
static void ngx_http_status_edge_on_script_load(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_on_snapshot(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_on_version(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_on_subscribe(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_on_message(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_on_invalidate(redisReply *keys);
static void ngx_http_status_edge_on_pong(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data);
static void ngx_http_status_edge_sentinel_found(
    ngx_http_status_edge_server_t *entry, ngx_str_t *reason);
static void ngx_http_status_edge_sentinel_moved(
    ngx_http_status_edge_server_t *entry, ngx_str_t *reason);

static void ngx_http_status_edge_reconnect_handler(ngx_event_t *ev);
static void ngx_http_status_edge_poll_handler(ngx_event_t *ev);
static void ngx_http_status_edge_resync_handler(ngx_event_t *ev);
static void ngx_http_status_edge_keepalive_handler(ngx_event_t *ev);
static void ngx_http_status_edge_coalesce_handler(ngx_event_t *ev);
static void ngx_http_status_edge_timer(ngx_event_t *ev,
    ngx_event_handler_pt handler, void *data);


static ngx_http_status_edge_sync_t  ngx_http_status_edge_sync;

static ngx_str_t  ngx_http_status_edge_invalidate =
    ngx_string("__redis__:invalidate");

/* logged once per worker: a Redis without tracking stays without */
static ngx_uint_t  ngx_http_status_edge_logged_tracking;
static ngx_uint_t  ngx_http_status_edge_logged_role;


ngx_int_t
ngx_http_status_edge_redis_start(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf)
{
    ngx_uint_t                       i;
    ngx_http_status_edge_page_t     *page;
    ngx_http_status_edge_sync_t     *sync = &ngx_http_status_edge_sync;
    ngx_http_status_edge_source_t  **sources;

    ngx_memzero(sync, sizeof(ngx_http_status_edge_sync_t));

    sync->smcf = smcf;
    sync->log = cycle->log;
    sync->cmd.role = "command";
    sync->sub.role = "subscribe";

    sources = smcf->sources.elts;
    sync->npages = smcf->sources.nelts;

    sync->pages = ngx_calloc(sync->npages
                             * sizeof(ngx_http_status_edge_page_t),
                             cycle->log);
    if (sync->pages == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < sync->npages; i++) {
        sources[i]->updated = ngx_http_status_edge_redis_updated;

        page = &sync->pages[i];
        page->source = sources[i];
        ngx_http_status_edge_timer(&page->coalesce,
                                   ngx_http_status_edge_coalesce_handler,
                                   page);
    }

    if (ngx_http_status_edge_tracking_conf(sync) != NGX_OK) {
        return NGX_ERROR;
    }

    sync->cmd.conn.log = cycle->log;
    sync->cmd.conn.error = ngx_http_status_edge_link_error;
    sync->cmd.conn.data = &sync->cmd;

    sync->sub.conn.log = cycle->log;
    sync->sub.conn.error = ngx_http_status_edge_link_error;
    sync->sub.conn.message = ngx_http_status_edge_on_message;
    sync->sub.conn.data = &sync->sub;

    ngx_http_status_edge_sentinel_start(cycle->log, smcf,
                                        ngx_http_status_edge_sentinel_found,
                                        ngx_http_status_edge_sentinel_moved);

    ngx_http_status_edge_timer(&sync->reconnect,
                               ngx_http_status_edge_reconnect_handler, sync);
    ngx_http_status_edge_timer(&sync->poll,
                               ngx_http_status_edge_poll_handler, sync);
    ngx_http_status_edge_timer(&sync->resync,
                               ngx_http_status_edge_resync_handler, sync);
    ngx_http_status_edge_timer(&sync->keepalive,
                               ngx_http_status_edge_keepalive_handler, sync);

    /* the version poll starts only if Redis refuses tracking */

    ngx_add_timer(&sync->resync,
                  ngx_http_status_edge_jitter(smcf->resync_interval));
    ngx_add_timer(&sync->keepalive, NGX_HTTP_STATUS_EDGE_KEEPALIVE);

    /* the first connect waits for the event loop: no I/O in init_process */
    ngx_add_timer(&sync->reconnect, 1);

    return NGX_OK;
}


void
ngx_http_status_edge_redis_stop(ngx_cycle_t *cycle)
{
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    sync->stopped = 1;
    sync->tearing_down = 1;

    if (sync->resolving) {
        ngx_resolve_name_done(sync->resolving);
        sync->resolving = NULL;
    }

    ngx_http_status_edge_link_close(&sync->cmd);
    ngx_http_status_edge_link_close(&sync->sub);
    ngx_http_status_edge_sentinel_stop();

    if (sync->reconnect.timer_set) {
        ngx_del_timer(&sync->reconnect);
    }

    if (sync->poll.timer_set) {
        ngx_del_timer(&sync->poll);
    }

    if (sync->resync.timer_set) {
        ngx_del_timer(&sync->resync);
    }

    if (sync->keepalive.timer_set) {
        ngx_del_timer(&sync->keepalive);
    }

    if (sync->pages) {
        ngx_http_status_edge_reset_pages();
        ngx_free(sync->pages);
        sync->pages = NULL;
        sync->npages = 0;
    }

    if (sync->track_argv) {
        ngx_free(sync->track_argv);
        ngx_free(sync->track_argvlen);
        sync->track_argv = NULL;
        sync->track_argvlen = NULL;
    }
}


static void
ngx_http_status_edge_timer(ngx_event_t *ev, ngx_event_handler_pt handler,
    void *data)
{
    ev->handler = handler;
    ev->data = data;
    ev->log = ngx_http_status_edge_sync.log;
    ev->cancelable = 1;
}


/*
 * CLIENT TRACKING on REDIRECT <id> BCAST PREFIX p1 PREFIX p2 ...: Redis
 * refuses prefixes that overlap, so a page prefix within another one
 * ("status:eu:" in "status:") is left out; its keys are tracked by the
 * shorter one and matched to every page whose prefix they start with.
 */

static ngx_int_t
ngx_http_status_edge_tracking_conf(ngx_http_status_edge_sync_t *sync)
{
    int          argc;
    size_t       n;
    ngx_str_t   *p, *q;
    ngx_uint_t   i, j, within;

    n = 6 + 2 * sync->npages;

    sync->track_argv = ngx_alloc(n * sizeof(char *), sync->log);
    sync->track_argvlen = ngx_alloc(n * sizeof(size_t), sync->log);

    if (sync->track_argv == NULL || sync->track_argvlen == NULL) {
        return NGX_ERROR;
    }

    argc = 0;

#define ngx_http_status_edge_arg(s, len)                                     \
    sync->track_argv[argc] = (const char *) (s);                            \
    sync->track_argvlen[argc++] = (len)

    ngx_http_status_edge_arg("CLIENT", 6);
    ngx_http_status_edge_arg("TRACKING", 8);
    ngx_http_status_edge_arg("on", 2);
    ngx_http_status_edge_arg("REDIRECT", 8);
    ngx_http_status_edge_arg(sync->sub_id, 0);   /* CLIENT ID's, at send */
    ngx_http_status_edge_arg("BCAST", 5);

    for (i = 0; i < sync->npages; i++) {
        p = &sync->pages[i].source->prefix;
        within = 0;

        for (j = 0; j < sync->npages; j++) {
            q = &sync->pages[j].source->prefix;

            if (j != i
                && (q->len < p->len || (q->len == p->len && j < i))
                && ngx_strncmp(p->data, q->data, q->len) == 0)
            {
                within = 1;
                break;
            }
        }

        if (within) {
            ngx_log_debug2(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                           "status_edge: keys of \"%V\" tracked within "
                           "\"%V\"", p, q);
            continue;
        }

        ngx_http_status_edge_arg("PREFIX", 6);
        ngx_http_status_edge_arg(p->data, p->len);
    }

#undef ngx_http_status_edge_arg

    sync->track_argc = argc;

    return NGX_OK;
}


static ngx_int_t
ngx_http_status_edge_connect(ngx_addr_t *addr)
{
    ngx_str_t                         channel;
    ngx_uint_t                        i;
    const char                       *argv[3];
    size_t                            argvlen[3];
    ngx_http_status_edge_page_t      *page;
    ngx_http_status_edge_server_t    *server;
    ngx_http_status_edge_sync_t      *sync = &ngx_http_status_edge_sync;
    u_char                            db[NGX_INT_T_LEN];

    server = sync->smcf->servers.elts;
    server = &server[sync->server];

    if (server->sentinel) {
        /* the server its Sentinels named (ngx_http_status_edge_sentinel.c) */
        server = ngx_http_status_edge_sentinel_server(server);
    }

    sync->ready = 0;
    sync->tearing_down = 0;
    sync->tracking = 0;
    sync->role_checked = 0;
    sync->no_role = 0;
    sync->no_script_load = 0;
    sync->replica = 0;
    sync->sub_id_len = 0;
    ngx_http_status_edge_stats.tracking = 0;

    ngx_http_status_edge_reset_pages();

    if (ngx_http_status_edge_link_open(&sync->cmd, server, addr) != NGX_OK
        || ngx_http_status_edge_link_open(&sync->sub, server, addr)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (server->db) {
        argv[0] = "SELECT";
        argvlen[0] = 6;
        argv[1] = (const char *) db;
        argvlen[1] = ngx_sprintf(db, "%ui", server->db) - db;

        if (ngx_http_status_edge_send(&sync->cmd,
                                      ngx_http_status_edge_on_setup, NULL,
                                      2, argv, argvlen)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (ngx_http_status_edge_send1(&sync->cmd, ngx_http_status_edge_on_role,
                                   NULL, "ROLE")
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* RESP2 allows no CLIENT command once the connection subscribed */

    argv[0] = "CLIENT";
    argvlen[0] = 6;
    argv[1] = "ID";
    argvlen[1] = 2;

    if (ngx_http_status_edge_send(&sync->sub,
                                  ngx_http_status_edge_on_client_id, NULL,
                                  2, argv, argvlen)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    argv[0] = "SUBSCRIBE";
    argvlen[0] = 9;
    argv[1] = (const char *) ngx_http_status_edge_invalidate.data;
    argvlen[1] = ngx_http_status_edge_invalidate.len;

    if (ngx_http_status_edge_send(&sync->sub,
                                  ngx_http_status_edge_on_subscribe, NULL,
                                  2, argv, argvlen)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /*
     * A page is first read once its SUBSCRIBE is confirmed and ROLE
     * answered (ngx_http_status_edge_on_subscribe, _on_role): its read
     * follows CLIENT TRACKING, sent when the invalidations' SUBSCRIBE is
     * confirmed, so no change in between is missed.
     */

    for (i = 0; i < sync->npages; i++) {
        page = &sync->pages[i];
        channel = page->source->channel;

        argv[1] = (const char *) channel.data;
        argvlen[1] = channel.len;

        if (ngx_http_status_edge_send(&sync->sub,
                                      ngx_http_status_edge_on_subscribe,
                                      page, 2, argv, argvlen)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    for (i = 0; i < sync->npages; i++) {
        sync->pages[i].source->loading = 0;
        sync->pages[i].source->reload = 0;
    }

    /* polls may start now */
    sync->ready = 1;

    return NGX_OK;
}


static ngx_int_t
ngx_http_status_edge_link_open(ngx_http_status_edge_link_t *link,
    ngx_http_status_edge_server_t *server, ngx_addr_t *addr)
{
    ngx_str_t                     reason;
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    if (ngx_http_status_edge_conn_open(&link->conn, server, addr, sync->smcf)
        != NGX_OK)
    {
        reason.data = link->conn.reason;
        reason.len = link->conn.reason_len;
        ngx_http_status_edge_fail(link, "connect failed", &reason);
        return NGX_ERROR;
    }

    if (ngx_http_status_edge_conn_auth(&link->conn, server,
                                       ngx_http_status_edge_on_setup, NULL)
        != NGX_OK)
    {
        ngx_str_set(&reason, "no memory");
        ngx_http_status_edge_fail(link, "command failed", &reason);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_status_edge_link_close(ngx_http_status_edge_link_t *link)
{
    ngx_http_status_edge_conn_close(&link->conn);
}


static void
ngx_http_status_edge_link_error(ngx_http_status_edge_conn_t *conn,
    const char *what, ngx_str_t *reason)
{
    ngx_http_status_edge_fail(conn->data, what, reason);
}


static void
ngx_http_status_edge_fail(ngx_http_status_edge_link_t *link, const char *what,
    ngx_str_t *reason)
{
    ngx_msec_t                        delay;
    ngx_uint_t                        i, rounds, nservers, level;
    ngx_http_status_edge_source_t   **sources;
    ngx_http_status_edge_server_t    *server;
    ngx_http_status_edge_sync_t      *sync = &ngx_http_status_edge_sync;

    if (sync->tearing_down || sync->stopped) {
        return;
    }

    sync->tearing_down = 1;

    server = sync->smcf->servers.elts;
    nservers = sync->smcf->servers.nelts;

    /* the first failure is an error; retries while Redis stays down are
     * logged at info, so a long outage does not flood the log */

    level = (sync->failures < nservers && !sync->probing) ? NGX_LOG_ERR
                                                          : NGX_LOG_INFO;

    /* before a link exists (no address, no Sentinel): no link named */

    if (reason && reason->len) {
        ngx_log_error(level, sync->log, 0,
                      "status_edge: Redis \"%V\" %s%s%s: %V; serving the "
                      "last known state",
                      &server[sync->server].name, link ? link->role : "",
                      link ? " link: " : "", what, reason);

    } else {
        ngx_log_error(level, sync->log, 0,
                      "status_edge: Redis \"%V\" %s%s%s; serving the last "
                      "known state",
                      &server[sync->server].name, link ? link->role : "",
                      link ? " link: " : "", what);
    }

    ngx_http_status_edge_link_close(&sync->cmd);
    ngx_http_status_edge_link_close(&sync->sub);

    ngx_http_status_edge_stats.connected = 0;
    ngx_http_status_edge_stats.tracking = 0;

    sources = sync->smcf->sources.elts;
    for (i = 0; i < sync->smcf->sources.nelts; i++) {
        sources[i]->stale = 1;
        sources[i]->loading = 0;
        sources[i]->reload = 0;
    }

    ngx_http_status_edge_report_link(0);
    ngx_http_status_edge_reset_pages();

    sync->ready = 0;
    sync->tracking = 0;
    sync->role_checked = 0;
    sync->serving_stale = 0;
    sync->accept_stale = 0;
    sync->failures++;
    sync->server = (sync->server + 1) % nservers;

    /* try the next fallback at once; back off after a full round */

    rounds = sync->failures / nservers;

    if (rounds == 0) {
        delay = NGX_HTTP_STATUS_EDGE_FALLBACK_NEXT;

    } else {
        delay = NGX_HTTP_STATUS_EDGE_BACKOFF_MIN << ngx_min(rounds - 1, 8);
        delay = ngx_min(delay, NGX_HTTP_STATUS_EDGE_BACKOFF_MAX);
        delay = delay / 2 + (ngx_msec_t) ngx_random() % (delay / 2 + 1);
    }

    /*
     * A round found no address both usable and fresh, and some were
     * replicas whose link to their primary is down: the one that had
     * received the most from its primary is read, its state served as
     * stale, rather than nothing.
     */

    if (sync->failures % nservers == 0 && sync->stale_best) {
        sync->server = sync->stale_best - 1;
        sync->stale_best = 0;
        sync->accept_stale = 1;
        delay = NGX_HTTP_STATUS_EDGE_FALLBACK_NEXT;

        level = sync->probing ? NGX_LOG_INFO : NGX_LOG_WARN;

        ngx_log_error(level, sync->log, 0,
                      "status_edge: no Redis address is both usable and "
                      "fresh: reading \"%V\", a replica whose link to its "
                      "primary is down", &server[sync->server].name);
    }

    if (!ngx_exiting && !ngx_quit && !ngx_terminate) {
        ngx_add_timer(&sync->reconnect, delay);
    }
}


/* an error reply leaves the address for the next one */

static void
ngx_http_status_edge_fail_reply(ngx_http_status_edge_conn_t *conn,
    const char *what, redisReply *reply)
{
    ngx_str_t  err;

    err.data = (u_char *) reply->str;
    err.len = reply->len;

    ngx_http_status_edge_stats.error_replies++;

    ngx_http_status_edge_fail(conn->data, what, &err);
}


static void
ngx_http_status_edge_reset_pages(void)
{
    ngx_uint_t                    i;
    ngx_http_status_edge_page_t  *page;
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    for (i = 0; i < sync->npages; i++) {
        page = &sync->pages[i];

        if (page->coalesce.timer_set) {
            ngx_del_timer(&page->coalesce);
        }

        page->subscribed = 0;
        page->synced = 0;
        page->sent = 0;
        page->changed = 0;
    }
}


static ngx_int_t
ngx_http_status_edge_send(ngx_http_status_edge_link_t *link,
    ngx_http_status_edge_conn_reply_pt handler, void *data, int argc,
    const char **argv, const size_t *argvlen)
{
    ngx_str_t  reason;

    if (!link->conn.open) {
        return NGX_ERROR;
    }

    if (ngx_http_status_edge_conn_send(&link->conn, handler, data, argc, argv,
                                       argvlen)
        != NGX_OK)
    {
        ngx_str_set(&reason, "no memory");
        ngx_http_status_edge_fail(link, "command failed", &reason);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_status_edge_send1(ngx_http_status_edge_link_t *link,
    ngx_http_status_edge_conn_reply_pt handler, void *data, const char *cmd)
{
    size_t  len;

    len = ngx_strlen(cmd);

    return ngx_http_status_edge_send(link, handler, data, 1, &cmd, &len);
}


static void
ngx_http_status_edge_on_setup(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_status_edge_fail_reply(conn, "setup refused", reply);
    }
}


/*
 * ROLE, on connect, with each read of a replica and on each keepalive:
 * a replica whose link to its primary is not "connected" is stale, and
 * the next address is tried; when a whole round found none better, the
 * stale one chosen by ngx_http_status_edge_fail() is read after all.
 */

static void
ngx_http_status_edge_on_role(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    u_char                         *p;
    ngx_str_t                       state, reason;
    ngx_uint_t                      i, fresh;
    long long                       offset;
    redisReply                     *kind;
    ngx_http_status_edge_page_t    *page;
    ngx_http_status_edge_server_t  *server;
    ngx_http_status_edge_sync_t    *sync = &ngx_http_status_edge_sync;
    u_char                          text[128];

    server = sync->smcf->servers.elts;
    server = &server[sync->server];

    /* a server named by Sentinels must be what they said it is */

    if (server->sentinel
        && ngx_http_status_edge_sentinel_role(reply, &reason) != NGX_OK)
    {
        ngx_http_status_edge_fail(conn->data, "wrong role", &reason);
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {

        /* an ACL without ROLE, or ROLE renamed: the role goes unchecked */

        if (!ngx_http_status_edge_error_is(reply, "NOPERM")
            && !ngx_http_status_edge_error_is(reply, "ERR"))
        {
            ngx_http_status_edge_fail_reply(conn, "ROLE refused", reply);
            return;
        }

        if (!ngx_http_status_edge_logged_role) {
            ngx_http_status_edge_logged_role = 1;
            ngx_log_error(NGX_LOG_WARN, sync->log, 0,
                          "status_edge: Redis \"%V\" refuses ROLE: %*s; a "
                          "replica whose link to its primary is down is not "
                          "noticed", &server->name, reply->len, reply->str);
        }

        sync->no_role = 1;
        sync->replica = 0;
        sync->accept_stale = 0;
        goto checked;
    }

    kind = (reply->type == REDIS_REPLY_ARRAY && reply->elements)
           ? reply->element[0] : NULL;

    if (kind == NULL || kind->type != REDIS_REPLY_STRING) {
        ngx_str_set(&reason, "not an array");
        ngx_http_status_edge_fail(conn->data, "bad ROLE reply", &reason);
        return;
    }

    offset = 0;

    if (kind->len == 6 && ngx_strncmp(kind->str, "master", 6) == 0) {
        sync->replica = 0;
        fresh = 1;

    } else if (kind->len == 5 && ngx_strncmp(kind->str, "slave", 5) == 0
               && reply->elements >= 5
               && reply->element[3]->type == REDIS_REPLY_STRING)
    {
        state.data = (u_char *) reply->element[3]->str;
        state.len = reply->element[3]->len;

        if (reply->element[4]->type == REDIS_REPLY_INTEGER) {
            offset = reply->element[4]->integer;
        }

        sync->replica = 1;
        fresh = (state.len == 9
                 && ngx_strncmp(state.data, "connected", 9) == 0);

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                       "status_edge: Redis replica, link \"%V\", offset %L",
                       &state, offset);

    } else {
        p = ngx_snprintf(text, sizeof(text), "ROLE says \"%*s\"",
                         ngx_min(kind->len, 64), kind->str);
        reason.data = text;
        reason.len = p - text;
        ngx_http_status_edge_fail(conn->data, "not a data server", &reason);
        return;
    }

    if (!fresh) {
        if (!sync->accept_stale && !sync->serving_stale) {
            ngx_http_status_edge_stats.stale_replicas++;

            if (sync->stale_best == 0 || offset > sync->stale_offset) {
                sync->stale_best = sync->server + 1;
                sync->stale_offset = offset;
            }

            p = ngx_snprintf(text, sizeof(text),
                             "its link to the primary is \"%V\"", &state);
            reason.data = text;
            reason.len = p - text;
            ngx_http_status_edge_fail(conn->data, "stale replica", &reason);
            return;
        }

        if (!sync->serving_stale) {
            ngx_http_status_edge_stats.stale_replicas++;
            sync->serving_stale = 1;

            ngx_log_error(NGX_LOG_WARN, sync->log, 0,
                          "status_edge: Redis \"%V\": serving the state of "
                          "a replica whose link to its primary is \"%V\" as "
                          "stale", &server->name, &state);

            for (i = 0; i < sync->npages; i++) {
                sync->pages[i].source->stale = 1;
            }
        }

    } else {
        sync->stale_best = 0;

        if (sync->serving_stale) {
            sync->serving_stale = 0;

            ngx_log_error(NGX_LOG_NOTICE, sync->log, 0,
                          "status_edge: Redis \"%V\": the replica's link to "
                          "its primary is up again", &server->name);

            /* read again: the state is no longer stale */
            ngx_http_status_edge_load_all();
        }
    }

    sync->accept_stale = 0;

checked:

    if (ngx_http_status_edge_stats.connected) {
        /* a replica promoted shows as a primary without a read */
        ngx_http_status_edge_report_link(1);
    }

    if (sync->role_checked) {
        return;
    }

    sync->role_checked = 1;

    for (i = 0; i < sync->npages; i++) {
        page = &sync->pages[i];

        if (page->subscribed) {
            ngx_http_status_edge_load(page);
        }
    }
}


static void
ngx_http_status_edge_on_client_id(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    if (reply->type != REDIS_REPLY_INTEGER) {
        ngx_http_status_edge_tracking_refused("CLIENT ID", reply);
        return;
    }

    sync->sub_id_len = ngx_sprintf(sync->sub_id, "%L", reply->integer)
                       - sync->sub_id;
}


static void
ngx_http_status_edge_on_tracking(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_status_edge_tracking_refused("CLIENT TRACKING", reply);
        return;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                   "status_edge: Redis pushes invalidations to client %*s",
                   sync->sub_id_len, sync->sub_id);

    sync->tracking = 1;
    ngx_http_status_edge_stats.tracking = 1;

    if (sync->poll.timer_set) {
        ngx_del_timer(&sync->poll);
    }
}


/* an old Redis, or an ACL without CLIENT: Pversion is polled instead */

static void
ngx_http_status_edge_tracking_refused(const char *what, redisReply *reply)
{
    ngx_http_status_edge_server_t  *server;
    ngx_http_status_edge_sync_t    *sync = &ngx_http_status_edge_sync;

    sync->tracking = 0;
    ngx_http_status_edge_stats.tracking = 0;

    if (!ngx_http_status_edge_logged_tracking) {
        ngx_http_status_edge_logged_tracking = 1;

        server = sync->smcf->servers.elts;

        ngx_log_error(NGX_LOG_WARN, sync->log, 0,
                      "status_edge: Redis \"%V\" refuses %s: %*s; reading "
                      "Pversion every %M ms instead, and a change without a "
                      "version bump at the next resync",
                      &server[sync->server].name, what,
                      reply->type == REDIS_REPLY_ERROR ? reply->len : 0,
                      reply->type == REDIS_REPLY_ERROR ? reply->str : "",
                      sync->smcf->poll_interval);
    }

    if (!sync->poll.timer_set) {
        ngx_add_timer(&sync->poll, sync->smcf->poll_interval);
    }
}


/*
 * A page's keys changed (coalesce: Redis' invalidation) or its writer
 * published (a change complete: read at once).  A read queued but not
 * yet sent sees the change; one under way is followed by one more, at
 * once after a PUBLISH.  Invalidations, which a redis-cli session sends
 * key by key, are read at most once a NGX_HTTP_STATUS_EDGE_COALESCE
 * window, the last one at the window's end.
 */

static void
ngx_http_status_edge_changed(ngx_http_status_edge_page_t *page,
    ngx_uint_t coalesce)
{
    ngx_msec_t                      elapsed;
    ngx_http_status_edge_source_t  *source = page->source;
    ngx_http_status_edge_sync_t    *sync = &ngx_http_status_edge_sync;

    if (source->loading && sync->cmd.conn.sent < page->mark) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                       "status_edge: page \"%V\" changed, its read is still "
                       "to be sent", &source->prefix);
        return;
    }

    if (source->loading || source->building) {
        if (coalesce) {
            page->changed = 1;

        } else {
            source->reload = 1;
        }

        return;
    }

    if (coalesce && page->sent) {
        if (page->coalesce.timer_set) {
            return;
        }

        elapsed = ngx_current_msec - page->sent_at;

        if (elapsed < NGX_HTTP_STATUS_EDGE_COALESCE) {
            ngx_log_debug2(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                           "status_edge: page \"%V\" changed, read in %M ms",
                           &source->prefix,
                           NGX_HTTP_STATUS_EDGE_COALESCE - elapsed);

            ngx_add_timer(&page->coalesce,
                          NGX_HTTP_STATUS_EDGE_COALESCE - elapsed);
            return;
        }
    }

    ngx_http_status_edge_load(page);
}


static void
ngx_http_status_edge_load(ngx_http_status_edge_page_t *page)
{
    const char                     *argv[11];
    size_t                          argvlen[11];
    ngx_http_status_edge_source_t  *source = page->source;
    ngx_http_status_edge_sync_t    *sync = &ngx_http_status_edge_sync;

    if (source->loading || source->building) {
        source->reload = 1;
        return;
    }

    if (page->coalesce.timer_set) {
        ngx_del_timer(&page->coalesce);
    }

    /*
     * A replica is asked for its role with each read, in the same write:
     * Redis runs the two back to back, so a read of a replica whose link
     * went down since the last ROLE is not taken for a fresh one (with
     * replica-serve-stale-data no, the script would read empty keys).
     */

    if (sync->replica && !sync->no_role
        && ngx_http_status_edge_send1(&sync->cmd,
                                      ngx_http_status_edge_on_role, NULL,
                                      "ROLE")
           != NGX_OK)
    {
        return;
    }

    /*
     * The script (4 KB) is sent whole once, with SCRIPT LOAD for its SHA1,
     * then each read is an EVALSHA of 200 bytes: with a fleet on one Redis
     * that is most of what a change costs it.  The SHA1 is the script's,
     * the same on every Redis; one that does not have the script answers
     * NOSCRIPT and is sent it again (ngx_http_status_edge_on_snapshot()).
     */

    if (!sync->script_known && !sync->no_script_load) {
        argv[0] = "SCRIPT";
        argvlen[0] = 6;
        argv[1] = "LOAD";
        argvlen[1] = 4;
        argv[2] = SE_SNAPSHOT_LUA;
        argvlen[2] = sizeof(SE_SNAPSHOT_LUA) - 1;

        if (ngx_http_status_edge_send(&sync->cmd,
                                      ngx_http_status_edge_on_script_load,
                                      NULL, 3, argv, argvlen)
            != NGX_OK)
        {
            return;
        }
    }

    page->by_sha = sync->script_known;

    if (page->by_sha) {
        argv[0] = "EVALSHA";
        argvlen[0] = 7;
        argv[1] = (const char *) sync->script_sha;
        argvlen[1] = sizeof(sync->script_sha);

    } else {
        argv[0] = "EVAL";
        argvlen[0] = 4;
        argv[1] = SE_SNAPSHOT_LUA;
        argvlen[1] = sizeof(SE_SNAPSHOT_LUA) - 1;
    }

    argv[2] = "0";
    argvlen[2] = 1;
    argv[3] = (const char *) source->prefix.data;
    argvlen[3] = source->prefix.len;
    argv[4] = SE_SNAPSHOT_MAX_HISTORY;
    argvlen[4] = sizeof(SE_SNAPSHOT_MAX_HISTORY) - 1;
    argv[5] = SE_SNAPSHOT_MAX_UPDATES;
    argvlen[5] = sizeof(SE_SNAPSHOT_MAX_UPDATES) - 1;
    argv[6] = SE_SNAPSHOT_MAX_VALUE;
    argvlen[6] = sizeof(SE_SNAPSHOT_MAX_VALUE) - 1;
    argv[7] = SE_SNAPSHOT_MAX_FIELDS;
    argvlen[7] = sizeof(SE_SNAPSHOT_MAX_FIELDS) - 1;
    argv[8] = SE_SNAPSHOT_MAX_BYTES;
    argvlen[8] = sizeof(SE_SNAPSHOT_MAX_BYTES) - 1;
    argv[9] = (const char *) sync->smcf->uptime_window.data;
    argvlen[9] = sync->smcf->uptime_window.len;
    argv[10] = SE_SNAPSHOT_MAX_CHANGES;
    argvlen[10] = sizeof(SE_SNAPSHOT_MAX_CHANGES) - 1;

    if (ngx_http_status_edge_send(&sync->cmd,
                                  ngx_http_status_edge_on_snapshot, page,
                                  11, argv, argvlen)
        != NGX_OK)
    {
        return;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                   "status_edge: page \"%V\" read (%s)", &source->prefix,
                   argv[0]);

    source->loading = 1;
    page->mark = sync->cmd.conn.queued;
    page->sent_at = ngx_current_msec;
    page->sent = 1;
    page->changed = 0;
}


static void
ngx_http_status_edge_load_all(void)
{
    ngx_uint_t                    i;
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    for (i = 0; i < sync->npages; i++) {
        if (sync->pages[i].subscribed) {
            ngx_http_status_edge_load(&sync->pages[i]);
        }
    }
}


/*
 * The metrics name the server read (for a Sentinel entry, the one the
 * Sentinels named) and its role as ROLE said, unknown without ROLE.
 */

static void
ngx_http_status_edge_report_link(ngx_uint_t connected)
{
    ngx_str_t                       role, *known;
    ngx_http_status_edge_server_t  *server, *named;
    ngx_http_status_edge_sync_t    *sync = &ngx_http_status_edge_sync;

    server = sync->smcf->servers.elts;
    server = &server[sync->server];

    if (server->sentinel) {
        named = ngx_http_status_edge_sentinel_server(server);

        if (named->name.len) {
            server = named;
        }
    }

    known = NULL;

    if (connected && sync->role_checked && !sync->no_role) {
        if (sync->replica) {
            ngx_str_set(&role, "replica");

        } else {
            ngx_str_set(&role, "primary");
        }

        known = &role;
    }

    ngx_http_status_edge_reader_link_status(&server->name, known, connected);
}


/*
 * An error leaves the reads to EVAL: an ACL without SCRIPT, or a Redis
 * that is loading (then the EVAL behind it meets the same error and the
 * link acts on it).
 */

static void
ngx_http_status_edge_on_script_load(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    if (reply->type == REDIS_REPLY_STRING
        && reply->len == sizeof(sync->script_sha))
    {
        ngx_memcpy(sync->script_sha, reply->str, sizeof(sync->script_sha));
        sync->script_known = 1;
        return;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                   "status_edge: SCRIPT LOAD refused, reads by EVAL: %*s",
                   reply->type == REDIS_REPLY_ERROR ? reply->len : 0,
                   reply->type == REDIS_REPLY_ERROR ? reply->str : "");

    sync->no_script_load = 1;
}


static void
ngx_http_status_edge_on_snapshot(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_http_status_edge_page_t  *page = data;

    u_char                          *buf;
    size_t                           len;
    se_raw_t                        *raw;
    ngx_http_status_edge_source_t   *source;
    ngx_http_status_edge_sync_t     *sync = &ngx_http_status_edge_sync;
    ngx_http_status_edge_server_t   *server;

    source = page->source;
    source->loading = 0;

    /*
     * A Redis without the script (restarted, SCRIPT FLUSH, another one
     * after a failover) is sent it again; one whose ACL allows EVAL but
     * not EVALSHA is read by EVAL.
     */

    if (page->by_sha
        && (ngx_http_status_edge_error_is(reply, "NOSCRIPT")
            || ngx_http_status_edge_error_is(reply, "NOPERM")))
    {
        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                       "status_edge: page \"%V\": EVALSHA refused, read "
                       "by EVAL: %*s", &source->prefix, reply->len,
                       reply->str);

        sync->script_known = 0;
        sync->no_script_load = ngx_http_status_edge_error_is(reply,
                                                             "NOPERM");
        ngx_http_status_edge_load(page);
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        source->load_errors++;

        ngx_http_status_edge_fail_reply(conn,
                                        ngx_http_status_edge_script_failed(
                                                                     reply)
                                        ? "the snapshot script of "
                                          "status-edge failed, please "
                                          "report it"
                                        : "snapshot refused", reply);
        return;
    }

    if (reply->type != REDIS_REPLY_ARRAY) {
        source->load_errors++;
        ngx_log_error(NGX_LOG_ERR, sync->log, 0,
                      "status_edge: page \"%V\": snapshot failed: not an "
                      "array", &source->prefix);
        ngx_http_status_edge_redis_updated(source, NGX_ERROR);
        return;
    }

    if (sync->failures) {
        server = sync->smcf->servers.elts;
        ngx_log_error(NGX_LOG_NOTICE, sync->log, 0,
                      "status_edge: Redis \"%V\" connected, page \"%V\" "
                      "read", &server[sync->server].name, &source->prefix);
    }

    sync->failures = 0;
    sync->probing = 0;
    ngx_http_status_edge_stats.connected = 1;
    ngx_http_status_edge_report_link(1);

    /* with tracking on, no change since this read goes unnoticed */
    page->synced = 1;

    /* the reply is freed on return: the builder gets its own copy */

    /*
     * The bytes are kept while they are the state served, the tree only
     * until they are encoded: allocated first, the bytes do not sit above
     * the tree's freed block, a hole in which glibc then places every
     * request's pool, at twice the cost of taking it from the top.
     */

    raw = NULL;
    len = se_redis_encoded_size(reply);
    buf = len ? ngx_alloc(len, sync->log) : NULL;

    if (buf) {
        raw = se_raw_from_reply(reply);
    }

    if (raw && se_raw_encoded_size(raw) == len) {
        se_raw_encode(raw, buf);

    } else if (buf) {
        ngx_free(buf);
        buf = NULL;
    }

    free(raw);

    /* one build at a time per source, so states are published in order */
    source->building = 1;

    if (buf == NULL
        || ngx_http_status_edge_update(source, buf, len, sync->log) != NGX_OK)
    {
        source->load_errors++;
        ngx_http_status_edge_redis_updated(source, NGX_ERROR);
    }
}


/* a snapshot was built (or failed): the next load of the source may start */

static void
ngx_http_status_edge_redis_updated(ngx_http_status_edge_source_t *source,
    ngx_int_t rc)
{
    ngx_http_status_edge_page_t  *page;
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    source->building = 0;

    if (rc == NGX_OK) {
        source->loads++;
        source->loaded_at = ngx_time();
        source->stale = !ngx_http_status_edge_stats.connected
                        || sync->serving_stale;
    }

    if (sync->stopped) {
        return;
    }

    page = ngx_http_status_edge_page_of(source);
    if (page == NULL) {
        return;
    }

    if (rc == NGX_ERROR) {
        page->synced = 0;
    }

    if (source->reload) {
        source->reload = 0;
        ngx_http_status_edge_load(page);

    } else if (page->changed) {
        page->changed = 0;
        ngx_http_status_edge_changed(page, 1);
    }
}


static ngx_http_status_edge_page_t *
ngx_http_status_edge_page_of(ngx_http_status_edge_source_t *source)
{
    ngx_uint_t                    i;
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    for (i = 0; i < sync->npages; i++) {
        if (sync->pages[i].source == source) {
            return &sync->pages[i];
        }
    }

    return NULL;
}


static void
ngx_http_status_edge_poll_page(ngx_http_status_edge_page_t *page)
{
    const char                     *argv[2];
    size_t                          argvlen[2];
    ngx_http_status_edge_source_t  *source = page->source;
    ngx_http_status_edge_sync_t    *sync = &ngx_http_status_edge_sync;
    u_char                          key[NGX_HTTP_STATUS_EDGE_KEY_MAX];

    if (source->loading || source->building || !page->subscribed) {
        return;
    }

    argv[0] = "GET";
    argvlen[0] = 3;
    argv[1] = (const char *) key;
    argvlen[1] = ngx_sprintf(key, "%Vversion", &source->prefix) - key;

    (void) ngx_http_status_edge_send(&sync->cmd,
                                     ngx_http_status_edge_on_version, page,
                                     2, argv, argvlen);
}


static void
ngx_http_status_edge_on_version(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_http_status_edge_page_t  *page = data;

    uint64_t                        version;
    ngx_http_status_edge_source_t  *source;

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_status_edge_fail_reply(conn, "version read refused", reply);
        return;
    }

    source = page->source;
    version = 0;

    if (reply->type == REDIS_REPLY_STRING
        && se_version_parse(reply->str, reply->len, &version) != SE_OK)
    {
        version = 0;
    }

    if (source->holding && source->hold.version == version) {
        /* the state last read is held back, and Redis still has it */
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ngx_http_status_edge_sync.log, 0,
                       "status_edge: page \"%V\" version %uL is still "
                       "held back", &source->prefix, version);
        return;
    }

    if (source->current == NULL
        || se_state_version(source->current->state) != version)
    {
        ngx_http_status_edge_load(page);
    }
}


/*
 * A SUBSCRIBE is confirmed: the invalidations' (data NULL), when CLIENT
 * TRACKING may be asked for, or a page's, when its first read may go.
 */

static void
ngx_http_status_edge_on_subscribe(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_http_status_edge_page_t  *page = data;

    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_status_edge_fail_reply(conn, "SUBSCRIBE refused", reply);
        return;
    }

    if (page == NULL) {
        if (sync->sub_id_len == 0) {
            return;
        }

        sync->track_argvlen[4] = sync->sub_id_len;

        (void) ngx_http_status_edge_send(&sync->cmd,
                                         ngx_http_status_edge_on_tracking,
                                         NULL, sync->track_argc,
                                         sync->track_argv,
                                         sync->track_argvlen);
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                   "status_edge: subscribed to \"%V\"",
                   &page->source->channel);

    page->subscribed = 1;

    if (sync->role_checked) {
        ngx_http_status_edge_load(page);
    }
}


static void
ngx_http_status_edge_on_message(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_uint_t                      i;
    redisReply                     *channel;
    ngx_http_status_edge_source_t  *source;
    ngx_http_status_edge_sync_t    *sync = &ngx_http_status_edge_sync;

    /* ["message", channel, payload]; a "pmessage" is subscribed to by no
     * one here */

    channel = reply->element[1];

    if (reply->elements != 3 || channel->type != REDIS_REPLY_STRING) {
        return;
    }

    if (channel->len == ngx_http_status_edge_invalidate.len
        && ngx_strncmp(channel->str, ngx_http_status_edge_invalidate.data,
                       channel->len)
           == 0)
    {
        ngx_http_status_edge_on_invalidate(reply->element[2]);
        return;
    }

    for (i = 0; i < sync->npages; i++) {
        source = sync->pages[i].source;

        if (source->channel.len == channel->len
            && ngx_strncmp(source->channel.data, channel->str, channel->len)
               == 0)
        {
            ngx_http_status_edge_changed(&sync->pages[i], 0);
        }
    }
}


/*
 * Redis' invalidation: the keys changed since its last event loop turn
 * (those of one MULTI/EXEC together), or nil on FLUSHDB and FLUSHALL.
 * A key is matched to every page whose prefix it starts with.
 */

static void
ngx_http_status_edge_on_invalidate(redisReply *keys)
{
    size_t                        j;
    ngx_str_t                    *prefix;
    ngx_uint_t                    i;
    redisReply                   *key;
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    if (keys->type != REDIS_REPLY_ARRAY) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                       "status_edge: Redis flushed");

        for (i = 0; i < sync->npages; i++) {
            ngx_http_status_edge_changed(&sync->pages[i], 1);
        }

        return;
    }

    for (i = 0; i < sync->npages; i++) {
        prefix = &sync->pages[i].source->prefix;

        for (j = 0; j < keys->elements; j++) {
            key = keys->element[j];

            if (key->type == REDIS_REPLY_STRING
                && key->len >= prefix->len
                && ngx_strncmp(key->str, prefix->data, prefix->len) == 0)
            {
                ngx_log_debug3(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                               "status_edge: page \"%V\": \"%*s\" changed",
                               prefix, key->len, key->str);

                ngx_http_status_edge_changed(&sync->pages[i], 1);
                break;
            }
        }
    }
}


/* a keepalive's reply: the link is alive, unless Redis said an error */

static void
ngx_http_status_edge_on_pong(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_http_status_edge_link_t  *link = conn->data;

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_status_edge_fail_reply(conn, "PING refused", reply);
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ngx_http_status_edge_sync.log, 0,
                   "status_edge: %s link alive", link->role);
}


/* an error reply whose first word is code ("LOADING", "NOPERM") */

static ngx_uint_t
ngx_http_status_edge_error_is(redisReply *reply, const char *code)
{
    size_t  len;

    len = ngx_strlen(code);

    return reply->type == REDIS_REPLY_ERROR
           && reply->len >= len
           && ngx_strncmp(reply->str, code, len) == 0
           && (reply->len == len || reply->str[len] == ' ');
}


/*
 * The snapshot script itself failed, a bug of ours: Redis 7 puts a Lua
 * error as "ERR user_script:LINE: ...", a script that does not compile as
 * "ERR Error compiling script ...".  A command of the script that Redis
 * refuses ("... on @user_script:LINE.") is Redis' state, not ours.
 */

static ngx_uint_t
ngx_http_status_edge_script_failed(redisReply *reply)
{
    return ngx_http_status_edge_error_is(reply, "NOSCRIPT")
           || (reply->len > sizeof("ERR user_script:") - 1
               && ngx_strncmp(reply->str, "ERR user_script:",
                              sizeof("ERR user_script:") - 1) == 0)
           || (reply->len > sizeof("ERR Error compiling script") - 1
               && ngx_strncmp(reply->str, "ERR Error compiling script",
                              sizeof("ERR Error compiling script") - 1)
                  == 0);
}


static void
ngx_http_status_edge_reconnect_handler(ngx_event_t *ev)
{
    ngx_http_status_edge_server_t  *server;
    ngx_http_status_edge_sync_t    *sync = ev->data;

    if (sync->stopped || ngx_exiting || sync->resolving) {
        return;
    }

    if (sync->failures) {
        ngx_http_status_edge_stats.reconnects++;
    }

    server = sync->smcf->servers.elts;
    server = &server[sync->server];

    if (server->sentinel) {
        ngx_http_status_edge_sentinel_ask(server);
        return;
    }

    ngx_http_status_edge_sentinel_stop();

    if (server->resolve && sync->smcf->redis_resolver) {
        ngx_http_status_edge_resolve(server);
        return;
    }

    ngx_http_status_edge_connect_at(NULL);
}


static void
ngx_http_status_edge_connect_at(ngx_addr_t *addr)
{
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    /* connect() may have failed through fail() already */

    if (ngx_http_status_edge_connect(addr) != NGX_OK && !sync->tearing_down) {
        ngx_http_status_edge_fail(NULL, "cannot connect", NULL);
    }
}


/*
 * With a resolver at the http level, a host name is resolved again at
 * each connect (DNS-based failover without a reload); when that fails,
 * the address resolved with the configuration is used.
 */

static void
ngx_http_status_edge_resolve(ngx_http_status_edge_server_t *server)
{
    ngx_resolver_ctx_t           *ctx;
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    ctx = ngx_resolve_start(sync->smcf->redis_resolver, NULL);

    if (ctx == NULL || ctx == NGX_NO_RESOLVER) {
        ngx_log_error(NGX_LOG_WARN, sync->log, 0,
                      "status_edge: cannot resolve Redis \"%V\", using the "
                      "address of the configuration", &server->name);
        ngx_http_status_edge_connect_at(NULL);
        return;
    }

    ctx->name = server->host;
    ctx->handler = ngx_http_status_edge_resolved;
    ctx->data = server;
    ctx->timeout = sync->smcf->redis_resolver_timeout;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                   "status_edge: resolving \"%V\"", &server->host);

    sync->resolving = ctx;

    /* the handler may run before ngx_resolve_name() returns */

    if (ngx_resolve_name(ctx) != NGX_OK) {
        sync->resolving = NULL;
        ngx_log_error(NGX_LOG_WARN, sync->log, 0,
                      "status_edge: cannot resolve Redis \"%V\", using the "
                      "address of the configuration", &server->name);
        ngx_http_status_edge_connect_at(NULL);
    }
}


static void
ngx_http_status_edge_resolved(ngx_resolver_ctx_t *ctx)
{
    size_t                          len;
    ngx_uint_t                      level;
    ngx_addr_t                     *addr;
    ngx_http_status_edge_server_t  *server = ctx->data;
    ngx_http_status_edge_sync_t    *sync = &ngx_http_status_edge_sync;

    sync->resolving = NULL;
    addr = NULL;

    if (ctx->state || ctx->naddrs == 0) {
        level = sync->failures < sync->smcf->servers.nelts ? NGX_LOG_WARN
                                                          : NGX_LOG_INFO;

        ngx_log_error(level, sync->log, 0,
                      "status_edge: cannot resolve Redis \"%V\" (%i: %s), "
                      "using the address of the configuration",
                      &server->name, ctx->state,
                      ngx_resolver_strerror(ctx->state));

    } else {
        len = ngx_min(ctx->addrs[0].socklen, sizeof(ngx_sockaddr_t));
        ngx_memcpy(&sync->resolved_sockaddr, ctx->addrs[0].sockaddr, len);

        sync->resolved.sockaddr = &sync->resolved_sockaddr.sockaddr;
        sync->resolved.socklen = len;
        ngx_inet_set_port(sync->resolved.sockaddr,
                          ngx_inet_get_port(server->sockaddr));

        sync->resolved.name.data = sync->resolved_text;
        sync->resolved.name.len = ngx_sock_ntop(sync->resolved.sockaddr,
                                                sync->resolved.socklen,
                                                sync->resolved_text,
                                                NGX_SOCKADDR_STRLEN, 1);
        addr = &sync->resolved;

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                       "status_edge: \"%V\" resolved to %V",
                       &server->host, &addr->name);
    }

    ngx_resolve_name_done(ctx);

    if (sync->stopped || ngx_exiting) {
        return;
    }

    ngx_http_status_edge_connect_at(addr);
}


static void
ngx_http_status_edge_poll_handler(ngx_event_t *ev)
{
    ngx_uint_t                    i;
    ngx_http_status_edge_sync_t  *sync = ev->data;

    if (sync->stopped || sync->tracking) {
        return;
    }

    if (sync->ready && sync->cmd.conn.open) {
        for (i = 0; i < sync->npages; i++) {
            ngx_http_status_edge_poll_page(&sync->pages[i]);
        }
    }

    ngx_add_timer(ev, sync->smcf->poll_interval);
}


/*
 * The last resort.  With tracking on, a page read on this link misses no
 * change and is not read again; on a fallback, or serving a stale
 * replica, the first address is tried again.
 */

static void
ngx_http_status_edge_resync_handler(ngx_event_t *ev)
{
    ngx_uint_t                    i;
    ngx_http_status_edge_page_t  *page;
    ngx_http_status_edge_sync_t  *sync = ev->data;

    if (sync->stopped) {
        return;
    }

    if (sync->ready && sync->cmd.conn.open) {
        if (sync->server != 0
            || (sync->serving_stale && sync->smcf->servers.nelts > 1))
        {
            ngx_http_status_edge_retry_first();

        } else {
            for (i = 0; i < sync->npages; i++) {
                page = &sync->pages[i];

                if (!page->subscribed) {
                    continue;
                }

                if (sync->tracking && page->synced) {
                    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, sync->log, 0,
                                   "status_edge: page \"%V\" tracked, no "
                                   "resync", &page->source->prefix);
                    continue;
                }

                ngx_http_status_edge_load(page);
            }
        }
    }

    ngx_add_timer(ev,
                  ngx_http_status_edge_jitter(sync->smcf->resync_interval));
}


/*
 * Links say nothing while nothing changes: a PING with the reply timeout
 * finds one that is silently gone, and fail() reconnects.  The command
 * link matters as much: Redis pushes nothing once the client that asked
 * for tracking is gone.  There ROLE is the PING: a replica says on the
 * way whether its link to its primary is still up.
 */

static void
ngx_http_status_edge_keepalive_handler(ngx_event_t *ev)
{
    ngx_http_status_edge_sync_t  *sync = ev->data;

    if (sync->stopped) {
        return;
    }

    if (sync->ready && sync->sub.conn.open && sync->sub.conn.pending == 0) {
        (void) ngx_http_status_edge_send1(&sync->sub,
                                          ngx_http_status_edge_on_pong, NULL,
                                          "PING");
    }

    if (sync->ready && sync->cmd.conn.open && sync->cmd.conn.pending == 0) {
        if (sync->no_role) {
            (void) ngx_http_status_edge_send1(&sync->cmd,
                                              ngx_http_status_edge_on_pong,
                                              NULL, "PING");

        } else {
            (void) ngx_http_status_edge_send1(&sync->cmd,
                                              ngx_http_status_edge_on_role,
                                              NULL, "ROLE");
        }
    }

    ngx_add_timer(ev, NGX_HTTP_STATUS_EDGE_KEEPALIVE);
}


static void
ngx_http_status_edge_coalesce_handler(ngx_event_t *ev)
{
    ngx_http_status_edge_page_t  *page = ev->data;

    if (ngx_http_status_edge_sync.stopped) {
        return;
    }

    ngx_http_status_edge_load(page);
}


/* each wait drawn in [3/4, 5/4) of the interval: a fleet does not re-read
 * in lockstep (nginx seeds ngx_random() with the pid and the time) */

static ngx_msec_t
ngx_http_status_edge_jitter(ngx_msec_t interval)
{
    return interval - interval / 4
           + (ngx_msec_t) ngx_random() % (interval / 2 + 1);
}


/*
 * On a fallback, each resync goes back to the first address (a local
 * replica, say); when it still fails, fail() moves on again at once.
 * The state served meanwhile is unchanged.
 */

static void
ngx_http_status_edge_retry_first(void)
{
    ngx_uint_t                    i;
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    ngx_log_error(NGX_LOG_INFO, sync->log, 0,
                  "status_edge: trying the first Redis address again");

    sync->tearing_down = 1;
    sync->ready = 0;
    sync->tracking = 0;
    sync->role_checked = 0;
    sync->serving_stale = 0;
    sync->accept_stale = 0;
    sync->stale_best = 0;
    ngx_http_status_edge_stats.tracking = 0;

    ngx_http_status_edge_link_close(&sync->cmd);
    ngx_http_status_edge_link_close(&sync->sub);

    ngx_http_status_edge_reset_pages();

    for (i = 0; i < sync->npages; i++) {
        sync->pages[i].source->loading = 0;
        sync->pages[i].source->reload = 0;
    }

    sync->server = 0;
    sync->failures = 0;
    sync->probing = 1;

    ngx_add_timer(&sync->reconnect, 1);
}


/*
 * A "sentinel=" entry: its Sentinels named a server (connect there, ROLE
 * confirms it), or none could, or the set changed under the links.
 */

static void
ngx_http_status_edge_sentinel_found(ngx_http_status_edge_server_t *entry,
    ngx_str_t *reason)
{
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    if (sync->stopped || ngx_exiting) {
        return;
    }

    if (reason) {
        sync->tearing_down = 0;
        ngx_http_status_edge_fail(NULL, "Sentinel", reason);
        return;
    }

    ngx_http_status_edge_connect_at(NULL);
}


static void
ngx_http_status_edge_sentinel_moved(ngx_http_status_edge_server_t *entry,
    ngx_str_t *reason)
{
    ngx_uint_t                       i;
    ngx_http_status_edge_source_t  **sources;
    ngx_http_status_edge_server_t   *server;
    ngx_http_status_edge_sync_t     *sync = &ngx_http_status_edge_sync;

    server = sync->smcf->servers.elts;

    if (sync->stopped || sync->tearing_down || &server[sync->server] != entry)
    {
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, sync->log, 0,
                  "status_edge: Redis \"%V\": %V; asking the Sentinels "
                  "again", &entry->name, reason);

    sync->tearing_down = 1;
    sync->ready = 0;

    ngx_http_status_edge_link_close(&sync->cmd);
    ngx_http_status_edge_link_close(&sync->sub);

    sources = sync->smcf->sources.elts;

    for (i = 0; i < sync->smcf->sources.nelts; i++) {
        sources[i]->loading = 0;
        sources[i]->reload = 0;
    }

    ngx_add_timer(&sync->reconnect, 1);
}
