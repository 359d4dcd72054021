
/*
 * status-edge: the writes requests make (ngx_http_status_edge_writer.h).
 * One connection per worker, to the first address of
 * status_edge_subscribe_redis, else of status_edge_redis; AUTH and SELECT
 * go first, then the writes in order, each reply to its request.  A
 * failed connection fails what waits and is opened again by the next
 * write.
 *
 * A "sentinel=" entry has no address of its own: at each connect its
 * Sentinels are asked, one after the other, for the primary of the set
 * (SENTINEL get-master-addr-by-name), the writes held meanwhile.  A write
 * the server refuses with READONLY (a failover made it a replica) was not
 * made: it and those after it are held again, once, while the Sentinels
 * are asked anew.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "ngx_http_status_edge_writer.h"
#include "ngx_http_status_edge_conn.h"
#include "ngx_http_status_edge_sentinel.h"


typedef struct {
    ngx_queue_t                          queue;
    ngx_http_status_edge_write_done_pt   done;
    void                                *data;
    int                                  argc;
    const char                         **argv;     /* copies, in the */
    size_t                              *argvlen;  /* same block */
    unsigned                             again:1;  /* held once more */
} ngx_http_status_edge_write_t;


static ngx_http_status_edge_server_t *ngx_http_status_edge_writer_server(
    ngx_http_status_edge_main_conf_t *smcf);
static ngx_http_status_edge_write_t *ngx_http_status_edge_writer_copy(
    int argc, const char **argv, const size_t *argvlen);
static ngx_int_t ngx_http_status_edge_writer_connect(
    ngx_http_status_edge_conn_t *conn, ngx_http_status_edge_server_t *server,
    ngx_http_status_edge_conn_error_pt error, const char *what);
static ngx_int_t ngx_http_status_edge_writer_open(
    ngx_http_status_edge_server_t *server);
static ngx_int_t ngx_http_status_edge_writer_post(
    ngx_http_status_edge_write_t *w);
static void ngx_http_status_edge_writer_end(ngx_http_status_edge_write_t *w,
    redisReply *reply);
