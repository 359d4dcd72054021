
/*
 * status-edge: response helpers shared by the handlers (API, badge,
 * status page, widget, events, gate, dismiss): one place for the method
 * check, a ready buffer, the ETag, "no-store", header tables, the type
 * and length, the CORS preflight, the endpoint under a location, the
 * visitor's language and Accept.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_status_edge_response.h"
#include "ngx_http_status_edge_compat.h"


static ngx_int_t ngx_http_status_edge_chain(ngx_http_request_t *r,
    u_char *data, size_t len, ngx_chain_t *out);


static ngx_str_t  ngx_http_status_edge_acao_key =
    ngx_string("Access-Control-Allow-Origin");
static ngx_str_t  ngx_http_status_edge_any = ngx_string("*");
static ngx_str_t  ngx_http_status_edge_utf8 = ngx_string("utf-8");


/*
 * Bytes that outlive the request (rendered with the state, which the
 * request references until its pool goes, or static): never copied.
 */

ngx_int_t
ngx_http_status_edge_output(ngx_http_request_t *r, u_char *data, size_t len)
{
    ngx_chain_t  out;

    if (ngx_http_status_edge_chain(r, data, len, &out) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_output_filter(r, &out);
}


/* the same, with the API's headers (CORS, nosniff, type, length) */

ngx_int_t
ngx_http_status_edge_send_data(ngx_http_request_t *r, ngx_str_t *type,
    u_char *data, size_t len)
{
    ngx_chain_t  out;

    if (ngx_http_status_edge_chain(r, data, len, &out) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_status_edge_api_send(r, type, &out, len);
}


static ngx_int_t
ngx_http_status_edge_chain(ngx_http_request_t *r, u_char *data, size_t len,
    ngx_chain_t *out)
{
    ngx_buf_t  *b;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    b->pos = data;
    b->last = data + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out->buf = b;
    out->next = NULL;

    return NGX_OK;
}


/*
 * The request body is read and dropped first, so that a keepalive
 * connection stays in step whatever is answered; then NGX_OK for one of
 * "methods", else NGX_HTTP_NOT_ALLOWED with "Allow": the list given, or
 * the methods' own.
 */

ngx_int_t
ngx_http_status_edge_method(ngx_http_request_t *r, ngx_uint_t methods,
    ngx_str_t *allow)
{
    ngx_int_t  rc;

    static ngx_str_t  key = ngx_string("Allow");
    static ngx_str_t  get_head = ngx_string("GET, HEAD");
    static ngx_str_t  get_head_options = ngx_string("GET, HEAD, OPTIONS");

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    if (r->method & methods) {
        return NGX_OK;
    }

    /* a 405 names the methods that are allowed (RFC 9110, 15.5.6) */

    if (allow == NULL) {
        allow = (methods & NGX_HTTP_OPTIONS) ? &get_head_options : &get_head;
    }

    if (ngx_http_status_edge_add_header(r, &key, allow) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_HTTP_NOT_ALLOWED;
}


/* a response header, the one place the module adds one */

ngx_table_elt_t *
ngx_http_status_edge_push_header(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NULL;
    }

    ngx_http_status_edge_header_unlinked(h);

    h->hash = 1;
    h->key = *key;
    h->value = *value;
    h->lowcase_key = NULL;

    return h;
}


ngx_int_t
ngx_http_status_edge_add_header(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *value)
{
    return ngx_http_status_edge_push_header(r, key, value) ? NGX_OK
                                                           : NGX_ERROR;
}


/* a strong ETag: the not modified filter answers If-None-Match with it */

ngx_int_t
ngx_http_status_edge_set_etag(ngx_http_request_t *r, ngx_str_t *value)
{
    ngx_table_elt_t  *etag;

    static ngx_str_t  key = ngx_string("ETag");

    etag = ngx_http_status_edge_push_header(r, &key, value);
    if (etag == NULL) {
        return NGX_ERROR;
    }

    r->headers_out.etag = etag;

    return NGX_OK;
}


/* a table of "name", "value", ..., ngx_null_string */

ngx_int_t
ngx_http_status_edge_add_headers(ngx_http_request_t *r, ngx_str_t *kv)
{
    for ( /* void */ ; kv->len; kv += 2) {
        if (ngx_http_status_edge_add_header(r, &kv[0], &kv[1]) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * Cache-Control: value in place of whatever the response has, and no
 * Expires: the one way the module says how a response may be cached
 */

ngx_int_t
ngx_http_status_edge_set_cache_control(ngx_http_request_t *r,
    ngx_str_t *value)
{
    static ngx_str_t  key = ngx_string("Cache-Control");

    ngx_http_status_edge_clear_cache_control(r);

    if (r->headers_out.expires) {
        r->headers_out.expires->hash = 0;
        r->headers_out.expires = NULL;
    }

    return ngx_http_status_edge_add_header(r, &key, value);
}


/* answers that must not be cached: errors, "unknown", redirects */

ngx_int_t
ngx_http_status_edge_add_no_store(ngx_http_request_t *r)
{
    static ngx_str_t  value = ngx_string("no-store");

    return ngx_http_status_edge_set_cache_control(r, &value);
}


/* a CORS preflight of a GET/HEAD endpoint: 204 with what it allows */

ngx_int_t
ngx_http_status_edge_options(ngx_http_request_t *r, ngx_str_t *allow_headers)
{
    ngx_uint_t  i;

    static ngx_str_t  headers[] = {
        ngx_string("Access-Control-Allow-Origin"),
        ngx_string("*"),
        ngx_string("Access-Control-Allow-Methods"),
        ngx_string("GET, HEAD, OPTIONS"),
        ngx_string("Access-Control-Allow-Headers"),
        ngx_null_string,
        ngx_string("Access-Control-Max-Age"),
        ngx_string("86400"),
        ngx_string("Allow"),
        ngx_string("GET, HEAD, OPTIONS"),
    };

    for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i += 2) {
        if (ngx_http_status_edge_add_header(r, &headers[i],
                                            headers[i + 1].len
                                            ? &headers[i + 1]
                                            : allow_headers)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    r->headers_out.status = NGX_HTTP_NO_CONTENT;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    return ngx_http_send_header(r);
}


/*
 * The part of the URI after the name of the prefix location that serves
 * it, where the endpoint's own name starts: NGX_DECLINED for regex, exact
 * and named locations, whose callers look for a known suffix instead.
 */

ngx_int_t
ngx_http_status_edge_location_rest(ngx_http_request_t *r, u_char **rest)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

#if (NGX_PCRE)
    if (clcf->regex) {
        return NGX_DECLINED;
    }
#endif

    if (clcf->exact_match || clcf->named
        || r->uri.len < clcf->name.len
        || ngx_strncmp(r->uri.data, clcf->name.data, clcf->name.len) != 0)
    {
        return NGX_DECLINED;
    }

    *rest = r->uri.data + clcf->name.len;

    return NGX_OK;
}


/* the first header of a list with that name (lowcase, any case in it) */

ngx_table_elt_t *
ngx_http_status_edge_header(ngx_list_t *headers, const char *lowcase,
    size_t len)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    /* the length first: it rules out nearly every header at once */

    for (part = &headers->part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].key.len == len && h[i].hash
                && ngx_strncasecmp(h[i].key.data, (u_char *) lowcase, len)
                   == 0)
            {
                return &h[i];
            }
        }
    }

    return NULL;
}


/* the built-in language the request's Accept-Language prefers */

se_lang_e
ngx_http_status_edge_request_lang(ngx_http_request_t *r)
{
    ngx_table_elt_t  *h;

#if (NGX_HTTP_HEADERS)

    h = r->headers_in.accept_language;

#else

    h = ngx_http_status_edge_header(&r->headers_in.headers,
                                    "accept-language",
                                    sizeof("accept-language") - 1);

#endif

    if (h == NULL) {
        return SE_LANG_EN;
    }

    return se_lang_negotiate((const char *) h->value.data, h->value.len);
}


/* the request's Accept header, NULL: none */

ngx_table_elt_t *
ngx_http_status_edge_request_accept(ngx_http_request_t *r)
{
#if (NGX_HTTP_HEADERS)

    return r->headers_in.accept;

#else

    return ngx_http_status_edge_header(&r->headers_in.headers, "accept",
                                       sizeof("accept") - 1);

#endif
}


/* the API's headers (CORS, nosniff, type, length), then out */

ngx_int_t
ngx_http_status_edge_api_send(ngx_http_request_t *r, ngx_str_t *type,
    ngx_chain_t *out, off_t length)
{
    ngx_int_t  rc;
    ngx_str_t  key, value;

    if (ngx_http_status_edge_add_header(r, &ngx_http_status_edge_acao_key,
                                        &ngx_http_status_edge_any)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_set(&key, "X-Content-Type-Options");
    ngx_str_set(&value, "nosniff");

    if (ngx_http_status_edge_add_header(r, &key, &value) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (r->headers_out.status == 0) {
        r->headers_out.status = NGX_HTTP_OK;
    }

    ngx_http_status_edge_set_type_length(r, type, length);

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_output_filter(r, out);
}


/*
 * The type of a body the module writes, in UTF-8, its length (-1: not
 * known) and no Last-Modified
 */

void
ngx_http_status_edge_set_type_length(ngx_http_request_t *r, ngx_str_t *type,
    off_t length)
{
    /* the type alone, so gzip_types and the like match it */
    r->headers_out.content_type = *type;
    r->headers_out.content_type_len = type->len;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.charset = ngx_http_status_edge_utf8;
    r->headers_out.content_length_n = length;
    r->headers_out.last_modified_time = -1;
}
