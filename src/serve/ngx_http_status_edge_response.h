
/*
 * status-edge: the response helpers every handler and the banner filter use.
 */


#ifndef _NGX_HTTP_STATUS_EDGE_RESPONSE_H_INCLUDED_
#define _NGX_HTTP_STATUS_EDGE_RESPONSE_H_INCLUDED_


#include "ngx_http_status_edge_types.h"
#include "se_lang.h"


ngx_int_t ngx_http_status_edge_output(ngx_http_request_t *r, u_char *data,
    size_t len);
ngx_int_t ngx_http_status_edge_send_data(ngx_http_request_t *r,
    ngx_str_t *type, u_char *data, size_t len);
ngx_int_t ngx_http_status_edge_api_send(ngx_http_request_t *r, ngx_str_t *type,
    ngx_chain_t *out, off_t length);
void ngx_http_status_edge_set_type_length(ngx_http_request_t *r,
    ngx_str_t *type, off_t length);
ngx_int_t ngx_http_status_edge_method(ngx_http_request_t *r,
    ngx_uint_t methods, ngx_str_t *allow);
ngx_table_elt_t *ngx_http_status_edge_push_header(ngx_http_request_t *r,
    ngx_str_t *key, ngx_str_t *value);
ngx_int_t ngx_http_status_edge_add_header(ngx_http_request_t *r,
    ngx_str_t *key, ngx_str_t *value);
ngx_int_t ngx_http_status_edge_set_etag(ngx_http_request_t *r,
    ngx_str_t *value);
ngx_int_t ngx_http_status_edge_add_headers(ngx_http_request_t *r,
    ngx_str_t *kv);
ngx_int_t ngx_http_status_edge_set_cache_control(ngx_http_request_t *r,
    ngx_str_t *value);
ngx_int_t ngx_http_status_edge_add_no_store(ngx_http_request_t *r);
ngx_int_t ngx_http_status_edge_options(ngx_http_request_t *r,
    ngx_str_t *allow_headers);
ngx_int_t ngx_http_status_edge_location_rest(ngx_http_request_t *r,
    u_char **rest);
se_lang_e ngx_http_status_edge_request_lang(ngx_http_request_t *r);
ngx_table_elt_t *ngx_http_status_edge_request_accept(ngx_http_request_t *r);
ngx_table_elt_t *ngx_http_status_edge_header(ngx_list_t *headers,
    const char *lowcase, size_t len);


#endif /* _NGX_HTTP_STATUS_EDGE_RESPONSE_H_INCLUDED_ */
