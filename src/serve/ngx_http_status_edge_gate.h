
/*
 * status-edge: the maintenance gate.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_GATE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_GATE_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


ngx_int_t ngx_http_status_edge_gate_init(ngx_conf_t *cf);


#endif /* _NGX_HTTP_STATUS_EDGE_GATE_H_INCLUDED_ */
