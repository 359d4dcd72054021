
/*
 * status-edge: status_edge_widget serves the embeddable widget script,
 * built into the module (src/asset/se_widget_asset.c, generated from
 * widget/src/widget.js), so no file is needed on disk.  A strong ETag
 * from the script's content hash answers If-None-Match with 304; nginx's
 * gzip filter compresses it when gzip_types lists text/javascript.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_widget.h"
#include "ngx_http_status_edge_response.h"
#include "se_widget_asset.h"


static ngx_str_t  ngx_http_status_edge_widget_headers[] = {
    ngx_string("Access-Control-Allow-Origin"),
    ngx_string("*"),
    ngx_string("X-Content-Type-Options"),
    ngx_string("nosniff"),
    ngx_null_string
};


ngx_int_t
ngx_http_status_edge_widget_handler(ngx_http_request_t *r)
{
    ngx_int_t                         rc;
    ngx_str_t                         name, value;
    ngx_http_status_edge_loc_conf_t  *slcf;

    rc = ngx_http_status_edge_method(r, NGX_HTTP_GET|NGX_HTTP_HEAD, NULL);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_http_status_edge_stats.requests[NGX_HTTP_STATUS_EDGE_EP_WIDGET]++;

    /* no Last-Modified: If-None-Match alone decides, as in the API */
    r->headers_in.if_modified_since = NULL;
    r->headers_in.if_unmodified_since = NULL;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_status_edge_module);

    value.data = (u_char *) se_widget_etag;
    value.len = se_widget_etag_len;

    if (ngx_http_status_edge_set_etag(r, &value) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    value.data = ngx_pnalloc(r->pool, sizeof("public, max-age=") - 1
                                      + NGX_TIME_T_LEN);
    if (value.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    value.len = ngx_sprintf(value.data, "public, max-age=%T",
                            slcf->widget_max_age)
                - value.data;

    ngx_str_set(&name, "Cache-Control");

    if (ngx_http_status_edge_add_header(r, &name, &value) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_status_edge_add_headers(r,
                                         ngx_http_status_edge_widget_headers)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_OK;
    ngx_str_set(&r->headers_out.content_type, "text/javascript");
    r->headers_out.content_type_len = sizeof("text/javascript") - 1;
    ngx_str_set(&r->headers_out.charset, "utf-8");
    r->headers_out.content_length_n = se_widget_js_len;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    /* static bytes in the module: never copied, never freed */

    return ngx_http_status_edge_output(r, (u_char *) se_widget_js,
                                       se_widget_js_len);
}

