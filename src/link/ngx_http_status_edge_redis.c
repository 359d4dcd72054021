
/*
 * status-edge: the Redis adapter.  Per worker, on nginx's event loop:
 * hiredis's async API on an ngx_connection_t, one link for commands and
 * one for SUBSCRIBE, a version poll, a periodic full resync, timeouts and
 * reconnects with capped backoff and jitter across ordered fallbacks.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_http.h>

#include <hiredis/hiredis.h>
#include <hiredis/async.h>

#include "ngx_http_status_edge_redis.h"
#include "ngx_http_status_edge_publish.h"
#include "se_snapshot.h"
#include "se_raw_codec.h"
#include "se_redis_raw.h"


#define NGX_HTTP_STATUS_EDGE_BACKOFF_MIN   100
#define NGX_HTTP_STATUS_EDGE_BACKOFF_MAX   1000
#define NGX_HTTP_STATUS_EDGE_FALLBACK_NEXT 20
#define NGX_HTTP_STATUS_EDGE_KEEPALIVE     10000


typedef struct {
    redisAsyncContext             *ac;
    ngx_connection_t              *conn;
    ngx_event_t                    timeout;
    ngx_uint_t                     pending;
    const char                    *role;
    unsigned                       connected:1;
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
    unsigned                           ready:1;
    unsigned                           probing:1;  /* the first again */
    unsigned                           tearing_down:1;
    unsigned                           stopped:1;
} ngx_http_status_edge_sync_t;


static ngx_int_t ngx_http_status_edge_connect(void);
static ngx_int_t ngx_http_status_edge_link_open(
    ngx_http_status_edge_link_t *link, ngx_http_status_edge_server_t *server);
static void ngx_http_status_edge_link_close(ngx_http_status_edge_link_t *link);
static void ngx_http_status_edge_fail(ngx_http_status_edge_link_t *link,
    const char *what, const char *err);
static void ngx_http_status_edge_retry_first(void);
static ngx_int_t ngx_http_status_edge_send(ngx_http_status_edge_link_t *link,
    redisCallbackFn *fn, void *data, int argc, const char **argv,
    const size_t *argvlen);
static void ngx_http_status_edge_load(ngx_http_status_edge_source_t *source);
static void ngx_http_status_edge_poll_page(
    ngx_http_status_edge_source_t *source);
static void ngx_http_status_edge_redis_updated(
    ngx_http_status_edge_source_t *source, ngx_int_t rc);

static void ngx_http_status_edge_on_connect(const redisAsyncContext *ac,
    int status);
static void ngx_http_status_edge_on_disconnect(const redisAsyncContext *ac,
    int status);
static void ngx_http_status_edge_on_setup(redisAsyncContext *ac, void *r,
    void *data);
static void ngx_http_status_edge_on_snapshot(redisAsyncContext *ac, void *r,
    void *data);
static void ngx_http_status_edge_on_version(redisAsyncContext *ac, void *r,
    void *data);
static void ngx_http_status_edge_on_message(redisAsyncContext *ac, void *r,
    void *data);
static void ngx_http_status_edge_on_pong(redisAsyncContext *ac, void *r,
    void *data);
static ngx_int_t ngx_http_status_edge_replied(redisAsyncContext *ac,
    redisReply *reply);


static void ngx_http_status_edge_add_read(void *data);
static void ngx_http_status_edge_del_read(void *data);
static void ngx_http_status_edge_add_write(void *data);
static void ngx_http_status_edge_del_write(void *data);
static void ngx_http_status_edge_cleanup(void *data);
static void ngx_http_status_edge_read_handler(ngx_event_t *ev);
static void ngx_http_status_edge_write_handler(ngx_event_t *ev);

