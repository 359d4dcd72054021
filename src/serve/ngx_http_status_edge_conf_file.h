
/*
 * status-edge: a file named in a directive, read at configuration time.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_CONF_FILE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_CONF_FILE_H_INCLUDED_


#include "ngx_http_status_edge_types.h"


ngx_int_t ngx_http_status_edge_conf_read_file(ngx_conf_t *cf, ngx_str_t *name,
    size_t max, const char *what, u_char **text, size_t *len);


#endif /* _NGX_HTTP_STATUS_EDGE_CONF_FILE_H_INCLUDED_ */
