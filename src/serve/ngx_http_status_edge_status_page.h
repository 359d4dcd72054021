
/*
 * status-edge: the status page handler (status_edge_status_page) and its
 * directives.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_STATUS_PAGE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_STATUS_PAGE_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


char *ngx_http_status_edge_status_page(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_status_edge_history_days(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_status_edge_status_page_template(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
ngx_int_t ngx_http_status_edge_status_page_merge(ngx_conf_t *cf,
    ngx_http_status_edge_loc_conf_t *prev,
    ngx_http_status_edge_loc_conf_t *conf);


#endif /* _NGX_HTTP_STATUS_EDGE_STATUS_PAGE_H_INCLUDED_ */