static void ngx_http_status_edge_timeout_handler(ngx_event_t *ev);
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

    ngx_http_status_edge_timer(&sync->cmd.timeout,
                               ngx_http_status_edge_timeout_handler,
                               &sync->cmd);
    ngx_http_status_edge_timer(&sync->sub.timeout,
                               ngx_http_status_edge_timeout_handler,
                               &sync->sub);
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

    ngx_http_status_edge_link_close(&sync->cmd);
    ngx_http_status_edge_link_close(&sync->sub);

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
ngx_http_status_edge_connect(void)
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

    sync->ready = 0;
    sync->tearing_down = 0;

    if (ngx_http_status_edge_link_open(&sync->cmd, server) != NGX_OK
        || ngx_http_status_edge_link_open(&sync->sub, server) != NGX_OK)
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
                                      ngx_http_status_edge_on_message, NULL,
                                      2, argv, argvlen)
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
    ngx_http_status_edge_server_t *server)
{
    int                           argc;
    const char                   *argv[3];
    size_t                        argvlen[3];
    ngx_connection_t             *c;
    redisAsyncContext            *ac;
    ngx_http_status_edge_sync_t  *sync = &ngx_http_status_edge_sync;

    if (server->unix_path.len) {
        ac = redisAsyncConnectUnix((const char *) server->unix_path.data);

    } else {
        ac = redisAsyncConnect((const char *) server->host.data,
                               server->port);
    }

    if (ac == NULL) {
        ngx_log_error(NGX_LOG_ERR, sync->log, 0,
                      "status_edge: no memory to connect to Redis \"%V\"",
                      &server->name);
        return NGX_ERROR;
    }

    if (ac->err) {
        ngx_log_error(NGX_LOG_ERR, sync->log, 0,
                      "status_edge: cannot connect to Redis \"%V\": %s",
                      &server->name, ac->errstr);
        redisAsyncFree(ac);
        return NGX_ERROR;
    }

    /* an array header cannot make hiredis allocate gigabytes */
    se_redis_reader_limit(ac->c.reader);

    /* the kernel's probes find a peer gone without a FIN (a NAT dropped) */
    if (server->unix_path.len == 0) {
        (void) redisEnableKeepAlive(&ac->c);
    }

    c = ngx_get_connection(ac->c.fd, sync->log);
    if (c == NULL) {
        redisAsyncFree(ac);
        return NGX_ERROR;
    }

    c->data = link;
    c->read->handler = ngx_http_status_edge_read_handler;
    c->write->handler = ngx_http_status_edge_write_handler;
    c->read->log = sync->log;
    c->write->log = sync->log;

    ac->data = link;
    ac->ev.data = c;
    ac->ev.addRead = ngx_http_status_edge_add_read;
    ac->ev.delRead = ngx_http_status_edge_del_read;
    ac->ev.addWrite = ngx_http_status_edge_add_write;
    ac->ev.delWrite = ngx_http_status_edge_del_write;
    ac->ev.cleanup = ngx_http_status_edge_cleanup;

    redisAsyncSetConnectCallback(ac, ngx_http_status_edge_on_connect);
    redisAsyncSetDisconnectCallback(ac, ngx_http_status_edge_on_disconnect);

    link->ac = ac;
    link->conn = c;
    link->pending = 0;
    link->connected = 0;

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
    redisAsyncContext  *ac;

    if (link->timeout.timer_set) {
        ngx_del_timer(&link->timeout);
    }

    link->connected = 0;
    link->pending = 0;

    ac = link->ac;
    if (ac == NULL) {
        return;
    }

    link->ac = NULL;

    /* replies still due come back as NULL; cleanup frees the connection */
    redisAsyncFree(ac);
}


static void
ngx_http_status_edge_fail(ngx_http_status_edge_link_t *link, const char *what,
    const char *err)
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

    ngx_log_error(level, sync->log, 0,
                  "status_edge: Redis \"%V\" %s link: %s%s%s; serving the "
                  "last known state",
                  &server[sync->server].name, link ? link->role : "",
                  what, err ? ": " : "", err ? err : "");

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
    redisCallbackFn *fn, void *data, int argc, const char **argv,
    const size_t *argvlen)
{
    ngx_http_status_edge_server_t  *server;

    if (link->ac == NULL) {
        return NGX_ERROR;
    }

    if (redisAsyncCommandArgv(link->ac, fn, data, argc, argv, argvlen)
        != REDIS_OK)
    {
        ngx_http_status_edge_fail(link, "command failed", link->ac->errstr);
        return NGX_ERROR;
    }

    link->pending++;

    if (!link->timeout.timer_set) {
        server = ngx_http_status_edge_sync.smcf->servers.elts;
        ngx_add_timer(&link->timeout,
                      server[ngx_http_status_edge_sync.server].timeout);
    }

    return NGX_OK;
}


