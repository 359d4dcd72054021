
/*
 * status-edge: one Redis connection on nginx's own connection.  The
 * socket is nginx's (ngx_event_connect_peer, the event loop, nginx's SSL
 * layer for TLS); hiredis formats the commands (redisFormatCommandArgv)
 * and parses the replies (a redisReader with se_redis_reader_limit), and
 * nothing of its async API is used.
 *
 * The lines nginx logs about the connection (connect(), recv(), SSL) are
 * caught by the connection's own log and become the reason of the one
 * line the caller logs, at the caller's level: a Redis that stays down
 * is not an error every 100 ms, and never a [crit].
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>

#include "ngx_http_status_edge_conn.h"
#include "se_redis_raw.h"


#define NGX_HTTP_STATUS_EDGE_CONN_READ     16384
#define NGX_HTTP_STATUS_EDGE_CONN_OUT      4096
#define NGX_HTTP_STATUS_EDGE_KEEPIDLE      15
#define NGX_HTTP_STATUS_EDGE_SSL_DEPTH     4


#if (NGX_SSL)

/*
 * Built --with-compat, the module loads into an nginx of its release
 * configured without SSL as well: there neither nginx's SSL functions nor
 * OpenSSL are linked.  They are weak references, so dlopen() succeeds,
 * and a "tls" address is refused at configuration time when they are
 * missing.
 */
#pragma weak ngx_ssl_create
#pragma weak ngx_ssl_cleanup_ctx
#pragma weak ngx_ssl_certificate
#pragma weak ngx_ssl_trusted_certificate
#pragma weak ngx_ssl_create_connection
#pragma weak ngx_ssl_handshake
#pragma weak ngx_ssl_shutdown
#pragma weak ngx_ssl_check_host
#pragma weak SSL_ctrl
#pragma weak SSL_get_verify_result
#pragma weak SSL_get1_peer_certificate
#pragma weak X509_check_ip_asc
#pragma weak X509_free
#pragma weak X509_verify_cert_error_string

#endif


struct ngx_http_status_edge_conn_cmd_s {
    ngx_queue_t                           queue;
    ngx_http_status_edge_conn_reply_pt    handler;
    void                                 *data;
};


static void ngx_http_status_edge_conn_connected(
    ngx_http_status_edge_conn_t *conn);
static void ngx_http_status_edge_conn_ready(ngx_http_status_edge_conn_t *conn);
static void ngx_http_status_edge_conn_keepalive(ngx_connection_t *c);
static void ngx_http_status_edge_conn_flush(ngx_http_status_edge_conn_t *conn);
static ngx_int_t ngx_http_status_edge_conn_replies(
    ngx_http_status_edge_conn_t *conn);
static ngx_uint_t ngx_http_status_edge_conn_is_message(redisReply *reply);
static void ngx_http_status_edge_conn_fail(ngx_http_status_edge_conn_t *conn,
    const char *what, const char *fmt, ...);
static void ngx_http_status_edge_conn_free_cmds(ngx_queue_t *queue);
static void ngx_http_status_edge_conn_read_handler(ngx_event_t *rev);
static void ngx_http_status_edge_conn_write_handler(ngx_event_t *wev);
static void ngx_http_status_edge_conn_timeout_handler(ngx_event_t *ev);
static void ngx_http_status_edge_conn_log_writer(ngx_log_t *log,
    ngx_uint_t level, u_char *buf, size_t len);
#if (NGX_SSL)
static void ngx_http_status_edge_conn_ssl_alert(
    ngx_http_status_edge_conn_t *conn);
static void ngx_http_status_edge_conn_ssl_start(
    ngx_http_status_edge_conn_t *conn);
static void ngx_http_status_edge_conn_ssl_handshaked(ngx_connection_t *c);
static ngx_int_t ngx_http_status_edge_conn_ssl_check_name(
    ngx_http_status_edge_conn_t *conn, ngx_connection_t *c);
static ngx_uint_t ngx_http_status_edge_conn_is_ip(ngx_str_t *name);
#endif


