
/*
 * status-edge: the writes requests make (ngx_http_status_edge_writer.h).
 * One connection per worker, to the first address of
 * status_edge_subscribe_redis, else of status_edge_redis that is not a
 * Sentinel entry; AUTH and SELECT go first, then the writes in order,
 * each reply to its request.  A failed connection fails what waits and
 * is opened again by the next write.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_status_edge_writer.h"
#include "ngx_http_status_edge_conn.h"


typedef struct {
    ngx_queue_t                          queue;
    ngx_http_status_edge_write_done_pt   done;
    void                                *data;
} ngx_http_status_edge_write_t;


static ngx_http_status_edge_server_t *ngx_http_status_edge_writer_server(
    ngx_http_status_edge_main_conf_t *smcf);
static ngx_int_t ngx_http_status_edge_writer_open(
    ngx_http_status_edge_main_conf_t *smcf);
static void ngx_http_status_edge_writer_setup(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_writer_reply(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);
static void ngx_http_status_edge_writer_error(
    ngx_http_status_edge_conn_t *conn, const char *what, ngx_str_t *reason);
static void ngx_http_status_edge_writer_fail_all(void);


static ngx_http_status_edge_conn_t  ngx_http_status_edge_writer_conn;
static ngx_queue_t                  ngx_http_status_edge_writes;
static ngx_queue_t                  ngx_http_status_edge_free_writes;
static ngx_uint_t                   ngx_http_status_edge_writer_ready;


static ngx_http_status_edge_server_t *
ngx_http_status_edge_writer_server(ngx_http_status_edge_main_conf_t *smcf)
{
    ngx_uint_t                      i;
    ngx_http_status_edge_server_t  *s;

    if (smcf->write_servers.nelts) {
        return smcf->write_servers.elts;
    }

    s = smcf->servers.elts;

    for (i = 0; i < smcf->servers.nelts; i++) {
        if (s[i].sentinel == NULL) {
            return &s[i];
        }
    }

    return NULL;
}


static ngx_int_t
ngx_http_status_edge_writer_open(ngx_http_status_edge_main_conf_t *smcf)
{
    u_char                          db[NGX_INT_T_LEN];
    size_t                          argvlen[2];
    ngx_str_t                       reason;
    const char                     *argv[2];
    ngx_http_status_edge_conn_t    *conn;
    ngx_http_status_edge_server_t  *server;

    conn = &ngx_http_status_edge_writer_conn;

    server = ngx_http_status_edge_writer_server(smcf);
    if (server == NULL) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "status_edge: no Redis address to write "
                      "subscriptions to (status_edge_subscribe_redis)");
        return NGX_ERROR;
    }

    conn->log = ngx_cycle->log;
    conn->error = ngx_http_status_edge_writer_error;
    conn->message = NULL;
    conn->data = NULL;

    if (ngx_http_status_edge_conn_open(conn, server, NULL, smcf) != NGX_OK) {
        reason.data = conn->reason;
        reason.len = conn->reason_len;

        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "status_edge: subscription writes: Redis \"%V\" "
                      "connect failed: %V", &server->name, &reason);
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


ngx_int_t
ngx_http_status_edge_writer_send(ngx_http_status_edge_main_conf_t *smcf,
    int argc, const char **argv, const size_t *argvlen,
    ngx_http_status_edge_write_done_pt done, void *data)
{
    ngx_queue_t                   *q;
    ngx_http_status_edge_write_t  *w;

    if (!ngx_http_status_edge_writer_ready) {
        ngx_queue_init(&ngx_http_status_edge_writes);
        ngx_queue_init(&ngx_http_status_edge_free_writes);
        ngx_http_status_edge_writer_ready = 1;
    }

    if (!ngx_http_status_edge_writer_conn.open
        && ngx_http_status_edge_writer_open(smcf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (!ngx_queue_empty(&ngx_http_status_edge_free_writes)) {
        q = ngx_queue_head(&ngx_http_status_edge_free_writes);
        ngx_queue_remove(q);
        w = ngx_queue_data(q, ngx_http_status_edge_write_t, queue);

    } else {
        w = ngx_alloc(sizeof(ngx_http_status_edge_write_t), ngx_cycle->log);
        if (w == NULL) {
            return NGX_ERROR;
        }
    }

    w->done = done;
    w->data = data;
    ngx_queue_insert_tail(&ngx_http_status_edge_writes, &w->queue);

    if (ngx_http_status_edge_conn_send(&ngx_http_status_edge_writer_conn,
                                       ngx_http_status_edge_writer_reply, w,
                                       argc, argv, argvlen)
        != NGX_OK)
    {
        ngx_queue_remove(&w->queue);
        ngx_queue_insert_tail(&ngx_http_status_edge_free_writes, &w->queue);
        return NGX_ERROR;
    }

    return NGX_OK;
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

    ngx_queue_remove(&w->queue);
    ngx_queue_insert_tail(&ngx_http_status_edge_free_writes, &w->queue);

    if (reply->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_ERR, conn->log, 0,
                      "status_edge: subscription writes: Redis refused a "
                      "write: %*s", reply->len, reply->str);
        w->done(NULL, w->data);
        return;
    }

    w->done(reply, w->data);
}


static void
ngx_http_status_edge_writer_error(ngx_http_status_edge_conn_t *conn,
    const char *what, ngx_str_t *reason)
{
    ngx_log_error(NGX_LOG_ERR, conn->log, 0,
                  "status_edge: subscription writes: Redis %s%s%V", what,
                  reason->len ? ": " : "", reason);

    ngx_http_status_edge_writer_fail_all();
}


static void
ngx_http_status_edge_writer_fail_all(void)
{
    ngx_queue_t                   *q;
    ngx_http_status_edge_write_t  *w;

    /* a done may write again: it opens a new connection */

    while (ngx_http_status_edge_writer_ready
           && !ngx_queue_empty(&ngx_http_status_edge_writes))
    {
        q = ngx_queue_head(&ngx_http_status_edge_writes);
        ngx_queue_remove(q);
        ngx_queue_insert_tail(&ngx_http_status_edge_free_writes, q);

        w = ngx_queue_data(q, ngx_http_status_edge_write_t, queue);
        w->done(NULL, w->data);
    }
}


void
ngx_http_status_edge_writer_close(void)
{
    ngx_queue_t  *q;

    if (!ngx_http_status_edge_writer_ready) {
        return;
    }

    ngx_http_status_edge_conn_close(&ngx_http_status_edge_writer_conn);
    ngx_http_status_edge_writer_fail_all();

    while (!ngx_queue_empty(&ngx_http_status_edge_free_writes)) {
        q = ngx_queue_head(&ngx_http_status_edge_free_writes);
        ngx_queue_remove(q);
        ngx_free(ngx_queue_data(q, ngx_http_status_edge_write_t, queue));
    }
}