/*
 * Bookkeeping common to every reply: NGX_OK when the reply may be used,
 * NGX_DECLINED when the link is going away.
 */

static ngx_int_t
ngx_http_status_edge_replied(redisAsyncContext *ac, redisReply *reply)
{
    ngx_http_status_edge_link_t    *link = ac->data;
    ngx_http_status_edge_server_t  *server;

    if (reply == NULL || link->ac != ac) {
        return NGX_DECLINED;
    }

    if (link->pending) {
        link->pending--;
    }

    if (link->pending == 0) {
        if (link->timeout.timer_set) {
            ngx_del_timer(&link->timeout);
        }

    } else {
        server = ngx_http_status_edge_sync.smcf->servers.elts;
        ngx_add_timer(&link->timeout,
                      server[ngx_http_status_edge_sync.server].timeout);
    }

    return NGX_OK;
}


static void
ngx_http_status_edge_on_connect(const redisAsyncContext *ac, int status)
{
    ngx_http_status_edge_link_t  *link = ac->data;

    if (status != REDIS_OK) {
        if (link->ac == ac) {
            /* hiredis frees the context after this callback */
            link->ac = NULL;
            ngx_http_status_edge_fail(link, "connect failed", ac->errstr);
        }

        return;
    }

    link->connected = 1;
}


static void
ngx_http_status_edge_on_disconnect(const redisAsyncContext *ac, int status)
{
    ngx_http_status_edge_link_t  *link = ac->data;

    if (link->ac != ac) {
        return;
    }

    link->ac = NULL;

    ngx_http_status_edge_fail(link, "connection lost",
                              status == REDIS_OK ? NULL : ac->errstr);
}