ngx_int_t
ngx_http_status_edge_conn_open(ngx_http_status_edge_conn_t *conn,
    ngx_http_status_edge_server_t *server, ngx_addr_t *addr,
    ngx_http_status_edge_main_conf_t *smcf)
{
    ngx_int_t          rc;
    ngx_err_t          err;
    u_char            *p;
    ngx_connection_t  *c;

    ngx_http_status_edge_conn_close(conn);

    conn->reason_len = 0;
    conn->queued = 0;
    conn->sent = 0;
    conn->timeout = server->timeout;
    conn->tls = server->tls;

    ngx_queue_init(&conn->waiting);
    ngx_queue_init(&conn->free);

#if (NGX_SSL)
    if (conn->tls) {
        conn->ssl = smcf->redis_ssl;
        conn->ssl_verify = smcf->redis_ssl_verify;
        conn->ssl_name = smcf->redis_ssl_name.len ? smcf->redis_ssl_name
                                                  : server->host;
    }
#endif

    conn->reader = redisReaderCreate();
    if (conn->reader == NULL) {
        p = ngx_cpymem(conn->reason, "no memory", sizeof("no memory") - 1);
        conn->reason_len = p - conn->reason;
        return NGX_ERROR;
    }

    /* an array header cannot make hiredis allocate gigabytes */
    se_redis_reader_limit(conn->reader);

    conn->peer_log = *conn->log;
    conn->peer_log.log_level = NGX_LOG_INFO;
    conn->peer_log.handler = NULL;
    conn->peer_log.data = NULL;
    conn->peer_log.writer = ngx_http_status_edge_conn_log_writer;
    conn->peer_log.wdata = conn;
    conn->peer_log.next = NULL;

    ngx_memzero(&conn->peer, sizeof(ngx_peer_connection_t));

    conn->peer.sockaddr = addr ? addr->sockaddr : server->sockaddr;
    conn->peer.socklen = addr ? addr->socklen : server->socklen;
    conn->peer.name = &server->name;
    conn->peer.get = ngx_event_get_peer;
    conn->peer.log = &conn->peer_log;
    conn->peer.log_error = NGX_ERROR_ERR;

    /* the kernel's probes find a peer gone without a FIN (a NAT dropped) */
    conn->peer.so_keepalive = (conn->peer.sockaddr->sa_family != AF_UNIX);

    conn->timer.handler = ngx_http_status_edge_conn_timeout_handler;
    conn->timer.data = conn;
    conn->timer.log = conn->log;
    conn->timer.cancelable = 1;

    conn->open = 1;
    conn->generation++;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, conn->log, 0,
                   "status_edge: connecting to Redis \"%V\" at %V",
                   &server->name, addr ? &addr->name : &server->name);

    rc = ngx_event_connect_peer(&conn->peer);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        err = ngx_socket_errno;

        if (conn->reason_len == 0 && err) {
            p = ngx_strerror(err, conn->reason, NGX_MAX_ERROR_STR);
            conn->reason_len = p - conn->reason;
        }

        conn->peer.connection = NULL;
        ngx_http_status_edge_conn_close(conn);
        return NGX_ERROR;
    }

    c = conn->peer.connection;

    c->data = conn;
    c->read->handler = ngx_http_status_edge_conn_read_handler;
    c->write->handler = ngx_http_status_edge_conn_write_handler;

    ngx_add_timer(&conn->timer, conn->timeout);

    /* the rest runs from the event loop, never inside the caller */

    if (rc == NGX_OK) {
        ngx_post_event(c->write, &ngx_posted_events);
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_status_edge_conn_send(ngx_http_status_edge_conn_t *conn,
    ngx_http_status_edge_conn_reply_pt handler, void *data, int argc,
    const char **argv, const size_t *argvlen)
{
    int                               len;
    char                             *cmd;
    u_char                           *out;
    size_t                            size;
    ngx_queue_t                      *q;
    ngx_connection_t                 *c;
    ngx_http_status_edge_conn_cmd_t  *node;

    if (!conn->open) {
        return NGX_ERROR;
    }

    if (ngx_queue_empty(&conn->free)) {
        node = ngx_alloc(sizeof(ngx_http_status_edge_conn_cmd_t), conn->log);
        if (node == NULL) {
            return NGX_ERROR;
        }

    } else {
        q = ngx_queue_head(&conn->free);
        ngx_queue_remove(q);
        node = ngx_queue_data(q, ngx_http_status_edge_conn_cmd_t, queue);
    }

    len = redisFormatCommandArgv(&cmd, argc, argv, argvlen);
    if (len < 0) {
        ngx_queue_insert_head(&conn->free, &node->queue);
        return NGX_ERROR;
    }

    if (conn->out_len + len > conn->out_size && conn->out_pos) {
        ngx_memmove(conn->out, conn->out + conn->out_pos,
                    conn->out_len - conn->out_pos);
        conn->out_len -= conn->out_pos;
        conn->out_pos = 0;
    }

    if (conn->out_len + len > conn->out_size) {
        size = ngx_max(conn->out_size * 2, conn->out_len + len);
        size = ngx_max(size, NGX_HTTP_STATUS_EDGE_CONN_OUT);

        out = ngx_alloc(size, conn->log);
        if (out == NULL) {
            redisFreeCommand(cmd);
            ngx_queue_insert_head(&conn->free, &node->queue);
            return NGX_ERROR;
        }

        if (conn->out) {
            ngx_memcpy(out, conn->out, conn->out_len);
            ngx_free(conn->out);
        }

        conn->out = out;
        conn->out_size = size;
    }

    ngx_memcpy(conn->out + conn->out_len, cmd, len);
    conn->out_len += len;
    conn->queued += len;
    redisFreeCommand(cmd);

    node->handler = handler;
    node->data = data;
    ngx_queue_insert_tail(&conn->waiting, &node->queue);

    conn->pending++;

    if (!conn->timer.timer_set) {
        ngx_add_timer(&conn->timer, conn->timeout);
    }

    c = conn->peer.connection;

    if (conn->connected && c->write->ready && !c->write->posted) {
        ngx_post_event(c->write, &ngx_posted_events);
    }

    return NGX_OK;
}


/* AUTH [user] password first, when the server has a password */

ngx_int_t
ngx_http_status_edge_conn_auth(ngx_http_status_edge_conn_t *conn,
    ngx_http_status_edge_server_t *server,
    ngx_http_status_edge_conn_reply_pt handler, void *data)
{
    int          argc;
    size_t       argvlen[3];
    const char  *argv[3];

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

    return ngx_http_status_edge_conn_send(conn, handler, data, argc, argv,
                                          argvlen);
}


void
ngx_http_status_edge_conn_close(ngx_http_status_edge_conn_t *conn)
{
    ngx_pool_t        *pool;
    ngx_connection_t  *c;

    if (conn->timer.timer_set) {
        ngx_del_timer(&conn->timer);
    }

    c = conn->peer.connection;

    if (c) {
        conn->peer.connection = NULL;

#if (NGX_SSL)
        if (c->ssl) {
            c->ssl->no_wait_shutdown = 1;
            c->ssl->no_send_shutdown = 1;
            (void) ngx_ssl_shutdown(c);
        }
#endif

        pool = c->pool;
        ngx_close_connection(c);

        if (pool) {
            ngx_destroy_pool(pool);
        }
    }

    if (conn->reader) {
        redisReaderFree(conn->reader);
        conn->reader = NULL;
    }

    if (conn->open) {
        ngx_http_status_edge_conn_free_cmds(&conn->waiting);
        ngx_http_status_edge_conn_free_cmds(&conn->free);
        conn->generation++;
    }

    if (conn->out) {
        ngx_free(conn->out);
        conn->out = NULL;
    }

    conn->out_pos = 0;
    conn->out_len = 0;
    conn->out_size = 0;
    conn->pending = 0;
    conn->open = 0;
    conn->connected = 0;
}


static void
ngx_http_status_edge_conn_free_cmds(ngx_queue_t *queue)
{
    ngx_queue_t  *q;

    while (!ngx_queue_empty(queue)) {
        q = ngx_queue_head(queue);
        ngx_queue_remove(q);
        ngx_free(ngx_queue_data(q, ngx_http_status_edge_conn_cmd_t, queue));
    }
}


/* the TCP connect is done, or failed */

static void
ngx_http_status_edge_conn_connected(ngx_http_status_edge_conn_t *conn)
{
    int                err;
    u_char            *p;
    socklen_t          len;
    ngx_connection_t  *c;

    c = conn->peer.connection;

    err = 0;
    len = sizeof(int);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, (void *) &err, &len) == -1) {
        err = ngx_socket_errno;
    }

    if (err) {
        p = ngx_strerror(err, conn->reason, NGX_MAX_ERROR_STR);
        conn->reason_len = p - conn->reason;
        ngx_http_status_edge_conn_fail(conn, "connect failed", NULL);
        return;
    }

    if (conn->peer.sockaddr->sa_family != AF_UNIX) {
        ngx_http_status_edge_conn_keepalive(c);
    }

