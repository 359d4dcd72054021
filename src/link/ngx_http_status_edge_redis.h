
/*
 * status-edge: the Redis link.  Each worker reads every source's state
 * on nginx's event loop over two connections (ngx_http_status_edge_conn.c)
 * when Redis pushes a change (PUBLISH, CLIENT TRACKING's invalidations;
 * the version poll only where tracking is refused) and hands the reply's
 * bytes to ngx_http_status_edge_update().
 */


#ifndef _NGX_HTTP_STATUS_EDGE_REDIS_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_REDIS_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


ngx_int_t ngx_http_status_edge_redis_start(ngx_cycle_t *cycle,
    ngx_http_status_edge_main_conf_t *smcf);
void ngx_http_status_edge_redis_stop(ngx_cycle_t *cycle);


#endif /* _NGX_HTTP_STATUS_EDGE_REDIS_H_INCLUDED_ */
