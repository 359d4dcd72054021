
/*
 * status-edge: the uptime directives, status_edge_uptime_days and
 * status_edge_uptime_weights: one window and one set of weights for the
 * whole http block, so that the page, uptime.json and the badges give
 * the same figure.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_UPTIME_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_UPTIME_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


char *ngx_http_status_edge_uptime_days(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_status_edge_uptime_weights(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);

/* the defaults, and the seconds of history the reader asks Redis for */
ngx_int_t ngx_http_status_edge_uptime_init_conf(ngx_conf_t *cf,
    ngx_http_status_edge_main_conf_t *smcf);


#endif /* _NGX_HTTP_STATUS_EDGE_UPTIME_H_INCLUDED_ */