#if (NGX_SSL)
    if (conn->tls) {
        ngx_http_status_edge_conn_ssl_start(conn);
        return;
    }
#endif

    ngx_http_status_edge_conn_ready(conn);
}


/* hiredis' probes: idle 15 s, then every 5 s, 3 times */

static void
ngx_http_status_edge_conn_keepalive(ngx_connection_t *c)
{
#if (NGX_HAVE_KEEPALIVE_TUNABLE)
    int  value;

    value = NGX_HTTP_STATUS_EDGE_KEEPIDLE;
    (void) setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPIDLE, (const void *) &value,
                      sizeof(int));

    value = NGX_HTTP_STATUS_EDGE_KEEPIDLE / 3;
    (void) setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPINTVL,
                      (const void *) &value, sizeof(int));

    value = 3;
    (void) setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPCNT, (const void *) &value,
                      sizeof(int));
#endif
}


/* connected (and TLS verified): the queued commands may leave */

static void
ngx_http_status_edge_conn_ready(ngx_http_status_edge_conn_t *conn)
{
    ngx_connection_t  *c;

    c = conn->peer.connection;

    conn->connected = 1;
    conn->reason_len = 0;

    c->read->handler = ngx_http_status_edge_conn_read_handler;
    c->write->handler = ngx_http_status_edge_conn_write_handler;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, conn->log, 0,
                   "status_edge: Redis \"%V\" connected, %ui commands "
                   "queued", conn->peer.name, conn->pending);

    if (conn->timer.timer_set) {
        ngx_del_timer(&conn->timer);
    }

    if (conn->pending) {
        ngx_add_timer(&conn->timer, conn->timeout);
    }

    if (c->read->ready) {
        ngx_post_event(c->read, &ngx_posted_events);
    }

    ngx_http_status_edge_conn_flush(conn);
}


