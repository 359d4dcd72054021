
/*
 * status-edge: the maintenance gate, a preaccess handler.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_GATE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_GATE_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


ngx_int_t ngx_http_status_edge_gate_handler(ngx_http_request_t *r);


#endif /* _NGX_HTTP_STATUS_EDGE_GATE_H_INCLUDED_ */
