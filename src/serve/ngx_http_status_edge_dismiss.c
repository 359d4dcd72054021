
/*
 * status-edge: what the banner links to.  status_edge_dismiss remembers a
 * dismissed banner in a cookie and sends the visitor back (same-site
 * paths only); status_edge_banner_css serves the banner's stylesheet for
 * pages whose Content-Security-Policy has no nonce to reuse.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_dismiss.h"
#include "ngx_http_status_edge_response.h"
#include "se_valid.h"
#include "se_core.h"
#include "se_banner.h"


#define NGX_HTTP_STATUS_EDGE_COOKIE_AGE  (30 * 86400)


static ngx_int_t ngx_http_status_edge_return_path(ngx_http_request_t *r,
    ngx_str_t *path);


ngx_int_t
ngx_http_status_edge_dismiss_handler(ngx_http_request_t *r)
{
    u_char      *p;
    ngx_int_t    rc;
    ngx_str_t    id, uid, path, cookie, name;
    char         key[SE_BANNER_KEY_LEN];

    rc = ngx_http_status_edge_method(r, NGX_HTTP_GET|NGX_HTTP_HEAD, NULL);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_http_arg(r, (u_char *) "id", 2, &id) == NGX_OK
        && se_valid_id((const char *) id.data, id.len) == SE_OK)
    {
        if (ngx_http_arg(r, (u_char *) "u", 1, &uid) != NGX_OK
            || se_valid_id((const char *) uid.data, uid.len) != SE_OK)
        {
            uid.len = 0;
            uid.data = (u_char *) "";
        }

        se_banner_key((const char *) id.data, id.len,
                      (const char *) uid.data, uid.len, key);

        cookie.len = sizeof("status_edge_dismissed=; Path=/; Max-Age=; "
                            "SameSite=Lax; HttpOnly") - 1
                     + SE_BANNER_KEY_LEN - 1 + NGX_INT_T_LEN;
        cookie.data = ngx_pnalloc(r->pool, cookie.len);
        if (cookie.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        p = ngx_sprintf(cookie.data, "status_edge_dismissed=%s; Path=/; "
                        "Max-Age=%d; SameSite=Lax; HttpOnly",
                        key, NGX_HTTP_STATUS_EDGE_COOKIE_AGE);
        cookie.len = p - cookie.data;

        ngx_str_set(&name, "Set-Cookie");

        if (ngx_http_status_edge_add_header(r, &name, &cookie) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ngx_http_status_edge_return_path(r, &path) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_status_edge_add_no_store(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_set(&name, "Location");

    r->headers_out.location = ngx_http_status_edge_push_header(r, &name,
                                                               &path);
    if (r->headers_out.location == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_SEE_OTHER;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK) {
        return rc;
    }

    return ngx_http_send_special(r, NGX_HTTP_LAST);
}


/*
 * The decoded r argument when it is a same-site path (one leading '/',
 * no "//" or "/\\" authority), re-encoded for the Location header; else
 * "/".
 */

static ngx_int_t
ngx_http_status_edge_return_path(ngx_http_request_t *r, ngx_str_t *path)
{
    u_char     *dst, *src, *p, *last, c;
    ngx_str_t   arg;

    static u_char  hex[] = "0123456789ABCDEF";

    ngx_str_set(path, "/");

    if (ngx_http_arg(r, (u_char *) "r", 1, &arg) != NGX_OK || arg.len == 0) {
        return NGX_OK;
    }

    dst = ngx_pnalloc(r->pool, arg.len);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    src = arg.data;
    arg.data = dst;
    ngx_unescape_uri(&dst, &src, arg.len, 0);
    arg.len = dst - arg.data;

    if (arg.len == 0 || arg.len > SE_BANNER_RET_MAX || arg.data[0] != '/'
        || (arg.len > 1 && (arg.data[1] == '/' || arg.data[1] == '\\')))
    {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, arg.len * 3);
    if (p == NULL) {
        return NGX_ERROR;
    }

    path->data = p;
    last = arg.data + arg.len;

    for (src = arg.data; src < last; src++) {
        c = *src;

        /*
         * unreserved, sub-delims, ":@/?" and '%' (the request URI's own
         * escapes) pass; everything else is encoded
         */

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9')
            || (c != '\0' && ngx_strchr("-._~!$&'()*+,;=:@/?%", c)))
        {
            *p++ = c;
            continue;
        }

        *p++ = '%';
        *p++ = hex[c >> 4];
        *p++ = hex[c & 0x0f];
    }

    path->len = p - path->data;

    return NGX_OK;
}


ngx_int_t
ngx_http_status_edge_css_handler(ngx_http_request_t *r)
{
    size_t       len;
    ngx_int_t    rc;
    ngx_str_t    cache, name;
    const char  *css;

    rc = ngx_http_status_edge_method(r, NGX_HTTP_GET|NGX_HTTP_HEAD, NULL);
    if (rc != NGX_OK) {
        return rc;
    }

    css = se_banner_css(&len);

    ngx_str_set(&name, "Cache-Control");
    ngx_str_set(&cache, "public, max-age=3600");

    if (ngx_http_status_edge_add_header(r, &name, &cache) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_OK;
    ngx_str_set(&r->headers_out.content_type, "text/css");
    r->headers_out.content_type_len = sizeof("text/css") - 1;
    r->headers_out.content_length_n = len;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_status_edge_output(r, (u_char *) css, len);
}
