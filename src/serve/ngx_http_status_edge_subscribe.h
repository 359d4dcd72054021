
/*
 * status-edge: subscriptions by visitors, under the status page and the
 * API (with status_edge_subscribe_secret):
 *
 *   POST LOCATION/subscribe               the page's form
 *   POST API/subscribers.json             Statuspage's request shape
 *   GET|POST LOCATION/confirm?token=T     the double opt-in
 *   GET|POST LOCATION/unsubscribe?token=T one click (RFC 8058)
 *
 * A GET shows a page with a button and never writes.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_SUBSCRIBE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_SUBSCRIBE_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


typedef enum {
    NGX_HTTP_STATUS_EDGE_SUB_FORM = 0,    /* LOCATION/subscribe */
    NGX_HTTP_STATUS_EDGE_SUB_API,         /* API/subscribers.json */
    NGX_HTTP_STATUS_EDGE_SUB_CONFIRM,
    NGX_HTTP_STATUS_EDGE_SUB_UNSUBSCRIBE
} ngx_http_status_edge_sub_e;


/* status_edge_subscribe_secret FILE */
char *ngx_http_status_edge_subscribe_secret(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);

/* whether subscriptions are on (a secret is configured) */
ngx_uint_t ngx_http_status_edge_subscribe_enabled(ngx_http_request_t *r);

ngx_int_t ngx_http_status_edge_subscribe_handler(ngx_http_request_t *r,
    ngx_http_status_edge_sub_e what);


#endif /* _NGX_HTTP_STATUS_EDGE_SUBSCRIBE_H_INCLUDED_ */
