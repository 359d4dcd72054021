
/*
 * status-edge: one Redis connection on nginx's own connection
 * (ngx_event_connect_peer, nginx's SSL layer).  hiredis only formats the
 * commands and parses the replies; the replies go to the callbacks of the
 * commands in the order they were sent, pub/sub messages to a handler.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_CONN_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_CONN_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>

#include <hiredis/hiredis.h>

#include "ngx_http_status_edge_types.h"


typedef struct ngx_http_status_edge_conn_s  ngx_http_status_edge_conn_t;

/* a reply, freed when the callback returns */
typedef void (*ngx_http_status_edge_conn_reply_pt)(
    ngx_http_status_edge_conn_t *conn, redisReply *reply, void *data);

/*
 * The connection failed and is closed: what happened ("connect failed",
 * "command timed out", ...) and why (nginx's or hiredis' words, or an
 * empty string).  The replies still due are dropped.
 */
typedef void (*ngx_http_status_edge_conn_error_pt)(
    ngx_http_status_edge_conn_t *conn, const char *what, ngx_str_t *reason);


typedef struct ngx_http_status_edge_conn_cmd_s
    ngx_http_status_edge_conn_cmd_t;


struct ngx_http_status_edge_conn_s {
    ngx_peer_connection_t                 peer;
    ngx_log_t                            *log;
    ngx_log_t                             peer_log;  /* catches nginx's */
    redisReader                          *reader;
    ngx_queue_t                           waiting;   /* replies due */
    ngx_queue_t                           free;      /* of conn_cmd_t */
    u_char                               *out;
    size_t                                out_pos;
    size_t                                out_len;
    size_t                                out_size;
    ngx_event_t                           timer;
    ngx_msec_t                            timeout;
    ngx_uint_t                            pending;
    ngx_uint_t                            generation;
    uint64_t                              queued;    /* bytes, since open */
    uint64_t                              sent;

    ngx_http_status_edge_conn_error_pt    error;
    ngx_http_status_edge_conn_reply_pt    message;   /* NULL: no pub/sub */
    void                                 *data;

#if (NGX_SSL)
    ngx_ssl_t                            *ssl;
    ngx_str_t                             ssl_name;
    ngx_flag_t                            ssl_verify;
#endif

    u_char                                reason[NGX_MAX_ERROR_STR];
    size_t                                reason_len;

    unsigned                              open:1;
    unsigned                              connected:1;
    unsigned                              tls:1;
};


/*
 * Starts a connection to server (TLS when the address says so), at addr
 * when given (resolved at runtime), else at the server's own; commands
 * may be sent at once, they leave when it is established.  NGX_ERROR:
 * the connection could not start, the reason is in conn->reason.
 */
ngx_int_t ngx_http_status_edge_conn_open(ngx_http_status_edge_conn_t *conn,
    ngx_http_status_edge_server_t *server, ngx_addr_t *addr,
    ngx_http_status_edge_main_conf_t *smcf);

/* queues a command; its reply goes to handler(conn, reply, data) */
ngx_int_t ngx_http_status_edge_conn_send(ngx_http_status_edge_conn_t *conn,
    ngx_http_status_edge_conn_reply_pt handler, void *data, int argc,
    const char **argv, const size_t *argvlen);

/*
 * Queues AUTH [user] password when the server has a password (the
 * first command of a connection); its reply goes to handler.
 */
ngx_int_t ngx_http_status_edge_conn_auth(ngx_http_status_edge_conn_t *conn,
    ngx_http_status_edge_server_t *server,
    ngx_http_status_edge_conn_reply_pt handler, void *data);

/* closes the connection; the replies still due are dropped */
void ngx_http_status_edge_conn_close(ngx_http_status_edge_conn_t *conn);

/* the TLS parameters of status_edge_redis_ssl_*, when an address has tls */
char *ngx_http_status_edge_conn_ssl_conf(ngx_conf_t *cf,
    ngx_http_status_edge_main_conf_t *smcf);


#endif /* _NGX_HTTP_STATUS_EDGE_CONN_H_INCLUDED_ */