static void
ngx_http_status_edge_on_setup(redisAsyncContext *ac, void *r, void *data)
{
    redisReply                   *reply = r;
    ngx_http_status_edge_link_t  *link = ac->data;

    if (ngx_http_status_edge_replied(ac, reply) != NGX_OK) {
        return;
    }

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_http_status_edge_fail(link, "setup refused", reply->str);
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
ngx_http_status_edge_on_snapshot(redisAsyncContext *ac, void *r, void *data)
{
    redisReply                   *reply = r;
    ngx_http_status_edge_source_t  *source = data;

    u_char                          *buf;
    size_t                           len;
    se_raw_t                        *raw;
    ngx_http_status_edge_sync_t     *sync = &ngx_http_status_edge_sync;
    ngx_http_status_edge_server_t   *server;

    if (ngx_http_status_edge_replied(ac, reply) != NGX_OK) {
        return;
    }

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
ngx_http_status_edge_on_version(redisAsyncContext *ac, void *r, void *data)
{
    redisReply                   *reply = r;
    ngx_http_status_edge_source_t  *source = data;

    uint64_t                      version;

    if (ngx_http_status_edge_replied(ac, reply) != NGX_OK) {
        return;
    }

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


static void
ngx_http_status_edge_on_message(redisAsyncContext *ac, void *r, void *data)
{
    redisReply                      *reply = r;

    ngx_uint_t                       i;
    redisReply                      *kind, *channel;
    ngx_http_status_edge_source_t  **sources;
    ngx_http_status_edge_sync_t     *sync = &ngx_http_status_edge_sync;

    if (reply == NULL || sync->sub.ac != ac) {
        return;
    }

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) {
        if (reply->type == REDIS_REPLY_ERROR) {
            ngx_http_status_edge_fail(&sync->sub, "SUBSCRIBE refused",
                                      reply->str);
        }

        return;
    }

    kind = reply->element[0];
    channel = reply->element[1];

    if (kind->type != REDIS_REPLY_STRING
        || channel->type != REDIS_REPLY_STRING)
    {
        return;
    }

    if (kind->len == 9 && ngx_strncmp(kind->str, "subscribe", 9) == 0) {
        if (ngx_http_status_edge_replied(ac, reply) != NGX_OK) {
            return;
        }

    } else if (kind->len != 7 || ngx_strncmp(kind->str, "message", 7) != 0)
    {
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


/*
 * Any reply on the subscriber link proves it alive.  hiredis 0.14 hands a
 * subscribed context's next reply to the oldest plain callback, so a
 * message that arrived before the PONG lands here: it is passed on.
 */

static void
ngx_http_status_edge_on_pong(redisAsyncContext *ac, void *r, void *data)
{
    redisReply  *reply = r;

    if (ngx_http_status_edge_replied(ac, reply) != NGX_OK) {
        return;
    }

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, ngx_http_status_edge_sync.log, 0,
                   "status_edge: subscriber link alive");

    if (reply->type == REDIS_REPLY_ARRAY) {
        ngx_http_status_edge_on_message(ac, reply, NULL);
    }
}


/* hiredis event hooks: level-triggered, so replies over 16 KiB are read */

static void
ngx_http_status_edge_add_read(void *data)
{
    ngx_connection_t  *c = data;

    if (!c->read->active) {
        if (ngx_add_event(c->read, NGX_READ_EVENT, NGX_LEVEL_EVENT)
            != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ALERT, c->log, 0,
                          "status_edge: cannot add a Redis read event");
        }
    }
}


static void
ngx_http_status_edge_del_read(void *data)
{
    ngx_connection_t  *c = data;

    if (c->read->active) {
        (void) ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }
}


static void
ngx_http_status_edge_add_write(void *data)
{
    ngx_connection_t  *c = data;

    if (!c->write->active) {
        if (ngx_add_event(c->write, NGX_WRITE_EVENT, NGX_LEVEL_EVENT)
            != NGX_OK)
        {
            ngx_log_error(NGX_LOG_ALERT, c->log, 0,
                          "status_edge: cannot add a Redis write event");
        }
    }
}


static void
ngx_http_status_edge_del_write(void *data)
{
    ngx_connection_t  *c = data;

    if (c->write->active) {
        (void) ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
    }
}


static void
ngx_http_status_edge_cleanup(void *data)
{
    ngx_connection_t             *c = data;
    ngx_http_status_edge_link_t  *link = c->data;

    ngx_http_status_edge_del_read(c);
    ngx_http_status_edge_del_write(c);

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    if (link->conn == c) {
        link->conn = NULL;
    }

    ngx_free_connection(c);

    /* hiredis closes the socket itself */
    c->fd = (ngx_socket_t) -1;
}


static void
ngx_http_status_edge_read_handler(ngx_event_t *ev)
{
    ngx_connection_t             *c = ev->data;
    ngx_http_status_edge_link_t  *link = c->data;

    if (link->conn == c && link->ac) {
        redisAsyncHandleRead(link->ac);
    }
}


static void
ngx_http_status_edge_write_handler(ngx_event_t *ev)
{
    ngx_connection_t             *c = ev->data;
    ngx_http_status_edge_link_t  *link = c->data;

    if (link->conn == c && link->ac) {
        redisAsyncHandleWrite(link->ac);
    }
}


static void
ngx_http_status_edge_timeout_handler(ngx_event_t *ev)
{
    ngx_http_status_edge_link_t  *link = ev->data;

    ngx_http_status_edge_fail(link, link->connected ? "command timed out"
                                                    : "connect timed out",
                              NULL);
}


static void
ngx_http_status_edge_reconnect_handler(ngx_event_t *ev)
{
    ngx_http_status_edge_sync_t  *sync = ev->data;

    if (sync->stopped || ngx_exiting) {
        return;
    }

    if (sync->failures) {
        ngx_http_status_edge_stats.reconnects++;
    }

    /* connect() may have failed through fail() already */

    if (ngx_http_status_edge_connect() != NGX_OK && !sync->tearing_down) {
        ngx_http_status_edge_fail(NULL, "cannot connect", NULL);
    }
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

    if (sync->ready && sync->cmd.ac) {
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

    if (sync->ready && sync->cmd.ac) {
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

    if (sync->ready && sync->sub.ac && sync->sub.pending == 0) {
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