static void
ngx_http_status_edge_conn_flush(ngx_http_status_edge_conn_t *conn)
{
    ssize_t            n;
    ngx_connection_t  *c;

    c = conn->peer.connection;

    while (conn->out_pos < conn->out_len) {
        n = c->send(c, conn->out + conn->out_pos,
                    conn->out_len - conn->out_pos);

        if (n == NGX_ERROR) {
#if (NGX_SSL)
            ngx_http_status_edge_conn_ssl_alert(conn);
#endif
            ngx_http_status_edge_conn_fail(conn, "send failed", NULL);
            return;
        }

        if (n == NGX_AGAIN || n == 0) {
            break;
        }

        conn->out_pos += n;
        conn->sent += n;
    }

    if (conn->out_pos == conn->out_len) {
        conn->out_pos = 0;
        conn->out_len = 0;
    }

    if (ngx_handle_write_event(c->write, 0) != NGX_OK) {
        ngx_http_status_edge_conn_fail(conn, "send failed", NULL);
    }
}


static void
ngx_http_status_edge_conn_read_handler(ngx_event_t *rev)
{
    ssize_t                       n;
    ngx_uint_t                    generation;
    ngx_connection_t             *c;
    ngx_http_status_edge_conn_t  *conn;
    u_char                        buf[NGX_HTTP_STATUS_EDGE_CONN_READ];

    c = rev->data;
    conn = c->data;

    if (!conn->connected) {
        ngx_http_status_edge_conn_connected(conn);
        return;
    }

    generation = conn->generation;

    for ( ;; ) {
        n = c->recv(c, buf, sizeof(buf));

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR) {
            ngx_http_status_edge_conn_fail(conn, "connection lost", NULL);
            return;
        }

        if (n == 0) {
            ngx_http_status_edge_conn_fail(conn, "connection lost",
                                           "Server closed the connection");
            return;
        }

        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, conn->log, 0,
                       "status_edge: Redis sent %z bytes", n);

        if (redisReaderFeed(conn->reader, (const char *) buf, n) != REDIS_OK)
        {
            ngx_http_status_edge_conn_fail(conn, "bad reply", "%s",
                                           conn->reader->errstr);
            return;
        }

        if (ngx_http_status_edge_conn_replies(conn) != NGX_OK
            || conn->generation != generation)
        {
            return;
        }
    }

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        ngx_http_status_edge_conn_fail(conn, "connection lost", NULL);
    }
}


