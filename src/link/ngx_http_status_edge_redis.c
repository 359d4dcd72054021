
/*
 * status-edge: the Redis adapter.  Per worker, on nginx's event loop: two
 * connections (ngx_http_status_edge_conn.c), one for commands and one for
 * SUBSCRIBE, a version poll, a periodic full resync, timeouts and
 * reconnects with capped backoff and jitter across ordered fallbacks.
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


typedef struct {
    ngx_http_status_edge_conn_t    conn;
    const char                    *role;
} ngx_http_status_edge_link_t;


typedef struct {
    ngx_http_status_edge_main_conf_t  *smcf;
    ngx_log_t                         *log;
    ngx_http_status_edge_link_t        cmd;
    ngx_http_status_edge_link_t        sub;
    ngx_uint_t                         server;
    ngx_uint_t                         failures;
    ngx_event_t                        reconnect;
    ngx_event_t                        poll;
    ngx_event_t                        resync;
    ngx_event_t                        keepalive;
    ngx_resolver_ctx_t                *resolving;
    ngx_addr_t                         resolved;
    ngx_sockaddr_t                     resolved_sockaddr;
    u_char                             resolved_text[NGX_SOCKADDR_STRLEN];
    unsigned                           ready:1;
    unsigned                           probing:1;  /* the first again */
    unsigned                           tearing_down:1;
    unsigned                           stopped:1;
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
static void ngx_http_status_edge_retry_first(void);
static ngx_int_t ngx_http_status_edge_send(ngx_http_status_edge_link_t *link,
    ngx_http_status_edge_conn_reply_pt handler, void *data, int argc,
    const char **argv, const size_t *argvlen);
static void ngx_http_status_edge_load(ngx_http_status_edge_source_t *source);
static void ngx_http_status_edge_poll_page(
    ngx_http_status_edge_source_t *source);
static void ngx_http_status_edge_redis_updated(
    ngx_http_status_edge_source_t *source, ngx_int_t rc);