static void ngx_http_status_edge_writer_setup(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_writer_reply(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_writer_error(
    ngx_http_status_edge_conn_t *conn, const char *what, ngx_str_t *reason);
static void ngx_http_status_edge_writer_fail(ngx_queue_t *writes);
static void ngx_http_status_edge_writer_ask(ngx_uint_t first);
static void ngx_http_status_edge_writer_ask_handler(ngx_event_t *ev);
static void ngx_http_status_edge_writer_asker_error(
    ngx_http_status_edge_conn_t *conn, const char *what, ngx_str_t *reason);
static void ngx_http_status_edge_writer_on_primary(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_writer_flush(void);


static ngx_http_status_edge_conn_t        ngx_http_status_edge_writer_conn;
static ngx_queue_t                        ngx_http_status_edge_writes;
static ngx_queue_t                        ngx_http_status_edge_held;
static ngx_uint_t                         ngx_http_status_edge_writer_ready;
static ngx_http_status_edge_main_conf_t  *ngx_http_status_edge_writer_smcf;

/* the Sentinel asked: its connection, its place in the entry's list */
static ngx_http_status_edge_conn_t        ngx_http_status_edge_writer_asker;
static ngx_event_t                        ngx_http_status_edge_writer_ask_ev;
static ngx_uint_t                         ngx_http_status_edge_writer_asking;
static ngx_uint_t                         ngx_http_status_edge_writer_next;

/* the entry at the address its Sentinels named */
static ngx_http_status_edge_server_t      ngx_http_status_edge_primary;
static ngx_http_status_edge_sentinel_addr_t  ngx_http_status_edge_primary_at;
static u_char  ngx_http_status_edge_primary_name[NGX_SOCKADDR_STRLEN];


static ngx_http_status_edge_server_t *
ngx_http_status_edge_writer_server(ngx_http_status_edge_main_conf_t *smcf)
{
    if (smcf->write_servers.nelts) {
        return smcf->write_servers.elts;
    }

    if (smcf->servers.nelts) {
        return smcf->servers.elts;
    }

    return NULL;
}


ngx_int_t
ngx_http_status_edge_writer_send(ngx_http_status_edge_main_conf_t *smcf,
    int argc, const char **argv, const size_t *argvlen,
    ngx_http_status_edge_write_done_pt done, void *data)
{
    ngx_http_status_edge_write_t   *w;
    ngx_http_status_edge_server_t  *server;

    if (!ngx_http_status_edge_writer_ready) {
        ngx_queue_init(&ngx_http_status_edge_writes);
        ngx_queue_init(&ngx_http_status_edge_held);
        ngx_http_status_edge_writer_ready = 1;
    }

    ngx_http_status_edge_writer_smcf = smcf;

    server = ngx_http_status_edge_writer_server(smcf);
    if (server == NULL) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "status_edge: no Redis address to write "
                      "subscriptions to (status_edge_subscribe_redis)");
        return NGX_ERROR;
    }

    w = ngx_http_status_edge_writer_copy(argc, argv, argvlen);
    if (w == NULL) {
        return NGX_ERROR;
    }

    w->done = done;
    w->data = data;

    if (!ngx_http_status_edge_writer_conn.open && server->sentinel) {
        ngx_queue_insert_tail(&ngx_http_status_edge_held, &w->queue);

        if (!ngx_http_status_edge_writer_asking) {
            ngx_http_status_edge_writer_ask(1);
        }

        return NGX_OK;
    }

    if ((!ngx_http_status_edge_writer_conn.open
         && ngx_http_status_edge_writer_open(server) != NGX_OK)
        || ngx_http_status_edge_writer_post(w) != NGX_OK)
    {
        ngx_free(w);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* the write in one block: it may wait for a primary, or be sent again */

static ngx_http_status_edge_write_t *
ngx_http_status_edge_writer_copy(int argc, const char **argv,
    const size_t *argvlen)
{
    u_char                        *p;
    size_t                         size;
    ngx_int_t                      i;
    ngx_http_status_edge_write_t  *w;

    size = sizeof(ngx_http_status_edge_write_t)
           + argc * (sizeof(char *) + sizeof(size_t));

    for (i = 0; i < argc; i++) {
        size += argvlen ? argvlen[i] : ngx_strlen(argv[i]);
    }

    w = ngx_alloc(size, ngx_cycle->log);
    if (w == NULL) {
        return NULL;
    }

    ngx_memzero(w, sizeof(ngx_http_status_edge_write_t));

    w->argc = argc;
    w->argv = (const char **) (w + 1);
    w->argvlen = (size_t *) (w->argv + argc);
    p = (u_char *) (w->argvlen + argc);

    for (i = 0; i < argc; i++) {
        w->argv[i] = (const char *) p;
        w->argvlen[i] = argvlen ? argvlen[i] : ngx_strlen(argv[i]);
        p = ngx_cpymem(p, argv[i], w->argvlen[i]);
    }

    return w;
}


/* a connection of the writer's, to a Redis or a Sentinel ("what") */

static ngx_int_t
ngx_http_status_edge_writer_connect(ngx_http_status_edge_conn_t *conn,
    ngx_http_status_edge_server_t *server,
    ngx_http_status_edge_conn_error_pt error, const char *what)
{
    ngx_str_t  reason;

    conn->log = ngx_cycle->log;
    conn->error = error;
    conn->message = NULL;
    conn->data = NULL;

    if (ngx_http_status_edge_conn_open(conn, server, NULL,
                                       ngx_http_status_edge_writer_smcf)
        == NGX_OK)
    {
        return NGX_OK;
    }

    reason.data = conn->reason;
    reason.len = conn->reason_len;

    ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                  "status_edge: subscription writes: %s \"%V\" connect "
                  "failed: %V", what, &server->name, &reason);

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_status_edge_writer_open(ngx_http_status_edge_server_t *server)
{
    u_char                        db[NGX_INT_T_LEN];
    size_t                        argvlen[2];
    const char                   *argv[2];
    ngx_http_status_edge_conn_t  *conn;

    conn = &ngx_http_status_edge_writer_conn;

    if (ngx_http_status_edge_writer_connect(conn, server,
                                            ngx_http_status_edge_writer_error,
                                            "Redis")
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                   "status_edge: subscription writes to Redis \"%V\"",
                   &server->name);

    if (ngx_http_status_edge_conn_auth(conn, server,
                                       ngx_http_status_edge_writer_setup,
                                       NULL)
        != NGX_OK)
    {
        ngx_http_status_edge_conn_close(conn);
        return NGX_ERROR;
    }

    if (server->db) {
        argv[0] = "SELECT";
        argvlen[0] = 6;
        argv[1] = (const char *) db;
        argvlen[1] = ngx_sprintf(db, "%ui", server->db) - db;

        if (ngx_http_status_edge_conn_send(conn,
                                 ngx_http_status_edge_writer_setup, NULL,
                                 2, argv, argvlen)
            != NGX_OK)
        {
            ngx_http_status_edge_conn_close(conn);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_status_edge_writer_post(ngx_http_status_edge_write_t *w)
{
    ngx_queue_insert_tail(&ngx_http_status_edge_writes, &w->queue);

    if (ngx_http_status_edge_conn_send(&ngx_http_status_edge_writer_conn,
                                       ngx_http_status_edge_writer_reply, w,
                                       w->argc, w->argv, w->argvlen)
        != NGX_OK)
    {
        ngx_queue_remove(&w->queue);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a write is over: freed first, its done may write again */

static void
ngx_http_status_edge_writer_end(ngx_http_status_edge_write_t *w,
    redisReply *reply)
{
    void                                *data;
    ngx_http_status_edge_write_done_pt   done;

    done = w->done;
    data = w->data;
    ngx_free(w);

    done(reply, data);
}


static void
ngx_http_status_edge_writer_setup(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, conn->log, 0,
                      "status_edge: subscription writes: Redis refused "
                      "the connection's setup: %*s", reply->len, reply->str);
    }
}


static void
ngx_http_status_edge_writer_reply(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_http_status_edge_write_t  *w = data;

    ngx_queue_t                    *q;
    ngx_http_status_edge_write_t   *next;
    ngx_http_status_edge_server_t  *server;

    ngx_queue_remove(&w->queue);

    if (reply->type != REDIS_REPLY_ERROR) {
        ngx_http_status_edge_writer_end(w, reply);
        return;
    }

    server = ngx_http_status_edge_writer_server(
                                        ngx_http_status_edge_writer_smcf);

    if (server->sentinel && !w->again
        && reply->len >= 8 && ngx_strncmp(reply->str, "READONLY", 8) == 0)
    {
        /* not made, nor those after it: held for the primary of now */

        ngx_log_error(NGX_LOG_NOTICE, conn->log, 0,
                      "status_edge: subscription writes: Redis \"%V\" is "
                      "a replica now, asking the Sentinels of \"%V\" again",
                      &ngx_http_status_edge_primary.name,
                      &server->sentinel->set);

        w->again = 1;
        ngx_queue_insert_head(&ngx_http_status_edge_held, &w->queue);

        while (!ngx_queue_empty(&ngx_http_status_edge_writes)) {
            q = ngx_queue_last(&ngx_http_status_edge_writes);
            ngx_queue_remove(q);
            next = ngx_queue_data(q, ngx_http_status_edge_write_t, queue);
            next->again = 1;
            ngx_queue_insert_after(&w->queue, q);
        }

        ngx_http_status_edge_conn_close(conn);

        if (!ngx_http_status_edge_writer_asking) {
            ngx_http_status_edge_writer_ask(1);
        }

        return;
    }

    ngx_log_error(NGX_LOG_ERR, conn->log, 0,
                  "status_edge: subscription writes: Redis refused a "
                  "write: %*s", reply->len, reply->str);

    ngx_http_status_edge_writer_end(w, NULL);
}


static void
ngx_http_status_edge_writer_error(ngx_http_status_edge_conn_t *conn,
    const char *what, ngx_str_t *reason)
{
    ngx_log_error(NGX_LOG_ERR, conn->log, 0,
                  "status_edge: subscription writes: Redis %s%s%V", what,
                  reason->len ? ": " : "", reason);

    ngx_http_status_edge_writer_fail(&ngx_http_status_edge_writes);
}


static void
ngx_http_status_edge_writer_fail(ngx_queue_t *writes)
{
    ngx_queue_t  *q;

    /* a done may write again: it opens a new connection, or is held */

    while (ngx_http_status_edge_writer_ready && !ngx_queue_empty(writes)) {
        q = ngx_queue_head(writes);
        ngx_queue_remove(q);

        ngx_http_status_edge_writer_end(
            ngx_queue_data(q, ngx_http_status_edge_write_t, queue), NULL);
    }
}


/* the Sentinels of the entry, from the first (or the next) on */

static void
ngx_http_status_edge_writer_ask(ngx_uint_t first)
{
    ngx_event_t  *ev = &ngx_http_status_edge_writer_ask_ev;

    if (first) {
        ngx_http_status_edge_writer_next = 0;
    }

    ngx_http_status_edge_writer_asking = 1;

    /* from the event loop: never inside a request's write, or a reply's */

    if (!ev->posted) {
        ev->handler = ngx_http_status_edge_writer_ask_handler;
        ev->log = ngx_cycle->log;
        ev->data = NULL;
        ngx_post_event(ev, &ngx_posted_events);
    }
}


static void
ngx_http_status_edge_writer_ask_handler(ngx_event_t *ev)
{
    size_t                            argvlen[3];
    const char                       *argv[3];
    ngx_http_status_edge_conn_t      *conn;
    ngx_http_status_edge_server_t    *server, *s;
    ngx_http_status_edge_sentinel_t  *sentinel;

    conn = &ngx_http_status_edge_writer_asker;
    ngx_http_status_edge_conn_close(conn);

    if (!ngx_http_status_edge_writer_ready) {
        return;
    }

    server = ngx_http_status_edge_writer_server(
                                        ngx_http_status_edge_writer_smcf);
    sentinel = server->sentinel;

    if (ngx_http_status_edge_writer_next >= sentinel->sentinels.nelts) {
        ngx_log_error(NGX_LOG_ERR, ev->log, 0,
                      "status_edge: subscription writes: no Sentinel of "
                      "\"%V\" named its primary", &sentinel->set);

        ngx_http_status_edge_writer_asking = 0;
        ngx_http_status_edge_writer_fail(&ngx_http_status_edge_held);
        return;
    }

    s = sentinel->sentinels.elts;
    s = &s[ngx_http_status_edge_writer_next++];

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                   "status_edge: subscription writes: asking Sentinel "
                   "\"%V\" for the primary of \"%V\"", &s->name,
                   &sentinel->set);

    argv[0] = "SENTINEL";
    argvlen[0] = sizeof("SENTINEL") - 1;
    argv[1] = "get-master-addr-by-name";
    argvlen[1] = sizeof("get-master-addr-by-name") - 1;
    argv[2] = (const char *) sentinel->set.data;
    argvlen[2] = sentinel->set.len;

    if (ngx_http_status_edge_writer_connect(conn, s,
                                  ngx_http_status_edge_writer_asker_error,
                                  "Sentinel")
        != NGX_OK)
    {
        ngx_http_status_edge_writer_ask(0);
        return;
    }

    /* fails only without memory: the next Sentinel then */

    if (ngx_http_status_edge_conn_auth(conn, s,
                                       ngx_http_status_edge_writer_setup,
                                       NULL)
        != NGX_OK
        || ngx_http_status_edge_conn_send(conn,
                                  ngx_http_status_edge_writer_on_primary,
                                  s, 3, argv, argvlen)
           != NGX_OK)
    {
        ngx_http_status_edge_conn_close(conn);
        ngx_http_status_edge_writer_ask(0);
    }
}


static void
ngx_http_status_edge_writer_asker_error(ngx_http_status_edge_conn_t *conn,
    const char *what, ngx_str_t *reason)
{
    ngx_log_error(NGX_LOG_ERR, conn->log, 0,
                  "status_edge: subscription writes: Sentinel %s%s%V", what,
                  reason->len ? ": " : "", reason);

    ngx_http_status_edge_writer_ask(0);
}


static void
ngx_http_status_edge_writer_on_primary(ngx_http_status_edge_conn_t *conn,
    redisReply *reply, void *data)
{
    ngx_http_status_edge_server_t *s = data;

    ngx_str_t                              name;
    ngx_http_status_edge_server_t         *server;
    ngx_http_status_edge_sentinel_addr_t  *at;

    server = ngx_http_status_edge_writer_server(
                                        ngx_http_status_edge_writer_smcf);
    at = &ngx_http_status_edge_primary_at;

    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2
        || ngx_http_status_edge_sentinel_addr(at, reply->element[0],
                                              reply->element[1])
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ERR, conn->log, 0,
                      "status_edge: subscription writes: Sentinel \"%V\" "
                      "names no primary of \"%V\"%s%*s", &s->name,
                      &server->sentinel->set,
                      reply->type == REDIS_REPLY_ERROR ? ": " : "",
                      reply->type == REDIS_REPLY_ERROR ? reply->len : 0,
                      reply->type == REDIS_REPLY_ERROR ? reply->str : "");

        ngx_http_status_edge_conn_close(conn);
        ngx_http_status_edge_writer_ask(0);
        return;
    }

    ngx_http_status_edge_conn_close(conn);
    ngx_http_status_edge_writer_asking = 0;

    name.data = ngx_http_status_edge_primary_name;
    name.len = ngx_sock_ntop(&at->sockaddr.sockaddr, at->socklen, name.data,
                             NGX_SOCKADDR_STRLEN, 1);

    ngx_log_error(NGX_LOG_INFO, conn->log, 0,
                  "status_edge: subscription writes: Sentinel \"%V\" names "
                  "primary %V of \"%V\"", &s->name, &name,
                  &server->sentinel->set);

    /* the entry's parameters (db, password, tls) at the address named */

    ngx_http_status_edge_primary = *server;
    ngx_http_status_edge_primary.name = name;
    ngx_http_status_edge_primary.sockaddr = &at->sockaddr.sockaddr;
    ngx_http_status_edge_primary.socklen = at->socklen;
    ngx_http_status_edge_primary.host.data = at->host;
    ngx_http_status_edge_primary.host.len = at->host_len;
    ngx_http_status_edge_primary.resolve = 0;
    ngx_http_status_edge_primary.sentinel = NULL;

    if (ngx_http_status_edge_writer_open(&ngx_http_status_edge_primary)
        != NGX_OK)
    {
        ngx_http_status_edge_writer_fail(&ngx_http_status_edge_held);
        return;
    }

    ngx_http_status_edge_writer_flush();
}


/* the held writes, in order, to the primary's new connection */

static void
ngx_http_status_edge_writer_flush(void)
{
    ngx_queue_t                   *q;
    ngx_http_status_edge_write_t  *w;

    while (!ngx_queue_empty(&ngx_http_status_edge_held)) {
        q = ngx_queue_head(&ngx_http_status_edge_held);
        ngx_queue_remove(q);
        w = ngx_queue_data(q, ngx_http_status_edge_write_t, queue);

        if (ngx_http_status_edge_writer_post(w) != NGX_OK) {
            ngx_http_status_edge_writer_end(w, NULL);
        }
    }
}


void
ngx_http_status_edge_writer_close(void)
{
    if (!ngx_http_status_edge_writer_ready) {
        return;
    }

    if (ngx_http_status_edge_writer_ask_ev.posted) {
        ngx_delete_posted_event(&ngx_http_status_edge_writer_ask_ev);
    }

    ngx_http_status_edge_conn_close(&ngx_http_status_edge_writer_asker);
    ngx_http_status_edge_conn_close(&ngx_http_status_edge_writer_conn);
    ngx_http_status_edge_writer_asking = 0;

    ngx_http_status_edge_writer_fail(&ngx_http_status_edge_writes);
    ngx_http_status_edge_writer_fail(&ngx_http_status_edge_held);
}
