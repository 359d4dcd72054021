
/*
 * status-edge: the Statuspage v2 JSON documents, status.txt and the metrics.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_API_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_API_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


ngx_int_t ngx_http_status_edge_api_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_status_edge_metrics_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_status_edge_text_handler(ngx_http_request_t *r);


#endif /* _NGX_HTTP_STATUS_EDGE_API_H_INCLUDED_ */
