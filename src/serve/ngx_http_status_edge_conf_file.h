
/*
 * status-edge: a file named in a directive (a template, a secret), read
 * at configuration time.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_CONF_FILE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_CONF_FILE_H_INCLUDED_


#include "ngx_http_status_edge_types.h"
#include "se_tpl.h"


/* se_banner_tpl_parse(), se_page_tpl_parse() */
typedef int (*ngx_http_status_edge_tpl_parse_pt)(const char *text,
    size_t len, se_tpl_t **out, char *err, size_t errlen);


ngx_int_t ngx_http_status_edge_conf_template(ngx_conf_t *cf, ngx_str_t *name,
    size_t max, const char *what, ngx_http_status_edge_tpl_parse_pt parse,
    ngx_pool_cleanup_pt tpl_free, se_tpl_t **tpl);

/* a whole file of at most max bytes into pool; NGX_ERROR logged */
ngx_int_t ngx_http_status_edge_conf_read_file(ngx_conf_t *cf, ngx_str_t *name,
    size_t max, const char *what, ngx_pool_t *pool, u_char **text,
    size_t *len);


#endif /* _NGX_HTTP_STATUS_EDGE_CONF_FILE_H_INCLUDED_ */
