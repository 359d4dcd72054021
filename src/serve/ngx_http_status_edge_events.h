
/*
 * status-edge: the event streams (Server-Sent Events).
 */


#ifndef _NGX_HTTP_STATUS_EDGE_EVENTS_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_EVENTS_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


ngx_int_t ngx_http_status_edge_events_handler(ngx_http_request_t *r);
void ngx_http_status_edge_events_notify(ngx_http_status_edge_source_t *source);
char *ngx_http_status_edge_events_max_slot(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_status_edge_events_heartbeat_slot(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);


#endif /* _NGX_HTTP_STATUS_EDGE_EVENTS_H_INCLUDED_ */