/*
 * Every whole reply read so far goes to its command's callback, in the
 * order of the commands; a pub/sub message goes to the message handler.
 * NGX_OK: the connection is still the same and open.
 */

static ngx_int_t
ngx_http_status_edge_conn_replies(ngx_http_status_edge_conn_t *conn)
{
    void                                *data;
    ngx_uint_t                           generation;
    redisReply                          *reply;
    ngx_queue_t                         *q;
    ngx_http_status_edge_conn_cmd_t     *node;
    ngx_http_status_edge_conn_reply_pt   handler;

    generation = conn->generation;

    for ( ;; ) {
        reply = NULL;

        if (redisReaderGetReply(conn->reader, (void **) &reply) != REDIS_OK) {
            ngx_http_status_edge_conn_fail(conn, "bad reply", "%s",
                                           conn->reader->errstr);
            return NGX_ERROR;
        }

        if (reply == NULL) {
            return NGX_OK;
        }

        if (conn->message && ngx_http_status_edge_conn_is_message(reply)) {
            conn->message(conn, reply, conn->data);
            freeReplyObject(reply);

            if (conn->generation != generation) {
                return NGX_ERROR;
            }

            continue;
        }

        if (ngx_queue_empty(&conn->waiting)) {
            freeReplyObject(reply);
            ngx_http_status_edge_conn_fail(conn, "bad reply",
                                           "a reply to no command");
            return NGX_ERROR;
        }

        q = ngx_queue_head(&conn->waiting);
        ngx_queue_remove(q);
        ngx_queue_insert_tail(&conn->free, q);

        node = ngx_queue_data(q, ngx_http_status_edge_conn_cmd_t, queue);
        handler = node->handler;
        data = node->data;

        conn->pending--;

        /* each reply gives the next one the whole timeout */

        if (conn->pending == 0) {
            if (conn->timer.timer_set) {
                ngx_del_timer(&conn->timer);
            }

        } else {
            ngx_add_timer(&conn->timer, conn->timeout);
        }

        handler(conn, reply, data);
        freeReplyObject(reply);

        if (conn->generation != generation) {
            return NGX_ERROR;
        }
    }
}


/* a pub/sub message: ["message", channel, payload] or a "pmessage" */

static ngx_uint_t
ngx_http_status_edge_conn_is_message(redisReply *reply)
{
    redisReply  *kind;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) {
        return 0;
    }

    kind = reply->element[0];

    if (kind->type != REDIS_REPLY_STRING) {
        return 0;
    }

    return (kind->len == 7 && ngx_strncmp(kind->str, "message", 7) == 0)
           || (kind->len == 8 && ngx_strncmp(kind->str, "pmessage", 8) == 0);
}


static void
ngx_http_status_edge_conn_write_handler(ngx_event_t *wev)
{
    ngx_connection_t             *c;
    ngx_http_status_edge_conn_t  *conn;

    c = wev->data;
    conn = c->data;

    if (!conn->connected) {
        ngx_http_status_edge_conn_connected(conn);
        return;
    }

    ngx_http_status_edge_conn_flush(conn);
}


static void
ngx_http_status_edge_conn_timeout_handler(ngx_event_t *ev)
{
    ngx_http_status_edge_conn_t  *conn = ev->data;

    ngx_http_status_edge_conn_fail(conn, conn->connected ? "command timed out"
                                                         : "connect timed out",
                                   NULL);
}


/*
 * The reason: fmt when given, else the last line nginx logged about the
 * connection.  The connection is closed before the caller is told.
 */

static void
ngx_http_status_edge_conn_fail(ngx_http_status_edge_conn_t *conn,
    const char *what, const char *fmt, ...)
{
    u_char     *p;
    va_list     args;
    ngx_str_t   reason;

    if (fmt) {
        va_start(args, fmt);
        p = ngx_vslprintf(conn->reason, conn->reason + NGX_MAX_ERROR_STR,
                          fmt, args);
        va_end(args);

        conn->reason_len = p - conn->reason;
    }

    ngx_http_status_edge_conn_close(conn);

    reason.data = conn->reason;
    reason.len = conn->reason_len;

    conn->error(conn, what, &reason);
}


/*
 * The writer of the connection's log: nginx's line, from its message on
 * (after "time [level] pid#tid: *N "), is kept as the reason; an alert
 * still reaches the error log as it is.
 */

