
/*
 * status-edge: the banner's dismissal endpoint and its stylesheet.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_DISMISS_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_DISMISS_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


ngx_int_t ngx_http_status_edge_dismiss_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_status_edge_css_handler(ngx_http_request_t *r);


#endif /* _NGX_HTTP_STATUS_EDGE_DISMISS_H_INCLUDED_ */
