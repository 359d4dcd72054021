
/*
 * status-edge: the SVG badge handler.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_BADGE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_BADGE_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


ngx_int_t ngx_http_status_edge_badge_handler(ngx_http_request_t *r);


#endif /* _NGX_HTTP_STATUS_EDGE_BADGE_H_INCLUDED_ */