static void
ngx_http_status_edge_conn_log_writer(ngx_log_t *log, ngx_uint_t level,
    u_char *buf, size_t len)
{
    u_char                       *p, *last;
    ngx_http_status_edge_conn_t  *conn = log->wdata;

    last = buf + len;

    while (last > buf && (last[-1] == LF || last[-1] == CR)) {
        last--;
    }

    if (level <= NGX_LOG_ALERT) {
        ngx_log_error(level, conn->log, 0, "%*s", last - buf, buf);
    }

    p = ngx_strlchr(buf, last, ']');
    p = p ? ngx_strlchr(p, last, ':') : NULL;

    if (p == NULL || last - p < 2) {
        return;
    }

    p += 2;

    if (p < last && *p == '*') {
        while (p < last && *p != ' ') {
            p++;
        }

        if (p < last) {
            p++;
        }
    }

    conn->reason_len = ngx_min((size_t) (last - p), NGX_MAX_ERROR_STR);
    ngx_memcpy(conn->reason, p, conn->reason_len);
}


#if (NGX_SSL)

/*
 * A TLS 1.3 server that refuses our certificate (or its absence) sends
 * an alert once our handshake is over, and closes: a write then fails
 * with a reset while the alert waits to be read.  Read, its line is the
 * reason ("alert certificate required").
 */

static void
ngx_http_status_edge_conn_ssl_alert(ngx_http_status_edge_conn_t *conn)
{
    ngx_connection_t  *c;
    u_char             buf[256];

    c = conn->peer.connection;

    if (c->ssl) {
        (void) c->recv(c, buf, sizeof(buf));
    }
}


static void
ngx_http_status_edge_conn_ssl_start(ngx_http_status_edge_conn_t *conn)
{
    u_char            *name;
    ngx_int_t          rc;
    ngx_connection_t  *c;

    c = conn->peer.connection;

    /* nginx's SSL connection lives in the connection's pool */
    c->pool = ngx_create_pool(256, c->log);
    if (c->pool == NULL) {
        ngx_http_status_edge_conn_fail(conn, "TLS failed", "no memory");
        return;
    }

    if (ngx_ssl_create_connection(conn->ssl, c,
                                  NGX_SSL_BUFFER|NGX_SSL_CLIENT)
        != NGX_OK)
    {
        ngx_http_status_edge_conn_fail(conn, "TLS failed", NULL);
        return;
    }

    /* SNI names a host, never an address (RFC 6066) */

    if (conn->ssl_name.len
        && !ngx_http_status_edge_conn_is_ip(&conn->ssl_name))
    {
        name = ngx_pnalloc(c->pool, conn->ssl_name.len + 1);
        if (name == NULL) {
            ngx_http_status_edge_conn_fail(conn, "TLS failed", "no memory");
            return;
        }

        (void) ngx_cpystrn(name, conn->ssl_name.data, conn->ssl_name.len + 1);

        if (SSL_set_tlsext_host_name(c->ssl->connection, (char *) name)
            == 0)
        {
            ngx_http_status_edge_conn_fail(conn, "TLS failed",
                                           "SSL_set_tlsext_host_name(\"%s\") "
                                           "failed", name);
            return;
        }
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, conn->log, 0,
                   "status_edge: TLS handshake with Redis \"%V\"",
                   conn->peer.name);

    rc = ngx_ssl_handshake(c);

    if (rc == NGX_AGAIN) {
        c->ssl->handler = ngx_http_status_edge_conn_ssl_handshaked;
        return;
    }

    ngx_http_status_edge_conn_ssl_handshaked(c);
}


static void
ngx_http_status_edge_conn_ssl_handshaked(ngx_connection_t *c)
{
    long                          rc;
    ngx_http_status_edge_conn_t  *conn = c->data;

    if (!c->ssl->handshaked) {
        ngx_http_status_edge_conn_fail(conn, "TLS handshake failed", NULL);
        return;
    }

    if (conn->ssl_verify) {
        rc = SSL_get_verify_result(c->ssl->connection);

        if (rc != X509_V_OK) {
            ngx_http_status_edge_conn_fail(conn, "certificate refused",
                                           "verify error: (%l:%s)", rc,
                                           X509_verify_cert_error_string(rc));
            return;
        }

        if (ngx_http_status_edge_conn_ssl_check_name(conn, c) != NGX_OK) {
            ngx_http_status_edge_conn_fail(conn, "certificate refused",
                                           "it is not for \"%V\"",
                                           &conn->ssl_name);
            return;
        }
    }

    ngx_http_status_edge_conn_ready(conn);
}


