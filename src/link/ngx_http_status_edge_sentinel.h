
/*
 * status-edge: a "status_edge_redis sentinel=NAME ADDR..." entry.  Its
 * data server is found through the Sentinels of the set NAME at each
 * connect, on the event loop, over one connection to a Sentinel that
 * stays subscribed to the set's changes (+switch-master, a replica's
 * +sdown and -sdown) until the next question.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_SENTINEL_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_SENTINEL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include <hiredis/hiredis.h>

#include "ngx_http_status_edge_types.h"


/* an address a Sentinel named */
typedef struct {
    ngx_sockaddr_t                   sockaddr;
    socklen_t                        socklen;
    size_t                           host_len;
    u_char                           host[NGX_SOCKADDR_STRLEN];
} ngx_http_status_edge_sentinel_addr_t;


struct ngx_http_status_edge_sentinel_s {
    ngx_str_t                        set;       /* the master's name */
    ngx_array_t                      sentinels; /* of server_t */
    ngx_http_status_edge_server_t  **order;     /* the last to answer first */
    ngx_str_t                        user;      /* sentinel_user= */
    ngx_str_t                        password;  /* sentinel_password= */
    unsigned                         primary:1; /* role=primary */
};


/*
 * The Sentinels named a server (reason NULL) or none could (reason says
 * why); or, once named, the set changed (+switch-master, the replica in
 * use down): the links are to connect again.
 */
typedef void (*ngx_http_status_edge_sentinel_pt)(
    ngx_http_status_edge_server_t *entry, ngx_str_t *reason);


/* a "sentinel=NAME" entry in server (value: the directive's first value) */
ngx_int_t ngx_http_status_edge_sentinel_create(ngx_conf_t *cf,
    ngx_http_status_edge_server_t *server, ngx_str_t *value);
/* NGX_OK: a parameter of a Sentinel entry; NGX_DECLINED: not one */
ngx_int_t ngx_http_status_edge_sentinel_option(ngx_conf_t *cf,
    ngx_http_status_edge_server_t *server, ngx_str_t *value);
/* the entry is whole: at least one Sentinel, their parameters set */
ngx_int_t ngx_http_status_edge_sentinel_check(ngx_conf_t *cf,
    ngx_http_status_edge_server_t *server);

void ngx_http_status_edge_sentinel_start(ngx_log_t *log,
    ngx_http_status_edge_main_conf_t *smcf,
    ngx_http_status_edge_sentinel_pt found,
    ngx_http_status_edge_sentinel_pt moved);
/* asks the entry's Sentinels; found() is called from the event loop */
void ngx_http_status_edge_sentinel_ask(ngx_http_status_edge_server_t *entry);
/* the server the Sentinels named for the entry last */
ngx_http_status_edge_server_t *ngx_http_status_edge_sentinel_server(
    ngx_http_status_edge_server_t *entry);
/* ROLE's reply of that server: NGX_OK, or NGX_ERROR and why */
ngx_int_t ngx_http_status_edge_sentinel_role(redisReply *reply,
    ngx_str_t *why);
/* the IP and port strings of a Sentinel's reply as an address; no DNS */
ngx_int_t ngx_http_status_edge_sentinel_addr(
    ngx_http_status_edge_sentinel_addr_t *addr, redisReply *ip,
    redisReply *port);
/* closes the connection to the Sentinels (another entry is in use) */
void ngx_http_status_edge_sentinel_stop(void);


#endif /* _NGX_HTTP_STATUS_EDGE_SENTINEL_H_INCLUDED_ */
