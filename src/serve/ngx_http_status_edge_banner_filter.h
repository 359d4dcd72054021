
/*
 * status-edge: the banner filter: the header filter (eligibility, the
 * CSP nonce, the cache headers of a page with a banner) and the
 * streaming insert after <body>.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_BANNER_FILTER_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_BANNER_FILTER_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


ngx_int_t ngx_http_status_edge_banner_filter_init(ngx_conf_t *cf);


#endif /* _NGX_HTTP_STATUS_EDGE_BANNER_FILTER_H_INCLUDED_ */