/* ngx_ssl_check_host() matches host names only: an address is matched
 * against the certificate's IP addresses */

static ngx_int_t
ngx_http_status_edge_conn_ssl_check_name(ngx_http_status_edge_conn_t *conn,
    ngx_connection_t *c)
{
    int     rc;
    X509   *cert;
    u_char  ip[NGX_SOCKADDR_STRLEN + 1];

    if (!ngx_http_status_edge_conn_is_ip(&conn->ssl_name)) {
        return ngx_ssl_check_host(c, &conn->ssl_name);
    }

    if (conn->ssl_name.len > NGX_SOCKADDR_STRLEN) {
        return NGX_ERROR;
    }

    cert = SSL_get_peer_certificate(c->ssl->connection);
    if (cert == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_cpystrn(ip, conn->ssl_name.data, conn->ssl_name.len + 1);

    rc = X509_check_ip_asc(cert, (const char *) ip, 0);

    X509_free(cert);

    return rc == 1 ? NGX_OK : NGX_ERROR;
}


static ngx_uint_t
ngx_http_status_edge_conn_is_ip(ngx_str_t *name)
{
#if (NGX_HAVE_INET6)
    struct in6_addr  inaddr6;

    if (ngx_inet6_addr(name->data, name->len, inaddr6.s6_addr) == NGX_OK) {
        return 1;
    }
#endif

    return ngx_inet_addr(name->data, name->len) != INADDR_NONE;
}

#endif


char *
ngx_http_status_edge_conn_ssl_conf(ngx_conf_t *cf,
    ngx_http_status_edge_main_conf_t *smcf)
{
    ngx_uint_t                      i, tls;
    ngx_http_status_edge_server_t  *server;
#if (NGX_SSL)
    ngx_pool_cleanup_t             *cln;
#endif

    server = smcf->servers.elts;
    tls = 0;

    for (i = 0; i < smcf->servers.nelts; i++) {
        tls |= server[i].tls;
    }

    server = smcf->write_servers.elts;

    for (i = 0; i < smcf->write_servers.nelts; i++) {
        tls |= server[i].tls;
    }

    ngx_conf_init_value(smcf->redis_ssl_verify, 1);

    if (!tls) {
        return NGX_CONF_OK;
    }

#if (NGX_SSL)

    if (ngx_ssl_create == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a \"tls\" Redis address needs nginx built with "
                           "SSL, and this nginx has none");
        return NGX_CONF_ERROR;
    }

    if (smcf->redis_ssl_certificate.len
        && smcf->redis_ssl_certificate_key.len == 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "no \"status_edge_redis_ssl_certificate_key\" "
                           "is defined for certificate \"%V\"",
                           &smcf->redis_ssl_certificate);
        return NGX_CONF_ERROR;
    }

    if (smcf->redis_ssl_verify && smcf->redis_ssl_trusted_certificate.len == 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "no \"status_edge_redis_ssl_trusted_certificate\" "
                           "for \"status_edge_redis_ssl_verify\"");
        return NGX_CONF_ERROR;
    }

    smcf->redis_ssl = ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t));
    if (smcf->redis_ssl == NULL) {
        return NGX_CONF_ERROR;
    }

    smcf->redis_ssl->log = cf->log;

    if (ngx_ssl_create(smcf->redis_ssl, NGX_SSL_TLSv1_2|NGX_SSL_TLSv1_3,
                       NULL)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(smcf->redis_ssl);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = smcf->redis_ssl;

    if (smcf->redis_ssl_certificate.len
        && ngx_ssl_certificate(cf, smcf->redis_ssl,
                               &smcf->redis_ssl_certificate,
                               &smcf->redis_ssl_certificate_key, NULL)
           != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (smcf->redis_ssl_trusted_certificate.len
        && ngx_ssl_trusted_certificate(cf, smcf->redis_ssl,
                                       &smcf->redis_ssl_trusted_certificate,
                                       NGX_HTTP_STATUS_EDGE_SSL_DEPTH)
           != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "a \"tls\" Redis address needs nginx built with SSL");
    return NGX_CONF_ERROR;

#endif
}