static void ngx_http_status_edge_on_setup(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data);
static void ngx_http_status_edge_on_snapshot(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_on_version(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_on_subscribe(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_on_message(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_on_pong(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data);
static void ngx_http_status_edge_on_role(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data);
static void ngx_http_status_edge_sentinel_found(
    ngx_http_status_edge_server_t *entry, ngx_str_t *reason);
static void ngx_http_status_edge_sentinel_moved(
    ngx_http_status_edge_server_t *entry, ngx_str_t *reason);

static void ngx_http_status_edge_reconnect_handler(ngx_event_t *ev);
static void ngx_http_status_edge_poll_handler(ngx_event_t *ev);
static void ngx_http_status_edge_resync_handler(ngx_event_t *ev);
static void ngx_http_status_edge_keepalive_handler(ngx_event_t *ev);
static void ngx_http_status_edge_timer(ngx_event_t *ev,
    ngx_event_handler_pt handler, void *data);


static ngx_http_status_edge_sync_t  ngx_http_status_edge_sync;


ngx_int_t
ngx_http_status_edge_redis_start(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf)
{
    ngx_uint_t                       i;
    ngx_http_status_edge_sync_t     *sync = &ngx_http_status_edge_sync;
    ngx_http_status_edge_source_t  **sources;

    ngx_memzero(sync, sizeof(ngx_http_status_edge_sync_t));

    sources = smcf->sources.elts;

    for (i = 0; i < smcf->sources.nelts; i++) {
        sources[i]->updated = ngx_http_status_edge_redis_updated;
    }

    sync->smcf = smcf;
    sync->log = cycle->log;
    sync->cmd.role = "command";
    sync->sub.role = "subscribe";

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

    ngx_add_timer(&sync->poll, smcf->poll_interval);
    ngx_add_timer(&sync->resync, smcf->resync_interval);
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


static ngx_int_t
ngx_http_status_edge_connect(ngx_addr_t *addr)
{
    ngx_str_t                         channel;
    ngx_uint_t                        i, n;
    const char                       *argv[3];
    size_t                            argvlen[3];
    ngx_http_status_edge_source_t   **sources;
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

    if (server->sentinel) {
        argv[0] = "ROLE";
        argvlen[0] = 4;

        if (ngx_http_status_edge_send(&sync->cmd,
                                      ngx_http_status_edge_on_role, NULL,
                                      1, argv, argvlen)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    /*
     * Each source's first load is sent when its SUBSCRIBE is confirmed
     * (ngx_http_status_edge_on_message), so a change published in between
     * is never missed.
     */

    sources = sync->smcf->sources.elts;
    n = sync->smcf->sources.nelts;

    for (i = 0; i < n; i++) {
        channel = sources[i]->channel;

        argv[0] = "SUBSCRIBE";
        argvlen[0] = 9;
        argv[1] = (const char *) channel.data;
        argvlen[1] = channel.len;

        if (ngx_http_status_edge_send(&sync->sub,
                                      ngx_http_status_edge_on_subscribe,
                                      sources[i], 2, argv, argvlen)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    for (i = 0; i < n; i++) {
        sources[i]->loading = 0;
        sources[i]->reload = 0;
    }

    /* polls may start now: they retry a load that got an error reply */
    sync->ready = 1;

    return NGX_OK;
}


static ngx_int_t
ngx_http_status_edge_link_open(ngx_http_status_edge_link_t *link,
    ngx_http_status_edge_server_t *server, ngx_addr_t *addr)
{
    int                           argc;
    const char                   *argv[3];
    size_t                        argvlen[3];
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

    if (server->password.len == 0) {
        return NGX_OK;
    }

    argc = 0;
    argv[argc] = "AUTH";
    argvlen[argc++] = 4;

    if (server->user.len) {
        argv[argc] = (const char *) server->user.data;
        argvlen[argc++] = server->user.len;
    }

    argv[argc] = (const char *) server->password.data;
    argvlen[argc++] = server->password.len;

    return ngx_http_status_edge_send(link, ngx_http_status_edge_on_setup,
                                     NULL, argc, argv, argvlen);
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

    if (reason && reason->len) {
        ngx_log_error(level, sync->log, 0,
                      "status_edge: Redis \"%V\" %s link: %s: %V; serving "
                      "the last known state",
                      &server[sync->server].name, link ? link->role : "",
                      what, reason);

    } else {
        ngx_log_error(level, sync->log, 0,
                      "status_edge: Redis \"%V\" %s link: %s; serving the "
                      "last known state",
                      &server[sync->server].name, link ? link->role : "",
                      what);
    }

    ngx_http_status_edge_link_close(&sync->cmd);
    ngx_http_status_edge_link_close(&sync->sub);

    ngx_http_status_edge_stats.connected = 0;

    sources = sync->smcf->sources.elts;
    for (i = 0; i < sync->smcf->sources.nelts; i++) {
        sources[i]->stale = 1;
        sources[i]->loading = 0;
        sources[i]->reload = 0;
    }

    ngx_http_status_edge_reader_link_status(&server[sync->server].name,
                                            NULL, 0);

    sync->ready = 0;
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

    if (!ngx_exiting && !ngx_quit && !ngx_terminate) {
        ngx_add_timer(&sync->reconnect, delay);
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


static void
ngx_http_status_edge_on_setup(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_str_t  err;

    if (reply->type == REDIS_REPLY_ERROR) {
        err.data = (u_char *) reply->str;
        err.len = reply->len;
        ngx_http_status_edge_fail(conn->data, "setup refused", &err);
    }
}


static void
ngx_http_status_edge_load(ngx_http_status_edge_source_t *source)
{
    const char                   *argv[9];
    size_t                        argvlen[9];
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    if (source->loading || source->building) {
        source->reload = 1;
        return;
    }

    argv[0] = "EVAL";
    argvlen[0] = 4;
    argv[1] = SE_SNAPSHOT_LUA;
    argvlen[1] = sizeof(SE_SNAPSHOT_LUA) - 1;
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

    if (ngx_http_status_edge_send(&sync->cmd,
                                  ngx_http_status_edge_on_snapshot, source,
                                  9, argv, argvlen)
        == NGX_OK)
    {
        source->loading = 1;
    }
}


static void
ngx_http_status_edge_on_snapshot(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_http_status_edge_source_t  *source = data;

    u_char                          *buf;
    size_t                           len;
    se_raw_t                        *raw;
    ngx_http_status_edge_sync_t     *sync = &ngx_http_status_edge_sync;
    ngx_http_status_edge_server_t   *server;

    source->loading = 0;

    if (reply->type != REDIS_REPLY_ARRAY) {
        source->load_errors++;
        ngx_log_error(NGX_LOG_ERR, sync->log, 0,
                      "status_edge: page \"%V\": snapshot failed: %*s",
                      &source->prefix,
                      reply->type == REDIS_REPLY_ERROR ? reply->len : 0,
                      reply->type == REDIS_REPLY_ERROR ? reply->str : "");
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
    server = sync->smcf->servers.elts;
    ngx_http_status_edge_reader_link_status(&server[sync->server].name,
                                            NULL, 1);

    /* the reply is freed on return: the builder gets its own copy */

    buf = NULL;
    raw = se_raw_from_reply(reply);

    if (raw) {
        len = se_raw_encoded_size(raw);
        buf = len ? ngx_alloc(len, sync->log) : NULL;

        if (buf) {
            se_raw_encode(raw, buf);
        }

        free(raw);
    }

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
    source->building = 0;

    if (rc == NGX_OK) {
        source->loads++;
        source->loaded_at = ngx_time();
        source->stale = !ngx_http_status_edge_stats.connected;
    }

    if (source->reload && !ngx_http_status_edge_sync.stopped) {
        source->reload = 0;
        ngx_http_status_edge_load(source);
    }
}


static void
ngx_http_status_edge_poll_page(ngx_http_status_edge_source_t *source)
{
    const char                   *argv[2];
    size_t                        argvlen[2];
    u_char                        key[NGX_HTTP_STATUS_EDGE_KEY_MAX];
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    if (source->loading || source->building) {
        return;
    }

    argv[0] = "GET";
    argvlen[0] = 3;
    argv[1] = (const char *) key;
    argvlen[1] = ngx_sprintf(key, "%Vversion", &source->prefix) - key;

    (void) ngx_http_status_edge_send(&sync->cmd,
                                     ngx_http_status_edge_on_version, source,
                                     2, argv, argvlen);
}


static void
ngx_http_status_edge_on_version(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_http_status_edge_source_t  *source = data;

    uint64_t                        version;

    version = 0;

    if (reply->type == REDIS_REPLY_STRING
        && se_version_parse(reply->str, reply->len, &version) != SE_OK)
    {
        version = 0;
    }

    if (source->current == NULL
        || se_state_version(source->current->state) != version)
    {
        ngx_http_status_edge_load(source);
    }
}


/* the SUBSCRIBE of a source is confirmed: its first load may go */

static void
ngx_http_status_edge_on_subscribe(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_str_t                       err;
    ngx_http_status_edge_source_t  *source = data;

    if (reply->type == REDIS_REPLY_ERROR) {
        err.data = (u_char *) reply->str;
        err.len = reply->len;
        ngx_http_status_edge_fail(conn->data, "SUBSCRIBE refused", &err);
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ngx_http_status_edge_sync.log, 0,
                   "status_edge: subscribed to \"%V\"", &source->channel);

    ngx_http_status_edge_load(source);
}


static void
ngx_http_status_edge_on_message(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_uint_t                       i;
    redisReply                      *channel;
    ngx_http_status_edge_source_t  **sources;
    ngx_http_status_edge_sync_t     *sync = &ngx_http_status_edge_sync;

    /* ["message", channel, payload]; a "pmessage" is subscribed to by no
     * one here */

    channel = reply->element[1];

    if (reply->elements != 3 || channel->type != REDIS_REPLY_STRING) {
        return;
    }

    sources = sync->smcf->sources.elts;

    for (i = 0; i < sync->smcf->sources.nelts; i++) {
        if (sources[i]->channel.len == channel->len
            && ngx_strncmp(sources[i]->channel.data, channel->str,
                           channel->len)
               == 0)
        {
            ngx_http_status_edge_load(sources[i]);
        }
    }
}


/* any reply on the subscriber link proves it alive */

static void
ngx_http_status_edge_on_pong(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, ngx_http_status_edge_sync.log, 0,
                   "status_edge: subscriber link alive");
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
    ngx_uint_t                       i;
    ngx_http_status_edge_source_t  **sources;
    ngx_http_status_edge_sync_t     *sync = ev->data;

    if (sync->stopped) {
        return;
    }

    if (sync->ready && sync->cmd.conn.open) {
        sources = sync->smcf->sources.elts;

        for (i = 0; i < sync->smcf->sources.nelts; i++) {
            ngx_http_status_edge_poll_page(sources[i]);
        }
    }

    ngx_add_timer(ev, sync->smcf->poll_interval);
}


static void
ngx_http_status_edge_resync_handler(ngx_event_t *ev)
{
    ngx_uint_t                       i;
    ngx_http_status_edge_source_t  **sources;
    ngx_http_status_edge_sync_t     *sync = ev->data;

    if (sync->stopped) {
        return;
    }

    if (sync->ready && sync->cmd.conn.open) {
        if (sync->server != 0) {
            ngx_http_status_edge_retry_first();

        } else {
            sources = sync->smcf->sources.elts;

            for (i = 0; i < sync->smcf->sources.nelts; i++) {
                ngx_http_status_edge_load(sources[i]);
            }
        }
    }

    ngx_add_timer(ev, sync->smcf->resync_interval);
}


/*
 * A subscriber link says nothing while nothing changes: a PING with the
 * reply timeout finds one that is silently gone, and fail() reconnects,
 * so changes keep coming by push rather than by the version poll.
 */

static void
ngx_http_status_edge_keepalive_handler(ngx_event_t *ev)
{
    const char                   *argv[1];
    size_t                        argvlen[1];
    ngx_http_status_edge_sync_t  *sync = ev->data;

    if (sync->stopped) {
        return;
    }

    if (sync->ready && sync->sub.conn.open && sync->sub.conn.pending == 0) {
        argv[0] = "PING";
        argvlen[0] = 4;

        (void) ngx_http_status_edge_send(&sync->sub,
                                         ngx_http_status_edge_on_pong, NULL,
                                         1, argv, argvlen);
    }

    ngx_add_timer(ev, NGX_HTTP_STATUS_EDGE_KEEPALIVE);
}


/*
 * On a fallback, each resync goes back to the first address (a local
 * replica, say); when it still fails, fail() moves on again at once.
 * The state served meanwhile is unchanged.
 */

static void
ngx_http_status_edge_retry_first(void)
{
    ngx_uint_t                       i;
    ngx_http_status_edge_source_t  **sources;
    ngx_http_status_edge_sync_t     *sync = &ngx_http_status_edge_sync;

    ngx_log_error(NGX_LOG_INFO, sync->log, 0,
                  "status_edge: trying the first Redis address again");

    sync->tearing_down = 1;
    sync->ready = 0;

    ngx_http_status_edge_link_close(&sync->cmd);
    ngx_http_status_edge_link_close(&sync->sub);

    sources = sync->smcf->sources.elts;

    for (i = 0; i < sync->smcf->sources.nelts; i++) {
        sources[i]->loading = 0;
        sources[i]->reload = 0;
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
ngx_http_status_edge_on_role(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_str_t  why;

    if (ngx_http_status_edge_sentinel_role(reply, &why) != NGX_OK) {
        ngx_http_status_edge_fail(conn->data, "wrong role", &why);
    }
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
